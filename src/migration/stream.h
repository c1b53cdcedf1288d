/* The stream format of snapshots and live migration: a pure library that
 * knows nothing about VMs, only about framing bytes on a file descriptor.
 *
 * Layout (all integers little-endian):
 *
 *   file header, 28 bytes:
 *     [0]  char magic[8]     "KILNSTRM"
 *     [8]  u32  version      MIG_FORMAT_VERSION (1)
 *     [12] u32  flags        none defined in version 1: must be 0
 *     [16] u64  reserved     must be 0
 *     [24] u32  header_crc   crc32c of bytes [0, 24)
 *
 *   then records, each:
 *     record header, 48 bytes:
 *       [0]  char magic[4]   "KREC"
 *       [4]  char name[24]   section name: 1-23 printable ASCII characters
 *                            (0x20-0x7e), then NUL padding to 24 bytes
 *       [28] u32  version    the section's own format version
 *       [32] u32  instance   which instance of that section (device id)
 *       [36] u64  length     payload bytes that follow
 *       [44] u32  header_crc crc32c of bytes [0, 44)
 *     payload, `length` bytes
 *     trailer, 4 bytes: u32 crc32c of the payload (0 for an empty payload)
 *
 * The payload checksum sits in a trailer, not in the header, so that a
 * writer can stream a payload it never holds in memory (guest RAM) and
 * checksum it on the way. The last record is named "end", version 0,
 * instance 0, with an empty payload; a stream that stops before it is
 * truncated. The reader never reads past the end record's trailer, so the
 * same fd can carry more after the stream.
 *
 * Every function that can fail returns 0 or -errno and leaves a one-line
 * message in the reader or writer (mig_error / mig_writer_error). After an
 * error about the stream itself (I/O, corruption, truncation) the object is
 * failed for good: every later call returns the same error. Errors about
 * the caller's own arguments (-EINVAL, and -EMSGSIZE from
 * mig_read_payload) change nothing and the caller may go on.
 *
 * The fd belongs to the caller (neither side closes it) and should be
 * blocking; an SO_RCVTIMEO/SO_SNDTIMEO timeout surfaces as -EAGAIN.
 */
#ifndef KILN_MIGRATION_STREAM_H
#define KILN_MIGRATION_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIG_FORMAT_VERSION 1u
#define MIG_FILE_MAGIC "KILNSTRM"
#define MIG_FILE_HEADER_SIZE 28u
#define MIG_RECORD_MAGIC "KREC"
#define MIG_RECORD_HEADER_SIZE 48u
#define MIG_RECORD_TRAILER_SIZE 4u
#define MIG_NAME_SIZE 24u /* on the wire, with at least one NUL */
#define MIG_END_NAME "end"

#define MIG_MUST_CHECK __attribute__((warn_unused_result))

/* ---- writing ---- */

struct mig_writer;

/* A buffered writer over `fd` (file, pipe or socket). Retries partial
 * writes and EINTR; never raises SIGPIPE on a socket whose peer left. The
 * file header goes out with the first flush. */
int mig_writer_open(struct mig_writer **w, int fd) MIG_MUST_CHECK;

/* One whole record from memory. `name` as in the layout above, not "end". */
int mig_write_record(struct mig_writer *w, const char *name, uint32_t version,
		     uint32_t instance, const void *payload,
		     uint64_t len) MIG_MUST_CHECK;

/* One record written in pieces: begin with its total length, then
 * mig_write_payload exactly `len` bytes in all (more is -EINVAL), then
 * mig_end_record (before all `len` bytes: -EINVAL) writes the trailer. */
int mig_begin_record(struct mig_writer *w, const char *name, uint32_t version,
		     uint32_t instance, uint64_t len) MIG_MUST_CHECK;
int mig_write_payload(struct mig_writer *w, const void *data,
		      size_t len) MIG_MUST_CHECK;
int mig_end_record(struct mig_writer *w) MIG_MUST_CHECK;

/* Writes the "end" record and flushes everything to the fd. */
int mig_writer_finish(struct mig_writer *w) MIG_MUST_CHECK;

/* Frees the writer (without flushing: call mig_writer_finish first). */
void mig_writer_close(struct mig_writer *w);

/* Stream bytes produced so far, buffered ones included. */
uint64_t mig_writer_bytes(const struct mig_writer *w);

/* Pace the writer (a bandwidth limit): from now on it hands the fd at most
 * MIG_PACE_PIECE bytes at a time and calls pace(ctx, n) after each piece
 * of n bytes went out; pace may sleep. NULL: no pacing. */
#define MIG_PACE_PIECE (64u * 1024)
void mig_writer_set_pace(struct mig_writer *w,
			 void (*pace)(void *ctx, size_t bytes), void *ctx);

/* The last error as one line, or "" if none. */
const char *mig_writer_error(const struct mig_writer *w);

/* ---- reading ---- */

struct mig_reader;

struct mig_record_info {
	char name[MIG_NAME_SIZE]; /* NUL-terminated, printable */
	uint32_t version;
	uint32_t instance;
	uint64_t len;    /* payload length as the header states it */
	uint64_t offset; /* stream offset of the record header */
};

/* Reads and checks the file header: bad magic -EPROTO, checksum -EBADMSG,
 * unknown format version or flags -EPROTONOSUPPORT, short -EPIPE. On
 * error *r is still set (for mig_error) and must be closed; only for
 * -ENOMEM is it NULL (mig_error(NULL) then says so). */
int mig_reader_open(struct mig_reader **r, int fd) MIG_MUST_CHECK;

/* Reads the next record header into *info; *is_end is true at "end" (and
 * the stream is then complete: further calls are -EINVAL). Otherwise the
 * caller must consume the payload, even an empty one, with exactly one of
 * mig_read_payload, mig_read_payload_part (until all of it is read) or
 * mig_skip_payload before the next call (else -EINVAL).
 * Errors: bad magic or name -EPROTO, header checksum -EBADMSG, end of
 * input (here or anywhere later) -EPIPE "truncated stream". */
int mig_next_record(struct mig_reader *r, struct mig_record_info *info,
		    bool *is_end) MIG_MUST_CHECK;

/* Checks a record against what the caller accepts: its name, a version no
 * newer than `max_version`, a length in [min_len, max_len]. -EPROTO with a
 * message naming the section if not. Sets only the message; the reader
 * itself is not failed (the caller decides). */
int mig_check_record(struct mig_reader *r, const struct mig_record_info *info,
		     const char *name, uint32_t max_version, uint64_t min_len,
		     uint64_t max_len) MIG_MUST_CHECK;

/* The whole payload into buf[0, len): -EMSGSIZE if len > cap (nothing read,
 * the record stays unread); -EBADMSG on a checksum mismatch (buf then holds
 * the corrupt bytes: do not use them). */
int mig_read_payload(struct mig_reader *r, void *buf,
		     uint64_t cap) MIG_MUST_CHECK;

/* The next `len` bytes of the payload (more than remain is -EINVAL). The
 * checksum is checked when the last byte is read: until that call returns
 * 0, everything read so far is unverified. len 0 on an empty payload
 * finishes it. */
int mig_read_payload_part(struct mig_reader *r, void *buf,
			  size_t len) MIG_MUST_CHECK;

/* Reads and discards the rest of the payload (checksum still checked). */
int mig_skip_payload(struct mig_reader *r) MIG_MUST_CHECK;

/* Payload bytes of the current record not read yet. */
uint64_t mig_payload_left(const struct mig_reader *r);

/* Stream bytes consumed so far. */
uint64_t mig_reader_bytes(const struct mig_reader *r);

const char *mig_error(const struct mig_reader *r);

/* Frees the reader; the fd stays open. */
void mig_reader_close(struct mig_reader *r);

/* ---- building and parsing payloads ----
 *
 * A bounded cursor over a caller's buffer. put_* and get_* never touch a
 * byte outside [p, p + len): one that does not fit sets `overflow`, writes
 * nothing, and from then on every put is ignored and every get returns 0
 * (get_bytes zero-fills). So device code reads a whole struct with plain
 * calls and checks once at the end:
 *
 *	struct mig_buf b = mig_buf_make(payload, len);
 *	s->ctrl = mig_get_u32(&b);
 *	...
 *	if (mig_buf_end(&b)) return -EPROTO;   (short, or bytes left over)
 */
struct mig_buf {
	uint8_t *p;
	size_t len, off;
	bool overflow;
};

static inline struct mig_buf mig_buf_make(void *p, size_t len)
{
	return (struct mig_buf){ .p = p, .len = len, .off = 0,
				 .overflow = false };
}

void mig_put_u8(struct mig_buf *b, uint8_t v);
void mig_put_u16(struct mig_buf *b, uint16_t v);
void mig_put_u32(struct mig_buf *b, uint32_t v);
void mig_put_u64(struct mig_buf *b, uint64_t v);
void mig_put_bytes(struct mig_buf *b, const void *src, size_t n);

uint8_t mig_get_u8(struct mig_buf *b);
uint16_t mig_get_u16(struct mig_buf *b);
uint32_t mig_get_u32(struct mig_buf *b);
uint64_t mig_get_u64(struct mig_buf *b);
void mig_get_bytes(struct mig_buf *b, void *dst, size_t n);

/* 0, or -EOVERFLOW if anything did not fit. */
int mig_buf_status(const struct mig_buf *b) MIG_MUST_CHECK;

/* For parsing: 0 only if nothing overflowed and every byte was consumed;
 * -EPROTO otherwise. */
int mig_buf_end(const struct mig_buf *b) MIG_MUST_CHECK;

#endif
