/* Live migration's RAM records: pages sent from one guest memory arrive
 * in another (zero pages as markers), and a hostile stream's records are
 * refused without a byte written: addresses outside RAM, ranges crossing
 * a region's end or overflowing, bad counts, lengths and flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/guest_mem.h"
#include "migration/migrate_ram.h"

#define PG GUEST_PAGE_SIZE

/* RAM [0, 16 pages) and [32, 40 pages), a hole between. */
struct mem {
	struct guest_mem gm;
	uint8_t *r0, *r1;
};

static void mem_init(struct mem *m, int fill)
{
	memset(m, 0, sizeof(*m));
	m->r0 = malloc(16 * PG);
	m->r1 = malloc(8 * PG);
	assert_non_null(m->r0);
	assert_non_null(m->r1);
	memset(m->r0, fill, 16 * PG);
	memset(m->r1, fill, 8 * PG);
	assert_int_equal(guest_mem_init_fake(&m->gm, m->r0, 0, 16 * PG), 0);
	assert_int_equal(guest_mem_init_fake(&m->gm, m->r1, 32 * PG, 8 * PG), 0);
}

static void mem_free(struct mem *m)
{
	guest_mem_destroy(&m->gm);
	free(m->r0);
	free(m->r1);
}

static int stream_fd(void)
{
	int fd = memfd_create("test-stream", MFD_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void rewind_fd(int fd)
{
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct mem src, dst;
	mem_init(&src, 0);
	mem_init(&dst, 0xee); /* stale bytes the zero markers must clear */
	/* Region 0: pages 1, 2, 7 and 15 hold data; region 1: page 36. */
	int data_pages[] = { 1, 2, 7, 15 };
	for (size_t i = 0; i < 4; i++)
		memset(src.r0 + data_pages[i] * PG + 100, 0x10 + (int)i, 50);
	memset(src.r1 + 4 * PG, 0x77, PG);

	uint8_t *buf = malloc(MIGRATE_RAM_MAX_PAGES * PG);
	assert_non_null(buf);
	int fd = stream_fd();
	struct mig_writer *w;
	assert_int_equal(mig_writer_open(&w, fd), 0);
	struct migrate_ram_stats st = { 0 };
	assert_int_equal(migrate_ram_send(w, &src.gm, 0, 0, 16, buf, &st), 0);
	assert_int_equal(migrate_ram_send(w, &src.gm, 1, 0, 8, buf, &st), 0);
	/* Beyond a region: refused. */
	assert_int_equal(migrate_ram_send(w, &src.gm, 1, 4, 5, buf, &st), -EINVAL);
	assert_int_equal(migrate_ram_send(w, &src.gm, 2, 0, 1, buf, &st), -EINVAL);
	assert_int_equal(mig_writer_finish(w), 0);
	mig_writer_close(w);
	assert_int_equal(st.pages, 24);
	assert_int_equal(st.zero_pages, 19);

	rewind_fd(fd);
	struct mig_reader *r;
	assert_int_equal(mig_reader_open(&r, fd), 0);
	struct mig_record_info info;
	bool end = false;
	unsigned int records = 0;
	char err[256];
	for (;;) {
		assert_int_equal(mig_next_record(r, &info, &end), 0);
		if (end)
			break;
		assert_int_equal(migrate_ram_receive(&dst.gm, r, &info, err, sizeof(err)), 0);
		records++;
	}
	/* r0: 0z 1-2d 3-6z 7d 8-14z 15d; r1: 32-35z 36d 37-39z. */
	assert_int_equal(records, 6 + 3);
	assert_memory_equal(src.r0, dst.r0, 16 * PG);
	assert_memory_equal(src.r1, dst.r1, 8 * PG);
	mig_reader_close(r);
	close(fd);
	free(buf);
	mem_free(&src);
	mem_free(&dst);
}

/* One "ram" record: header (gpa, pages, flags) and data_len bytes of 0xab;
 * the receiver must refuse it and leave RAM as it was. */
static void refuse(uint64_t gpa, uint32_t pages, uint32_t flags,
		   uint64_t data_len, const char *why)
{
	struct mem m;
	mem_init(&m, 0x5a);
	int fd = stream_fd();
	struct mig_writer *w;
	assert_int_equal(mig_writer_open(&w, fd), 0);
	uint8_t hdr[MIGRATE_RAM_HEADER];
	struct mig_buf b = mig_buf_make(hdr, sizeof(hdr));
	mig_put_u64(&b, gpa);
	mig_put_u32(&b, pages);
	mig_put_u32(&b, flags);
	assert_int_equal(mig_buf_status(&b), 0);
	uint8_t *data = malloc(data_len + 1);
	assert_non_null(data);
	memset(data, 0xab, data_len);
	assert_int_equal(mig_begin_record(w, "ram", 1, 0, sizeof(hdr) + data_len), 0);
	assert_int_equal(mig_write_payload(w, hdr, sizeof(hdr)), 0);
	if (data_len)
		assert_int_equal(mig_write_payload(w, data, data_len), 0);
	assert_int_equal(mig_end_record(w), 0);
	assert_int_equal(mig_writer_finish(w), 0);
	mig_writer_close(w);

	rewind_fd(fd);
	struct mig_reader *r;
	assert_int_equal(mig_reader_open(&r, fd), 0);
	struct mig_record_info info;
	bool end;
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	char err[256] = "";
	assert_int_equal(migrate_ram_receive(&m.gm, r, &info, err, sizeof(err)), -EPROTO);
	if (!strstr(err, why))
		fail_msg("'%s' does not say '%s'", err, why);
	for (size_t i = 0; i < 16 * PG; i++)
		if (m.r0[i] != 0x5a)
			fail_msg("region 0 byte %zu changed", i);
	for (size_t i = 0; i < 8 * PG; i++)
		if (m.r1[i] != 0x5a)
			fail_msg("region 1 byte %zu changed", i);
	mig_reader_close(r);
	close(fd);
	free(data);
	mem_free(&m);
}

static void test_hostile_records(void **state)
{
	(void)state;
	/* In the hole, past the end, across a region's end, wrapping. */
	refuse(16 * PG, 1, 0, PG, "outside this VM's RAM");
	refuse(40 * PG, 1, 0, PG, "outside this VM's RAM");
	refuse(15 * PG, 2, 0, 2 * PG, "outside this VM's RAM");
	refuse(39 * PG, 2, 0, 2 * PG, "outside this VM's RAM");
	refuse(UINT64_MAX - PG + 1, 2, 0, 2 * PG, "outside this VM's RAM");
	refuse(UINT64_MAX - PG + 1, 256, MIGRATE_RAM_ZERO, 0, "outside this VM's RAM");
	/* A zero-page marker outside RAM writes nothing either. */
	refuse(16 * PG, 4, MIGRATE_RAM_ZERO, 0, "outside this VM's RAM");
	refuse(10 * PG, 20, MIGRATE_RAM_ZERO, 0, "outside this VM's RAM");
	/* Counts, lengths, alignment, flags. */
	refuse(0, 0, 0, 0, "page count");
	refuse(0, 0, MIGRATE_RAM_ZERO, 0, "page count");
	refuse(0, 257, MIGRATE_RAM_ZERO, 0, "page count");
	refuse(0, 0x80000000u, MIGRATE_RAM_ZERO, 0, "page count");
	refuse(0, 2, 0, PG, "length does not match");
	refuse(0, 1, 0, PG + 1, "length does not match");
	refuse(0, 1, MIGRATE_RAM_ZERO, PG, "length does not match");
	refuse(100, 1, 0, PG, "not page aligned");
	refuse(0, 1, 2, PG, "unknown flags");
}

/* A record that claims more than the largest legal size, or that is not
 * a "ram" record at all, is refused before its payload is read. */
static void test_wrong_record(void **state)
{
	(void)state;
	struct mem m;
	mem_init(&m, 0);
	int fd = stream_fd();
	struct mig_writer *w;
	assert_int_equal(mig_writer_open(&w, fd), 0);
	uint8_t small[8] = { 0 };
	assert_int_equal(mig_write_record(w, "ram", 1, 0, small, sizeof(small)), 0);
	assert_int_equal(mig_write_record(w, "ram", 2, 0, small, sizeof(small)), 0);
	assert_int_equal(mig_writer_finish(w), 0);
	mig_writer_close(w);
	rewind_fd(fd);
	struct mig_reader *r;
	assert_int_equal(mig_reader_open(&r, fd), 0);
	struct mig_record_info info;
	bool end;
	char err[256];
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_int_equal(migrate_ram_receive(&m.gm, r, &info, err, sizeof(err)), -EPROTO);
	assert_int_equal(mig_skip_payload(r), 0);
	assert_int_equal(mig_next_record(r, &info, &end), 0);
	assert_int_equal(migrate_ram_receive(&m.gm, r, &info, err, sizeof(err)), -EPROTO);
	mig_reader_close(r);
	close(fd);
	mem_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile_records),
		cmocka_unit_test(test_wrong_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
