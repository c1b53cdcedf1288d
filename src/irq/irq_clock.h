/* The time source of the interrupt controller models: nanoseconds from any
 * fixed origin, monotonic. The soft accelerator passes the host's
 * CLOCK_MONOTONIC; unit tests pass a counter they advance themselves.
 */
#ifndef KILN_IRQ_IRQ_CLOCK_H
#define KILN_IRQ_IRQ_CLOCK_H

#include <stdint.h>

struct irq_clock {
	uint64_t (*now_ns)(void *opaque);
	void *opaque;
};

static inline uint64_t irq_clock_now(const struct irq_clock *c)
{
	return c->now_ns(c->opaque);
}

/* No deadline. */
#define IRQ_NO_DEADLINE UINT64_MAX

#endif
