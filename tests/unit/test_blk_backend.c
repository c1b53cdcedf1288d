/* The disk backends on their own: the synchronous file path (with the
 * O_DIRECT bounce buffer for unaligned requests) and the io_uring path
 * (batches, depth, short transfers at the end of a file, fallocate). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backends/blk_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <liburing.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMG_SIZE (64 * 1024)

struct fx {
	char path[64];
	int fd;
	struct blk_image img;
};

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + off / 512 + 1);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	strcpy(f->path, "/tmp/kiln-blkb-XXXXXX");
	f->fd = mkstemp(f->path);
	assert_true(f->fd >= 0);
	uint8_t buf[IMG_SIZE];
	for (unsigned int i = 0; i < IMG_SIZE; i++)
		buf[i] = pattern(i);
	assert_int_equal(pwrite(f->fd, buf, IMG_SIZE, 0), IMG_SIZE);
	char err[256];
	assert_int_equal(blk_image_open(&f->img, f->path, false, false, err,
					sizeof(err)), 0);
	assert_int_equal(f->img.size, IMG_SIZE);
	assert_int_equal(f->img.block_size, 512);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	blk_image_close(&f->img);
	close(f->fd);
	unlink(f->path);
	free(f);
	return 0;
}

static bool have_uring(void)
{
	struct io_uring ring;
	if (io_uring_queue_init(4, &ring, 0))
		return false;
	io_uring_queue_exit(&ring);
	return true;
}

/* The bounce path, as O_DIRECT with 4 KiB blocks would take it (the fd
 * itself is buffered, so any block size can be pretended). */
static void test_bounce_partial_block(void **state)
{
	struct fx *f = *state;
	f->img.direct = true;
	f->img.block_size = 4096;
	f->img.mem_align = 512;
	static uint8_t mem[8192] __attribute__((aligned(4096)));
	struct iovec iov = { mem, 4096 };
	assert_true(blk_image_aligned(&f->img, &iov, 1, 8192, 4096));
	assert_false(blk_image_aligned(&f->img, &iov, 1, 512, 4096));
	iov.iov_base = mem + 1;
	assert_false(blk_image_aligned(&f->img, &iov, 1, 8192, 4096));

	/* one sector in the middle of a block, from an odd address */
	memset(mem + 1, 0x77, 512);
	iov = (struct iovec){ mem + 1, 512 };
	assert_int_equal(blk_file_rw(&f->img, &iov, 1, 4096 + 1024, 512, true, false), 0);
	uint8_t buf[4096];
	assert_int_equal(pread(f->fd, buf, 4096, 4096), 4096);
	for (unsigned int i = 0; i < 4096; i++)
		assert_int_equal(buf[i], i >= 1024 && i < 1536 ? 0x77
							   : pattern(4096 + i));
	/* a read across a block border, two iovecs */
	memset(mem, 0, sizeof(mem));
	struct iovec two[2] = { { mem + 3, 700 }, { mem + 4000, 324 } };
	assert_int_equal(blk_file_rw(&f->img, two, 2, 8192 - 512, 1024, false, false), 0);
	for (unsigned int i = 0; i < 700; i++)
		assert_int_equal(mem[3 + i], pattern(8192 - 512 + i));
	for (unsigned int i = 0; i < 324; i++)
		assert_int_equal(mem[4000 + i], pattern(8192 - 512 + 700 + i));
}

/* A bounced request bigger than the bounce buffer's chunk, unaligned at
 * both ends and spread over three iovecs, writes and reads back whole. */
static void test_bounce_chunks(void **state)
{
	const size_t size = (3u << 20) + 8192, len = (5u << 19) + 1000;
	const uint64_t off = 512;
	char path[] = "/tmp/kiln-blkc-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	struct blk_image img;
	char err[256];
	assert_int_equal(blk_image_open(&img, path, false, false, err, sizeof(err)), 0);
	img.direct = true;
	img.block_size = 4096;
	img.mem_align = 512;
	uint8_t *src = malloc(len + 1), *dst = calloc(1, len + 1);
	assert_non_null(src);
	assert_non_null(dst);
	for (size_t i = 0; i < len; i++)
		src[1 + i] = pattern(i);
	size_t a = 700000, b = 1300000;
	struct iovec w[3] = { { src + 1, a }, { src + 1 + a, b }, { src + 1 + a + b, len - a - b } };
	assert_int_equal(blk_file_rw(&img, w, 3, off, len, true, false), 0);
	uint8_t *file = malloc(size);
	assert_non_null(file);
	assert_int_equal(pread(fd, file, size, 0), (ssize_t)size);
	for (size_t i = 0; i < off; i++)
		assert_int_equal(file[i], 0);
	assert_memory_equal(file + off, src + 1, len);
	for (size_t i = off + len; i < size; i++)
		assert_int_equal(file[i], 0);
	struct iovec r[3] = { { dst + 1, b }, { dst + 1 + b, a }, { dst + 1 + a + b, len - a - b } };
	assert_int_equal(blk_file_rw(&img, r, 3, off, len, false, false), 0);
	assert_memory_equal(dst + 1, src + 1, len);
	free(file);
	free(src);
	free(dst);
	blk_image_close(&img);
	close(fd);
	unlink(path);
}

static void test_sync_ops(void **state)
{
	struct fx *f = *state;
	uint8_t buf[1024];
	memset(buf, 0x11, sizeof(buf));
	struct iovec iov = { buf, sizeof(buf) };
	assert_int_equal(blk_file_rw(&f->img, &iov, 1, 0, sizeof(buf), true, true), 0);
	assert_int_equal(blk_file_flush(&f->img), 0);
	assert_int_equal(blk_file_write_zeroes(&f->img, 512, 512, false), 0);
	assert_int_equal(blk_file_discard(&f->img, 4096, 4096), 0);
	uint8_t back[8192];
	assert_int_equal(pread(f->fd, back, sizeof(back), 0), (ssize_t)sizeof(back));
	for (unsigned int i = 0; i < 512; i++) {
		assert_int_equal(back[i], 0x11);
		assert_int_equal(back[512 + i], 0);
		assert_int_equal(back[4096 + i], 0);
	}
	/* the image shrank under us: a read past its end fails */
	assert_int_equal(ftruncate(f->fd, 4096), 0);
	iov = (struct iovec){ buf, sizeof(buf) };
	assert_int_equal(blk_file_rw(&f->img, &iov, 1, 4096 - 512, 1024, false, false),
			 -EIO);
}

static void test_read_only(void **state)
{
	struct fx *f = *state;
	f->img.readonly = true;
	uint8_t buf[512] = { 0 };
	struct iovec iov = { buf, sizeof(buf) };
	assert_int_equal(blk_file_rw(&f->img, &iov, 1, 0, 512, true, false), -EROFS);
	assert_int_equal(blk_file_discard(&f->img, 0, 512), -EROFS);
	assert_int_equal(blk_file_write_zeroes(&f->img, 0, 512, true), -EROFS);
	if (!have_uring())
		return;
	struct blk_uring *u;
	assert_int_equal(blk_uring_create(&u, &f->img, 4), 0);
	struct blk_io io = { .op = BLK_OP_WRITE, .len = 512, .iov = &iov, .niov = 1 };
	assert_int_equal(blk_uring_queue(u, &io), -EROFS);
	assert_int_equal(blk_uring_in_flight(u), 0);
	blk_uring_destroy(u);
}

/* Wait for and collect n completions. */
static void reap_all(struct blk_uring *u, struct blk_io **done, unsigned int n)
{
	unsigned int got = 0;
	for (int tries = 0; got < n && tries < 500; tries++) {
		struct pollfd p = { .fd = blk_uring_event_fd(u), .events = POLLIN };
		(void)poll(&p, 1, 10);
		got += blk_uring_reap(u, done + got, n - got);
	}
	assert_int_equal(got, n);
}

static void test_uring_batch(void **state)
{
	struct fx *f = *state;
	if (!have_uring()) {
		print_message("skipped: io_uring unavailable\n");
		return;
	}
	struct blk_uring *u;
	assert_int_equal(blk_uring_create(&u, &f->img, 8), 0);
	static uint8_t data[8][512];
	struct iovec iov[8];
	struct blk_io io[9], *done[9];
	for (unsigned int i = 0; i < 8; i++) {
		memset(data[i], 0x30 + i, 512);
		iov[i] = (struct iovec){ data[i], 512 };
		io[i] = (struct blk_io){ .op = BLK_OP_WRITE, .off = 512ull * i * 2,
					 .len = 512, .iov = &iov[i], .niov = 1,
					 .dsync = i & 1 };
		assert_int_equal(blk_uring_queue(u, &io[i]), 0);
	}
	/* the ring holds 8: the ninth waits */
	io[8] = (struct blk_io){ .op = BLK_OP_FLUSH };
	assert_int_equal(blk_uring_queue(u, &io[8]), -EBUSY);
	assert_int_equal(blk_uring_in_flight(u), 8);
	blk_uring_submit(u);
	reap_all(u, done, 8);
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(done[i]->result, 0);
	assert_int_equal(blk_uring_in_flight(u), 0);
	assert_int_equal(blk_uring_queue(u, &io[8]), 0);
	blk_uring_submit(u);
	reap_all(u, done, 1);
	assert_ptr_equal(done[0], &io[8]);
	assert_int_equal(io[8].result, 0);
	for (unsigned int i = 0; i < 8; i++) {
		uint8_t b[512];
		assert_int_equal(pread(f->fd, b, 512, 1024 * i), 512);
		assert_int_equal(b[0], 0x30 + i);
		assert_int_equal(b[511], 0x30 + i);
		assert_int_equal(pread(f->fd, b, 512, 1024 * i + 512), 512);
		assert_int_equal(b[0], pattern(1024 * i + 512));
	}
	blk_uring_destroy(u);
}

/* A read that runs into the end of a file that shrank: the first part
 * arrives short, the rest is resubmitted, hits EOF and fails with EIO. */
static void test_uring_short_read(void **state)
{
	struct fx *f = *state;
	if (!have_uring()) {
		print_message("skipped: io_uring unavailable\n");
		return;
	}
	struct blk_uring *u;
	assert_int_equal(blk_uring_create(&u, &f->img, 4), 0);
	static uint8_t mem[4][4096];
	struct iovec iov[4];
	for (unsigned int i = 0; i < 4; i++)
		iov[i] = (struct iovec){ mem[i], 4096 };
	struct blk_io io = { .op = BLK_OP_READ, .off = 0, .len = 16384,
			     .iov = iov, .niov = 4 };
	assert_int_equal(blk_uring_queue(u, &io), 0);
	blk_uring_submit(u);
	struct blk_io *done[1];
	reap_all(u, done, 1);
	assert_int_equal(io.result, 0);
	assert_int_equal(io.done, 16384);
	assert_int_equal(mem[3][4095], pattern(16383));

	assert_int_equal(ftruncate(f->fd, 6144), 0);
	for (unsigned int i = 0; i < 4; i++)
		iov[i] = (struct iovec){ mem[i], 4096 };
	memset(mem, 0, sizeof(mem));
	io = (struct blk_io){ .op = BLK_OP_READ, .off = 0, .len = 16384,
			      .iov = iov, .niov = 4 };
	assert_int_equal(blk_uring_queue(u, &io), 0);
	blk_uring_submit(u);
	reap_all(u, done, 1);
	assert_int_equal(io.result, -EIO);
	assert_int_equal(io.done, 6144);
	assert_int_equal(mem[1][2047], pattern(6143));
	blk_uring_destroy(u);
}

/* Discard and write-zeroes on the ring: holes or zeroed ranges read back
 * as zeroes, the bytes around them stay, an unmapping write-zeroes and a
 * discard free the blocks, dsync adds a sync step, read-only refuses. A
 * write-zeroes without unmap where the file system has no
 * FALLOC_FL_ZERO_RANGE (tmpfs) finishes with -EOPNOTSUPP, untouched. */
static void test_uring_fallocate(void **state)
{
	struct fx *f = *state;
	if (!have_uring()) {
		print_message("skipped: io_uring unavailable\n");
		return;
	}
	/* zeroing bytes 512..1536, if the file system can */
	bool zero_range = fallocate(f->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
				    512, 1024) == 0;
	if (zero_range) { /* back to the pattern: the ring must zero it */
		uint8_t b[1024];
		for (unsigned int i = 0; i < sizeof(b); i++)
			b[i] = pattern(512 + i);
		assert_int_equal(pwrite(f->fd, b, sizeof(b), 512), (ssize_t)sizeof(b));
	}
	struct blk_uring *u;
	assert_int_equal(blk_uring_create(&u, &f->img, 4), 0);
	struct stat st;
	assert_int_equal(fstat(f->fd, &st), 0);
	blkcnt_t blocks = st.st_blocks;
	struct blk_io io[3] = {
		{ .op = BLK_OP_WRITE_ZEROES, .off = 512, .len = 1024 },
		{ .op = BLK_OP_WRITE_ZEROES, .off = 16384, .len = 16384,
		  .unmap = true, .dsync = true },
		{ .op = BLK_OP_DISCARD, .off = 40960, .len = 8192, .dsync = true },
	}, *done[3];
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(blk_uring_queue(u, &io[i]), 0);
	blk_uring_submit(u);
	reap_all(u, done, 3);
	assert_int_equal(io[0].result, zero_range ? 0 : -EOPNOTSUPP);
	assert_int_equal(io[1].result, 0);
	assert_int_equal(io[2].result, 0);
	static uint8_t back[IMG_SIZE];
	assert_int_equal(pread(f->fd, back, IMG_SIZE, 0), IMG_SIZE);
	for (unsigned int i = 0; i < IMG_SIZE; i++) {
		bool zero = (zero_range && i >= 512 && i < 1536) ||
			    (i >= 16384 && i < 32768) ||
			    (i >= 40960 && i < 49152);
		if (back[i] != (zero ? 0 : pattern(i)))
			fail_msg("byte %u is %u", i, back[i]);
	}
	assert_int_equal(fstat(f->fd, &st), 0);
	assert_int_equal(st.st_size, IMG_SIZE); /* KEEP_SIZE */
	/* tmpfs and the usual local file systems punch holes */
	assert_true(st.st_blocks <= blocks - (16384 + 8192) / 512);

	f->img.readonly = true;
	struct blk_io ro = { .op = BLK_OP_DISCARD, .off = 0, .len = 512 };
	assert_int_equal(blk_uring_queue(u, &ro), -EROFS);
	ro.op = BLK_OP_WRITE_ZEROES;
	assert_int_equal(blk_uring_queue(u, &ro), -EROFS);
	assert_int_equal(blk_uring_in_flight(u), 0);
	blk_uring_destroy(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bounce_partial_block, setup, teardown),
		cmocka_unit_test(test_bounce_chunks),
		cmocka_unit_test_setup_teardown(test_sync_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uring_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uring_short_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uring_fallocate, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
