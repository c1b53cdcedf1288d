/* An interrupt line as a device sees it.
 *
 * A device model raises and lowers a level; it never knows whether KVM's
 * in-kernel irqchip or the software CPU's interrupt controller sits behind
 * the line. The owner (the machine) fills in `set_level`.
 */
#ifndef KILN_BUS_IRQ_H
#define KILN_BUS_IRQ_H

#include <stdint.h>

struct irq_line {
	void (*set_level)(void *ctx, uint32_t gsi, int level);
	void *ctx;
	uint32_t gsi;
};

static inline void irq_line_set(const struct irq_line *line, int level)
{
	if (line && line->set_level)
		line->set_level(line->ctx, line->gsi, level);
}

#endif
