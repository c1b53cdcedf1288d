/* Unit tests for the IOAPIC model: registers through MMIO, edge and level
 * pins, remote IRR and EOI, masking, the message it sends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "irq/ioapic.h"

#include <stdlib.h>

struct fx {
	struct ioapic *io;
	struct apic_msg sent[16];
	unsigned int nr;
};

static void record(void *opaque, const struct apic_msg *m)
{
	struct fx *f = opaque;
	if (f->nr < 16)
		f->sent[f->nr++] = *m;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->io = ioapic_create(1, record, f);
	assert_non_null(f->io);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ioapic_destroy(f->io);
	free(f);
	return 0;
}

static uint32_t rd(struct fx *f, uint32_t reg)
{
	ioapic_mmio_write(f->io, 0x00, 4, reg);
	return (uint32_t)ioapic_mmio_read(f->io, 0x10, 4);
}

static void wr(struct fx *f, uint32_t reg, uint32_t v)
{
	ioapic_mmio_write(f->io, 0x00, 4, reg);
	ioapic_mmio_write(f->io, 0x10, 4, v);
}

static void route(struct fx *f, unsigned int pin, uint32_t lo, uint8_t dest)
{
	wr(f, 0x11 + 2 * pin, (uint32_t)dest << 24);
	wr(f, 0x10 + 2 * pin, lo);
}

static void test_identity_registers(void **state)
{
	struct fx *f = *state;
	assert_int_equal(rd(f, 0x00), 1u << 24);
	assert_int_equal(rd(f, 0x01), 0x00170020); /* 24 pins, version 0x20 */
	assert_int_equal(ioapic_mmio_read(f->io, 0x00, 4), 0x01);
	/* Every entry starts masked. */
	for (unsigned int pin = 0; pin < IOAPIC_PINS; pin++)
		assert_int_equal(rd(f, 0x10 + 2 * pin), 1u << 16);
	/* Version is read-only; beyond the table reads all-ones. */
	wr(f, 0x01, 0);
	assert_int_equal(rd(f, 0x01), 0x00170020);
	assert_int_equal(rd(f, 0x40), 0xffffffffu);
	/* Other widths are not accesses. */
	assert_int_equal(ioapic_mmio_read(f->io, 0x10, 2), 0);
}

static void test_edge_and_mask(void **state)
{
	struct fx *f = *state;
	ioapic_set_irq(f->io, 4, 1);
	ioapic_set_irq(f->io, 4, 0);
	assert_int_equal(f->nr, 0); /* masked */
	route(f, 4, 0x31, 2);
	ioapic_set_irq(f->io, 4, 1);
	ioapic_set_irq(f->io, 4, 1); /* no new edge */
	ioapic_set_irq(f->io, 4, 0);
	assert_int_equal(f->nr, 1);
	assert_int_equal(f->sent[0].vector, 0x31);
	assert_int_equal(f->sent[0].dest, 2);
	assert_false(f->sent[0].level_trig);
	assert_false(f->sent[0].logical);
	assert_int_equal(f->sent[0].delivery, APIC_DM_FIXED);
	/* Logical, lowest priority. */
	route(f, 5, 0x32 | (1u << 8) | (1u << 11), 0x0f);
	ioapic_set_irq(f->io, 5, 1);
	assert_int_equal(f->nr, 2);
	assert_true(f->sent[1].logical);
	assert_int_equal(f->sent[1].delivery, APIC_DM_LOWEST);
	/* Pins out of range are ignored. */
	ioapic_set_irq(f->io, 24, 1);
	ioapic_set_irq(f->io, 0xffffffffu, 1);
	assert_int_equal(f->nr, 2);
}

static void test_level_remote_irr(void **state)
{
	struct fx *f = *state;
	route(f, 9, 0x49 | (1u << 15), 0);
	ioapic_set_irq(f->io, 9, 1);
	assert_int_equal(f->nr, 1);
	assert_true(f->sent[0].level_trig);
	assert_true(rd(f, 0x10 + 18) & (1u << 14)); /* remote IRR */
	ioapic_set_irq(f->io, 9, 1);
	assert_int_equal(f->nr, 1); /* in service: not again */
	/* EOI while still asserted: delivered again. */
	ioapic_eoi(f->io, 0x49);
	assert_int_equal(f->nr, 2);
	/* The line drops, EOI through the register: remote IRR clears. */
	ioapic_set_irq(f->io, 9, 0);
	ioapic_mmio_write(f->io, 0x40, 4, 0x49);
	assert_int_equal(f->nr, 2);
	assert_false(rd(f, 0x10 + 18) & (1u << 14));
	/* An EOI for another vector changes nothing. */
	ioapic_set_irq(f->io, 9, 1);
	assert_int_equal(f->nr, 3);
	ioapic_eoi(f->io, 0x48);
	assert_true(rd(f, 0x10 + 18) & (1u << 14));
	/* Remote IRR is read-only to software. */
	wr(f, 0x10 + 18, 0x49 | (1u << 15));
	assert_true(rd(f, 0x10 + 18) & (1u << 14));
}

static void test_unmask_asserted_level(void **state)
{
	struct fx *f = *state;
	route(f, 10, 0x50 | (1u << 15) | (1u << 16), 0);
	ioapic_set_irq(f->io, 10, 1);
	assert_int_equal(f->nr, 0);
	route(f, 10, 0x50 | (1u << 15), 0);
	assert_int_equal(f->nr, 1);
	assert_int_equal(f->sent[0].vector, 0x50);
}

static void test_active_low(void **state)
{
	struct fx *f = *state;
	route(f, 11, 0x51 | (1u << 13), 0); /* edge, active low */
	ioapic_set_irq(f->io, 11, 1);
	assert_int_equal(f->nr, 0);
	ioapic_set_irq(f->io, 11, 0);
	assert_int_equal(f->nr, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge_and_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_remote_irr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmask_asserted_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_low, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
