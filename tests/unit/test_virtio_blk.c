/* virtio-blk behind the virtio modern PCI transport, driven the way Linux's
 * virtio_pci_modern + virtio_blk drivers drive it: config space and the BAR
 * on the MMIO io_bus, rings and requests in fake guest memory, a temporary
 * image file on the host. */
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

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <liburing.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

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
	uint64_t common, isr, device, notify;
	uint32_t notify_mult;
	unsigned int msix_cap;
	uint16_t avail_idx;  /* queue 0's */
	uint16_t qsize;      /* queue size bring_up sets */
	uint64_t drop_features; /* bring_up leaves these out */
	_Atomic unsigned int deliveries[4];
};

struct blk_setup {
	bool readonly, sync_io, direct;
	unsigned int num_queues;
};

static void fake_deliver(void *opaque, unsigned int vector, uint64_t addr,
			 uint32_t data)
{
	struct fx *f = opaque;
	if (vector < 4)
		atomic_fetch_add(&f->deliveries[vector], 1);
}

static const struct virtio_pci_host_ops hops = { .deliver = fake_deliver };

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + off / 512 + 1);
}

/* ---- driver-side helpers (as in test_virtio_pci.c) ----------------------- */

static uint32_t cfg_read(struct fx *f, unsigned int reg, unsigned int size)
{
	return pci_bus_config_read(&f->bus, 0, SLOT, 0, reg, size);
}

static void cfg_write(struct fx *f, unsigned int reg, unsigned int size,
		      uint32_t v)
{
	pci_bus_config_write(&f->bus, 0, SLOT, 0, reg, size, v);
}

static uint64_t mrd(struct fx *f, uint64_t addr, unsigned int size)
{
	uint64_t v = 0;
	assert_true(io_bus_read(&f->mmio, addr, size, &v));
	return v;
}

static void mwr(struct fx *f, uint64_t addr, unsigned int size, uint64_t v)
{
	assert_true(io_bus_write(&f->mmio, addr, size, v));
}

static uint8_t status(struct fx *f)
{
	return (uint8_t)mrd(f, f->common + CC(device_status), 1);
}

static void set_status(struct fx *f, uint8_t s)
{
	mwr(f, f->common + CC(device_status), 1, s);
}

static void write_features(struct fx *f, uint64_t feat)
{
	mwr(f, f->common + CC(guest_feature_select), 4, 0);
	mwr(f, f->common + CC(guest_feature), 4, (uint32_t)feat);
	mwr(f, f->common + CC(guest_feature_select), 4, 1);
	mwr(f, f->common + CC(guest_feature), 4, feat >> 32);
}

static uint64_t read_features(struct fx *f)
{
	mwr(f, f->common + CC(device_feature_select), 4, 0);
	uint64_t lo = mrd(f, f->common + CC(device_feature), 4);
	mwr(f, f->common + CC(device_feature_select), 4, 1);
	uint64_t hi = mrd(f, f->common + CC(device_feature), 4);
	return lo | hi << 32;
}

static void walk_caps(struct fx *f)
{
	unsigned int p = cfg_read(f, PCI_CAPABILITY_LIST, 1) & 0xfc;
	int guard = 0;
	while (p && guard++ < 48) {
		unsigned int id = cfg_read(f, p, 1);
		if (id == PCI_CAP_ID_MSIX)
			f->msix_cap = p;
		if (id == PCI_CAP_ID_VNDR) {
			unsigned int type = cfg_read(f, p + 3, 1);
			uint64_t a = BAR_GPA + cfg_read(f, p + 8, 4);
			switch (type) {
			case VIRTIO_PCI_CAP_COMMON_CFG:
				f->common = a;
				break;
			case VIRTIO_PCI_CAP_NOTIFY_CFG:
				f->notify = a;
				f->notify_mult = cfg_read(f, p + 16, 4);
				break;
			case VIRTIO_PCI_CAP_ISR_CFG:
				f->isr = a;
				break;
			case VIRTIO_PCI_CAP_DEVICE_CFG:
				f->device = a;
				break;
			}
		}
		p = cfg_read(f, p + 1, 1) & 0xfc;
	}
	assert_true(f->common && f->notify && f->isr && f->device);
}

static void enable_msix(struct fx *f)
{
	uint32_t tbl = cfg_read(f, f->msix_cap + PCI_MSIX_TABLE, 4);
	uint64_t table = BAR_GPA + (tbl & ~7u);
	unsigned int nvec = (cfg_read(f, f->msix_cap + PCI_MSIX_FLAGS, 2) & 0x7ff) + 1;
	for (unsigned int v = 0; v < 4 && v < nvec; v++) {
		uint64_t e = table + 16ull * v;
		mwr(f, e + 0, 4, (uint32_t)MSI_ADDR);
		mwr(f, e + 4, 4, 0);
		mwr(f, e + 8, 4, 0x40 + v);
		mwr(f, e + 12, 4, 0);
	}
	uint32_t ctl = cfg_read(f, f->msix_cap + PCI_MSIX_FLAGS, 2);
	cfg_write(f, f->msix_cap + PCI_MSIX_FLAGS, 2, ctl | PCI_MSIX_FLAGS_ENABLE);
}

static void setup_queue(struct fx *f, unsigned int q)
{
	uint64_t base = q * QSTRIDE;
	mwr(f, f->common + CC(queue_select), 2, q);
	assert_int_equal(mrd(f, f->common + CC(queue_size), 2), 256);
	mwr(f, f->common + CC(queue_size), 2, f->qsize);
	mwr(f, f->common + CC(queue_msix_vector), 2, q == 0 ? 0 : 2 + (q & 1));
	mwr(f, f->common + CC(queue_desc_lo), 4, (uint32_t)(DESC_GPA + base));
	mwr(f, f->common + CC(queue_desc_hi), 4, 0);
	mwr(f, f->common + CC(queue_avail_lo), 4, (uint32_t)(AVAIL_GPA + base));
	mwr(f, f->common + CC(queue_avail_hi), 4, 0);
	mwr(f, f->common + CC(queue_used_lo), 4, (uint32_t)(USED_GPA + base));
	mwr(f, f->common + CC(queue_used_hi), 4, 0);
	mwr(f, f->common + CC(queue_enable), 2, 1);
	assert_int_equal(mrd(f, f->common + CC(queue_enable), 2), 1);
}

/* Bring the device up: the offered features (less drop_features), nq
 * queues of f->qsize (QSIZE if 0), DRIVER_OK. */
static void bring_up_n(struct fx *f, unsigned int nq)
{
	enable_msix(f);
	set_status(f, 0);
	memset(f->ram + DESC_GPA, 0, 4 * QSTRIDE);
	set_status(f, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	uint64_t feat = read_features(f);
	assert_true(feat & (1ull << VIRTIO_F_VERSION_1));
	write_features(f, feat & ~f->drop_features);
	set_status(f, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_FEATURES_OK);
	assert_true(status(f) & VIRTIO_CONFIG_S_FEATURES_OK);
	if (!f->qsize)
		f->qsize = QSIZE;
	mwr(f, f->common + CC(msix_config), 2, 1);
	for (unsigned int q = 0; q < nq; q++)
		setup_queue(f, q);
	set_status(f, 0x0f);
	assert_true(status(f) & VIRTIO_CONFIG_S_DRIVER_OK);
	f->avail_idx = 0;
}

static void bring_up(struct fx *f)
{
	bring_up_n(f, 1);
}

static void put_desc_q(struct fx *f, unsigned int q, unsigned int i,
		       uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = f->ram + DESC_GPA + q * QSTRIDE + 16ull * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
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

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool wait_used_q(struct fx *f, unsigned int q, uint16_t want)
{
	uint64_t end = now_ms() + 5000;
	while (now_ms() < end) {
		if (__atomic_load_n((uint16_t *)(f->ram + USED_GPA + q * QSTRIDE + 2),
				    __ATOMIC_ACQUIRE) == want)
			return true;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	return false;
}

static bool wait_used(struct fx *f, uint16_t want)
{
	return wait_used_q(f, 0, want);
}

/* Offer the chain starting at descriptor 0, kick, wait; the used len. */
static uint32_t submit(struct fx *f)
{
	uint16_t idx = f->avail_idx++;
	uint16_t *ring = (uint16_t *)(f->ram + AVAIL_GPA + 4);
	ring[idx % f->qsize] = 0;
	__atomic_store_n((uint16_t *)(f->ram + AVAIL_GPA + 2), (uint16_t)(idx + 1),
			 __ATOMIC_RELEASE);
	mwr(f, virtio_pci_notify_addr(f->t, 0), 2, 0);
	assert_true(wait_used(f, (uint16_t)(idx + 1)));
	uint8_t *e = f->ram + USED_GPA + 4 + 8 * (idx % f->qsize);
	uint32_t id, len;
	memcpy(&id, e, 4);
	memcpy(&len, e + 4, 4);
	assert_int_equal(id, 0);
	return len;
}

static void put_hdr(struct fx *f, uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = { .type = type, .ioprio = 0, .sector = sector };
	memcpy(f->ram + HDR_GPA, &h, sizeof(h));
}

/* A standard three-descriptor request (data_len 0: header + status only).
 * `in`: the data is device-writable. Returns the status byte; *used_len. */
static uint8_t request(struct fx *f, uint32_t type, uint64_t sector,
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

static void host_read(struct fx *f, uint64_t off, void *buf, size_t len)
{
	assert_int_equal(pread(f->fd, buf, len, (off_t)off), (ssize_t)len);
}

static void fill_image(int fd)
{
	uint8_t *img = malloc(IMG_SIZE);
	assert_non_null(img);
	for (uint64_t i = 0; i < IMG_SIZE; i++)
		img[i] = pattern(i);
	assert_int_equal(pwrite(fd, img, IMG_SIZE, 0), IMG_SIZE);
	free(img);
}

static bool uring_works(void)
{
	struct io_uring ring;
	if (io_uring_queue_init(4, &ring, 0))
		return false;
	io_uring_queue_exit(&ring);
	return true;
}

static int setup_with(void **state, const struct blk_setup *bs)
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
	cfg_write(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	walk_caps(f);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, &(struct blk_setup){ 0 });
}

static int setup_sync(void **state)
{
	return setup_with(state, &(struct blk_setup){ .sync_io = true });
}

static int setup_ro(void **state)
{
	return setup_with(state, &(struct blk_setup){ .readonly = true });
}

static int setup_ro_sync(void **state)
{
	return setup_with(state, &(struct blk_setup){ .readonly = true, .sync_io = true });
}

static int setup_mq(void **state)
{
	return setup_with(state, &(struct blk_setup){ .num_queues = 3 });
}

static int setup_mq_sync(void **state)
{
	return setup_with(state, &(struct blk_setup){ .num_queues = 3, .sync_io = true });
}

static int setup_direct(void **state)
{
	return setup_with(state, &(struct blk_setup){ .direct = true });
}

static int setup_direct_sync(void **state)
{
	return setup_with(state, &(struct blk_setup){ .direct = true, .sync_io = true });
}

static int teardown(void **state)
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

/* ---- tests --------------------------------------------------------------- */

static void test_identity_and_config(void **state)
{
	struct fx *f = *state;
	assert_int_equal(cfg_read(f, PCI_DEVICE_ID, 2), 0x1040 + VIRTIO_ID_BLOCK);
	uint64_t feat = read_features(f);
	assert_true(feat & (1ull << VIRTIO_BLK_F_SEG_MAX));
	assert_true(feat & (1ull << VIRTIO_BLK_F_BLK_SIZE));
	assert_true(feat & (1ull << VIRTIO_BLK_F_FLUSH));
	assert_true(feat & (1ull << VIRTIO_BLK_F_DISCARD));
	assert_true(feat & (1ull << VIRTIO_BLK_F_WRITE_ZEROES));
	assert_true(feat & (1ull << VIRTIO_F_EVENT_IDX));
	assert_false(feat & (1ull << VIRTIO_BLK_F_RO));
	uint64_t dev = f->device;
	assert_int_equal(mrd(f, dev + offsetof(struct virtio_blk_config, capacity), 8),
			 2048);
	assert_int_equal(mrd(f, dev + offsetof(struct virtio_blk_config, capacity), 4),
			 2048);
	assert_int_equal(mrd(f, dev + offsetof(struct virtio_blk_config, capacity) + 4, 4),
			 0);
	assert_int_equal(mrd(f, dev + offsetof(struct virtio_blk_config, seg_max), 4),
			 VIRTIO_BLK_SEG_MAX);
	assert_int_equal(mrd(f, dev + offsetof(struct virtio_blk_config, blk_size), 4),
			 512);
	assert_int_equal(mrd(f, dev + offsetof(struct virtio_blk_config,
					       max_discard_seg), 4), 1);
	assert_int_equal(mrd(f, dev + offsetof(struct virtio_blk_config,
					       max_write_zeroes_seg), 4), 1);
	assert_true(mrd(f, dev + offsetof(struct virtio_blk_config,
					  max_discard_sectors), 4) > 0);
	assert_int_equal(mrd(f, dev + offsetof(struct virtio_blk_config,
					       write_zeroes_may_unmap), 1), 1);
	/* writes are ignored */
	mwr(f, dev, 4, 0x1234);
	assert_int_equal(mrd(f, dev, 8), 2048);
	assert_int_equal(virtio_blk_capacity(f->blk), 2048);
}

static void test_read_sector(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint32_t len;
	memset(f->ram + DATA_GPA, 0, 2048);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 3, 1024, true, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1024 + 1);
	for (unsigned int i = 0; i < 1024; i++)
		assert_int_equal(f->ram[DATA_GPA + i], pattern(3 * 512 + i));
	assert_int_equal(f->ram[DATA_GPA + 1024], 0); /* nothing past it */
	/* last sector of the disk */
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 2047, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA + 511], pattern(IMG_SIZE - 1));
}

static void test_read_multi_seg_and_shared_status(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	/* header; data split over 3 writable descriptors, the last one also
	 * holding the status byte (512 + 1000 + 24 data bytes + status) */
	put_hdr(f, VIRTIO_BLK_T_IN, 10);
	put_desc(f, 0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(f, 1, DATA_GPA, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	put_desc(f, 2, DATA_GPA + 0x1000, 1000, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	put_desc(f, 3, DATA_GPA + 0x2000, 25, VIRTQ_DESC_F_WRITE, 0);
	f->ram[DATA_GPA + 0x2000 + 24] = 0xee;
	assert_int_equal(submit(f), 1536 + 1);
	assert_int_equal(f->ram[DATA_GPA + 0x2000 + 24], VIRTIO_BLK_S_OK);
	uint64_t base = 10 * 512;
	assert_int_equal(f->ram[DATA_GPA], pattern(base));
	assert_int_equal(f->ram[DATA_GPA + 511], pattern(base + 511));
	assert_int_equal(f->ram[DATA_GPA + 0x1000], pattern(base + 512));
	assert_int_equal(f->ram[DATA_GPA + 0x1000 + 999], pattern(base + 1511));
	assert_int_equal(f->ram[DATA_GPA + 0x2000 + 23], pattern(base + 1535));
}

static void test_write_read_back(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	for (unsigned int i = 0; i < 4096; i++)
		f->ram[DATA_GPA + i] = (uint8_t)(0xa5 ^ i);
	uint32_t len;
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 100, 4096, false, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1);
	/* the file on the host has it */
	uint8_t buf[4096 + 512];
	host_read(f, 100 * 512 - 512, buf, sizeof(buf));
	for (unsigned int i = 0; i < 512; i++)
		assert_int_equal(buf[i], pattern(99 * 512 + i));
	for (unsigned int i = 0; i < 4096; i++)
		assert_int_equal(buf[512 + i], (uint8_t)(0xa5 ^ i));
	/* and the guest reads it back */
	memset(f->ram + DATA_GPA, 0, 4096);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 100, 4096, true, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 4097);
	for (unsigned int i = 0; i < 4096; i++)
		assert_int_equal(f->ram[DATA_GPA + i], (uint8_t)(0xa5 ^ i));
	/* the neighbour sector after it is untouched */
	host_read(f, 108 * 512, buf, 512);
	for (unsigned int i = 0; i < 512; i++)
		assert_int_equal(buf[i], pattern(108 * 512 + i));
	struct virtio_blk_stats s;
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.write_bytes, 4096);
	assert_int_equal(s.read_bytes, 4096);
}

static void test_flush(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint32_t len;
	assert_int_equal(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, false, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 1);
	struct virtio_blk_stats s;
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.flushes, 1);
}

static void test_get_id(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint32_t len;
	memset(f->ram + DATA_GPA, 0xff, 64);
	assert_int_equal(request(f, VIRTIO_BLK_T_GET_ID, 0, 20, true, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 21);
	const char *id = virtio_blk_id(f->blk);
	assert_true(strlen(id) > 0 && strlen(id) <= 20);
	assert_memory_equal(f->ram + DATA_GPA, id, strlen(id));
	assert_int_equal(strncmp((char *)f->ram + DATA_GPA, "kiln-", 5), 0);
	if (strlen(id) < 20)
		assert_int_equal(f->ram[DATA_GPA + strlen(id)], 0);
	assert_int_equal(f->ram[DATA_GPA + 20], 0xff);
	/* a short buffer gets what fits */
	memset(f->ram + DATA_GPA, 0xff, 64);
	assert_int_equal(request(f, VIRTIO_BLK_T_GET_ID, 0, 4, true, &len),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(f->ram + DATA_GPA, "kiln", 4);
	assert_int_equal(f->ram[DATA_GPA + 4], 0xff);
}

static void test_out_of_range(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint8_t before[1024], after[1024];
	host_read(f, IMG_SIZE - 1024, before, sizeof(before));
	memset(f->ram + DATA_GPA, 0x5a, 4096);
	/* straddles the end */
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 2047, 1024, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 2048, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* sector * 512 overflows */
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, UINT64_MAX, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, (UINT64_MAX >> 9) + 1, 512,
				 false, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 2048, 512, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	host_read(f, IMG_SIZE - 1024, after, sizeof(after));
	assert_memory_equal(before, after, sizeof(before));
	struct stat st;
	assert_int_equal(fstat(f->fd, &st), 0);
	assert_int_equal(st.st_size, IMG_SIZE);
	/* the device still works */
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
}

static void test_bad_length(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint8_t before[1024], after[1024];
	host_read(f, 0, before, sizeof(before));
	memset(f->ram + DATA_GPA, 0x5a, 4096);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 0, 513, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, 100, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	host_read(f, 0, after, sizeof(after));
	assert_memory_equal(before, after, sizeof(before));
	/* header shorter than 16 bytes */
	put_desc(f, 0, HDR_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	put_desc(f, 1, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	f->ram[STATUS_GPA] = 0xee;
	assert_int_equal(submit(f), 1);
	assert_int_equal(f->ram[STATUS_GPA], VIRTIO_BLK_S_IOERR);
}

static void test_unknown_type(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	uint32_t len;
	assert_int_equal(request(f, 0x1234, 0, 0, false, &len), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(len, 1);
	assert_int_equal(request(f, VIRTIO_BLK_T_SCSI_CMD, 0, 512, true, NULL),
			 VIRTIO_BLK_S_UNSUPP);
}

static void test_no_status_byte(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	put_hdr(f, VIRTIO_BLK_T_OUT, 5);
	memset(f->ram + DATA_GPA, 0x77, 512);
	put_desc(f, 0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(f, 1, DATA_GPA, 512, 0, 0); /* all readable */
	assert_int_equal(submit(f), 0);
	uint8_t buf[512];
	host_read(f, 5 * 512, buf, sizeof(buf));
	assert_int_equal(buf[0], pattern(5 * 512));
	struct virtio_blk_stats s;
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.no_status, 1);
	assert_false(status(f) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* and it keeps working */
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 5, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA], pattern(5 * 512));
}

static void discard_wz(struct fx *f, uint32_t type, uint64_t sector,
		       uint32_t num, uint32_t flags, uint8_t want)
{
	struct virtio_blk_discard_write_zeroes seg = {
		.sector = sector, .num_sectors = num, .flags = flags,
	};
	memcpy(f->ram + DATA_GPA, &seg, sizeof(seg));
	assert_int_equal(request(f, type, 0, sizeof(seg), false, NULL), want);
}

static void expect_zero(struct fx *f, uint64_t sector, uint32_t num)
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

static void test_discard_write_zeroes(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 17, 9, 0, VIRTIO_BLK_S_OK);
	expect_zero(f, 17, 9);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 40, 3,
		   VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP, VIRTIO_BLK_S_OK);
	expect_zero(f, 40, 3);
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 64, 16, 0, VIRTIO_BLK_S_OK);
	/* tmpfs and the usual local file systems punch holes: zeroes */
	expect_zero(f, 64, 16);
	/* out of range, bad flags, two segments */
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 2040, 9, 0, VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, UINT64_MAX, 1, 0, VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 0, 1, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP,
		   VIRTIO_BLK_S_UNSUPP);
	uint8_t buf[512];
	host_read(f, 2040 * 512, buf, sizeof(buf));
	assert_int_equal(buf[0], pattern(2040 * 512));
	host_read(f, 0, buf, sizeof(buf));
	assert_int_equal(buf[0], pattern(0));
	struct virtio_blk_discard_write_zeroes seg2[2] = {
		{ .sector = 0, .num_sectors = 1 }, { .sector = 8, .num_sectors = 1 },
	};
	memcpy(f->ram + DATA_GPA, seg2, sizeof(seg2));
	uint8_t st = request(f, VIRTIO_BLK_T_DISCARD, 0, sizeof(seg2), false, NULL);
	assert_int_not_equal(st, VIRTIO_BLK_S_OK);
	/* a truncated segment */
	assert_int_equal(request(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 8, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	host_read(f, 0, buf, sizeof(buf));
	assert_int_equal(buf[0], pattern(0));
}

static void test_read_only(void **state)
{
	struct fx *f = *state;
	assert_true(read_features(f) & (1ull << VIRTIO_BLK_F_RO));
	bring_up(f);
	uint8_t before[4096], after[4096];
	host_read(f, 0, before, sizeof(before));
	memset(f->ram + DATA_GPA, 0x5a, 4096);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 0, 4096, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 0, 8, 0, VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 8, 0, VIRTIO_BLK_S_IOERR);
	host_read(f, 0, after, sizeof(after));
	assert_memory_equal(before, after, sizeof(before));
	/* reads, flush and GET_ID still work */
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 1, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA], pattern(512));
	assert_int_equal(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(request(f, VIRTIO_BLK_T_GET_ID, 0, 20, true, NULL),
			 VIRTIO_BLK_S_OK);
}

static void test_reset_and_again(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	set_status(f, 0);
	memset(f->ram + DESC_GPA, 0, 0x3000);
	bring_up(f);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 2, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA], pattern(1024));
}

/* ---- batching, multiqueue, O_DIRECT -------------------------------------- */

/* Offer n two-descriptor requests (header; data + status in one writable
 * or readable+status pair) on queue q starting at avail index *idx without
 * waiting: request i is `type` on sector first + i, 512 bytes of data at
 * DATA_GPA + i * 1 KiB. Kick once. */
static void offer_batch(struct fx *f, unsigned int q, uint16_t *idx,
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
	mwr(f, virtio_pci_notify_addr(f->t, q), 2, q);
}

static void check_batch_status(struct fx *f, unsigned int q, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(f->ram[DATA_GPA + 0x400ull * i + 0x40000ull * q + 512],
				 VIRTIO_BLK_S_OK);
}

/* 80 requests at once (the queue holds 85 three-descriptor chains): more
 * than a queue keeps in flight, so the device must stop popping, wait for
 * completions and go on. Each is answered once, with the right data. */
static void test_batch_more_than_depth(void **state)
{
	struct fx *f = *state;
	f->qsize = 256;
	bring_up(f);
	const unsigned int n = 80;
	for (unsigned int i = 0; i < n; i++)
		memset(f->ram + DATA_GPA + 0x400ull * i, (int)(0x10 + i), 512);
	uint16_t idx = 0;
	offer_batch(f, 0, &idx, n, VIRTIO_BLK_T_OUT, 100);
	assert_true(wait_used(f, idx));
	check_batch_status(f, 0, n);
	uint8_t buf[512];
	for (unsigned int i = 0; i < n; i++) {
		host_read(f, (100 + i) * 512ull, buf, sizeof(buf));
		assert_int_equal(buf[0], (uint8_t)(0x10 + i));
		assert_int_equal(buf[511], (uint8_t)(0x10 + i));
	}
	memset(f->ram + DATA_GPA, 0, 0x400ull * n);
	offer_batch(f, 0, &idx, n, VIRTIO_BLK_T_IN, 100);
	assert_true(wait_used(f, idx));
	check_batch_status(f, 0, n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(f->ram[DATA_GPA + 0x400ull * i], (uint8_t)(0x10 + i));
		assert_int_equal(f->ram[DATA_GPA + 0x400ull * i + 511], (uint8_t)(0x10 + i));
	}
	/* every used entry names a head that was offered, each once */
	uint8_t seen[256] = { 0 };
	for (unsigned int i = 0; i < 2 * n; i++) {
		uint32_t id, len;
		memcpy(&id, f->ram + USED_GPA + 4 + 8 * (i % 256), 4);
		memcpy(&len, f->ram + USED_GPA + 4 + 8 * (i % 256) + 4, 4);
		assert_true(id < 256 && id % 3 == 0);
		assert_int_equal(len, i < n ? 1 : 513);
		if (i == n)
			memset(seen, 0, sizeof(seen));
		assert_int_equal(seen[id], 0);
		seen[id] = 1;
	}
	struct virtio_blk_stats s;
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.requests, 2 * n);
	assert_int_equal(s.write_bytes, 512 * n);
	assert_int_equal(s.read_bytes, 512 * n);
	assert_true(atomic_load(&f->deliveries[0]) >= 1);
}

/* A reset while a batch is in flight: the device waits for its I/O, then
 * works again after the next bring-up. */
static void test_reset_in_flight(void **state)
{
	struct fx *f = *state;
	f->qsize = 256;
	bring_up(f);
	uint16_t idx = 0;
	offer_batch(f, 0, &idx, 80, VIRTIO_BLK_T_IN, 0);
	set_status(f, 0);
	bring_up(f);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 7, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA], pattern(7 * 512));
}

static void test_multiqueue(void **state)
{
	struct fx *f = *state;
	uint64_t feat = read_features(f);
	assert_true(feat & (1ull << VIRTIO_BLK_F_MQ));
	assert_int_equal(mrd(f, f->device + offsetof(struct virtio_blk_config,
						     num_queues), 2), 3);
	assert_int_equal(mrd(f, f->common + CC(num_queues), 2), 3);
	f->qsize = 64;
	bring_up_n(f, 3);
	/* queues 1 and 2 write their own sectors at once, then read back */
	uint16_t idx[3] = { 0 };
	for (unsigned int q = 1; q < 3; q++)
		for (unsigned int i = 0; i < 20; i++)
			memset(f->ram + DATA_GPA + 0x400ull * i + 0x40000ull * q,
			       (int)(q * 0x40 + i), 512);
	offer_batch(f, 1, &idx[1], 20, VIRTIO_BLK_T_OUT, 200);
	offer_batch(f, 2, &idx[2], 20, VIRTIO_BLK_T_OUT, 300);
	assert_true(wait_used_q(f, 1, idx[1]));
	assert_true(wait_used_q(f, 2, idx[2]));
	check_batch_status(f, 1, 20);
	check_batch_status(f, 2, 20);
	uint8_t buf[512];
	for (unsigned int i = 0; i < 20; i++) {
		host_read(f, (200 + i) * 512ull, buf, sizeof(buf));
		assert_int_equal(buf[100], (uint8_t)(0x40 + i));
		host_read(f, (300 + i) * 512ull, buf, sizeof(buf));
		assert_int_equal(buf[100], (uint8_t)(0x80 + i));
	}
	/* queue 2 reads what queue 1 wrote */
	offer_batch(f, 2, &idx[2], 20, VIRTIO_BLK_T_IN, 200);
	assert_true(wait_used_q(f, 2, idx[2]));
	check_batch_status(f, 2, 20);
	for (unsigned int i = 0; i < 20; i++)
		assert_int_equal(f->ram[DATA_GPA + 0x400ull * i + 0x80000ull + 7],
				 (uint8_t)(0x40 + i));
	/* and queue 0 still serves */
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 1, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(f->ram[DATA_GPA], pattern(512));
	/* interrupts came on the queues' own vectors */
	assert_true(atomic_load(&f->deliveries[2]) >= 1);
	assert_true(atomic_load(&f->deliveries[3]) >= 1);
}

/* Without VIRTIO_BLK_F_FLUSH the device is write-through; writes still
 * land and read back. */
static void test_write_through(void **state)
{
	struct fx *f = *state;
	f->drop_features = 1ull << VIRTIO_BLK_F_FLUSH;
	bring_up(f);
	memset(f->ram + DATA_GPA, 0x3c, 1024);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 20, 1024, false, NULL),
			 VIRTIO_BLK_S_OK);
	uint8_t buf[1024];
	host_read(f, 20 * 512, buf, sizeof(buf));
	for (unsigned int i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0x3c);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 30, 1, 0, VIRTIO_BLK_S_OK);
	expect_zero(f, 30, 1);
}

static void test_direct(void **state)
{
	struct fx *f = *state;
	if (!f)
		return; /* O_DIRECT refused by this file system */
	uint32_t bs = virtio_blk_block_size(f->blk);
	assert_true(bs >= 512 && !(bs & (bs - 1)));
	assert_int_equal(mrd(f, f->device + offsetof(struct virtio_blk_config,
						     blk_size), 4), bs);
	bring_up(f);
	/* aligned: straight to the file */
	for (unsigned int i = 0; i < 8192; i++)
		f->ram[DATA_GPA + i] = (uint8_t)(i * 13);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 64, 8192, false, NULL),
			 VIRTIO_BLK_S_OK);
	uint8_t buf[8192];
	host_read(f, 64 * 512, buf, sizeof(buf));
	for (unsigned int i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], (uint8_t)(i * 13));
	struct virtio_blk_stats s;
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.bounced, 0);
	memset(f->ram + DATA_GPA, 0, 8192);
	assert_int_equal(request(f, VIRTIO_BLK_T_IN, 64, 8192, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_memory_equal(f->ram + DATA_GPA, buf, sizeof(buf));

	/* a buffer at an odd address: through a bounce buffer */
	put_hdr(f, VIRTIO_BLK_T_OUT, 128);
	for (unsigned int i = 0; i < 4096; i++)
		f->ram[DATA_GPA + 1 + i] = (uint8_t)(i ^ 0x5a);
	put_desc(f, 0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(f, 1, DATA_GPA + 1, 4096, VIRTQ_DESC_F_NEXT, 2);
	put_desc(f, 2, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(submit(f), 1);
	assert_int_equal(f->ram[STATUS_GPA], VIRTIO_BLK_S_OK);
	host_read(f, 128 * 512, buf, 4096);
	for (unsigned int i = 0; i < 4096; i++)
		assert_int_equal(buf[i], (uint8_t)(i ^ 0x5a));
	put_hdr(f, VIRTIO_BLK_T_IN, 128);
	memset(f->ram + DATA_GPA, 0, 8192);
	put_desc(f, 1, DATA_GPA + 3, 4096, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	assert_int_equal(submit(f), 4097);
	assert_memory_equal(f->ram + DATA_GPA + 3, buf, 4096);
	virtio_blk_get_stats(f->blk, &s);
	assert_int_equal(s.bounced, 2);

	/* one 512-byte sector: a partial block when blocks are bigger */
	memset(f->ram + DATA_GPA, 0xc3, 512);
	assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 257, 512, false, NULL),
			 VIRTIO_BLK_S_OK);
	host_read(f, 256 * 512, buf, 1536);
	for (unsigned int i = 0; i < 512; i++) {
		assert_int_equal(buf[i], pattern(256 * 512 + i));
		assert_int_equal(buf[512 + i], 0xc3);
		assert_int_equal(buf[1024 + i], pattern(258 * 512 + i));
	}
	/* flush and write-zeroes on the O_DIRECT file */
	assert_int_equal(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL),
			 VIRTIO_BLK_S_OK);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 300, 8, 0, VIRTIO_BLK_S_OK);
	expect_zero(f, 300, 8);
}

static void test_huge_discard(void **state)
{
	struct fx *f = *state;
	bring_up(f);
	/* past the per-request maximum, and inside it but past the disk */
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_MAX_DISCARD_SECTORS + 1, 0,
		   VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_MAX_DISCARD_SECTORS, 0,
		   VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, UINT32_MAX, 0, VIRTIO_BLK_S_IOERR);
	discard_wz(f, VIRTIO_BLK_T_DISCARD, UINT64_MAX - 1, 2, 0, VIRTIO_BLK_S_IOERR);
	uint8_t buf[512];
	host_read(f, 0, buf, sizeof(buf));
	assert_int_equal(buf[0], pattern(0));
	struct stat st;
	assert_int_equal(fstat(f->fd, &st), 0);
	assert_int_equal(st.st_size, IMG_SIZE);
	/* the whole disk in one request is fine */
	discard_wz(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 2048, 0, VIRTIO_BLK_S_OK);
	host_read(f, IMG_SIZE - 512, buf, sizeof(buf));
	assert_int_equal(buf[511], 0);
}

static void test_create_errors(void **state)
{
	struct virtio_blk *blk = NULL;
	char err[256];
	char path[] = "/tmp/kiln-blk-odd-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1000), 0);
	struct virtio_blk_params p = { .path = path };
	assert_int_equal(virtio_blk_create(&blk, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "multiple of 512"));
	close(fd);
	unlink(path);
	p = (struct virtio_blk_params){ .path = "/nonexistent/kiln.img", .readonly = true };
	assert_true(virtio_blk_create(&blk, &p, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent/kiln.img"));
	p = (struct virtio_blk_params){ .path = "/tmp" };
	assert_true(virtio_blk_create(&blk, &p, err, sizeof(err)) < 0);
	p = (struct virtio_blk_params){ .path = "/dev/null", .num_queues = 17 };
	assert_int_equal(virtio_blk_create(&blk, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "num_queues"));
	virtio_blk_destroy(NULL);
}

/* A GET_ID string given by the caller (--disk id=NAME). */
static void test_given_id(void **state)
{
	char path[] = "/tmp/kiln-blk-id-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	struct virtio_blk *blk;
	char err[256];
	struct virtio_blk_params p = { .path = path, .id = "data-disk" };
	assert_int_equal(virtio_blk_create(&blk, &p, err, sizeof(err)), 0);
	assert_string_equal(virtio_blk_id(blk), "data-disk");
	assert_int_equal(virtio_blk_capacity(blk), 8);
	virtio_blk_destroy(blk);
	close(fd);
	unlink(path);
}

/* A seccomp filter that refuses io_uring_setup (as a sandbox might): the
 * device falls back to synchronous I/O. In a child, so the filter does
 * not stay. */
static void test_uring_refused_falls_back(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sock_filter code[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				 offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { .len = 4, .filter = code };
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			_exit(2);
		char path[] = "/tmp/kiln-blk-nouring-XXXXXX";
		int fd = mkstemp(path);
		if (fd < 0 || ftruncate(fd, 4096))
			_exit(3);
		struct virtio_blk *blk;
		char err[256];
		struct virtio_blk_params p = { .path = path, .num_queues = 2 };
		int r = virtio_blk_create(&blk, &p, err, sizeof(err));
		unlink(path);
		if (r)
			_exit(4);
		bool sync = !strcmp(virtio_blk_backend_name(blk), "sync");
		virtio_blk_destroy(blk);
		_exit(sync ? 0 : 5);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

#define BOTH(test) \
	cmocka_unit_test_setup_teardown(test, setup, teardown), \
	cmocka_unit_test_setup_teardown(test, setup_sync, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_identity_and_config),
		BOTH(test_read_sector),
		BOTH(test_read_multi_seg_and_shared_status),
		BOTH(test_write_read_back),
		BOTH(test_flush),
		BOTH(test_get_id),
		BOTH(test_out_of_range),
		BOTH(test_bad_length),
		BOTH(test_unknown_type),
		BOTH(test_no_status_byte),
		BOTH(test_discard_write_zeroes),
		BOTH(test_huge_discard),
		BOTH(test_reset_and_again),
		BOTH(test_batch_more_than_depth),
		BOTH(test_reset_in_flight),
		BOTH(test_write_through),
		cmocka_unit_test_setup_teardown(test_read_only, setup_ro, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup_ro_sync, teardown),
		cmocka_unit_test_setup_teardown(test_multiqueue, setup_mq, teardown),
		cmocka_unit_test_setup_teardown(test_multiqueue, setup_mq_sync, teardown),
		cmocka_unit_test_setup_teardown(test_direct, setup_direct, teardown),
		cmocka_unit_test_setup_teardown(test_direct, setup_direct_sync, teardown),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_given_id),
		cmocka_unit_test(test_uring_refused_falls_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
