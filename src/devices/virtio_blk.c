/* virtio-blk: the device model (features, config space, life cycle). The
 * queues are served by virtio_blk_queue.c. */
#include "devices/virtio_blk_internal.h"

#include "core/log.h"

#include <endian.h>
#include <errno.h>
#include <linux/virtio_ids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int blk_activate(void *dev, struct virtio_device *vdev)
{
	struct virtio_blk *blk = dev;
	if (blk->vdev)
		return -EBUSY;
	blk->vdev = vdev;
	blk->write_through = !virtio_has_feature(vdev, VIRTIO_BLK_F_FLUSH);
	/* Linux uses min(num_queues, CPUs) queues: only enabled ones get a
	 * thread. */
	for (unsigned int i = 0; i < blk->num_queues && i < vdev->num_queues; i++) {
		if (!vdev->vqs[i].enabled)
			continue;
		int e = blk_queue_start(&blk->queues[i]);
		if (e) {
			for (unsigned int j = 0; j < i; j++)
				blk_queue_stop(&blk->queues[j]);
			blk->vdev = NULL;
			return e;
		}
	}
	return 0;
}

static void blk_reset(void *dev)
{
	struct virtio_blk *blk = dev;
	for (unsigned int i = 0; i < blk->num_queues; i++)
		blk_queue_stop(&blk->queues[i]);
	blk->vdev = NULL;
}

/* Snapshot quiescing: each queue answers the requests it has in flight
 * and stops; nothing new is popped. No save/restore ops: the device's
 * state is its queues plus the command line. */
static void blk_pause(void *dev)
{
	struct virtio_blk *blk = dev;
	for (unsigned int i = 0; i < blk->num_queues; i++)
		blk_queue_pause(&blk->queues[i]);
}

static int blk_resume(void *dev)
{
	struct virtio_blk *blk = dev;
	for (unsigned int i = 0; i < blk->num_queues; i++) {
		int e = blk_queue_resume(&blk->queues[i]);
		if (e)
			return e;
	}
	return 0;
}

static void blk_config_read(void *dev, uint32_t off, void *buf, uint32_t len)
{
	struct virtio_blk *blk = dev;
	virtio_config_copy(buf, off, len, &blk->config, sizeof(blk->config));
}

static void blk_config_write(void *dev, uint32_t off, const void *buf,
			     uint32_t len)
{
	/* nothing writable (no CONFIG_WCE): ignored */
}

#define BLK_FEATURES                                                           \
	(1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |        \
	 1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_DISCARD |           \
	 1ull << VIRTIO_BLK_F_WRITE_ZEROES)

static unsigned int blk_num_queues(void *dev)
{
	struct virtio_blk *blk = dev;
	return blk->num_queues;
}

static uint64_t blk_device_features(void *dev)
{
	struct virtio_blk *blk = dev;
	return BLK_FEATURES |
	       (blk->img.readonly ? 1ull << VIRTIO_BLK_F_RO : 0) |
	       (blk->num_queues > 1 ? 1ull << VIRTIO_BLK_F_MQ : 0) |
	       (blk->packed ? 1ull << VIRTIO_F_RING_PACKED : 0);
}

const struct virtio_device_ops virtio_blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.max_queue_size = VIRTIO_BLK_QUEUE_SIZE,
	.device_features = BLK_FEATURES,
	.event_idx = true,
	.config_size = sizeof(struct virtio_blk_config),
	.config_read = blk_config_read,
	.config_write = blk_config_write,
	.activate = blk_activate,
	.reset = blk_reset,
	.pause = blk_pause,
	.resume = blk_resume,
	.get_num_queues = blk_num_queues,
	.get_device_features = blk_device_features,
};

/* "kiln-" and 8 hex digits of an FNV-1a hash of the path. */
static void make_id(struct virtio_blk *blk, const char *path)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	snprintf(blk->id, sizeof(blk->id), "kiln-%08x", h);
}

static void build_config(struct virtio_blk *blk)
{
	struct virtio_blk_config *cfg = &blk->config;
	memset(cfg, 0, sizeof(*cfg));
	cfg->capacity = htole64(blk->capacity);
	cfg->seg_max = htole32(VIRTIO_BLK_SEG_MAX);
	cfg->blk_size = htole32(blk->img.block_size);
	cfg->num_queues = htole16((uint16_t)blk->num_queues);
	cfg->max_discard_sectors = htole32(VIRTIO_BLK_MAX_DISCARD_SECTORS);
	cfg->max_discard_seg = htole32(1);
	cfg->discard_sector_alignment = htole32(VIRTIO_BLK_DISCARD_ALIGNMENT);
	cfg->max_write_zeroes_sectors = htole32(VIRTIO_BLK_MAX_WRITE_ZEROES_SECTORS);
	cfg->max_write_zeroes_seg = htole32(1);
	cfg->write_zeroes_may_unmap = 1;
}

/* Each queue gets a ring; if the kernel refuses the first, every queue
 * does synchronous I/O (said once, it is not an error). */
static int init_queues(struct virtio_blk *blk, const char *path)
{
	for (unsigned int i = 0; i < blk->num_queues; i++) {
		int uring_err = 0;
		int e = blk_queue_init(&blk->queues[i], blk, i, &uring_err);
		if (e) {
			while (i--)
				blk_queue_fini(&blk->queues[i]);
			return e;
		}
		if (uring_err && blk->use_uring) {
			pr_info("virtio-blk: %s: io_uring unavailable (%s), using synchronous I/O",
				path, strerror(-uring_err));
			blk->use_uring = false;
			for (unsigned int j = 0; j < i; j++) {
				blk_uring_destroy(blk->queues[j].uring);
				blk->queues[j].uring = NULL;
			}
		}
	}
	return 0;
}

int virtio_blk_create(struct virtio_blk **out, const struct virtio_blk_params *p,
		      char *err, size_t errlen)
{
	char dummy[1];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	unsigned int nq = p->num_queues ? p->num_queues : 1;
	if (nq > VIRTIO_BLK_MAX_QUEUES) {
		snprintf(err, errlen, "%s: num_queues=%u: at most %u", p->path, nq,
			 VIRTIO_BLK_MAX_QUEUES);
		return -EINVAL;
	}
	struct virtio_blk *blk = calloc(1, sizeof(*blk));
	if (!blk) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int ret = blk_image_open(&blk->img, p->path, p->readonly, p->direct, err,
				 errlen);
	if (ret) {
		free(blk);
		return ret;
	}
	blk->num_queues = nq;
	blk->packed = p->packed;
	blk->use_uring = !p->sync_io;
	blk->queues = calloc(nq, sizeof(*blk->queues));
	ret = blk->queues ? init_queues(blk, p->path) : -ENOMEM;
	if (ret) {
		snprintf(err, errlen, "virtio-blk: %s", strerror(-ret));
		free(blk->queues);
		blk_image_close(&blk->img);
		free(blk);
		return ret;
	}
	blk->capacity = blk->img.size / VIRTIO_BLK_SECTOR;
	if (p->id)
		snprintf(blk->id, sizeof(blk->id), "%s", p->id);
	else
		make_id(blk, p->path);
	build_config(blk);
	pr_info("virtio-blk: %s: %llu sectors, %u queue(s), %s I/O%s, blk_size %u",
		p->path, (unsigned long long)blk->capacity, nq,
		virtio_blk_backend_name(blk), p->direct ? " with O_DIRECT" : "",
		blk->img.block_size);
	*out = blk;
	return 0;
}

void virtio_blk_destroy(struct virtio_blk *blk)
{
	if (!blk)
		return;
	for (unsigned int i = 0; i < blk->num_queues; i++)
		blk_queue_fini(&blk->queues[i]);
	free(blk->queues);
	blk_image_close(&blk->img);
	free(blk);
}

uint64_t virtio_blk_capacity(const struct virtio_blk *blk)
{
	return blk->capacity;
}

uint32_t virtio_blk_block_size(const struct virtio_blk *blk)
{
	return blk->img.block_size;
}

const char *virtio_blk_id(const struct virtio_blk *blk)
{
	return blk->id;
}

const char *virtio_blk_backend_name(const struct virtio_blk *blk)
{
	return blk->use_uring ? "io_uring" : "sync";
}

void virtio_blk_get_stats(struct virtio_blk *blk, struct virtio_blk_stats *s)
{
	s->requests = atomic_load(&blk->requests);
	s->read_bytes = atomic_load(&blk->read_bytes);
	s->write_bytes = atomic_load(&blk->write_bytes);
	s->flushes = atomic_load(&blk->flushes);
	s->errors = atomic_load(&blk->errors);
	s->unsupported = atomic_load(&blk->unsupported);
	s->no_status = atomic_load(&blk->no_status);
	s->bounced = atomic_load(&blk->bounced);
}
