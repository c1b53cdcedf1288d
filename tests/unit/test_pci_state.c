/* PCI config space and MSI-X as saved state: a test driver programs one
 * device through config cycles and BAR accesses, the state goes into a
 * second, freshly built copy of the device on its own buses, and every
 * register reads back the same there; hostile states are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bus/io_bus.h"
#include "bus/pci.h"
#include "bus/pci_msix.h"
#include "core/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SLOT 5
#define NVEC 8
#define BAR0_GPA 0xc0001000ull  /* MEM32, 4 KiB */
#define BAR1_PORT 0xc040ull     /* IO, 32 ports */
#define BAR2_GPA 0x800000000ull /* MEM64, 16 KiB */
#define BAR4_GPA 0xc0004000ull  /* MEM32, 8 KiB: MSI-X table at 0, PBA 0x1000 */

struct mapping {
	unsigned int calls;
	uint64_t addr;
	bool mapped;
};

struct changed {
	unsigned int calls;
	struct pci_msix_route route;
};

struct mach;
struct bar_ref {
	struct mach *m;
	unsigned int bar;
};

/* One copy of the device on its own buses: a machine. */
struct mach {
	struct bar_ref refs[PCI_NUM_BARS];
	struct io_bus pio, mmio;
	struct pci_bus bus;
	struct pci_device dev;
	struct pci_msix msix;
	struct mapping maps[PCI_NUM_BARS];
	struct changed changes[NVEC];
	unsigned int deliveries;
};

static uint64_t bar_read(void *opaque, uint64_t off, unsigned int size)
{
	struct bar_ref *r = opaque;
	uint64_t v = 0;
	if (pci_msix_mmio_read(&r->m->msix, r->bar, off, size, &v))
		return v;
	return 0x5a5a;
}

static void bar_write(void *opaque, uint64_t off, uint64_t v, unsigned int size)
{
	struct bar_ref *r = opaque;
	(void)pci_msix_mmio_write(&r->m->msix, r->bar, off, size, v);
}

static const struct io_ops bar_ops = { bar_read, bar_write };

static void bar_mapped(struct pci_device *dev, unsigned int bar, uint64_t addr,
		       bool mapped)
{
	struct mach *m = dev->opaque;
	m->maps[bar].calls++;
	m->maps[bar].addr = addr;
	m->maps[bar].mapped = mapped;
}

static const struct pci_device_ops dev_ops = { .bar_mapped = bar_mapped };

static void vector_changed(void *opaque, unsigned int v,
			   const struct pci_msix_route *r)
{
	struct mach *m = opaque;
	m->changes[v].calls++;
	m->changes[v].route = *r;
}

static void deliver(void *opaque, unsigned int v, uint64_t addr, uint32_t data)
{
	struct mach *m = opaque;
	m->deliveries++;
}

static const struct pci_msix_ops msix_ops = { vector_changed, deliver };

static struct mach *mach_new(void)
{
	struct mach *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	io_bus_init(&m->pio, "pio");
	io_bus_init(&m->mmio, "mmio");
	pci_bus_init(&m->bus, &m->pio, &m->mmio);
	static const struct pci_device_id id = {
		.vendor = 0x1af4, .device = 0x1041, .subsys_vendor = 0x1af4,
		.subsys_id = 1, .class_code = 0x020000, .revision = 1, .irq_pin = 1,
	};
	pci_device_init(&m->dev, &id, &dev_ops, m, "td");
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
		m->refs[i] = (struct bar_ref){ m, i };
	assert_int_equal(pci_device_add_bar(&m->dev, 0, PCI_BAR_MEM32, 0x1000, false,
					    IO_WIDTH_ANY, &bar_ops, &m->refs[0]), 0);
	assert_int_equal(pci_device_add_bar(&m->dev, 1, PCI_BAR_IO, 32, false,
					    IO_WIDTH_1 | IO_WIDTH_2 | IO_WIDTH_4,
					    &bar_ops, &m->refs[1]), 0);
	assert_int_equal(pci_device_add_bar(&m->dev, 2, PCI_BAR_MEM64, 0x4000, true,
					    IO_WIDTH_ANY, &bar_ops, &m->refs[2]), 0);
	assert_int_equal(pci_device_add_bar(&m->dev, 4, PCI_BAR_MEM32, 0x2000, false,
					    IO_WIDTH_ANY, &bar_ops, &m->refs[4]), 0);
	assert_int_equal(pci_msix_init(&m->msix, &m->dev, NVEC, 4, 0, 4, 0x1000,
				       &msix_ops, m), 0);
	assert_int_equal(pci_bus_add_device(&m->bus, &m->dev, SLOT), SLOT);
	return m;
}

static void mach_free(struct mach *m)
{
	pci_bus_destroy(&m->bus);
	pci_msix_destroy(&m->msix);
	io_bus_destroy(&m->pio);
	io_bus_destroy(&m->mmio);
	free(m);
}

static uint32_t cfg_read(struct mach *m, unsigned int reg, unsigned int size)
{
	return pci_bus_config_read(&m->bus, 0, SLOT, 0, reg, size);
}

static void cfg_write(struct mach *m, unsigned int reg, unsigned int size,
		      uint32_t v)
{
	pci_bus_config_write(&m->bus, 0, SLOT, 0, reg, size, v);
}

static bool mmio_has(struct mach *m, uint64_t addr)
{
	uint64_t v = 0;
	return io_bus_read(&m->mmio, addr, 4, &v) && v == 0x5a5a;
}

static bool pio_has(struct mach *m, uint64_t port)
{
	uint64_t v = 0;
	return io_bus_read(&m->pio, port, 2, &v) && v == 0x5a5a;
}

/* What a guest driver does: place the BARs, turn decoding on, set the
 * interrupt line and clear an error bit the device had set. */
static void drive(struct mach *m)
{
	cfg_write(m, PCI_BASE_ADDRESS_0, 4, (uint32_t)BAR0_GPA);
	cfg_write(m, PCI_BASE_ADDRESS_1, 4, (uint32_t)BAR1_PORT);
	cfg_write(m, PCI_BASE_ADDRESS_2, 4, (uint32_t)BAR2_GPA);
	cfg_write(m, PCI_BASE_ADDRESS_3, 4, (uint32_t)(BAR2_GPA >> 32));
	cfg_write(m, PCI_BASE_ADDRESS_4, 4, (uint32_t)BAR4_GPA);
	cfg_write(m, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
				     PCI_COMMAND_MASTER | PCI_COMMAND_SERR);
	cfg_write(m, PCI_INTERRUPT_LINE, 1, 11);
	cfg_write(m, PCI_CACHE_LINE_SIZE, 1, 0x10);
	m->dev.config[PCI_STATUS + 1] |= PCI_STATUS_SIG_SYSTEM_ERROR >> 8;
	pci_device_set_intx(&m->dev, true);
}

static void assert_same_config(struct mach *a, struct mach *b)
{
	for (unsigned int r = 0; r < PCI_CONFIG_SIZE; r += 4)
		assert_int_equal(cfg_read(a, r, 4), cfg_read(b, r, 4));
}

static void test_config_round_trip(void **state)
{
	struct mach *a = mach_new(), *b = mach_new();
	drive(a);
	assert_true(mmio_has(a, BAR0_GPA));
	assert_true(pio_has(a, BAR1_PORT));

	/* The fresh machine: firmware placed BAR 0 elsewhere, decoding off. */
	assert_int_equal(pci_device_set_bar_addr(&b->dev, 0, 0xd0000000), 0);
	cfg_write(b, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(mmio_has(b, 0xd0000000));

	struct pci_device_state *st = malloc(sizeof(*st));
	pci_device_save(&a->dev, st);
	assert_int_equal(st->version, PCI_DEVICE_STATE_VERSION);
	char err[160] = "";
	assert_int_equal(pci_device_restore(&b->dev, st, err, sizeof(err)), 0);

	assert_same_config(a, b);
	assert_true(cfg_read(b, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	assert_true(cfg_read(b, PCI_STATUS, 2) & PCI_STATUS_SIG_SYSTEM_ERROR);
	/* The BARs decode where the guest put them, and only there. */
	assert_false(mmio_has(b, 0xd0000000));
	assert_true(mmio_has(b, BAR0_GPA));
	assert_true(pio_has(b, BAR1_PORT));
	assert_true(mmio_has(b, BAR2_GPA + 0x3ffc));
	/* and the device heard about each move, as on a guest write. */
	assert_int_equal(b->maps[0].addr, BAR0_GPA);
	assert_true(b->maps[0].mapped);
	assert_int_equal(b->maps[0].calls, 3); /* mapped, unmapped, mapped */
	assert_int_equal(b->maps[1].addr, BAR1_PORT);
	assert_int_equal(b->maps[2].addr, BAR2_GPA);
	assert_int_equal(b->maps[4].addr, BAR4_GPA);
	assert_true(b->maps[4].mapped);

	/* Writes behave the same afterwards: decoding off unmaps. */
	cfg_write(b, PCI_COMMAND, 2, 0);
	assert_false(mmio_has(b, BAR0_GPA));
	assert_false(b->maps[0].mapped);

	/* Saving a restored device gives the same bytes. */
	cfg_write(b, PCI_COMMAND, 2, cfg_read(a, PCI_COMMAND, 2));
	struct pci_device_state *st2 = malloc(sizeof(*st2));
	pci_device_save(&b->dev, st2);
	assert_memory_equal(st, st2, sizeof(*st));
	free(st2);
	free(st);
	mach_free(a);
	mach_free(b);
}

/* A refused state leaves the device exactly as it was. */
static void expect_refused(struct mach *b, const struct pci_device_state *st,
			   const char *why)
{
	uint8_t before[PCI_CONFIG_SIZE];
	memcpy(before, b->dev.config, sizeof(before));
	char err[160] = "";
	assert_int_equal(pci_device_restore(&b->dev, st, err, sizeof(err)), -EINVAL);
	if (!strstr(err, why))
		fail_msg("expected \"%s\", got \"%s\"", why, err);
	assert_memory_equal(before, b->dev.config, sizeof(before));
	assert_false(mmio_has(b, BAR0_GPA));
}

static void test_config_hostile(void **state)
{
	struct mach *a = mach_new(), *b = mach_new();
	drive(a);
	struct pci_device_state *good = malloc(sizeof(*good));
	struct pci_device_state *st = malloc(sizeof(*st));
	pci_device_save(&a->dev, good);

	*st = *good;
	st->version = 2;
	expect_refused(b, st, "version");

	*st = *good;
	st->config_size = PCIE_CONFIG_SIZE;
	expect_refused(b, st, "config space");

	*st = *good; /* another device's identity */
	st->config[PCI_DEVICE_ID] ^= 1;
	expect_refused(b, st, "read-only");

	*st = *good; /* BAR 0 made 2 KiB: bit 11 is a size bit */
	st->config[PCI_BASE_ADDRESS_0 + 1] |= 0x08;
	expect_refused(b, st, "read-only");

	*st = *good; /* BAR type bits */
	st->config[PCI_BASE_ADDRESS_2] &= (uint8_t)~PCI_BASE_ADDRESS_MEM_TYPE_64;
	expect_refused(b, st, "read-only");

	*st = *good; /* capability list moved */
	st->config[PCI_CAPABILITY_LIST] = 0x80;
	expect_refused(b, st, "read-only");

	*st = *good; /* MSI-X table size */
	st->config[b->dev.msix_cap + PCI_MSIX_FLAGS] ^= 1;
	expect_refused(b, st, "read-only");

	*st = *good; /* BAR 0 inside BAR 4 */
	memcpy(&st->config[PCI_BASE_ADDRESS_0], &st->config[PCI_BASE_ADDRESS_4], 4);
	expect_refused(b, st, "overlaps");

	*st = *good;
	st->intx_level = 0;
	expect_refused(b, st, "INTx");

	*st = *good;
	st->intx_level = 2;
	expect_refused(b, st, "INTx");

	*st = *good;
	st->config[PCI_CONFIG_SIZE + 3] = 1;
	expect_refused(b, st, "past the config space");

	/* The same BAR addresses with decoding off do not overlap anything. */
	*st = *good;
	memcpy(&st->config[PCI_BASE_ADDRESS_0], &st->config[PCI_BASE_ADDRESS_4], 4);
	st->config[PCI_COMMAND] &= (uint8_t)~PCI_COMMAND_MEMORY;
	char err[160];
	assert_int_equal(pci_device_restore(&b->dev, st, err, sizeof(err)), 0);
	assert_false(mmio_has(b, BAR4_GPA));
	assert_true(pio_has(b, BAR1_PORT));
	free(st);
	free(good);
	mach_free(a);
	mach_free(b);
}

/* ---- MSI-X ---------------------------------------------------------------- */

static void msix_entry(struct mach *m, unsigned int v, uint64_t addr,
		       uint32_t data, bool masked)
{
	uint64_t e = BAR4_GPA + 16ull * v;
	assert_true(io_bus_write(&m->mmio, e, 8, addr));
	assert_true(io_bus_write(&m->mmio, e + 8, 4, data));
	assert_true(io_bus_write(&m->mmio, e + 12, 4, masked));
}

static uint64_t msix_rd(struct mach *m, uint64_t off, unsigned int size)
{
	uint64_t v = 0;
	assert_true(io_bus_read(&m->mmio, BAR4_GPA + off, size, &v));
	return v;
}

static void test_msix_round_trip(void **state)
{
	struct mach *a = mach_new(), *b = mach_new();
	drive(a);
	unsigned int cap = a->dev.msix_cap;
	cfg_write(a, cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	msix_entry(a, 0, 0xfee00000, 0x41, false);
	msix_entry(a, 1, 0xfee01000, 0x42, false);
	msix_entry(a, 3, 0xfee02000, 0x43, true);
	assert_false(pci_msix_signal(&a->msix, 3)); /* masked: pending */
	assert_true(pci_msix_signal(&a->msix, 0));

	struct pci_device_state *ps = malloc(sizeof(*ps));
	struct pci_msix_state *ms = malloc(sizeof(*ms));
	pci_device_save(&a->dev, ps);
	pci_msix_save(&a->msix, ms);
	assert_int_equal(ms->nr_vectors, NVEC);
	assert_int_equal(ms->enabled, 1);

	char err[160] = "";
	assert_int_equal(pci_device_restore(&b->dev, ps, err, sizeof(err)), 0);
	memset(b->changes, 0, sizeof(b->changes));
	assert_int_equal(pci_msix_restore(&b->msix, ms, err, sizeof(err)), 0);

	/* Every vector reported once, so the machine rebuilds its routes. */
	for (unsigned int v = 0; v < NVEC; v++)
		assert_int_equal(b->changes[v].calls, 1);
	assert_false(b->changes[0].route.masked);
	assert_int_equal(b->changes[0].route.addr, 0xfee00000);
	assert_int_equal(b->changes[0].route.data, 0x41);
	assert_int_equal(b->changes[1].route.data, 0x42);
	assert_true(b->changes[3].route.masked);
	assert_true(b->changes[5].route.masked);
	assert_int_equal(b->deliveries, 0);

	/* Guest-visible: table, PBA, Message Control. */
	for (uint64_t off = 0; off < 16 * NVEC; off += 4)
		assert_int_equal(msix_rd(a, off, 4), msix_rd(b, off, 4));
	assert_int_equal(msix_rd(b, 0x1000, 8), 1u << 3);
	assert_int_equal(cfg_read(b, cap + PCI_MSIX_FLAGS, 2),
			 cfg_read(a, cap + PCI_MSIX_FLAGS, 2));
	assert_true(pci_msix_is_enabled(&b->msix));

	/* It goes on like the original: unmasking 3 delivers what waited. */
	assert_true(io_bus_write(&b->mmio, BAR4_GPA + 16 * 3 + 12, 4, 0));
	assert_int_equal(b->deliveries, 1);
	assert_int_equal(msix_rd(b, 0x1000, 8), 0);
	assert_true(pci_msix_signal(&b->msix, 1));
	assert_int_equal(b->deliveries, 2);
	free(ps);
	free(ms);
	mach_free(a);
	mach_free(b);
}

static void expect_msix_refused(struct mach *b, const struct pci_msix_state *st,
				const char *why)
{
	char err[160] = "";
	memset(b->changes, 0, sizeof(b->changes));
	assert_int_equal(pci_msix_restore(&b->msix, st, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, why));
	for (unsigned int v = 0; v < NVEC; v++)
		assert_int_equal(b->changes[v].calls, 0);
	assert_false(pci_msix_is_enabled(&b->msix));
	assert_int_equal(b->msix.table[2][0], 0);
}

static void test_msix_hostile(void **state)
{
	struct mach *a = mach_new(), *b = mach_new();
	drive(a);
	cfg_write(a, a->dev.msix_cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	msix_entry(a, 2, 0xfee00000, 0x41, true);
	assert_false(pci_msix_signal(&a->msix, 2));
	struct pci_msix_state *good = malloc(sizeof(*good));
	struct pci_msix_state *st = malloc(sizeof(*st));
	pci_msix_save(&a->msix, good);

	*st = *good;
	st->version = 7;
	expect_msix_refused(b, st, "version");

	*st = *good;
	st->nr_vectors = NVEC + 1;
	expect_msix_refused(b, st, "vectors");

	*st = *good;
	st->enabled = 2;
	expect_msix_refused(b, st, "control bits");

	*st = *good;
	st->table[2][3] |= 0x100;
	expect_msix_refused(b, st, "reserved");

	*st = *good; /* pending on a vector that is delivering */
	st->table[2][3] = 0;
	expect_msix_refused(b, st, "pending but not masked");

	*st = *good;
	st->table[NVEC][0] = 0xfee00000;
	expect_msix_refused(b, st, "past the table");

	*st = *good;
	st->pba[0] |= 1ull << NVEC;
	expect_msix_refused(b, st, "past the table");

	/* Pending on an unmasked vector is fine while the function is masked. */
	*st = *good;
	st->table[2][3] = 0;
	st->function_masked = 1;
	char err[160];
	assert_int_equal(pci_msix_restore(&b->msix, st, err, sizeof(err)), 0);
	assert_int_equal(b->deliveries, 0);
	cfg_write(b, b->dev.msix_cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(b->deliveries, 1); /* unmasking the function delivers */
	free(st);
	free(good);
	mach_free(a);
	mach_free(b);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_round_trip),
		cmocka_unit_test(test_config_hostile),
		cmocka_unit_test(test_msix_round_trip),
		cmocka_unit_test(test_msix_hostile),
	};
	return cmocka_run_group_tests_name("pci_state", tests, NULL, NULL);
}
