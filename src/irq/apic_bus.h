/* The APIC bus: which local APICs an interrupt message reaches. IOAPICs,
 * MSIs and the local APICs' ICRs all deliver through it.
 */
#ifndef KILN_IRQ_APIC_BUS_H
#define KILN_IRQ_APIC_BUS_H

#include "irq/apic_msg.h"
#include "irq/lapic.h"

#define APIC_BUS_MAX 255

struct apic_bus {
	struct lapic *lapic[APIC_BUS_MAX];
	unsigned int n;
};

/* Deliver `m` (from `from` for ICR shorthands; NULL for IOAPICs and
 * MSIs). Lowest priority goes to the matching APIC with the lowest task
 * priority. Returns how many APICs took it (0: the message is lost). */
unsigned int apic_bus_deliver(struct apic_bus *bus, struct lapic *from,
			      const struct apic_msg *m);

#endif
