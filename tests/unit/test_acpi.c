/* ACPI tables: build them into fake guest memory, then walk from the RSDP
 * the way a guest does, checking signatures, lengths, checksums and the
 * fields Linux relies on. Fixed-offset reads cross-check the packed structs
 * against the ACPI 6.x byte layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "arch/x86/acpi_tables.h"
#include "arch/x86/layout.h"
#include "devices/power.h"

#define FAKE_SIZE 0x100000ull /* 0 .. 1 MiB */

struct fake {
	struct guest_mem mem;
	uint8_t *buf;
};

static void fake_init(struct fake *f, uint64_t size)
{
	memset(f, 0, sizeof(*f));
	f->buf = calloc(1, size);
	assert_non_null(f->buf);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->buf, 0, size), 0);
}

static void fake_fini(struct fake *f)
{
	guest_mem_destroy(&f->mem);
	free(f->buf);
}

static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static unsigned int byte_sum(const uint8_t *p, size_t len)
{
	unsigned int sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum & 0xff;
}

/* A table at gpa: wholly inside the BIOS area, checksum valid, the given
 * signature, and Kiln's ids. Returns a host pointer to all of it. */
static const uint8_t *table_at(struct fake *f, uint64_t gpa, const char *sig,
			       const char *oem_id)
{
	struct acpi_header h;

	assert_true(gpa >= X86_BIOS_START && gpa < X86_BIOS_END);
	assert_int_equal(gpa % 8, 0);
	assert_int_equal(guest_mem_read(&f->mem, gpa, &h, sizeof(h)), 0);
	assert_memory_equal(h.signature, sig, 4);
	assert_true(h.length >= sizeof(h));
	assert_true(gpa + h.length <= X86_BIOS_END);
	const uint8_t *t = guest_mem_slice(&f->mem, gpa, h.length);
	assert_non_null(t);
	assert_int_equal(byte_sum(t, h.length), 0);
	assert_int_equal(acpi_checksum(t, h.length), 0);
	assert_memory_equal(h.oem_id, oem_id, 6);
	assert_memory_equal(h.oem_table_id, "KILNVM  ", 8);
	assert_memory_equal(h.creator_id, "KILN", 4);
	return t;
}

struct tables {
	uint64_t rsdp_addr;
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *mcfg, *dsdt;
	uint64_t fadt_addr, madt_addr, mcfg_addr, dsdt_addr;
};

/* Build, then walk RSDP -> XSDT -> FADT/MADT/MCFG, FADT -> DSDT. */
static void build_and_walk(struct fake *f, unsigned int nr, unsigned int max,
			   const char *cfg_oem, const char *oem_id,
			   struct tables *t)
{
	struct acpi_config cfg = { .nr_cpus = nr, .max_cpus = max,
				   .oem_id = cfg_oem };

	memset(t, 0, sizeof(*t));
	assert_int_equal(acpi_build(&f->mem, &cfg, &t->rsdp_addr), 0);

	/* RSDP: where Linux scans, 16-byte aligned, revision 2. */
	assert_int_equal(t->rsdp_addr, X86_BIOS_START);
	assert_int_equal(t->rsdp_addr % 16, 0);
	t->rsdp = guest_mem_slice(&f->mem, t->rsdp_addr, 36);
	assert_non_null(t->rsdp);
	assert_memory_equal(t->rsdp, "RSD PTR ", 8);
	assert_int_equal(byte_sum(t->rsdp, 20), 0);
	assert_int_equal(byte_sum(t->rsdp, 36), 0);
	assert_memory_equal(t->rsdp + 9, oem_id, 6);
	assert_int_equal(t->rsdp[15], 2);          /* revision */
	assert_int_equal(rd32(t->rsdp + 16), 0);   /* RsdtAddress */
	assert_int_equal(rd32(t->rsdp + 20), 36);  /* Length */
	uint64_t xsdt_addr = rd64(t->rsdp + 24);

	/* XSDT: exactly FADT, MADT, MCFG. */
	t->xsdt = table_at(f, xsdt_addr, "XSDT", oem_id);
	assert_int_equal(rd32(t->xsdt + 4), 36 + 3 * 8);
	assert_int_equal(t->xsdt[8], 1);
	t->fadt_addr = rd64(t->xsdt + 36);
	t->madt_addr = rd64(t->xsdt + 44);
	t->mcfg_addr = rd64(t->xsdt + 52);
	t->fadt = table_at(f, t->fadt_addr, "FACP", oem_id);
	t->madt = table_at(f, t->madt_addr, "APIC", oem_id);
	t->mcfg = table_at(f, t->mcfg_addr, "MCFG", oem_id);

	t->dsdt_addr = rd64(t->fadt + 140);        /* X_DSDT */
	assert_int_equal(rd32(t->fadt + 40), t->dsdt_addr);
	t->dsdt = table_at(f, t->dsdt_addr, "DSDT", oem_id);

	/* No two tables overlap. */
	uint64_t start[6] = { t->rsdp_addr, xsdt_addr, t->fadt_addr,
			      t->madt_addr, t->mcfg_addr, t->dsdt_addr };
	uint64_t len[6] = { 36, rd32(t->xsdt + 4), rd32(t->fadt + 4),
			    rd32(t->madt + 4), rd32(t->mcfg + 4),
			    rd32(t->dsdt + 4) };
	for (int i = 0; i < 6; i++) {
		assert_true(start[i] + len[i] <= X86_BIOS_END);
		for (int j = i + 1; j < 6; j++)
			assert_true(start[i] + len[i] <= start[j] ||
				    start[j] + len[j] <= start[i]);
	}
}

static void test_checksum_helper(void **state)
{
	uint8_t b[4] = { 0x10, 0x20, 0xff, 0 };

	assert_int_equal(acpi_checksum(b, 3), (uint8_t)-(0x10 + 0x20 + 0xff));
	b[3] = acpi_checksum(b, 3);
	assert_int_equal(acpi_checksum(b, 4), 0);
	assert_int_equal(acpi_checksum(b, 0), 0);
}

static void test_walk(void **state)
{
	struct fake f;
	struct tables t;

	fake_init(&f, FAKE_SIZE);
	build_and_walk(&f, 2, 2, "KILN  ", "KILN  ", &t);
	fake_fini(&f);
}

static void gas_is_sleep_port(const uint8_t *g)
{
	assert_int_equal(g[0], 1);      /* System I/O */
	assert_int_equal(g[1], 8);      /* bit width */
	assert_int_equal(g[2], 0);      /* bit offset */
	assert_int_equal(g[3], 1);      /* byte access */
	assert_int_equal(rd64(g + 4), ACPI_SLEEP_PORT);
}

static void test_fadt(void **state)
{
	struct fake f;
	struct tables t;

	fake_init(&f, FAKE_SIZE);
	build_and_walk(&f, 1, 1, NULL, "KILN  ", &t);
	const uint8_t *p = t.fadt;

	assert_int_equal(rd32(p + 4), 276);
	assert_int_equal(p[8], 6);                  /* revision */
	assert_true(p[131] == 0 || p[131] == 3);    /* minor version */
	assert_int_equal(rd32(p + 112),
			 (1u << 20) | (1u << 10) | (1u << 4) | (1u << 5));
	/* LEGACY_DEVICES | 8042; NO_CMOS_RTC (bit 5) clear */
	assert_int_equal(rd16(p + 109), 0x3);
	assert_int_equal(rd16(p + 46), 9);          /* SCI_INT */
	assert_int_equal(rd32(p + 36), 0);          /* no FACS */
	assert_int_equal(rd64(p + 132), 0);
	/* hardware-reduced: no PM blocks, GPEs or SMI command port */
	for (unsigned int off = 48; off < 88; off++)
		if (off < 52 || off >= 56)
			assert_int_equal(p[off], 0);
	for (unsigned int off = 148; off < 244; off++)
		assert_int_equal(p[off], 0);

	gas_is_sleep_port(p + 116);                 /* RESET_REG */
	assert_int_equal(p[128], ACPI_RESET_VALUE);
	gas_is_sleep_port(p + 244);                 /* SLEEP_CONTROL_REG */
	gas_is_sleep_port(p + 256);                 /* SLEEP_STATUS_REG */
	assert_memory_equal(p + 268, "KILN\0\0\0\0", 8);

	assert_int_equal(rd64(p + 140), t.dsdt_addr);
	fake_fini(&f);
}

static const uint8_t *memfind(const uint8_t *hay, size_t len,
			      const void *needle, size_t nlen)
{
	for (size_t i = 0; i + nlen <= len; i++)
		if (memcmp(hay + i, needle, nlen) == 0)
			return hay + i;
	return NULL;
}

static void test_dsdt(void **state)
{
	struct fake f;
	struct tables t;

	fake_init(&f, FAKE_SIZE);
	build_and_walk(&f, 1, 1, NULL, "KILN  ", &t);
	uint32_t len = rd32(t.dsdt + 4);

	assert_memory_equal(t.dsdt, "DSDT", 4);
	assert_int_equal(t.dsdt[8], 2);  /* 64-bit integers */

	/* Name (_S5, Package (4) { 5, 0, 0, 0 }):
	 * "_S5_" PackageOp PkgLength NumElements BytePrefix 5 ... */
	const uint8_t *s5 = memfind(t.dsdt, len, "_S5_", 4);
	assert_non_null(s5);
	assert_true(s5 + 9 <= t.dsdt + len);
	assert_int_equal(s5[4], 0x12);
	assert_int_equal(s5[6], 4);
	assert_int_equal(s5[7], 0x0a);
	assert_int_equal(s5[8], ACPI_S5_SLP_TYP);

	static const char *const names[] = { "PCI0", "MRES", "COM1", "RTC_",
					     "KBD_", "PEVT", "QEMU0001",
					     "_CRS", "_SEG", "_BBN" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(memfind(t.dsdt, len, names[i],
					strlen(names[i])));
	fake_fini(&f);
}

static void check_madt(unsigned int nr, unsigned int max)
{
	struct fake f;
	struct tables t;

	fake_init(&f, FAKE_SIZE);
	build_and_walk(&f, nr, max, NULL, "KILN  ", &t);
	const uint8_t *p = t.madt;
	uint32_t len = rd32(p + 4);

	assert_int_equal(p[8], ACPI_MADT_REVISION);
	assert_int_equal(rd32(p + 36), X86_LAPIC_ADDR);
	assert_int_equal(rd32(p + 40), 1);          /* PCAT_COMPAT */

	uint8_t seen[256] = { 0 };
	unsigned int enabled = 0, capable = 0, lapics = 0, ioapics = 0;
	unsigned int nmis = 0, irq0 = 0, irq9 = 0, others = 0;
	int ioapic_id = -1;
	uint32_t off = 44;

	while (off < len) {
		assert_true(off + 2 <= len);
		uint8_t type = p[off], elen = p[off + 1];
		assert_true(elen >= 2 && off + elen <= len);
		const uint8_t *e = p + off;

		switch (type) {
		case 0:
			assert_int_equal(elen, 8);
			assert_int_equal(e[2], e[3]); /* uid == APIC id */
			assert_int_equal(e[3], lapics);
			assert_int_equal(seen[e[3]], 0);
			seen[e[3]] = 1;
			if (rd32(e + 4) == 1)
				enabled++;
			else if (rd32(e + 4) == 2)
				capable++;
			else
				fail_msg("LAPIC flags %#x", rd32(e + 4));
			/* enabled ones first */
			assert_int_equal(!!(rd32(e + 4) & 1), lapics < nr);
			lapics++;
			break;
		case 1:
			assert_int_equal(elen, 12);
			ioapics++;
			ioapic_id = e[2];
			assert_int_equal(rd32(e + 4), X86_IOAPIC_ADDR);
			assert_int_equal(rd32(e + 8), 0);
			break;
		case 2:
			assert_int_equal(elen, 10);
			assert_int_equal(e[2], 0); /* ISA */
			if (e[3] == 0) {
				irq0++;
				assert_int_equal(rd32(e + 4), 2);
				assert_int_equal(rd16(e + 8), 0);
			} else if (e[3] == 9) {
				irq9++;
				assert_int_equal(rd32(e + 4), 9);
				assert_int_equal(rd16(e + 8), 0x000d);
			} else {
				fail_msg("override for IRQ %u", e[3]);
			}
			break;
		case 4:
			assert_int_equal(elen, 6);
			nmis++;
			assert_int_equal(e[2], 0xff);
			assert_int_equal(rd16(e + 3), 0);
			assert_int_equal(e[5], 1);
			break;
		default:
			others++;
			break;
		}
		off += elen;
	}
	assert_int_equal(off, len);
	assert_int_equal(lapics, max);
	assert_int_equal(enabled, nr);
	assert_int_equal(capable, max - nr);
	assert_int_equal(ioapics, 1);
	assert_true(ioapic_id >= 0 && !(ioapic_id < 256 && seen[ioapic_id]));
	assert_int_equal(irq0, 1);
	assert_int_equal(irq9, 1);
	assert_int_equal(nmis, 1);
	assert_int_equal(others, 0);
	fake_fini(&f);
}

static void test_madt_counts(void **state)
{
	static const unsigned int n[] = { 1, 2, 8, 255 };
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		check_madt(n[i], n[i]);
}

static void test_madt_hotplug(void **state)
{
	check_madt(1, 4);
	check_madt(2, 8);
	check_madt(1, 255);
	check_madt(254, 255);
}

static void test_mcfg(void **state)
{
	struct fake f;
	struct tables t;

	fake_init(&f, FAKE_SIZE);
	build_and_walk(&f, 4, 4, NULL, "KILN  ", &t);
	const uint8_t *p = t.mcfg;

	assert_int_equal(rd32(p + 4), 60);
	assert_int_equal(p[8], 1);
	assert_int_equal(rd64(p + 36), 0);          /* reserved */
	assert_int_equal(rd64(p + 44), X86_PCI_ECAM_BASE);
	assert_int_equal(rd16(p + 52), 0);          /* segment */
	assert_int_equal(p[54], 0);                 /* start bus */
	assert_int_equal(p[55], (X86_PCI_ECAM_SIZE >> 20) - 1);
	assert_int_equal(p[55], 255);
	assert_int_equal(rd32(p + 56), 0);
	fake_fini(&f);
}

static void test_custom_oem_id(void **state)
{
	struct fake f;
	struct tables t;

	fake_init(&f, FAKE_SIZE);
	/* table_at checks every table's header carries the padded id */
	build_and_walk(&f, 1, 1, "ABC", "ABC   ", &t);
	fake_fini(&f);
}

static void test_bad_configs(void **state)
{
	static const struct acpi_config bad[] = {
		{ .nr_cpus = 0, .max_cpus = 0 },
		{ .nr_cpus = 0, .max_cpus = 4 },
		{ .nr_cpus = 3, .max_cpus = 2 },
		{ .nr_cpus = 1, .max_cpus = 256 },
		{ .nr_cpus = 256, .max_cpus = 256 },
		{ .nr_cpus = 1, .max_cpus = 1, .oem_id = "" },
		{ .nr_cpus = 1, .max_cpus = 1, .oem_id = "TOOLONG" },
	};
	struct fake f;

	fake_init(&f, FAKE_SIZE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t rsdp = 0x1234;
		assert_int_equal(acpi_build(&f.mem, &bad[i], &rsdp), -EINVAL);
		assert_int_equal(rsdp, 0x1234);
	}
	assert_int_equal(acpi_build(&f.mem, NULL, NULL), -EINVAL);
	/* nothing was written */
	for (uint64_t a = X86_BIOS_START; a < X86_BIOS_END; a++)
		assert_int_equal(f.buf[a], 0);
	fake_fini(&f);
}

static void test_bios_area_not_ram(void **state)
{
	struct fake f;
	struct acpi_config cfg = { .nr_cpus = 1, .max_cpus = 1 };
	uint64_t rsdp = 0;

	fake_init(&f, X86_EBDA_START); /* no RAM at the BIOS area */
	assert_int_equal(acpi_build(&f.mem, &cfg, &rsdp), -EFAULT);
	fake_fini(&f);
}

static void test_rebuild_is_identical(void **state)
{
	struct fake a, b;
	struct acpi_config cfg = { .nr_cpus = 8, .max_cpus = 16 };
	uint64_t ra, rb;

	fake_init(&a, FAKE_SIZE);
	fake_init(&b, FAKE_SIZE);
	assert_int_equal(acpi_build(&a.mem, &cfg, &ra), 0);
	assert_int_equal(acpi_build(&b.mem, &cfg, &rb), 0);
	assert_int_equal(acpi_build(&b.mem, &cfg, &rb), 0);
	assert_int_equal(ra, rb);
	assert_memory_equal(a.buf, b.buf, FAKE_SIZE);
	/* nothing outside the BIOS area was touched */
	for (uint64_t i = 0; i < X86_BIOS_START; i++)
		assert_int_equal(a.buf[i], 0);
	fake_fini(&a);
	fake_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_helper),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_fadt),
		cmocka_unit_test(test_dsdt),
		cmocka_unit_test(test_madt_counts),
		cmocka_unit_test(test_madt_hotplug),
		cmocka_unit_test(test_mcfg),
		cmocka_unit_test(test_custom_oem_id),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_bios_area_not_ram),
		cmocka_unit_test(test_rebuild_is_identical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
