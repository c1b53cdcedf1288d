/* e820_build(): the guest's memory map agrees with guest_mem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/x86/boot.h"
#include "arch/x86/layout.h"

#include <string.h>

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* e820_build never touches RAM contents: a dummy host pointer will do. */
static uint8_t dummy;

static void add_region(struct guest_mem *mem, uint64_t gpa, uint64_t size)
{
	assert_int_equal(guest_mem_init_fake(mem, &dummy, gpa, size), 0);
}

static void expect(const struct e820_entry *e, uint64_t addr, uint64_t size,
		   uint32_t type)
{
	assert_int_equal(e->addr, addr);
	assert_int_equal(e->size, size);
	assert_int_equal(e->type, type);
}

static void test_small_guest(void **state)
{
	struct guest_mem mem = { 0 };
	struct e820_entry map[16];
	add_region(&mem, 0, 64 * MiB);
	assert_int_equal(e820_build(&mem, map, 16), 3);
	expect(&map[0], 0, X86_EBDA_START, E820_RAM);
	expect(&map[1], X86_EBDA_START, X86_HIMEM_START - X86_EBDA_START,
	       E820_RESERVED);
	expect(&map[2], X86_HIMEM_START, 64 * MiB - X86_HIMEM_START, E820_RAM);
}

static void test_above_4g(void **state)
{
	struct guest_mem mem = { 0 };
	struct e820_entry map[16];
	add_region(&mem, 0, 3 * GiB);
	add_region(&mem, 4 * GiB, 5 * GiB);
	assert_int_equal(e820_build(&mem, map, 16), 4);
	expect(&map[2], X86_HIMEM_START, 3 * GiB - X86_HIMEM_START, E820_RAM);
	expect(&map[3], 4 * GiB, 5 * GiB, E820_RAM);
	/* The PCI hole [3 GiB, 4 GiB) is in no entry. */
	for (int i = 0; i < 4; i++)
		assert_false(map[i].addr < 4 * GiB &&
			     map[i].addr + map[i].size > 3 * GiB);
}

static void test_unsorted_regions(void **state)
{
	struct guest_mem mem = { 0 };
	struct e820_entry map[16];
	add_region(&mem, 4 * GiB, 1 * GiB);
	add_region(&mem, 0, 32 * MiB);
	assert_int_equal(e820_build(&mem, map, 16), 4);
	expect(&map[0], 0, X86_EBDA_START, E820_RAM);
	expect(&map[3], 4 * GiB, 1 * GiB, E820_RAM);
}

static void test_adjacent_regions_merge(void **state)
{
	struct guest_mem mem = { 0 };
	struct e820_entry map[16];
	add_region(&mem, 0, 32 * MiB);
	add_region(&mem, 32 * MiB, 32 * MiB);
	assert_int_equal(e820_build(&mem, map, 16), 3);
	expect(&map[2], X86_HIMEM_START, 64 * MiB - X86_HIMEM_START, E820_RAM);
}

static void test_tiny_guests(void **state)
{
	struct guest_mem mem = { 0 };
	struct e820_entry map[16];

	/* 512 KiB: only RAM, no reserved area where nothing is backed. */
	add_region(&mem, 0, 512 * 1024);
	assert_int_equal(e820_build(&mem, map, 16), 1);
	expect(&map[0], 0, 512 * 1024, E820_RAM);

	/* 800 KiB: RAM to the EBDA, the rest reserved, nothing above. */
	memset(&mem, 0, sizeof(mem));
	add_region(&mem, 0, 800 * 1024);
	assert_int_equal(e820_build(&mem, map, 16), 2);
	expect(&map[0], 0, X86_EBDA_START, E820_RAM);
	expect(&map[1], X86_EBDA_START, 800 * 1024 - X86_EBDA_START,
	       E820_RESERVED);

	/* Exactly 1 MiB: no empty RAM entry above. */
	memset(&mem, 0, sizeof(mem));
	add_region(&mem, 0, X86_HIMEM_START);
	assert_int_equal(e820_build(&mem, map, 16), 2);
}

static void test_max_entries(void **state)
{
	struct guest_mem mem = { 0 };
	struct e820_entry map[4];
	memset(map, 0xee, sizeof(map));
	add_region(&mem, 0, 3 * GiB);
	add_region(&mem, 4 * GiB, 1 * GiB);
	assert_int_equal(e820_build(&mem, map, 2), 2);
	assert_int_equal(map[2].type, 0xeeeeeeee); /* untouched */
	assert_int_equal(e820_build(&mem, map, 0), 0);
}

static void test_empty(void **state)
{
	struct guest_mem mem = { 0 };
	struct e820_entry map[4];
	assert_int_equal(e820_build(&mem, map, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_guest),
		cmocka_unit_test(test_above_4g),
		cmocka_unit_test(test_unsorted_regions),
		cmocka_unit_test(test_adjacent_regions_merge),
		cmocka_unit_test(test_tiny_guests),
		cmocka_unit_test(test_max_entries),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
