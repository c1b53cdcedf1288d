/* libFuzzer target: the virtqueue, split or packed (header flag 32),
 * against a hostile guest. The input is a small header (queue parameters,
 * a script of guest writes made between pops) followed by the guest's RAM
 * contents. Every region is its
 * own heap allocation of exactly its size, so AddressSanitizer reports any
 * access outside guest RAM. The harness also checks the walker's promises
 * about every chain it returns and traps if one is broken.
 *
 * Guest-physical layout (64 KiB of address space):
 *	[0x0000, 0x8000)  RAM region 0
 *	[0x8000, 0xa000)  hole
 *	[0xa000, 0xe000)  RAM region 1
 *	[0xe000, 0x10000) RAM region 2, adjacent to region 1
 */
#include "core/guest_mem.h"
#include "core/log.h"
#include "virtio/virtqueue.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NR_OPS 16
#define HDR (16 + NR_OPS * 6)
#define MAX_ITERS 64
#define MAX_HELD 8

static const struct { uint64_t gpa, size; } layout[3] = {
	{ 0x0000, 0x8000 }, { 0xa000, 0x4000 }, { 0xe000, 0x2000 },
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x))                                                      \
			__builtin_trap();                                      \
	} while (0)

/* What virtqueue_pop promises about a chain it returned. */
static void check_chain(struct guest_mem *mem, const struct vq_chain *c,
			uint32_t qsize)
{
	uint64_t rd = 0, wr = 0;
	unsigned int nr = (unsigned int)c->nr_read + c->nr_write;

	CHECK(c->head < qsize);
	CHECK(nr <= VQ_CHAIN_MAX_SEGS);
	for (unsigned int i = 0; i < nr; i++) {
		const struct vq_seg *s = &c->seg[i];
		CHECK(s->len > 0);
		CHECK(guest_mem_slice(mem, s->gpa, s->len) == s->host);
		/* Touch both ends: ASan checks they are in one allocation. */
		volatile uint8_t *h = s->host;
		uint8_t a = h[0], b = h[s->len - 1];
		if (i >= c->nr_read) {
			h[0] = a;
			h[s->len - 1] = b;
		}
		if (i < c->nr_read)
			rd += s->len;
		else
			wr += s->len;
	}
	CHECK(rd == c->read_len && wr == c->write_len);
	CHECK(rd + wr <= VQ_CHAIN_MAX_BYTES);
}

static void use_chain(const struct vq_chain *c)
{
	static uint8_t buf[4096];
	struct iovec iov[4];

	size_t n = vq_chain_read(c, 0, buf, sizeof(buf));
	CHECK(n == (c->read_len < sizeof(buf) ? c->read_len : sizeof(buf)));
	if (c->read_len > 16)
		CHECK(vq_chain_read(c, c->read_len - 16, buf, 64) == 16);
	memset(buf, 0x5a, sizeof(buf));
	n = vq_chain_write(c, c->write_len / 2, buf, sizeof(buf));
	CHECK(n <= sizeof(buf));
	int r = vq_chain_iov(c, true, 0, c->write_len, iov, 4);
	CHECK(r == -E2BIG || (r >= 0 && r <= 4));
	CHECK(vq_chain_iov(c, false, c->read_len, 1, iov, 4) == -ERANGE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vq_chain chain;
	static struct virtqueue vq;
	struct guest_mem mem;
	uint8_t *ram[3];
	uint8_t hdr[HDR];

	log_set_level(LOG_ERROR);
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, data, size < HDR ? size : HDR);
	const uint8_t *img = size > HDR ? data + HDR : NULL;
	size_t img_len = size > HDR ? size - HDR : 0;

	memset(&mem, 0, sizeof(mem));
	for (int i = 0; i < 3; i++) {
		ram[i] = calloc(1, layout[i].size);
		if (!ram[i] || guest_mem_init_fake(&mem, ram[i], layout[i].gpa,
						   layout[i].size))
			abort();
		/* The image covers the address space from 0, hole included. */
		if (layout[i].gpa < img_len) {
			size_t n = img_len - layout[i].gpa;
			memcpy(ram[i], img + layout[i].gpa,
			       n < layout[i].size ? n : layout[i].size);
		}
	}

	uint8_t flags = hdr[1];
	virtqueue_init(&vq, &mem, 1024, "fuzz");
	vq.size = 1u << (hdr[0] % 11); /* 1..1024, sometimes above max */
	if (hdr[0] & 0x80)
		vq.size = get16(hdr + 14);
	vq.desc_gpa = 0x0000 + get16(hdr + 2);
	vq.avail_gpa = 0x1000 + get16(hdr + 4);
	vq.used_gpa = 0x2000 + get16(hdr + 6);
	if (flags & 1)
		vq.features |= 1ull << VIRTIO_F_INDIRECT_DESC;
	if (flags & 2)
		vq.features |= 1ull << VIRTIO_F_EVENT_IDX;
	if (flags & 32)
		vq.features |= 1ull << VIRTIO_F_RING_PACKED;
	char err[128];
	if (virtqueue_enable(&vq, err, sizeof(err)))
		goto out;
	CHECK(vq.packed == !!(flags & 32));
	/* Start anywhere in the index space (wrap-around). */
	if (vq.packed) {
		vq.last_avail_idx = vq.used_idx = get16(hdr + 8) % vq.size;
		vq.avail_wrap = vq.used_wrap = hdr[10] & 1;
	} else {
		vq.last_avail_idx = vq.used_idx = get16(hdr + 8);
	}
	if (flags & 4)
		virtqueue_disable_notify(&vq);

	uint16_t held[MAX_HELD];
	unsigned int nheld = 0, op = 0;
	for (unsigned int it = 0; it < MAX_ITERS; it++) {
		/* The guest writes between our pops. */
		while (op < NR_OPS && hdr[16 + op * 6 + 4] % MAX_ITERS == it) {
			const uint8_t *o = hdr + 16 + op * 6;
			uint16_t v = get16(o + 2);
			if (guest_mem_write(&mem, get16(o), &v, 2))
				{ /* not RAM: the guest cannot write there */ }
			op++;
		}
		int r = virtqueue_pop(&vq, &chain);
		if (r < 0) {
			CHECK(vq.broken && r == -EIO);
			CHECK(virtqueue_pop(&vq, &chain) == -EIO);
			break;
		}
		if (r == 0) {
			if (!virtqueue_enable_notify(&vq))
				break;
			continue;
		}
		check_chain(&mem, &chain, vq.size);
		use_chain(&chain);
		uint32_t written = chain.write_len;
		if (flags & 8)
			written /= 2;
		if (flags & 16 && nheld < MAX_HELD) {
			held[nheld++] = chain.head; /* complete later */
			continue;
		}
		CHECK(virtqueue_push(&vq, chain.head, written) == 0);
		CHECK(virtqueue_push(&vq, chain.head, written) == -EINVAL);
		(void)virtqueue_should_notify(&vq);
	}
	/* Give the held ones back (they are the last pops only if nothing
	 * was popped after them), else complete them, newest first. Chains
	 * given back count as popped and never completed; popping them again
	 * adds to both counts. */
	uint64_t given_back = 0;
	if ((flags & 64) && nheld && !vq.broken &&
	    virtqueue_unpop(&vq, held, nheld) == 0) {
		given_back = nheld;
		nheld = 0;
		struct virtqueue_state st;
		CHECK(virtqueue_save(&vq, &st) == 0);
		CHECK(virtqueue_restore(&vq, &st, err, sizeof(err)) == 0);
		/* the same chains come back, in the same order */
		for (unsigned int i = 0, n = (unsigned int)given_back; i < n; i++) {
			int r = virtqueue_pop(&vq, &chain);
			if (r != 1)
				break; /* the guest rewrote its ring meanwhile */
			check_chain(&mem, &chain, vq.size);
			CHECK(virtqueue_push(&vq, chain.head, 0) == 0);
		}
	}
	while (nheld) {
		uint16_t h = held[--nheld];
		CHECK(virtqueue_push(&vq, h, 0) == 0);
	}
	(void)virtqueue_should_notify(&vq);
	CHECK(vq.stats.popped == vq.stats.completed + given_back);

	/* Reset, re-enable, and go once more from the same memory. */
	virtqueue_reset(&vq);
	CHECK(!vq.broken && !vq.enabled);
	vq.size = 1u << (hdr[0] % 11);
	vq.desc_gpa = 0x0000 + get16(hdr + 2);
	vq.avail_gpa = 0x1000 + get16(hdr + 4);
	vq.used_gpa = 0x2000 + get16(hdr + 6);
	if (!virtqueue_enable(&vq, err, sizeof(err)) &&
	    virtqueue_pop(&vq, &chain) == 1) {
		check_chain(&mem, &chain, vq.size);
		CHECK(virtqueue_push(&vq, chain.head, 0) == 0);
	}
out:
	for (int i = 0; i < 3; i++)
		free(ram[i]);
	return 0;
}
