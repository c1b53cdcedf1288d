/* virtio-net behind the virtio modern PCI transport, driven as Linux's
 * virtio_net driver drives it: rings and packets in fake guest memory, and
 * a SOCK_SEQPACKET socketpair per queue pair in place of the tap (it keeps
 * packet boundaries like a tap). The test holds the far end of each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bus/io_bus.h"
#include "bus/pci.h"
#include "core/guest_mem.h"
#include "core/log.h"
#include "devices/virtio_net.h"
#include "virtio/virtio_pci.h"
#include "virtio_drv.h"

#include <errno.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOT 3
#define BAR_GPA 0xc0000000ull
#define RAM_SIZE 0x400000ull
#define RING_GPA(q) (0x10000ull + 0x4000ull * (q)) /* desc; avail +0x1000; used +0x2000 */
#define BUF_GPA(q) (0x100000ull + 0x80000ull * (q)) /* 512 KiB of buffers per queue */
#define QSIZE 16
#define MSI_ADDR 0xfee00000ull
#define HDR 12
#define NEEDS_RESET 0x40

#define CC(f) offsetof(struct virtio_pci_common_cfg, f)

static const uint8_t test_mac[6] = { 0x02, 0x4b, 0x49, 0x4c, 0x4e, 0x01 };

struct fx {
	struct io_bus pio, mmio;
	struct pci_bus bus;
	struct guest_mem mem;
	uint8_t *ram;
	struct virtio_net *net;
	struct virtio_pci *t;
	unsigned int pairs;
	int peer[VIRTIO_NET_MAX_PAIRS]; /* the test's end of each socketpair */
	int dev[VIRTIO_NET_MAX_PAIRS];  /* the device's end (it owns them) */
	struct vdrv vd; /* the driver side */
	uint16_t avail_idx[2 * VIRTIO_NET_MAX_PAIRS + 1];
};

static void fake_deliver(void *opaque, unsigned int vector, uint64_t addr,
			 uint32_t data)
{
}

static const struct virtio_pci_host_ops hops = { .deliver = fake_deliver };

/* ---- driver-side helpers ----------------------------------------------------- */

static unsigned int nr_queues(struct fx *f)
{
	return 2 * f->pairs + 1;
}

/* MSI-X on: one vector per queue and one for config changes. */
static void enable_msix(struct fx *f)
{
	vdrv_enable_msix(&f->vd, nr_queues(f) + 1, MSI_ADDR);
}

/* Reset, negotiate (offered & want), set up every queue, DRIVER_OK. */
static void bring_up(struct fx *f, uint64_t want)
{
	enable_msix(f);
	vdrv_set_status(&f->vd, 0);
	vdrv_set_status(&f->vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vdrv_write_features(&f->vd, vdrv_read_features(&f->vd) & want);
	vdrv_set_status(&f->vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_FEATURES_OK);
	assert_true(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_FEATURES_OK);
	memset(f->ram, 0, 0x100000); /* the rings */
	for (unsigned int q = 0; q < nr_queues(f); q++) {
		uint64_t r = RING_GPA(q);
		vdrv_mwr(&f->vd, f->vd.common + CC(queue_select), 2, q);
		assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_size), 2),
				 VIRTIO_NET_QUEUE_SIZE);
		vdrv_mwr(&f->vd, f->vd.common + CC(queue_size), 2, QSIZE);
		vdrv_mwr(&f->vd, f->vd.common + CC(queue_msix_vector), 2, q);
		vdrv_mwr(&f->vd, f->vd.common + CC(queue_desc_lo), 4, (uint32_t)r);
		vdrv_mwr(&f->vd, f->vd.common + CC(queue_desc_hi), 4, 0);
		vdrv_mwr(&f->vd, f->vd.common + CC(queue_avail_lo), 4, (uint32_t)(r + 0x1000));
		vdrv_mwr(&f->vd, f->vd.common + CC(queue_avail_hi), 4, 0);
		vdrv_mwr(&f->vd, f->vd.common + CC(queue_used_lo), 4, (uint32_t)(r + 0x2000));
		vdrv_mwr(&f->vd, f->vd.common + CC(queue_used_hi), 4, 0);
		vdrv_mwr(&f->vd, f->vd.common + CC(queue_enable), 2, 1);
		assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_enable), 2), 1);
		f->avail_idx[q] = 0;
	}
	vdrv_mwr(&f->vd, f->vd.common + CC(msix_config), 2, nr_queues(f));
	vdrv_set_status(&f->vd, 0x0f);
	assert_true(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_DRIVER_OK);
}

#define BASE_FEATURES (1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_NET_F_MAC | \
		       1ull << VIRTIO_NET_F_STATUS | 1ull << VIRTIO_NET_F_CTRL_VQ)
#define MRG (1ull << VIRTIO_NET_F_MRG_RXBUF)
#define MQ (1ull << VIRTIO_NET_F_MQ)
#define CTRL_RX (1ull << VIRTIO_NET_F_CTRL_RX)
#define CTRL_MAC_ADDR (1ull << VIRTIO_NET_F_CTRL_MAC_ADDR)
#define CTRL_VLAN (1ull << VIRTIO_NET_F_CTRL_VLAN)

struct seg {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

/* Offer a chain in descriptors [head, head + n) of queue q and kick. */
static void post(struct fx *f, unsigned int q, unsigned int head,
		 const struct seg *s, unsigned int n)
{
	uint64_t r = RING_GPA(q);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *d = f->ram + r + 16ull * (head + i);
		uint16_t flags = (s[i].write ? VIRTQ_DESC_F_WRITE : 0) |
				 (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		uint16_t next = (uint16_t)(head + i + 1);
		memcpy(d, &s[i].gpa, 8);
		memcpy(d + 8, &s[i].len, 4);
		memcpy(d + 12, &flags, 2);
		memcpy(d + 14, &next, 2);
	}
	uint16_t idx = f->avail_idx[q]++;
	uint16_t h = (uint16_t)head;
	memcpy(f->ram + r + 0x1000 + 4 + 2 * (idx % QSIZE), &h, 2);
	__atomic_store_n((uint16_t *)(f->ram + r + 0x1000 + 2), (uint16_t)(idx + 1),
			 __ATOMIC_RELEASE);
	vdrv_mwr(&f->vd, virtio_pci_notify_addr(f->t, q), 2, q);
}

static uint16_t used_idx(struct fx *f, unsigned int q)
{
	return vdrv_used_idx(f->ram + RING_GPA(q) + 0x2000);
}

static bool wait_used(struct fx *f, unsigned int q, uint16_t want)
{
	return vdrv_wait_used(f->ram + RING_GPA(q) + 0x2000, want, 5000);
}

static void used_elem(struct fx *f, unsigned int q, unsigned int i,
		      uint32_t *id, uint32_t *len)
{
	uint8_t *e = f->ram + RING_GPA(q) + 0x2000 + 4 + 8 * (i % QSIZE);
	memcpy(id, e, 4);
	memcpy(len, e + 4, 4);
}

static struct virtio_net_stats stats(struct fx *f)
{
	struct virtio_net_stats s;
	virtio_net_get_stats(f->net, &s);
	return s;
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13 + seed);
}

/* A packet as the tap delivers it: a zeroed header, then `len` bytes. */
static void peer_send(struct fx *f, unsigned int pair, size_t len,
		      unsigned int seed)
{
	uint8_t *pkt = calloc(1, HDR + len);
	assert_non_null(pkt);
	fill(pkt + HDR, len, seed);
	assert_int_equal(send(f->peer[pair], pkt, HDR + len, 0), (ssize_t)(HDR + len));
	free(pkt);
}

/* The length of the next packet waiting for the device on a pair's fd
 * (0: none). Asking does not consume it. */
static int pending_for_device(struct fx *f, unsigned int pair)
{
	int n = -1;
	assert_int_equal(ioctl(f->dev[pair], FIONREAD, &n), 0);
	return n;
}

/* ---- fixture ------------------------------------------------------------------ */

static int setup_pairs(void **state, unsigned int pairs, uint16_t mtu)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	log_set_level(LOG_ERROR); /* the negative tests log guest errors */
	f->pairs = pairs;
	int fds[VIRTIO_NET_MAX_PAIRS];
	for (unsigned int i = 0; i < pairs; i++) {
		int sv[2];
		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
					    0, sv), 0);
		int fl = 1;
		assert_int_equal(ioctl(sv[0], FIONBIO, &fl), 0);
		fds[i] = f->dev[i] = sv[0];
		f->peer[i] = sv[1];
	}
	io_bus_init(&f->pio, "pio");
	io_bus_init(&f->mmio, "mmio");
	pci_bus_init(&f->bus, &f->pio, &f->mmio);
	f->ram = calloc(1, RAM_SIZE);
	assert_non_null(f->ram);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->ram, 0, RAM_SIZE), 0);
	struct virtio_net_params p = { .pairs = pairs, .fds = fds, .name = "net0",
				       .mtu = mtu };
	memcpy(p.mac, test_mac, 6);
	char err[256];
	assert_int_equal(virtio_net_create(&f->net, &p, err, sizeof(err)), 0);
	assert_int_equal(virtio_pci_create(&f->t, &f->bus, SLOT, &virtio_net_ops,
					   f->net, &f->mem, &hops, f), 0);
	struct pci_device *d = virtio_pci_pci_device(f->t);
	assert_int_equal(pci_device_set_bar_addr(d, 4, BAR_GPA), 0);
	f->vd = (struct vdrv){ .bus = &f->bus, .mmio = &f->mmio, .slot = SLOT, .bar = BAR_GPA };
	vdrv_cfg_write(&f->vd, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	vdrv_walk_caps(&f->vd);
	assert_true(f->vd.common && f->vd.notify && f->vd.isr && f->vd.device);
	*state = f;
	return 0;
}

static int setup1(void **state)
{
	return setup_pairs(state, 1, 0);
}

static int setup2(void **state)
{
	return setup_pairs(state, 2, 0);
}

static int setup_mtu(void **state)
{
	return setup_pairs(state, 1, 9000);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	virtio_pci_destroy(f->t);
	virtio_net_destroy(f->net);
	for (unsigned int i = 0; i < f->pairs; i++)
		close(f->peer[i]);
	pci_bus_destroy(&f->bus);
	io_bus_destroy(&f->mmio);
	io_bus_destroy(&f->pio);
	free(f->ram);
	free(f);
	return 0;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_identity_and_config(void **state)
{
	struct fx *f = *state;
	assert_int_equal(vdrv_cfg_read(&f->vd, PCI_DEVICE_ID, 2), 0x1040 + VIRTIO_ID_NET);
	uint64_t feat = vdrv_read_features(&f->vd);
	static const unsigned int want[] = {
		VIRTIO_F_VERSION_1, VIRTIO_F_EVENT_IDX, VIRTIO_NET_F_CSUM,
		VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_GUEST_TSO4,
		VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_ECN,
		VIRTIO_NET_F_GUEST_UFO, VIRTIO_NET_F_HOST_TSO4,
		VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_HOST_ECN,
		VIRTIO_NET_F_HOST_UFO, VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_MAC,
		VIRTIO_NET_F_STATUS, VIRTIO_NET_F_CTRL_VQ, VIRTIO_NET_F_CTRL_RX,
		VIRTIO_NET_F_CTRL_RX_EXTRA, VIRTIO_NET_F_CTRL_MAC_ADDR,
		VIRTIO_NET_F_CTRL_GUEST_OFFLOADS,
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_true(feat & (1ull << want[i]));
	/* MQ only with more than one pair, MTU only when given */
	assert_int_equal(!!(feat & MQ), f->pairs > 1);
	assert_false(feat & (1ull << VIRTIO_NET_F_MTU));
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(num_queues), 2), nr_queues(f));
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(vdrv_mrd(&f->vd, f->vd.device + i, 1), test_mac[i]);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.device +
				  offsetof(struct virtio_net_config, status), 2),
			 VIRTIO_NET_S_LINK_UP);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.device +
			       offsetof(struct virtio_net_config, max_virtqueue_pairs), 2),
			 f->pairs);
}

/* A packet in three pieces (header alone, then two data pieces) reaches
 * the fd as one datagram, header included; the chain completes with 0. */
static void test_tx(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES);
	uint64_t b = BUF_GPA(1);
	struct virtio_net_hdr_v1 h = { .flags = 0, .gso_type = VIRTIO_NET_HDR_GSO_NONE };
	memcpy(f->ram + b, &h, HDR);
	fill(f->ram + b + 0x1000, 1000, 7);
	fill(f->ram + b + 0x2000, 500, 9);
	struct seg s[] = { { b, HDR, false }, { b + 0x1000, 1000, false },
			   { b + 0x2000, 500, false } };
	post(f, 1, 0, s, 3);
	assert_true(wait_used(f, 1, 1));
	uint32_t id, len;
	used_elem(f, 1, 0, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, 0);
	uint8_t got[4096];
	assert_int_equal(recv(f->peer[0], got, sizeof(got), MSG_DONTWAIT), HDR + 1500);
	assert_memory_equal(got, &h, HDR);
	assert_memory_equal(got + HDR, f->ram + b + 0x1000, 1000);
	assert_memory_equal(got + HDR + 1000, f->ram + b + 0x2000, 500);

	/* header and data in one descriptor, several packets in a row */
	for (unsigned int i = 0; i < 5; i++) {
		uint64_t p = b + 0x4000 + 0x1000 * i;
		memset(f->ram + p, 0, HDR);
		fill(f->ram + p + HDR, 60 + i, i);
		struct seg one = { p, HDR + 60 + i, false };
		post(f, 1, 3 + i, &one, 1);
	}
	assert_true(wait_used(f, 1, 6));
	for (unsigned int i = 0; i < 5; i++) {
		assert_int_equal(recv(f->peer[0], got, sizeof(got), MSG_DONTWAIT),
				 HDR + 60 + i);
		assert_memory_equal(got + HDR, f->ram + b + 0x4000 + 0x1000 * i + HDR,
				    60 + i);
	}
	struct virtio_net_stats st = stats(f);
	assert_int_equal(st.tx_packets, 6);
	assert_int_equal(st.tx_bytes, 1500 + 5 * 60 + 10);
	assert_int_equal(st.bad_chains, 0);
}

/* With MRG_RXBUF a packet bigger than one buffer spans several chains,
 * completed in order, and num_buffers in the first says how many. */
static void test_rx_merged(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES | MRG);
	uint64_t b = BUF_GPA(0);
	for (unsigned int i = 0; i < 4; i++) {
		struct seg s = { b + 0x1000 * i, 1000, true };
		post(f, 0, i, &s, 1);
	}
	peer_send(f, 0, 2488, 3); /* 2500 bytes with the header */
	assert_true(wait_used(f, 0, 3));
	static const uint32_t lens[] = { 1000, 1000, 500 };
	uint8_t want[2488];
	fill(want, sizeof(want), 3);
	uint8_t got[2500];
	for (unsigned int i = 0; i < 3; i++) {
		uint32_t id, len;
		used_elem(f, 0, i, &id, &len);
		assert_int_equal(id, i);
		assert_int_equal(len, lens[i]);
		memcpy(got + 1000 * i, f->ram + b + 0x1000 * i, len);
	}
	struct virtio_net_hdr_v1 h;
	memcpy(&h, got, HDR);
	assert_int_equal(h.num_buffers, 3);
	assert_memory_equal(got + HDR, want, sizeof(want));

	/* a small one takes the fourth buffer alone */
	peer_send(f, 0, 100, 5);
	assert_true(wait_used(f, 0, 4));
	uint32_t id, len;
	used_elem(f, 0, 3, &id, &len);
	assert_int_equal(id, 3);
	assert_int_equal(len, HDR + 100);
	memcpy(&h, f->ram + b + 0x3000, HDR);
	assert_int_equal(h.num_buffers, 1);
	struct virtio_net_stats st = stats(f);
	assert_int_equal(st.rx_packets, 2);
	assert_int_equal(st.rx_bytes, 2488 + 100);
}

/* A driver on another vCPU polling the used index while packets arrive. */
struct used_watch {
	struct fx *f;
	_Atomic bool stop;
	unsigned int changes, splits;
};

static void *watch_used(void *arg)
{
	struct used_watch *w = arg;
	uint16_t last = 0;
	while (!atomic_load(&w->stop)) {
		uint16_t u = used_idx(w->f, 0);
		if (u != last) {
			w->changes++;
			w->splits += u % 3 != 0;
			last = u;
		}
	}
	return NULL;
}

/* A packet in three buffers is completed at once: a driver polling the
 * used ring never sees its first buffer without the other two (Linux
 * reads num_buffers and takes the rest at once, or drops the packet as
 * "buffers missing"). 40 rounds of 5 packets into 15 buffers. */
static void test_rx_packet_completes_at_once(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES | MRG);
	struct used_watch w = { .f = f };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, watch_used, &w), 0);
	uint16_t done = 0;
	for (unsigned int round = 0; round < 40; round++) {
		for (unsigned int i = 0; i < 15; i++) {
			struct seg s = { BUF_GPA(0) + 0x1000 * i, 1000, true };
			post(f, 0, i, &s, 1);
		}
		for (unsigned int k = 0; k < 5; k++)
			peer_send(f, 0, 2488, k);
		done = (uint16_t)(done + 15);
		assert_true(wait_used(f, 0, done));
	}
	atomic_store(&w.stop, true);
	pthread_join(t, NULL);
	assert_true(w.changes > 0);
	assert_int_equal(w.splits, 0);
	assert_int_equal(stats(f).rx_packets, 200);
}

/* A frame to `dst` as the tap delivers it: a zeroed header, the
 * destination, then `len` - 6 bytes of pattern. */
static void peer_send_to(struct fx *f, const uint8_t dst[6], size_t len,
			 unsigned int seed)
{
	uint8_t *pkt = calloc(1, HDR + len);
	assert_non_null(pkt);
	fill(pkt + HDR, len, seed);
	memcpy(pkt + HDR, dst, 6);
	assert_int_equal(send(f->peer[0], pkt, HDR + len, 0), (ssize_t)(HDR + len));
	free(pkt);
}

/* No rx buffers: the device reads nothing, the packets wait in the fd in
 * order; buffers arriving later get them all. */
static void test_rx_backpressure(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES | MRG);
	for (unsigned int i = 0; i < 3; i++)
		peer_send(f, 0, 200 + i, i);
	vdrv_sleep_ms(100);
	assert_int_equal(used_idx(f, 0), 0);
	/* (FIONREAD counts every queued packet's bytes) */
	assert_int_equal(pending_for_device(f, 0), 3 * HDR + 200 + 201 + 202);
	assert_int_equal(stats(f).rx_packets, 0);

	/* one buffer: the device may read one packet, not more */
	uint64_t b = BUF_GPA(0);
	struct seg s = { b, 2048, true };
	post(f, 0, 0, &s, 1);
	assert_true(wait_used(f, 0, 1));
	vdrv_sleep_ms(50);
	assert_int_equal(used_idx(f, 0), 1);
	assert_int_equal(stats(f).rx_packets, 1);
	for (unsigned int i = 1; i < 3; i++) {
		struct seg t = { b + 0x1000 * i, 2048, true };
		post(f, 0, i, &t, 1);
	}
	assert_true(wait_used(f, 0, 3));
	for (unsigned int i = 0; i < 3; i++) {
		uint32_t id, len;
		used_elem(f, 0, i, &id, &len);
		assert_int_equal(id, i);
		assert_int_equal(len, HDR + 200 + i);
		uint8_t want[256];
		fill(want, 200 + i, i);
		assert_memory_equal(f->ram + b + 0x1000 * i + HDR, want, 200 + i);
	}
	assert_int_equal(pending_for_device(f, 0), 0);
}

/* Without MRG_RXBUF a packet must fit one chain: a bigger one is dropped
 * and counted, and the chain then takes the next packet whole. */
static void test_rx_too_big_dropped(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES);
	uint64_t b = BUF_GPA(0);
	struct seg s[] = { { b, HDR, true }, { b + 0x100, 88, true } };
	post(f, 0, 0, s, 2);
	peer_send(f, 0, 1000, 1);
	peer_send(f, 0, 50, 2);
	assert_true(wait_used(f, 0, 1));
	uint32_t id, len;
	used_elem(f, 0, 0, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, HDR + 50);
	uint8_t want[50];
	fill(want, sizeof(want), 2);
	assert_memory_equal(f->ram + b + 0x100, want, 50);
	struct virtio_net_hdr_v1 h;
	memcpy(&h, f->ram + b, HDR);
	assert_int_equal(h.num_buffers, 1);
	struct virtio_net_stats st = stats(f);
	assert_int_equal(st.rx_too_big, 1);
	assert_int_equal(st.rx_packets, 1);
}

/* With MRG_RXBUF, a packet larger than everything the ring can hold is
 * dropped: the buffers come back empty, never with a truncated packet. */
static void test_rx_too_big_for_ring(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES | MRG);
	uint64_t b = BUF_GPA(0);
	for (unsigned int i = 0; i < QSIZE; i++) {
		struct seg s = { b + 0x100 * i, 64, true };
		post(f, 0, i, &s, 1);
	}
	peer_send(f, 0, 2000, 1);
	assert_true(wait_used(f, 0, QSIZE));
	for (unsigned int i = 0; i < QSIZE; i++) {
		uint32_t id, len;
		used_elem(f, 0, i, &id, &len);
		assert_int_equal(len, 0);
	}
	assert_int_equal(stats(f).rx_too_big, 1);
	assert_int_equal(stats(f).rx_packets, 0);
	/* the device still works */
	struct seg s = { b, 1024, true };
	post(f, 0, 0, &s, 1);
	peer_send(f, 0, 30, 4);
	assert_true(wait_used(f, 0, QSIZE + 1));
	uint32_t id, len;
	used_elem(f, 0, QSIZE, &id, &len);
	assert_int_equal(len, HDR + 30);
}

/* One control request: class, command, data; the ack byte it got. */
static uint8_t ctrl(struct fx *f, uint8_t class, uint8_t cmd, const void *data,
		    uint32_t len)
{
	unsigned int q = f->pairs > 1 ? 2 * f->pairs : 2;
	uint64_t b = BUF_GPA(4);
	f->ram[b] = class;
	f->ram[b + 1] = cmd;
	memcpy(f->ram + b + 0x100, data, len);
	f->ram[b + 0x200] = 0xee;
	struct seg s[] = { { b, 2, false }, { b + 0x100, len, false },
			   { b + 0x200, 1, true } };
	uint16_t want = (uint16_t)(used_idx(f, q) + 1);
	post(f, q, 0, s, 3);
	assert_true(wait_used(f, q, want));
	uint32_t id, used;
	used_elem(f, q, want - 1, &id, &used);
	assert_int_equal(used, 1);
	return f->ram[b + 0x200];
}

/* With buffers enough for the largest packet held, packets are read
 * straight into them: each takes as many as it needs, in ring order, the
 * next packet goes on with the next buffer, and a frame the filter drops
 * uses none. */
static void test_rx_direct(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES | MRG | CTRL_RX);
	uint64_t b = BUF_GPA(0);
	for (unsigned int i = 0; i < QSIZE; i++) {
		struct seg s = { b + 0x8000 * i, 0x2000, true }; /* 16 x 8 KiB */
		post(f, 0, i, &s, 1);
	}
	uint8_t off = 0;
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1),
			 VIRTIO_NET_OK);
	static const uint8_t other[6] = { 0x02, 0x99, 0, 0, 0, 1 };
	static const size_t sizes[] = { 20000, 100, 9000 };
	peer_send_to(f, test_mac, sizes[0], 1);
	peer_send_to(f, other, 3000, 2); /* not for us */
	peer_send_to(f, test_mac, sizes[1], 3);
	peer_send_to(f, test_mac, sizes[2], 4);
	/* 3 + 1 + 2 buffers */
	assert_true(wait_used(f, 0, 6));
	unsigned int buf = 0;
	for (unsigned int k = 0; k < 3; k++) {
		size_t total = HDR + sizes[k];
		unsigned int first = buf;
		uint8_t *got = malloc(total);
		size_t off2 = 0;
		while (off2 < total) {
			uint32_t id, len;
			used_elem(f, 0, buf, &id, &len);
			assert_int_equal(id, buf);
			assert_int_equal(len, total - off2 < 0x2000 ? total - off2 : 0x2000);
			memcpy(got + off2, f->ram + b + 0x8000 * buf, len);
			off2 += len;
			buf++;
		}
		struct virtio_net_hdr_v1 h;
		memcpy(&h, got, HDR);
		assert_int_equal(h.num_buffers, buf - first);
		uint8_t *want = malloc(sizes[k]);
		fill(want, sizes[k], 1 + (k ? k + 1 : 0));
		memcpy(want, test_mac, 6);
		assert_memory_equal(got + HDR, want, sizes[k]);
		free(want);
		free(got);
	}
	assert_int_equal(buf, 6);
	struct virtio_net_stats st = stats(f);
	assert_int_equal(st.rx_packets, 3);
	assert_int_equal(st.rx_filtered, 1);
	assert_int_equal(st.rx_bytes, 20000 + 100 + 9000);
}

/* VQ_PAIRS_SET: only that many pairs carry traffic; counts outside
 * 1..max_virtqueue_pairs are refused. */
static void test_ctrl_mq(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES | MRG | MQ);
	assert_int_equal(virtio_net_active_pairs(f->net), 1);
	/* pair 1 has buffers and a packet waits, but it is not in use yet */
	struct seg s = { BUF_GPA(2), 2048, true };
	post(f, 2, 0, &s, 1);
	peer_send(f, 1, 300, 1);
	vdrv_sleep_ms(100);
	assert_int_equal(used_idx(f, 2), 0);

	uint16_t two = 2, three = 3, zero = 0, one = 1;
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
			      &two, 2), VIRTIO_NET_OK);
	assert_int_equal(virtio_net_active_pairs(f->net), 2);
	assert_true(wait_used(f, 2, 1));
	uint32_t id, len;
	used_elem(f, 2, 0, &id, &len);
	assert_int_equal(len, HDR + 300);

	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
			      &three, 2), VIRTIO_NET_ERR);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
			      &zero, 2), VIRTIO_NET_ERR);
	assert_int_equal(virtio_net_active_pairs(f->net), 2);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
			      &one, 2), VIRTIO_NET_OK);
	assert_int_equal(virtio_net_active_pairs(f->net), 1);
	/* pair 1 is out of use again: its packets wait */
	struct seg t = { BUF_GPA(2) + 0x1000, 2048, true };
	post(f, 2, 1, &t, 1);
	peer_send(f, 1, 40, 2);
	vdrv_sleep_ms(100);
	assert_int_equal(used_idx(f, 2), 1);
	/* pair 0 still works */
	struct seg u = { BUF_GPA(0), 2048, true };
	post(f, 0, 0, &u, 1);
	peer_send(f, 0, 40, 3);
	assert_true(wait_used(f, 0, 1));
	struct virtio_net_stats st = stats(f);
	assert_int_equal(st.ctrl_ok, 2);
	assert_int_equal(st.ctrl_err, 2);
}

/* Every control chain is answered once: known commands with OK, unknown
 * or malformed ones with ERR, one without an ack byte with nothing. */
static void test_ctrl_commands(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES | CTRL_RX | CTRL_MAC_ADDR);
	uint8_t on = 1;
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1),
			 VIRTIO_NET_OK);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1),
			 VIRTIO_NET_OK);
	uint8_t two[2] = { 1, 1 };
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, two, 2),
			 VIRTIO_NET_ERR);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, 9, &on, 1), VIRTIO_NET_ERR);
	/* MAC tables: 0 unicast entries, 1 multicast entry */
	uint8_t tables[4 + 4 + 6] = { 0, 0, 0, 0, 1, 0, 0, 0, 0x01, 0, 0x5e, 0, 0, 1 };
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET,
			      tables, sizeof(tables)), VIRTIO_NET_OK);
	tables[4] = 2; /* claims two entries, holds one */
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET,
			      tables, sizeof(tables)), VIRTIO_NET_ERR);
	uint32_t huge[2] = { 0xffffffffu, 0 };
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET,
			      huge, sizeof(huge)), VIRTIO_NET_ERR);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET,
			      test_mac, 6), VIRTIO_NET_OK);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET,
			      test_mac, 5), VIRTIO_NET_ERR);
	assert_int_equal(ctrl(f, 77, 0, &on, 1), VIRTIO_NET_ERR);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, two, 2),
			 VIRTIO_NET_ERR);
	/* MQ was not negotiated (one pair): refused */
	uint16_t one = 1;
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
			      &one, 2), VIRTIO_NET_ERR);

	/* only the class byte, then the ack */
	uint64_t b = BUF_GPA(4);
	f->ram[b + 0x200] = 0xee;
	struct seg s[] = { { b, 1, false }, { b + 0x200, 1, true } };
	uint16_t n = used_idx(f, 2);
	post(f, 2, 0, s, 2);
	assert_true(wait_used(f, 2, (uint16_t)(n + 1)));
	assert_int_equal(f->ram[b + 0x200], VIRTIO_NET_ERR);
	/* no ack byte at all: completed with nothing written */
	struct seg r = { b, 2, false };
	post(f, 2, 0, &r, 1);
	assert_true(wait_used(f, 2, (uint16_t)(n + 2)));
	uint32_t id, len;
	used_elem(f, 2, n + 1, &id, &len);
	assert_int_equal(len, 0);
	struct virtio_net_stats st = stats(f);
	assert_int_equal(st.ctrl_ok, 4);
	assert_int_equal(st.ctrl_err, 9);
	assert_int_equal(st.bad_chains, 1);
	assert_false(vdrv_status(&f->vd) & NEEDS_RESET);
}

/* The MAC table: le32 unicast count, entries, le32 multicast count,
 * entries. */
static uint8_t set_tables(struct fx *f, const uint8_t (*uni)[6], uint32_t nu,
			  const uint8_t (*multi)[6], uint32_t nm)
{
	uint8_t buf[8 + 12 * 6];
	size_t off = 0;
	memcpy(buf + off, &nu, 4);
	off += 4;
	memcpy(buf + off, uni, 6 * nu);
	off += 6 * nu;
	memcpy(buf + off, &nm, 4);
	off += 4;
	memcpy(buf + off, multi, 6 * nm);
	off += 6 * nm;
	return ctrl(f, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, buf,
		    (uint32_t)off);
}

/* Post one 2 KiB rx buffer (descriptor i): the frame it gets must be the
 * one sent to got_dst. */
static void rx_one(struct fx *f, unsigned int i, const uint8_t *got_dst)
{
	struct seg s = { BUF_GPA(0) + 0x1000 * i, 2048, true };
	post(f, 0, i, &s, 1);
	assert_true(wait_used(f, 0, (uint16_t)(i + 1)));
	assert_memory_equal(f->ram + BUF_GPA(0) + 0x1000 * i + HDR, got_dst, 6);
}

/* CTRL_RX applied on the userspace rx path: promiscuous until the driver
 * says otherwise, then only the NIC's own address, broadcast, and what
 * the MAC table and allmulti let through; a frame that does not pass is
 * dropped and counted and the buffer takes the next one. A reset makes
 * the NIC promiscuous again. */
static void test_rx_filter(void **state)
{
	struct fx *f = *state;
	static const uint8_t other[6] = { 0x02, 0x99, 0, 0, 0, 1 };
	static const uint8_t listed[1][6] = { { 0x02, 0x77, 0, 0, 0, 2 } };
	static const uint8_t mcast[1][6] = { { 0x33, 0x33, 0, 0, 0, 1 } };
	static const uint8_t mcast2[6] = { 0x01, 0, 0x5e, 0, 0, 0xfb };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	bring_up(f, BASE_FEATURES | CTRL_RX | CTRL_MAC_ADDR);

	/* before any command: everything passes */
	peer_send_to(f, other, 100, 1);
	rx_one(f, 0, other);

	uint8_t off = 0, on = 1;
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1),
			 VIRTIO_NET_OK);
	peer_send_to(f, other, 100, 2);
	peer_send_to(f, test_mac, 100, 3);
	rx_one(f, 1, test_mac);
	assert_int_equal(stats(f).rx_filtered, 1);

	peer_send_to(f, listed[0], 100, 4);
	peer_send_to(f, bcast, 100, 5);
	rx_one(f, 2, bcast);
	assert_int_equal(set_tables(f, listed, 1, mcast, 1), VIRTIO_NET_OK);
	peer_send_to(f, mcast2, 100, 6);
	peer_send_to(f, listed[0], 100, 7);
	rx_one(f, 3, listed[0]);
	peer_send_to(f, mcast[0], 100, 8);
	rx_one(f, 4, mcast[0]);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1),
			 VIRTIO_NET_OK);
	peer_send_to(f, mcast2, 100, 9);
	rx_one(f, 5, mcast2);
	assert_int_equal(stats(f).rx_filtered, 3);

	/* a new address: it passes, and the config space shows it */
	static const uint8_t moved[6] = { 0x02, 0x4b, 0x49, 0x4c, 0x4e, 0x42 };
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET,
			      moved, 6), VIRTIO_NET_OK);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(vdrv_mrd(&f->vd, f->vd.device + i, 1), moved[i]);
	peer_send_to(f, test_mac, 100, 10);
	peer_send_to(f, moved, 100, 11);
	rx_one(f, 6, moved);
	assert_int_equal(stats(f).rx_filtered, 4);
	/* a multicast one is no NIC's address */
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET,
			      bcast, 6), VIRTIO_NET_ERR);

	/* a reset: the first address and promiscuous again */
	bring_up(f, BASE_FEATURES | CTRL_RX | CTRL_MAC_ADDR);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(vdrv_mrd(&f->vd, f->vd.device + i, 1), test_mac[i]);
	peer_send_to(f, other, 100, 12);
	rx_one(f, 0, other);
	assert_int_equal(stats(f).rx_filtered, 4);
}

/* Without CTRL_RX (or CTRL_RX_EXTRA, CTRL_MAC_ADDR, CTRL_GUEST_OFFLOADS)
 * negotiated their commands are refused and nothing is filtered. */
static void test_rx_filter_not_negotiated(void **state)
{
	struct fx *f = *state;
	static const uint8_t other[6] = { 0x02, 0x99, 0, 0, 0, 1 };
	bring_up(f, BASE_FEATURES | CTRL_RX);
	uint8_t off = 0;
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOUNI, &off, 1),
			 VIRTIO_NET_ERR);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET,
			      other, 6), VIRTIO_NET_ERR);
	uint64_t offloads = 0;
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			      VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &offloads, 8),
			 VIRTIO_NET_ERR);
	bring_up(f, BASE_FEATURES);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1),
			 VIRTIO_NET_ERR);
	peer_send_to(f, other, 100, 1);
	rx_one(f, 0, other);
	assert_int_equal(stats(f).rx_filtered, 0);
}

/* A 100-byte frame to `dst` tagged with 802.1Q TCI `tci`. */
static void peer_send_tagged(struct fx *f, const uint8_t dst[6], uint16_t tci,
			     unsigned int seed)
{
	uint8_t pkt[HDR + 100];
	fill(pkt + HDR, 100, seed);
	memset(pkt, 0, HDR);
	memcpy(pkt + HDR, dst, 6);
	pkt[HDR + 12] = 0x81;
	pkt[HDR + 13] = 0x00;
	pkt[HDR + 14] = (uint8_t)(tci >> 8);
	pkt[HDR + 15] = (uint8_t)tci;
	assert_int_equal(send(f->peer[0], pkt, sizeof(pkt), 0), (ssize_t)sizeof(pkt));
}

/* CTRL_VLAN on the userspace rx path: once negotiated, a tagged frame
 * passes only for an id the driver added (the priority bits do not
 * count), untagged ones as before; promiscuous mode passes all; bad
 * commands are refused. Without CTRL_VLAN tags are not looked at. */
static void test_rx_vlan_filter(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES | CTRL_RX | CTRL_VLAN);
	uint8_t off = 0, on = 1;
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1),
			 VIRTIO_NET_OK);
	peer_send_tagged(f, test_mac, 7, 1);
	peer_send_to(f, test_mac, 100, 2);
	rx_one(f, 0, test_mac);
	assert_int_equal(f->ram[BUF_GPA(0) + HDR + 12], (uint8_t)(12 * 13 + 2));
	assert_int_equal(stats(f).rx_filtered, 1);
	uint16_t vid = htole16(7);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, &vid, 2),
			 VIRTIO_NET_OK);
	peer_send_tagged(f, test_mac, 0xe007, 3); /* priority 7, VLAN 7 */
	rx_one(f, 1, test_mac);
	assert_int_equal(f->ram[BUF_GPA(0) + 0x1000 + HDR + 12], 0x81);
	/* (frames are judged when read, i.e. once a buffer waits) */
	peer_send_tagged(f, test_mac, 8, 4);
	peer_send_to(f, test_mac, 100, 5);
	rx_one(f, 2, test_mac);
	assert_int_equal(f->ram[BUF_GPA(0) + 0x2000 + HDR + 12], (uint8_t)(12 * 13 + 5));
	assert_int_equal(stats(f).rx_filtered, 2);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1),
			 VIRTIO_NET_OK);
	peer_send_tagged(f, test_mac, 9, 6);
	rx_one(f, 3, test_mac);
	assert_int_equal(f->ram[BUF_GPA(0) + 0x3000 + HDR + 15], 9);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1),
			 VIRTIO_NET_OK);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_DEL, &vid, 2),
			 VIRTIO_NET_OK);
	peer_send_tagged(f, test_mac, 7, 7);
	peer_send_to(f, test_mac, 100, 8);
	rx_one(f, 4, test_mac);
	assert_int_equal(f->ram[BUF_GPA(0) + 0x4000 + HDR + 12], (uint8_t)(12 * 13 + 8));
	assert_int_equal(stats(f).rx_filtered, 3);
	/* refused: id 4096, two bytes short or long, an unknown command */
	uint16_t big = htole16(4096);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, &big, 2),
			 VIRTIO_NET_ERR);
	uint8_t three[3] = { 7, 0, 0 };
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, three, 3),
			 VIRTIO_NET_ERR);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, three, 1),
			 VIRTIO_NET_ERR);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_VLAN, 2, &vid, 2), VIRTIO_NET_ERR);

	/* not negotiated: refused, and tags pass */
	bring_up(f, BASE_FEATURES | CTRL_RX);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, &vid, 2),
			 VIRTIO_NET_ERR);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1),
			 VIRTIO_NET_OK);
	peer_send_tagged(f, test_mac, 5, 9);
	rx_one(f, 0, test_mac);
	assert_int_equal(f->ram[BUF_GPA(0) + HDR + 12], 0x81);
	assert_int_equal(stats(f).rx_filtered, 3);
}

/* GUEST_OFFLOADS_SET: a subset of the negotiated guest offloads. */
static void test_guest_offloads(void **state)
{
	struct fx *f = *state;
	uint64_t csum = 1ull << VIRTIO_NET_F_GUEST_CSUM;
	uint64_t tso4 = 1ull << VIRTIO_NET_F_GUEST_TSO4;
	bring_up(f, BASE_FEATURES | csum | tso4 |
			    1ull << VIRTIO_NET_F_CTRL_GUEST_OFFLOADS);
	uint64_t v = csum;
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			      VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &v, 8), VIRTIO_NET_OK);
	v = csum | tso4;
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			      VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &v, 8), VIRTIO_NET_OK);
	v = 1ull << VIRTIO_NET_F_GUEST_TSO6; /* not negotiated */
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			      VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &v, 8), VIRTIO_NET_ERR);
	v = 1ull << VIRTIO_NET_F_MQ; /* not an offload */
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			      VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &v, 8), VIRTIO_NET_ERR);
	assert_int_equal(ctrl(f, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			      VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, &v, 4), VIRTIO_NET_ERR);
}

/* mtu: VIRTIO_NET_F_MTU offered and the config field holds it; a value
 * below the minimum is refused at creation. */
static void test_mtu(void **state)
{
	struct fx *f = *state;
	assert_true(vdrv_read_features(&f->vd) & (1ull << VIRTIO_NET_F_MTU));
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.device + offsetof(struct virtio_net_config, mtu), 2),
			 9000);

	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	struct virtio_net_params p = { .pairs = 1, .fds = sv, .mtu = 67 };
	struct virtio_net *net = NULL;
	char err[256];
	assert_int_equal(virtio_net_create(&net, &p, err, sizeof(err)), -EINVAL);
	assert_null(net);
	assert_non_null(strstr(err, "mtu=67"));
	/* packed rings are offered on request, never with vhost */
	assert_false(vdrv_read_features(&f->vd) & (1ull << VIRTIO_F_RING_PACKED));
	p = (struct virtio_net_params){ .pairs = 1, .fds = sv, .tap = true,
					.vhost = true, .mem = &f->mem, .packed = true };
	assert_int_equal(virtio_net_create(&net, &p, err, sizeof(err)), -EINVAL);
	assert_null(net);
	assert_non_null(strstr(err, "packed"));
	close(sv[0]);
	close(sv[1]);
}

/* Malformed chains are answered and counted; a chain pointing outside RAM
 * breaks the queue (NEEDS_RESET) and a reset brings the device back. */
static void test_hostile_chains(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES | MRG);
	uint64_t b = BUF_GPA(1);
	/* tx: shorter than a header */
	struct seg s = { b, 8, false };
	post(f, 1, 0, &s, 1);
	assert_true(wait_used(f, 1, 1));
	/* rx: read-only, and too small for a header */
	struct seg ro = { BUF_GPA(0), 100, false };
	post(f, 0, 0, &ro, 1);
	struct seg tiny = { BUF_GPA(0), 4, true };
	post(f, 0, 1, &tiny, 1);
	assert_true(wait_used(f, 0, 2));
	for (unsigned int i = 0; i < 2; i++) {
		uint32_t id, len;
		used_elem(f, 0, i, &id, &len);
		assert_int_equal(len, 0);
	}
	uint8_t got[256];
	assert_int_equal(recv(f->peer[0], got, sizeof(got), MSG_DONTWAIT), -1);
	assert_int_equal(stats(f).bad_chains, 3);
	assert_int_equal(stats(f).tx_packets, 0);
	assert_false(vdrv_status(&f->vd) & NEEDS_RESET);

	/* tx: a buffer beyond guest RAM */
	struct seg out = { RAM_SIZE - 16, 64, false };
	post(f, 1, 1, &out, 1);
	uint64_t end = vdrv_now_ms() + 5000;
	while (!(vdrv_status(&f->vd) & NEEDS_RESET) && vdrv_now_ms() < end)
		vdrv_sleep_ms(1);
	assert_true(vdrv_status(&f->vd) & NEEDS_RESET);
	assert_int_equal(used_idx(f, 1), 1);

	/* reset and again: packets flow */
	bring_up(f, BASE_FEATURES | MRG);
	assert_false(vdrv_status(&f->vd) & NEEDS_RESET);
	memset(f->ram + b, 0, HDR);
	fill(f->ram + b + HDR, 64, 1);
	struct seg ok = { b, HDR + 64, false };
	post(f, 1, 0, &ok, 1);
	assert_true(wait_used(f, 1, 1));
	assert_int_equal(recv(f->peer[0], got, sizeof(got), MSG_DONTWAIT), HDR + 64);
}

/* A full fd holds tx back (the chain waits for room, nothing is lost or
 * reordered) until the far end reads. */
static void test_tx_backpressure(void **state)
{
	struct fx *f = *state;
	int small = 4096; /* the kernel doubles it: room for a few packets */
	assert_int_equal(setsockopt(f->dev[0], SOL_SOCKET, SO_SNDBUF, &small,
				    sizeof(small)), 0);
	bring_up(f, BASE_FEATURES);
	uint64_t b = BUF_GPA(1);
	for (unsigned int i = 0; i < 8; i++) {
		uint64_t p = b + 0x1000 * i;
		memset(f->ram + p, 0, HDR);
		fill(f->ram + p + HDR, 2000, i);
		struct seg s = { p, HDR + 2000, false };
		post(f, 1, i, &s, 1);
	}
	uint64_t end = vdrv_now_ms() + 5000;
	while (used_idx(f, 1) == 0 && vdrv_now_ms() < end)
		vdrv_sleep_ms(1);
	vdrv_sleep_ms(100);
	uint16_t done = used_idx(f, 1);
	assert_true(done >= 1 && done < 8);
	uint8_t got[4096];
	for (unsigned int i = 0; i < 8; i++) {
		struct pollfd pfd = { .fd = f->peer[0], .events = POLLIN };
		assert_int_equal(poll(&pfd, 1, 5000), 1);
		assert_int_equal(recv(f->peer[0], got, sizeof(got), 0), HDR + 2000);
		uint8_t want[2000];
		fill(want, sizeof(want), i);
		assert_memory_equal(got + HDR, want, sizeof(want));
	}
	assert_true(wait_used(f, 1, 8));
	assert_int_equal(stats(f).tx_packets, 8);
	assert_int_equal(stats(f).tx_errors, 0);
}

/* A closed back end (the socket's far end gone) neither spins nor stops
 * tx from completing the guest's chains. */
static void test_backend_closed(void **state)
{
	struct fx *f = *state;
	bring_up(f, BASE_FEATURES | MRG);
	struct seg r = { BUF_GPA(0), 2048, true };
	post(f, 0, 0, &r, 1);
	close(f->peer[0]);
	f->peer[0] = socket(AF_UNIX, SOCK_SEQPACKET, 0); /* for teardown */
	uint64_t b = BUF_GPA(1);
	memset(f->ram + b, 0, HDR + 64);
	struct seg t = { b, HDR + 64, false };
	post(f, 1, 0, &t, 1);
	assert_true(wait_used(f, 1, 1));
	assert_int_equal(stats(f).tx_errors, 1);
	assert_int_equal(used_idx(f, 0), 0);
}

/* vhost=on without /dev/vhost-net: one line naming it, fds left to the
 * caller. */
static void test_vhost_unavailable(void **state)
{
	if (access("/dev/vhost-net", F_OK) == 0)
		skip();
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	static uint8_t ram[4096] __attribute__((aligned(4096)));
	struct guest_mem mem;
	memset(&mem, 0, sizeof(mem));
	assert_int_equal(guest_mem_init_fake(&mem, ram, 0, sizeof(ram)), 0);
	struct virtio_net_params p = { .pairs = 1, .fds = sv, .tap = true,
				       .vhost = true, .mem = &mem };
	struct virtio_net *net = NULL;
	char err[256];
	assert_int_equal(virtio_net_create(&net, &p, err, sizeof(err)), -ENOENT);
	assert_null(net);
	assert_non_null(strstr(err, "vhost=on: /dev/vhost-net"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(close(sv[0]), 0); /* still ours */
	close(sv[1]);
	guest_mem_destroy(&mem);
}

int main(void)
{
	/* a write to a socket whose far end is closed must fail, not kill */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity_and_config, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_identity_and_config, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_tx, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_rx_merged, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_rx_direct, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_rx_packet_completes_at_once, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_rx_backpressure, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_rx_too_big_dropped, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_rx_too_big_for_ring, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_mq, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_commands, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_chains, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_tx_backpressure, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_backend_closed, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_rx_filter, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_rx_filter_not_negotiated, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_rx_vlan_filter, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_guest_offloads, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_mtu, setup_mtu, teardown),
		cmocka_unit_test(test_vhost_unavailable),
	};
	return cmocka_run_group_tests_name("virtio-net", tests, NULL, NULL);
}
