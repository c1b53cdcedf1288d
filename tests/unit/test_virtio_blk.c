/* virtio-blk requests one at a time, valid and hostile, through both data
 * paths (io_uring and synchronous): the fixture is in virtio_blk_fx.h. */
#include "virtio_blk_fx.h"

/* ---- tests --------------------------------------------------------------- */

static void test_identity_and_config(void **state)
{
	struct fx *f = *state;
	assert_int_equal(vdrv_cfg_read(&f->vd, PCI_DEVICE_ID, 2), 0x1040 + VIRTIO_ID_BLOCK);
	uint64_t feat = vdrv_read_features(&f->vd);
	assert_true(feat & (1ull << VIRTIO_BLK_F_SEG_MAX));
	assert_true(feat & (1ull << VIRTIO_BLK_F_BLK_SIZE));
	assert_true(feat & (1ull << VIRTIO_BLK_F_FLUSH));
	assert_true(feat & (1ull << VIRTIO_BLK_F_DISCARD));
	assert_true(feat & (1ull << VIRTIO_BLK_F_WRITE_ZEROES));
	assert_true(feat & (1ull << VIRTIO_F_EVENT_IDX));
	assert_false(feat & (1ull << VIRTIO_BLK_F_RO));
	assert_false(feat & (1ull << VIRTIO_F_RING_PACKED)); /* packed=on only */
	uint64_t dev = f->vd.device;
	assert_int_equal(vdrv_mrd(&f->vd, dev + offsetof(struct virtio_blk_config, capacity), 8),
			 2048);
	assert_int_equal(vdrv_mrd(&f->vd, dev + offsetof(struct virtio_blk_config, capacity), 4),
			 2048);
	assert_int_equal(vdrv_mrd(&f->vd, dev + offsetof(struct virtio_blk_config, capacity) + 4,
				  4), 0);
	assert_int_equal(vdrv_mrd(&f->vd, dev + offsetof(struct virtio_blk_config, seg_max), 4),
			 VIRTIO_BLK_SEG_MAX);
	assert_int_equal(vdrv_mrd(&f->vd, dev + offsetof(struct virtio_blk_config, blk_size), 4),
			 512);
	assert_int_equal(vdrv_mrd(&f->vd, dev + offsetof(struct virtio_blk_config,
					       max_discard_seg), 4), 1);
	assert_int_equal(vdrv_mrd(&f->vd, dev + offsetof(struct virtio_blk_config,
					       max_write_zeroes_seg), 4), 1);
	assert_true(vdrv_mrd(&f->vd, dev + offsetof(struct virtio_blk_config,
					  max_discard_sectors), 4) > 0);
	assert_int_equal(vdrv_mrd(&f->vd, dev + offsetof(struct virtio_blk_config,
					       write_zeroes_may_unmap), 1), 1);
	/* writes are ignored */
	vdrv_mwr(&f->vd, dev, 4, 0x1234);
	assert_int_equal(vdrv_mrd(&f->vd, dev, 8), 2048);
	assert_int_equal(virtio_blk_capacity(f->blk), 2048);
}

static void test_read_sector(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint32_t len;
	memset(f->ram + DATA_GPA, 0, 2048);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 3, 1024, true, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1024 + 1);
	for (unsigned int i = 0; i < 1024; i++)
		assert_int_equal(f->ram[DATA_GPA + i], pattern(3 * 512 + i));
	assert_int_equal(f->ram[DATA_GPA + 1024], 0); /* nothing past it */
	/* last sector of the disk */
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 2047, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA + 511], pattern(IMG_SIZE - 1));
}

static void test_read_multi_seg_and_shared_status(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	/* header; data split over 3 writable descriptors, the last one also
	 * holding the status byte (512 + 1000 + 24 data bytes + status) */
	put_hdr(f, VIRTIO_BLK_T_IN, 10);
	put_desc(f, 0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(f, 1, DATA_GPA, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	put_desc(f, 2, DATA_GPA + 0x1000, 1000, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	put_desc(f, 3, DATA_GPA + 0x2000, 25, VIRTQ_DESC_F_WRITE, 0);
	f->ram[DATA_GPA + 0x2000 + 24] = 0xee;
	assert_int_equal(submit(f), 1536 + 1);
	assert_int_equal(f->ram[DATA_GPA + 0x2000 + 24], VIRTIO_BLK_S_OK);
	uint64_t base = 10 * 512;
	assert_int_equal(f->ram[DATA_GPA], pattern(base));
	assert_int_equal(f->ram[DATA_GPA + 511], pattern(base + 511));
	assert_int_equal(f->ram[DATA_GPA + 0x1000], pattern(base + 512));
	assert_int_equal(f->ram[DATA_GPA + 0x1000 + 999], pattern(base + 1511));
	assert_int_equal(f->ram[DATA_GPA + 0x2000 + 23], pattern(base + 1535));
}

static void test_write_read_back(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	for (unsigned int i = 0; i < 4096; i++)
		f->ram[DATA_GPA + i] = (uint8_t)(0xa5 ^ i);
	uint32_t len;
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 100, 4096, false, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1);
	/* the file on the host has it */
	uint8_t buf[4096 + 512];
	host_read(f, 100 * 512 - 512, buf, sizeof(buf));
	for (unsigned int i = 0; i < 512; i++)
		assert_int_equal(buf[i], pattern(99 * 512 + i));
	for (unsigned int i = 0; i < 4096; i++)
		assert_int_equal(buf[512 + i], (uint8_t)(0xa5 ^ i));
	/* and the guest reads it back */
	memset(f->ram + DATA_GPA, 0, 4096);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 100, 4096, true, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 4097);
	for (unsigned int i = 0; i < 4096; i++)
		assert_int_equal(f->ram[DATA_GPA + i], (uint8_t)(0xa5 ^ i));
	/* the neighbour sector after it is untouched */
	host_read(f, 108 * 512, buf, 512);
	for (unsigned int i = 0; i < 512; i++)
		assert_int_equal(buf[i], pattern(108 * 512 + i));
	struct virtio_blk_stats s;
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.write_bytes, 4096);
	assert_int_equal(s.read_bytes, 4096);
}

static void test_flush(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint32_t len;
	assert_int_equal(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, false, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1);
	struct virtio_blk_stats s;
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.flushes, 1);
}

static void test_get_id(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint32_t len;
	memset(f->ram + DATA_GPA, 0xff, 64);
	assert_int_equal(request(f, VIRTIO_BLK_T_GET_ID, 0, 20, true, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 21);
	const char *id = virtio_blk_id(f->blk);
	assert_true(strlen(id) > 0 && strlen(id) <= 20);
	assert_memory_equal(f->ram + DATA_GPA, id, strlen(id));
	assert_int_equal(strncmp((char *)f->ram + DATA_GPA, "kiln-", 5), 0);
	if (strlen(id) < 20)
		assert_int_equal(f->ram[DATA_GPA + strlen(id)], 0);
	assert_int_equal(f->ram[DATA_GPA + 20], 0xff);
	/* a short buffer gets what fits */
	memset(f->ram + DATA_GPA, 0xff, 64);
	assert_int_equal(request(f, VIRTIO_BLK_T_GET_ID, 0, 4, true, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(f->ram + DATA_GPA, "kiln", 4);
	assert_int_equal(f->ram[DATA_GPA + 4], 0xff);
}

static void test_out_of_range(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint8_t before[1024], after[1024];
	host_read(f, IMG_SIZE - 1024, before, sizeof(before));
	memset(f->ram + DATA_GPA, 0x5a, 4096);
	/* straddles the end */
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 2047, 1024, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 2048, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* sector * 512 overflows */
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, UINT64_MAX, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, (UINT64_MAX >> 9) + 1, 512,
				 false, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 2048, 512, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	host_read(f, IMG_SIZE - 1024, after, sizeof(after));
	assert_memory_equal(before, after, sizeof(before));
	struct stat st;
	assert_int_equal(fstat(f->fd, &st), 0);
	assert_int_equal(st.st_size, IMG_SIZE);
	/* the device still works */
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
}

static void test_bad_length(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint8_t before[1024], after[1024];
	host_read(f, 0, before, sizeof(before));
	memset(f->ram + DATA_GPA, 0x5a, 4096);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 0, 513, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, 100, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	host_read(f, 0, after, sizeof(after));
	assert_memory_equal(before, after, sizeof(before));
	/* header shorter than 16 bytes */
	put_desc(f, 0, HDR_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	put_desc(f, 1, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	f->ram[STATUS_GPA] = 0xee;
	assert_int_equal(submit(f), 1);
	assert_int_equal(f->ram[STATUS_GPA], VIRTIO_BLK_S_IOERR);
}

static void test_unknown_type(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint32_t len;
	assert_int_equal(request(f, 0x1234, 0, 0, false, &len), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(len, 1);
	assert_int_equal(request(f, VIRTIO_BLK_T_SCSI_CMD, 0, 512, true, NULL),
			 VIRTIO_BLK_S_UNSUPP);
}

static void test_no_status_byte(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	put_hdr(f, VIRTIO_BLK_T_OUT, 5);
	memset(f->ram + DATA_GPA, 0x77, 512);
	put_desc(f, 0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(f, 1, DATA_GPA, 512, 0, 0); /* all readable */
	assert_int_equal(submit(f), 0);
	uint8_t buf[512];
	host_read(f, 5 * 512, buf, sizeof(buf));
	assert_int_equal(buf[0], pattern(5 * 512));
	struct virtio_blk_stats s;
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.no_status, 1);
	assert_false(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* and it keeps working */
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 5, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA], pattern(5 * 512));
}

static void test_discard_write_zeroes(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 17, 9, 0, VIRTIO_BLK_S_OK);
	expect_zero(f, 17, 9);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 40, 3,
		   VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP, VIRTIO_BLK_S_OK);
	expect_zero(f, 40, 3);
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 64, 16, 0, VIRTIO_BLK_S_OK);
	/* tmpfs and the usual local file systems punch holes: zeroes */
	expect_zero(f, 64, 16);
	/* out of range, bad flags, two segments */
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 2040, 9, 0, VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, UINT64_MAX, 1, 0, VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 0, 1, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP,
		   VIRTIO_BLK_S_UNSUPP);
	uint8_t buf[512];
	host_read(f, 2040 * 512, buf, sizeof(buf));
	assert_int_equal(buf[0], pattern(2040 * 512));
	host_read(f, 0, buf, sizeof(buf));
	assert_int_equal(buf[0], pattern(0));
	struct virtio_blk_discard_write_zeroes seg2[2] = {
		{ .sector = 0, .num_sectors = 1 }, { .sector = 8, .num_sectors = 1 },
	};
	memcpy(f->ram + DATA_GPA, seg2, sizeof(seg2));
	uint8_t st = request(f, VIRTIO_BLK_T_DISCARD, 0, sizeof(seg2), false, NULL);
	assert_int_not_equal(st, VIRTIO_BLK_S_OK);
	/* a truncated segment */
	assert_int_equal(request(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 8, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	host_read(f, 0, buf, sizeof(buf));
	assert_int_equal(buf[0], pattern(0));
}

static void test_read_only(void **state)
{
	struct fx *f = *state;
	assert_true(vdrv_read_features(&f->vd) & (1ull << VIRTIO_BLK_F_RO));
	bring_up(f);
	uint8_t before[4096], after[4096];
	host_read(f, 0, before, sizeof(before));
	memset(f->ram + DATA_GPA, 0x5a, 4096);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 0, 4096, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 0, 8, 0, VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 8, 0, VIRTIO_BLK_S_IOERR);
	host_read(f, 0, after, sizeof(after));
	assert_memory_equal(before, after, sizeof(before));
	/* reads, flush and GET_ID still work */
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 1, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA], pattern(512));
	assert_int_equal(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(request(f, VIRTIO_BLK_T_GET_ID, 0, 20, true, NULL),
			 VIRTIO_BLK_S_OK);
}

static void test_reset_and_again(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	vdrv_set_status(&f->vd, 0);
	memset(f->ram + DESC_GPA, 0, 0x3000);
	bring_up(f);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 2, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA], pattern(1024));
}

static void test_huge_discard(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	/* past the per-request maximum, and inside it but past the disk */
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_MAX_DISCARD_SECTORS + 1, 0,
		   VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_MAX_DISCARD_SECTORS, 0,
		   VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, UINT32_MAX, 0, VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_DISCARD, UINT64_MAX - 1, 2, 0, VIRTIO_BLK_S_IOERR);
	uint8_t buf[512];
	host_read(f, 0, buf, sizeof(buf));
	assert_int_equal(buf[0], pattern(0));
	struct stat st;
	assert_int_equal(fstat(f->fd, &st), 0);
	assert_int_equal(st.st_size, IMG_SIZE);
	/* the whole disk in one request is fine */
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 2048, 0, VIRTIO_BLK_S_OK);
	host_read(f, IMG_SIZE - 512, buf, sizeof(buf));
	assert_int_equal(buf[511], 0);
}

static void test_create_errors(void **state)
{
	struct virtio_blk *blk = NULL;
	char err[256];
	char path[] = "/tmp/kiln-blk-odd-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1000), 0);
	struct virtio_blk_params p = { .path = path };
	assert_int_equal(virtio_blk_create(&blk, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "multiple of 512"));
	close(fd);
	unlink(path);
	p = (struct virtio_blk_params){ .path = "/nonexistent/kiln.img", .readonly = true };
	assert_true(virtio_blk_create(&blk, &p, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent/kiln.img"));
	p = (struct virtio_blk_params){ .path = "/tmp" };
	assert_true(virtio_blk_create(&blk, &p, err, sizeof(err)) < 0);
	p = (struct virtio_blk_params){ .path = "/dev/null", .num_queues = 17 };
	assert_int_equal(virtio_blk_create(&blk, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "num_queues"));
	virtio_blk_destroy(NULL);
}

/* A GET_ID string given by the caller (--disk id=NAME). */
static void test_given_id(void **state)
{
	char path[] = "/tmp/kiln-blk-id-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	struct virtio_blk *blk;
	char err[256];
	struct virtio_blk_params p = { .path = path, .id = "data-disk" };
	assert_int_equal(virtio_blk_create(&blk, &p, err, sizeof(err)), 0);
	assert_string_equal(virtio_blk_id(blk), "data-disk");
	assert_int_equal(virtio_blk_capacity(blk), 8);
	virtio_blk_destroy(blk);
	close(fd);
	unlink(path);
}

/* A seccomp filter that refuses io_uring_setup (as a sandbox might): the
 * device falls back to synchronous I/O. In a child, so the filter does
 * not stay. */
#define BOTH(test) \
	cmocka_unit_test_setup_teardown(test, setup, teardown), \
	cmocka_unit_test_setup_teardown(test, setup_sync, teardown)

/* packed=on: the transport hands the negotiated RING_PACKED to the queue
 * and requests go through a packed ring: reads of 3-descriptor chains
 * that wrap the 16-entry ring several times, then a write read back. */
static void put_pdesc(struct fx *f, unsigned int pos, uint64_t addr,
		      uint32_t len, uint16_t id, uint16_t flags, bool last_store)
{
	uint8_t *d = f->ram + DESC_GPA + 16ull * pos;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &id, 2);
	if (last_store)
		__atomic_store_n((uint16_t *)(d + 14), flags, __ATOMIC_RELEASE);
	else
		memcpy(d + 14, &flags, 2);
}

static uint8_t packed_request(struct fx *f, unsigned int *pos, bool *wrap,
			      uint32_t type, uint64_t sector, uint32_t len,
			      bool in, uint16_t id)
{
	put_hdr(f, type, sector);
	f->ram[STATUS_GPA] = 0xee;
	const uint64_t addr[3] = { HDR_GPA, DATA_GPA, STATUS_GPA };
	const uint32_t lens[3] = { 16, len, 1 };
	const uint16_t dir[3] = { 0, in ? VIRTQ_DESC_F_WRITE : 0, VIRTQ_DESC_F_WRITE };
	unsigned int first = *pos;
	uint16_t first_flags = 0;
	for (unsigned int i = 0; i < 3; i++) {
		uint16_t fl = (uint16_t)(dir[i] | (i < 2 ? VIRTQ_DESC_F_NEXT : 0) |
					 (*wrap ? VIRTQ_DESC_F_AVAIL : VIRTQ_DESC_F_USED));
		if (i == 0)
			first_flags = fl;
		put_pdesc(f, *pos, addr[i], lens[i], i == 2 ? id : 0, i ? fl : 0, false);
		if (++*pos == f->qsize) {
			*pos = 0;
			*wrap = !*wrap;
		}
	}
	bool used_wrap = first_flags & VIRTQ_DESC_F_AVAIL; /* the first's lap */
	put_pdesc(f, first, HDR_GPA, 16, 0, first_flags, true);
	vdrv_mwr(&f->vd, virtio_pci_notify_addr(f->t, 0), 2, 0);
	/* one request at a time: its used descriptor goes where it started */
	uint16_t want = used_wrap ? VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED : 0;
	uint16_t *fp = (uint16_t *)(f->ram + DESC_GPA + 16ull * first + 14);
	uint64_t end = vdrv_now_ms() + 5000;
	while ((__atomic_load_n(fp, __ATOMIC_ACQUIRE) &
		(VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED)) != want &&
	       vdrv_now_ms() < end)
		vdrv_sleep_ms(1);
	assert_int_equal(*fp & (VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED), want);
	uint16_t got_id;
	uint32_t got_len;
	memcpy(&got_id, f->ram + DESC_GPA + 16ull * first + 12, 2);
	memcpy(&got_len, f->ram + DESC_GPA + 16ull * first + 8, 4);
	assert_int_equal(got_id, id);
	assert_int_equal(got_len, (in ? len : 0) + 1);
	return f->ram[STATUS_GPA];
}

static void test_packed_ring(void **state)
{
	struct fx *f = *state;
	assert_true(vdrv_read_features(&f->vd) & (1ull << VIRTIO_F_RING_PACKED));
	bring_up(f);
	unsigned int pos = 0;
	bool wrap = true;
	for (unsigned int i = 0; i < 20; i++) { /* 60 descriptors: 3+ laps */
		memset(f->ram + DATA_GPA, 0, 512);
		assert_int_equal(packed_request(f, &pos, &wrap, VIRTIO_BLK_T_IN, i,
						512, true, (uint16_t)(i % QSIZE)),
				 VIRTIO_BLK_S_OK);
		for (unsigned int b = 0; b < 512; b += 97)
			assert_int_equal(f->ram[DATA_GPA + b], pattern(512ull * i + b));
	}
	assert_int_equal(pos, 60 % QSIZE);
	memset(f->ram + DATA_GPA, 0xa5, 512);
	assert_int_equal(packed_request(f, &pos, &wrap, VIRTIO_BLK_T_OUT, 3, 512,
					false, 9), VIRTIO_BLK_S_OK);
	uint8_t buf[512];
	host_read(f, 3 * 512, buf, sizeof(buf));
	for (unsigned int b = 0; b < 512; b++)
		assert_int_equal(buf[b], 0xa5);
	assert_false(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_identity_and_config),
		BOTH(test_read_sector),
		BOTH(test_read_multi_seg_and_shared_status),
		BOTH(test_write_read_back),
		BOTH(test_flush),
		BOTH(test_get_id),
		BOTH(test_out_of_range),
		BOTH(test_bad_length),
		BOTH(test_unknown_type),
		BOTH(test_no_status_byte),
		BOTH(test_discard_write_zeroes),
		BOTH(test_huge_discard),
		BOTH(test_reset_and_again),
		cmocka_unit_test_setup_teardown(test_read_only, setup_ro, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup_ro_sync, teardown),
		cmocka_unit_test_setup_teardown(test_packed_ring, setup_packed, teardown),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_given_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
