/* libFuzzer target: the interrupt controller models take whatever a guest
 * writes to their registers and ports. Two local APICs on a bus, an
 * IOAPIC delivering to it and a PIT raising its pin 2 are driven by a
 * stream of 8-byte operations (register accesses, interrupt lines, MSIs,
 * the CPU taking vectors, time passing); nothing may crash, and what the
 * CPU is offered must be a vector it can take. */
#include "irq/apic_bus.h"
#include "irq/i8254.h"
#include "irq/ioapic.h"
#include "irq/lapic.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct world {
	uint64_t now;
	struct irq_clock clock;
	struct apic_bus bus;
	struct ioapic *io;
	struct i8254 *pit;
	int depth; /* EOI -> IOAPIC -> APIC must not recurse without end */
};

static struct world *W;

static uint64_t now_ns(void *opaque)
{
	return ((struct world *)opaque)->now;
}

static void notify(void *opaque)
{
}

static void eoi(void *opaque, uint8_t vector)
{
	if (++W->depth > 4)
		abort();
	ioapic_eoi(W->io, vector);
	W->depth--;
}

static void send(void *opaque, struct lapic *from, const struct apic_msg *m)
{
	apic_bus_deliver(&W->bus, from, m);
}

static const struct lapic_host_ops ops = { notify, eoi, send };

static void deliver(void *opaque, const struct apic_msg *m)
{
	apic_bus_deliver(&W->bus, NULL, m);
}

static void pit_irq(void *ctx, uint32_t gsi, int level)
{
	ioapic_set_irq(W->io, gsi, level);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world w = { .now = 1000 };
	W = &w;
	w.clock = (struct irq_clock){ now_ns, &w };
	for (int i = 0; i < 2; i++)
		w.bus.lapic[i] = lapic_create((uint8_t)i, &w.clock, &ops, NULL);
	w.bus.n = 2;
	w.io = ioapic_create(2, deliver, NULL);
	struct irq_line irq0 = { pit_irq, NULL, 2 };
	w.pit = i8254_create(&w.clock, &irq0);
	if (!w.bus.lapic[0] || !w.bus.lapic[1] || !w.io || !w.pit)
		abort();

	for (size_t i = 0; i + 8 <= size; i += 8) {
		const uint8_t *op = data + i;
		struct lapic *l = w.bus.lapic[op[0] >> 7];
		uint32_t off, val;
		memcpy(&off, op + 1, 4);
		memcpy(&val, op + 4, 4);
		unsigned len = 1u << (op[1] & 3);
		switch (op[0] & 15) {
		case 0: lapic_mmio_write(l, off & 0xfff, 4, val); break;
		case 1: lapic_mmio_write(l, off & 0xfff, len, val); break;
		case 2: (void)lapic_mmio_read(l, off & 0x1fff, len); break;
		case 3: ioapic_mmio_write(w.io, off & 0x7f, 4, val); break;
		case 4: (void)ioapic_mmio_read(w.io, off & 0x7f, len); break;
		case 5: ioapic_set_irq(w.io, op[2] % 26, op[3] & 1); break;
		case 6: i8254_write(w.pit, (uint16_t)(0x40 + op[2] % 4), op[3]); break;
		case 7: (void)i8254_read(w.pit, (uint16_t)(0x40 + op[2] % 4)); break;
		case 8: i8254_write(w.pit, 0x61, op[3]); break;
		case 9: {
			struct apic_msg m;
			if (apic_msg_from_msi(0xfee00000ull | (off & 0xfffff), val, &m))
				apic_bus_deliver(&w.bus, NULL, &m);
			break;
		}
		case 10: {
			int v = lapic_pending(l);
			if (v != -1 && (v < 16 || v > 255))
				abort();
			if (v >= 0)
				lapic_ack(l, v);
			break;
		}
		case 11: w.now += val; break;
		case 12: lapic_set_lint(l, op[2] & 1, op[3] & 1); break;
		case 13: lapic_write_tsc_deadline(l, (uint64_t)val << (op[2] & 31)); break;
		case 14: lapic_set_tsc_hz(l, val ? val : 1, op[2]); break;
		default: {
			uint8_t vec;
			lapic_poll(l);
			i8254_poll(w.pit);
			(void)lapic_take_nmi(l);
			(void)lapic_take_init(l);
			(void)lapic_take_sipi(l, &vec);
			uint64_t d = lapic_next_deadline(l);
			/* The timer never asks to be woken in the past after a poll. */
			if (d != IRQ_NO_DEADLINE && d < w.now)
				abort();
			break;
		}
		}
	}
	i8254_destroy(w.pit);
	ioapic_destroy(w.io);
	for (int i = 0; i < 2; i++)
		lapic_destroy(w.bus.lapic[i]);
	return 0;
}
