/* The migration stream format: round trips over a pipe and a socket (with
 * partial reads and writes, EINTR), the documented byte layout, and that a
 * reader refuses every corrupt, truncated, wrong-version or hostile stream
 * with the right error and a message. ASan checks that no refusal reads or
 * writes outside a buffer. */
#include "migration/crc32c.h"
#include "migration/stream.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- helpers ---- */

struct bytes {
	uint8_t *p;
	size_t len;
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int memfd_with(const uint8_t *p, size_t len)
{
	int fd = memfd_create("stream", 0);
	assert_true(fd >= 0);
	if (len)
		assert_int_equal(write(fd, p, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static struct bytes memfd_contents(int fd)
{
	struct bytes b;
	off_t end = lseek(fd, 0, SEEK_END);
	assert_true(end >= 0);
	b.len = (size_t)end;
	b.p = malloc(b.len ? b.len : 1);
	assert_non_null(b.p);
	assert_int_equal(pread(fd, b.p, b.len, 0), (ssize_t)b.len);
	return b;
}

static uint8_t pattern(uint64_t off, uint32_t seed)
{
	uint64_t x = (off + seed) * 0x9E3779B97F4A7C15ull;
	return (uint8_t)(x >> 56);
}

/* The small stream most refusal tests corrupt: three records of different
 * shapes (one streamed in pieces, one empty) and the end record. */
static struct bytes small_stream(void)
{
	struct mig_writer *w;
	uint8_t vcpu[16], ram[100];
	int fd = memfd_create("small", 0);
	struct bytes b;

	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(vcpu); i++)
		vcpu[i] = (uint8_t)(0xa0 + i);
	for (size_t i = 0; i < sizeof(ram); i++)
		ram[i] = pattern(i, 7);
	assert_int_equal(mig_writer_open(&w, fd), 0);
	assert_int_equal(mig_write_record(w, "vcpu", 1, 0, vcpu, sizeof(vcpu)), 0);
	assert_int_equal(mig_begin_record(w, "ram", 2, 0, sizeof(ram)), 0);
	assert_int_equal(mig_write_payload(w, ram, 30), 0);
	assert_int_equal(mig_write_payload(w, ram + 30, 70), 0);
	assert_int_equal(mig_end_record(w), 0);
	assert_int_equal(mig_write_record(w, "virtio-blk", 1, 3, NULL, 0), 0);
	assert_int_equal(mig_writer_finish(w), 0);
	b = memfd_contents(fd);
	assert_int_equal(mig_writer_bytes(w), b.len);
	mig_writer_close(w);
	close(fd);
	return b;
}

/* Offsets in small_stream(). */
#define FILE_HDR 28
#define REC_HDR 48
#define OFF_VCPU FILE_HDR
#define OFF_RAM (OFF_VCPU + REC_HDR + 16 + 4)
#define OFF_BLK (OFF_RAM + REC_HDR + 100 + 4)
#define OFF_END (OFF_BLK + REC_HDR + 0 + 4)
#define SMALL_LEN (OFF_END + REC_HDR + 4)

/* Reads a whole stream the way a restore would, payloads up to 4 KiB into a
 * heap buffer of exactly that size. Returns 0 at the end record or the
 * first error; the reader's message goes to msg. */
static int consume(const uint8_t *p, size_t len, char *msg, size_t msglen,
		   unsigned int *records)
{
	struct mig_reader *r;
	int fd = memfd_with(p, len);
	uint8_t *buf = malloc(4096);
	unsigned int n = 0;
	int ret;

	assert_non_null(buf);
	ret = mig_reader_open(&r, fd);
	while (!ret) {
		struct mig_record_info info;
		bool end;
		ret = mig_next_record(r, &info, &end);
		if (ret || end)
			break;
		n++;
		/* Alternate the three ways to consume a payload. */
		if (n % 3 == 0) {
			ret = mig_skip_payload(r);
		} else if (n % 3 == 1 || info.len > 4096) {
			ret = mig_read_payload(r, buf, 4096);
		} else {
			size_t off = 0;
			do {
				size_t k = info.len - off < 7 ? info.len - off : 7;
				ret = mig_read_payload_part(r, buf + off, k);
				off += k;
			} while (!ret && off < info.len);
		}
	}
	if (msg)
		snprintf(msg, msglen, "%s", mig_error(r));
	if (ret) {
		/* A failed reader stays failed, whatever is asked next. */
		struct mig_record_info info;
		bool end;
		if (ret != -EMSGSIZE && ret != -EINVAL) {
			assert_int_equal(mig_next_record(r, &info, &end), ret);
			assert_int_equal(mig_skip_payload(r), ret);
		}
		assert_true(strlen(mig_error(r)) > 0);
	}
	if (records)
		*records = n;
	mig_reader_close(r);
	free(buf);
	close(fd);
	return ret;
}

static int consume_msg(const struct bytes *b, char *msg, size_t msglen)
{
	return consume(b->p, b->len, msg, msglen, NULL);
}

static void recrc_file_header(uint8_t *p)
{
	put32(p + 24, crc32c(p, 24));
}

static void recrc_record_header(uint8_t *p)
{
	put32(p + 44, crc32c(p, 44));
}

/* ---- CRC32C ---- */

static void test_crc32c_vectors(void **state)
{
	uint8_t zeros[32] = { 0 }, ones[32], inc[32], buf[1024 + 16];

	assert_int_equal(crc32c("123456789", 9), 0xE3069283u);
	assert_int_equal(crc32c("", 0), 0);
	/* RFC 3720 B.4 test vectors. */
	memset(ones, 0xff, sizeof(ones));
	for (int i = 0; i < 32; i++)
		inc[i] = (uint8_t)i;
	assert_int_equal(crc32c(zeros, 32), 0x8A9136AAu);
	assert_int_equal(crc32c(ones, 32), 0x62A8AB43u);
	assert_int_equal(crc32c(inc, 32), 0x46DD794Eu);
	assert_int_equal(crc32c_extend_table(0, inc, 32), 0x46DD794Eu);
	assert_int_equal(crc32c_extend_table(0, zeros, 32), 0x8A9136AAu);
	assert_int_equal(crc32c_extend_table(0, ones, 32), 0x62A8AB43u);
	assert_int_equal(crc32c_extend_table(0, "123456789", 9), 0xE3069283u);

	/* The fast path agrees with the table at every alignment and length,
	 * and extending in two pieces equals one pass. */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i, 1);
	for (size_t a = 0; a < 8; a++)
		for (size_t len = 0; len < 64; len++) {
			uint32_t t = crc32c_extend_table(0, buf + a, len);
			assert_int_equal(crc32c(buf + a, len), t);
			for (size_t s = 0; s <= len; s += 5)
				assert_int_equal(crc32c_extend(crc32c(buf + a, s),
							       buf + a + s, len - s), t);
		}
	assert_int_equal(crc32c(buf + 3, 1024), crc32c_extend_table(0, buf + 3, 1024));
}

/* ---- layout ---- */

static void test_layout_matches_documentation(void **state)
{
	struct bytes b = small_stream();
	const uint8_t *v = b.p + OFF_VCPU, *e = b.p + OFF_END;

	assert_int_equal(b.len, SMALL_LEN);
	assert_memory_equal(b.p, "KILNSTRM", 8);
	assert_int_equal(get32(b.p + 8), 1);
	assert_int_equal(get32(b.p + 12), 0);
	assert_int_equal(get32(b.p + 16) | get32(b.p + 20), 0);
	assert_int_equal(get32(b.p + 24), crc32c(b.p, 24));

	assert_memory_equal(v, "KREC", 4);
	assert_memory_equal(v + 4, "vcpu\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24);
	assert_int_equal(get32(v + 28), 1);
	assert_int_equal(get32(v + 32), 0);
	assert_int_equal(get32(v + 36), 16);
	assert_int_equal(get32(v + 40), 0);
	assert_int_equal(get32(v + 44), crc32c(v, 44));
	assert_int_equal(v[48], 0xa0);
	assert_int_equal(get32(v + 48 + 16), crc32c(v + 48, 16));

	assert_int_equal(get32(b.p + OFF_BLK + 32), 3);
	assert_int_equal(get32(b.p + OFF_BLK + 48), 0); /* empty payload crc */

	assert_memory_equal(e + 4, "end", 4);
	assert_int_equal(get32(e + 36) | get32(e + 40), 0);
	assert_int_equal(get32(e + 48), 0);
	free(b.p);
}

static void test_small_stream_reads_back(void **state)
{
	struct bytes b = small_stream();
	struct mig_reader *r;
	struct mig_record_info info;
	uint8_t buf[100];
	bool end;
	int fd = memfd_with(b.p, b.len);

	assert_int_equal(mig_reader_open(&r, fd), 0);
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_false(end);
	assert_string_equal(info.name, "vcpu");
	assert_int_equal(info.version, 1);
	assert_int_equal(info.len, 16);
	assert_int_equal(info.offset, OFF_VCPU);
	assert_int_equal(mig_check_record(r, &info, "vcpu", 1, 16, 16), 0);
	assert_int_equal(mig_read_payload(r, buf, 16), 0);
	assert_int_equal(buf[15], 0xaf);

	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_string_equal(info.name, "ram");
	assert_int_equal(info.version, 2);
	assert_int_equal(mig_payload_left(r), 100);
	assert_int_equal(mig_read_payload_part(r, buf, 1), 0);
	assert_int_equal(mig_payload_left(r), 99);
	assert_int_equal(mig_read_payload(r, buf + 1, 99), 0);
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(buf[i], pattern(i, 7));

	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_string_equal(info.name, "virtio-blk");
	assert_int_equal(info.instance, 3);
	assert_int_equal(info.len, 0);
	assert_int_equal(mig_read_payload_part(r, NULL, 0), 0);

	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_true(end);
	assert_int_equal(mig_reader_bytes(r), b.len);
	/* Nothing after the end. */
	assert_int_equal(mig_next_record(r, &info, &end), -EINVAL);
	mig_reader_close(r);
	close(fd);
	free(b.p);
}

/* ---- round trips ---- */

#define BIG_LEN (8u * 1024 * 1024 + 3)
#define NR_SMALL 40

struct writer_job {
	int fd;
	int ret;
	uint64_t bytes;
	const char *trailer; /* written raw after the stream, if any */
	bool one_piece;      /* the big payload in one mig_write_payload */
	bool interrupt;      /* SIGALRM to this thread every 100 us */
};

/* A timer that signals the calling thread only, so its blocking writes get
 * interrupted too (a process-wide timer tends to hit the reader). */
static bool thread_timer(timer_t *t)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID,
				.sigev_signo = SIGALRM };
	struct itimerspec its = { .it_interval = { 0, 100000 },
				  .it_value = { 0, 100000 } };

	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, t))
		return false;
	if (timer_settime(*t, 0, &its, NULL)) {
		timer_delete(*t);
		return false;
	}
	return true;
}

static void *writer_thread(void *opaque)
{
	struct writer_job *j = opaque;
	struct mig_writer *w;
	uint8_t small[300];
	uint8_t *piece = malloc(BIG_LEN);
	timer_t timer;
	bool timing = false;
	int ret;

	ret = -ENOMEM;
	if (!piece)
		goto out;
	if (j->interrupt) {
		timing = thread_timer(&timer);
		ret = -errno;
		if (!timing)
			goto out;
	}
	ret = mig_writer_open(&w, j->fd);
	if (ret)
		goto out;
	for (unsigned int i = 0; i < NR_SMALL && !ret; i++) {
		char name[24];
		size_t len = (i * 37) % sizeof(small);
		snprintf(name, sizeof(name), "dev%u", i);
		for (size_t k = 0; k < len; k++)
			small[k] = pattern(k, i);
		ret = mig_write_record(w, name, i, i * 2, small, len);
		if (!ret && i == NR_SMALL / 2) {
			/* The big one, generated piece by piece. */
			for (uint64_t k = 0; k < BIG_LEN; k++)
				piece[k] = pattern(k, 99);
			ret = mig_begin_record(w, "ram", 1, 0, BIG_LEN);
			if (j->one_piece) {
				if (!ret)
					ret = mig_write_payload(w, piece, BIG_LEN);
			} else {
				for (uint64_t off = 0; off < BIG_LEN && !ret;) {
					size_t n = BIG_LEN - off < 65537 ? BIG_LEN - off : 65537;
					if (off == 0)
						n = 5; /* a small piece into the buffer first */
					ret = mig_write_payload(w, piece + off, n);
					off += n;
				}
			}
			if (!ret)
				ret = mig_end_record(w);
		}
	}
	if (!ret)
		ret = mig_writer_finish(w);
	j->bytes = mig_writer_bytes(w);
	mig_writer_close(w);
	if (!ret && j->trailer) {
		size_t n = strlen(j->trailer);
		if (write(j->fd, j->trailer, n) != (ssize_t)n)
			ret = -EIO;
	}
out:
	if (timing)
		timer_delete(timer);
	/* Closing our end means a writer failure is a truncated stream for
	 * the reader rather than a reader blocked for ever. */
	close(j->fd);
	free(piece);
	j->ret = ret;
	return NULL;
}

/* Reads what writer_thread writes, checking every byte; returns the stream
 * bytes the reader consumed. */
static uint64_t read_round_trip(int fd, struct writer_job *j, size_t big_piece)
{
	struct mig_reader *r;
	struct mig_record_info info;
	uint8_t small[300];
	uint8_t *big = malloc(BIG_LEN);
	unsigned int seen_small = 0;
	bool end = false, seen_big = false;

	assert_non_null(big);
	assert_int_equal(mig_reader_open(&r, fd), 0);
	while (!end) {
		assert_int_equal(mig_next_record(r, &info, &end), 0);
		if (end)
			break;
		if (!strcmp(info.name, "ram")) {
			assert_int_equal(info.len, BIG_LEN);
			for (uint64_t off = 0; off < BIG_LEN;) {
				size_t n = BIG_LEN - off < big_piece ? BIG_LEN - off : big_piece;
				assert_int_equal(mig_read_payload_part(r, big + off, n), 0);
				off += n;
			}
			for (uint64_t k = 0; k < BIG_LEN; k++)
				if (big[k] != pattern(k, 99))
					fail_msg("big payload differs at %llu",
						 (unsigned long long)k);
			seen_big = true;
			continue;
		}
		char name[24];
		unsigned int i = seen_small++;
		snprintf(name, sizeof(name), "dev%u", i);
		assert_string_equal(info.name, name);
		assert_int_equal(info.version, i);
		assert_int_equal(info.instance, i * 2);
		assert_int_equal(info.len, (i * 37) % sizeof(small));
		assert_int_equal(mig_read_payload(r, small, sizeof(small)), 0);
		for (size_t k = 0; k < info.len; k++)
			assert_int_equal(small[k], pattern(k, i));
	}
	assert_int_equal(seen_small, NR_SMALL);
	assert_true(seen_big);
	if (j->trailer) {
		/* The reader stopped exactly after the end record. */
		char after[16] = { 0 };
		size_t n = strlen(j->trailer), got = 0;
		while (got < n) {
			ssize_t k = read(fd, after + got, n - got);
			assert_true(k > 0);
			got += (size_t)k;
		}
		assert_string_equal(after, j->trailer);
	}
	uint64_t consumed = mig_reader_bytes(r);
	free(big);
	mig_reader_close(r);
	return consumed;
}

static void test_round_trip_pipe(void **state)
{
	int p[2];
	pthread_t t;
	struct writer_job j = { .trailer = "AFTER" };
	uint64_t consumed;

	assert_int_equal(pipe(p), 0);
	j.fd = p[1];
	assert_int_equal(pthread_create(&t, NULL, writer_thread, &j), 0);
	consumed = read_round_trip(p[0], &j, 100003);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(j.ret, 0);
	assert_true(j.bytes > BIG_LEN);
	assert_int_equal(consumed, j.bytes);
	close(p[0]);
}

static atomic_int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	atomic_fetch_add(&alarms, 1);
}

/* A socket with small buffers, and timer signals every 100 us to both
 * threads with a handler installed without SA_RESTART: reads and writes
 * come back short or with EINTR. */
static void test_round_trip_socket_interrupted(void **state)
{
	int sv[2], small = 4096;
	pthread_t t;
	struct writer_job j = { .one_piece = true, .interrupt = true };
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { .it_interval = { 0, 100 }, .it_value = { 0, 100 } };
	struct itimerval off = { 0 };

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	atomic_store(&alarms, 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);

	j.fd = sv[1];
	assert_int_equal(pthread_create(&t, NULL, writer_thread, &j), 0);
	/* The big payload in one read call. */
	uint64_t consumed = read_round_trip(sv[0], &j, BIG_LEN);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(consumed, j.bytes);

	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	assert_int_equal(j.ret, 0);
	assert_true(atomic_load(&alarms) > 0);
	close(sv[0]);
}

/* ---- refusals ---- */

static void test_file_header_every_bit_flipped(void **state)
{
	struct bytes b = small_stream();
	char msg[256];

	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), 0);
	for (size_t i = 0; i < FILE_HDR; i++)
		for (int bit = 0; bit < 8; bit++) {
			b.p[i] ^= (uint8_t)(1u << bit);
			int ret = consume_msg(&b, msg, sizeof(msg));
			b.p[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(ret, i < 8 ? -EPROTO : -EBADMSG);
		}
	for (size_t i = 0; i < FILE_HDR; i++) {
		b.p[i] ^= 0xff;
		assert_true(consume_msg(&b, NULL, 0) < 0);
		b.p[i] ^= 0xff;
	}
	free(b.p);
}

static void test_record_headers_every_bit_flipped(void **state)
{
	static const size_t recs[] = { OFF_VCPU, OFF_RAM, OFF_BLK, OFF_END };
	struct bytes b = small_stream();
	char msg[256];

	for (size_t k = 0; k < 4; k++)
		for (size_t i = 0; i < REC_HDR; i++)
			for (int bit = 0; bit < 8; bit++) {
				uint8_t *p = b.p + recs[k] + i;
				*p ^= (uint8_t)(1u << bit);
				int ret = consume_msg(&b, msg, sizeof(msg));
				*p ^= (uint8_t)(1u << bit);
				if (i < 4) {
					assert_int_equal(ret, -EPROTO);
					assert_non_null(strstr(msg, "magic"));
				} else {
					assert_int_equal(ret, -EBADMSG);
					assert_non_null(strstr(msg, "checksum"));
				}
			}
	free(b.p);
}

static void test_payload_and_trailer_flips_fail_checksum(void **state)
{
	struct bytes b = small_stream();
	char msg[256];
	/* Every payload byte and every trailer byte of the three records. */
	static const struct { size_t off, len; } spans[] = {
		{ OFF_VCPU + REC_HDR, 16 + 4 },
		{ OFF_RAM + REC_HDR, 100 + 4 },
		{ OFF_BLK + REC_HDR, 4 },
		{ OFF_END + REC_HDR, 4 },
	};

	for (size_t s = 0; s < 4; s++)
		for (size_t i = 0; i < spans[s].len; i++) {
			uint8_t *p = b.p + spans[s].off + i;
			*p ^= 0x10;
			int ret = consume_msg(&b, msg, sizeof(msg));
			*p ^= 0x10;
			assert_int_equal(ret, -EBADMSG);
			assert_non_null(strstr(msg, "payload checksum mismatch"));
		}
	free(b.p);
}

static void test_truncated_at_every_offset(void **state)
{
	struct bytes b = small_stream();
	char msg[256];

	for (size_t len = 0; len < b.len; len++) {
		int ret = consume(b.p, len, msg, sizeof(msg), NULL);
		assert_int_equal(ret, -EPIPE);
		assert_non_null(strstr(msg, "truncated stream"));
	}
	assert_int_equal(consume(b.p, b.len, msg, sizeof(msg), NULL), 0);
	free(b.p);
}

static void test_missing_end_record(void **state)
{
	struct bytes b = small_stream();
	char msg[256];
	unsigned int n;

	assert_int_equal(consume(b.p, OFF_END, msg, sizeof(msg), &n), -EPIPE);
	assert_int_equal(n, 3); /* every record before it was read */
	assert_non_null(strstr(msg, "without an end record"));
	free(b.p);
}

static void test_wrong_version_flags_reserved(void **state)
{
	struct bytes b = small_stream();
	char msg[256];

	put32(b.p + 8, 2);
	recrc_file_header(b.p);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), -EPROTONOSUPPORT);
	assert_non_null(strstr(msg, "version 2"));

	put32(b.p + 8, 0);
	recrc_file_header(b.p);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), -EPROTONOSUPPORT);

	put32(b.p + 8, 1);
	put32(b.p + 12, 0x4);
	recrc_file_header(b.p);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), -EPROTONOSUPPORT);
	assert_non_null(strstr(msg, "flags"));

	put32(b.p + 12, 0);
	put64(b.p + 16, 1ull << 63);
	recrc_file_header(b.p);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), -EPROTONOSUPPORT);

	put64(b.p + 16, 0);
	recrc_file_header(b.p);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), 0);
	free(b.p);
}

static void test_zero_and_foreign_magic(void **state)
{
	struct bytes b = small_stream();
	char msg[256];

	memset(b.p, 0, 8);
	recrc_file_header(b.p);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "not a Kiln stream"));
	memcpy(b.p, "KILNSTRM", 8);
	recrc_file_header(b.p);

	memset(b.p + OFF_RAM, 0, 4);
	recrc_record_header(b.p + OFF_RAM);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "bad record magic"));

	/* An all-zero stream of plausible length. */
	memset(b.p, 0, b.len);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), -EPROTO);
	free(b.p);
}

static void test_bad_names_refused(void **state)
{
	static const char *names[] = {
		"",                           /* empty */
		"vc\x01u",                    /* control character */
		"vc\x7fu",                    /* DEL */
		"vc\x80u",                    /* not ASCII */
		"abcdefghijklmnopqrstuvwx",   /* 24 characters, no NUL */
	};
	struct bytes b = small_stream();
	char msg[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t *h = b.p + OFF_VCPU;
		memset(h + 4, 0, 24);
		memcpy(h + 4, names[i], strlen(names[i]));
		recrc_record_header(h);
		assert_int_equal(consume_msg(&b, msg, sizeof(msg)), -EPROTO);
		assert_non_null(strstr(msg, "invalid section name"));
	}
	/* Bytes after the terminating NUL. */
	memset(b.p + OFF_VCPU + 4, 0, 24);
	memcpy(b.p + OFF_VCPU + 4, "vcpu\0x", 6);
	recrc_record_header(b.p + OFF_VCPU);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), -EPROTO);
	/* 23 characters and a NUL is the longest good name. */
	memcpy(b.p + OFF_VCPU + 4, "abcdefghijklmnopqrstuvw", 24);
	recrc_record_header(b.p + OFF_VCPU);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), 0);
	free(b.p);
}

static void test_end_record_must_be_empty(void **state)
{
	struct bytes b = small_stream();
	char msg[256];

	put64(b.p + OFF_END + 36, 4);
	recrc_record_header(b.p + OFF_END);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), -EPROTO);
	put64(b.p + OFF_END + 36, 0);
	put32(b.p + OFF_END + 32, 1); /* instance */
	recrc_record_header(b.p + OFF_END);
	assert_int_equal(consume_msg(&b, msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "end record"));
	free(b.p);
}

static void test_oversized_payload_vs_cap(void **state)
{
	struct bytes b = small_stream();
	struct mig_reader *r;
	struct mig_record_info info;
	uint8_t *buf = malloc(16); /* exactly the vcpu payload */
	bool end;
	int fd = memfd_with(b.p, b.len);

	assert_int_equal(mig_reader_open(&r, fd), 0);
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_int_equal(mig_read_payload(r, buf, 16), 0);
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_string_equal(info.name, "ram");
	uint64_t before = mig_reader_bytes(r);
	/* 100 bytes do not fit a 16-byte buffer: refused, nothing read. */
	assert_int_equal(mig_read_payload(r, buf, 16), -EMSGSIZE);
	assert_non_null(strstr(mig_error(r), "at most 16"));
	assert_int_equal(mig_reader_bytes(r), before);
	assert_int_equal(mig_payload_left(r), 100);
	assert_int_equal(mig_check_record(r, &info, "ram", 2, 0, 16), -EPROTO);
	assert_int_equal(mig_check_record(r, &info, "ram", 1, 0, 100), -EPROTO);
	assert_non_null(strstr(mig_error(r), "newer"));
	assert_int_equal(mig_check_record(r, &info, "vcpu", 9, 0, 100), -EPROTO);
	assert_int_equal(mig_check_record(r, &info, "ram", 2, 100, 100), 0);
	/* The caller may still skip it and go on. */
	assert_int_equal(mig_skip_payload(r), 0);
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_string_equal(info.name, "virtio-blk");
	mig_reader_close(r);
	close(fd);
	free(buf);
	free(b.p);
}

/* A well-formed header claiming an enormous payload: the reader allocates
 * nothing for it, the cap refuses it, and skipping hits end of input. */
static void test_hostile_length(void **state)
{
	struct bytes b = small_stream();
	struct mig_reader *r;
	struct mig_record_info info;
	uint8_t buf[64];
	bool end;
	int fd;

	put64(b.p + OFF_VCPU + 36, UINT64_MAX);
	recrc_record_header(b.p + OFF_VCPU);
	fd = memfd_with(b.p, b.len);
	assert_int_equal(mig_reader_open(&r, fd), 0);
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_int_equal(info.len, UINT64_MAX);
	assert_int_equal(mig_read_payload(r, buf, sizeof(buf)), -EMSGSIZE);
	assert_int_equal(mig_read_payload_part(r, buf, sizeof(buf)), 0);
	assert_int_equal(mig_payload_left(r), UINT64_MAX - sizeof(buf));
	assert_int_equal(mig_skip_payload(r), -EPIPE);
	assert_non_null(strstr(mig_error(r), "truncated stream"));
	mig_reader_close(r);
	close(fd);

	/* Through consume(): refused by the 4 KiB cap. */
	assert_int_equal(consume_msg(&b, NULL, 0), -EMSGSIZE);
	free(b.p);
}

static void test_reader_misuse(void **state)
{
	struct bytes b = small_stream();
	struct mig_reader *r;
	struct mig_record_info info;
	uint8_t buf[32];
	bool end;
	int fd = memfd_with(b.p, b.len);

	assert_int_equal(mig_reader_open(&r, fd), 0);
	assert_int_equal(mig_read_payload(r, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_int_equal(mig_next_record(r, &info, &end), -EINVAL);
	assert_non_null(strstr(mig_error(r), "not consumed"));
	assert_int_equal(mig_read_payload_part(r, buf, 17), -EINVAL);
	assert_int_equal(mig_read_payload_part(r, NULL, 3), -EINVAL);
	/* None of that disturbed the stream. */
	assert_int_equal(mig_read_payload(r, buf, sizeof(buf)), 0);
	assert_int_equal(buf[0], 0xa0);
	assert_int_equal(mig_skip_payload(r), -EINVAL);
	mig_reader_close(r);
	close(fd);
	free(b.p);
}

/* ---- the writer ---- */

static void test_writer_refuses_bad_use(void **state)
{
	struct mig_writer *w;
	uint8_t data[8] = { 0 };
	int fd = memfd_create("w", 0);

	assert_true(fd >= 0);
	assert_int_equal(mig_writer_open(&w, fd), 0);
	assert_int_equal(mig_write_record(w, "", 1, 0, data, 8), -EINVAL);
	assert_int_equal(mig_write_record(w, "end", 1, 0, data, 8), -EINVAL);
	assert_int_equal(mig_write_record(w, "tab\there", 1, 0, data, 8), -EINVAL);
	assert_int_equal(mig_write_record(w, "abcdefghijklmnopqrstuvwx", 1, 0, data, 8), -EINVAL);
	assert_int_equal(mig_write_record(w, "x", 1, 0, NULL, 8), -EINVAL);
	assert_int_equal(mig_write_payload(w, data, 1), -EINVAL);
	assert_int_equal(mig_end_record(w), -EINVAL);

	assert_int_equal(mig_begin_record(w, "dev", 1, 0, 8), 0);
	assert_int_equal(mig_begin_record(w, "dev2", 1, 0, 8), -EINVAL);
	assert_int_equal(mig_write_payload(w, data, 5), 0);
	assert_int_equal(mig_write_payload(w, data, 4), -EINVAL);
	assert_int_equal(mig_end_record(w), -EINVAL);
	assert_non_null(strstr(mig_writer_error(w), "3 payload bytes"));
	assert_int_equal(mig_writer_finish(w), -EINVAL);
	assert_int_equal(mig_write_payload(w, data, 3), 0);
	assert_int_equal(mig_end_record(w), 0);
	assert_int_equal(mig_writer_finish(w), 0);
	assert_int_equal(mig_write_record(w, "late", 1, 0, data, 8), -EINVAL);
	mig_writer_close(w);

	/* The refused calls left no trace: the stream reads back clean. */
	struct bytes b = memfd_contents(fd);
	unsigned int n;
	assert_int_equal(consume(b.p, b.len, NULL, 0, &n), 0);
	assert_int_equal(n, 1);
	free(b.p);
	close(fd);
}

/* A peer that went away is -EPIPE, not a SIGPIPE that kills the process. */
static void test_writer_peer_gone(void **state)
{
	struct mig_writer *w;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[0]);
	assert_int_equal(mig_writer_open(&w, sv[1]), 0);
	assert_int_equal(mig_write_record(w, "dev", 1, 0, "abc", 3), 0);
	assert_int_equal(mig_writer_finish(w), -EPIPE);
	assert_non_null(strstr(mig_writer_error(w), "writing the stream"));
	/* Failed for good. */
	assert_int_equal(mig_write_record(w, "dev", 1, 0, "abc", 3), -EPIPE);
	mig_writer_close(w);
	close(sv[1]);
}

/* A paced writer hands the fd pieces of at most MIG_PACE_PIECE bytes and
 * reports each one that went out; together they are the whole stream,
 * which still reads back. */
struct pace_log {
	size_t calls, total, biggest;
};

static void pace_note(void *ctx, size_t bytes)
{
	struct pace_log *l = ctx;
	l->calls++;
	l->total += bytes;
	if (bytes > l->biggest)
		l->biggest = bytes;
}

static void test_writer_pace(void **state)
{
	struct mig_writer *w;
	struct pace_log log = { 0 };
	size_t big = 5 * MIG_PACE_PIECE + 123;
	uint8_t *payload = malloc(big);
	assert_non_null(payload);
	for (size_t i = 0; i < big; i++)
		payload[i] = pattern(i, 3);
	int fd = memfd_create("paced", 0);
	assert_true(fd >= 0);
	assert_int_equal(mig_writer_open(&w, fd), 0);
	mig_writer_set_pace(w, pace_note, &log);
	assert_int_equal(mig_write_record(w, "small", 1, 0, "abc", 3), 0);
	assert_int_equal(mig_write_record(w, "big", 1, 0, payload, big), 0);
	assert_int_equal(mig_writer_finish(w), 0);
	struct bytes b = memfd_contents(fd);
	assert_int_equal(log.total, b.len);
	assert_int_equal(log.biggest, MIG_PACE_PIECE);
	assert_true(log.calls >= 6);
	/* It reads back: both records, checksums intact, then the end. */
	struct mig_reader *r;
	int rfd = memfd_with(b.p, b.len);
	assert_int_equal(mig_reader_open(&r, rfd), 0);
	struct mig_record_info info;
	bool end;
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_string_equal(info.name, "small");
	assert_int_equal(mig_skip_payload(r), 0);
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_string_equal(info.name, "big");
	assert_int_equal(info.len, big);
	assert_int_equal(mig_skip_payload(r), 0);
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_true(end);
	mig_reader_close(r);
	close(rfd);
	mig_writer_close(w);
	free(b.p);
	free(payload);
	close(fd);
}

/* ---- mig_buf ---- */

static void test_buf_put_get(void **state)
{
	uint8_t *mem = malloc(15); /* exactly: ASan catches one byte more */
	struct mig_buf b = mig_buf_make(mem, 15);
	uint8_t out[4];

	mig_put_u8(&b, 0x11);
	mig_put_u16(&b, 0x2233);
	mig_put_u32(&b, 0x44556677);
	mig_put_u64(&b, 0x8899aabbccddeeffull);
	assert_int_equal(mig_buf_status(&b), 0);
	assert_int_equal(b.off, 15);
	assert_int_equal(mem[1], 0x33); /* little-endian */
	assert_int_equal(mem[3], 0x77);
	assert_int_equal(mem[14], 0x88);
	mig_put_u8(&b, 0xee);
	assert_true(b.overflow);
	assert_int_equal(mig_buf_status(&b), -EOVERFLOW);
	assert_int_equal(b.off, 15);

	b = mig_buf_make(mem, 15);
	assert_int_equal(mig_get_u8(&b), 0x11);
	assert_int_equal(mig_get_u16(&b), 0x2233);
	assert_int_equal(mig_get_u32(&b), 0x44556677);
	assert_int_equal(mig_buf_end(&b), -EPROTO); /* 8 bytes left */
	assert_int_equal(mig_get_u64(&b), 0x8899aabbccddeeffull);
	assert_int_equal(mig_buf_end(&b), 0);
	/* Past the end: zeros and a sticky overflow. */
	assert_int_equal(mig_get_u32(&b), 0);
	memset(out, 0x5a, sizeof(out));
	mig_get_bytes(&b, out, sizeof(out));
	assert_int_equal(out[0] | out[3], 0);
	assert_int_equal(mig_buf_end(&b), -EPROTO);

	/* A field straddling the end is refused whole, and later fields that
	 * would fit are refused too. */
	b = mig_buf_make(mem, 15);
	b.off = 12;
	assert_int_equal(mig_get_u32(&b), 0);
	assert_true(b.overflow);
	assert_int_equal(mig_get_u8(&b), 0);
	assert_int_equal(b.off, 12);
	b = mig_buf_make(mem, 15);
	mig_put_bytes(&b, "0123456789abcdef", 16);
	assert_true(b.overflow);
	assert_int_equal(mem[0], 0x11); /* untouched */
	b = mig_buf_make(mem, 15);
	mig_put_bytes(&b, "0123456789abcde", 15);
	assert_int_equal(mig_buf_status(&b), 0);
	b.off = 0;
	mig_get_bytes(&b, out, 4);
	assert_memory_equal(out, "0123", 4);
	/* Huge sizes do not wrap the bounds check. */
	mig_get_bytes(&b, NULL, 0);
	b.off = 4;
	mig_put_bytes(&b, mem, SIZE_MAX);
	assert_true(b.overflow);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_vectors),
		cmocka_unit_test(test_layout_matches_documentation),
		cmocka_unit_test(test_small_stream_reads_back),
		cmocka_unit_test(test_round_trip_pipe),
		cmocka_unit_test(test_round_trip_socket_interrupted),
		cmocka_unit_test(test_file_header_every_bit_flipped),
		cmocka_unit_test(test_record_headers_every_bit_flipped),
		cmocka_unit_test(test_payload_and_trailer_flips_fail_checksum),
		cmocka_unit_test(test_truncated_at_every_offset),
		cmocka_unit_test(test_missing_end_record),
		cmocka_unit_test(test_wrong_version_flags_reserved),
		cmocka_unit_test(test_zero_and_foreign_magic),
		cmocka_unit_test(test_bad_names_refused),
		cmocka_unit_test(test_end_record_must_be_empty),
		cmocka_unit_test(test_oversized_payload_vs_cap),
		cmocka_unit_test(test_hostile_length),
		cmocka_unit_test(test_reader_misuse),
		cmocka_unit_test(test_writer_refuses_bad_use),
		cmocka_unit_test(test_writer_peer_gone),
		cmocka_unit_test(test_writer_pace),
		cmocka_unit_test(test_buf_put_get),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
