/* An interrupt message on the (virtual) APIC bus: what an IOAPIC
 * redirection entry, an MSI and a local APIC's ICR all say, decoded.
 */
#ifndef KILN_IRQ_APIC_MSG_H
#define KILN_IRQ_APIC_MSG_H

#include <stdbool.h>
#include <stdint.h>

enum apic_delivery {
	APIC_DM_FIXED = 0,
	APIC_DM_LOWEST = 1,
	APIC_DM_SMI = 2,
	APIC_DM_NMI = 4,
	APIC_DM_INIT = 5,
	APIC_DM_SIPI = 6,
	APIC_DM_EXTINT = 7,
};

enum apic_shorthand {
	APIC_DEST_NONE = 0,
	APIC_DEST_SELF = 1,
	APIC_DEST_ALL = 2,
	APIC_DEST_ALL_BUT_SELF = 3,
};

struct apic_msg {
	uint8_t vector;
	uint8_t delivery;   /* enum apic_delivery */
	bool logical;       /* destination mode */
	bool level_trig;    /* trigger mode: level (TMR set, EOI reported) */
	bool assert;        /* level: assert (INIT de-assert has it clear) */
	uint8_t shorthand;  /* enum apic_shorthand (ICR only) */
	uint8_t dest;       /* xAPIC destination: id or logical mask */
};

/* An MSI as PCI devices write it: address 0xFEExxxxx with the
 * destination in bits 19:12 and the mode in bit 2; data with the vector,
 * delivery mode and trigger. false: not an interrupt address. */
static inline bool apic_msg_from_msi(uint64_t addr, uint32_t data,
				     struct apic_msg *m)
{
	if ((addr >> 20) != 0xfee)
		return false;
	*m = (struct apic_msg){
		.vector = data & 0xff,
		.delivery = (data >> 8) & 7,
		.logical = (addr >> 2) & 1,
		.level_trig = (data >> 15) & 1,
		.assert = true,
		.shorthand = APIC_DEST_NONE,
		.dest = (addr >> 12) & 0xff,
	};
	return true;
}

#endif
