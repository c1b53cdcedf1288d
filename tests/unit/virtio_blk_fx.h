/* The fixture the virtio-blk unit tests share: virtio-blk behind the
 * virtio modern PCI transport, driven the way Linux's virtio_pci_modern +
 * virtio_blk drivers drive it: config space and the BAR on the MMIO
 * io_bus, rings and requests in fake guest memory, a temporary image file
 * on the host. Included by test_virtio_blk*.c only. */
#ifndef KILN_TESTS_VIRTIO_BLK_FX_H
#define KILN_TESTS_VIRTIO_BLK_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bus/io_bus.h"
#include "bus/pci.h"
#include "core/guest_mem.h"
#include "core/log.h"
#include "devices/virtio_blk.h"
#include "virtio/virtio_pci.h"
#include "virtio_drv.h"

#include <liburing.h>

#include <errno.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SLOT 3
#define BAR_GPA 0xc0000000ull
#define RAM_SIZE 0x100000ull
#define DESC_GPA 0x10000ull
#define AVAIL_GPA 0x11000ull
#define USED_GPA 0x12000ull
#define HDR_GPA 0x20000ull
#define STATUS_GPA 0x21000ull
#define DATA_GPA 0x30000ull /* up to 64 KiB */
#define QSIZE 16
#define QSTRIDE 0x4000ull /* queue q's rings at DESC/AVAIL/USED + q * QSTRIDE */
#define MSI_ADDR 0xfee00000ull
#define IMG_SIZE (1024 * 1024)

#define CC(f) offsetof(struct virtio_pci_common_cfg, f)

struct fx {
	struct io_bus pio, mmio;
	struct pci_bus bus;
	struct guest_mem mem;
	uint8_t *ram;
	struct virtio_blk *blk;
	struct virtio_pci *t;
	char path[64];
	int fd; /* the test's own view of the image */
	struct vdrv vd; /* the driver side (virtio_drv.h) */
	uint16_t avail_idx;  /* queue 0's */
	uint16_t qsize;      /* queue size bring_up sets */
	uint64_t drop_features; /* bring_up leaves these out */
	_Atomic unsigned int deliveries[4];
};

struct blk_setup {
	bool readonly, sync_io, direct;
	bool packed; /* offer VIRTIO_F_RING_PACKED */
	unsigned int num_queues;
};

static inline void fake_deliver(void *opaque, unsigned int vector, uint64_t addr,
			 uint32_t data)
{
	struct fx *f = opaque;
	if (vector < 4)
		atomic_fetch_add(&f->deliveries[vector], 1);
}

static const struct virtio_pci_host_ops hops = { .deliver = fake_deliver };

static inline uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + off / 512 + 1);
}

/* ---- driver-side helpers (the transport's are in virtio_drv.h) ----------- */

/* MSI-X on, the first four vectors (or as many as the table has). */
static inline void enable_msix(struct fx *f)
{
	unsigned int nvec = (vdrv_cfg_read(&f->vd, f->vd.msix_cap + PCI_MSIX_FLAGS, 2) & 0x7ff) + 1;
	vdrv_enable_msix(&f->vd, nvec < 4 ? nvec : 4, MSI_ADDR);
}

static inline void setup_queue(struct fx *f, unsigned int q)
{
	uint64_t base = q * QSTRIDE;
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_select), 2, q);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_size), 2), 256);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_size), 2, f->qsize);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_msix_vector), 2, q == 0 ? 0 : 2 + (q & 1));
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_desc_lo), 4, (uint32_t)(DESC_GPA + base));
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_desc_hi), 4, 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_avail_lo), 4, (uint32_t)(AVAIL_GPA + base));
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_avail_hi), 4, 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_used_lo), 4, (uint32_t)(USED_GPA + base));
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_used_hi), 4, 0);
	vdrv_mwr(&f->vd, f->vd.common + CC(queue_enable), 2, 1);
	assert_int_equal(vdrv_mrd(&f->vd, f->vd.common + CC(queue_enable), 2), 1);
}

/* Bring the device up: the offered features (less drop_features), nq
 * queues of f->qsize (QSIZE if 0), DRIVER_OK. */
static inline void bring_up_n(struct fx *f, unsigned int nq)
{
	enable_msix(f);
	vdrv_set_status(&f->vd, 0);
	memset(f->ram + DESC_GPA, 0, 4 * QSTRIDE);
	vdrv_set_status(&f->vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	uint64_t feat = vdrv_read_features(&f->vd);
	assert_true(feat & (1ull << VIRTIO_F_VERSION_1));
	vdrv_write_features(&f->vd, feat & ~f->drop_features);
	vdrv_set_status(&f->vd, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_FEATURES_OK);
	assert_true(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_FEATURES_OK);
	if (!f->qsize)
		f->qsize = QSIZE;
	vdrv_mwr(&f->vd, f->vd.common + CC(msix_config), 2, 1);
	for (unsigned int q = 0; q < nq; q++)
		setup_queue(f, q);
	vdrv_set_status(&f->vd, 0x0f);
	assert_true(vdrv_status(&f->vd) & VIRTIO_CONFIG_S_DRIVER_OK);
	f->avail_idx = 0;
}

static inline void bring_up(struct fx *f)
{
	bring_up_n(f, 1);
}

static inline void put_desc_q(struct fx *f, unsigned int q, unsigned int i,
		       uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = f->ram + DESC_GPA + q * QSTRIDE + 16ull * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static inline void put_desc(struct fx *f, unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uint8_t *d = f->ram + DESC_GPA + 16ull * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static inline bool wait_used_q(struct fx *f, unsigned int q, uint16_t want)
{
	return vdrv_wait_used(f->ram + USED_GPA + q * QSTRIDE, want, 5000);
}

static inline bool wait_used(struct fx *f, uint16_t want)
{
	return wait_used_q(f, 0, want);
}

/* Offer the chain starting at descriptor 0, kick, wait; the used len. */
static inline uint32_t submit(struct fx *f)
{
	uint16_t idx = f->avail_idx++;
	uint16_t *ring = (uint16_t *)(f->ram + AVAIL_GPA + 4);
	ring[idx % f->qsize] = 0;
	__atomic_store_n((uint16_t *)(f->ram + AVAIL_GPA + 2), (uint16_t)(idx + 1),
			 __ATOMIC_RELEASE);
	vdrv_mwr(&f->vd, virtio_pci_notify_addr(f->t, 0), 2, 0);
	assert_true(wait_used(f, (uint16_t)(idx + 1)));
	uint8_t *e = f->ram + USED_GPA + 4 + 8 * (idx % f->qsize);
	uint32_t id, len;
	memcpy(&id, e, 4);
	memcpy(&len, e + 4, 4);
	assert_int_equal(id, 0);
	return len;
}

static inline void put_hdr(struct fx *f, uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = { .type = type, .ioprio = 0, .sector = sector };
	memcpy(f->ram + HDR_GPA, &h, sizeof(h));
}

/* A standard three-descriptor request (data_len 0: header + status only).
 * `in`: the data is device-writable. Returns the status byte; *used_len. */
static inline uint8_t request(struct fx *f, uint32_t type, uint64_t sector,
		       uint32_t data_len, bool in, uint32_t *used_len)
{
	put_hdr(f, type, sector);
	f->ram[STATUS_GPA] = 0xee;
	unsigned int i = 0;
	put_desc(f, i, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1));
	i++;
	if (data_len) {
		put_desc(f, i, DATA_GPA, data_len,
			 VIRTQ_DESC_F_NEXT | (in ? VIRTQ_DESC_F_WRITE : 0),
			 (uint16_t)(i + 1));
		i++;
	}
	put_desc(f, i, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	uint32_t len = submit(f);
	if (used_len)
		*used_len = len;
	return f->ram[STATUS_GPA];
}

static inline void host_read(struct fx *f, uint64_t off, void *buf, size_t len)
{
	assert_int_equal(pread(f->fd, buf, len, (off_t)off), (ssize_t)len);
}

static inline void fill_image(int fd)
{
	uint8_t *img = malloc(IMG_SIZE);
	assert_non_null(img);
	for (uint64_t i = 0; i < IMG_SIZE; i++)
		img[i] = pattern(i);
	assert_int_equal(pwrite(fd, img, IMG_SIZE, 0), IMG_SIZE);
	free(img);
}

static inline bool uring_works(void)
{
	struct io_uring ring;
	if (io_uring_queue_init(4, &ring, 0))
		return false;
	io_uring_queue_exit(&ring);
	return true;
}

static inline int setup_with(void **state, const struct blk_setup *bs)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	log_set_level(LOG_ERROR); /* the negative tests log guest errors */
	strcpy(f->path, bs->direct ? "/var/tmp/kiln-blk-XXXXXX" : "/tmp/kiln-blk-XXXXXX");
	f->fd = mkstemp(f->path);
	assert_true(f->fd >= 0);
	fill_image(f->fd);

	io_bus_init(&f->pio, "pio");
	io_bus_init(&f->mmio, "mmio");
	pci_bus_init(&f->bus, &f->pio, &f->mmio);
	/* page-aligned, as guest RAM is: O_DIRECT can use it as it is */
	assert_int_equal(posix_memalign((void **)&f->ram, 4096, RAM_SIZE), 0);
	memset(f->ram, 0, RAM_SIZE);
	assert_int_equal(guest_mem_init_fake(&f->mem, f->ram, 0, RAM_SIZE), 0);
	char err[256];
	struct virtio_blk_params p = {
		.path = f->path, .readonly = bs->readonly, .direct = bs->direct,
		.num_queues = bs->num_queues, .sync_io = bs->sync_io,
		.packed = bs->packed,
	};
	int r = virtio_blk_create(&f->blk, &p, err, sizeof(err));
	if (r == -EINVAL && bs->direct) {
		/* some file systems refuse O_DIRECT */
		print_message("skipped: %s\n", err);
		close(f->fd);
		unlink(f->path);
		free(f->ram);
		free(f);
		*state = NULL;
		return 0;
	}
	assert_int_equal(r, 0);
	if (bs->sync_io || !uring_works())
		assert_string_equal(virtio_blk_backend_name(f->blk), "sync");
	else
		assert_string_equal(virtio_blk_backend_name(f->blk), "io_uring");
	assert_int_equal(virtio_pci_create(&f->t, &f->bus, SLOT,
					   &virtio_blk_ops, f->blk,
					   &f->mem, &hops, f), 0);
	struct pci_device *d = virtio_pci_pci_device(f->t);
	assert_int_equal(pci_device_set_bar_addr(d, 4, BAR_GPA), 0);
	f->vd = (struct vdrv){ .bus = &f->bus, .mmio = &f->mmio, .slot = SLOT, .bar = BAR_GPA };
	vdrv_cfg_write(&f->vd, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	vdrv_walk_caps(&f->vd);
	assert_true(f->vd.common && f->vd.notify && f->vd.isr && f->vd.device);
	*state = f;
	return 0;
}

static inline int setup(void **state)
{
	return setup_with(state, &(struct blk_setup){ 0 });
}

static inline int setup_sync(void **state)
{
	return setup_with(state, &(struct blk_setup){ .sync_io = true });
}

static inline int setup_ro(void **state)
{
	return setup_with(state, &(struct blk_setup){ .readonly = true });
}

static inline int setup_ro_sync(void **state)
{
	return setup_with(state, &(struct blk_setup){ .readonly = true, .sync_io = true });
}

static inline int setup_packed(void **state)
{
	return setup_with(state, &(struct blk_setup){ .packed = true });
}

static inline int setup_mq(void **state)
{
	return setup_with(state, &(struct blk_setup){ .num_queues = 3 });
}

static inline int setup_mq_sync(void **state)
{
	return setup_with(state, &(struct blk_setup){ .num_queues = 3, .sync_io = true });
}

static inline int setup_direct(void **state)
{
	return setup_with(state, &(struct blk_setup){ .direct = true });
}

static inline int setup_direct_sync(void **state)
{
	return setup_with(state, &(struct blk_setup){ .direct = true, .sync_io = true });
}

static inline int teardown(void **state)
{
	struct fx *f = *state;
	if (!f)
		return 0;
	virtio_pci_destroy(f->t);
	virtio_blk_destroy(f->blk);
	pci_bus_destroy(&f->bus);
	io_bus_destroy(&f->mmio);
	io_bus_destroy(&f->pio);
	close(f->fd);
	unlink(f->path);
	free(f->ram);
	free(f);
	return 0;
}


static inline void discard_wz(struct fx *f, uint32_t type, uint64_t sector,
		       uint32_t num, uint32_t flags, uint8_t want)
{
	struct virtio_blk_discard_write_zeroes seg = {
		.sector = sector, .num_sectors = num, .flags = flags,
	};
	memcpy(f->ram + DATA_GPA, &seg, sizeof(seg));
	assert_int_equal(request(f, type, 0, sizeof(seg), false, NULL), want);
}

static inline void expect_zero(struct fx *f, uint64_t sector, uint32_t num)
{
	uint8_t buf[512];
	for (uint32_t s = 0; s < num; s++) {
		host_read(f, (sector + s) * 512, buf, sizeof(buf));
		for (unsigned int i = 0; i < 512; i++)
			assert_int_equal(buf[i], 0);
	}
	/* neighbours intact */
	if (sector) {
		host_read(f, (sector - 1) * 512, buf, sizeof(buf));
		assert_int_equal(buf[511], pattern(sector * 512 - 1));
	}
	host_read(f, (sector + num) * 512, buf, sizeof(buf));
	assert_int_equal(buf[0], pattern((sector + num) * 512));
}

/* ---- batching, multiqueue, O_DIRECT -------------------------------------- */

/* Offer n two-descriptor requests (header; data + status in one writable
 * or readable+status pair) on queue q starting at avail index *idx without
 * waiting: request i is `type` on sector first + i, 512 bytes of data at
 * DATA_GPA + i * 1 KiB. Kick once. */
static inline void offer_batch(struct fx *f, unsigned int q, uint16_t *idx,
			unsigned int n, uint32_t type, uint64_t first)
{
	uint64_t base = q * QSTRIDE;
	uint16_t *ring = (uint16_t *)(f->ram + AVAIL_GPA + base + 4);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t hdr = HDR_GPA + 16ull * i + 0x1000ull * q;
		uint64_t data = DATA_GPA + 0x400ull * i + 0x40000ull * q;
		struct virtio_blk_outhdr h = { .type = type, .sector = first + i };
		memcpy(f->ram + hdr, &h, sizeof(h));
		unsigned int d = (3 * i) % f->qsize;
		if (type == VIRTIO_BLK_T_IN) {
			put_desc_q(f, q, d, hdr, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(d + 1));
			put_desc_q(f, q, d + 1, data, 513, VIRTQ_DESC_F_WRITE, 0);
		} else {
			put_desc_q(f, q, d, hdr, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(d + 1));
			put_desc_q(f, q, d + 1, data, 512, VIRTQ_DESC_F_NEXT, (uint16_t)(d + 2));
			put_desc_q(f, q, d + 2, data + 512, 1, VIRTQ_DESC_F_WRITE, 0);
		}
		f->ram[data + 512] = 0xee;
		ring[(*idx + i) % f->qsize] = (uint16_t)d;
	}
	*idx = (uint16_t)(*idx + n);
	__atomic_store_n((uint16_t *)(f->ram + AVAIL_GPA + base + 2), *idx,
			 __ATOMIC_RELEASE);
	vdrv_mwr(&f->vd, virtio_pci_notify_addr(f->t, q), 2, q);
}

static inline void check_batch_status(struct fx *f, unsigned int q, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(f->ram[DATA_GPA + 0x400ull * i + 0x40000ull * q + 512],
				 VIRTIO_BLK_S_OK);
}

/* 80 requests at once (the queue holds 85 three-descriptor chains): more
 * than a queue keeps in flight, so the device must stop popping, wait for
 * completions and go on. Each is answered once, with the right data. */

#endif
