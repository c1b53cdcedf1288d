/* Destination decoding on the APIC bus (SDM vol. 3A 10.6.2). */
#include "irq/apic_bus.h"

#include <stddef.h>

static bool in_shorthand(const struct apic_msg *m, struct lapic *l,
			 struct lapic *from)
{
	switch (m->shorthand) {
	case APIC_DEST_SELF: return l == from;
	case APIC_DEST_ALL: return true;
	case APIC_DEST_ALL_BUT_SELF: return l != from;
	default: return lapic_matches(l, m);
	}
}

unsigned int apic_bus_deliver(struct apic_bus *bus, struct lapic *from,
			      const struct apic_msg *m)
{
	unsigned int taken = 0;

	/* Lowest priority through a shorthand is not allowed for "self";
	 * otherwise one target out of those matching. */
	if (m->delivery == APIC_DM_LOWEST && m->shorthand != APIC_DEST_SELF) {
		struct lapic *best = NULL;
		uint8_t best_pri = 0;
		for (unsigned int i = 0; i < bus->n; i++) {
			struct lapic *l = bus->lapic[i];
			if (!l || !in_shorthand(m, l, from))
				continue;
			uint8_t p = lapic_arb_priority(l);
			if (!best || p < best_pri) {
				best = l;
				best_pri = p;
			}
		}
		if (best)
			lapic_accept(best, m);
		return best ? 1 : 0;
	}
	for (unsigned int i = 0; i < bus->n; i++) {
		struct lapic *l = bus->lapic[i];
		if (l && in_shorthand(m, l, from)) {
			lapic_accept(l, m);
			taken++;
		}
	}
	return taken;
}
