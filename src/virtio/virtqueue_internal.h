/* What the split (virtqueue.c) and packed (virtqueue_packed.c) rings share:
 * the breaking of a queue, the per-buffer checks of the walker, ring
 * mapping at enable, in-flight tracking and dirty-page records. Only the
 * two ring files include this. */
#ifndef KILN_VIRTIO_VIRTQUEUE_INTERNAL_H
#define KILN_VIRTIO_VIRTQUEUE_INTERNAL_H

#include "virtio/virtqueue.h"

#include <endian.h>

/* Little-endian ring fields, with the given memory order. */
static inline uint16_t vq_ld16(const uint8_t *p, int order)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, order));
}

static inline void vq_st16(uint8_t *p, uint16_t v, int order)
{
	__atomic_store_n((uint16_t *)p, htole16(v), order);
}

static inline void vq_st32(uint8_t *p, uint32_t v, int order)
{
	__atomic_store_n((uint32_t *)p, htole32(v), order);
}

static inline bool vq_inflight_test(const struct virtqueue *vq, uint16_t head)
{
	return vq->inflight[head / 64] & (1ull << (head % 64));
}

static inline void vq_inflight_set(struct virtqueue *vq, uint16_t head, bool on)
{
	if (on)
		vq->inflight[head / 64] |= 1ull << (head % 64);
	else
		vq->inflight[head / 64] &= ~(1ull << (head % 64));
}

/* Mark the queue broken and say why (logged rate-limited). Returns -EIO. */
int vq_fail(struct virtqueue *vq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One guest buffer as the walker copied it out of a descriptor. */
struct vq_buf {
	uint64_t addr;
	uint32_t len;
	bool write;
};

/* A chain being built: the checks that span its buffers. */
struct vq_walk {
	struct vq_chain *c;
	unsigned int nr;     /* segments so far */
	uint64_t bytes;      /* readable + writable so far */
	bool seen_write;
};

/* Check one buffer (RAM, direction order, totals) and append its
 * segments to w->c. 0, or -EIO with the queue broken. */
int vq_add_buffer(struct virtqueue *vq, struct vq_walk *w,
		  const struct vq_buf *b);

/* Check alignment and that [gpa, gpa + len) is inside one RAM region;
 * the host view in *host. 0 or -EINVAL with a reason in err. */
int vq_map_ring(struct virtqueue *vq, const char *what, uint64_t gpa,
		uint64_t len, uint64_t align, uint8_t **host, char *err,
		size_t errlen);

static inline bool vq_overlaps(uint64_t a, uint64_t alen, uint64_t b,
			       uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* At pop: remember what the chain lets the device write; at push: mark it
 * dirty (both only while dirty logging is on). */
void vq_record_written(struct virtqueue *vq, const struct vq_chain *c);
void vq_mark_written(struct virtqueue *vq, uint16_t head);

/* The packed ring (virtqueue_packed.c), called by the virtqueue_* entry
 * points when vq->packed. */
int vqp_enable(struct virtqueue *vq, char *err, size_t errlen);
int vqp_pop(struct virtqueue *vq, struct vq_chain *chain);
/* n chains, checked by the caller (in flight, distinct); see
 * virtqueue_push_n. */
void vqp_push_n(struct virtqueue *vq, const uint16_t *ids, const uint32_t *lens,
		unsigned int n);
int vqp_unpop(struct virtqueue *vq, const uint16_t *ids, unsigned int n);
bool vqp_should_notify(struct virtqueue *vq);
void vqp_disable_notify(struct virtqueue *vq);
bool vqp_enable_notify(struct virtqueue *vq);

#endif
