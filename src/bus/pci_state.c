/* A PCI device's config space as saved state (snapshot, migration). */
#include "bus/pci.h"

#include "bus/pci_msix.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

/* Plain data for a stream: every byte is a named field (no padding). */
_Static_assert(sizeof(struct pci_device_state) == 8 + PCIE_CONFIG_SIZE,
	       "pci_device_state has padding");

void pci_device_save(struct pci_device *dev, struct pci_device_state *out)
{
	memset(out, 0, sizeof(*out));
	out->version = PCI_DEVICE_STATE_VERSION;
	out->config_size = (uint16_t)dev->config_size;
	if (dev->bus)
		pthread_mutex_lock(&dev->bus->lock);
	memcpy(out->config, dev->config, dev->config_size);
	out->intx_level = dev->intx_level;
	if (dev->bus)
		pthread_mutex_unlock(&dev->bus->lock);
}

static uint32_t st_get(const struct pci_device_state *st, unsigned int off,
		       unsigned int size)
{
	uint32_t v = 0;
	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)st->config[off + i] << (8 * i);
	return v;
}

/* Where BAR i of the saved config decodes, as pci.c's mapping rule says:
 * decoding on, address not 0, the range inside its address space. */
static bool st_bar_range(const struct pci_device *dev,
			 const struct pci_device_state *st, unsigned int i,
			 uint64_t *addr)
{
	const struct pci_bar *b = &dev->bars[i];
	uint16_t cmd = (uint16_t)st_get(st, PCI_COMMAND, 2);
	uint32_t low = st_get(st, PCI_BASE_ADDRESS_0 + 4 * i, 4);
	uint64_t a, limit;
	switch (b->kind) {
	case PCI_BAR_IO:
		if (!(cmd & PCI_COMMAND_IO))
			return false;
		a = low & PCI_BASE_ADDRESS_IO_MASK;
		limit = 0xffff;
		break;
	case PCI_BAR_MEM32:
		if (!(cmd & PCI_COMMAND_MEMORY))
			return false;
		a = low & PCI_BASE_ADDRESS_MEM_MASK;
		limit = 0xffffffffull;
		break;
	case PCI_BAR_MEM64:
		if (!(cmd & PCI_COMMAND_MEMORY))
			return false;
		a = (low & PCI_BASE_ADDRESS_MEM_MASK) |
		    (uint64_t)st_get(st, PCI_BASE_ADDRESS_0 + 4 * i + 4, 4) << 32;
		limit = UINT64_MAX;
		break;
	default:
		return false;
	}
	uint64_t last = a + b->size - 1;
	if (!a || last < a || last >= limit)
		return false;
	*addr = a;
	return true;
}

/* Bus lock held (the device's config bytes are compared). */
static int check_state(const struct pci_device *dev,
		       const struct pci_device_state *st, char *err,
		       size_t errlen)
{
	if (st->version != PCI_DEVICE_STATE_VERSION)
		return errmsg(-EINVAL, err, errlen, "pci %s: state version %u, "
			      "expected %u", dev->name, st->version,
			      PCI_DEVICE_STATE_VERSION);
	if (st->config_size != dev->config_size)
		return errmsg(-EINVAL, err, errlen, "pci %s: config space of %u "
			      "bytes, the device has %u", dev->name,
			      st->config_size, dev->config_size);
	if (st->intx_level > 1 || st->reserved)
		return errmsg(-EINVAL, err, errlen, "pci %s: bad INTx level or "
			      "reserved byte", dev->name);
	for (unsigned int o = dev->config_size; o < PCIE_CONFIG_SIZE; o++)
		if (st->config[o])
			return errmsg(-EINVAL, err, errlen, "pci %s: byte 0x%x "
				      "past the config space is set", dev->name, o);
	for (unsigned int o = 0; o < dev->config_size; o++) {
		uint8_t fixed = (uint8_t)~(dev->wmask[o] | dev->w1cmask[o]);
		if (o == PCI_STATUS)
			fixed &= (uint8_t)~PCI_STATUS_INTERRUPT; /* the device's */
		if ((st->config[o] ^ dev->config[o]) & fixed)
			return errmsg(-EINVAL, err, errlen, "pci %s: read-only bits "
				      "of config byte 0x%x differ (0x%02x, device "
				      "0x%02x): not the same device", dev->name, o,
				      st->config[o], dev->config[o]);
	}
	if (!!(st->config[PCI_STATUS] & PCI_STATUS_INTERRUPT) != st->intx_level)
		return errmsg(-EINVAL, err, errlen, "pci %s: STATUS.INTERRUPT "
			      "disagrees with the INTx level", dev->name);
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		uint64_t a, b;
		if (!st_bar_range(dev, st, i, &a))
			continue;
		for (unsigned int j = i + 1; j < PCI_NUM_BARS; j++)
			if (st_bar_range(dev, st, j, &b) &&
			    (dev->bars[i].kind == PCI_BAR_IO) ==
				    (dev->bars[j].kind == PCI_BAR_IO) &&
			    a < b + dev->bars[j].size && b < a + dev->bars[i].size)
				return errmsg(-EINVAL, err, errlen, "pci %s: BAR%u "
					      "at 0x%llx overlaps BAR%u at 0x%llx",
					      dev->name, i, (unsigned long long)a,
					      j, (unsigned long long)b);
	}
	return 0;
}

int pci_device_restore(struct pci_device *dev, const struct pci_device_state *in,
		       char *err, size_t errlen)
{
	struct pci_bus *bus = dev->bus;
	if (bus) {
		io_bus_defer_begin();
		pthread_mutex_lock(&bus->lock);
	}
	int r = check_state(dev, in, err, errlen);
	if (!r) {
		memcpy(dev->config, in->config, dev->config_size);
		dev->intx_level = in->intx_level;
		pci_device_sync_locked(dev);
		if (dev->msix)
			pci_msix_control_written(dev->msix,
				(uint16_t)pci_config_get(dev, dev->msix_cap + PCI_MSIX_FLAGS, 2));
	}
	if (bus) {
		pthread_mutex_unlock(&bus->lock);
		io_bus_defer_end();
	}
	return r;
}
