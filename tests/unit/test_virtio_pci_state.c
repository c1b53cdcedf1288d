/* virtio-pci pause/resume, save and restore, with virtio-rng behind it.
 * Machine A is driven like Linux drives it (config cycles, the BAR, rings
 * in fake RAM) and serves a request; it is paused and saved; machine B is
 * built the same way, gets A's RAM and A's state, and must look the same
 * to the guest and serve the next request from where A stopped. */
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

#include <errno.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
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
#define NVEC 2 /* rng: one queue + config */

#define CC(f) offsetof(struct virtio_pci_common_cfg, f)
#define COMMON (BAR_GPA + VIRTIO_PCI_COMMON_OFF)

struct mach {
	struct io_bus pio, mmio;
	struct pci_bus bus;
	struct guest_mem mem;
	uint8_t *ram;
	struct virtio_rng *rng;
	struct virtio_pci *t;
	_Atomic unsigned int deliveries[NVEC];
	unsigned int changes[NVEC];
	bool unmasked[NVEC];
	struct vdrv vd; /* the driver side */
};

static void fake_deliver(void *opaque, unsigned int vector, uint64_t addr,
			 uint32_t data)
{
	struct mach *m = opaque;
	if (vector < NVEC)
		atomic_fetch_add(&m->deliveries[vector], 1);
}

static void fake_vector_changed(void *opaque, unsigned int vector,
				uint64_t addr, uint32_t data, bool masked)
{
	struct mach *m = opaque;
	if (vector < NVEC) {
		m->changes[vector]++;
		m->unmasked[vector] = !masked;
	}
}

static const struct virtio_pci_host_ops hops = {
	.deliver = fake_deliver,
	.vector_changed = fake_vector_changed,
};

/* virtio-rng without pause/resume: a device kind that cannot be saved. */
static struct virtio_device_ops rng_no_pause_ops;

static struct mach *mach_new(const struct virtio_device_ops *ops)
{
	struct mach *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	io_bus_init(&m->pio, "pio");
	io_bus_init(&m->mmio, "mmio");
	pci_bus_init(&m->bus, &m->pio, &m->mmio);
	m->vd = (struct vdrv){ .bus = &m->bus, .mmio = &m->mmio, .slot = SLOT, .bar = BAR_GPA };
	m->ram = calloc(1, RAM_SIZE);
	assert_non_null(m->ram);
	assert_int_equal(guest_mem_init_fake(&m->mem, m->ram, 0, RAM_SIZE), 0);
	assert_int_equal(virtio_rng_create(&m->rng), 0);
	assert_int_equal(virtio_pci_create(&m->t, &m->bus, SLOT, ops, m->rng,
					   &m->mem, &hops, m), 0);
	/* Firmware's placement, decoding off: the guest's comes with restore. */
	assert_int_equal(pci_device_set_bar_addr(virtio_pci_pci_device(m->t),
						 VIRTIO_PCI_BAR, 0xd0000000), 0);
	return m;
}

static void mach_free(struct mach *m)
{
	virtio_pci_destroy(m->t);
	virtio_rng_destroy(m->rng);
	pci_bus_destroy(&m->bus);
	io_bus_destroy(&m->mmio);
	io_bus_destroy(&m->pio);
	guest_mem_destroy(&m->mem);
	free(m->ram);
	free(m);
}

static uint16_t used_idx(struct mach *m)
{
	return vdrv_used_idx(m->ram + USED_GPA);
}

static bool wait_used(struct mach *m, uint16_t want, unsigned int ms)
{
	return vdrv_wait_used(m->ram + USED_GPA, want, ms);
}

/* Head `head` (a 32-byte writable buffer) as avail entry idx, then kick,
 * asking (EVENT_IDX) for an interrupt when it is used. */
static void offer_and_kick(struct mach *m, uint16_t idx, uint16_t head)
{
	uint8_t *d = m->ram + DESC_GPA + 16ull * head;
	uint64_t addr = BUF_GPA + 32ull * head;
	uint32_t len = 32;
	uint16_t flags = VIRTQ_DESC_F_WRITE, next = 0;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	uint16_t *ring = (uint16_t *)(m->ram + AVAIL_GPA + 4);
	ring[idx % QSIZE] = head;
	ring[QSIZE] = idx; /* used_event: interrupt once entry idx is used */
	__atomic_store_n((uint16_t *)(m->ram + AVAIL_GPA + 2), (uint16_t)(idx + 1),
			 __ATOMIC_RELEASE);
	vdrv_mwr(&m->vd, BAR_GPA + VIRTIO_PCI_NOTIFY_OFF, 2, 0);
}

/* The whole Linux bring-up: BAR, MSI-X with vectors 0 and 1, features with
 * EVENT_IDX, queue 0 of QSIZE on vector 0, config on vector 1, DRIVER_OK. */
static void drive(struct mach *m)
{
	struct pci_device *d = virtio_pci_pci_device(m->t);
	vdrv_cfg_write(&m->vd, PCI_BASE_ADDRESS_4, 4,
		       (uint32_t)BAR_GPA | PCI_BASE_ADDRESS_MEM_TYPE_64);
	vdrv_cfg_write(&m->vd, PCI_BASE_ADDRESS_5, 4, 0);
	vdrv_cfg_write(&m->vd, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	for (unsigned int v = 0; v < NVEC; v++) {
		uint64_t e = BAR_GPA + VIRTIO_PCI_MSIX_TABLE_OFF + 16ull * v;
		vdrv_mwr(&m->vd, e, 8, MSI_ADDR + 0x1000 * v);
		vdrv_mwr(&m->vd, e + 8, 4, 0x40 + v);
		vdrv_mwr(&m->vd, e + 12, 4, 0);
	}
	vdrv_cfg_write(&m->vd, d->msix_cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	vdrv_mwr(&m->vd, COMMON + CC(device_status), 1, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vdrv_mwr(&m->vd, COMMON + CC(device_status), 1,
	    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vdrv_mwr(&m->vd, COMMON + CC(guest_feature_select), 4, 0);
	vdrv_mwr(&m->vd, COMMON + CC(guest_feature), 4, 1u << VIRTIO_F_EVENT_IDX);
	vdrv_mwr(&m->vd, COMMON + CC(guest_feature_select), 4, 1);
	vdrv_mwr(&m->vd, COMMON + CC(guest_feature), 4, 1u << (VIRTIO_F_VERSION_1 - 32));
	vdrv_mwr(&m->vd, COMMON + CC(device_status), 1, VIRTIO_CONFIG_S_ACKNOWLEDGE |
		VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	vdrv_mwr(&m->vd, COMMON + CC(queue_select), 2, 0);
	vdrv_mwr(&m->vd, COMMON + CC(queue_size), 2, QSIZE);
	vdrv_mwr(&m->vd, COMMON + CC(queue_msix_vector), 2, 0);
	vdrv_mwr(&m->vd, COMMON + CC(msix_config), 2, 1);
	vdrv_mwr(&m->vd, COMMON + CC(queue_desc_lo), 8, DESC_GPA);
	vdrv_mwr(&m->vd, COMMON + CC(queue_avail_lo), 8, AVAIL_GPA);
	vdrv_mwr(&m->vd, COMMON + CC(queue_used_lo), 8, USED_GPA);
	vdrv_mwr(&m->vd, COMMON + CC(queue_enable), 2, 1);
	vdrv_mwr(&m->vd, COMMON + CC(device_status), 1, 0x0f);
	assert_int_equal(vdrv_mrd(&m->vd, COMMON + CC(device_status), 1), 0x0f);
	/* Leave selectors where a driver might: they are state too. */
	vdrv_mwr(&m->vd, COMMON + CC(device_feature_select), 4, 1);
	vdrv_mwr(&m->vd, COMMON + CC(guest_feature_select), 4, 1);
}

/* Every register the guest can read, through each machine's BAR. */
static void assert_same_registers(struct mach *a, struct mach *b)
{
	for (unsigned int r = 0; r < PCI_CONFIG_SIZE; r += 4)
		assert_int_equal(vdrv_cfg_read(&a->vd, r, 4), vdrv_cfg_read(&b->vd, r, 4));
	static const struct { unsigned int off, size; } regs[] = {
		{ CC(device_feature_select), 4 }, { CC(device_feature), 4 },
		{ CC(guest_feature_select), 4 }, { CC(guest_feature), 4 },
		{ CC(msix_config), 2 }, { CC(num_queues), 2 },
		{ CC(device_status), 1 }, { CC(config_generation), 1 },
		{ CC(queue_select), 2 }, { CC(queue_size), 2 },
		{ CC(queue_msix_vector), 2 }, { CC(queue_enable), 2 },
		{ CC(queue_notify_off), 2 }, { CC(queue_desc_lo), 8 },
		{ CC(queue_avail_lo), 8 }, { CC(queue_used_lo), 8 },
	};
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		assert_int_equal(vdrv_mrd(&a->vd, COMMON + regs[i].off, regs[i].size),
				 vdrv_mrd(&b->vd, COMMON + regs[i].off, regs[i].size));
	for (uint64_t off = 0; off < 16 * NVEC; off += 4)
		assert_int_equal(vdrv_mrd(&a->vd, BAR_GPA + VIRTIO_PCI_MSIX_TABLE_OFF + off, 4),
				 vdrv_mrd(&b->vd, BAR_GPA + VIRTIO_PCI_MSIX_TABLE_OFF + off, 4));
	assert_int_equal(vdrv_mrd(&a->vd, BAR_GPA + VIRTIO_PCI_MSIX_PBA_OFF, 8),
			 vdrv_mrd(&b->vd, BAR_GPA + VIRTIO_PCI_MSIX_PBA_OFF, 8));
	assert_int_equal(virtio_pci_notify_addr(a->t, 0), virtio_pci_notify_addr(b->t, 0));
}

struct fx {
	struct mach *a, *b;
	struct virtio_pci_state *st;
};

/* A driven and one request served, paused and saved; B fresh with A's RAM. */
static int setup(void **state)
{
	log_set_level(LOG_ERROR);
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->a = mach_new(&virtio_rng_ops);
	f->b = mach_new(&virtio_rng_ops);
	f->st = malloc(sizeof(*f->st));
	assert_non_null(f->st);
	drive(f->a);
	offer_and_kick(f->a, 0, 0);
	assert_true(wait_used(f->a, 1, 2000));
	assert_int_equal(virtio_pci_pause(f->a->t), 0);
	assert_int_equal(virtio_pci_save(f->a->t, f->st), 0);
	assert_int_equal(virtio_pci_save_device(f->a->t, NULL, 0), 0);
	memcpy(f->b->ram, f->a->ram, RAM_SIZE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	mach_free(f->a);
	mach_free(f->b);
	free(f->st);
	free(f);
	return 0;
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	struct mach *a = f->a, *b = f->b;
	const struct virtio_pci_state *st = f->st;
	assert_int_equal(st->version, VIRTIO_PCI_STATE_VERSION);
	assert_int_equal(st->status, 0x0f);
	assert_int_equal(st->num_queues, 1);
	assert_int_equal(st->queues[0].vq.last_avail_idx, 1);
	assert_int_equal(st->features, 1ull << VIRTIO_F_VERSION_1 |
				       1ull << VIRTIO_F_EVENT_IDX);

	char err[200] = "";
	assert_int_equal(virtio_pci_restore(b->t, st, NULL, 0, err, sizeof(err)), 0);
	assert_same_registers(a, b);
	/* The machine heard every vector's route once, both unmasked. */
	for (unsigned int v = 0; v < NVEC; v++) {
		assert_int_equal(b->changes[v], 1);
		assert_true(b->unmasked[v]);
	}

	/* B serves the guest's next request from where A stopped, and only
	 * that one: head 0's buffer (zeroed here) is not filled again. */
	memset(b->ram + BUF_GPA, 0, 32);
	offer_and_kick(b, 1, 1);
	assert_true(wait_used(b, 2, 2000));
	struct virtio_rng_stats rs;
	virtio_rng_get_stats(b->rng, &rs);
	assert_int_equal(rs.requests, 1);
	static const uint8_t zero[32];
	assert_memory_equal(b->ram + BUF_GPA, zero, 32);
	uint32_t id;
	memcpy(&id, b->ram + USED_GPA + 4 + 8, 4);
	assert_int_equal(id, 1);
	uint32_t len;
	memcpy(&len, b->ram + USED_GPA + 4 + 8 + 4, 4);
	assert_int_equal(len, 32);
	uint64_t end = vdrv_now_ms() + 2000;
	while (!atomic_load(&b->deliveries[0]) && vdrv_now_ms() < end)
		;
	assert_int_equal(atomic_load(&b->deliveries[0]), 1);
	assert_int_equal(used_idx(a), 1); /* A's RAM: nobody touched it */

	/* A, resumed, goes on too. */
	assert_int_equal(virtio_pci_resume(a->t), 0);
	offer_and_kick(a, 1, 1);
	assert_true(wait_used(a, 2, 2000));

	/* A reset of the restored device works as on any other. */
	vdrv_mwr(&b->vd, COMMON + CC(device_status), 1, 0);
	assert_int_equal(vdrv_mrd(&b->vd, COMMON + CC(device_status), 1), 0);
	assert_int_equal(vdrv_mrd(&b->vd, COMMON + CC(queue_enable), 2), 0);
}

static void test_pause_holds_the_queue(void **state)
{
	struct fx *f = *state;
	struct mach *a = f->a;
	/* Paused (by setup): a kick is not served... */
	offer_and_kick(a, 1, 1);
	assert_false(wait_used(a, 2, 100));
	struct virtio_pci_state *st2 = malloc(sizeof(*st2));
	assert_int_equal(virtio_pci_save(a->t, st2), 0);
	assert_int_equal(st2->queues[0].vq.last_avail_idx, 1);
	free(st2);
	/* ...until resumed; pausing twice or resuming twice is harmless. */
	assert_int_equal(virtio_pci_pause(a->t), 0);
	assert_int_equal(virtio_pci_resume(a->t), 0);
	assert_int_equal(virtio_pci_resume(a->t), 0);
	assert_true(wait_used(a, 2, 2000));
	/* Running again: saving now would race the device. */
	assert_int_equal(virtio_pci_save(a->t, f->st), -EBUSY);
	assert_int_equal(virtio_pci_save_device(a->t, NULL, 0), -EBUSY);
}

static void test_not_activated(void **state)
{
	struct fx *f = *state;
	struct mach *b = f->b;
	/* A device the guest never touched saves and restores as it is. */
	struct virtio_pci_state *st = malloc(sizeof(*st));
	assert_int_equal(virtio_pci_pause(b->t), 0);
	assert_int_equal(virtio_pci_save(b->t, st), 0);
	assert_int_equal(st->status, 0);
	assert_false(st->queues[0].enabled);
	assert_int_equal(st->queues[0].size, 256);
	char err[200];
	assert_int_equal(virtio_pci_restore(b->t, st, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(virtio_pci_resume(b->t), 0);
	free(st);
}

static void test_device_without_pause(void **state)
{
	rng_no_pause_ops = virtio_rng_ops;
	rng_no_pause_ops.pause = NULL;
	rng_no_pause_ops.resume = NULL;
	struct mach *m = mach_new(&rng_no_pause_ops);
	assert_int_equal(virtio_pci_pause(m->t), -EOPNOTSUPP);
	drive(m);
	assert_int_equal(virtio_pci_pause(m->t), -EOPNOTSUPP);
	struct virtio_pci_state *st = malloc(sizeof(*st));
	assert_int_equal(virtio_pci_save(m->t, st), -EBUSY);
	free(st);
	mach_free(m);
}

static void expect_refused(struct fx *f, const struct virtio_pci_state *st,
			   const void *dev, size_t dev_len, const char *why)
{
	char err[200] = "";
	struct mach *b = f->b;
	assert_int_equal(virtio_pci_restore(b->t, st, dev, dev_len, err, sizeof(err)),
			 -EINVAL);
	if (!strstr(err, why))
		fail_msg("expected \"%s\", got \"%s\"", why, err);
	/* The transport is left reset: nothing runs, nothing is enabled. */
	uint64_t bar = pci_device_bar_addr(virtio_pci_pci_device(b->t), VIRTIO_PCI_BAR);
	if (virtio_pci_notify_addr(b->t, 0)) {
		assert_int_equal(vdrv_mrd(&b->vd, bar + CC(device_status), 1), 0);
		assert_int_equal(vdrv_mrd(&b->vd, bar + CC(queue_enable), 2), 0);
	}
}

static void test_hostile(void **state)
{
	struct fx *f = *state;
	struct virtio_pci_state *s = malloc(sizeof(*s));
	const struct virtio_pci_state *good = f->st;
	const uint64_t unoffered = 1ull << 40;

	*s = *good;
	s->version = 9;
	expect_refused(f, s, NULL, 0, "version");

	*s = *good;
	s->device_id = 2;
	expect_refused(f, s, NULL, 0, "another device");

	*s = *good;
	s->num_queues = 2;
	expect_refused(f, s, NULL, 0, "another device");

	*s = *good;
	s->offered |= unoffered;
	expect_refused(f, s, NULL, 0, "another device");

	*s = *good; /* negotiated what was never offered */
	s->features |= unoffered;
	s->driver_features |= unoffered;
	s->queues[0].vq.features |= unoffered;
	expect_refused(f, s, NULL, 0, "not offered");

	*s = *good; /* without VERSION_1 */
	s->features &= ~(1ull << VIRTIO_F_VERSION_1);
	s->driver_features = s->features;
	s->queues[0].vq.features = s->features;
	expect_refused(f, s, NULL, 0, "not offered");

	*s = *good;
	s->status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		    VIRTIO_CONFIG_S_DRIVER_OK;
	expect_refused(f, s, NULL, 0, "FEATURES_OK");

	*s = *good;
	s->status |= 0x10; /* unknown bit */
	expect_refused(f, s, NULL, 0, "status bits");

	*s = *good;
	s->isr = 0x84;
	expect_refused(f, s, NULL, 0, "ISR");

	*s = *good;
	s->msix_config = NVEC;
	expect_refused(f, s, NULL, 0, "config vector");

	*s = *good;
	s->queues[0].msix_vector = 7;
	expect_refused(f, s, NULL, 0, "bad vector");

	*s = *good;
	s->queues[0].size = 12;
	s->queues[0].vq.size = 12;
	expect_refused(f, s, NULL, 0, "power of two");

	*s = *good; /* the ring outside RAM, registers agreeing */
	s->queues[0].desc = RAM_SIZE + 0x1000;
	s->queues[0].vq.desc_gpa = RAM_SIZE + 0x1000;
	expect_refused(f, s, NULL, 0, "descriptor");

	*s = *good;
	s->queues[0].driver = AVAIL_GPA + 0x100;
	expect_refused(f, s, NULL, 0, "differ");

	*s = *good;
	s->queues[0].enabled = 0;
	expect_refused(f, s, NULL, 0, "enabled");

	*s = *good; /* a chain in flight */
	s->queues[0].vq.last_avail_idx++;
	expect_refused(f, s, NULL, 0, "in flight");

	*s = *good;
	s->queues[3].size = 16;
	expect_refused(f, s, NULL, 0, "does not have");

	*s = *good;
	s->pci.config[PCI_DEVICE_ID] ^= 1;
	expect_refused(f, s, NULL, 0, "read-only");

	*s = *good; /* pending on an unmasked vector */
	s->msix.pba[0] = 1;
	expect_refused(f, s, NULL, 0, "pending");

	*s = *good;
	s->msix.nr_vectors = 64;
	expect_refused(f, s, NULL, 0, "vectors");

	uint8_t bytes[4] = { 1, 2, 3, 4 };
	expect_refused(f, good, bytes, sizeof(bytes), "keeps none");

	/* And after all that, the good state still restores and runs. */
	char err[200] = "";
	assert_int_equal(virtio_pci_restore(f->b->t, good, NULL, 0, err, sizeof(err)), 0);
	offer_and_kick(f->b, 1, 1);
	assert_true(wait_used(f->b, 2, 2000));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_holds_the_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_activated, setup, teardown),
		cmocka_unit_test(test_device_without_pause),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
	};
	return cmocka_run_group_tests_name("virtio_pci_state", tests, NULL, NULL);
}
