/* CPUID policy: the topology a guest derives from CPUID must be exactly
 * the --cpus it was given, on Intel- and AMD-shaped inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "arch/x86/cpuid.h"

static void add(struct cpuid_table *t, uint32_t fn, uint32_t idx, uint32_t flags,
		uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	t->e[t->n++] = (struct cpuid_entry){ fn, idx, flags, a, b, c, d };
}

/* An Intel-like host: max leaf 0x1f, leaf 4 caches, leaf 0xb present. */
static void intel_host(struct cpuid_table *t)
{
	memset(t, 0, sizeof(*t));
	add(t, 0, 0, 0, 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69);
	add(t, 1, 0, 0, 0x000906ea, 0x07100800, 0x7ffafbff, 0xbfebfbff);
	add(t, 4, 0, 1, 0x1c004121, 0, 0, 0);
	add(t, 4, 1, 1, 0x1c004122, 0, 0, 0);
	add(t, 4, 2, 1, 0x1c004143, 0, 0, 0);
	add(t, 4, 3, 1, 0, 0, 0, 0);
	add(t, 6, 0, 0, 0, 0, 0, 0);
	add(t, 0xb, 0, 1, 1, 2, 0x100, 7);
	add(t, 0xb, 1, 1, 4, 16, 0x201, 7);
	add(t, 0x80000000, 0, 0, 0x80000008, 0, 0, 0);
	add(t, 0x80000001, 0, 0, 0, 0, 0x121, 0x2c100800);
	add(t, 0x80000008, 0, 0, 0x3027, 0, 0, 0);
	add(t, 0x40000001, 0, 0, 0x01007afb, 0, 0, 0);
}

/* An AMD-like host as seen in the emulated host: max leaf 0xd, TOPOEXT. */
static void amd_host(struct cpuid_table *t)
{
	memset(t, 0, sizeof(*t));
	add(t, 0, 0, 0, 0xd, 0x68747541, 0x444d4163, 0x69746e65);
	add(t, 1, 0, 0, 0x00000f61, 0x00000800, 0x80202001, 0x078bfbfd);
	add(t, 0x80000001, 0, 0, 0, 0, 0x00400001 | (1u << 22), 0);
	add(t, 0x80000008, 0, 0, 0x3030, 0, 0x7, 0);
	add(t, 0x8000001e, 0, 0, 5, 0x100, 0, 0);
}

static void test_intel_topology(void **state)
{
	struct cpuid_table t;
	for (unsigned int n = 1; n <= 255; n = n * 2 + 1) {
		for (unsigned int cpu = 0; cpu < n; cpu += (n / 3) + 1) {
			intel_host(&t);
			assert_int_equal(cpuid_apply_policy(&t, cpu, n), 0);
			struct cpuid_entry *e = cpuid_find(&t, 1, 0);
			assert_int_equal(e->ebx >> 24, cpu);
			assert_int_equal((e->ebx >> 16) & 0xff, n & 0xff);
			assert_true(e->ecx & (1u << 31));
			assert_int_equal(!!(e->edx & (1u << 28)), n > 1);

			e = cpuid_find(&t, 0xb, 0);
			assert_int_equal(e->ebx, 1);
			assert_int_equal(e->edx, cpu);
			assert_int_equal((e->ecx >> 8) & 0xff, 1);
			e = cpuid_find(&t, 0xb, 1);
			assert_int_equal(e->ebx, n);
			assert_true((1u << e->eax) >= n);
			assert_int_equal((e->ecx >> 8) & 0xff, 2);
			e = cpuid_find(&t, 0xb, 2);
			assert_int_equal((e->ecx >> 8) & 0xff, 0);
			assert_non_null(cpuid_find(&t, 0x1f, 1));

			e = cpuid_find(&t, 4, 0);
			assert_int_equal((e->eax >> 26) + 1, n > 64 ? 64 : n);
			assert_int_equal(e->eax & 0x3fff, 0x0121);
			/* L1 private; the last level (L2 here) shared by all. */
			assert_int_equal((e->eax >> 14) & 0xfff, 0);
			e = cpuid_find(&t, 4, 2);
			assert_true(((e->eax >> 14) & 0xfff) + 1 >= n);
			assert_int_equal((e->eax >> 26) + 1, n > 64 ? 64 : n);
		}
	}
}

static void test_kvm_signature(void **state)
{
	struct cpuid_table t;
	intel_host(&t);
	assert_int_equal(cpuid_apply_policy(&t, 0, 2), 0);
	struct cpuid_entry *e = cpuid_find(&t, 0x40000000, 0);
	assert_non_null(e);
	char sig[13] = { 0 };
	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	assert_string_equal(sig, "KVMKVMKVM");
	assert_true(e->eax >= 0x40000001);
	/* The feature leaf KVM offered is kept as it was. */
	assert_int_equal(cpuid_find(&t, 0x40000001, 0)->eax, 0x01007afb);
	assert_true(cpuid_find(&t, 6, 0)->eax & 4);
}

static void test_amd_topology(void **state)
{
	struct cpuid_table t;
	amd_host(&t);
	assert_int_equal(cpuid_apply_policy(&t, 1, 2), 0);
	assert_null(cpuid_find(&t, 0x8000001e, 0));
	struct cpuid_entry *e = cpuid_find(&t, 0x80000001, 0);
	assert_false(e->ecx & (1u << 22));
	assert_true(e->ecx & 2);
	e = cpuid_find(&t, 0x80000008, 0);
	assert_int_equal(e->ecx & 0xff, 1);
	/* Max leaf 0xd covers 0xb: it describes our topology; 0x1f does not exist. */
	assert_int_equal(cpuid_find(&t, 0xb, 1)->ebx, 2);
	assert_int_equal(cpuid_find(&t, 0xb, 0)->edx, 1);
	assert_null(cpuid_find(&t, 0x1f, 0));
	assert_int_equal(cpuid_find(&t, 1, 0)->ebx >> 24, 1);

	amd_host(&t);
	assert_int_equal(cpuid_apply_policy(&t, 0, 1), 0);
	assert_false(cpuid_find(&t, 0x80000001, 0)->ecx & 2);
	assert_int_equal(cpuid_find(&t, 0x80000008, 0)->ecx & 0xff, 0);
}

static void test_full_table(void **state)
{
	struct cpuid_table t;
	memset(&t, 0, sizeof(t));
	add(&t, 0, 0, 0, 0xb, 0, 0, 0);
	while (t.n < CPUID_MAX_ENTRIES)
		add(&t, 0x100 + t.n, 0, 0, 0, 0, 0, 0);
	/* Leaf 0xb's three entries cannot be added: reported, not overrun. */
	assert_int_equal(cpuid_apply_policy(&t, 0, 4), -ENOSPC);
	assert_true(t.n <= CPUID_MAX_ENTRIES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel_topology),
		cmocka_unit_test(test_kvm_signature),
		cmocka_unit_test(test_amd_topology),
		cmocka_unit_test(test_full_table),
	};
	return cmocka_run_group_tests_name("cpuid", tests, NULL, NULL);
}
