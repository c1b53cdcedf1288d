/* ACPI 6.x table layouts, as they lie in guest memory (packed,
 * little-endian). Internal to arch/x86's ACPI code and its unit tests.
 */
#ifndef KILN_ARCH_X86_ACPI_TABLES_H
#define KILN_ARCH_X86_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "ACPI tables are built with host byte order");

#define ACPI_OEM_ID "KILN  "         /* 6 bytes */
#define ACPI_OEM_TABLE_ID "KILNVM  " /* 8 bytes */
#define ACPI_CREATOR_ID "KILN"
#define ACPI_OEM_REVISION 1
#define ACPI_CREATOR_REVISION 1

struct acpi_rsdp {
	char signature[8];      /* "RSD PTR " */
	uint8_t checksum;       /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;       /* 2 */
	uint32_t rsdt_address;  /* 0: XSDT only */
	uint32_t length;        /* 36 */
	uint64_t xsdt_address;
	uint8_t extended_checksum; /* over all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP size");
#define ACPI_RSDP_V1_LEN 20

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_header) == 36, "SDT header size");

/* Generic Address Structure */
struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS size");

#define ACPI_GAS_SYSTEM_IO 1
#define ACPI_GAS_ACCESS_BYTE 1

/* The XSDT this code builds: FADT, MADT, MCFG. */
#define ACPI_XSDT_ENTRIES 3
struct acpi_xsdt {
	struct acpi_header h;
	uint64_t entry[ACPI_XSDT_ENTRIES];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_xsdt) == 36 + 8 * ACPI_XSDT_ENTRIES,
	       "XSDT size");

struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	char hypervisor_vendor_id[8];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT rev 6 size");
_Static_assert(__builtin_offsetof(struct acpi_fadt, flags) == 112, "FADT");
_Static_assert(__builtin_offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT");
_Static_assert(__builtin_offsetof(struct acpi_fadt, sleep_control_reg) == 244,
	       "FADT");

#define ACPI_FADT_REVISION 6
#define ACPI_FADT_MINOR_VERSION 3

/* FADT flags */
#define ACPI_FADT_PWR_BUTTON (1u << 4)  /* set: no fixed power button */
#define ACPI_FADT_SLP_BUTTON (1u << 5)  /* set: no fixed sleep button */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED_ACPI (1u << 20)

/* IAPC_BOOT_ARCH */
#define ACPI_IAPC_LEGACY_DEVICES (1u << 0)
#define ACPI_IAPC_8042 (1u << 1)

struct acpi_madt {
	struct acpi_header h;
	uint32_t lapic_address;
	uint32_t flags;
	/* followed by interrupt controller structures */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT size");

#define ACPI_MADT_REVISION 5 /* ACPI 6.3: defines Online Capable */
#define ACPI_MADT_PCAT_COMPAT (1u << 0)

enum acpi_madt_type {
	ACPI_MADT_LAPIC = 0,
	ACPI_MADT_IOAPIC = 1,
	ACPI_MADT_INT_OVERRIDE = 2,
	ACPI_MADT_LAPIC_NMI = 4,
};

struct acpi_madt_lapic {
	uint8_t type;
	uint8_t length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT LAPIC size");

#define ACPI_MADT_LAPIC_ENABLED (1u << 0)
#define ACPI_MADT_LAPIC_ONLINE_CAPABLE (1u << 1)

struct acpi_madt_ioapic {
	uint8_t type;
	uint8_t length;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT IOAPIC size");

struct acpi_madt_int_override {
	uint8_t type;
	uint8_t length;
	uint8_t bus;            /* 0: ISA */
	uint8_t source;         /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;         /* MPS INTI flags */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_int_override) == 10,
	       "MADT override size");

/* MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2 */
#define ACPI_MPS_CONFORMS 0x0000
#define ACPI_MPS_ACTIVE_HIGH 0x0001
#define ACPI_MPS_LEVEL 0x000c

struct acpi_madt_lapic_nmi {
	uint8_t type;
	uint8_t length;
	uint8_t processor_uid;  /* 0xff: all processors */
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT NMI size");

struct acpi_mcfg_alloc {
	uint64_t base;
	uint16_t segment;
	uint8_t start_bus;
	uint8_t end_bus;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_mcfg_alloc) == 16, "MCFG entry size");

struct acpi_mcfg {
	struct acpi_header h;
	uint64_t reserved;
	struct acpi_mcfg_alloc alloc[1];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_mcfg) == 60, "MCFG size");

/* Fill a header (checksum 0; acpi_build sums the finished table). */
void acpi_fill_header(struct acpi_header *h, const char sig[4],
		      uint32_t length, uint8_t revision, const char oem_id[6]);

/* Size in bytes of the MADT for `max_cpus` processors. */
size_t acpi_madt_size(unsigned int max_cpus);

/* Build the MADT into buf (acpi_madt_size(max_cpus) bytes, zeroed). */
void acpi_build_madt(void *buf, unsigned int nr_cpus, unsigned int max_cpus,
		     const char oem_id[6]);

#endif
