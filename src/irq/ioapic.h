/* An 82093AA-style I/O APIC (version 0x20, with the EOI register): 24
 * input pins, each with a redirection entry that turns a level or an edge
 * into an interrupt message on the APIC bus.
 *
 * Backend-independent. Every function may be called from any thread (its
 * own lock); the deliver callback is called with that lock held, so it
 * must not call back into the IOAPIC (a local APIC's EOI comes back
 * through ioapic_eoi from the CPU's thread, never from inside deliver).
 */
#ifndef KILN_IRQ_IOAPIC_H
#define KILN_IRQ_IOAPIC_H

#include "irq/apic_msg.h"

#include <stdint.h>

#define IOAPIC_PINS 24
#define IOAPIC_MMIO_SIZE 0x1000u

struct ioapic;

struct ioapic *ioapic_create(uint8_t id,
			     void (*deliver)(void *opaque, const struct apic_msg *m),
			     void *opaque);
void ioapic_destroy(struct ioapic *io);

/* Drive input `pin` (GSI) to `level`: edge-triggered pins fire on 0->1,
 * level-triggered ones while high (once per EOI). Pins past 23 are
 * ignored. */
void ioapic_set_irq(struct ioapic *io, uint32_t pin, int level);
/* A local APIC ended a level-triggered `vector`: clear remote IRR of the
 * pins that use it and fire again those still asserted. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

/* MMIO: IOREGSEL at 0x00, IOWIN at 0x10, EOI at 0x40, 32-bit accesses. */
uint64_t ioapic_mmio_read(struct ioapic *io, uint64_t offset, unsigned len);
void ioapic_mmio_write(struct ioapic *io, uint64_t offset, unsigned len,
		       uint64_t val);

#endif
