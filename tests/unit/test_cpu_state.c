/* The vCPU state check: restore treats saved state as untrusted input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu_state.h"

static char err[128];

static struct x86_vcpu_state *good_state(void)
{
	struct x86_vcpu_state *s = calloc(1, sizeof(*s));
	s->version = X86_VCPU_STATE_VERSION;
	s->mp_state = X86_MP_RUNNABLE;
	s->nr_msrs = 2;
	s->msrs[0].index = 0x10;
	s->msrs[1].index = 0xc0000082;
	s->msrs[1].value = 0xffffffff81000000ull;
	s->interrupt_injected = 1;
	s->interrupt_nr = 0xec;
	return s;
}

static void test_good_state_passes(void **state)
{
	struct x86_vcpu_state *s = good_state();
	assert_int_equal(x86_vcpu_state_check(s, err, sizeof(err)), 0);
	s->nr_msrs = X86_VCPU_STATE_MAX_MSRS;
	for (unsigned int i = 0; i < s->nr_msrs; i++)
		s->msrs[i].index = x86_saved_msrs[i % x86_nr_saved_msrs];
	assert_int_equal(x86_vcpu_state_check(s, err, sizeof(err)), 0);
	free(s);
}

#define EXPECT_REFUSED(mutation)                                              \
	do {                                                                  \
		struct x86_vcpu_state *s = good_state();                       \
		mutation;                                                     \
		assert_int_equal(x86_vcpu_state_check(s, err, sizeof(err)),   \
				 -EINVAL);                                    \
		assert_non_null(strstr(err, "vCPU state"));                   \
		free(s);                                                      \
	} while (0)

static void test_bad_states_refused(void **state)
{
	EXPECT_REFUSED(s->version = 0);
	EXPECT_REFUSED(s->version = X86_VCPU_STATE_VERSION + 1);
	EXPECT_REFUSED(s->mp_state = 9);
	EXPECT_REFUSED(s->nr_msrs = X86_VCPU_STATE_MAX_MSRS + 1);
	EXPECT_REFUSED(s->nr_msrs = UINT32_MAX);
	/* An MSR off the list (here SMM/APIC base and an invented one). */
	EXPECT_REFUSED(s->msrs[1].index = 0x1b);
	EXPECT_REFUSED(s->msrs[0].index = 0xdeadbeef);
	EXPECT_REFUSED(s->msrs[0].reserved = 1);
	EXPECT_REFUSED(s->reserved0 = 1);
	EXPECT_REFUSED(s->reserved1[1] = 1);
	EXPECT_REFUSED(s->reserved2 = 1);
	EXPECT_REFUSED({ s->exception_injected = 1; s->exception_nr = 40; });
	EXPECT_REFUSED(s->interrupt_nr = 3);
	EXPECT_REFUSED(s->sipi_vector = 0x100);
	EXPECT_REFUSED(s->interrupt_shadow = 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_state_passes),
		cmocka_unit_test(test_bad_states_refused),
	};
	return cmocka_run_group_tests_name("cpu_state", tests, NULL, NULL);
}
