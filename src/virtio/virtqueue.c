/* Split virtqueue (and the entry points that hand a packed queue to
 * virtqueue_packed.c): enable-time validation, the checked descriptor walker,
 * completion and notification suppression. See virtqueue.h for the rules.
 *
 * Memory ordering (the guest's vCPUs run concurrently with us):
 *  - avail->idx is loaded with acquire semantics, so the avail ring entry
 *    and the descriptors it names are read after it (pairs with the
 *    driver's write barrier before it publishes idx).
 *  - Each descriptor is copied once into a local struct and only the copy
 *    is checked and used, so a guest rewriting it mid-walk cannot get an
 *    unchecked value past us.
 *  - Used elements are stored before used->idx, which is stored with
 *    release semantics (pairs with the driver's read barrier).
 *  - A full fence separates our store of used->idx from the load of
 *    used_event / avail->flags in should_notify, and our store of
 *    avail_event / used->flags from the re-check of avail->idx in
 *    enable_notify and on pop's empty path: both are store-then-load
 *    handshakes with the driver, which has the mirror-image fence.
 */
#include "virtio/virtqueue.h"
#include "virtio/virtqueue_internal.h"

#include "core/log.h"
#include "core/util.h"

#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "descriptor layout");

/* Ring layouts (offsets in bytes). */
#define AVAIL_FLAGS 0
#define AVAIL_IDX 2
#define AVAIL_RING 4
#define USED_FLAGS 0
#define USED_IDX 2
#define USED_RING 4

static uint64_t desc_bytes(uint32_t size) { return 16ull * size; }
static uint64_t avail_bytes(uint32_t size) { return 6ull + 2ull * size; }
static uint64_t used_bytes(uint32_t size) { return 6ull + 8ull * size; }

/* --- ring field access ------------------------------------------------- */

static uint16_t avail_idx_acquire(const struct virtqueue *vq)
{
	return vq_ld16(vq->avail + AVAIL_IDX, __ATOMIC_ACQUIRE);
}

static uint16_t used_event(const struct virtqueue *vq)
{
	return vq_ld16(vq->avail + AVAIL_RING + 2 * vq->size, __ATOMIC_RELAXED);
}

/* The used ring is the device's to write: every store to it is a page the
 * destination of a migration must get again. */
static void mark_used_ring(struct virtqueue *vq)
{
	if (guest_mem_dirty_logging(vq->mem))
		guest_mem_mark_dirty(vq->mem, vq->used_gpa, used_bytes(vq->size));
}

static void set_avail_event(struct virtqueue *vq, uint16_t v)
{
	vq_st16(vq->used + USED_RING + 8 * vq->size, v, __ATOMIC_RELAXED);
	mark_used_ring(vq);
}

static void set_used_flags(struct virtqueue *vq, uint16_t v)
{
	vq_st16(vq->used + USED_FLAGS, v, __ATOMIC_RELAXED);
	mark_used_ring(vq);
}

/* At pop: remember the chain's writable ranges for push. */
void vq_record_written(struct virtqueue *vq, const struct vq_chain *c)
{
	if (!guest_mem_dirty_logging(vq->mem)) {
		if (vq->written)
			vq->written[c->head].valid = false;
		return;
	}
	if (!vq->written)
		vq->written = calloc(vq->size, sizeof(*vq->written));
	if (!vq->written)
		return; /* push then marks all of RAM */
	struct vq_written *w = &vq->written[c->head];
	w->nr = 0;
	w->span_lo = w->span_hi = 0;
	for (unsigned int i = c->nr_read; i < (unsigned int)c->nr_read + c->nr_write; i++) {
		const struct vq_seg *s = &c->seg[i];
		if (w->nr < VQ_WR_EXACT) {
			w->gpa[w->nr] = s->gpa;
			w->len[w->nr++] = s->len;
			continue;
		}
		uint64_t end = s->gpa + s->len; /* inside RAM: no overflow */
		if (w->span_lo == w->span_hi) {
			w->span_lo = s->gpa;
			w->span_hi = end;
		} else {
			w->span_lo = s->gpa < w->span_lo ? s->gpa : w->span_lo;
			w->span_hi = end > w->span_hi ? end : w->span_hi;
		}
	}
	w->valid = true;
}

/* At push: mark what the device may have written for `head`. */
void vq_mark_written(struct virtqueue *vq, uint16_t head)
{
	if (!guest_mem_dirty_logging(vq->mem))
		return;
	const struct vq_written *w = vq->written ? &vq->written[head] : NULL;
	if (!w || !w->valid) {
		/* Popped before logging began (or no memory for the record):
		 * the pages are unknown, so all of them are dirty. */
		guest_mem_mark_dirty(vq->mem, 0, UINT64_MAX);
		return;
	}
	for (unsigned int i = 0; i < w->nr; i++)
		guest_mem_mark_dirty(vq->mem, w->gpa[i], w->len[i]);
	if (w->span_hi > w->span_lo)
		guest_mem_mark_dirty(vq->mem, w->span_lo, w->span_hi - w->span_lo);
}

/* --- setup ------------------------------------------------------------- */

void virtqueue_init(struct virtqueue *vq, struct guest_mem *mem,
		    uint16_t max_size, const char *name)
{
	assert(max_size && max_size <= VIRTQ_MAX_SIZE &&
	       !(max_size & (max_size - 1)));
	memset(vq, 0, sizeof(*vq));
	vq->mem = mem;
	vq->max_size = max_size;
	vq->size = max_size;
	vq->name = name ? name : "virtqueue";
}

void virtqueue_reset(struct virtqueue *vq)
{
	free(vq->written);
	vq->written = NULL;
	free(vq->ndescs);
	vq->ndescs = NULL;
	struct guest_mem *mem = vq->mem;
	struct virtqueue_stats stats = vq->stats;
	uint16_t max_size = vq->max_size;
	const char *name = vq->name;

	virtqueue_init(vq, mem, max_size, name);
	vq->stats = stats;
}

int vq_map_ring(struct virtqueue *vq, const char *what, uint64_t gpa,
		uint64_t len, uint64_t align, uint8_t **host, char *err,
		size_t errlen)
{
	if (gpa & (align - 1))
		return errmsg(-EINVAL, err, errlen,
			      "%s ring at %#llx is not %llu-byte aligned", what,
			      (unsigned long long)gpa,
			      (unsigned long long)align);
	if (gpa + len < gpa)
		return errmsg(-EINVAL, err, errlen,
			      "%s ring at %#llx wraps around the address space",
			      what, (unsigned long long)gpa);
	uint8_t *p = guest_mem_slice(vq->mem, gpa, len);
	if (!p)
		return errmsg(-EINVAL, err, errlen,
			      "%s ring [%#llx, +%#llx) is not inside one RAM region",
			      what, (unsigned long long)gpa,
			      (unsigned long long)len);
	if ((uintptr_t)p & (align - 1))
		return errmsg(-EINVAL, err, errlen,
			      "%s ring at %#llx is misaligned in host memory",
			      what, (unsigned long long)gpa);
	*host = p;
	return 0;
}

int virtqueue_enable(struct virtqueue *vq, char *err, size_t errlen)
{
	uint32_t size = vq->size;
	uint8_t *desc, *avail, *used;
	int ret;

	if (vq->enabled)
		return errmsg(-EBUSY, err, errlen, "queue already enabled");
	if (!vq->mem)
		return errmsg(-EINVAL, err, errlen, "no guest memory");
	if (size == 0 || size > vq->max_size || (size & (size - 1)))
		return errmsg(-EINVAL, err, errlen,
			      "queue size %u is not a power of two in 1..%u",
			      size, vq->max_size);
	if (vq->features & (1ull << VIRTIO_F_RING_PACKED))
		return vqp_enable(vq, err, errlen);
	ret = vq_map_ring(vq, "descriptor", vq->desc_gpa, desc_bytes(size), 16,
			  &desc, err, errlen);
	if (!ret)
		ret = vq_map_ring(vq, "available", vq->avail_gpa,
				  avail_bytes(size), 2, &avail, err, errlen);
	if (!ret)
		ret = vq_map_ring(vq, "used", vq->used_gpa, used_bytes(size), 4,
				  &used, err, errlen);
	if (ret)
		return ret;
	/* We write the used ring: it must not alias what we read. */
	if (vq_overlaps(vq->used_gpa, used_bytes(size), vq->desc_gpa,
			desc_bytes(size)) ||
	    vq_overlaps(vq->used_gpa, used_bytes(size), vq->avail_gpa,
			avail_bytes(size)))
		return errmsg(-EINVAL, err, errlen,
			      "used ring at %#llx overlaps another ring",
			      (unsigned long long)vq->used_gpa);

	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	vq->event_idx = vq->features & (1ull << VIRTIO_F_EVENT_IDX);
	vq->indirect = vq->features & (1ull << VIRTIO_F_INDIRECT_DESC);
	vq->packed = false;
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_valid = false;
	vq->notify_off = false;
	vq->broken = false;
	vq->broken_reason[0] = '\0';
	memset(vq->inflight, 0, sizeof(vq->inflight));
	vq->enabled = true;
	return 0;
}

/* --- the walker -------------------------------------------------------- */

/* Mark the queue broken and say why, once. Returns -EIO. */
int vq_fail(struct virtqueue *vq, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vq->broken_reason, sizeof(vq->broken_reason), fmt, ap);
	va_end(ap);
	vq->broken = true;
	vq->stats.errors++;
	pr_guest(LOG_WARN, "virtio %s: %s; queue needs reset", vq->name,
		 vq->broken_reason);
	return -EIO;
}

/* Bytes from gpa to the end of the RAM region holding it; 0 if not RAM.
 * Reads only the memory map, never guest memory. */
static uint64_t region_room(const struct guest_mem *mem, uint64_t gpa)
{
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		const struct guest_mem_region *r = &mem->regions[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r->size - (gpa - r->gpa);
	}
	return 0;
}

int vq_add_buffer(struct virtqueue *vq, struct vq_walk *w,
		  const struct vq_buf *b)
{
	bool write = b->write;
	uint64_t gpa = b->addr, len = b->len;

	if (len == 0)
		return 0; /* legal, carries nothing: skipped (see header) */
	if (!write && w->seen_write)
		return vq_fail(vq, "readable descriptor after a writable one");
	if (gpa + len < gpa)
		return vq_fail(vq, "buffer at %#llx+%#llx wraps around",
			       (unsigned long long)gpa,
			       (unsigned long long)len);
	if (!guest_mem_is_ram(vq->mem, gpa, len))
		return vq_fail(vq, "buffer [%#llx, +%#llx) is not RAM",
			       (unsigned long long)gpa,
			       (unsigned long long)len);
	w->bytes += len;
	if (w->bytes > VQ_CHAIN_MAX_BYTES)
		return vq_fail(vq, "chain holds more than %llu bytes",
			       (unsigned long long)VQ_CHAIN_MAX_BYTES);
	if (write) {
		w->seen_write = true;
		w->c->write_len += (uint32_t)len;
	} else {
		w->c->read_len += (uint32_t)len;
	}

	/* One segment per RAM region the buffer touches. */
	while (len) {
		uint64_t n = min_u64(len, region_room(vq->mem, gpa));
		void *host = n ? guest_mem_slice(vq->mem, gpa, n) : NULL;
		if (!host) /* the map changed under us: refuse */
			return vq_fail(vq, "buffer at %#llx is not RAM",
				       (unsigned long long)gpa);
		if (w->nr >= VQ_CHAIN_MAX_SEGS)
			return vq_fail(vq, "chain has more than %u segments",
				       VQ_CHAIN_MAX_SEGS);
		w->c->seg[w->nr++] = (struct vq_seg){
			.host = host, .gpa = gpa, .len = (uint32_t)n,
		};
		if (write)
			w->c->nr_write++;
		else
			w->c->nr_read++;
		gpa += n;
		len -= n;
	}
	return 0;
}

static void read_desc(const uint8_t *table, uint32_t i, struct virtq_desc *d)
{
	struct virtq_desc raw;

	/* One copy; everything after works on it. */
	memcpy(&raw, table + 16ull * i, sizeof(raw));
	d->addr = le64toh(raw.addr);
	d->len = le32toh(raw.len);
	d->flags = le16toh(raw.flags);
	d->next = le16toh(raw.next);
}

static int walk_chain(struct virtqueue *vq, uint16_t head,
		      struct vq_chain *c)
{
	struct vq_walk w = { .c = c };
	const uint8_t *table = vq->desc;
	uint32_t table_n = vq->size; /* entries in the current table */
	uint32_t walked = 0;         /* descriptors read from it */
	bool in_indirect = false;
	uint32_t i = head;
	struct virtq_desc d;

	c->head = head;
	c->nr_read = c->nr_write = 0;
	c->read_len = c->write_len = 0;

	for (;;) {
		if (i >= table_n)
			return vq_fail(vq, "descriptor index %u >= %u%s", i,
				       table_n, in_indirect ? " (indirect)" : "");
		if (++walked > table_n)
			return vq_fail(vq, "chain from head %u longer than %u "
				       "descriptors (loop?)%s", head, table_n,
				       in_indirect ? " (indirect)" : "");
		read_desc(table, i, &d);

		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!vq->indirect)
				return vq_fail(vq, "indirect descriptor but "
					       "INDIRECT_DESC not negotiated");
			if (in_indirect)
				return vq_fail(vq, "nested indirect table");
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return vq_fail(vq, "indirect descriptor with "
					       "NEXT set");
			if (d.len == 0 || d.len % 16)
				return vq_fail(vq, "indirect table length %u "
					       "is not a non-zero multiple of 16",
					       d.len);
			if (d.len / 16 > VQ_INDIRECT_MAX)
				return vq_fail(vq, "indirect table of %u "
					       "entries", d.len / 16);
			table = guest_mem_slice(vq->mem, d.addr, d.len);
			if (!table)
				return vq_fail(vq, "indirect table [%#llx, +%#x) "
					       "is not inside one RAM region",
					       (unsigned long long)d.addr,
					       d.len);
			/* The WRITE flag of this descriptor is ignored. */
			table_n = d.len / 16;
			walked = 0;
			in_indirect = true;
			i = 0;
			continue;
		}

		struct vq_buf b = {
			.addr = d.addr, .len = d.len,
			.write = d.flags & VIRTQ_DESC_F_WRITE,
		};
		int ret = vq_add_buffer(vq, &w, &b);
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

/* --- pop / push / notify ----------------------------------------------- */

int virtqueue_pop(struct virtqueue *vq, struct vq_chain *chain)
{
	if (vq->broken)
		return -EIO;
	if (!vq->enabled)
		return 0;
	if (vq->packed)
		return vqp_pop(vq, chain);

	uint16_t avail_idx = avail_idx_acquire(vq);
	if (avail_idx == vq->last_avail_idx) {
		if (!vq->event_idx || vq->notify_off)
			return 0;
		/* Ask to be notified of the next buffer, and make that store
		 * visible before we conclude the ring is empty, or a driver
		 * that read the old avail_event skips its notification. */
		set_avail_event(vq, vq->last_avail_idx);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = avail_idx_acquire(vq);
		if (avail_idx == vq->last_avail_idx)
			return 0;
	}
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail_idx);
	if (pending > vq->size)
		return vq_fail(vq, "avail idx %u is %u ahead of %u, queue size %u",
			       avail_idx, pending, vq->last_avail_idx, vq->size);

	uint32_t slot = vq->last_avail_idx & (vq->size - 1);
	uint16_t head = vq_ld16(vq->avail + AVAIL_RING + 2 * slot,
				__ATOMIC_RELAXED);
	if (head >= vq->size)
		return vq_fail(vq, "head %u >= queue size %u", head, vq->size);
	if (vq_inflight_test(vq, head))
		return vq_fail(vq, "head %u offered again while in flight",
			       head);

	int ret = walk_chain(vq, head, chain);
	if (ret) {
		chain->nr_read = chain->nr_write = 0;
		chain->read_len = chain->write_len = 0;
		return ret;
	}

	vq->last_avail_idx++;
	vq_inflight_set(vq, head, true);
	vq_record_written(vq, chain);
	vq->stats.popped++;
	if (vq->event_idx && !vq->notify_off)
		set_avail_event(vq, vq->last_avail_idx);
	return 1;
}

int virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t written_len)
{
	return virtqueue_push_n(vq, &head, &written_len, 1);
}

int virtqueue_push_n(struct virtqueue *vq, const uint16_t *heads,
		     const uint32_t *lens, unsigned int n)
{
	if (!n)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		bool twice = false;
		for (unsigned int j = 0; j < i; j++)
			twice |= heads[j] == heads[i];
		if (!vq->enabled || heads[i] >= vq->size || twice ||
		    !vq_inflight_test(vq, heads[i])) {
			vq->stats.errors++;
			pr_guest(LOG_ERROR, "virtio %s: device bug: push of head %u "
				 "that is not in flight", vq->name, heads[i]);
			return -EINVAL;
		}
	}
	if (vq->packed) {
		vqp_push_n(vq, heads, lens, n);
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *elem = vq->used + USED_RING +
				8 * ((uint16_t)(vq->used_idx + i) & (vq->size - 1));
		vq_st32(elem, heads[i], __ATOMIC_RELAXED);
		vq_st32(elem + 4, lens[i], __ATOMIC_RELAXED);
	}
	vq->used_idx = (uint16_t)(vq->used_idx + n);
	/* Elements before index (the driver reads them in the other order),
	 * once for all n. */
	vq_st16(vq->used + USED_IDX, vq->used_idx, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < n; i++) {
		vq_mark_written(vq, heads[i]);
		vq_inflight_set(vq, heads[i], false);
		vq->stats.completed++;
	}
	mark_used_ring(vq);
	return 0;
}

int virtqueue_unpop(struct virtqueue *vq, const uint16_t *heads, unsigned int n)
{
	if (vq->packed)
		return vq->enabled ? vqp_unpop(vq, heads, n) : n ? -EINVAL : 0;
	if (!vq->enabled || n > (uint16_t)(vq->last_avail_idx - vq->used_idx))
		return n ? -EINVAL : 0;
	uint16_t first = (uint16_t)(vq->last_avail_idx - n);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t slot = (uint16_t)(first + i) & (vq->size - 1);
		uint16_t head = vq_ld16(vq->avail + AVAIL_RING + 2 * slot, __ATOMIC_RELAXED);
		if (head != heads[i] || head >= vq->size || !vq_inflight_test(vq, head))
			return -EINVAL;
	}
	for (unsigned int i = 0; i < n; i++) {
		vq_inflight_set(vq, heads[i], false);
		if (vq->written)
			vq->written[heads[i]].valid = false;
	}
	vq->last_avail_idx = first;
	return 0;
}

void virtqueue_take_position(struct virtqueue *vq, uint16_t last_avail)
{
	if (!vq->enabled || vq->packed)
		return;
	vq->last_avail_idx = last_avail;
	vq->used_idx = vq_ld16(vq->used + USED_IDX, __ATOMIC_ACQUIRE);
	vq->signalled_valid = false;
	vq->signalled_used = 0;
}

bool virtqueue_should_notify(struct virtqueue *vq)
{
	if (!vq->enabled)
		return false;
	if (vq->packed)
		return vqp_should_notify(vq);
	/* used->idx store before the used_event / flags load. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(vq_ld16(vq->avail + AVAIL_FLAGS, __ATOMIC_RELAXED) &
			 VIRTQ_AVAIL_F_NO_INTERRUPT);

	bool valid = vq->signalled_valid;
	uint16_t old = vq->signalled_used, now = vq->used_idx;

	vq->signalled_valid = true;
	vq->signalled_used = now;
	if (!valid)
		return true;
	return virtqueue_need_event(used_event(vq), now, old);
}

void virtqueue_disable_notify(struct virtqueue *vq)
{
	if (!vq->enabled || vq->notify_off)
		return;
	if (vq->packed) {
		vqp_disable_notify(vq);
		return;
	}
	vq->notify_off = true;
	if (!vq->event_idx)
		set_used_flags(vq, VIRTQ_USED_F_NO_NOTIFY);
	/* With EVENT_IDX, avail_event simply stops advancing. */
}

bool virtqueue_enable_notify(struct virtqueue *vq)
{
	if (!vq->enabled || vq->broken)
		return false;
	if (vq->packed)
		return vqp_enable_notify(vq);
	vq->notify_off = false;
	if (vq->event_idx)
		set_avail_event(vq, vq->last_avail_idx);
	else
		set_used_flags(vq, 0);
	/* Flag/event store before the avail->idx re-check. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return avail_idx_acquire(vq) != vq->last_avail_idx;
}

/* --- chain helpers ----------------------------------------------------- */

static size_t chain_copy(const struct vq_seg *seg, unsigned int nr,
			 uint64_t off, uint8_t *buf, size_t len, bool to_seg)
{
	size_t done = 0;

	for (unsigned int i = 0; i < nr && done < len; i++) {
		if (off >= seg[i].len) {
			off -= seg[i].len;
			continue;
		}
		size_t n = (size_t)min_u64(seg[i].len - off, len - done);
		uint8_t *p = (uint8_t *)seg[i].host + off;
		if (to_seg)
			memcpy(p, buf + done, n);
		else
			memcpy(buf + done, p, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t vq_chain_read(const struct vq_chain *c, uint64_t off, void *dst,
		     size_t len)
{
	return chain_copy(c->seg, c->nr_read, off, dst, len, false);
}

size_t vq_chain_write(const struct vq_chain *c, uint64_t off, const void *src,
		      size_t len)
{
	return chain_copy(c->seg + c->nr_read, c->nr_write, off,
			  (uint8_t *)src, len, true);
}

int vq_chain_iov(const struct vq_chain *c, bool writable, uint64_t off,
		 uint64_t len, struct iovec *iov, int max_iov)
{
	const struct vq_seg *seg = writable ? c->seg + c->nr_read : c->seg;
	unsigned int nr = writable ? c->nr_write : c->nr_read;
	uint64_t total = writable ? c->write_len : c->read_len;
	int n = 0;

	if (off > total || len > total - off)
		return -ERANGE;
	for (unsigned int i = 0; i < nr && len; i++) {
		if (off >= seg[i].len) {
			off -= seg[i].len;
			continue;
		}
		if (n == max_iov)
			return -E2BIG;
		uint64_t take = min_u64(seg[i].len - off, len);
		iov[n].iov_base = (uint8_t *)seg[i].host + off;
		iov[n].iov_len = (size_t)take;
		n++;
		len -= take;
		off = 0;
	}
	return n;
}
