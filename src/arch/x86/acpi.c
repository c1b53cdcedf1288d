/* ACPI tables for a Kiln guest: RSDP, XSDT, FADT, DSDT and MCFG here, the
 * MADT in acpi_madt.c.
 *
 * Everything is built in one host buffer laid out like the guest's BIOS
 * area from X86_BIOS_START (the RSDP first, 16-byte aligned where Linux
 * scans for it; each following table 16-byte aligned), checksummed, then
 * copied into guest memory with one checked write.
 */
#include "arch/x86/acpi.h"

#include "arch/x86/acpi_tables.h"
#include "arch/x86/layout.h"
#include "devices/power.h"

#include "dsdt_aml.h" /* build/gen: static const unsigned char dsdt_aml[] */

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ACPI_TABLE_ALIGN 16

_Static_assert(sizeof(dsdt_aml) > sizeof(struct acpi_header),
	       "dsdt_aml is not an ACPI table");
_Static_assert(X86_PCI_ECAM_SIZE >> 20 >= 1 && X86_PCI_ECAM_SIZE >> 20 <= 256,
	       "ECAM window must cover 1 to 256 buses");
_Static_assert(X86_PCI_ECAM_BASE % (1ull << 20) == 0, "ECAM alignment");

uint8_t acpi_checksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}

void acpi_fill_header(struct acpi_header *h, const char sig[4],
		      uint32_t length, uint8_t revision, const char oem_id[6])
{
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = length;
	h->revision = revision;
	h->checksum = 0;
	memcpy(h->oem_id, oem_id, sizeof(h->oem_id));
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = ACPI_CREATOR_REVISION;
}

/* Set a finished table's checksum: its header says how long it is. */
static void seal_table(uint8_t *table)
{
	struct acpi_header h;

	memcpy(&h, table, sizeof(h));
	table[offsetof(struct acpi_header, checksum)] = 0;
	table[offsetof(struct acpi_header, checksum)] =
		acpi_checksum(table, h.length);
}

static struct acpi_gas sleep_port_gas(void)
{
	return (struct acpi_gas){
		.space_id = ACPI_GAS_SYSTEM_IO,
		.bit_width = 8,
		.bit_offset = 0,
		.access_size = ACPI_GAS_ACCESS_BYTE,
		.address = ACPI_SLEEP_PORT,
	};
}

static void build_fadt(uint8_t *buf, uint64_t dsdt_addr, const char oem_id[6])
{
	struct acpi_fadt fadt = {
		.dsdt = (uint32_t)dsdt_addr,
		.sci_int = 9,
		/* Linux keeps the i8042 and the CMOS RTC. */
		.iapc_boot_arch = ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_8042,
		.flags = ACPI_FADT_HW_REDUCED_ACPI | ACPI_FADT_RESET_REG_SUP |
			 ACPI_FADT_PWR_BUTTON | ACPI_FADT_SLP_BUTTON,
		.reset_reg = sleep_port_gas(),
		.reset_value = ACPI_RESET_VALUE,
		.minor_version = ACPI_FADT_MINOR_VERSION,
		.x_dsdt = dsdt_addr,
		.sleep_control_reg = sleep_port_gas(),
		.sleep_status_reg = sleep_port_gas(),
		.hypervisor_vendor_id = "KILN",
	};

	acpi_fill_header(&fadt.h, "FACP", sizeof(fadt), ACPI_FADT_REVISION,
			 oem_id);
	memcpy(buf, &fadt, sizeof(fadt));
}

static void build_mcfg(uint8_t *buf, const char oem_id[6])
{
	struct acpi_mcfg mcfg = {
		.alloc[0] = {
			.base = X86_PCI_ECAM_BASE,
			.segment = 0,
			.start_bus = 0,
			.end_bus = (uint8_t)((X86_PCI_ECAM_SIZE >> 20) - 1),
		},
	};

	acpi_fill_header(&mcfg.h, "MCFG", sizeof(mcfg), 1, oem_id);
	memcpy(buf, &mcfg, sizeof(mcfg));
}

/* The compiled DSDT, with our OEM and creator ids in its header. */
static void build_dsdt(uint8_t *buf, const char oem_id[6])
{
	struct acpi_header h;

	memcpy(buf, dsdt_aml, sizeof(dsdt_aml));
	memcpy(&h, buf, sizeof(h));
	assert(memcmp(h.signature, "DSDT", 4) == 0 &&
	       h.length == sizeof(dsdt_aml));
	memcpy(h.oem_id, oem_id, sizeof(h.oem_id));
	memcpy(h.oem_table_id, ACPI_OEM_TABLE_ID, sizeof(h.oem_table_id));
	memcpy(h.creator_id, ACPI_CREATOR_ID, sizeof(h.creator_id));
	h.creator_revision = ACPI_CREATOR_REVISION;
	memcpy(buf, &h, sizeof(h));
}

static void build_xsdt(uint8_t *buf, const uint64_t entry[ACPI_XSDT_ENTRIES],
		       const char oem_id[6])
{
	struct acpi_xsdt xsdt;

	memset(&xsdt, 0, sizeof(xsdt));
	acpi_fill_header(&xsdt.h, "XSDT", sizeof(xsdt), 1, oem_id);
	for (unsigned int i = 0; i < ACPI_XSDT_ENTRIES; i++)
		xsdt.entry[i] = entry[i];
	memcpy(buf, &xsdt, sizeof(xsdt));
}

static void build_rsdp(uint8_t *buf, uint64_t xsdt_addr, const char oem_id[6])
{
	struct acpi_rsdp rsdp = {
		.signature = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' },
		.revision = 2,
		.rsdt_address = 0,
		.length = sizeof(rsdp),
		.xsdt_address = xsdt_addr,
	};

	memcpy(rsdp.oem_id, oem_id, sizeof(rsdp.oem_id));
	rsdp.checksum = acpi_checksum(&rsdp, ACPI_RSDP_V1_LEN);
	rsdp.extended_checksum = acpi_checksum(&rsdp, sizeof(rsdp));
	memcpy(buf, &rsdp, sizeof(rsdp));
}

static size_t align_up(size_t v)
{
	return (v + ACPI_TABLE_ALIGN - 1) & ~(size_t)(ACPI_TABLE_ALIGN - 1);
}

/* cfg->oem_id: 1 to 6 characters, padded with spaces; NULL for Kiln's. */
static int make_oem_id(const char *src, char oem_id[6])
{
	if (!src)
		src = ACPI_OEM_ID;
	size_t len = strnlen(src, 7);
	if (len == 0 || len > 6)
		return -EINVAL;
	memset(oem_id, ' ', 6);
	memcpy(oem_id, src, len);
	return 0;
}

int acpi_build(struct guest_mem *mem, const struct acpi_config *cfg,
	       uint64_t *rsdp_addr)
{
	char oem_id[6];

	if (!cfg || cfg->nr_cpus < 1 || cfg->nr_cpus > cfg->max_cpus ||
	    cfg->max_cpus > ACPI_MAX_CPUS)
		return -EINVAL;
	int err = make_oem_id(cfg->oem_id, oem_id);
	if (err)
		return err;

	/* Offsets from X86_BIOS_START. */
	size_t rsdp_off = 0;
	size_t xsdt_off = align_up(rsdp_off + sizeof(struct acpi_rsdp));
	size_t fadt_off = align_up(xsdt_off + sizeof(struct acpi_xsdt));
	size_t dsdt_off = align_up(fadt_off + sizeof(struct acpi_fadt));
	size_t madt_off = align_up(dsdt_off + sizeof(dsdt_aml));
	size_t mcfg_off = align_up(madt_off + acpi_madt_size(cfg->max_cpus));
	size_t total = mcfg_off + sizeof(struct acpi_mcfg);

	if (total > X86_BIOS_END - X86_BIOS_START)
		return -ENOSPC;

	uint8_t *buf = calloc(1, total);
	if (!buf)
		return -ENOMEM;

	const uint64_t base = X86_BIOS_START;
	const uint64_t entry[ACPI_XSDT_ENTRIES] = {
		base + fadt_off, base + madt_off, base + mcfg_off,
	};

	build_dsdt(buf + dsdt_off, oem_id);
	seal_table(buf + dsdt_off);
	build_fadt(buf + fadt_off, base + dsdt_off, oem_id);
	seal_table(buf + fadt_off);
	acpi_build_madt(buf + madt_off, cfg->nr_cpus, cfg->max_cpus, oem_id);
	seal_table(buf + madt_off);
	build_mcfg(buf + mcfg_off, oem_id);
	seal_table(buf + mcfg_off);
	build_xsdt(buf + xsdt_off, entry, oem_id);
	seal_table(buf + xsdt_off);
	build_rsdp(buf + rsdp_off, base + xsdt_off, oem_id);

	err = guest_mem_write(mem, base + rsdp_off, buf, total);
	free(buf);
	if (err)
		return err;
	if (rsdp_addr)
		*rsdp_addr = base + rsdp_off;
	return 0;
}
