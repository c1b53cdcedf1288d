/* The virtio modern PCI transport with virtio-rng behind it, driven the way
 * Linux's virtio_pci_modern driver drives it: through config space and the
 * BAR on the MMIO io_bus, with rings laid out in fake guest memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bus/io_bus.h"
#include "bus/pci.h"
#include "core/guest_mem.h"
#include "core/log.h"
#include "devices/virtio_rng.h"
#include "virtio/virtio_pci.h"
#include "virtio_drv.h"

#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>

#define SLOT 3
#define BAR_GPA 0xc0000000ull
#define RAM_SIZE 0x100000ull
#define DESC_GPA 0x10000ull
#define AVAIL_GPA 0x11000ull
#define USED_GPA 0x12000ull
#define BUF_GPA 0x20000ull
#define QSIZE 16
#define MSI_ADDR 0xfee00000ull

#define CC(f) offsetof(struct virtio_pci_common_cfg, f)

struct fx {
	struct io_bus pio, mmio;
	struct pci_bus bus;
	struct guest_mem mem;
	uint8_t *ram;
	struct virtio_rng *rng;
	struct virtio_pci *t;
	struct vdrv vd; /* the driver side */
	/* deliver callback (rng thread) */
	_Atomic unsigned int deliveries[4];
	_Atomic uint64_t last_addr;
	_Atomic uint32_t last_data;
};

static void fake_deliver(void *opaque, unsigned int vector, uint64_t addr,
			 uint32_t data)
{
	struct fx *f = opaque;
	if (vector < 4)
		atomic_fetch_add(&f->deliveries[vector], 1);
	atomic_store(&f->last_addr, addr);
	atomic_store(&f->last_data, data);
}

static const struct virtio_pci_host_ops hops = { .deliver = fake_deliver };

/* ---- driver-side helpers ------------------------------------------------- */

/* MSI-X on, vectors 0 and 1 unmasked (table at BAR+0x3800). */
static void enable_msix(struct fx *f)
{
	assert_int_equal(vdrv_cfg_read(&f->vd, f->vd.msix_cap + PCI_MSIX_TABLE, 4) & 7, 4);
	vdrv_enable_msix(&f->vd, 2, MSI_ADDR);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	log_set_level(LOG_ERROR); /* the negative tests log guest errors */
	io_bus_init(&f->pio, "pio");
	io_bus_init(&f->mmio, "mmio");
	pci_bus_init(&f->bus, &f->pio, &f->mmio);
	f->ram = calloc(1, RAM_SIZE);
	assert_non_null(f->ram);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->ram, 0, RAM_SIZE), 0);
	assert_int_equal(virtio_rng_create(&f->rng), 0);
	assert_int_equal(virtio_pci_create(&f->t, &f->bus, SLOT, &virtio_rng_ops,
					   f->rng, &f->mem, &hops, f), 0);
	struct pci_device *d = virtio_pci_pci_device(f->t);
	assert_int_equal(virtio_pci_notify_addr(f->t, 0), 0); /* not mapped */
	assert_int_equal(pci_device_set_bar_addr(d, 4, BAR_GPA), 0);
	f->vd = (struct vdrv){ .bus = &f->bus, .mmio = &f->mmio, .slot = SLOT, .bar = BAR_GPA };
	vdrv_cfg_write(&f->vd, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_true(vdrv_cfg_read(&f->vd, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	vdrv_walk_caps(&f->vd);
	/* Every virtio capability in BAR 4, and of the size it must have. */
	assert_int_equal(f->vd.cap_bars, 1u << 4);
	assert_true(f->vd.common_len >= sizeof(struct virtio_pci_common_cfg));
	assert_int_equal(f->vd.notify_cap_len, sizeof(struct virtio_pci_notify_cap));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	virtio_pci_destroy(f->t);
	virtio_rng_destroy(f->rng);
	pci_bus_destroy(&f->bus);
	io_bus_destroy(&f->mmio);
	io_bus_destroy(&f->pio);
	free(f->ram);
	free(f);
	return 0;
}

/* Reset, ACKNOWLEDGE | DRIVER, VERSION_1 (+ EVENT_IDX if `evidx`), FEATURES_OK. */
static void negotiate(struct fx *f, bool evidx)
{
	vdrv_set_status(&f->vd, 0);
	assert_int_equal(vdrv_status(&f->vd), 0);
	vdrv_set_status(&f->vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vdrv_set_status(&f->vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	uint64_t feat = vdrv_read_features(&f->vd);
	assert_true(feat & (1ull << VIRTIO_F_VERSION_1));
	uint64_t want = 1ull << VIRTIO_F_VERSION_1;
	if (evidx)
		want |= feat & (1ull << VIRTIO_F_EVENT_IDX);
	vdrv_write_features(&f->vd, want);
	vdrv_set_status(&f->vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_FEATURES_OK);
	assert_true(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_FEATURES_OK);
}

static void setup_queue(struct fx *f, uint64_t desc, uint64_t avail,
			uint64_t used)
{
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_select), 2, 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_size), 2), 256);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_size), 2, QSIZE);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_msix_vector), 2, 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_msix_vector), 2), 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(msix_config), 2, 1);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_desc_lo), 4, (uint32_t)desc);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_desc_hi), 4, desc >> 32);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_avail_lo), 4, (uint32_t)avail);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_avail_hi), 4, avail >> 32);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_used_lo), 4, (uint32_t)used);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_used_hi), 4, used >> 32);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_enable), 2, 1);
}

static void put_desc(struct fx *f, unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint8_t *d = f->ram + DESC_GPA + 16ull * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* Offer head `head` as avail entry idx, publish idx + 1, and kick. */
static void offer_and_kick(struct fx *f, uint16_t idx, uint16_t head)
{
	uint16_t *ring = (uint16_t *)(f->ram + AVAIL_GPA + 4);
	ring[idx % QSIZE] = head;
	__atomic_store_n((uint16_t *)(f->ram + AVAIL_GPA + 2), (uint16_t)(idx + 1),
			 __ATOMIC_RELEASE);
	uint16_t notify_off = (uint16_t)vdrv_mrd(&f->vd, f->vd.common + CC(queue_notify_off), 2);
	uint64_t na = f->vd.notify + (uint64_t)notify_off * f->vd.notify_mult;
	assert_int_equal(na, virtio_pci_notify_addr(f->t, 0));
	vdrv_mwr(&f->vd, na, 2, 0);
}

static bool wait_used(struct fx *f, uint16_t want)
{
	return vdrv_wait_used(f->ram + USED_GPA, want, 2000);
}

/* ---- tests --------------------------------------------------------------- */

static void test_identity_and_caps(void **state)
{
	struct fx *f = *state;
	assert_int_equal(vdrv_cfg_read(&f->vd, PCI_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(vdrv_cfg_read(&f->vd, PCI_DEVICE_ID, 2), 0x1044);
	assert_int_equal(vdrv_cfg_read(&f->vd, PCI_REVISION_ID, 1), 1);
	assert_int_equal(vdrv_cfg_read(&f->vd, PCI_CLASS_REVISION, 4) >> 8, 0x00ff00);
	assert_int_equal(vdrv_cfg_read(&f->vd, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(vdrv_cfg_read(&f->vd, PCI_INTERRUPT_PIN, 1), 0);
	/* rng has no config: no DEVICE cap */
	assert_int_equal(f->vd.caps_found, 1 | 2 | 4);
	assert_int_equal(f->vd.common, BAR_GPA);
	assert_int_equal(f->vd.isr, BAR_GPA + 0x1000);
	assert_int_equal(f->vd.notify, BAR_GPA + 0x3000);
	assert_int_equal(f->vd.notify_mult, 4);
	assert_int_not_equal(f->vd.msix_cap, 0);
	assert_int_equal(vdrv_cfg_read(&f->vd, f->vd.msix_cap + PCI_MSIX_FLAGS, 2) & 0x7ff, 1);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(num_queues), 2), 1);
	assert_int_equal(virtio_pci_notify_addr(f->t, 0), BAR_GPA + 0x3000);
	assert_int_equal(virtio_pci_notify_addr(f->t, 1), 0);
	assert_true(virtio_pci_kick_fd(f->t, 0) >= 0);
	assert_int_equal(virtio_pci_kick_fd(f->t, 1), -1);
	uint64_t feat = vdrv_read_features(&f->vd);
	assert_int_equal(feat, 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_INDIRECT_DESC |
				       1ull << VIRTIO_F_EVENT_IDX);
	/* slow-path notify reaches the kick eventfd (no thread yet) */
	vdrv_mwr(&f->vd, BAR_GPA + 0x3000, 2, 0);
	eventfd_t v = 0;
	assert_int_equal(eventfd_read(virtio_pci_kick_fd(f->t, 0), &v), 0);
	assert_int_equal(v, 1);
}

static void run_rng(struct fx *f, bool evidx)
{
	struct virtio_rng_stats s0, s;
	virtio_rng_get_stats(f->rng, &s0);
	unsigned int cfg_irqs = atomic_load(&f->deliveries[1]);
	enable_msix(f);
	negotiate(f, evidx);
	setup_queue(f, DESC_GPA, AVAIL_GPA, USED_GPA);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_enable), 2), 1);
	vdrv_set_status(&f->vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	assert_true(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_DRIVER_OK);

	for (uint16_t i = 0; i < 3; i++) {
		put_desc(f, i, BUF_GPA + 64ull * i, 16, VIRTQ_DESC_F_WRITE, 0);
		offer_and_kick(f, i, i);
		assert_true(wait_used(f, (uint16_t)(i + 1)));
		uint32_t id = __atomic_load_n((uint32_t *)(f->ram + USED_GPA + 4 + 8 * i),
					      __ATOMIC_RELAXED);
		uint32_t len = __atomic_load_n((uint32_t *)(f->ram + USED_GPA + 8 + 8 * i),
					       __ATOMIC_RELAXED);
		assert_int_equal(id, i);
		assert_int_equal(len, 16);
		static const uint8_t zero[16];
		assert_memory_not_equal(f->ram + BUF_GPA + 64ull * i, zero, 16);
		/* nothing past the buffer */
		assert_memory_equal(f->ram + BUF_GPA + 64ull * i + 16, zero, 16);
	}
	uint64_t end = vdrv_now_ms() + 2000;
	while (!atomic_load(&f->deliveries[0]) && vdrv_now_ms() < end)
		;
	assert_true(atomic_load(&f->deliveries[0]) >= 1);
	assert_int_equal(atomic_load(&f->last_addr), MSI_ADDR);
	assert_int_equal(atomic_load(&f->last_data), 0x40);
	assert_int_equal(atomic_load(&f->deliveries[1]), cfg_irqs);
	/* ISR bit 0, read clears */
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.isr, 1) & 1, 1);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.isr, 1), 0);

	virtio_rng_get_stats(f->rng, &s);
	assert_int_equal(s.requests - s0.requests, 3);
	assert_int_equal(s.bytes - s0.bytes, 48);
}

static void test_rng_end_to_end(void **state)
{
	run_rng(*state, false);
}

static void test_rng_event_idx(void **state)
{
	run_rng(*state, true);
}

static void test_readable_request_answered_empty(void **state)
{
	struct fx *f = *state;
	enable_msix(f);
	negotiate(f, false);
	setup_queue(f, DESC_GPA, AVAIL_GPA, USED_GPA);
	vdrv_set_status(&f->vd, 0x0f);
	put_desc(f, 0, BUF_GPA, 16, 0, 0); /* device-readable: wrong for rng */
	offer_and_kick(f, 0, 0);
	assert_true(wait_used(f, 1));
	assert_int_equal(*(uint32_t *)(f->ram + USED_GPA + 8), 0);
	struct virtio_rng_stats s;
	virtio_rng_get_stats(f->rng, &s);
	assert_int_equal(s.bad_requests, 1);
	assert_false(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_features_refused(void **state)
{
	struct fx *f = *state;
	uint8_t base = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	/* without VERSION_1 */
	vdrv_set_status(&f->vd, 0);
	vdrv_set_status(&f->vd, base);
	vdrv_write_features(&f->vd, 1ull << VIRTIO_F_INDIRECT_DESC);
	vdrv_set_status(&f->vd, base | VIRTIO_CONFIG_S_FEATURES_OK);
	assert_int_equal(vdrv_status(&f->vd), base);
	/* DRIVER_OK without FEATURES_OK is refused too */
	vdrv_set_status(&f->vd, base | VIRTIO_CONFIG_S_DRIVER_OK);
	assert_int_equal(vdrv_status(&f->vd), base);
	/* a device-specific bit not offered */
	vdrv_set_status(&f->vd, 0);
	vdrv_set_status(&f->vd, base);
	vdrv_write_features(&f->vd, 1ull << VIRTIO_F_VERSION_1 | 1);
	vdrv_set_status(&f->vd, base | VIRTIO_CONFIG_S_FEATURES_OK);
	assert_int_equal(vdrv_status(&f->vd), base);
	/* a bit in feature word 2 */
	vdrv_set_status(&f->vd, 0);
	vdrv_set_status(&f->vd, base);
	vdrv_write_features(&f->vd, 1ull << VIRTIO_F_VERSION_1);
	vdrv_mwr(&f->vd, f->vd.common + CC(guest_feature_select), 4, 2);
	vdrv_mwr(&f->vd, f->vd.common + CC(guest_feature), 4, 1);
	vdrv_set_status(&f->vd, base | VIRTIO_CONFIG_S_FEATURES_OK);
	assert_int_equal(vdrv_status(&f->vd), base);
	/* and the good set is accepted */
	negotiate(f, true);
	/* features are frozen after FEATURES_OK */
	vdrv_mwr(&f->vd, f->vd.common + CC(guest_feature_select), 4, 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(guest_feature), 4, 0xffffffff);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(guest_feature), 4),
			 1u << VIRTIO_F_EVENT_IDX);
}

static void expect_enable_fails(struct fx *f, uint64_t desc, uint64_t avail,
				uint64_t used)
{
	enable_msix(f);
	negotiate(f, false);
	unsigned int cfg_irqs = atomic_load(&f->deliveries[1]);
	setup_queue(f, desc, avail, used);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_enable), 2), 0);
	assert_true(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(atomic_load(&f->deliveries[1]), cfg_irqs + 1);
	/* DRIVER_OK is refused while NEEDS_RESET is set */
	vdrv_set_status(&f->vd, 0x0f);
	assert_false(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_DRIVER_OK);
}

static void test_enable_bad_rings(void **state)
{
	struct fx *f = *state;
	expect_enable_fails(f, DESC_GPA + 8, AVAIL_GPA, USED_GPA); /* misaligned */
	expect_enable_fails(f, DESC_GPA, AVAIL_GPA + 1, USED_GPA);
	expect_enable_fails(f, RAM_SIZE - 16, AVAIL_GPA, USED_GPA); /* past RAM */
	expect_enable_fails(f, DESC_GPA, AVAIL_GPA, BAR_GPA);       /* MMIO */
	expect_enable_fails(f, DESC_GPA, AVAIL_GPA, DESC_GPA);      /* overlap */
	/* reset clears NEEDS_RESET and a good queue then works */
	negotiate(f, false);
	setup_queue(f, DESC_GPA, AVAIL_GPA, USED_GPA);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_enable), 2), 1);
	assert_false(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_enable_before_features_ok(void **state)
{
	struct fx *f = *state;
	vdrv_set_status(&f->vd, 0);
	vdrv_set_status(&f->vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	setup_queue(f, DESC_GPA, AVAIL_GPA, USED_GPA);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_enable), 2), 0);
}

static void test_hostile_ring(void **state)
{
	struct fx *f = *state;
	enable_msix(f);
	negotiate(f, false);
	setup_queue(f, DESC_GPA, AVAIL_GPA, USED_GPA);
	vdrv_set_status(&f->vd, 0x0f);
	/* 0 -> 1 -> 0 ... */
	put_desc(f, 0, BUF_GPA, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	put_desc(f, 1, BUF_GPA + 16, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	offer_and_kick(f, 0, 0);
	uint64_t end = vdrv_now_ms() + 2000;
	while (!(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_NEEDS_RESET) && vdrv_now_ms() < end) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	assert_true(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_NEEDS_RESET);
	end = vdrv_now_ms() + 2000;
	while (!atomic_load(&f->deliveries[1]) && vdrv_now_ms() < end)
		;
	assert_int_equal(atomic_load(&f->deliveries[1]), 1);
	assert_int_equal(atomic_load(&f->last_data), 0x41);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.isr, 1) & 2, 2);
	assert_int_equal(*(uint16_t *)(f->ram + USED_GPA + 2), 0);
	/* more kicks are ignored, and a reset recovers */
	vdrv_mwr(&f->vd, virtio_pci_notify_addr(f->t, 0), 2, 0);
	memset(f->ram + DESC_GPA, 0, 0x3000);
	run_rng(f, false);
}

static void test_reset(void **state)
{
	struct fx *f = *state;
	run_rng(f, true);
	vdrv_set_status(&f->vd, 0);
	assert_int_equal(vdrv_status(&f->vd), 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_select), 2, 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_enable), 2), 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_size), 2), 256);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_msix_vector), 2),
			 VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(msix_config), 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_desc_lo), 4), 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(guest_feature_select), 4, 1);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(guest_feature), 4), 0);
	/* the whole bring-up works again, rings reused from index 0 */
	memset(f->ram + DESC_GPA, 0, 0x3000);
	memset(f->ram + BUF_GPA, 0, 0x1000);
	atomic_store(&f->deliveries[0], 0);
	run_rng(f, false);
}

static void test_status_bits_sticky(void **state)
{
	struct fx *f = *state;
	negotiate(f, false);
	vdrv_set_status(&f->vd, VIRTIO_CONFIG_S_ACKNOWLEDGE); /* try to clear bits */
	assert_int_equal(vdrv_status(&f->vd), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					    VIRTIO_CONFIG_S_FEATURES_OK);
	vdrv_set_status(&f->vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_false(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_queue_select_out_of_range(void **state)
{
	struct fx *f = *state;
	negotiate(f, false);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_select), 2, 1);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_select), 2), 1);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_size), 2), 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_size), 2, 16);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_size), 2), 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_desc_lo), 4, DESC_GPA);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_desc_lo), 4), 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_enable), 2, 1);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_enable), 2), 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_select), 2, 0xffff);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_size), 2), 0);
	/* bad sizes and vectors on queue 0 */
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_select), 2, 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_size), 2, 24);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_size), 2), 256);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_size), 2, 512);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_size), 2), 256);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_msix_vector), 2, 2); /* nvec = 2 */
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_msix_vector), 2),
			 VIRTIO_MSI_NO_VECTOR);
	vdrv_mwr(&f->vd, f->vd.common + CC(msix_config), 2, 7);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(msix_config), 2), VIRTIO_MSI_NO_VECTOR);
	/* 64-bit address as one 8-byte access, read back as halves */
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_desc_lo), 8, 0x123456789000ull);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_desc_lo), 4), 0x56789000);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_desc_hi), 4), 0x1234);
}

static void test_odd_widths(void **state)
{
	struct fx *f = *state;
	vdrv_set_status(&f->vd, 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(device_feature_select), 4, 1);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(device_feature), 1), 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(device_feature), 2), 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(device_feature) + 1, 1), 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(device_feature), 4), 1);
	vdrv_mwr(&f->vd, f->vd.common + CC(device_status), 2, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vdrv_mwr(&f->vd, f->vd.common + CC(device_status), 4, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	assert_int_equal(vdrv_status(&f->vd), 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(num_queues), 4), 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(num_queues), 8), 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_select), 1, 5);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_select) + 1, 1, 5);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_select), 2), 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_size), 1), 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_desc_hi), 8), 0);
	/* ISR only as a byte; past the common cfg and device cfg: zero */
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.isr, 4), 0);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + 0x38, 2), 0);
	assert_int_equal(vdrv_mrd(&f->vd, BAR_GPA + 0x2000, 4), 0);
	vdrv_mwr(&f->vd, BAR_GPA + 0x2000, 4, 0xffffffff);
	vdrv_mwr(&f->vd, BAR_GPA + 0x3ffc, 4, 0xffffffff);
	struct virtio_pci_stats s;
	virtio_pci_get_stats(f->t, &s);
	assert_true(s.guest_errors >= 10);
}

static void test_destroy_while_running(void **state)
{
	struct fx *f = *state;
	enable_msix(f);
	negotiate(f, false);
	setup_queue(f, DESC_GPA, AVAIL_GPA, USED_GPA);
	vdrv_set_status(&f->vd, 0x0f);
	/* teardown destroys the transport with the rng thread running */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity_and_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rng_end_to_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rng_event_idx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readable_request_answered_empty,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_features_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enable_bad_rings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enable_before_features_ok, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hostile_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_bits_sticky, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_select_out_of_range, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_odd_widths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_while_running, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
