/* libFuzzer target: saved device state is untrusted input (a snapshot file,
 * a migration stream). The first byte picks what is fuzzed:
 *  - 0: a virtio-rng transport is driven to DRIVER_OK once and its state
 *    saved; the rest of the input is a list of byte changes to that state
 *    (3 bytes each: a 16-bit offset into struct virtio_pci_state, a value),
 *    which virtio_pci_restore must either refuse or accept. Whatever it
 *    accepts must run (the device is activated), pause, save again and
 *    restore again from that save - a state restore accepts is a state the
 *    transport can be in.
 *  - 1, 2, 3: the device's own bytes of virtio-net, virtio-console and
 *    virtio-vsock: the features the transport would restore with (the
 *    next byte's bits pick from the ones that matter), a length that may
 *    be off, then byte changes to a saved state (3 bytes each: a 16-bit
 *    offset, a value); restore must refuse or accept, and what it accepts
 *    it must save back (net, console: the very same bytes) and accept
 *    again. */
#include "bus/io_bus.h"
#include "bus/pci.h"
#include "core/guest_mem.h"
#include "core/log.h"
#include "devices/virtio_console.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "devices/virtio_vsock.h"
#include "virtio/virtio_pci.h"

#include <fcntl.h>
#include <linux/vhost.h>
#include <linux/virtio_net.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* ---- the devices' own bytes ----------------------------------------------- */

static struct virtio_net *net;
static struct virtio_console *con;
static struct virtio_vsock *vsock;

static void init_devices(void)
{
	int sv[4];
	CHECK(!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	CHECK(!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv + 2));
	int fds[2] = { sv[0], sv[2] };
	struct virtio_net_params np = { .pairs = 2, .fds = fds, .name = "net0",
					.mac = { 0x02, 1, 2, 3, 4, 5 } };
	char err[256];
	CHECK(!virtio_net_create(&net, &np, err, sizeof(err)));
	int in[2], out[2];
	CHECK(!pipe2(in, O_CLOEXEC) && !pipe2(out, O_CLOEXEC));
	struct char_backend *be = calloc(1, sizeof(*be));
	CHECK(be);
	char_backend_open_fds(be, in[0], out[1]);
	CHECK(!virtio_console_create(&con, be));
	/* /dev/null stands in for vhost-vsock: restore never asks it. */
	struct vhost_kernel v = { .fd = open("/dev/null", O_RDWR | O_CLOEXEC),
				  .features = 1ull << VIRTIO_F_VERSION_1 |
					      1ull << VIRTIO_F_INDIRECT_DESC |
					      1ull << VIRTIO_F_EVENT_IDX };
	CHECK(v.fd >= 0);
	CHECK(!virtio_vsock_create(&vsock, &v, 3, &mem, err, sizeof(err)));
}

static int fuzz_device(unsigned int which, const uint8_t *data, size_t size)
{
	static const struct {
		const struct virtio_device_ops *ops;
		void **dev;
		bool canonical; /* saves back exactly what it accepted */
	} kinds[3] = {
		{ &virtio_net_ops, (void **)&net, true },
		{ &virtio_console_ops, (void **)&con, true },
		{ &virtio_vsock_ops, (void **)&vsock, false },
	};
	const struct virtio_device_ops *ops = kinds[which].ops;
	void *dev = *kinds[which].dev;
	static const uint64_t bits[8] = {
		1ull << VIRTIO_F_VERSION_1, 1ull << VIRTIO_NET_F_MQ,
		1ull << VIRTIO_NET_F_GUEST_ANNOUNCE, 1ull << VIRTIO_NET_F_CTRL_VQ,
		1ull << VIRTIO_NET_F_STATUS, 1ull << VIRTIO_NET_F_MRG_RXBUF,
		1ull << VIRTIO_F_EVENT_IDX, 1ull << VIRTIO_NET_F_CTRL_VLAN,
	};
	uint8_t buf[4096], again[4096];
	char err[256];
	ops->reset(dev);
	ssize_t len = ops->save(dev, buf, sizeof(buf));
	CHECK(len > 0 && (size_t)len <= sizeof(buf) / 2);
	uint64_t features = 0;
	size_t n = (size_t)len;
	if (size >= 2) {
		for (unsigned int b = 0; b < 8; b++)
			if (data[0] & (1u << b))
				features |= bits[b];
		/* Mostly the right length, sometimes a little off. */
		if (data[1] >= 0xf0)
			n = (size_t)len - 8 + (data[1] & 0xf);
		data += 2;
		size -= 2;
	}
	/* (position, value) pairs; positions past what was saved matter
	 * only to a length that is off */
	for (size_t i = 0; i + 3 <= size; i += 3)
		buf[(data[i] | (size_t)data[i + 1] << 8) % (size_t)(len + 8)] = data[i + 2];
	if (ops->restore(dev, buf, n, features, err, sizeof(err)))
		return 0;
	CHECK(n == (size_t)len);
	ssize_t len2 = ops->save(dev, again, sizeof(again));
	CHECK(len2 == len);
	if (kinds[which].canonical)
		CHECK(!memcmp(buf, again, n));
	CHECK(!ops->restore(dev, again, (size_t)len2, features, err, sizeof(err)));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char err[256];
	if (!ready) {
		init();
		init_devices();
		ready = true;
	}
	if (size && data[0] % 4)
		return fuzz_device(data[0] % 4 - 1u, data + 1, size - 1);
	if (size) {
		data++;
		size--;
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
