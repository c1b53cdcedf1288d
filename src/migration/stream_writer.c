/* The stream writer: records framed as stream.h describes, through one
 * buffer so small records cost no system call each, while large payload
 * pieces go straight to the fd without a copy. */
#include "migration/crc32c.h"
#include "migration/stream.h"
#include "migration/stream_wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WRITER_BUF_SIZE (64 * 1024)

enum writer_state { W_IDLE, W_PAYLOAD, W_FINISHED };

struct mig_writer {
	int fd;
	bool not_socket; /* send() said ENOTSOCK: use write() */
	int err;         /* sticky stream error, 0 if none */
	enum writer_state state;
	char name[MIG_NAME_SIZE]; /* record being written */
	uint64_t left;            /* its payload bytes still to come */
	uint32_t crc;             /* its payload checksum so far */
	uint64_t bytes;           /* stream bytes produced */
	size_t fill;              /* bytes in buf */
	void (*pace)(void *ctx, size_t bytes); /* mig_writer_set_pace */
	void *pace_ctx;
	char msg[192];
	uint8_t buf[WRITER_BUF_SIZE];
};

__attribute__((format(printf, 3, 4)))
static int say(struct mig_writer *w, int ret, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
	return ret;
}

/* Everything to the fd, through partial writes and EINTR. MSG_NOSIGNAL so a
 * departed socket peer is -EPIPE rather than a SIGPIPE that kills Kiln. */
static int write_all(struct mig_writer *w, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n;
		size_t piece = w->pace && len > MIG_PACE_PIECE ? MIG_PACE_PIECE : len;
		if (!w->not_socket) {
			n = send(w->fd, p, piece, MSG_NOSIGNAL);
			if (n < 0 && errno == ENOTSOCK) {
				w->not_socket = true;
				continue;
			}
		} else {
			n = write(w->fd, p, piece);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			w->err = -errno;
			return say(w, w->err, "writing the stream: %s",
				   strerror(errno));
		}
		if (n == 0) {
			w->err = -EIO;
			return say(w, w->err, "writing the stream: no progress");
		}
		p += n;
		len -= (size_t)n;
		if (w->pace)
			w->pace(w->pace_ctx, (size_t)n);
	}
	return 0;
}

static int flush(struct mig_writer *w)
{
	int ret = write_all(w, w->buf, w->fill);
	w->fill = 0;
	return ret;
}

static int emit(struct mig_writer *w, const void *data, size_t len)
{
	int ret;

	if (!len)
		return 0;
	if (len <= WRITER_BUF_SIZE - w->fill) {
		memcpy(w->buf + w->fill, data, len);
		w->fill += len;
	} else {
		ret = flush(w);
		if (ret)
			return ret;
		if (len >= WRITER_BUF_SIZE) {
			ret = write_all(w, data, len);
			if (ret)
				return ret;
		} else {
			memcpy(w->buf, data, len);
			w->fill = len;
		}
	}
	w->bytes += len;
	return 0;
}

int mig_writer_open(struct mig_writer **wp, int fd)
{
	struct mig_writer *w = calloc(1, sizeof(*w));
	uint8_t *h;

	*wp = NULL;
	if (!w)
		return -ENOMEM;
	w->fd = fd;
	h = w->buf;
	memcpy(h + FILE_OFF_MAGIC, MIG_FILE_MAGIC, 8);
	wire_put32(h + FILE_OFF_VERSION, MIG_FORMAT_VERSION);
	wire_put32(h + FILE_OFF_FLAGS, 0);
	wire_put64(h + FILE_OFF_RESERVED, 0);
	wire_put32(h + FILE_OFF_CRC, crc32c(h, FILE_OFF_CRC));
	w->fill = w->bytes = MIG_FILE_HEADER_SIZE;
	*wp = w;
	return 0;
}

/* Common entry checks: a failed writer stays failed; a finished one takes
 * nothing more. */
static int check_usable(struct mig_writer *w)
{
	if (w->err)
		return w->err;
	if (w->state == W_FINISHED)
		return say(w, -EINVAL, "stream already finished");
	return 0;
}

static int put_header(struct mig_writer *w, const char *name, uint32_t version,
		      uint32_t instance, uint64_t len)
{
	uint8_t h[MIG_RECORD_HEADER_SIZE] = { 0 };

	memcpy(h + REC_OFF_MAGIC, MIG_RECORD_MAGIC, 4);
	memcpy(h + REC_OFF_NAME, name, strlen(name));
	wire_put32(h + REC_OFF_VERSION, version);
	wire_put32(h + REC_OFF_INSTANCE, instance);
	wire_put64(h + REC_OFF_LEN, len);
	wire_put32(h + REC_OFF_CRC, crc32c(h, REC_OFF_CRC));
	return emit(w, h, sizeof(h));
}

static int begin(struct mig_writer *w, const char *name, uint32_t version,
		 uint32_t instance, uint64_t len, bool allow_end)
{
	size_t n = name ? strnlen(name, MIG_NAME_SIZE) : 0;
	int ret = check_usable(w);

	if (ret)
		return ret;
	if (w->state != W_IDLE)
		return say(w, -EINVAL, "record '%s' not ended", w->name);
	if (n == 0 || n == MIG_NAME_SIZE)
		return say(w, -EINVAL, "section name must be 1-%u characters",
			   MIG_NAME_SIZE - 1);
	for (size_t i = 0; i < n; i++)
		if (!wire_printable((uint8_t)name[i]))
			return say(w, -EINVAL,
				   "section name has a non-printable byte");
	if (!allow_end && !strcmp(name, MIG_END_NAME))
		return say(w, -EINVAL, "section name 'end' is reserved");
	ret = put_header(w, name, version, instance, len);
	if (ret)
		return ret;
	memset(w->name, 0, sizeof(w->name));
	memcpy(w->name, name, n);
	w->state = W_PAYLOAD;
	w->left = len;
	w->crc = 0;
	return 0;
}

int mig_begin_record(struct mig_writer *w, const char *name, uint32_t version,
		     uint32_t instance, uint64_t len)
{
	return begin(w, name, version, instance, len, false);
}

int mig_write_payload(struct mig_writer *w, const void *data, size_t len)
{
	int ret = check_usable(w);

	if (ret)
		return ret;
	if (w->state != W_PAYLOAD)
		return say(w, -EINVAL, "payload written outside a record");
	if (len > w->left)
		return say(w, -EINVAL,
			   "record '%s': payload longer than its stated length",
			   w->name);
	if (len && !data)
		return say(w, -EINVAL, "record '%s': no payload data", w->name);
	ret = emit(w, data, len);
	if (ret)
		return ret;
	w->crc = crc32c_extend(w->crc, data, len);
	w->left -= len;
	return 0;
}

int mig_end_record(struct mig_writer *w)
{
	uint8_t t[MIG_RECORD_TRAILER_SIZE];
	int ret = check_usable(w);

	if (ret)
		return ret;
	if (w->state != W_PAYLOAD)
		return say(w, -EINVAL, "no record to end");
	if (w->left)
		return say(w, -EINVAL,
			   "record '%s': %llu payload bytes still to write",
			   w->name, (unsigned long long)w->left);
	wire_put32(t, w->crc);
	ret = emit(w, t, sizeof(t));
	if (ret)
		return ret;
	w->state = W_IDLE;
	return 0;
}

int mig_write_record(struct mig_writer *w, const char *name, uint32_t version,
		     uint32_t instance, const void *payload, uint64_t len)
{
	int ret;

	if (len > SIZE_MAX)
		return say(w, -EINVAL, "payload larger than memory");
	if (len && !payload)
		return say(w, -EINVAL, "no payload data");
	ret = mig_begin_record(w, name, version, instance, len);
	if (!ret)
		ret = mig_write_payload(w, payload, (size_t)len);
	if (!ret)
		ret = mig_end_record(w);
	return ret;
}

int mig_writer_finish(struct mig_writer *w)
{
	int ret = begin(w, MIG_END_NAME, 0, 0, 0, true);

	if (!ret)
		ret = mig_end_record(w);
	if (!ret)
		ret = flush(w);
	if (!ret)
		w->state = W_FINISHED;
	return ret;
}

void mig_writer_close(struct mig_writer *w)
{
	free(w);
}

uint64_t mig_writer_bytes(const struct mig_writer *w)
{
	return w->bytes;
}

const char *mig_writer_error(const struct mig_writer *w)
{
	return w ? w->msg : "out of memory";
}

void mig_writer_set_pace(struct mig_writer *w,
			 void (*pace)(void *ctx, size_t bytes), void *ctx)
{
	w->pace = pace;
	w->pace_ctx = ctx;
}
