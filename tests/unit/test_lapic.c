/* Unit tests for the local APIC model and the APIC bus, with a clock the
 * test advances. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "irq/apic_bus.h"
#include "irq/lapic.h"

#include <stdlib.h>
#include <string.h>

#define ID 0x020
#define VER 0x030
#define TPR 0x080
#define PPR 0x0a0
#define EOI 0x0b0
#define LDR 0x0d0
#define DFR 0x0e0
#define SVR 0x0f0
#define ISR 0x100
#define TMR 0x180
#define IRR 0x200
#define ESR 0x280
#define ICR_LO 0x300
#define ICR_HI 0x310
#define LVT_TIMER 0x320
#define LVT_LINT0 0x350
#define LVT_LINT1 0x360
#define LVT_ERR 0x370
#define TMICT 0x380
#define TMCCT 0x390
#define TDCR 0x3e0

struct fx {
	uint64_t now;
	struct irq_clock clock;
	struct lapic *l[2];
	struct apic_bus bus;
	int notified[2];
	uint8_t eoi[8];
	unsigned int nr_eoi;
};

static uint64_t fake_now(void *opaque)
{
	return ((struct fx *)opaque)->now;
}

static void host_notify(void *opaque)
{
	int *n = opaque;
	(*n)++;
}

/* The host callbacks get the counter of their APIC; the fixture is found
 * from it for eoi/send (two APICs, so the index tells which). */
static struct fx *the_fx;

static void host_eoi(void *opaque, uint8_t vector)
{
	if (the_fx->nr_eoi < 8)
		the_fx->eoi[the_fx->nr_eoi++] = vector;
}

static void host_send(void *opaque, struct lapic *from, const struct apic_msg *m)
{
	apic_bus_deliver(&the_fx->bus, from, m);
}

static const struct lapic_host_ops ops = {
	.notify = host_notify, .eoi = host_eoi, .send = host_send,
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	the_fx = f;
	f->now = 1000000;
	f->clock = (struct irq_clock){ fake_now, f };
	for (int i = 0; i < 2; i++) {
		f->l[i] = lapic_create((uint8_t)i, &f->clock, &ops, &f->notified[i]);
		assert_non_null(f->l[i]);
		f->bus.lapic[i] = f->l[i];
	}
	f->bus.n = 2;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	for (int i = 0; i < 2; i++)
		lapic_destroy(f->l[i]);
	free(f);
	return 0;
}

static uint32_t rd(struct lapic *l, uint32_t reg)
{
	return (uint32_t)lapic_mmio_read(l, reg, 4);
}

static void wr(struct lapic *l, uint32_t reg, uint32_t v)
{
	lapic_mmio_write(l, reg, 4, v);
}

/* Bit `v` of the IRR/ISR/TMR register array at `base`. */
static unsigned int vbit(struct lapic *l, uint32_t base, unsigned int v)
{
	return rd(l, base + 0x10 * (v / 32)) >> (v % 32) & 1;
}

static void enable(struct lapic *l)
{
	wr(l, SVR, 0x1ff);
}

static struct apic_msg fixed(uint8_t vector, uint8_t dest)
{
	return (struct apic_msg){ .vector = vector, .delivery = APIC_DM_FIXED,
				  .assert = true, .dest = dest };
}

static void test_reset_state(void **state)
{
	struct fx *f = *state;
	assert_int_equal(rd(f->l[1], ID), 1u << 24);
	assert_int_equal(rd(f->l[0], VER), 0x00050014);
	assert_int_equal(rd(f->l[0], SVR), 0xff);
	assert_int_equal(rd(f->l[0], DFR), 0xffffffffu);
	assert_int_equal(rd(f->l[0], LVT_TIMER), 1u << 16);
	assert_int_equal(rd(f->l[0], LVT_LINT1), 1u << 16);
	/* Byte reads see part of the register. */
	assert_int_equal(lapic_mmio_read(f->l[1], ID + 3, 1), 1);
}

static void test_disabled_drops_fixed_and_masks_lvts(void **state)
{
	struct fx *f = *state;
	struct apic_msg m = fixed(0x40, 0);
	lapic_accept(f->l[0], &m);
	assert_int_equal(lapic_pending(f->l[0]), -1);
	/* A masked-bit-clear LVT write stays masked while disabled. */
	wr(f->l[0], LVT_TIMER, 0x30);
	assert_int_equal(rd(f->l[0], LVT_TIMER), 0x10030);
	enable(f->l[0]);
	wr(f->l[0], LVT_TIMER, 0x30);
	assert_int_equal(rd(f->l[0], LVT_TIMER), 0x30);
	/* Disabling masks them all again. */
	wr(f->l[0], SVR, 0xff);
	assert_int_equal(rd(f->l[0], LVT_TIMER), 0x10030);
}

static void test_priority_irr_isr_eoi(void **state)
{
	struct fx *f = *state;
	struct lapic *l = f->l[0];
	enable(l);
	struct apic_msg a = fixed(0x41, 0), b = fixed(0x82, 0);
	lapic_accept(l, &a);
	assert_true(f->notified[0] > 0);
	assert_int_equal(vbit(l, IRR, 0x41), 1);
	lapic_accept(l, &b);
	assert_int_equal(lapic_pending(l), 0x82);
	lapic_ack(l, 0x82);
	assert_int_equal(vbit(l, ISR, 0x82), 1);
	assert_int_equal(rd(l, PPR), 0x80);
	/* 0x41 is below the in-service class: held. */
	assert_int_equal(lapic_pending(l), -1);
	wr(l, EOI, 0);
	assert_int_equal(vbit(l, ISR, 0x82), 0);
	assert_int_equal(f->nr_eoi, 0); /* edge: no EOI to the IOAPIC */
	/* TPR blocks classes at or below it. */
	wr(l, TPR, 0x40);
	assert_int_equal(rd(l, PPR), 0x40);
	assert_int_equal(lapic_pending(l), -1);
	wr(l, TPR, 0x30);
	assert_int_equal(lapic_pending(l), 0x41);
}

static void test_level_eoi_reported(void **state)
{
	struct fx *f = *state;
	struct lapic *l = f->l[0];
	enable(l);
	struct apic_msg m = fixed(0x60, 0);
	m.level_trig = true;
	lapic_accept(l, &m);
	assert_int_equal(vbit(l, TMR, 0x60), 1);
	lapic_ack(l, lapic_pending(l));
	wr(l, EOI, 0);
	assert_int_equal(f->nr_eoi, 1);
	assert_int_equal(f->eoi[0], 0x60);
}

static void test_illegal_vector_sets_esr(void **state)
{
	struct fx *f = *state;
	struct lapic *l = f->l[0];
	enable(l);
	wr(l, LVT_ERR, 0xfe);
	struct apic_msg m = fixed(3, 0);
	lapic_accept(l, &m);
	assert_int_equal(lapic_pending(l), 0xfe); /* the error LVT fired */
	assert_int_equal(rd(l, ESR), 0);           /* until ESR is written */
	wr(l, ESR, 0);
	assert_int_equal(rd(l, ESR), 1u << 6);     /* received illegal vector */
	wr(l, ESR, 0);
	assert_int_equal(rd(l, ESR), 0);
	/* Sending one: bit 5. */
	wr(l, ICR_LO, 0x40005); /* self, vector 5 */
	wr(l, ESR, 0);
	assert_int_equal(rd(l, ESR), 1u << 5);
}

static void test_timer_oneshot_and_divide(void **state)
{
	struct fx *f = *state;
	struct lapic *l = f->l[0];
	enable(l);
	wr(l, TDCR, 0x3);        /* divide by 16 */
	wr(l, LVT_TIMER, 0x40);  /* one-shot */
	wr(l, TMICT, 1000);
	assert_int_equal(lapic_next_deadline(l), f->now + 16000);
	f->now += 1600;
	assert_int_equal(rd(l, TMCCT), 900);
	lapic_poll(l);
	assert_int_equal(lapic_pending(l), -1);
	f->now += 14400;
	lapic_poll(l);
	assert_int_equal(lapic_pending(l), 0x40);
	assert_int_equal(rd(l, TMCCT), 0);
	assert_int_equal(lapic_next_deadline(l), IRQ_NO_DEADLINE);
	/* Divide by 1 is code 0xb. */
	wr(l, TDCR, 0xb);
	wr(l, TMICT, 10);
	assert_int_equal(lapic_next_deadline(l), f->now + 10);
	/* Writing 0 stops it. */
	wr(l, TMICT, 0);
	assert_int_equal(lapic_next_deadline(l), IRQ_NO_DEADLINE);
}

static void test_timer_periodic_masked(void **state)
{
	struct fx *f = *state;
	struct lapic *l = f->l[0];
	enable(l);
	wr(l, TDCR, 0xb);
	wr(l, LVT_TIMER, (1u << 17) | (1u << 16) | 0x50); /* periodic, masked */
	wr(l, TMICT, 100);
	uint64_t t0 = f->now;
	f->now += 350;
	lapic_poll(l);
	assert_int_equal(lapic_pending(l), -1); /* masked: counts, no IRQ */
	assert_int_equal(lapic_next_deadline(l), t0 + 400); /* missed ones skipped */
	assert_int_equal(rd(l, TMCCT), 50);
	wr(l, LVT_TIMER, (1u << 17) | 0x50);
	f->now = t0 + 400;
	lapic_poll(l);
	assert_int_equal(lapic_pending(l), 0x50);
	assert_int_equal(lapic_next_deadline(l), t0 + 500);
}

static void test_timer_tsc_deadline(void **state)
{
	struct fx *f = *state;
	struct lapic *l = f->l[0];
	enable(l);
	lapic_set_tsc_hz(l, 2000000000ull, 0); /* TSC = 2 * ns */
	wr(l, LVT_TIMER, (2u << 17) | 0x70);
	wr(l, TMICT, 5); /* ignored in this mode */
	assert_int_equal(lapic_next_deadline(l), IRQ_NO_DEADLINE);
	lapic_write_tsc_deadline(l, 2 * (f->now + 500));
	assert_int_equal(lapic_next_deadline(l), f->now + 500);
	assert_int_equal(lapic_read_tsc_deadline(l), 2 * (f->now + 500));
	f->now += 500;
	lapic_poll(l);
	assert_int_equal(lapic_pending(l), 0x70);
	assert_int_equal(lapic_read_tsc_deadline(l), 0);
	/* Leaving the mode disarms. */
	lapic_write_tsc_deadline(l, 2 * (f->now + 500));
	wr(l, LVT_TIMER, 0x70);
	assert_int_equal(lapic_next_deadline(l), IRQ_NO_DEADLINE);
}

static void test_lint_nmi(void **state)
{
	struct fx *f = *state;
	struct lapic *l = f->l[0];
	enable(l);
	wr(l, LVT_LINT1, 4u << 8); /* NMI, edge */
	assert_false(lapic_take_nmi(l));
	lapic_set_lint(l, 1, 1);
	assert_true(lapic_take_nmi(l));
	assert_false(lapic_take_nmi(l));
	lapic_set_lint(l, 1, 1); /* no new edge */
	assert_false(lapic_take_nmi(l));
	/* LINT0 fixed, level: fires while high. */
	wr(l, LVT_LINT0, (1u << 15) | 0x33);
	lapic_set_lint(l, 0, 1);
	assert_int_equal(lapic_pending(l), 0x33);
	assert_int_equal(vbit(l, TMR, 0x33), 1);
}

static void test_destinations(void **state)
{
	struct fx *f = *state;
	enable(f->l[0]);
	enable(f->l[1]);
	struct apic_msg m = fixed(0x50, 1);
	assert_int_equal(apic_bus_deliver(&f->bus, NULL, &m), 1);
	assert_int_equal(lapic_pending(f->l[1]), 0x50);
	assert_int_equal(lapic_pending(f->l[0]), -1);
	m = fixed(0x51, 0xff); /* physical broadcast */
	assert_int_equal(apic_bus_deliver(&f->bus, NULL, &m), 2);
	/* Logical flat: LDR bits. */
	wr(f->l[0], LDR, 0x01000000);
	wr(f->l[1], LDR, 0x02000000);
	m = fixed(0x52, 0x02);
	m.logical = true;
	assert_int_equal(apic_bus_deliver(&f->bus, NULL, &m), 1);
	assert_int_equal(vbit(f->l[1], IRR, 0x52), 1);
	assert_int_equal(vbit(f->l[0], IRR, 0x52), 0);
	/* Cluster: cluster 1, members 1 and 2. */
	wr(f->l[0], DFR, 0x0fffffff);
	wr(f->l[1], DFR, 0x0fffffff);
	wr(f->l[0], LDR, 0x11000000);
	wr(f->l[1], LDR, 0x22000000);
	m = fixed(0x53, 0x13);
	m.logical = true;
	assert_int_equal(apic_bus_deliver(&f->bus, NULL, &m), 1);
	assert_int_equal(vbit(f->l[0], IRR, 0x53), 1);
	assert_int_equal(vbit(f->l[1], IRR, 0x53), 0);
	/* Lowest priority: the lower TPR wins. */
	wr(f->l[0], DFR, 0xffffffff);
	wr(f->l[1], DFR, 0xffffffff);
	wr(f->l[0], LDR, 0x01000000);
	wr(f->l[1], LDR, 0x02000000);
	wr(f->l[0], TPR, 0x20);
	m = fixed(0x64, 0x03);
	m.logical = true;
	m.delivery = APIC_DM_LOWEST;
	assert_int_equal(apic_bus_deliver(&f->bus, NULL, &m), 1);
	assert_int_equal(vbit(f->l[1], IRR, 0x64), 1);
	assert_int_equal(vbit(f->l[0], IRR, 0x64), 0);
}

static void test_icr_shorthands_init_sipi(void **state)
{
	struct fx *f = *state;
	enable(f->l[0]);
	enable(f->l[1]);
	wr(f->l[0], ICR_LO, (1u << 18) | 0x45); /* self */
	assert_int_equal(lapic_pending(f->l[0]), 0x45);
	assert_int_equal(lapic_pending(f->l[1]), -1);
	wr(f->l[0], ICR_LO, (3u << 18) | 0x46); /* all but self */
	assert_int_equal(lapic_pending(f->l[1]), 0x46);
	assert_int_equal(vbit(f->l[0], IRR, 0x46), 0);
	wr(f->l[1], ICR_LO, (2u << 18) | 0x47); /* all including self */
	assert_int_equal(vbit(f->l[0], IRR, 0x47), 1);
	assert_int_equal(vbit(f->l[1], IRR, 0x47), 1);
	/* Delivery status reads idle. */
	assert_int_equal(rd(f->l[1], ICR_LO) & (1u << 12), 0);
	/* INIT assert, INIT de-assert (ignored), SIPI to APIC 1. */
	wr(f->l[0], ICR_HI, 1u << 24);
	wr(f->l[0], ICR_LO, (1u << 14) | (5u << 8));
	wr(f->l[0], ICR_LO, (1u << 15) | (5u << 8));
	assert_true(lapic_take_init(f->l[1]));
	assert_false(lapic_take_init(f->l[1]));
	wr(f->l[0], ICR_LO, (1u << 14) | (6u << 8) | 0x9a);
	uint8_t vec = 0;
	assert_true(lapic_take_sipi(f->l[1], &vec));
	assert_int_equal(vec, 0x9a);
	/* NMI through the ICR. */
	wr(f->l[0], ICR_LO, (1u << 14) | (4u << 8));
	assert_true(lapic_take_nmi(f->l[1]));
	assert_false(lapic_take_nmi(f->l[0]));
}

static void test_bad_accesses(void **state)
{
	struct fx *f = *state;
	struct lapic *l = f->l[0];
	enable(l);
	/* Unaligned or narrow writes reach nothing. */
	lapic_mmio_write(l, TPR + 1, 4, 0xff);
	lapic_mmio_write(l, TPR, 2, 0xff);
	assert_int_equal(rd(l, TPR), 0);
	assert_int_equal(lapic_mmio_read(l, 0x2000, 4), 0);
	assert_int_equal(lapic_mmio_read(l, TPR + 2, 4), 0); /* crosses */
	/* A reserved register: illegal register address. */
	rd(l, 0x3f0);
	wr(l, ESR, 0);
	assert_int_equal(rd(l, ESR), 1u << 7);
	lapic_ack(l, 999);
	lapic_ack(l, -5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_drops_fixed_and_masks_lvts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority_irr_isr_eoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_eoi_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_illegal_vector_sets_esr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_oneshot_and_divide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_periodic_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_tsc_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lint_nmi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destinations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icr_shorthands_init_sipi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_accesses, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
