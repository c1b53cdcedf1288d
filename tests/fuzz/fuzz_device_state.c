/* libFuzzer target: saved device state is untrusted input (a snapshot file,
 * a migration stream). A virtio-rng transport is driven to DRIVER_OK once
 * and its state saved; each input is a list of byte changes to that state
 * (3 bytes each: a 16-bit offset into struct virtio_pci_state, a value),
 * which virtio_pci_restore must either refuse or accept. Whatever it
 * accepts must run (the device is activated), pause, save again and restore
 * again from that save - a state restore accepts is a state the transport
 * can be in. */
#include "bus/io_bus.h"
#include "bus/pci.h"
#include "core/guest_mem.h"
#include "core/log.h"
#include "devices/virtio_rng.h"
#include "virtio/virtio_pci.h"

#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE 0x20000ull
#define BAR_GPA 0xc0000000ull
#define COMMON (BAR_GPA + VIRTIO_PCI_COMMON_OFF)
#define CC(f) offsetof(struct virtio_pci_common_cfg, f)

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x))                                                      \
			__builtin_trap();                                      \
	} while (0)

static struct io_bus pio, mmio;
static struct pci_bus bus;
static struct guest_mem mem;
static struct virtio_rng *rng;
static struct virtio_pci *t;
static struct virtio_pci_state good, st, again;

static void wr(uint64_t addr, unsigned int size, uint64_t v)
{
	CHECK(io_bus_write(&mmio, addr, size, v));
}

static void deliver(void *opaque, unsigned int vector, uint64_t addr,
		    uint32_t data)
{
}

static const struct virtio_pci_host_ops hops = { .deliver = deliver };

/* Once: the device as Linux leaves it, with queue 0 of 16 enabled. */
static void init(void)
{
	log_set_level(LOG_ERROR);
	io_bus_init(&pio, "pio");
	io_bus_init(&mmio, "mmio");
	pci_bus_init(&bus, &pio, &mmio);
	uint8_t *ram = calloc(1, RAM_SIZE);
	CHECK(ram);
	CHECK(!guest_mem_init_fake(&mem, ram, 0, RAM_SIZE));
	CHECK(!virtio_rng_create(&rng));
	CHECK(!virtio_pci_create(&t, &bus, 3, &virtio_rng_ops, rng, &mem, &hops, NULL));
	struct pci_device *d = virtio_pci_pci_device(t);
	CHECK(!pci_device_set_bar_addr(d, VIRTIO_PCI_BAR, BAR_GPA));
	pci_bus_config_write(&bus, 0, 3, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	for (unsigned int v = 0; v < 2; v++) {
		uint64_t e = BAR_GPA + VIRTIO_PCI_MSIX_TABLE_OFF + 16ull * v;
		wr(e, 8, 0xfee00000ull);
		wr(e + 8, 4, 0x40 + v);
		wr(e + 12, 4, v); /* vector 1 masked */
	}
	pci_bus_config_write(&bus, 0, 3, 0, d->msix_cap + PCI_MSIX_FLAGS, 2,
			     PCI_MSIX_FLAGS_ENABLE);
	wr(COMMON + CC(device_status), 1, 3);
	wr(COMMON + CC(guest_feature_select), 4, 0);
	wr(COMMON + CC(guest_feature), 4, 1u << 29);
	wr(COMMON + CC(guest_feature_select), 4, 1);
	wr(COMMON + CC(guest_feature), 4, 1);
	wr(COMMON + CC(device_status), 1, 0xb);
	wr(COMMON + CC(queue_size), 2, 16);
	wr(COMMON + CC(queue_msix_vector), 2, 0);
	wr(COMMON + CC(queue_desc_lo), 8, 0x1000);
	wr(COMMON + CC(queue_avail_lo), 8, 0x2000);
	wr(COMMON + CC(queue_used_lo), 8, 0x3000);
	wr(COMMON + CC(queue_enable), 2, 1);
	wr(COMMON + CC(device_status), 1, 0xf);
	CHECK(!virtio_pci_pause(t));
	CHECK(!virtio_pci_save(t, &good));
}

/* The byte a change hits: the top two bits of the first byte pick the
 * transport registers, the PCI config space, the live part of the MSI-X
 * state (header, both vectors, the PBA) or the first two queues. */
static size_t target(uint8_t a, uint8_t b)
{
	size_t idx = (size_t)(a & 0x3f) << 8 | b;
	switch (a >> 6) {
	case 0:
		return idx % offsetof(struct virtio_pci_state, pci);
	case 1:
		return offsetof(struct virtio_pci_state, pci) +
		       idx % sizeof(st.pci);
	case 2:
		if (idx & 1)
			return offsetof(struct virtio_pci_state, msix.pba) + idx / 2 % 16;
		return offsetof(struct virtio_pci_state, msix) + idx / 2 % 40;
	default:
		return offsetof(struct virtio_pci_state, queues) +
		       idx % (2 * sizeof(st.queues[0]));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char err[256];
	if (!ready) {
		init();
		ready = true;
	}
	st = good;
	for (size_t i = 0; i + 3 <= size; i += 3)
		((uint8_t *)&st)[target(data[i], data[i + 1])] = data[i + 2];
	if (virtio_pci_restore(t, &st, NULL, 0, err, sizeof(err)))
		return 0;
	/* Accepted: it runs; pausing, saving and restoring it again works. */
	CHECK(!virtio_pci_pause(t));
	CHECK(!virtio_pci_save(t, &again));
	CHECK(!virtio_pci_restore(t, &again, NULL, 0, err, sizeof(err)));
	CHECK(!virtio_pci_pause(t));
	return 0;
}
