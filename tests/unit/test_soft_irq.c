/* Unit tests for the soft accelerator's interrupt wiring (soft_irq.c,
 * soft_eventfd.c, soft_kvmclock.c): MSIs, IOAPIC pins, LAPIC and IOAPIC
 * MMIO as the CPU reaches them, the PIT's ports, irqfds from another
 * thread, ioeventfds, and the paravirtual clock page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "accel/soft/cpu_internal.h"
#include "accel/soft/soft_irq.h"
#include "accel/soft/soft_kvmclock.h"
#include "arch/x86/layout.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct fx {
	struct soft_irq *s;
	struct soft_irq_cpu *c;
	struct x86_cpu cpu;
	int wake_fd;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	x86_cpu_reset(&f->cpu);
	f->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(f->wake_fd >= 0);
	assert_int_equal(soft_irq_create(&f->s), 0);
	f->c = soft_irq_cpu_create(f->s, 0, &f->cpu, f->wake_fd);
	assert_non_null(f->c);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	soft_irq_cpu_destroy(f->c);
	soft_irq_destroy(f->s);
	close(f->wake_fd);
	free(f);
	return 0;
}

static void mmio_w32(struct fx *f, uint64_t gpa, uint32_t v)
{
	assert_true(soft_irq_mmio_write(f->c, gpa, &v, 4));
}

static uint32_t mmio_r32(struct fx *f, uint64_t gpa)
{
	uint32_t v = 0;
	assert_true(soft_irq_mmio_read(f->c, gpa, &v, 4));
	return v;
}

static int pending(struct fx *f)
{
	return soft_irq_intc_ops.pending(f->c);
}

static bool woken(struct fx *f, int timeout_ms)
{
	struct pollfd p = { .fd = f->wake_fd, .events = POLLIN };
	return poll(&p, 1, timeout_ms) == 1;
}

static void enable_apic(struct fx *f)
{
	mmio_w32(f, X86_LAPIC_ADDR + 0xf0, 0x1ff);
}

static void test_msi_reaches_lapic_and_wakes(void **state)
{
	struct fx *f = *state;
	enable_apic(f);
	assert_int_equal(pending(f), -1);
	assert_int_equal(soft_irq_signal_msi(f->s, 0xfee00000, 0x41), 0);
	assert_int_equal(pending(f), 0x41);
	assert_true(woken(f, 0));
	assert_int_equal(atomic_load(&f->cpu.irq_hint), 1);
	soft_irq_intc_ops.ack(f->c, 0x41);
	assert_int_equal(pending(f), -1);
	/* ISR bit visible through the MMIO page, EOI clears it. */
	assert_int_equal(mmio_r32(f, X86_LAPIC_ADDR + 0x120) >> 1 & 1, 1);
	mmio_w32(f, X86_LAPIC_ADDR + 0xb0, 0);
	assert_int_equal(mmio_r32(f, X86_LAPIC_ADDR + 0x120), 0);
	/* Another APIC id, or not an interrupt address: lost, still 0. */
	assert_int_equal(soft_irq_signal_msi(f->s, 0xfee05000, 0x42), 0);
	assert_int_equal(soft_irq_signal_msi(f->s, 0x12345000, 0x43), 0);
	assert_int_equal(pending(f), -1);
}

static void test_lapic_page_follows_apic_base(void **state)
{
	struct fx *f = *state;
	uint32_t v;
	/* Globally disabled: the page is not the APIC's. */
	f->cpu.apic_base &= ~(1ull << 11);
	assert_false(soft_irq_mmio_read(f->c, X86_LAPIC_ADDR + 0x30, &v, 4));
	f->cpu.apic_base = 0xfed00000ull | (1ull << 11) | (1ull << 8);
	assert_int_equal(mmio_r32(f, 0xfed00030), 0x00050014);
	assert_false(soft_irq_mmio_read(f->c, X86_LAPIC_ADDR + 0x30, &v, 4));
}

static void test_ioapic_pin_and_level_eoi(void **state)
{
	struct fx *f = *state;
	enable_apic(f);
	/* Pin 9: vector 0x59, level, to APIC 0. */
	mmio_w32(f, X86_IOAPIC_ADDR, 0x10 + 18);
	mmio_w32(f, X86_IOAPIC_ADDR + 0x10, 0x59 | (1u << 15));
	soft_irq_set_line(f->s, 9, 1);
	assert_int_equal(pending(f), 0x59);
	soft_irq_intc_ops.ack(f->c, 0x59);
	/* Still asserted at EOI: the IOAPIC sends it again. */
	mmio_w32(f, X86_LAPIC_ADDR + 0xb0, 0);
	assert_int_equal(pending(f), 0x59);
	soft_irq_intc_ops.ack(f->c, 0x59);
	soft_irq_set_line(f->s, 9, 0);
	mmio_w32(f, X86_LAPIC_ADDR + 0xb0, 0);
	assert_int_equal(pending(f), -1);
	mmio_w32(f, X86_IOAPIC_ADDR, 0x10 + 18);
	assert_int_equal(mmio_r32(f, X86_IOAPIC_ADDR + 0x10) & (1u << 14), 0);
}

static void test_pit_ports_and_irq0(void **state)
{
	struct fx *f = *state;
	uint8_t b;
	enable_apic(f);
	/* Channel 0, 100 Hz, to IOAPIC pin 2 -> vector 0x30. */
	mmio_w32(f, X86_IOAPIC_ADDR, 0x10 + 4);
	mmio_w32(f, X86_IOAPIC_ADDR + 0x10, 0x30);
	b = 0x34;
	assert_true(soft_irq_pio(f->s, 0x43, &b, 1, true));
	b = 0x9c;
	assert_true(soft_irq_pio(f->s, 0x40, &b, 1, true));
	b = 0x2e;
	assert_true(soft_irq_pio(f->s, 0x40, &b, 1, true));
	uint64_t deadline = soft_irq_cpu_service(f->c);
	assert_true(deadline != IRQ_NO_DEADLINE);
	usleep(25 * 1000);
	soft_irq_cpu_service(f->c);
	assert_int_equal(pending(f), 0x30);
	/* Port 0x61 belongs to the PIT too; others are not taken. */
	assert_true(soft_irq_pio(f->s, 0x61, &b, 1, false));
	assert_false(soft_irq_pio(f->s, 0x60, &b, 1, false));
}

static void test_irqfd_from_another_thread(void **state)
{
	struct fx *f = *state;
	enable_apic(f);
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(efd >= 0);
	int route = soft_irq_irqfd_add(f->s, efd, 0xfee00000, 0x61);
	assert_true(route >= 0);
	uint64_t one = 1;
	assert_int_equal(write(efd, &one, 8), 8);
	for (int i = 0; i < 200 && pending(f) < 0; i++)
		usleep(5000);
	assert_int_equal(pending(f), 0x61);
	soft_irq_intc_ops.ack(f->c, 0x61);
	mmio_w32(f, X86_LAPIC_ADDR + 0xb0, 0); /* EOI: 0x62 is the same class */
	/* Retargeted to vector 0x62. */
	assert_int_equal(soft_irq_irqfd_update(f->s, route, 0xfee00000, 0x62), 0);
	assert_int_equal(write(efd, &one, 8), 8);
	for (int i = 0; i < 200 && pending(f) < 0; i++)
		usleep(5000);
	assert_int_equal(pending(f), 0x62);
	soft_irq_intc_ops.ack(f->c, 0x62);
	mmio_w32(f, X86_LAPIC_ADDR + 0xb0, 0);
	/* Removed: a signal stays in the eventfd. */
	soft_irq_irqfd_remove(f->s, route);
	assert_int_equal(write(efd, &one, 8), 8);
	usleep(50 * 1000);
	assert_int_equal(pending(f), -1);
	uint64_t n = 0;
	assert_int_equal(read(efd, &n, 8), 8);
	assert_int_equal(n, 1);
	assert_int_equal(soft_irq_irqfd_update(f->s, route, 0xfee00000, 0x62), -EINVAL);
	close(efd);
}

static void test_ioeventfd(void **state)
{
	struct fx *f = *state;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t n;
	uint32_t v = 7;
	assert_true(efd >= 0);
	assert_int_equal(soft_irq_ioeventfd_add(f->s, 0xc0001000, 0, false, efd), 0);
	assert_int_equal(soft_irq_ioeventfd_add(f->s, 0x510, 2, true, efd), 0);
	assert_int_equal(soft_irq_ioeventfd_add(f->s, 0x510, 3, true, efd), -EINVAL);
	assert_true(soft_irq_mmio_write(f->c, 0xc0001000, &v, 4));
	assert_false(soft_irq_mmio_write(f->c, 0xc0001004, &v, 4));
	assert_int_equal(read(efd, &n, 8), 8);
	assert_int_equal(n, 1);
	/* PIO: only the registered width. */
	assert_false(soft_irq_pio(f->s, 0x510, &v, 4, true));
	assert_true(soft_irq_pio(f->s, 0x510, &v, 2, true));
	assert_false(soft_irq_pio(f->s, 0x510, &v, 2, false));
	assert_int_equal(read(efd, &n, 8), 8);
	soft_irq_ioeventfd_remove(f->s, 0xc0001000, 0, false, efd);
	assert_false(soft_irq_mmio_write(f->c, 0xc0001000, &v, 4));
	soft_irq_ioeventfd_remove(f->s, 0x510, 2, true, efd);
	assert_false(soft_irq_pio(f->s, 0x510, &v, 2, true));
	close(efd);
}

static void test_tsc_and_kvmclock(void **state)
{
	struct fx *f = *state;
	/* The TSC follows the clock at 1 GHz. */
	uint64_t a = x86_rdtsc_value(&f->cpu);
	usleep(20 * 1000);
	uint64_t b = x86_rdtsc_value(&f->cpu);
	assert_true(b - a >= 20000000ull && b - a < 2000000000ull);

	struct cpuid_table t;
	soft_kvmclock_cpuid(&t, 0);
	struct cpuid_entry *sig = cpuid_find(&t, 0x40000000, 0);
	assert_non_null(sig);
	assert_memory_equal(&sig->ebx, "KVMK", 4);
	struct cpuid_entry *feat = cpuid_find(&t, 0x40000001, 0);
	assert_non_null(feat);
	assert_int_equal(feat->eax, (1u << 3) | (1u << 24));
	assert_true(cpuid_find(&t, 1, 0)->ecx & (1u << 31));

	/* The time page in a small guest RAM. */
	struct guest_mem mem;
	assert_int_equal(guest_mem_init(&mem, 1u << 20, X86_PCI_HOLE_START, GUEST_MEM_ANON), 0);
	struct soft_kvmclock k = { .mem = &mem, .cpu = &f->cpu,
				   .clock_ns = soft_irq_tsc, .clock_opaque = f->s };
	uint64_t msr = 0x2000 | 1;
	assert_int_equal(soft_kvmclock_msr(&k, MSR_KVM_SYSTEM_TIME_NEW, &msr, true), 0);
	uint8_t *page = guest_mem_slice(&mem, 0x2000, 32);
	uint32_t version, mul;
	uint64_t tsc_ts, sys;
	memcpy(&version, page, 4);
	memcpy(&tsc_ts, page + 8, 8);
	memcpy(&sys, page + 16, 8);
	memcpy(&mul, page + 24, 4);
	assert_int_equal(version & 1, 0);
	assert_int_equal(mul, 1u << 31);
	assert_int_equal((int8_t)page[28], 1);
	assert_int_equal(page[29], 1); /* TSC stable */
	assert_int_equal(tsc_ts - sys, f->cpu.tsc_offset);
	uint64_t back = 0;
	assert_int_equal(soft_kvmclock_msr(&k, MSR_KVM_SYSTEM_TIME_NEW, &back, false), 0);
	assert_int_equal(back, msr);
	uint64_t wall = 0x3000;
	assert_int_equal(soft_kvmclock_msr(&k, MSR_KVM_WALL_CLOCK_NEW, &wall, true), 0);
	uint32_t sec;
	memcpy(&sec, guest_mem_slice(&mem, 0x3004, 4), 4);
	assert_true(sec > 1700000000u); /* a plausible boot time (2023+) */
	/* Outside RAM: ignored, not a crash. Unknown MSRs: #GP. */
	msr = 0xfffff000ull | 1;
	assert_int_equal(soft_kvmclock_msr(&k, MSR_KVM_SYSTEM_TIME_NEW, &msr, true), 0);
	assert_int_equal(soft_kvmclock_msr(&k, 0x4b564d02, &msr, true), -1);
	guest_mem_destroy(&mem);
}

static void test_tsc_deadline_msr(void **state)
{
	struct fx *f = *state;
	uint64_t v = 0;
	enable_apic(f);
	struct cpuid_table t;
	soft_kvmclock_cpuid(&t, 0);
	soft_irq_cpuid(&t);
	assert_true(cpuid_find(&t, 1, 0)->ecx & (1u << 24));
	/* Not in TSC-deadline mode: writes are dropped, reads give 0. */
	v = 12345;
	assert_int_equal(soft_irq_tsc_deadline(f->c, &v, true), 0);
	assert_int_equal(soft_irq_tsc_deadline(f->c, &v, false), 0);
	assert_int_equal(v, 0);
	mmio_w32(f, X86_LAPIC_ADDR + 0x320, (2u << 17) | 0xec);
	/* The guest's TSC runs ahead of the clock by its offset. */
	f->cpu.tsc_offset = 1000000000000ull;
	uint64_t tsc = x86_rdtsc_value(&f->cpu) + 5000000; /* 5 ms ahead */
	v = tsc;
	assert_int_equal(soft_irq_tsc_deadline(f->c, &v, true), 0);
	assert_int_equal(soft_irq_tsc_deadline(f->c, &v, false), 0);
	assert_int_equal(v, tsc);
	uint64_t d = soft_irq_cpu_service(f->c);
	assert_true(d == tsc - f->cpu.tsc_offset);
	assert_int_equal(pending(f), -1);
	usleep(10 * 1000);
	soft_irq_cpu_service(f->c);
	assert_int_equal(pending(f), 0xec);
	assert_int_equal(soft_irq_tsc_deadline(f->c, &v, false), 0);
	assert_int_equal(v, 0); /* fired: reads 0 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_msi_reaches_lapic_and_wakes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lapic_page_follows_apic_base, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioapic_pin_and_level_eoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pit_ports_and_irq0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irqfd_from_another_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioeventfd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tsc_and_kvmclock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tsc_deadline_msr, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
