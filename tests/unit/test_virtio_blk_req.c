/* virtio_blk_req_parse: chains built by hand (segments in plain buffers),
 * valid and hostile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/virtio_blk_req.h"

#include <linux/virtio_blk.h>
#include <string.h>

#define CAP 2048 /* sectors */

static struct vq_chain chain;
static uint8_t bufs[8][8192];

/* Start a chain; add readable then writable segments of these lengths. */
static void chain_reset(void)
{
	memset(&chain, 0, sizeof(chain));
	memset(bufs, 0, sizeof(bufs));
}

static uint8_t *add_seg(uint32_t len, bool writable)
{
	unsigned int i = chain.nr_read + chain.nr_write;
	assert_true(i < 8 && len <= sizeof(bufs[i]));
	if (!writable)
		assert_int_equal(chain.nr_write, 0);
	chain.seg[i].host = bufs[i];
	chain.seg[i].gpa = 0x1000ull * (i + 1);
	chain.seg[i].len = len;
	if (writable) {
		chain.nr_write++;
		chain.write_len += len;
	} else {
		chain.nr_read++;
		chain.read_len += len;
	}
	return bufs[i];
}

static void put_hdr(uint8_t *p, uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = { .type = type, .sector = sector };
	memcpy(p, &h, sizeof(h));
}

/* A header segment, `data` bytes readable (OUT) or writable (IN), and a
 * status byte. */
static void simple(uint32_t type, uint64_t sector, uint32_t data, bool in)
{
	chain_reset();
	put_hdr(add_seg(16, false), type, sector);
	if (data)
		add_seg(data, in);
	add_seg(1, true);
}

static struct virtio_blk_req parse(bool readonly)
{
	struct virtio_blk_req r;
	memset(&r, 0xa5, sizeof(r));
	virtio_blk_req_parse(&chain, CAP, readonly, &r);
	return r;
}

static void test_read_write(void **state)
{
	simple(VIRTIO_BLK_T_IN, 3, 1024, true);
	struct virtio_blk_req r = parse(false);
	assert_int_equal(r.status, VIRTIO_BLK_S_OK);
	assert_true(r.has_status);
	assert_int_equal(r.type, VIRTIO_BLK_T_IN);
	assert_int_equal(r.offset, 3 * 512);
	assert_int_equal(r.len, 1024);
	assert_int_equal(r.data_off, 0);

	simple(VIRTIO_BLK_T_OUT, 2040, 4096, false);
	r = parse(false);
	assert_int_equal(r.status, VIRTIO_BLK_S_OK);
	assert_int_equal(r.offset, 2040 * 512);
	assert_int_equal(r.len, 4096);
	assert_int_equal(r.data_off, 16);

	/* no data at all: a zero-length transfer is fine */
	simple(VIRTIO_BLK_T_IN, 0, 0, true);
	r = parse(false);
	assert_int_equal(r.status, VIRTIO_BLK_S_OK);
	assert_int_equal(r.len, 0);
}

/* Header split over three segments; data and status sharing one. */
static void test_split_header_shared_status(void **state)
{
	chain_reset();
	uint8_t hdr[16];
	put_hdr(hdr, VIRTIO_BLK_T_IN, 9);
	memcpy(add_seg(5, false), hdr, 5);
	memcpy(add_seg(3, false), hdr + 5, 3);
	memcpy(add_seg(8, false), hdr + 8, 8);
	add_seg(513, true);
	struct virtio_blk_req r = parse(false);
	assert_int_equal(r.status, VIRTIO_BLK_S_OK);
	assert_int_equal(r.sector, 9);
	assert_int_equal(r.len, 512);
}

static void test_bad_lengths(void **state)
{
	simple(VIRTIO_BLK_T_OUT, 0, 513, false);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	simple(VIRTIO_BLK_T_IN, 0, 100, true);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	/* a header shorter than 16 bytes */
	chain_reset();
	add_seg(15, false);
	add_seg(1, true);
	struct virtio_blk_req r = parse(false);
	assert_true(r.has_status);
	assert_int_equal(r.status, VIRTIO_BLK_S_IOERR);
	/* no readable part at all */
	chain_reset();
	add_seg(513, true);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
}

static void test_no_status(void **state)
{
	chain_reset();
	put_hdr(add_seg(16, false), VIRTIO_BLK_T_OUT, 0);
	add_seg(512, false);
	struct virtio_blk_req r = parse(false);
	assert_false(r.has_status);
	assert_int_not_equal(r.status, VIRTIO_BLK_S_OK);
	/* an empty chain */
	chain_reset();
	assert_false(parse(false).has_status);
}

static void test_range(void **state)
{
	simple(VIRTIO_BLK_T_IN, 2047, 512, true);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_OK);
	simple(VIRTIO_BLK_T_IN, 2047, 1024, true);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	simple(VIRTIO_BLK_T_IN, 2048, 512, true);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	simple(VIRTIO_BLK_T_OUT, UINT64_MAX, 512, false);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	simple(VIRTIO_BLK_T_OUT, (UINT64_MAX >> 9) + 1, 512, false);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	/* sector == capacity with no data is inside (nothing to touch) */
	simple(VIRTIO_BLK_T_IN, 2048, 0, true);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_OK);
}

static void test_read_only(void **state)
{
	simple(VIRTIO_BLK_T_OUT, 0, 512, false);
	assert_int_equal(parse(true).status, VIRTIO_BLK_S_IOERR);
	simple(VIRTIO_BLK_T_IN, 0, 512, true);
	assert_int_equal(parse(true).status, VIRTIO_BLK_S_OK);
	simple(VIRTIO_BLK_T_FLUSH, 0, 0, false);
	assert_int_equal(parse(true).status, VIRTIO_BLK_S_OK);
}

static void test_other_types(void **state)
{
	simple(VIRTIO_BLK_T_FLUSH, 0, 0, false);
	struct virtio_blk_req r = parse(false);
	assert_int_equal(r.status, VIRTIO_BLK_S_OK);
	assert_int_equal(r.type, VIRTIO_BLK_T_FLUSH);
	simple(VIRTIO_BLK_T_GET_ID, 0, 20, true);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_OK);
	simple(0x1234, 0, 0, false);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_UNSUPP);
	simple(VIRTIO_BLK_T_SCSI_CMD, 0, 512, true);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_UNSUPP);
}

static void seg_chain(uint32_t type, uint64_t sector, uint32_t num,
		      uint32_t flags, unsigned int nsegs)
{
	chain_reset();
	put_hdr(add_seg(16, false), type, 0);
	struct virtio_blk_discard_write_zeroes s = {
		.sector = sector, .num_sectors = num, .flags = flags,
	};
	uint8_t *p = add_seg((uint32_t)(nsegs * sizeof(s)), false);
	for (unsigned int i = 0; i < nsegs; i++)
		memcpy(p + i * sizeof(s), &s, sizeof(s));
	add_seg(1, true);
}

static void test_discard_write_zeroes(void **state)
{
	seg_chain(VIRTIO_BLK_T_DISCARD, 8, 16, 0, 1);
	struct virtio_blk_req r = parse(false);
	assert_int_equal(r.status, VIRTIO_BLK_S_OK);
	assert_int_equal(r.offset, 8 * 512);
	assert_int_equal(r.len, 16 * 512);
	assert_false(r.unmap);
	seg_chain(VIRTIO_BLK_T_WRITE_ZEROES, 0, 2048,
		  VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP, 1);
	r = parse(false);
	assert_int_equal(r.status, VIRTIO_BLK_S_OK);
	assert_true(r.unmap);
	assert_int_equal(r.len, 2048 * 512);
	/* discard takes no flags; unknown write-zeroes flags */
	seg_chain(VIRTIO_BLK_T_DISCARD, 0, 1, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP, 1);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_UNSUPP);
	seg_chain(VIRTIO_BLK_T_WRITE_ZEROES, 0, 1, 2, 1);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_UNSUPP);
	/* two segments (max_*_seg is 1), a truncated one, none */
	seg_chain(VIRTIO_BLK_T_DISCARD, 0, 1, 0, 2);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_UNSUPP);
	simple(VIRTIO_BLK_T_WRITE_ZEROES, 0, 8, false);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	simple(VIRTIO_BLK_T_DISCARD, 0, 0, false);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	/* read-only */
	seg_chain(VIRTIO_BLK_T_DISCARD, 8, 16, 0, 1);
	assert_int_equal(parse(true).status, VIRTIO_BLK_S_IOERR);
}

static void test_huge_discard(void **state)
{
	seg_chain(VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_MAX_DISCARD_SECTORS + 1, 0, 1);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	seg_chain(VIRTIO_BLK_T_WRITE_ZEROES, 0, UINT32_MAX, 0, 1);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	seg_chain(VIRTIO_BLK_T_DISCARD, 2040, 9, 0, 1);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	seg_chain(VIRTIO_BLK_T_DISCARD, UINT64_MAX, 1, 0, 1);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
	seg_chain(VIRTIO_BLK_T_DISCARD, UINT64_MAX >> 9, 1, 0, 1);
	assert_int_equal(parse(false).status, VIRTIO_BLK_S_IOERR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_split_header_shared_status),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_no_status),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_other_types),
		cmocka_unit_test(test_discard_write_zeroes),
		cmocka_unit_test(test_huge_discard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
