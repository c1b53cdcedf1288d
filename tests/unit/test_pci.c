/* PCI bus 0: config access through 0xCF8/0xCFC and ECAM, the header's
 * write masks, BAR sizing and mapping on the io_buses, capability chains,
 * MSI-X, the host bridge and the BAR allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/x86/layout.h"
#include "bus/io_bus.h"
#include "bus/pci.h"
#include "bus/pci_msix.h"
#include "core/log.h"
#include "devices/pci_host.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TD_SLOT 3
#define MSIX_VECTORS 70 /* two PBA qwords */

struct test_dev {
	struct pci_device pci;
	struct pci_msix msix;
	unsigned int bar_reads[PCI_NUM_BARS], bar_writes[PCI_NUM_BARS];
	uint64_t last_off, last_val;
	/* hooks seen */
	unsigned int mapped_calls, unmapped_calls, cfg_writes;
	uint64_t last_mapped_addr;
	/* MSI-X callbacks */
	unsigned int changes, deliveries;
	unsigned int last_vector;
	struct pci_msix_route last_route;
	uint64_t last_msg_addr;
	uint32_t last_msg_data;
};

struct bar_ref {
	struct test_dev *td;
	unsigned int bar;
} refs[PCI_NUM_BARS];

static uint64_t bar_read(void *opaque, uint64_t off, unsigned int size)
{
	struct bar_ref *r = opaque;
	uint64_t v;
	if (r->td->pci.msix && pci_msix_mmio_read(&r->td->msix, r->bar, off, size, &v))
		return v;
	r->td->bar_reads[r->bar]++;
	r->td->last_off = off;
	return 0xa0 + r->bar;
}

static void bar_write(void *opaque, uint64_t off, uint64_t v, unsigned int size)
{
	struct bar_ref *r = opaque;
	if (r->td->pci.msix && pci_msix_mmio_write(&r->td->msix, r->bar, off, size, v))
		return;
	r->td->bar_writes[r->bar]++;
	r->td->last_off = off;
	r->td->last_val = v;
}

static const struct io_ops bar_ops = { bar_read, bar_write };

static void td_bar_mapped(struct pci_device *dev, unsigned int bar,
			  uint64_t addr, bool mapped)
{
	struct test_dev *td = dev->opaque;
	if (mapped) {
		td->mapped_calls++;
		td->last_mapped_addr = addr;
	} else {
		td->unmapped_calls++;
	}
}

/* A device register at 0x40 that always reads 0x1234 (a dynamic one). */
#define TD_DYN_REG 0xf0
static uint32_t td_config_read(struct pci_device *dev, unsigned int off,
			       unsigned int size, uint32_t val)
{
	if (off == TD_DYN_REG && size == 4)
		return 0x1234;
	return val;
}

static void td_config_write(struct pci_device *dev, unsigned int off,
			    unsigned int size, uint32_t val)
{
	struct test_dev *td = dev->opaque;
	td->cfg_writes++;
}

static const struct pci_device_ops td_ops = {
	.config_read = td_config_read,
	.config_write = td_config_write,
	.bar_mapped = td_bar_mapped,
};

static void td_vector_changed(void *opaque, unsigned int vector,
			      const struct pci_msix_route *route)
{
	struct test_dev *td = opaque;
	td->changes++;
	td->last_vector = vector;
	td->last_route = *route;
}

static void td_deliver(void *opaque, unsigned int vector, uint64_t addr,
		       uint32_t data)
{
	struct test_dev *td = opaque;
	td->deliveries++;
	td->last_vector = vector;
	td->last_msg_addr = addr;
	td->last_msg_data = data;
}

static const struct pci_msix_ops td_msix_ops = { td_vector_changed, td_deliver };

struct fx {
	struct io_bus pio, mmio;
	struct pci_bus bus;
	struct pci_host host;
	struct test_dev td;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct test_dev *td = &f->td;
	io_bus_init(&f->pio, "pio");
	io_bus_init(&f->mmio, "mmio");
	pci_bus_init(&f->bus, &f->pio, &f->mmio);
	assert_int_equal(pci_bus_register_cf8(&f->bus), 0);
	assert_int_equal(pci_bus_register_ecam(&f->bus, X86_PCI_ECAM_BASE, X86_PCI_ECAM_SIZE), 0);
	assert_int_equal(pci_host_init(&f->host, &f->bus), 0);

	static const struct pci_device_id id = {
		.vendor = 0x1af4, .device = 0x1041, .subsys_vendor = 0x1af4,
		.subsys_id = 0x0001, .class_code = 0x020000, .revision = 1,
		.irq_pin = 1,
	};
	pci_device_init(&td->pci, &id, &td_ops, td, "td");
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
		refs[i] = (struct bar_ref){ td, i };
	assert_int_equal(pci_device_add_bar(&td->pci, 0, PCI_BAR_MEM32, 0x1000, false, IO_WIDTH_ANY, &bar_ops, &refs[0]), 0);
	assert_int_equal(pci_device_add_bar(&td->pci, 1, PCI_BAR_IO, 32, false, IO_WIDTH_1 | IO_WIDTH_2 | IO_WIDTH_4, &bar_ops, &refs[1]), 0);
	assert_int_equal(pci_device_add_bar(&td->pci, 2, PCI_BAR_MEM64, 0x4000, true, IO_WIDTH_ANY, &bar_ops, &refs[2]), 0);
	assert_int_equal(pci_device_add_bar(&td->pci, 4, PCI_BAR_MEM32, 0x2000, false, IO_WIDTH_4 | IO_WIDTH_8, &bar_ops, &refs[4]), 0);
	assert_int_equal(pci_bus_add_device(&f->bus, &td->pci, TD_SLOT), TD_SLOT);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	pci_bus_destroy(&f->bus);
	if (f->td.msix.dev)
		pci_msix_destroy(&f->td.msix);
	io_bus_destroy(&f->pio);
	io_bus_destroy(&f->mmio);
	free(f);
	return 0;
}

/* ---- Access helpers, as a guest would ------------------------------------ */

static uint32_t cf8_addr(unsigned int busnr, unsigned int slot, unsigned int fn,
			 unsigned int reg)
{
	return PCI_CF8_ENABLE | busnr << 16 | slot << 11 | fn << 8 | (reg & 0xfc);
}

static uint64_t cfg1_read(struct fx *f, unsigned int slot, unsigned int reg,
			  unsigned int size)
{
	uint64_t v;
	io_bus_write(&f->pio, PCI_CF8_PORT, 4, cf8_addr(0, slot, 0, reg));
	io_bus_read(&f->pio, PCI_CFC_PORT + (reg & 3), size, &v);
	return v;
}

static void cfg1_write(struct fx *f, unsigned int slot, unsigned int reg,
		       unsigned int size, uint32_t val)
{
	io_bus_write(&f->pio, PCI_CF8_PORT, 4, cf8_addr(0, slot, 0, reg));
	io_bus_write(&f->pio, PCI_CFC_PORT + (reg & 3), size, val);
}

static uint64_t ecam_addr(unsigned int busnr, unsigned int slot,
			  unsigned int fn, unsigned int reg)
{
	return X86_PCI_ECAM_BASE + PCI_ECAM_OFFSET(busnr, slot, fn, reg);
}

static uint64_t ecam_read(struct fx *f, unsigned int slot, unsigned int reg,
			  unsigned int size)
{
	uint64_t v;
	io_bus_read(&f->mmio, ecam_addr(0, slot, 0, reg), size, &v);
	return v;
}

static void ecam_write(struct fx *f, unsigned int slot, unsigned int reg,
		       unsigned int size, uint32_t val)
{
	io_bus_write(&f->mmio, ecam_addr(0, slot, 0, reg), size, val);
}

/* ---- Tests --------------------------------------------------------------- */

static void test_cf8_access(void **state)
{
	struct fx *f = *state;
	uint64_t v;

	/* The host bridge, all widths and byte lanes. */
	assert_int_equal(cfg1_read(f, 0, 0, 4), 0x29c08086);
	assert_int_equal(cfg1_read(f, 0, 0, 2), 0x8086);
	assert_int_equal(cfg1_read(f, 0, 2, 2), 0x29c0);
	assert_int_equal(cfg1_read(f, 0, 0, 1), 0x86);
	assert_int_equal(cfg1_read(f, 0, 1, 1), 0x80);
	assert_int_equal(cfg1_read(f, 0, 2, 1), 0xc0);
	assert_int_equal(cfg1_read(f, 0, 3, 1), 0x29);
	assert_int_equal(cfg1_read(f, 0, PCI_CLASS_REVISION, 4), 0x06000000);
	/* Word at 0xCFD: bytes 1-2 of the dword. */
	assert_int_equal(cfg1_read(f, 0, 1, 2), 0xc080);
	/* Straddling the end of 0xCFC-0xCFF: refused, all ones. */
	io_bus_write(&f->pio, PCI_CF8_PORT, 4, cf8_addr(0, 0, 0, 0));
	assert_false(io_bus_read(&f->pio, PCI_CFC_PORT + 3, 2, &v));
	assert_int_equal(v, 0xffff);
	assert_false(io_bus_read(&f->pio, PCI_CFC_PORT + 2, 4, &v));
	assert_int_equal(v, 0xffffffff);

	/* The latch reads back without its reserved bits; only a dword at
	 * 0xCF8 reaches it. */
	io_bus_write(&f->pio, PCI_CF8_PORT, 4, 0xff00ff03);
	io_bus_read(&f->pio, PCI_CF8_PORT, 4, &v);
	assert_int_equal(v, 0x8000ff00);
	io_bus_write(&f->pio, PCI_CF8_PORT + 3, 1, 0x01); /* Linux's probe */
	io_bus_write(&f->pio, PCI_CF8_PORT, 2, 0);
	io_bus_read(&f->pio, PCI_CF8_PORT, 4, &v);
	assert_int_equal(v, 0x8000ff00);
	io_bus_read(&f->pio, PCI_CF8_PORT + 1, 1, &v);
	assert_int_equal(v, 0xff);

	/* Enable bit clear: nothing answers, writes go nowhere. */
	io_bus_write(&f->pio, PCI_CF8_PORT, 4, cf8_addr(0, 0, 0, 0) & ~PCI_CF8_ENABLE);
	io_bus_read(&f->pio, PCI_CFC_PORT, 4, &v);
	assert_int_equal(v, 0xffffffff);
	io_bus_write(&f->pio, PCI_CF8_PORT, 4, cf8_addr(0, TD_SLOT, 0, PCI_INTERRUPT_LINE) & ~PCI_CF8_ENABLE);
	io_bus_write(&f->pio, PCI_CFC_PORT, 1, 0x0b);
	assert_int_equal(cfg1_read(f, TD_SLOT, PCI_INTERRUPT_LINE, 1), 0);

	/* Absent device, other function, other bus: all ones. */
	assert_int_equal(cfg1_read(f, 7, 0, 4), 0xffffffff);
	assert_int_equal(cfg1_read(f, 31, 0, 2), 0xffff);
	io_bus_write(&f->pio, PCI_CF8_PORT, 4, cf8_addr(0, TD_SLOT, 1, 0));
	io_bus_read(&f->pio, PCI_CFC_PORT, 4, &v);
	assert_int_equal(v, 0xffffffff);
	io_bus_write(&f->pio, PCI_CF8_PORT, 4, cf8_addr(1, TD_SLOT, 0, 0));
	io_bus_read(&f->pio, PCI_CFC_PORT, 1, &v);
	assert_int_equal(v, 0xff);

	/* Writes of every width. */
	cfg1_write(f, TD_SLOT, PCI_INTERRUPT_LINE, 1, 0x0a);
	assert_int_equal(cfg1_read(f, TD_SLOT, PCI_INTERRUPT_LINE, 1), 0x0a);
	cfg1_write(f, TD_SLOT, PCI_CACHE_LINE_SIZE, 2, 0x1010);
	assert_int_equal(cfg1_read(f, TD_SLOT, PCI_CACHE_LINE_SIZE, 2), 0x0010);
	cfg1_write(f, TD_SLOT, PCI_INTERRUPT_LINE, 4, 0xffffff05);
	assert_int_equal(cfg1_read(f, TD_SLOT, PCI_INTERRUPT_LINE, 4), 0x00000105);
	/* The device's own register hook. */
	assert_int_equal(cfg1_read(f, TD_SLOT, TD_DYN_REG, 4), 0x1234);
	assert_true(f->td.cfg_writes >= 3);
}

static void test_ecam_access(void **state)
{
	struct fx *f = *state;
	uint64_t v;

	assert_int_equal(ecam_read(f, TD_SLOT, 0, 4), 0x10411af4);
	assert_int_equal(ecam_read(f, TD_SLOT, 2, 2), 0x1041);
	assert_int_equal(ecam_read(f, TD_SLOT, 3, 1), 0x10);
	assert_int_equal(ecam_read(f, TD_SLOT, 1, 2), 0x411a);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(ecam_read(f, 0, PCI_CLASS_DEVICE, 2), 0x0600);

	/* Crossing a dword, beyond a conventional device's 256 bytes: all
	 * ones, counted. 8-byte accesses are not accepted at all. */
	uint64_t bad = f->bus.bad_accesses;
	assert_int_equal(ecam_read(f, TD_SLOT, 3, 2), 0xffff);
	assert_int_equal(ecam_read(f, TD_SLOT, 2, 4), 0xffffffff);
	assert_int_equal(ecam_read(f, TD_SLOT, 0x100, 4), 0xffffffff);
	assert_int_equal(ecam_read(f, TD_SLOT, 0xffc, 4), 0xffffffff);
	assert_int_equal(f->bus.bad_accesses, bad + 4);
	assert_false(io_bus_read(&f->mmio, ecam_addr(0, TD_SLOT, 0, 0), 8, &v));
	assert_int_equal(v, ~0ull);

	/* No such bus, device or function. */
	io_bus_read(&f->mmio, ecam_addr(1, TD_SLOT, 0, 0), 4, &v);
	assert_int_equal(v, 0xffffffff);
	io_bus_read(&f->mmio, ecam_addr(255, 31, 7, 0xffc), 4, &v);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(ecam_read(f, 30, 0, 2), 0xffff);
	io_bus_read(&f->mmio, ecam_addr(0, TD_SLOT, 5, 0), 1, &v);
	assert_int_equal(v, 0xff);

	/* Writes of every width land; bad ones are dropped. */
	ecam_write(f, TD_SLOT, PCI_INTERRUPT_LINE, 1, 0x22);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_INTERRUPT_LINE, 1), 0x22);
	ecam_write(f, TD_SLOT, PCI_INTERRUPT_LINE, 2, 0xff33);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_INTERRUPT_LINE, 2), 0x0133);
	ecam_write(f, TD_SLOT, PCI_INTERRUPT_LINE - 1, 2, 0x4455); /* crosses */
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_INTERRUPT_LINE, 1), 0x33);
	ecam_write(f, TD_SLOT, 0x200, 4, 0);
	io_bus_write(&f->mmio, ecam_addr(2, TD_SLOT, 0, PCI_INTERRUPT_LINE), 1, 0x77);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_INTERRUPT_LINE, 1), 0x33);

	/* A PCIe device has 4 KiB; its extended space is empty (zeros). */
	struct pci_device *e = calloc(1, sizeof(*e));
	struct pci_device_id id = { .vendor = 0x1b36, .device = 0x0001, .pcie = true };
	pci_device_init(e, &id, NULL, NULL, "pcie");
	assert_int_equal(pci_bus_add_device(&f->bus, e, -1), 1);
	assert_int_equal(ecam_read(f, 1, 0x100, 4), 0);
	assert_int_equal(ecam_read(f, 1, 0xffc, 4), 0);
	ecam_write(f, 1, 0x800, 4, 0xdeadbeef); /* read-only */
	assert_int_equal(ecam_read(f, 1, 0x800, 4), 0);
	/* ...but CF8 reaches only the first 256 bytes by construction. */
	assert_int_equal(cfg1_read(f, 1, 0, 4), 0x00011b36);
	pci_bus_remove_device(&f->bus, e);
	assert_int_equal(ecam_read(f, 1, 0, 4), 0xffffffff);
	free(e);
}

static void test_readonly_masks(void **state)
{
	struct fx *f = *state;
	struct pci_device *d = &f->td.pci;
	uint8_t before[PCI_CONFIG_SIZE];
	memcpy(before, d->config, sizeof(before));

	/* Identity, header type, BIST, subsystem, capability pointer,
	 * interrupt pin, reserved: all read-only. */
	static const unsigned int ro[] = { PCI_VENDOR_ID, PCI_CLASS_REVISION,
		PCI_CARDBUS_CIS, PCI_SUBSYSTEM_VENDOR_ID,
		PCI_CAPABILITY_LIST, 0x38 };
	for (unsigned int i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		cfg1_write(f, TD_SLOT, ro[i], 4, 0xffffffff);
	ecam_write(f, TD_SLOT, PCI_HEADER_TYPE, 2, 0xffff);
	ecam_write(f, TD_SLOT, PCI_INTERRUPT_PIN, 1, 4);
	ecam_write(f, TD_SLOT, PCI_MIN_GNT, 2, 0xffff);
	assert_memory_equal(d->config, before, 0x3c);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_LATENCY_TIMER, 1), 0);
	/* No expansion ROM: its sizing reads 0. */
	ecam_write(f, TD_SLOT, PCI_ROM_ADDRESS, 4, 0xffffffff);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_ROM_ADDRESS, 4), 0);

	/* COMMAND: only the defined writable bits. */
	ecam_write(f, TD_SLOT, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_COMMAND, 2), 0x0547);
	ecam_write(f, TD_SLOT, PCI_COMMAND, 2, 0);

	/* STATUS: error bits are write-1-to-clear, the rest read-only. */
	pci_config_put(d, PCI_STATUS, 2, PCI_STATUS_CAP_LIST | PCI_STATUS_REC_MASTER_ABORT |
		       PCI_STATUS_DETECTED_PARITY | PCI_STATUS_66MHZ);
	ecam_write(f, TD_SLOT, PCI_STATUS, 2, PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_CAP_LIST |
		   PCI_STATUS_66MHZ | PCI_STATUS_INTERRUPT);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_STATUS, 2),
			 PCI_STATUS_CAP_LIST | PCI_STATUS_DETECTED_PARITY | PCI_STATUS_66MHZ);
	/* A dword write to COMMAND with zeros in the STATUS half clears nothing. */
	ecam_write(f, TD_SLOT, PCI_COMMAND, 4, PCI_COMMAND_MASTER);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_COMMAND, 4),
			 (uint32_t)(PCI_STATUS_CAP_LIST | PCI_STATUS_DETECTED_PARITY |
				    PCI_STATUS_66MHZ) << 16 | PCI_COMMAND_MASTER);
	ecam_write(f, TD_SLOT, PCI_STATUS, 2, 0xffff);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_STATUS, 2),
			 PCI_STATUS_CAP_LIST | PCI_STATUS_66MHZ);
	pci_config_put(d, PCI_STATUS, 2, 0);

	/* Writable: cache line size and interrupt line. */
	ecam_write(f, TD_SLOT, PCI_CACHE_LINE_SIZE, 1, 0x10);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_CACHE_LINE_SIZE, 1), 0x10);
	/* Bytes past the header with no capability: read-only zeros. */
	ecam_write(f, TD_SLOT, 0x80, 4, 0x12345678);
	assert_int_equal(ecam_read(f, TD_SLOT, 0x80, 4), 0);
}

static void test_bar_sizing(void **state)
{
	struct fx *f = *state;
	struct {
		unsigned int reg;
		uint32_t sized;
	} expect[] = {
		{ PCI_BASE_ADDRESS_0, 0xfffff000 },              /* mem32 4K */
		{ PCI_BASE_ADDRESS_1, 0xffffffe1 },              /* IO 32 bytes */
		{ PCI_BASE_ADDRESS_2, 0xffffc00c },              /* mem64 16K, prefetch */
		{ PCI_BASE_ADDRESS_3, 0xffffffff },              /* its top half */
		{ PCI_BASE_ADDRESS_4, 0xffffe000 },              /* mem32 8K */
		{ PCI_BASE_ADDRESS_5, 0x00000000 },              /* unused */
	};
	/* Types before sizing. */
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_BASE_ADDRESS_1, 4), PCI_BASE_ADDRESS_SPACE_IO);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_BASE_ADDRESS_2, 4),
			 PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH);
	for (unsigned int i = 0; i < 6; i++) {
		uint32_t orig = (uint32_t)cfg1_read(f, TD_SLOT, expect[i].reg, 4);
		cfg1_write(f, TD_SLOT, expect[i].reg, 4, 0xffffffff);
		assert_int_equal(cfg1_read(f, TD_SLOT, expect[i].reg, 4), expect[i].sized);
		cfg1_write(f, TD_SLOT, expect[i].reg, 4, orig);
		assert_int_equal(cfg1_read(f, TD_SLOT, expect[i].reg, 4), orig);
	}
	/* A byte-wide write only changes its byte, through the mask. */
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_0 + 1, 1, 0xff);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_BASE_ADDRESS_0, 4), 0x0000f000);
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_0, 4, 0);

	/* A 64-bit BAR larger than 4 GiB: the low dword has no address bits. */
	struct pci_device *big = calloc(1, sizeof(*big));
	struct pci_device_id id = { .vendor = 0x1234, .device = 0x5678 };
	pci_device_init(big, &id, NULL, NULL, "big");
	assert_int_equal(pci_device_add_bar(big, 0, PCI_BAR_MEM64, 1ull << 34, false, IO_WIDTH_8, &bar_ops, &refs[0]), 0);
	assert_int_equal(pci_bus_add_device(&f->bus, big, 9), 9);
	ecam_write(f, 9, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	ecam_write(f, 9, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	assert_int_equal(ecam_read(f, 9, PCI_BASE_ADDRESS_0, 4), 0x00000004);
	assert_int_equal(ecam_read(f, 9, PCI_BASE_ADDRESS_1, 4), 0xfffffffc);
	pci_bus_remove_device(&f->bus, big);

	/* Bad BAR descriptions are refused. */
	pci_device_init(big, &id, NULL, NULL, "bad");
	assert_int_equal(pci_device_add_bar(big, 0, PCI_BAR_MEM32, 0x1800, false, IO_WIDTH_4, &bar_ops, NULL), -EINVAL);
	assert_int_equal(pci_device_add_bar(big, 0, PCI_BAR_IO, 512, false, IO_WIDTH_4, &bar_ops, NULL), -EINVAL);
	assert_int_equal(pci_device_add_bar(big, 0, PCI_BAR_MEM32, 8, false, IO_WIDTH_4, &bar_ops, NULL), -EINVAL);
	assert_int_equal(pci_device_add_bar(big, 5, PCI_BAR_MEM64, 0x1000, false, IO_WIDTH_4, &bar_ops, NULL), -EINVAL);
	assert_int_equal(pci_device_add_bar(big, 6, PCI_BAR_MEM32, 0x1000, false, IO_WIDTH_4, &bar_ops, NULL), -EINVAL);
	assert_int_equal(pci_device_add_bar(big, 0, PCI_BAR_MEM64, 0x1000, false, IO_WIDTH_4, &bar_ops, NULL), 0);
	assert_int_equal(pci_device_add_bar(big, 1, PCI_BAR_MEM32, 0x1000, false, IO_WIDTH_4, &bar_ops, NULL), -EINVAL);
	assert_int_equal(pci_device_add_bar(big, 0, PCI_BAR_MEM32, 0x1000, false, IO_WIDTH_4, &bar_ops, NULL), -EINVAL);
	free(big);
}

static bool mmio_hits(struct fx *f, uint64_t addr, unsigned int bar)
{
	unsigned int before = f->td.bar_reads[bar];
	uint64_t v;
	bool handled = io_bus_read(&f->mmio, addr, 4, &v);
	return handled && f->td.bar_reads[bar] == before + 1 && v == 0xa0 + bar;
}

static void test_bar_mapping(void **state)
{
	struct fx *f = *state;
	uint64_t v;

	/* Programmed but not decoding: nothing on the bus. */
	cfg1_write(f, TD_SLOT, PCI_BASE_ADDRESS_0, 4, 0xc0000000);
	assert_false(mmio_hits(f, 0xc0000010, 0));
	assert_int_equal(f->td.mapped_calls, 0);

	/* MEMORY on through 0xCFC (a PIO dispatch: the MMIO change is queued
	 * and applied when it returns). */
	cfg1_write(f, TD_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(mmio_hits(f, 0xc0000010, 0));
	assert_int_equal(f->td.last_off, 0x10);
	assert_int_equal(f->td.mapped_calls, 1);
	assert_int_equal(f->td.last_mapped_addr, 0xc0000000);
	assert_true(io_bus_write(&f->mmio, 0xc0000ff8, 8, 0x55));
	assert_int_equal(f->td.bar_writes[0], 1);
	assert_int_equal(f->td.last_off, 0xff8);

	/* Move it through ECAM, itself an MMIO dispatch on the same bus. */
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_0, 4, 0xc0100000);
	assert_false(mmio_hits(f, 0xc0000010, 0));
	assert_true(mmio_hits(f, 0xc0100010, 0));
	assert_int_equal(f->td.last_off, 0x10);
	assert_int_equal(f->td.unmapped_calls, 1);
	assert_int_equal(f->td.mapped_calls, 2);

	/* Sizing with decoding left on unmaps (the all-ones address ends at
	 * the top of 4 GiB); restoring maps it back. */
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	assert_false(mmio_hits(f, 0xc0100010, 0));
	assert_false(mmio_hits(f, 0xfffff000, 0));
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_0, 4, 0xc0100000);
	assert_true(mmio_hits(f, 0xc0100000, 0));

	/* 64-bit BAR above 4 GiB, written low then high while decoding. */
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_2, 4, 0xc0200000);
	assert_true(mmio_hits(f, 0xc0200000, 2));
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_3, 4, 0x8);
	assert_false(mmio_hits(f, 0xc0200000, 2));
	assert_true(mmio_hits(f, 0x8c0203ffcull, 2));
	assert_int_equal(pci_device_bar_addr(&f->td.pci, 2), 0x8c0200000ull);

	/* Moving onto another BAR's range fails to map; no harm done. */
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_3, 4, 0);
	enum log_level level = log_get_level();
	log_set_level(LOG_ERROR); /* the expected warning */
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_0, 4, 0xc0200000);
	log_set_level(level);
	assert_true(mmio_hits(f, 0xc0200000, 2));
	assert_false(f->td.pci.bars[0].mapped);
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_0, 4, 0xc0300000);
	assert_true(mmio_hits(f, 0xc0300000, 0));

	/* IO BAR: needs COMMAND.IO; memory BARs unaffected by it. */
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_1, 4, 0xc040);
	assert_false(io_bus_read(&f->pio, 0xc044, 2, &v));
	ecam_write(f, TD_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_true(io_bus_read(&f->pio, 0xc044, 2, &v));
	assert_int_equal(v, 0xa1);
	assert_int_equal(f->td.last_off, 4);
	/* An IO BAR past 64 KiB decodes nowhere. */
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_1, 4, 0x10000);
	assert_false(f->td.pci.bars[1].mapped);
	ecam_write(f, TD_SLOT, PCI_BASE_ADDRESS_1, 4, 0xc040);
	assert_true(io_bus_read(&f->pio, 0xc040, 1, &v));

	/* Decoding off: everything unmapped. */
	cfg1_write(f, TD_SLOT, PCI_COMMAND, 2, 0);
	assert_false(mmio_hits(f, 0xc0300000, 0));
	assert_false(mmio_hits(f, 0xc0200000, 2));
	assert_false(io_bus_read(&f->pio, 0xc040, 1, &v));
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
		assert_false(f->td.pci.bars[i].mapped);

	/* Firmware-style assignment maps at once when decoding is on. */
	ecam_write(f, TD_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(pci_device_set_bar_addr(&f->td.pci, 4, 0xc0400000), 0);
	uint64_t msix_bar_reads = f->td.bar_reads[4];
	assert_true(io_bus_read(&f->mmio, 0xc0400100, 4, &v));
	assert_int_equal(f->td.bar_reads[4], msix_bar_reads + 1);
	assert_int_equal(pci_device_set_bar_addr(&f->td.pci, 4, 0xc0401000), -EINVAL);
	assert_int_equal(pci_device_set_bar_addr(&f->td.pci, 5, 0xc0500000), -EINVAL);

	/* Removing the device unmaps it. */
	pci_bus_remove_device(&f->bus, &f->td.pci);
	assert_false(io_bus_read(&f->mmio, 0xc0400100, 4, &v));
	assert_int_equal(ecam_read(f, TD_SLOT, 0, 4), 0xffffffff);
	assert_int_equal(f->mmio.table.nr_ranges, 1); /* ECAM only */
}

static void test_capability_chain(void **state)
{
	struct fx *f = *state;
	struct pci_device *d = &f->td.pci;
	uint8_t vndr5[5] = { PCI_CAP_ID_VNDR, 0xee, 5, 0xaa, 0xbb };
	uint8_t vndr8[8] = { PCI_CAP_ID_VNDR, 0, 8, 1, 2, 3, 4, 5 };

	/* Adding capabilities after joining the bus is fine at set-up. */
	assert_int_equal(pci_add_capability(d, vndr5, sizeof(vndr5)), 0x40);
	assert_int_equal(pci_add_capability(d, vndr8, sizeof(vndr8)), 0x48);
	assert_int_equal(pci_msix_init(&f->td.msix, d, MSIX_VECTORS, 4, 0, 4, 0x1000,
				       &td_msix_ops, &f->td), 0);
	assert_int_equal(d->msix_cap, 0x50);
	assert_int_equal(pci_add_capability(d, vndr5, 1), -EINVAL);

	/* Walk it as Linux does. */
	assert_true(cfg1_read(f, TD_SLOT, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	unsigned int pos = (unsigned)cfg1_read(f, TD_SLOT, PCI_CAPABILITY_LIST, 1);
	unsigned int ids[8], offs[8], n = 0;
	while (pos && n < 8) {
		ids[n] = (unsigned)ecam_read(f, TD_SLOT, pos, 1);
		offs[n++] = pos;
		pos = (unsigned)ecam_read(f, TD_SLOT, pos + PCI_CAP_LIST_NEXT, 1);
	}
	assert_int_equal(n, 3);
	assert_int_equal(offs[0], 0x40);
	assert_int_equal(offs[1], 0x48);
	assert_int_equal(offs[2], 0x50);
	assert_int_equal(ids[0], PCI_CAP_ID_VNDR);
	assert_int_equal(ids[2], PCI_CAP_ID_MSIX);
	assert_int_equal(ecam_read(f, TD_SLOT, 0x42, 4), 0xffffffff); /* crosses */
	assert_int_equal(ecam_read(f, TD_SLOT, 0x42, 2), 0xaa05);
	assert_int_equal(ecam_read(f, TD_SLOT, 0x44, 1), 0xbb);
	assert_int_equal(ecam_read(f, TD_SLOT, 0x4c, 4), 0x05040302);

	/* Read-only by default; writable where the device says so. */
	ecam_write(f, TD_SLOT, 0x40, 4, 0xffffffff);
	assert_int_equal(ecam_read(f, TD_SLOT, 0x40, 4), 0xaa054809);
	pci_config_set_wmask(d, 0x4c, 2, 0x0ff0);
	ecam_write(f, TD_SLOT, 0x4c, 4, 0xffffffff);
	assert_int_equal(ecam_read(f, TD_SLOT, 0x4c, 4), 0x05040ff2);

	/* MSI-X: table size - 1, table and PBA offset/BIR; only enable and
	 * function mask writable. */
	assert_int_equal(ecam_read(f, TD_SLOT, 0x52, 2), MSIX_VECTORS - 1);
	assert_int_equal(ecam_read(f, TD_SLOT, 0x54, 4), 0x00000004);
	assert_int_equal(ecam_read(f, TD_SLOT, 0x58, 4), 0x00001004);
	ecam_write(f, TD_SLOT, 0x52, 2, 0xffff);
	assert_int_equal(ecam_read(f, TD_SLOT, 0x52, 2), 0xc000 | (MSIX_VECTORS - 1));
	ecam_write(f, TD_SLOT, 0x52, 2, 0);

	/* Fill the space: the builder refuses what does not fit. */
	uint8_t big[64] = { PCI_CAP_ID_VNDR };
	int r;
	unsigned int added = 0;
	while ((r = pci_add_capability(d, big, sizeof(big))) > 0)
		added++;
	assert_int_equal(r, -ENOSPC);
	assert_int_equal(added, 2); /* 0x5c + 64 = 0x9c, 0x9c + 64 = 0xdc */
	assert_int_equal(pci_add_capability(d, vndr8, sizeof(vndr8)), 0xdc);
}

static void msix_write32(struct fx *f, uint64_t off, uint32_t v)
{
	io_bus_write(&f->mmio, 0xc0400000 + off, 4, v);
}

static uint64_t msix_read(struct fx *f, uint64_t off, unsigned int size)
{
	uint64_t v;
	io_bus_read(&f->mmio, 0xc0400000 + off, size, &v);
	return v;
}

static void test_msix(void **state)
{
	struct fx *f = *state;
	struct test_dev *td = &f->td;
	struct pci_msix *m = &td->msix;
	assert_int_equal(pci_msix_init(m, &td->pci, MSIX_VECTORS, 4, 0, 4, 0x1000,
				       &td_msix_ops, td), 0);
	assert_int_equal(pci_msix_init(m, &td->pci, 4, 4, 0, 4, 0x1000, &td_msix_ops, td), -EINVAL);
	unsigned int cap = td->pci.msix_cap;
	assert_int_equal(pci_device_set_bar_addr(&td->pci, 4, 0xc0400000), 0);
	ecam_write(f, TD_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);

	/* Every vector starts masked; reserved control bits stay zero. */
	assert_int_equal(msix_read(f, 16 * 1 + 12, 4), 1);
	msix_write32(f, 16 * 1 + 0, 0xfee01000);
	msix_write32(f, 16 * 1 + 4, 0);
	msix_write32(f, 16 * 1 + 8, 0x4041);
	msix_write32(f, 16 * 1 + 12, 0xfffffffe | 1);
	assert_int_equal(msix_read(f, 16 * 1 + 12, 4), 1);
	assert_int_equal(msix_read(f, 16 * 1, 8), 0xfee01000);
	assert_int_equal(msix_read(f, 16 * 1 + 8, 8), 0x100004041ull);
	assert_int_equal(td->changes, 0);

	/* Disabled: a signal neither delivers nor sets a pending bit. */
	assert_false(pci_msix_signal(m, 1));
	assert_int_equal(msix_read(f, 0x1000, 8), 0);

	/* Enabled, vector still masked: pending. */
	ecam_write(f, TD_SLOT, cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_true(pci_msix_is_enabled(m));
	assert_int_equal(td->changes, 0);
	assert_false(pci_msix_signal(m, 1));
	assert_int_equal(msix_read(f, 0x1000, 8), 1u << 1);
	assert_int_equal(msix_read(f, 0x1000, 4), 1u << 1);
	assert_int_equal(td->deliveries, 0);

	/* Unmask: the route is reported, then the pending message sent. */
	msix_write32(f, 16 * 1 + 12, 0);
	assert_int_equal(td->changes, 1);
	assert_int_equal(td->last_route.addr, 0xfee01000);
	assert_int_equal(td->last_route.data, 0x4041);
	assert_false(td->last_route.masked);
	assert_int_equal(td->deliveries, 1);
	assert_int_equal(td->last_msg_data, 0x4041);
	assert_int_equal(msix_read(f, 0x1000, 8), 0);
	assert_true(pci_msix_signal(m, 1));
	assert_int_equal(td->deliveries, 2);

	/* New data while unmasked is reported too (8-byte write of addr). */
	io_bus_write(&f->mmio, 0xc0400000 + 16, 8, 0x00000001fee02000ull);
	assert_int_equal(td->changes, 2);
	assert_int_equal(td->last_route.addr, 0x1fee02000ull);

	/* Function mask: masks every vector, signals go pending. */
	ecam_write(f, TD_SLOT, cap + PCI_MSIX_FLAGS, 2,
		   PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	assert_int_equal(td->changes, 3);
	assert_true(td->last_route.masked);
	assert_false(pci_msix_signal(m, 1));
	/* Vector 65 lives in the PBA's second qword. */
	msix_write32(f, 16 * 65 + 12, 0);
	assert_int_equal(td->changes, 3); /* still function-masked */
	assert_false(pci_msix_signal(m, 65));
	assert_int_equal(msix_read(f, 0x1008, 8), 1u << 1);
	assert_int_equal(msix_read(f, 0x100c, 4), 0);
	struct pci_msix_route r;
	assert_true(pci_msix_get_route(m, 65, &r));
	assert_true(r.masked);
	/* The PBA is read-only. */
	io_bus_write(&f->mmio, 0xc0401000, 8, 0);
	assert_int_equal(msix_read(f, 0x1000, 8), 1u << 1);

	/* Function unmask: both vectors report and deliver their pending. */
	unsigned int deliveries = td->deliveries;
	ecam_write(f, TD_SLOT, cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(td->changes, 5);
	assert_int_equal(td->deliveries, deliveries + 2);
	assert_int_equal(msix_read(f, 0x1000, 8), 0);
	assert_int_equal(msix_read(f, 0x1008, 8), 0);

	/* Refused accesses: 1- and 2-byte, misaligned; counted, read 0. */
	uint64_t bad = m->bad_accesses;
	assert_int_equal(msix_read(f, 16 * 1, 2), 0xffff); /* the BAR's widths */
	uint64_t v;
	assert_true(pci_msix_mmio_read(m, 4, 16 * 1, 2, &v));
	assert_int_equal(v, 0);
	assert_int_equal(msix_read(f, 16 * 1 + 2, 4), 0);
	msix_write32(f, 16 * 1 + 2, 0xffffffff);
	assert_int_equal(msix_read(f, 16 * 1 + 8, 4), 0x4041);
	assert_int_equal(m->bad_accesses, bad + 3);
	/* Out-of-range vectors. */
	assert_false(pci_msix_signal(m, MSIX_VECTORS));
	assert_false(pci_msix_get_route(m, 5000, &r));
	/* Outside the table and PBA: the device's own registers. */
	unsigned int reads = td->bar_reads[4];
	msix_read(f, 0x1800, 4);
	assert_int_equal(td->bar_reads[4], reads + 1);

	/* Disable: the unmasked vectors report masked. */
	ecam_write(f, TD_SLOT, cap + PCI_MSIX_FLAGS, 2, 0);
	assert_int_equal(td->changes, 7);
	assert_false(pci_msix_is_enabled(m));
	assert_false(pci_msix_signal(m, 1));

	/* Reset: table cleared and masked. */
	pci_msix_reset(m);
	assert_int_equal(msix_read(f, 16 * 1, 4), 0);
	assert_int_equal(msix_read(f, 16 * 65 + 12, 4), 1);

	/* Bad layouts are refused. */
	struct pci_msix m2;
	struct pci_device *d2 = calloc(1, sizeof(*d2));
	struct pci_device_id id = { .vendor = 1 };
	pci_device_init(d2, &id, NULL, NULL, "d2");
	assert_int_equal(pci_device_add_bar(d2, 0, PCI_BAR_MEM32, 0x1000, false, IO_WIDTH_4, &bar_ops, NULL), 0);
	assert_int_equal(pci_device_add_bar(d2, 1, PCI_BAR_IO, 0x100, false, IO_WIDTH_4, &bar_ops, NULL), 0);
	assert_int_equal(pci_msix_init(&m2, d2, 8, 0, 0, 0, 0x40, NULL, NULL), -EINVAL); /* overlap */
	assert_int_equal(pci_msix_init(&m2, d2, 8, 1, 0, 0, 0x800, NULL, NULL), -EINVAL); /* IO BAR */
	assert_int_equal(pci_msix_init(&m2, d2, 8, 0, 4, 0, 0x800, NULL, NULL), -EINVAL); /* aligned */
	assert_int_equal(pci_msix_init(&m2, d2, 256, 0, 0, 0, 0x800, NULL, NULL), -EINVAL); /* too big */
	assert_int_equal(pci_msix_init(&m2, d2, 0, 0, 0, 0, 0x800, NULL, NULL), -EINVAL);
	assert_int_equal(pci_msix_init(&m2, d2, 8, 0, 0, 0, 0x800, NULL, NULL), 0);
	pci_msix_destroy(&m2);
	free(d2);
}

static void test_host_bridge(void **state)
{
	struct fx *f = *state;
	assert_int_equal(ecam_read(f, 0, PCI_VENDOR_ID, 2), PCI_HOST_VENDOR);
	assert_int_equal(ecam_read(f, 0, PCI_DEVICE_ID, 2), PCI_HOST_DEVICE);
	assert_int_equal(ecam_read(f, 0, PCI_CLASS_REVISION, 4) >> 8, PCI_HOST_CLASS);
	assert_int_equal(ecam_read(f, 0, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(ecam_read(f, 0, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
	for (unsigned int reg = PCI_BASE_ADDRESS_0; reg <= PCI_BASE_ADDRESS_5; reg += 4) {
		ecam_write(f, 0, reg, 4, 0xffffffff);
		assert_int_equal(ecam_read(f, 0, reg, 4), 0);
	}
	assert_int_equal(ecam_read(f, 0, PCI_INTERRUPT_PIN, 1), 0);
	struct pci_host h2;
	assert_int_equal(pci_host_init(&h2, &f->bus), -EEXIST);
}

static int intx_level = -1;
static void fake_set_irq(void *ctx, uint32_t gsi, int level)
{
	intx_level = level;
}

static void test_intx(void **state)
{
	struct fx *f = *state;
	f->td.pci.intx = (struct irq_line){ fake_set_irq, NULL, 11 };
	pci_device_set_intx(&f->td.pci, true);
	assert_int_equal(intx_level, 1);
	assert_true(ecam_read(f, TD_SLOT, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	ecam_write(f, TD_SLOT, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	assert_int_equal(intx_level, 0);
	assert_true(ecam_read(f, TD_SLOT, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	ecam_write(f, TD_SLOT, PCI_COMMAND, 2, 0);
	assert_int_equal(intx_level, 1);
	pci_device_set_intx(&f->td.pci, false);
	assert_int_equal(intx_level, 0);
	assert_false(ecam_read(f, TD_SLOT, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
}

static void test_allocator(void **state)
{
	struct fx *f = *state;
	struct pci_alloc mem, io;
	uint64_t a;
	pci_alloc_init(&mem, X86_PCI_MMIO_START, X86_PCI_MMIO_END);
	assert_int_equal(pci_alloc_range(&mem, 0x1000, &a), 0);
	assert_int_equal(a, 0xc0000000);
	assert_int_equal(pci_alloc_range(&mem, 0x10, &a), 0);
	assert_int_equal(a, 0xc0001000);
	assert_int_equal(pci_alloc_range(&mem, 0x100000, &a), 0);
	assert_int_equal(a, 0xc0100000);
	assert_int_equal(pci_alloc_range(&mem, 0x3000, &a), -EINVAL);
	assert_int_equal(pci_alloc_range(&mem, 0, &a), -EINVAL);
	assert_int_equal(pci_alloc_range(&mem, 0x20000000, &a), -ENOSPC);
	assert_int_equal(pci_alloc_range(&mem, 1ull << 63, &a), -ENOSPC);
	assert_int_equal(pci_alloc_range(&mem, 0x10000000, &a), 0);
	assert_int_equal(a, 0xd0000000);
	assert_int_equal(pci_alloc_range(&mem, 0x10, &a), -ENOSPC); /* full */
	/* A window that ends at the very top does not overflow. */
	pci_alloc_init(&mem, UINT64_MAX - 0xfff, UINT64_MAX);
	assert_int_equal(pci_alloc_range(&mem, 0x2000, &a), -ENOSPC);

	/* Whole devices, largest BAR first, aligned; decoding stays off. */
	pci_alloc_init(&mem, X86_PCI_MMIO_START, X86_PCI_MMIO_END);
	pci_alloc_init(&io, 0xc000, 0x10000);
	assert_int_equal(pci_device_assign_bars(&f->td.pci, &mem, &io), 0);
	assert_int_equal(pci_device_bar_addr(&f->td.pci, 2), 0xc0000000); /* 16K */
	assert_int_equal(pci_device_bar_addr(&f->td.pci, 4), 0xc0004000); /* 8K */
	assert_int_equal(pci_device_bar_addr(&f->td.pci, 0), 0xc0006000); /* 4K */
	assert_int_equal(pci_device_bar_addr(&f->td.pci, 1), 0xc000);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_BASE_ADDRESS_2, 4), 0xc000000c);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_BASE_ADDRESS_1, 4), 0xc001);
	assert_false(f->td.pci.bars[0].mapped);
	assert_int_equal(pci_device_assign_bars(&f->td.pci, &mem, NULL), -EINVAL);
	/* Then the guest's driver turns decoding on. */
	cfg1_write(f, TD_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_true(mmio_hits(f, 0xc0006000, 0));
	assert_true(mmio_hits(f, 0xc0000000, 2));
}

/* Random guest writes everywhere: no crash, identity intact. */
static void test_config_garbage(void **state)
{
	struct fx *f = *state;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	enum log_level level = log_get_level();
	log_set_level(LOG_ERROR);
	for (unsigned int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned int size = 1u << (x & 3); /* 1, 2, 4, 8 */
		unsigned int slot = (x >> 8) & 1 ? TD_SLOT : (unsigned)(x >> 9) & 31;
		unsigned int reg = (unsigned)(x >> 16) & 0xfff;
		uint64_t v, addr = ecam_addr((x >> 40) & 1, slot, 0, reg);
		if ((x >> 41) & 1)
			io_bus_write(&f->mmio, addr, size, x >> 3);
		else
			io_bus_read(&f->mmio, addr, size, &v);
		if (((x >> 42) & 15) == 0) {
			io_bus_write(&f->pio, PCI_CF8_PORT, 4, (uint32_t)(x >> 20));
			io_bus_write(&f->pio, PCI_CFC_PORT + (x & 3), size > 4 ? 4 : size, x);
		}
	}
	log_set_level(level);
	assert_int_equal(ecam_read(f, TD_SLOT, 0, 4), 0x10411af4);
	assert_int_equal(ecam_read(f, 0, 0, 4), 0x29c08086);
	assert_int_equal(ecam_read(f, TD_SLOT, PCI_CLASS_REVISION, 4), 0x02000001);
}

/* vCPUs moving BARs at once: one through 0xCF8/0xCFC (PIO dispatch, MMIO
 * change), one through ECAM (MMIO dispatch, PIO change), one using the
 * BARs. Nothing deadlocks, and the buses end up matching the registers. */
struct conc {
	struct fx *f;
	int stop;
};

static void *mover_cf8(void *arg)
{
	struct conc *c = arg;
	for (unsigned int i = 0; i < 20000; i++)
		cfg1_write(c->f, TD_SLOT, PCI_BASE_ADDRESS_0, 4,
			   i & 1 ? 0xc0000000 : 0xc0010000);
	return NULL;
}

static void *mover_ecam(void *arg)
{
	struct conc *c = arg;
	for (unsigned int i = 0; i < 20000; i++)
		ecam_write(c->f, TD_SLOT, PCI_BASE_ADDRESS_1, 4, i & 1 ? 0xc000 : 0xd000);
	return NULL;
}

static void *user(void *arg)
{
	struct conc *c = arg;
	uint64_t v;
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		io_bus_read(&c->f->mmio, 0xc0000000, 4, &v);
		io_bus_read(&c->f->mmio, 0xc0010000, 4, &v);
		io_bus_read(&c->f->pio, 0xc000, 1, &v);
		io_bus_read(&c->f->pio, 0xd000, 1, &v);
	}
	return NULL;
}

static uint64_t atomic_bar_read(void *opaque, uint64_t off, unsigned int size)
{
	return 0;
}
static const struct io_ops quiet_ops = { atomic_bar_read, NULL };

static void test_concurrent_config(void **state)
{
	struct fx *f = *state;
	struct conc c = { .f = f };
	pthread_t a, b, u;
	/* Callbacks that touch no shared counters (the test's own are not
	 * atomic). */
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
		f->td.pci.bars[i].ops = &quiet_ops;
	f->td.pci.ops = NULL;
	ecam_write(f, TD_SLOT, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_int_equal(pthread_create(&u, NULL, user, &c), 0);
	assert_int_equal(pthread_create(&a, NULL, mover_cf8, &c), 0);
	assert_int_equal(pthread_create(&b, NULL, mover_ecam, &c), 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(u, NULL);

	uint64_t v;
	assert_true(f->td.pci.bars[0].mapped);
	/* The last writes (i = 19999) chose 0xc0000000 and 0xc000. */
	assert_int_equal(f->td.pci.bars[0].mapped_addr, 0xc0000000);
	assert_true(io_bus_read(&f->mmio, 0xc0000000, 4, &v));
	assert_false(io_bus_read(&f->mmio, 0xc0010000, 4, &v));
	assert_int_equal(f->td.pci.bars[1].mapped_addr, 0xc000);
	assert_true(io_bus_read(&f->pio, 0xc000, 1, &v));
	assert_false(io_bus_read(&f->pio, 0xd000, 1, &v));
	assert_int_equal(f->mmio.deferred_failed, 0);
	assert_int_equal(f->pio.deferred_failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cf8_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ecam_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_masks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_sizing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capability_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allocator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_config, setup, teardown),
	};
	return cmocka_run_group_tests_name("pci", tests, NULL, NULL);
}
