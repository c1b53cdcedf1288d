/* libFuzzer target: the virtio-blk request path from a popped chain to the
 * disk. The input describes a chain (segment count, which are writable,
 * their lengths) and the bytes in it; the harness parses it with
 * virtio_blk_req_parse, checks what the parser promises, then executes the
 * request with the synchronous backend on a small in-memory image (the
 * O_DIRECT bounce path included, pretending 4 KiB blocks). Every segment
 * is its own heap allocation of exactly its size, so AddressSanitizer
 * reports any access outside the chain.
 *
 * Input: [flags] [nseg] [nread] then nseg little-endian u16 lengths, then
 * the segments' contents (zero-filled when the input ends).
 */
#include "backends/blk_backend.h"
#include "devices/virtio_blk_req.h"

#include <errno.h>
#include <linux/virtio_blk.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEGS 8
#define IMG_SECTORS 64

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x))                                                      \
			__builtin_trap();                                      \
	} while (0)

static struct vq_chain chain;
static struct blk_image img;

static void open_image(void)
{
	if (img.size)
		return;
	int fd = memfd_create("fuzz-blk", MFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, IMG_SECTORS * 512) == 0);
	img.fd = fd;
	img.size = IMG_SECTORS * 512;
}

static void execute(const struct virtio_blk_req *r, const struct vq_chain *c,
		    uint8_t flags)
{
	struct iovec iov[MAX_SEGS];
	img.readonly = flags & 1;
	img.direct = flags & 2;
	img.block_size = img.direct ? 4096 : 512;
	img.mem_align = img.direct ? 512 : 1;
	bool dsync = flags & 4;
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: {
		bool in = r->type == VIRTIO_BLK_T_IN;
		if (!r->len)
			return;
		int n = vq_chain_iov(c, in, r->data_off, r->len, iov, MAX_SEGS);
		CHECK(n > 0); /* the parser checked the lengths */
		int e = blk_file_rw(&img, iov, n, r->offset, r->len, !in, dsync);
		CHECK(e == 0 || (e == -EROFS && img.readonly && !in));
		break;
	}
	case VIRTIO_BLK_T_DISCARD:
		if (!img.readonly)
			CHECK(blk_file_discard(&img, r->offset, r->len) == 0);
		break;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		if (!img.readonly)
			CHECK(blk_file_write_zeroes(&img, r->offset, r->len, r->unmap) == 0);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	open_image();
	uint8_t flags = data[0];
	unsigned int nseg = data[1] % (MAX_SEGS + 1);
	unsigned int nread = nseg ? data[2] % (nseg + 1) : 0;
	size_t pos = 3;
	if (size < pos + 2 * nseg)
		return 0;
	memset(&chain, 0, offsetof(struct vq_chain, seg));
	uint8_t *bufs[MAX_SEGS] = { 0 };
	for (unsigned int i = 0; i < nseg; i++) {
		uint32_t len = (uint32_t)(data[pos] | data[pos + 1] << 8) % 8192 + 1;
		pos += 2;
		bufs[i] = malloc(len);
		CHECK(bufs[i]);
		chain.seg[i] = (struct vq_seg){ .host = bufs[i], .gpa = 0x1000ull * i,
						.len = len };
		if (i < nread)
			chain.read_len += len;
		else
			chain.write_len += len;
	}
	chain.nr_read = (uint16_t)nread;
	chain.nr_write = (uint16_t)(nseg - nread);
	for (unsigned int i = 0; i < nseg; i++) {
		size_t take = size - pos < chain.seg[i].len ? size - pos : chain.seg[i].len;
		memcpy(bufs[i], data + pos, take);
		memset(bufs[i] + take, 0, chain.seg[i].len - take);
		pos += take;
	}

	struct virtio_blk_req r;
	virtio_blk_req_parse(&chain, IMG_SECTORS, flags & 1, &r);
	CHECK(r.has_status == (chain.write_len > 0));
	if (r.status == VIRTIO_BLK_S_OK) {
		CHECK(r.has_status);
		switch (r.type) {
		case VIRTIO_BLK_T_IN:
		case VIRTIO_BLK_T_OUT:
			CHECK(r.len % 512 == 0);
			CHECK(r.offset % 512 == 0);
			CHECK(r.offset <= img.size && r.len <= img.size - r.offset);
			if (r.type == VIRTIO_BLK_T_IN)
				CHECK(r.len + 1 == chain.write_len);
			else
				CHECK(!(flags & 1) && r.len + 16 == chain.read_len);
			break;
		case VIRTIO_BLK_T_DISCARD:
		case VIRTIO_BLK_T_WRITE_ZEROES:
			CHECK(!(flags & 1));
			CHECK(r.offset <= img.size && r.len <= img.size - r.offset);
			break;
		case VIRTIO_BLK_T_FLUSH:
		case VIRTIO_BLK_T_GET_ID:
			break;
		default:
			CHECK(0); /* an unknown type must not be OK */
		}
		execute(&r, &chain, flags);
	}
	/* the status byte the device would write */
	if (r.has_status) {
		struct vq_seg *last = &chain.seg[nseg - 1];
		((volatile uint8_t *)last->host)[last->len - 1] = r.status;
	}
	for (unsigned int i = 0; i < nseg; i++)
		free(bufs[i]);
	return 0;
}
