/* The synchronous disk backend, and opening an image. */
#include "backends/blk_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECTOR 512u

/* O_DIRECT alignment: the logical block size of a block device, the file
 * system's (statx) for a file, else 512 bytes. */
static void find_alignment(struct blk_image *img)
{
	img->block_size = SECTOR;
	img->mem_align = SECTOR;
	if (img->is_blkdev) {
		int ssz = 0;
		if (ioctl(img->fd, BLKSSZGET, &ssz) == 0 && ssz >= (int)SECTOR &&
		    !(ssz & (ssz - 1)) && ssz <= 65536)
			img->block_size = img->mem_align = (uint32_t)ssz;
		return;
	}
#ifdef STATX_DIOALIGN
	struct statx stx;
	if (statx(img->fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align) {
		uint32_t o = stx.stx_dio_offset_align, m = stx.stx_dio_mem_align;
		if (!(o & (o - 1)) && o <= 65536)
			img->block_size = o < SECTOR ? SECTOR : o;
		if (m && !(m & (m - 1)) && m <= 65536)
			img->mem_align = m;
	}
#endif
}

int blk_image_open(struct blk_image *img, const char *path, bool readonly,
		   bool direct, char *err, size_t errlen)
{
	memset(img, 0, sizeof(*img));
	img->fd = -1;
	int flags = (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC |
		    (direct ? O_DIRECT : 0);
	int fd = open(path, flags);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: cannot open%s%s: %s", path,
			 readonly ? "" : " read-write", direct ? " with O_DIRECT" : "",
			 strerror(e));
		return -e;
	}
	struct stat st;
	uint64_t size;
	int ret;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: stat: %s", path, strerror(-ret));
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		img->is_blkdev = true;
		if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: BLKGETSIZE64: %s", path,
				 strerror(-ret));
			goto fail;
		}
	} else {
		ret = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file or block device", path);
		goto fail;
	}
	if (size % SECTOR) {
		ret = -EINVAL;
		snprintf(err, errlen,
			 "%s: size %llu is not a multiple of %u bytes (resize the image)",
			 path, (unsigned long long)size, SECTOR);
		goto fail;
	}
	img->fd = fd;
	img->readonly = readonly;
	img->direct = direct;
	img->size = size;
	if (direct) {
		find_alignment(img);
	} else {
		img->block_size = SECTOR;
		img->mem_align = 1;
	}
	return 0;
fail:
	close(fd);
	return ret;
}

void blk_image_close(struct blk_image *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
}

bool blk_image_aligned(const struct blk_image *img, const struct iovec *iov,
		       int n, uint64_t off, uint64_t len)
{
	if (!img->direct)
		return true;
	uint64_t bs = img->block_size, ma = img->mem_align;
	if (off % bs || len % bs)
		return false;
	for (int i = 0; i < n; i++)
		if ((uintptr_t)iov[i].iov_base % ma || iov[i].iov_len % bs)
			return false;
	return true;
}

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

static int rw_loop(int fd, struct iovec *iov, int n, uint64_t off, bool write,
		   bool dsync)
{
	/* zero-length iovecs cannot occur (segments are never empty) */
	while (n > 0) {
		int cnt = n > IOV_MAX ? IOV_MAX : n;
		ssize_t r = write ? pwritev2(fd, iov, cnt, (off_t)off,
					     dsync ? RWF_DSYNC : 0)
				  : preadv(fd, iov, cnt, (off_t)off);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
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

/* Copy `len` bytes between buf and the iovecs, starting `skip` bytes into
 * them. */
static void copy_iov(struct iovec *iov, int n, uint64_t skip, uint8_t *buf,
		     uint64_t len, bool to_buf)
{
	for (int i = 0; i < n && len; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		size_t c = iov[i].iov_len - (size_t)skip;
		if (c > len)
			c = (size_t)len;
		uint8_t *p = (uint8_t *)iov[i].iov_base + skip;
		if (to_buf)
			memcpy(buf, p, c);
		else
			memcpy(p, buf, c);
		buf += c;
		len -= c;
		skip = 0;
	}
}

/* The bounce buffer covers at most this much guest data at a time, so a
 * guest's request size never becomes the size of a host allocation. */
#define BOUNCE_CHUNK (1u << 20)

/* O_DIRECT with unaligned buffers or range: through a bounce buffer that
 * covers whole blocks, one chunk at a time. A partial-block write reads
 * the blocks first. */
static int bounce_rw(const struct blk_image *img, struct iovec *iov, int n,
		     uint64_t off, uint64_t len, bool write, bool dsync)
{
	uint64_t bs = img->block_size;
	if ((off + len + bs - 1) / bs * bs > img->size)
		return -EIO; /* the image ends inside a block: cannot happen */
	size_t cap = BOUNCE_CHUNK + 2 * (size_t)bs;
	void *buf;
	size_t align = img->mem_align > sizeof(void *) ? img->mem_align
						       : sizeof(void *);
	if (posix_memalign(&buf, align, cap))
		return -ENOMEM;
	int r = 0;
	for (uint64_t done = 0; !r && done < len;) {
		uint64_t coff = off + done;
		uint64_t clen = len - done < BOUNCE_CHUNK ? len - done : BOUNCE_CHUNK;
		uint64_t start = coff / bs * bs;
		uint64_t end = (coff + clen + bs - 1) / bs * bs;
		struct iovec biov = { buf, (size_t)(end - start) };
		if (!write || start != coff || end != coff + clen)
			r = rw_loop(img->fd, &biov, 1, start, false, false);
		if (!r && write) {
			copy_iov(iov, n, done, (uint8_t *)buf + (coff - start), clen, true);
			biov = (struct iovec){ buf, (size_t)(end - start) };
			r = rw_loop(img->fd, &biov, 1, start, true, dsync);
		} else if (!r) {
			copy_iov(iov, n, done, (uint8_t *)buf + (coff - start), clen, false);
		}
		done += clen;
	}
	free(buf);
	return r;
}

int blk_file_rw(const struct blk_image *img, struct iovec *iov, int n,
		uint64_t off, uint64_t len, bool write, bool dsync)
{
	if (write && img->readonly)
		return -EROFS;
	if (!blk_image_aligned(img, iov, n, off, len))
		return bounce_rw(img, iov, n, off, len, write, dsync);
	return rw_loop(img->fd, iov, n, off, write, dsync);
}

int blk_file_flush(const struct blk_image *img)
{
	while (fdatasync(img->fd) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int blk_file_discard(const struct blk_image *img, uint64_t off, uint64_t len)
{
	if (img->readonly)
		return -EROFS;
	if (!len)
		return 0;
	if (fallocate(img->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) == 0)
		return 0;
	/* discard is advisory: a backend that cannot do it did nothing */
	if (errno == EOPNOTSUPP || errno == ENOTSUP || errno == ENOSYS ||
	    errno == EINVAL)
		return 0;
	return -errno;
}

static int write_zero_bytes(const struct blk_image *img, uint64_t off,
			    uint64_t len)
{
	const size_t chunk_max = 64 * 1024;
	void *zero;
	if (posix_memalign(&zero, 4096, chunk_max))
		return -ENOMEM;
	memset(zero, 0, chunk_max);
	int r = 0;
	while (len && !r) {
		size_t chunk = len > chunk_max ? chunk_max : (size_t)len;
		struct iovec iov = { zero, chunk };
		r = blk_file_rw(img, &iov, 1, off, chunk, true, false);
		off += chunk;
		len -= chunk;
	}
	free(zero);
	return r;
}

int blk_file_write_zeroes(const struct blk_image *img, uint64_t off,
			  uint64_t len, bool may_unmap)
{
	if (img->readonly)
		return -EROFS;
	if (!len)
		return 0;
	if (may_unmap &&
	    fallocate(img->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) == 0)
		return 0;
	if (fallocate(img->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOTSUP && errno != ENOSYS &&
	    errno != EINVAL)
		return -errno;
	return write_zero_bytes(img, off, len);
}
