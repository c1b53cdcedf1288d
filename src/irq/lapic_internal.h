/* The local APIC's state, shared by lapic.c (registers, the APIC bus,
 * the CPU side) and lapic_timer.c (the timer). Not for other users: the
 * model's interface is lapic.h.
 */
#ifndef KILN_IRQ_LAPIC_INTERNAL_H
#define KILN_IRQ_LAPIC_INTERNAL_H

#include "irq/lapic.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_N };

#define LVT_MASKED    (1u << 16)
#define LVT_LEVEL     (1u << 15)
#define LVT_REMOTE_IRR (1u << 14)
#define TIMER_MODE(v) (((v) >> 17) & 3)
enum { TIMER_ONESHOT, TIMER_PERIODIC, TIMER_TSC_DEADLINE };

#define SVR_ENABLE (1u << 8)
/* Version 0x14 (integrated APIC), six LVT entries (max index 5). */
#define VERSION_VALUE 0x00050014u

/* ESR bits. */
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define ESR_ILLEGAL_REGISTER    (1u << 7)

struct lapic {
	pthread_mutex_t lock;
	const struct irq_clock *clock;
	const struct lapic_host_ops *ops;
	void *opaque;

	uint8_t id;
	uint32_t tpr, ldr, dfr, svr;
	uint32_t irr[8], isr[8], tmr[8];
	uint32_t esr, esr_pending;
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[LVT_N], cmci;
	int lint_level[2];

	/* Timer: counting from `start` (ns) at `tmict` ticks of
	 * 2^divide_shift ns each; `deadline` is the next expiry or
	 * IRQ_NO_DEADLINE. */
	uint32_t tmict, tdcr;
	unsigned int divide_shift;
	uint64_t start, deadline;
	uint64_t tsc_deadline, tsc_hz, tsc_at_zero;

	bool nmi, init, sipi;
	uint8_t sipi_vector;
};

/* Deliver through local vector table entry `idx`; under the lock.
 * true: the CPU must be told (lapic_notify, after unlocking). */
bool lapic_fire_lvt(struct lapic *l, unsigned int idx);
void lapic_notify(struct lapic *l);

/* The timer, under the lock. */
void lapic_timer_stop(struct lapic *l);
/* (Re)arm from the current registers, counting from `now`. */
void lapic_timer_arm(struct lapic *l, uint64_t now);
uint32_t lapic_timer_current(const struct lapic *l, uint64_t now);

#endif
