/* PCI bus 0: the generic type-0 header, BAR mapping, capabilities, config
 * access through 0xCF8/0xCFC and ECAM, and a BAR address allocator. */
#include "bus/pci.h"

#include "bus/pci_msix.h"
#include "core/log.h"

#include <errno.h>
#include <string.h>

/* ---- Config bytes ------------------------------------------------------- */

uint32_t pci_config_get(const struct pci_device *dev, unsigned int off,
			unsigned int size)
{
	uint32_t v = 0;
	for (unsigned int i = 0; i < size && off + i < dev->config_size; i++)
		v |= (uint32_t)dev->config[off + i] << (8 * i);
	return v;
}

void pci_config_put(struct pci_device *dev, unsigned int off,
		    unsigned int size, uint32_t val)
{
	for (unsigned int i = 0; i < size && off + i < dev->config_size; i++)
		dev->config[off + i] = (uint8_t)(val >> (8 * i));
}

static void put_mask(uint8_t *mask, unsigned int off, unsigned int size,
		     uint32_t val)
{
	for (unsigned int i = 0; i < size; i++)
		mask[off + i] = (uint8_t)(val >> (8 * i));
}

void pci_config_set_wmask(struct pci_device *dev, unsigned int off,
			  unsigned int size, uint32_t mask)
{
	if (size > 4 || off + size > dev->config_size)
		return;
	put_mask(dev->wmask, off, size, mask);
}

static bool overlaps(unsigned int off, unsigned int size, unsigned int start,
		     unsigned int len)
{
	return off < start + len && start < off + size;
}

/* ---- The device header -------------------------------------------------- */

#define COMMAND_WMASK                                                          \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |            \
	 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
#define STATUS_W1C                                                             \
	(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |                     \
	 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |           \
	 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY)

void pci_device_init(struct pci_device *dev, const struct pci_device_id *id,
		     const struct pci_device_ops *ops, void *opaque,
		     const char *name)
{
	memset(dev, 0, sizeof(*dev));
	dev->name = name;
	dev->ops = ops;
	dev->opaque = opaque;
	dev->config_size = id->pcie ? PCIE_CONFIG_SIZE : PCI_CONFIG_SIZE;
	dev->next_cap = PCI_CAP_START;
	pci_config_put(dev, PCI_VENDOR_ID, 2, id->vendor);
	pci_config_put(dev, PCI_DEVICE_ID, 2, id->device);
	pci_config_put(dev, PCI_REVISION_ID, 1, id->revision);
	pci_config_put(dev, PCI_CLASS_PROG, 3, id->class_code);
	pci_config_put(dev, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL);
	pci_config_put(dev, PCI_SUBSYSTEM_VENDOR_ID, 2, id->subsys_vendor);
	pci_config_put(dev, PCI_SUBSYSTEM_ID, 2, id->subsys_id);
	pci_config_put(dev, PCI_INTERRUPT_PIN, 1, id->irq_pin <= 4 ? id->irq_pin : 0);

	put_mask(dev->wmask, PCI_COMMAND, 2, COMMAND_WMASK);
	put_mask(dev->w1cmask, PCI_STATUS, 2, STATUS_W1C);
	put_mask(dev->wmask, PCI_CACHE_LINE_SIZE, 1, 0xff);
	put_mask(dev->wmask, PCI_INTERRUPT_LINE, 1, 0xff);
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

int pci_device_add_bar(struct pci_device *dev, unsigned int bar,
		       enum pci_bar_kind kind, uint64_t size, bool prefetchable,
		       unsigned int widths, const struct io_ops *ops,
		       void *opaque)
{
	if (dev->bus || bar >= PCI_NUM_BARS || !is_pow2(size) || !ops ||
	    !(widths & IO_WIDTH_ANY) || dev->bars[bar].kind != PCI_BAR_UNUSED ||
	    (bar > 0 && dev->bars[bar - 1].kind == PCI_BAR_MEM64))
		return -EINVAL; /* (the slot above a 64-bit BAR is its top half) */
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * bar;
	uint32_t low;
	switch (kind) {
	case PCI_BAR_IO:
		if (size < 4 || size > 256 || prefetchable)
			return -EINVAL;
		low = PCI_BASE_ADDRESS_SPACE_IO;
		put_mask(dev->wmask, reg, 4, ~(uint32_t)(size - 1) & ~3u);
		break;
	case PCI_BAR_MEM32:
		if (size < 16 || size > (1ull << 31))
			return -EINVAL;
		low = PCI_BASE_ADDRESS_MEM_TYPE_32;
		put_mask(dev->wmask, reg, 4, ~(uint32_t)(size - 1) & ~0xfu);
		break;
	case PCI_BAR_MEM64:
		if (size < 16 || size > (1ull << 62) || bar + 1 >= PCI_NUM_BARS ||
		    dev->bars[bar + 1].kind != PCI_BAR_UNUSED)
			return -EINVAL;
		low = PCI_BASE_ADDRESS_MEM_TYPE_64;
		put_mask(dev->wmask, reg, 4, (uint32_t)~(size - 1) & ~0xfu);
		put_mask(dev->wmask, reg + 4, 4, (uint32_t)(~(size - 1) >> 32));
		break;
	default:
		return -EINVAL;
	}
	if (prefetchable)
		low |= PCI_BASE_ADDRESS_MEM_PREFETCH;
	pci_config_put(dev, reg, 4, low);
	dev->bars[bar] = (struct pci_bar){ .kind = kind, .size = size,
					   .prefetchable = prefetchable,
					   .widths = widths, .ops = ops,
					   .opaque = opaque };
	return 0;
}

uint64_t pci_device_bar_addr(const struct pci_device *dev, unsigned int bar)
{
	if (bar >= PCI_NUM_BARS)
		return 0;
	const struct pci_bar *b = &dev->bars[bar];
	uint32_t low = pci_config_get(dev, PCI_BASE_ADDRESS_0 + 4 * bar, 4);
	switch (b->kind) {
	case PCI_BAR_IO:
		return low & PCI_BASE_ADDRESS_IO_MASK;
	case PCI_BAR_MEM32:
		return low & PCI_BASE_ADDRESS_MEM_MASK;
	case PCI_BAR_MEM64:
		return (low & PCI_BASE_ADDRESS_MEM_MASK) |
		       (uint64_t)pci_config_get(dev, PCI_BASE_ADDRESS_0 + 4 * bar + 4, 4) << 32;
	default:
		return 0;
	}
}

/* Where a BAR decodes now, or false if it decodes nowhere: decoding off,
 * address 0, or a range that runs past (or ends at the very top of) its
 * address space, which is what a BAR reads during sizing. */
static bool bar_target(const struct pci_device *dev, unsigned int i,
		       uint64_t *addr)
{
	const struct pci_bar *b = &dev->bars[i];
	uint16_t cmd = (uint16_t)pci_config_get(dev, PCI_COMMAND, 2);
	uint64_t limit;
	switch (b->kind) {
	case PCI_BAR_IO:
		if (!(cmd & PCI_COMMAND_IO))
			return false;
		limit = 0xffff;
		break;
	case PCI_BAR_MEM32:
		if (!(cmd & PCI_COMMAND_MEMORY))
			return false;
		limit = 0xffffffffull;
		break;
	case PCI_BAR_MEM64:
		if (!(cmd & PCI_COMMAND_MEMORY))
			return false;
		limit = UINT64_MAX;
		break;
	default:
		return false;
	}
	uint64_t a = pci_device_bar_addr(dev, i);
	uint64_t last = a + b->size - 1;
	if (!a || last < a || last >= limit)
		return false;
	*addr = a;
	return true;
}

static void bar_unmap(struct pci_device *dev, unsigned int i)
{
	struct pci_bar *b = &dev->bars[i];
	if (!b->mapped)
		return;
	struct io_bus *iob = b->kind == PCI_BAR_IO ? dev->bus->pio : dev->bus->mmio;
	int err = io_bus_unregister(iob, b->mapped_addr);
	if (err)
		pr_guest(LOG_WARN, "pci %s: BAR%u at 0x%llx was not mapped: %s", dev->name,
			i, (unsigned long long)b->mapped_addr, strerror(-err));
	b->mapped = false;
	if (dev->ops && dev->ops->bar_mapped)
		dev->ops->bar_mapped(dev, i, b->mapped_addr, false);
}

/* Bring the io_bus in line with COMMAND and the BAR registers. */
static void update_bars(struct pci_device *dev)
{
	if (!dev->bus)
		return;
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *b = &dev->bars[i];
		if (b->kind == PCI_BAR_UNUSED)
			continue;
		uint64_t addr = 0;
		bool want = bar_target(dev, i, &addr);
		if (b->mapped && (!want || addr != b->mapped_addr))
			bar_unmap(dev, i);
		if (!want || b->mapped)
			continue;
		struct io_bus *iob = b->kind == PCI_BAR_IO ? dev->bus->pio : dev->bus->mmio;
		int err = io_bus_register(iob, addr, b->size, b->widths, b->ops,
					  b->opaque, dev->name);
		if (err) {
			/* The guest placed it over something else: it simply
			 * decodes nothing until moved. */
			pr_guest(LOG_WARN, "pci %s: cannot map BAR%u at 0x%llx: %s",
				 dev->name, i, (unsigned long long)addr,
				 strerror(-err));
			continue;
		}
		b->mapped = true;
		b->mapped_addr = addr;
		if (dev->ops && dev->ops->bar_mapped)
			dev->ops->bar_mapped(dev, i, addr, true);
	}
}

static void update_intx(struct pci_device *dev)
{
	uint16_t cmd = (uint16_t)pci_config_get(dev, PCI_COMMAND, 2);
	irq_line_set(&dev->intx, dev->intx_level &&
				 !(cmd & PCI_COMMAND_INTX_DISABLE));
}

static void intx_set_locked(struct pci_device *dev, bool level)
{
	uint16_t status = (uint16_t)pci_config_get(dev, PCI_STATUS, 2);
	status = (uint16_t)(level ? status | PCI_STATUS_INTERRUPT
				  : status & ~PCI_STATUS_INTERRUPT);
	pci_config_put(dev, PCI_STATUS, 2, status);
	dev->intx_level = level;
	update_intx(dev);
}

void pci_device_set_intx(struct pci_device *dev, bool level)
{
	if (dev->bus)
		pthread_mutex_lock(&dev->bus->lock);
	intx_set_locked(dev, level);
	if (dev->bus)
		pthread_mutex_unlock(&dev->bus->lock);
}

void pci_device_sync_locked(struct pci_device *dev)
{
	update_bars(dev);
	update_intx(dev);
}

int pci_device_set_bar_addr(struct pci_device *dev, unsigned int bar,
			    uint64_t addr)
{
	if (bar >= PCI_NUM_BARS || dev->bars[bar].kind == PCI_BAR_UNUSED ||
	    addr & (dev->bars[bar].size - 1))
		return -EINVAL;
	const struct pci_bar *b = &dev->bars[bar];
	if ((b->kind == PCI_BAR_IO && addr > 0xffff) ||
	    (b->kind == PCI_BAR_MEM32 && addr > 0xffffffffull))
		return -EINVAL;
	struct pci_bus *bus = dev->bus;
	if (bus) {
		io_bus_defer_begin();
		pthread_mutex_lock(&bus->lock);
	}
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * bar;
	uint32_t low = pci_config_get(dev, reg, 4);
	uint32_t type = b->kind == PCI_BAR_IO ? low & ~PCI_BASE_ADDRESS_IO_MASK
					      : low & ~PCI_BASE_ADDRESS_MEM_MASK;
	pci_config_put(dev, reg, 4, (uint32_t)addr | type);
	if (b->kind == PCI_BAR_MEM64)
		pci_config_put(dev, reg + 4, 4, (uint32_t)(addr >> 32));
	update_bars(dev);
	if (bus) {
		pthread_mutex_unlock(&bus->lock);
		io_bus_defer_end();
	}
	return 0;
}

int pci_add_capability(struct pci_device *dev, const void *cap,
		       unsigned int len)
{
	if (len < 2 || !cap)
		return -EINVAL;
	unsigned int off = dev->next_cap;
	unsigned int end = off + ((len + 3) & ~3u);
	if (end > PCI_CONFIG_SIZE)
		return -ENOSPC;
	memcpy(&dev->config[off], cap, len);
	dev->config[off + PCI_CAP_LIST_NEXT] = 0;
	if (dev->last_cap)
		dev->config[dev->last_cap + PCI_CAP_LIST_NEXT] = (uint8_t)off;
	else
		dev->config[PCI_CAPABILITY_LIST] = (uint8_t)off;
	dev->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	dev->last_cap = (uint8_t)off;
	dev->next_cap = (uint8_t)(end & 0xff);
	if (end == PCI_CONFIG_SIZE)
		dev->next_cap = 0xff; /* full: the next one gets -ENOSPC */
	return (int)off;
}

/* ---- Guest config accesses (bus lock held) ------------------------------ */

static uint32_t dev_config_read(struct pci_device *dev, unsigned int reg,
				unsigned int size)
{
	uint32_t v = pci_config_get(dev, reg, size);
	if (dev->ops && dev->ops->config_read)
		v = dev->ops->config_read(dev, reg, size, v);
	if (size < 4)
		v &= (1u << (8 * size)) - 1;
	return v;
}

static void dev_config_write(struct pci_device *dev, unsigned int reg,
			     unsigned int size, uint32_t val)
{
	uint16_t old_cmd = (uint16_t)pci_config_get(dev, PCI_COMMAND, 2);
	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = reg + i;
		uint8_t b = (uint8_t)(val >> (8 * i));
		dev->config[o] = (uint8_t)((dev->config[o] & ~dev->wmask[o]) |
					   (b & dev->wmask[o]));
		dev->config[o] &= (uint8_t)~(b & dev->w1cmask[o]);
	}
	if (overlaps(reg, size, PCI_COMMAND, 2) ||
	    overlaps(reg, size, PCI_BASE_ADDRESS_0, 4 * PCI_NUM_BARS))
		update_bars(dev);
	uint16_t cmd = (uint16_t)pci_config_get(dev, PCI_COMMAND, 2);
	if ((cmd ^ old_cmd) & PCI_COMMAND_INTX_DISABLE)
		update_intx(dev);
	if (dev->msix && overlaps(reg, size, dev->msix_cap + PCI_MSIX_FLAGS, 2))
		pci_msix_control_written(dev->msix,
			(uint16_t)pci_config_get(dev, dev->msix_cap + PCI_MSIX_FLAGS, 2));
	if (dev->ops && dev->ops->config_write)
		dev->ops->config_write(dev, reg, size, val);
}

/* The device an access reaches, or NULL (then reads are all ones). */
static struct pci_device *config_target(struct pci_bus *bus, unsigned int busnr,
					unsigned int slot, unsigned int fn,
					unsigned int reg, unsigned int size)
{
	if (busnr != 0 || slot >= PCI_MAX_DEVICES || fn != 0)
		return NULL; /* no such device: not the guest's fault */
	struct pci_device *dev = bus->devices[slot];
	if (!dev)
		return NULL;
	if ((size != 1 && size != 2 && size != 4) || (reg & 3) + size > 4 ||
	    reg + size > dev->config_size) {
		__atomic_add_fetch(&bus->bad_accesses, 1, __ATOMIC_RELAXED);
		pr_guest(LOG_DEBUG, "pci: refused %u-byte config access at 00:%02x.0 reg 0x%x",
			 size, slot, reg);
		return NULL;
	}
	return dev;
}

static uint32_t all_ones(unsigned int size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static uint32_t config_read_locked(struct pci_bus *bus, unsigned int busnr,
				   unsigned int slot, unsigned int fn,
				   unsigned int reg, unsigned int size)
{
	struct pci_device *dev = config_target(bus, busnr, slot, fn, reg, size);
	return dev ? dev_config_read(dev, reg, size) : all_ones(size);
}

static void config_write_locked(struct pci_bus *bus, unsigned int busnr,
				unsigned int slot, unsigned int fn,
				unsigned int reg, unsigned int size, uint32_t val)
{
	struct pci_device *dev = config_target(bus, busnr, slot, fn, reg, size);
	if (dev)
		dev_config_write(dev, reg, size, val);
}

uint32_t pci_bus_config_read(struct pci_bus *bus, unsigned int busnr,
			     unsigned int slot, unsigned int fn,
			     unsigned int reg, unsigned int size)
{
	pthread_mutex_lock(&bus->lock);
	uint32_t v = config_read_locked(bus, busnr, slot, fn, reg, size);
	pthread_mutex_unlock(&bus->lock);
	return v;
}

void pci_bus_config_write(struct pci_bus *bus, unsigned int busnr,
			  unsigned int slot, unsigned int fn, unsigned int reg,
			  unsigned int size, uint32_t val)
{
	io_bus_defer_begin();
	pthread_mutex_lock(&bus->lock);
	config_write_locked(bus, busnr, slot, fn, reg, size, val);
	pthread_mutex_unlock(&bus->lock);
	io_bus_defer_end();
}

/* ---- 0xCF8 / 0xCFC ------------------------------------------------------ */

/* Only a dword access to 0xCF8 reaches the address latch; the other bytes
 * (0xCF9 is a reset register on real chipsets) read as all ones. */
static uint64_t cf8_read(void *opaque, uint64_t off, unsigned int size)
{
	struct pci_bus *bus = opaque;
	if (off != 0 || size != 4)
		return all_ones(size);
	pthread_mutex_lock(&bus->lock);
	uint32_t v = bus->cf8;
	pthread_mutex_unlock(&bus->lock);
	return v;
}

static void cf8_write(void *opaque, uint64_t off, uint64_t val,
		      unsigned int size)
{
	struct pci_bus *bus = opaque;
	if (off != 0 || size != 4)
		return;
	pthread_mutex_lock(&bus->lock);
	/* Bits 30:24 and 1:0 are reserved and read as zero. */
	bus->cf8 = (uint32_t)val & 0x80fffffcu;
	pthread_mutex_unlock(&bus->lock);
}

/* Decode the latch; false when config access is disabled (bit 31). */
static bool cf8_decode(uint32_t cf8, unsigned int *busnr, unsigned int *slot,
		       unsigned int *fn, unsigned int *reg)
{
	*busnr = (cf8 >> 16) & 0xff;
	*slot = (cf8 >> 11) & 0x1f;
	*fn = (cf8 >> 8) & 7;
	*reg = cf8 & 0xfc;
	return cf8 & PCI_CF8_ENABLE;
}

static uint64_t cfc_read(void *opaque, uint64_t off, unsigned int size)
{
	struct pci_bus *bus = opaque;
	unsigned int busnr, slot, fn, reg;
	uint32_t v = all_ones(size);
	pthread_mutex_lock(&bus->lock);
	if (cf8_decode(bus->cf8, &busnr, &slot, &fn, &reg))
		v = config_read_locked(bus, busnr, slot, fn, reg + (unsigned)off, size);
	pthread_mutex_unlock(&bus->lock);
	return v;
}

static void cfc_write(void *opaque, uint64_t off, uint64_t val,
		      unsigned int size)
{
	struct pci_bus *bus = opaque;
	unsigned int busnr, slot, fn, reg;
	io_bus_defer_begin();
	pthread_mutex_lock(&bus->lock);
	if (cf8_decode(bus->cf8, &busnr, &slot, &fn, &reg))
		config_write_locked(bus, busnr, slot, fn, reg + (unsigned)off,
				    size, (uint32_t)val);
	pthread_mutex_unlock(&bus->lock);
	io_bus_defer_end();
}

const struct io_ops pci_cf8_io_ops = { .read = cf8_read, .write = cf8_write };
const struct io_ops pci_cfc_io_ops = { .read = cfc_read, .write = cfc_write };

/* ---- ECAM --------------------------------------------------------------- */

static uint64_t ecam_read(void *opaque, uint64_t off, unsigned int size)
{
	return pci_bus_config_read(opaque, (unsigned)(off >> 20) & 0xff,
				   (unsigned)(off >> 15) & 0x1f,
				   (unsigned)(off >> 12) & 7,
				   (unsigned)off & 0xfff, size);
}

static void ecam_write(void *opaque, uint64_t off, uint64_t val,
		       unsigned int size)
{
	pci_bus_config_write(opaque, (unsigned)(off >> 20) & 0xff,
			     (unsigned)(off >> 15) & 0x1f,
			     (unsigned)(off >> 12) & 7, (unsigned)off & 0xfff,
			     size, (uint32_t)val);
}

const struct io_ops pci_ecam_io_ops = { .read = ecam_read, .write = ecam_write };

/* ---- The bus ------------------------------------------------------------ */

void pci_bus_init(struct pci_bus *bus, struct io_bus *pio, struct io_bus *mmio)
{
	memset(bus, 0, sizeof(*bus));
	pthread_mutex_init(&bus->lock, NULL);
	bus->pio = pio;
	bus->mmio = mmio;
}

void pci_bus_destroy(struct pci_bus *bus)
{
	for (unsigned int i = 0; i < PCI_MAX_DEVICES; i++)
		if (bus->devices[i])
			pci_bus_remove_device(bus, bus->devices[i]);
	pthread_mutex_destroy(&bus->lock);
}

int pci_bus_register_cf8(struct pci_bus *bus)
{
	int err = io_bus_register(bus->pio, PCI_CF8_PORT, 4,
				  IO_WIDTH_1 | IO_WIDTH_2 | IO_WIDTH_4,
				  &pci_cf8_io_ops, bus, "pci-cf8");
	if (err)
		return err;
	err = io_bus_register(bus->pio, PCI_CFC_PORT, 4,
			      IO_WIDTH_1 | IO_WIDTH_2 | IO_WIDTH_4,
			      &pci_cfc_io_ops, bus, "pci-cfc");
	if (err)
		(void)io_bus_unregister(bus->pio, PCI_CF8_PORT);
	return err;
}

int pci_bus_register_ecam(struct pci_bus *bus, uint64_t base, uint64_t size)
{
	if (!size || size % (1ull << 20) || size > (256ull << 20) ||
	    base % (1ull << 20))
		return -EINVAL;
	int err = io_bus_register(bus->mmio, base, size,
				  IO_WIDTH_1 | IO_WIDTH_2 | IO_WIDTH_4,
				  &pci_ecam_io_ops, bus, "pci-ecam");
	if (!err)
		bus->ecam_size = size;
	return err;
}

int pci_bus_add_device(struct pci_bus *bus, struct pci_device *dev, int slot)
{
	if (dev->bus || slot >= PCI_MAX_DEVICES)
		return -EINVAL;
	int err;
	io_bus_defer_begin();
	pthread_mutex_lock(&bus->lock);
	if (slot < 0) {
		for (slot = 0; slot < PCI_MAX_DEVICES && bus->devices[slot]; slot++)
			;
		if (slot == PCI_MAX_DEVICES) {
			err = -ENOSPC;
			goto out;
		}
	} else if (bus->devices[slot]) {
		err = -EEXIST;
		goto out;
	}
	bus->devices[slot] = dev;
	dev->bus = bus;
	dev->slot = (unsigned int)slot;
	update_bars(dev);
	err = slot;
out:
	pthread_mutex_unlock(&bus->lock);
	io_bus_defer_end();
	return err;
}

void pci_bus_remove_device(struct pci_bus *bus, struct pci_device *dev)
{
	if (dev->bus != bus)
		return;
	io_bus_defer_begin();
	pthread_mutex_lock(&bus->lock);
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
		bar_unmap(dev, i);
	bus->devices[dev->slot] = NULL;
	dev->bus = NULL;
	pthread_mutex_unlock(&bus->lock);
	io_bus_defer_end();
}

/* ---- BAR allocation ----------------------------------------------------- */

void pci_alloc_init(struct pci_alloc *a, uint64_t start, uint64_t end)
{
	a->next = start;
	a->end = end;
}

int pci_alloc_range(struct pci_alloc *a, uint64_t size, uint64_t *addr)
{
	if (!is_pow2(size))
		return -EINVAL;
	uint64_t base = (a->next + size - 1) & ~(size - 1);
	if (base < a->next || base > a->end || a->end - base < size)
		return -ENOSPC;
	a->next = base + size;
	*addr = base;
	return 0;
}

int pci_device_assign_bars(struct pci_device *dev, struct pci_alloc *mem,
			   struct pci_alloc *io)
{
	bool done[PCI_NUM_BARS] = { false };
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
		if (dev->bars[i].kind != PCI_BAR_UNUSED &&
		    !(dev->bars[i].kind == PCI_BAR_IO ? io : mem))
			return -EINVAL; /* before anything is assigned */
	for (;;) {
		int best = -1;
		for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
			if (dev->bars[i].kind != PCI_BAR_UNUSED && !done[i] &&
			    (best < 0 || dev->bars[i].size > dev->bars[best].size))
				best = (int)i;
		if (best < 0)
			return 0;
		done[best] = true;
		struct pci_alloc *a = dev->bars[best].kind == PCI_BAR_IO ? io : mem;
		uint64_t addr;
		int err;
		if ((err = pci_alloc_range(a, dev->bars[best].size, &addr)) ||
		    (err = pci_device_set_bar_addr(dev, (unsigned)best, addr)))
			return err;
	}
}
