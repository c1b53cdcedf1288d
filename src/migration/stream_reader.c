/* The stream reader. Its input is untrusted (a file anyone could have
 * edited, a socket from another host): every header is checked before a
 * field of it is used, the reader never allocates by a length it read, and
 * payload bytes go only into the caller's buffer, bounded by the length the
 * caller gave. It reads exactly the bytes it needs, never ahead. */
#include "migration/crc32c.h"
#include "migration/stream.h"
#include "migration/stream_wire.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum reader_state { R_RECORD, R_PAYLOAD, R_ENDED };

struct mig_reader {
	int fd;
	int err; /* sticky stream error, 0 if none */
	enum reader_state state;
	struct mig_record_info cur; /* the record being read */
	uint64_t left;              /* its payload bytes not read yet */
	uint32_t crc;               /* checksum of its payload so far */
	uint64_t bytes;             /* stream bytes consumed */
	char msg[256];
};

__attribute__((format(printf, 3, 4)))
static int say(struct mig_reader *r, int ret, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return ret;
}

/* An error in the stream: the reader is failed from now on. */
__attribute__((format(printf, 3, 4)))
static int fail(struct mig_reader *r, int ret, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->err = ret;
	return ret;
}

/* Reads up to len bytes, stopping early only at end of input. Returns the
 * count, or -errno (the reader then failed). */
static ssize_t read_upto(struct mig_reader *r, uint8_t *p, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(r->fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(r, -errno, "reading the stream at byte %" PRIu64
				    ": %s", r->bytes + got, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	r->bytes += got;
	return (ssize_t)got;
}

/* Exactly len bytes, or -EPIPE "truncated stream" saying where. */
static int read_exact(struct mig_reader *r, void *p, size_t len,
		      const char *what)
{
	ssize_t n = read_upto(r, p, len);

	if (n < 0)
		return (int)n;
	if ((size_t)n < len)
		return fail(r, -EPIPE, "truncated stream: input ends at byte %"
			    PRIu64 ", in %s", r->bytes, what);
	return 0;
}

int mig_reader_open(struct mig_reader **rp, int fd)
{
	uint8_t h[MIG_FILE_HEADER_SIZE];
	struct mig_reader *r = calloc(1, sizeof(*r));
	uint32_t version, flags;
	int ret;

	*rp = r;
	if (!r)
		return -ENOMEM;
	r->fd = fd;
	r->state = R_RECORD;
	ret = read_exact(r, h, sizeof(h), "the file header");
	if (ret)
		return ret;
	if (memcmp(h + FILE_OFF_MAGIC, MIG_FILE_MAGIC, 8))
		return fail(r, -EPROTO, "not a Kiln stream (bad magic)");
	if (wire_get32(h + FILE_OFF_CRC) != crc32c(h, FILE_OFF_CRC))
		return fail(r, -EBADMSG, "stream file header is corrupt "
			    "(checksum mismatch)");
	version = wire_get32(h + FILE_OFF_VERSION);
	if (version != MIG_FORMAT_VERSION)
		return fail(r, -EPROTONOSUPPORT, "stream format version %" PRIu32
			    ", this Kiln reads version %u", version,
			    MIG_FORMAT_VERSION);
	flags = wire_get32(h + FILE_OFF_FLAGS);
	if (flags)
		return fail(r, -EPROTONOSUPPORT, "stream has unknown flags 0x%"
			    PRIx32, flags);
	if (wire_get64(h + FILE_OFF_RESERVED))
		return fail(r, -EPROTONOSUPPORT, "stream header's reserved "
			    "field is set");
	return 0;
}

/* Reads the 4-byte trailer of the current record and compares checksums.
 * The caller moves the state on. */
static int finish_payload(struct mig_reader *r)
{
	uint8_t t[MIG_RECORD_TRAILER_SIZE];
	int ret = read_exact(r, t, sizeof(t), "a record's checksum trailer");

	if (ret)
		return ret;
	if (wire_get32(t) != r->crc)
		return fail(r, -EBADMSG, "record '%s' instance %" PRIu32
			    " at byte %" PRIu64 ": payload checksum mismatch",
			    r->cur.name, r->cur.instance, r->cur.offset);
	return 0;
}

int mig_next_record(struct mig_reader *r, struct mig_record_info *info,
		    bool *is_end)
{
	uint8_t h[MIG_RECORD_HEADER_SIZE];
	struct mig_record_info rec = { 0 };
	ssize_t n;

	memset(info, 0, sizeof(*info));
	*is_end = false;
	if (r->err)
		return r->err;
	if (r->state == R_ENDED)
		return say(r, -EINVAL, "stream already ended");
	if (r->state == R_PAYLOAD)
		return say(r, -EINVAL, "payload of record '%s' not consumed",
			   r->cur.name);

	rec.offset = r->bytes;
	n = read_upto(r, h, sizeof(h));
	if (n < 0)
		return (int)n;
	if (n == 0)
		return fail(r, -EPIPE, "truncated stream: input ends at byte %"
			    PRIu64 " without an end record", r->bytes);
	if ((size_t)n < sizeof(h))
		return fail(r, -EPIPE, "truncated stream: input ends at byte %"
			    PRIu64 ", in a record header", r->bytes);
	if (memcmp(h + REC_OFF_MAGIC, MIG_RECORD_MAGIC, 4))
		return fail(r, -EPROTO, "bad record magic at byte %" PRIu64,
			    rec.offset);
	if (wire_get32(h + REC_OFF_CRC) != crc32c(h, REC_OFF_CRC))
		return fail(r, -EBADMSG, "record header at byte %" PRIu64
			    " is corrupt (checksum mismatch)", rec.offset);
	if (!wire_name_valid(h + REC_OFF_NAME))
		return fail(r, -EPROTO, "record at byte %" PRIu64 " has an "
			    "invalid section name", rec.offset);
	memcpy(rec.name, h + REC_OFF_NAME, MIG_NAME_SIZE);
	rec.version = wire_get32(h + REC_OFF_VERSION);
	rec.instance = wire_get32(h + REC_OFF_INSTANCE);
	rec.len = wire_get64(h + REC_OFF_LEN);
	r->cur = rec;
	r->left = rec.len;
	r->crc = 0;

	if (!strcmp(rec.name, MIG_END_NAME)) {
		int ret;
		if (rec.len || rec.version || rec.instance)
			return fail(r, -EPROTO, "end record at byte %" PRIu64
				    " has non-zero fields", rec.offset);
		ret = finish_payload(r);
		if (ret)
			return ret;
		r->state = R_ENDED;
		*is_end = true;
	} else {
		r->state = R_PAYLOAD;
	}
	*info = rec;
	return 0;
}

int mig_check_record(struct mig_reader *r, const struct mig_record_info *info,
		     const char *name, uint32_t max_version, uint64_t min_len,
		     uint64_t max_len)
{
	if (strcmp(info->name, name))
		return say(r, -EPROTO, "expected record '%s', found '%s' at "
			   "byte %" PRIu64, name, info->name, info->offset);
	if (info->version > max_version)
		return say(r, -EPROTO, "record '%s' instance %" PRIu32 ": "
			   "version %" PRIu32 " is newer than this Kiln's %"
			   PRIu32, name, info->instance, info->version,
			   max_version);
	if (info->len < min_len || info->len > max_len)
		return say(r, -EPROTO, "record '%s' instance %" PRIu32 ": "
			   "payload of %" PRIu64 " bytes, expected %" PRIu64
			   "-%" PRIu64, name, info->instance, info->len,
			   min_len, max_len);
	return 0;
}

int mig_read_payload_part(struct mig_reader *r, void *buf, size_t len)
{
	int ret;

	if (r->err)
		return r->err;
	if (r->state != R_PAYLOAD)
		return say(r, -EINVAL, "no record payload to read");
	if (len > r->left)
		return say(r, -EINVAL, "record '%s': reading %zu bytes, only %"
			   PRIu64 " left", r->cur.name, len, r->left);
	if (len && !buf)
		return say(r, -EINVAL, "no buffer to read into");
	if (len) {
		ret = read_exact(r, buf, len, "a record payload");
		if (ret)
			return ret;
		r->crc = crc32c_extend(r->crc, buf, len);
		r->left -= len;
	}
	if (r->left)
		return 0;
	ret = finish_payload(r);
	if (!ret)
		r->state = R_RECORD;
	return ret;
}

int mig_read_payload(struct mig_reader *r, void *buf, uint64_t cap)
{
	if (r->err)
		return r->err;
	if (r->state != R_PAYLOAD)
		return say(r, -EINVAL, "no record payload to read");
	if (r->left > cap)
		return say(r, -EMSGSIZE, "record '%s' instance %" PRIu32 ": "
			   "payload of %" PRIu64 " bytes, at most %" PRIu64
			   " accepted", r->cur.name, r->cur.instance, r->left,
			   cap);
	return mig_read_payload_part(r, buf, (size_t)r->left);
}

int mig_skip_payload(struct mig_reader *r)
{
	uint8_t scratch[16384];
	int ret;

	if (r->err)
		return r->err;
	if (r->state != R_PAYLOAD)
		return say(r, -EINVAL, "no record payload to skip");
	do {
		size_t n = r->left < sizeof(scratch) ? (size_t)r->left
						    : sizeof(scratch);
		ret = mig_read_payload_part(r, scratch, n);
	} while (!ret && r->state == R_PAYLOAD);
	return ret;
}

uint64_t mig_payload_left(const struct mig_reader *r)
{
	return r->state == R_PAYLOAD ? r->left : 0;
}

uint64_t mig_reader_bytes(const struct mig_reader *r)
{
	return r->bytes;
}

const char *mig_error(const struct mig_reader *r)
{
	return r ? r->msg : "out of memory";
}

void mig_reader_close(struct mig_reader *r)
{
	free(r);
}
