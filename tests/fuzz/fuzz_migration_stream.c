/* libFuzzer target: the migration stream reader against hostile input. The
 * input is the stream itself (so a saved snapshot is a seed). It is read
 * the way a restore would, each payload consumed one of three ways (whole
 * into a small exact-size heap buffer, in pieces, or skipped), chosen by
 * the record's instance number, and parsed with the payload cursor.
 *
 * Checks besides ASan/UBSan: every record the reader hands out has a valid
 * name and lies inside the input; errors come with a message; the reader
 * never consumes more than the input; and a stream it accepts is
 * canonical: writing the same records again gives the same bytes. */
#include "migration/stream.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 512
#define SMALL_CAP 64

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x))                                                      \
			__builtin_trap();                                      \
	} while (0)

struct seen {
	struct mig_record_info info;
};

static int memfd_with(const uint8_t *p, size_t len)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	size_t done = 0;

	CHECK(fd >= 0);
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		CHECK(n > 0);
		done += (size_t)n;
	}
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	return fd;
}

/* Reads fields out of a payload until the cursor runs out. */
static void parse(uint8_t *p, size_t len)
{
	struct mig_buf b = mig_buf_make(p, len);
	uint8_t tmp[5];

	while (!b.overflow) {
		size_t before = b.off;
		switch (b.off % 4) {
		case 0: (void)mig_get_u64(&b); break;
		case 1: (void)mig_get_u8(&b); break;
		case 2: (void)mig_get_u16(&b); break;
		default: mig_get_bytes(&b, tmp, sizeof(tmp)); break;
		}
		CHECK(b.off <= b.len);
		CHECK(b.overflow ? b.off == before : b.off > before);
	}
	CHECK(mig_buf_end(&b) == -EPROTO);
}

static int consume_payload(struct mig_reader *r,
			   const struct mig_record_info *info)
{
	int ret;

	switch (info->instance % 3) {
	case 0: {
		uint8_t *buf = malloc(SMALL_CAP);
		CHECK(buf);
		ret = mig_read_payload(r, buf, SMALL_CAP);
		if (ret == -EMSGSIZE) {
			CHECK(info->len > SMALL_CAP);
			CHECK(mig_payload_left(r) == info->len);
			ret = mig_skip_payload(r);
		} else if (!ret) {
			parse(buf, (size_t)info->len);
		}
		free(buf);
		return ret;
	}
	case 1: {
		size_t piece = 1 + info->version % 13;
		uint8_t *buf = malloc(piece);
		CHECK(buf);
		do {
			uint64_t left = mig_payload_left(r);
			size_t n = left < piece ? (size_t)left : piece;
			ret = mig_read_payload_part(r, buf, n);
			if (!ret && n)
				parse(buf, n);
		} while (!ret && mig_payload_left(r));
		free(buf);
		return ret;
	}
	default:
		return mig_skip_payload(r);
	}
}

/* Writes `n` records again (payloads straight from the input) and checks
 * the result equals the first `len` input bytes. */
static void check_canonical(const uint8_t *data, size_t len,
			    const struct seen *recs, unsigned int n)
{
	struct mig_writer *w;
	int fd = memfd_create("again", MFD_CLOEXEC);
	uint8_t *again;

	CHECK(fd >= 0);
	CHECK(mig_writer_open(&w, fd) == 0);
	for (unsigned int i = 0; i < n; i++) {
		const struct mig_record_info *in = &recs[i].info;
		const uint8_t *payload = data + in->offset + MIG_RECORD_HEADER_SIZE;
		CHECK(mig_write_record(w, in->name, in->version, in->instance,
				       payload, in->len) == 0);
	}
	CHECK(mig_writer_finish(w) == 0);
	CHECK(mig_writer_bytes(w) == len);
	mig_writer_close(w);
	again = malloc(len);
	CHECK(again);
	CHECK(pread(fd, again, len, 0) == (ssize_t)len);
	CHECK(!memcmp(again, data, len));
	free(again);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seen recs[MAX_RECORDS];
	struct mig_reader *r;
	unsigned int n = 0;
	bool end = false;
	int fd = memfd_with(data, size);
	int ret = mig_reader_open(&r, fd);

	CHECK(r);
	while (!ret && !end && n < MAX_RECORDS) {
		struct mig_record_info info;
		ret = mig_next_record(r, &info, &end);
		if (ret)
			break;
		size_t namelen = strnlen(info.name, sizeof(info.name));
		CHECK(namelen > 0 && namelen < sizeof(info.name));
		for (size_t i = 0; i < namelen; i++)
			CHECK(info.name[i] >= 0x20 && info.name[i] <= 0x7e);
		CHECK(info.offset + MIG_RECORD_HEADER_SIZE == mig_reader_bytes(r) ||
		      end);
		if (end)
			break;
		ret = consume_payload(r, &info);
		if (ret)
			break;
		/* Accepted: it was wholly inside the input. */
		CHECK(info.offset + MIG_RECORD_HEADER_SIZE + info.len +
			      MIG_RECORD_TRAILER_SIZE == mig_reader_bytes(r));
		recs[n++].info = info;
	}
	CHECK(mig_reader_bytes(r) <= size);
	if (ret) {
		CHECK(ret != -EINVAL); /* the harness never misuses the API */
		CHECK(mig_error(r)[0] != '\0');
	} else if (end) {
		check_canonical(data, (size_t)mig_reader_bytes(r), recs, n);
	}
	mig_reader_close(r);
	close(fd);
	return 0;
}
