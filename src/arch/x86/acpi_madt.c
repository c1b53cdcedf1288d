/* The MADT: one local APIC per possible vCPU, KVM's IOAPIC, the ISA
 * interrupt overrides a PC has, and LINT1 as NMI on every processor.
 */
#include "arch/x86/acpi_tables.h"

#include "arch/x86/layout.h"

#include <assert.h>
#include <string.h>

/* ISA IRQ 0 (the PIT) is wired to IOAPIC pin 2; the SCI (IRQ 9) is
 * level-triggered, active high. Both as QEMU describes them. */
static const struct acpi_madt_int_override madt_overrides[] = {
	{ .type = ACPI_MADT_INT_OVERRIDE,
	  .length = sizeof(struct acpi_madt_int_override),
	  .bus = 0, .source = 0, .gsi = 2, .flags = ACPI_MPS_CONFORMS },
	{ .type = ACPI_MADT_INT_OVERRIDE,
	  .length = sizeof(struct acpi_madt_int_override),
	  .bus = 0, .source = 9, .gsi = 9,
	  .flags = ACPI_MPS_LEVEL | ACPI_MPS_ACTIVE_HIGH },
};

size_t acpi_madt_size(unsigned int max_cpus)
{
	return sizeof(struct acpi_madt) +
	       max_cpus * sizeof(struct acpi_madt_lapic) +
	       sizeof(struct acpi_madt_ioapic) + sizeof(madt_overrides) +
	       sizeof(struct acpi_madt_lapic_nmi);
}

void acpi_build_madt(void *buf, unsigned int nr_cpus, unsigned int max_cpus,
		     const char oem_id[6])
{
	size_t size = acpi_madt_size(max_cpus);
	uint8_t *p = buf;
	struct acpi_madt madt = {
		.lapic_address = (uint32_t)X86_LAPIC_ADDR,
		.flags = ACPI_MADT_PCAT_COMPAT,
	};

	acpi_fill_header(&madt.h, "APIC", (uint32_t)size, ACPI_MADT_REVISION,
			 oem_id);
	memcpy(p, &madt, sizeof(madt));
	p += sizeof(madt);

	/* Processor uid = APIC id = index. Entries past nr_cpus are for
	 * later hotplug: not enabled, but online capable. */
	for (unsigned int i = 0; i < max_cpus; i++) {
		struct acpi_madt_lapic lapic = {
			.type = ACPI_MADT_LAPIC,
			.length = sizeof(lapic),
			.processor_uid = (uint8_t)i,
			.apic_id = (uint8_t)i,
			.flags = i < nr_cpus ? ACPI_MADT_LAPIC_ENABLED
					     : ACPI_MADT_LAPIC_ONLINE_CAPABLE,
		};
		memcpy(p, &lapic, sizeof(lapic));
		p += sizeof(lapic);
	}

	/* An IOAPIC id that no processor uses. (64-bit Linux checks it only
	 * against other IOAPICs; the id KVM's IOAPIC reports is not used.) */
	struct acpi_madt_ioapic ioapic = {
		.type = ACPI_MADT_IOAPIC,
		.length = sizeof(ioapic),
		.ioapic_id = (uint8_t)max_cpus,
		.address = (uint32_t)X86_IOAPIC_ADDR,
		.gsi_base = 0,
	};
	memcpy(p, &ioapic, sizeof(ioapic));
	p += sizeof(ioapic);

	memcpy(p, madt_overrides, sizeof(madt_overrides));
	p += sizeof(madt_overrides);

	struct acpi_madt_lapic_nmi nmi = {
		.type = ACPI_MADT_LAPIC_NMI,
		.length = sizeof(nmi),
		.processor_uid = 0xff,
		.flags = ACPI_MPS_CONFORMS,
		.lint = 1,
	};
	memcpy(p, &nmi, sizeof(nmi));
	p += sizeof(nmi);
	assert((size_t)(p - (uint8_t *)buf) == size);
}
