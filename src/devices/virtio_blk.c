/* virtio-blk: a disk image served synchronously on a device thread. */
#include "devices/virtio_blk.h"

#include "core/log.h"
#include "virtio/virtio_worker.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define BLK_HDR_LEN 16u
#define BLK_IOV_MAX VQ_CHAIN_MAX_SEGS

/* ---- backend ------------------------------------------------------------
 * Synchronous today; an io_uring backend would implement the same calls
 * (then completing asynchronously). All return 0 or -errno; read/write
 * transfer everything or fail. The iovec array may be modified. */

struct blk_backend;

struct blk_backend_ops {
	int (*read)(struct blk_backend *b, struct iovec *iov, int n, uint64_t off);
	int (*write)(struct blk_backend *b, struct iovec *iov, int n, uint64_t off);
	int (*flush)(struct blk_backend *b);
	int (*discard)(struct blk_backend *b, uint64_t off, uint64_t len);
	int (*write_zeroes)(struct blk_backend *b, uint64_t off, uint64_t len,
			    bool may_unmap);
};

struct blk_backend {
	const struct blk_backend_ops *ops;
	int fd;
	bool is_blkdev;
};

/* Drop `done` bytes from the front of iov[0..*n), adjusting in place. */
static struct iovec *iov_advance(struct iovec *iov, int *n, size_t done)
{
	while (*n > 0 && done >= iov->iov_len) {
		done -= iov->iov_len;
		iov++;
		(*n)--;
	}
	if (*n > 0 && done) {
		iov->iov_base = (uint8_t *)iov->iov_base + done;
		iov->iov_len -= done;
	}
	return iov;
}

static int file_rw(struct blk_backend *b, struct iovec *iov, int n,
		   uint64_t off, bool write)
{
	/* zero-length iovecs cannot occur (segments are never empty) */
	while (n > 0) {
		int cnt = n > IOV_MAX ? IOV_MAX : n;
		ssize_t r = write ? pwritev(b->fd, iov, cnt, (off_t)off)
				  : preadv(b->fd, iov, cnt, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO; /* EOF: the image shrank under us */
		off += (uint64_t)r;
		iov = iov_advance(iov, &n, (size_t)r);
	}
	return 0;
}

static int file_read(struct blk_backend *b, struct iovec *iov, int n, uint64_t off)
{
	return file_rw(b, iov, n, off, false);
}

static int file_write(struct blk_backend *b, struct iovec *iov, int n, uint64_t off)
{
	return file_rw(b, iov, n, off, true);
}

static int file_flush(struct blk_backend *b)
{
	while (fdatasync(b->fd) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static int file_discard(struct blk_backend *b, uint64_t off, uint64_t len)
{
	if (!len)
		return 0;
	if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) == 0)
		return 0;
	/* discard is advisory: a backend that cannot do it did nothing */
	if (errno == EOPNOTSUPP || errno == ENOTSUP || errno == ENOSYS)
		return 0;
	return -errno;
}

static int write_zero_bytes(struct blk_backend *b, uint64_t off, uint64_t len)
{
	static const uint8_t zero[64 * 1024];
	while (len) {
		size_t chunk = len > sizeof(zero) ? sizeof(zero) : (size_t)len;
		ssize_t r = pwrite(b->fd, zero, chunk, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return 0;
}

static int file_write_zeroes(struct blk_backend *b, uint64_t off, uint64_t len,
			     bool may_unmap)
{
	if (!len)
		return 0;
	if (may_unmap &&
	    fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) == 0)
		return 0;
	if (fallocate(b->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOTSUP && errno != ENOSYS &&
	    errno != EINVAL)
		return -errno;
	return write_zero_bytes(b, off, len);
}

static const struct blk_backend_ops file_backend_ops = {
	.read = file_read,
	.write = file_write,
	.flush = file_flush,
	.discard = file_discard,
	.write_zeroes = file_write_zeroes,
};

/* ---- device ------------------------------------------------------------- */

struct virtio_blk {
	struct blk_backend backend;
	bool readonly;
	uint64_t capacity; /* sectors */
	struct virtio_blk_config config; /* little-endian, built at create */
	char id[VIRTIO_BLK_ID_BYTES + 1];

	struct virtio_worker worker; /* serves the request queue */
	bool write_through;          /* FLUSH not negotiated */
	struct iovec *iov;           /* [BLK_IOV_MAX], only the worker uses it */

	_Atomic uint64_t read_bytes, write_bytes, flushes, errors,
		unsupported, no_status;
};

static bool range_ok(const struct virtio_blk *blk, uint64_t sector,
		     uint64_t nsectors)
{
	return sector <= blk->capacity && nsectors <= blk->capacity - sector;
}

static uint8_t errno_status(int err)
{
	(void)err;
	return VIRTIO_BLK_S_IOERR;
}

/* IN / OUT. *written: bytes written into the writable data area. */
static uint8_t do_rw(struct virtio_blk *blk, const struct vq_chain *c,
		     uint32_t type, uint64_t sector, uint32_t *written)
{
	bool in = type == VIRTIO_BLK_T_IN;
	uint64_t len = in ? (uint64_t)c->write_len - 1
			  : (uint64_t)c->read_len - BLK_HDR_LEN;
	if (!in && blk->readonly)
		return VIRTIO_BLK_S_IOERR;
	if (len % VIRTIO_BLK_SECTOR ||
	    !range_ok(blk, sector, len / VIRTIO_BLK_SECTOR))
		return VIRTIO_BLK_S_IOERR;
	if (!len)
		return VIRTIO_BLK_S_OK;
	int n = vq_chain_iov(c, in, in ? 0 : BLK_HDR_LEN, len, blk->iov,
			     BLK_IOV_MAX);
	if (n < 0)
		return VIRTIO_BLK_S_IOERR;
	uint64_t off = sector * VIRTIO_BLK_SECTOR;
	struct blk_backend *b = &blk->backend;
	int r = in ? b->ops->read(b, blk->iov, n, off)
		   : b->ops->write(b, blk->iov, n, off);
	if (!r && !in && blk->write_through)
		r = b->ops->flush(b);
	if (r) {
		pr_guest(LOG_WARN, "virtio-blk: %s sector %llu +%llu: %s", in ? "read" : "write",
			(unsigned long long)sector, (unsigned long long)len,
			strerror(-r));
		return errno_status(r);
	}
	if (in) {
		*written = (uint32_t)len;
		atomic_fetch_add(&blk->read_bytes, len);
	} else {
		atomic_fetch_add(&blk->write_bytes, len);
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_discard_wz(struct virtio_blk *blk, const struct vq_chain *c,
			     uint32_t type)
{
	bool discard = type == VIRTIO_BLK_T_DISCARD;
	struct virtio_blk_discard_write_zeroes seg;
	uint64_t len = (uint64_t)c->read_len - BLK_HDR_LEN;
	if (blk->readonly)
		return VIRTIO_BLK_S_IOERR;
	if (len == 0 || len % sizeof(seg))
		return VIRTIO_BLK_S_IOERR;
	if (len != sizeof(seg)) /* max_*_seg is 1 */
		return VIRTIO_BLK_S_UNSUPP;
	if (vq_chain_read(c, BLK_HDR_LEN, &seg, sizeof(seg)) != sizeof(seg))
		return VIRTIO_BLK_S_IOERR;
	uint64_t sector = le64toh(seg.sector);
	uint32_t num = le32toh(seg.num_sectors);
	uint32_t flags = le32toh(seg.flags);
	/* discard has no flags; write-zeroes only UNMAP */
	if (flags & ~(discard ? 0u : (uint32_t)VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP))
		return VIRTIO_BLK_S_UNSUPP;
	if (num > (discard ? VIRTIO_BLK_MAX_DISCARD_SECTORS
			   : VIRTIO_BLK_MAX_WRITE_ZEROES_SECTORS))
		return VIRTIO_BLK_S_IOERR;
	if (!range_ok(blk, sector, num))
		return VIRTIO_BLK_S_IOERR;
	struct blk_backend *b = &blk->backend;
	uint64_t off = sector * VIRTIO_BLK_SECTOR;
	uint64_t bytes = (uint64_t)num * VIRTIO_BLK_SECTOR;
	int r = discard ? b->ops->discard(b, off, bytes)
			: b->ops->write_zeroes(b, off, bytes,
					       flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	if (!r && blk->write_through)
		r = b->ops->flush(b);
	if (r) {
		pr_guest(LOG_WARN, "virtio-blk: %s sector %llu +%u: %s",
			discard ? "discard" : "write-zeroes",
			(unsigned long long)sector, num, strerror(-r));
		return errno_status(r);
	}
	return VIRTIO_BLK_S_OK;
}

/* Serve one chain; returns the bytes written into its writable part. */
static uint32_t handle(void *opaque, const struct vq_chain *c)
{
	struct virtio_blk *blk = opaque;
	uint8_t hdr[BLK_HDR_LEN];
	uint32_t written = 0;
	uint8_t st;

	if (!c->write_len) {
		/* nowhere to put a status: return it untouched */
		atomic_fetch_add(&blk->no_status, 1);
		pr_guest(LOG_WARN, "virtio-blk: request without a status byte");
		return 0;
	}
	if (vq_chain_read(c, 0, hdr, sizeof(hdr)) != sizeof(hdr)) {
		st = VIRTIO_BLK_S_IOERR;
		goto out;
	}
	uint32_t type;
	uint64_t sector;
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	type = le32toh(type);
	sector = le64toh(sector);

	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		st = do_rw(blk, c, type, sector, &written);
		break;
	case VIRTIO_BLK_T_FLUSH: {
		int r = blk->backend.ops->flush(&blk->backend);
		if (r)
			pr_guest(LOG_WARN, "virtio-blk: flush: %s", strerror(-r));
		st = r ? errno_status(r) : VIRTIO_BLK_S_OK;
		atomic_fetch_add(&blk->flushes, 1);
		break;
	}
	case VIRTIO_BLK_T_GET_ID: {
		uint8_t id[VIRTIO_BLK_ID_BYTES] = { 0 };
		memcpy(id, blk->id, strlen(blk->id));
		uint32_t room = c->write_len - 1;
		if (room > sizeof(id))
			room = sizeof(id);
		written = (uint32_t)vq_chain_write(c, 0, id, room);
		st = VIRTIO_BLK_S_OK;
		break;
	}
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		st = do_discard_wz(blk, c, type);
		break;
	default:
		st = VIRTIO_BLK_S_UNSUPP;
		break;
	}
out:
	if (st == VIRTIO_BLK_S_IOERR)
		atomic_fetch_add(&blk->errors, 1);
	else if (st == VIRTIO_BLK_S_UNSUPP)
		atomic_fetch_add(&blk->unsupported, 1);
	vq_chain_write(c, c->write_len - 1, &st, 1);
	return written + 1;
}

static int blk_activate(void *dev, struct virtio_device *vdev)
{
	struct virtio_blk *blk = dev;
	if (blk->worker.running)
		return -EBUSY;
	blk->write_through = !virtio_has_feature(vdev, VIRTIO_BLK_F_FLUSH);
	return virtio_worker_start(&blk->worker, vdev);
}

static void blk_reset(void *dev)
{
	struct virtio_blk *blk = dev;
	virtio_worker_stop(&blk->worker);
}

/* Snapshot quiescing: the worker finishes the request it is on (served
 * synchronously, so nothing is left in flight) and stops. No save/restore
 * ops: the device's state is its queue plus the command line. */
static void blk_pause(void *dev)
{
	struct virtio_blk *blk = dev;
	virtio_worker_pause(&blk->worker);
}

static int blk_resume(void *dev)
{
	struct virtio_blk *blk = dev;
	return virtio_worker_resume(&blk->worker);
}

static void blk_config_read(void *dev, uint32_t off, void *buf, uint32_t len)
{
	struct virtio_blk *blk = dev;
	memset(buf, 0, len);
	if (off >= sizeof(blk->config))
		return;
	if (len > sizeof(blk->config) - off)
		len = (uint32_t)(sizeof(blk->config) - off);
	memcpy(buf, (const uint8_t *)&blk->config + off, len);
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
};

const struct virtio_device_ops virtio_blk_ro_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.max_queue_size = VIRTIO_BLK_QUEUE_SIZE,
	.device_features = BLK_FEATURES | 1ull << VIRTIO_BLK_F_RO,
	.event_idx = true,
	.config_size = sizeof(struct virtio_blk_config),
	.config_read = blk_config_read,
	.config_write = blk_config_write,
	.activate = blk_activate,
	.reset = blk_reset,
	.pause = blk_pause,
	.resume = blk_resume,
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
	cfg->blk_size = htole32(VIRTIO_BLK_SECTOR);
	cfg->max_discard_sectors = htole32(VIRTIO_BLK_MAX_DISCARD_SECTORS);
	cfg->max_discard_seg = htole32(1);
	cfg->discard_sector_alignment = htole32(VIRTIO_BLK_DISCARD_ALIGNMENT);
	cfg->max_write_zeroes_sectors = htole32(VIRTIO_BLK_MAX_WRITE_ZEROES_SECTORS);
	cfg->max_write_zeroes_seg = htole32(1);
	cfg->write_zeroes_may_unmap = 1;
}

int virtio_blk_create(struct virtio_blk **out, const char *path, bool readonly,
		      char *err, size_t errlen)
{
	char dummy[1];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: cannot open%s: %s", path,
			 readonly ? "" : " read-write", strerror(e));
		return -e;
	}
	struct stat st;
	uint64_t size;
	bool blkdev = false;
	int ret;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: stat: %s", path, strerror(-ret));
		goto fail_fd;
	}
	if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		blkdev = true;
		if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: BLKGETSIZE64: %s", path,
				 strerror(-ret));
			goto fail_fd;
		}
	} else {
		ret = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file or block device", path);
		goto fail_fd;
	}
	if (size % VIRTIO_BLK_SECTOR) {
		ret = -EINVAL;
		snprintf(err, errlen,
			 "%s: size %llu is not a multiple of %u bytes (resize the image)",
			 path, (unsigned long long)size, VIRTIO_BLK_SECTOR);
		goto fail_fd;
	}

	struct virtio_blk *blk = calloc(1, sizeof(*blk));
	if (!blk) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail_fd;
	}
	blk->iov = calloc(BLK_IOV_MAX, sizeof(*blk->iov));
	ret = blk->iov ? virtio_worker_init(&blk->worker, "virtio-blk", 0,
					    handle, blk)
		       : -ENOMEM;
	if (ret) {
		snprintf(err, errlen, "virtio-blk: %s", strerror(-ret));
		free(blk->iov);
		free(blk);
		goto fail_fd;
	}
	blk->backend.ops = &file_backend_ops;
	blk->backend.fd = fd;
	blk->backend.is_blkdev = blkdev;
	blk->readonly = readonly;
	blk->capacity = size / VIRTIO_BLK_SECTOR;
	make_id(blk, path);
	build_config(blk);
	*out = blk;
	return 0;

fail_fd:
	close(fd);
	return ret;
}

void virtio_blk_destroy(struct virtio_blk *blk)
{
	if (!blk)
		return;
	virtio_worker_destroy(&blk->worker);
	close(blk->backend.fd);
	free(blk->iov);
	free(blk);
}

const struct virtio_device_ops *virtio_blk_device_ops(const struct virtio_blk *blk)
{
	return blk->readonly ? &virtio_blk_ro_ops : &virtio_blk_ops;
}

uint64_t virtio_blk_capacity(const struct virtio_blk *blk)
{
	return blk->capacity;
}

const char *virtio_blk_id(const struct virtio_blk *blk)
{
	return blk->id;
}

void virtio_blk_get_stats(struct virtio_blk *blk, struct virtio_blk_stats *s)
{
	s->requests = atomic_load(&blk->worker.requests);
	s->read_bytes = atomic_load(&blk->read_bytes);
	s->write_bytes = atomic_load(&blk->write_bytes);
	s->flushes = atomic_load(&blk->flushes);
	s->errors = atomic_load(&blk->errors);
	s->unsupported = atomic_load(&blk->unsupported);
	s->no_status = atomic_load(&blk->no_status);
}
