/* A local APIC (xAPIC), the interrupt controller of one CPU.
 *
 * Backend-independent: the registers are reached through lapic_read/
 * lapic_write (offsets in the 4 KiB page the CPU sees at its APIC base),
 * interrupts arrive with lapic_accept (from the APIC bus: an IOAPIC, an
 * MSI, another APIC's ICR), and the CPU takes them with lapic_pending/
 * lapic_ack. Time comes from an irq_clock; the timer only fires when
 * someone calls lapic_poll (the CPU's run loop does, and sleeps until
 * lapic_next_deadline when halted). The APIC bus clock is 1 GHz (one
 * timer tick per nanosecond before the divider), as KVM's.
 *
 * Thread safety: every function may be called from any thread; the APIC
 * has its own lock. The host callbacks are called without it held.
 */
#ifndef KILN_IRQ_LAPIC_H
#define KILN_IRQ_LAPIC_H

#include "irq/apic_msg.h"
#include "irq/irq_clock.h"

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_PAGE_SIZE 0x1000u

struct lapic;

struct lapic_host_ops {
	/* Something may now be pending for the CPU (an interrupt, an NMI,
	 * INIT or SIPI): make it look (x86_cpu_interrupt_hint, wake HLT). */
	void (*notify)(void *opaque);
	/* The CPU ended a level-triggered interrupt: the IOAPICs clear
	 * remote IRR for `vector`. */
	void (*eoi)(void *opaque, uint8_t vector);
	/* The CPU wrote its ICR: deliver `m` on the APIC bus (`m` carries
	 * the shorthand; the sender is `from`). */
	void (*send)(void *opaque, struct lapic *from, const struct apic_msg *m);
};

/* `id`: the APIC id (the MADT's). NULL when out of memory. */
struct lapic *lapic_create(uint8_t id, const struct irq_clock *clock,
			   const struct lapic_host_ops *ops, void *opaque);
void lapic_destroy(struct lapic *l);
/* Power-on / INIT state: everything masked, software-disabled. */
void lapic_reset(struct lapic *l);

/* MMIO: an access of `len` bytes at `offset` in the page. Registers are
 * 32 bits at 16-byte strides; narrower reads return part of the register,
 * writes of other than 4 aligned bytes are ignored (set the ESR's
 * illegal-register bit where the SDM says so). */
uint64_t lapic_mmio_read(struct lapic *l, uint32_t offset, unsigned len);
void lapic_mmio_write(struct lapic *l, uint32_t offset, unsigned len,
		      uint64_t val);

uint8_t lapic_id(struct lapic *l);
/* Whether this APIC is a destination of `m` (physical id, logical flat
 * or cluster match; broadcast 0xff). Shorthands are the bus's. */
bool lapic_matches(struct lapic *l, const struct apic_msg *m);
/* The task priority, for lowest-priority arbitration. */
uint8_t lapic_arb_priority(struct lapic *l);
/* Take an interrupt message addressed to this APIC. */
void lapic_accept(struct lapic *l, const struct apic_msg *m);
/* LINT0/LINT1 input level (edge-triggered LVTs act on the rising edge). */
void lapic_set_lint(struct lapic *l, unsigned int pin, int level);

/* For the CPU, at an instruction boundary with IF=1: the vector to
 * deliver (highest in IRR above the processor priority), or -1. */
int lapic_pending(struct lapic *l);
/* The CPU takes `vector`: IRR -> ISR. */
void lapic_ack(struct lapic *l, int vector);
/* NMI, INIT and SIPI that arrived, each taken once. */
bool lapic_take_nmi(struct lapic *l);
bool lapic_take_init(struct lapic *l);
/* true with the SIPI vector (the start page number). */
bool lapic_take_sipi(struct lapic *l, uint8_t *vector);

/* Fire the timer if its time has come (at most one interrupt per call; a
 * periodic timer that fell behind skips the missed periods). */
void lapic_poll(struct lapic *l);
/* When the timer fires next (irq_clock ns), or IRQ_NO_DEADLINE. */
uint64_t lapic_next_deadline(struct lapic *l);
/* IA32_TSC_DEADLINE in TSC-deadline mode. `tsc_hz` (set at create with
 * lapic_set_tsc_hz) converts it to clock time; 0 disarms. */
void lapic_set_tsc_hz(struct lapic *l, uint64_t tsc_hz, uint64_t tsc_at_zero);
void lapic_write_tsc_deadline(struct lapic *l, uint64_t tsc);
uint64_t lapic_read_tsc_deadline(struct lapic *l);

#endif
