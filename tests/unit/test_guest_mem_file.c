/* Guest RAM to a snapshot's memory file and back: zero pages become holes,
 * anonymous RAM maps the file privately (the file never changes), shared
 * RAM reads it in, and a file of the wrong size is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/guest_mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MiB (1ull << 20)

static int temp_file(void)
{
	char path[] = "/var/tmp/kiln-memfile-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static void fill(struct guest_mem *m)
{
	/* A few scattered non-zero pages, including the very last byte. */
	uint8_t *p = m->regions[0].host;
	memset(p + 5 * 4096, 0xa5, 3 * 4096);
	p[m->regions[0].size - 1] = 0x5a;
	for (uint64_t i = 0; i < 100; i++)
		p[(i * 7919 * 4096) % m->regions[0].size] = (uint8_t)(i + 1);
}

static void round_trip(enum guest_mem_backing backing)
{
	struct guest_mem a, b;
	assert_int_equal(guest_mem_init(&a, 16 * MiB, 3ull << 30, GUEST_MEM_ANON), 0);
	fill(&a);
	int fd = temp_file();
	assert_int_equal(guest_mem_save_file(&a, fd), 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 16 * MiB);
	/* Mostly zeros: mostly holes (where the filesystem has them). */
	if (st.st_blocks * 512 >= st.st_size)
		print_message("note: no holes on this filesystem\n");

	assert_int_equal(guest_mem_init(&b, 16 * MiB, 3ull << 30, backing), 0);
	assert_int_equal(guest_mem_load_file(&b, fd), 0);
	assert_memory_equal(a.regions[0].host, b.regions[0].host, 16 * MiB);

	/* Writing the restored RAM never changes the file. */
	memset(b.regions[0].host, 0x11, 4096);
	uint8_t page[4096];
	assert_int_equal(pread(fd, page, sizeof(page), 0), (ssize_t)sizeof(page));
	assert_memory_equal(page, a.regions[0].host, sizeof(page));

	guest_mem_destroy(&a);
	guest_mem_destroy(&b);
	close(fd);
}

static void test_anon_round_trip(void **state) { round_trip(GUEST_MEM_ANON); }
static void test_memfd_round_trip(void **state) { round_trip(GUEST_MEM_MEMFD); }

static void test_two_regions_offsets(void **state)
{
	struct guest_mem m;
	/* 40 MiB with the hole at 32 MiB: two regions. */
	assert_int_equal(guest_mem_init(&m, 40 * MiB, 32 * MiB, GUEST_MEM_ANON), 0);
	assert_int_equal(m.nr_regions, 2);
	assert_int_equal(guest_mem_file_offset(&m, 0), 0);
	assert_int_equal(guest_mem_file_offset(&m, 1), 32 * MiB);
	assert_int_equal(guest_mem_file_offset(&m, 2), 40 * MiB);
	memset(m.regions[1].host, 0x77, 4096);
	int fd = temp_file();
	assert_int_equal(guest_mem_save_file(&m, fd), 0);
	struct guest_mem n;
	assert_int_equal(guest_mem_init(&n, 40 * MiB, 32 * MiB, GUEST_MEM_ANON), 0);
	assert_int_equal(guest_mem_load_file(&n, fd), 0);
	assert_int_equal(n.regions[1].host[0], 0x77);
	assert_int_equal(n.regions[0].host[0], 0);
	guest_mem_destroy(&m);
	guest_mem_destroy(&n);
	close(fd);
}

static void test_wrong_size_refused(void **state)
{
	struct guest_mem m;
	assert_int_equal(guest_mem_init(&m, 8 * MiB, 3ull << 30, GUEST_MEM_ANON), 0);
	m.regions[0].host[0] = 1;
	int fd = temp_file();
	assert_int_equal(ftruncate(fd, 4 * MiB), 0);
	assert_int_equal(guest_mem_load_file(&m, fd), -EINVAL);
	assert_int_equal(m.regions[0].host[0], 1); /* untouched */
	assert_int_equal(ftruncate(fd, 8 * MiB + 4096), 0);
	assert_int_equal(guest_mem_load_file(&m, fd), -EINVAL);
	guest_mem_destroy(&m);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anon_round_trip),
		cmocka_unit_test(test_memfd_round_trip),
		cmocka_unit_test(test_two_regions_offsets),
		cmocka_unit_test(test_wrong_size_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
