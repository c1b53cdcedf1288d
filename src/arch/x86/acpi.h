/* ACPI tables for a Kiln guest: RSDP, XSDT, FADT (hardware-reduced, with
 * sleep control/status and reset registers), MADT (one local APIC per vCPU,
 * the IOAPIC, ISA interrupt overrides), DSDT (compiled from dsdt.asl by
 * acpica-tools' iasl at build time: \_S5, COM1, RTC, the i8042, pvpanic)
 * and MCFG (the PCI ECAM window). Placed in the BIOS area where Linux scans
 * for the RSDP; the tables are marked reserved in e820.
 */
#ifndef KILN_ARCH_X86_ACPI_H
#define KILN_ARCH_X86_ACPI_H

#include "core/guest_mem.h"

#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 255 /* xAPIC ids in the MADT; more would need x2APIC entries */

struct acpi_config {
	unsigned int nr_cpus;       /* present and enabled at boot */
	unsigned int max_cpus;      /* MADT entries (later hotplug); >= nr_cpus */
	const char *oem_id;         /* 6 chars, e.g. "KILN  " */
};

/* Build every table in guest memory at [X86_BIOS_START, X86_BIOS_END).
 * Needs 1 <= nr_cpus <= max_cpus <= ACPI_MAX_CPUS; oem_id may be NULL for
 * "KILN  " (shorter ids are padded with spaces). Returns 0 and the RSDP's
 * guest-physical address (X86_BIOS_START), or -EINVAL for a bad config,
 * -EFAULT if the BIOS area is not guest RAM, -ENOMEM. */
int acpi_build(struct guest_mem *mem, const struct acpi_config *cfg,
	       uint64_t *rsdp_addr) __attribute__((warn_unused_result));

/* Checksum byte helper (exposed for tests): the sum of all bytes of a table
 * including its checksum field must be 0 mod 256. Returns 0 minus the sum of
 * buf's bytes: the value to store in a zeroed checksum field, and 0 for a
 * table whose checksum is already valid. */
uint8_t acpi_checksum(const void *buf, size_t len);

#endif
