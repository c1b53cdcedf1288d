/* Packed virtqueue (virtio 1.2, section 2.8): one ring of descriptors that
 * the driver makes available and the device hands back as used in place,
 * with a wrap counter on each side telling this lap's descriptors from the
 * last lap's. The rules devices rely on are in virtqueue.h.
 *
 * Positions: the device keeps (last_avail_idx, avail_wrap) and (used_idx,
 * used_wrap). On a ring of `size` descriptors a (position, wrap) pair is
 * one point on a circle of 2 * size, "lin" below: lap one (wrap 1) is
 * [0, size), lap two (wrap 0) [size, 2 * size). The distance from the used
 * point to the avail point is the number of descriptors in flight, which
 * can never exceed size; unpop, save and the notification test are done
 * in that arithmetic.
 *
 * Memory ordering:
 *  - The first descriptor's flags are loaded with acquire semantics and
 *    only then is the rest of it (and the chain after it) read: pairs
 *    with the driver's write barrier before it writes those flags.
 *  - Every descriptor is copied once into a local struct and only the
 *    copy is checked and used.
 *  - A used descriptor's id and len are stored before its flags, which
 *    are stored with release semantics.
 *  - A full fence separates our last used-descriptor store from the load
 *    of the driver's event suppression area in should_notify, and our
 *    store to the device area from the re-check of the next descriptor in
 *    enable_notify and on pop's empty path (the driver's mirror image).
 */
#include "virtio/virtqueue.h"
#include "virtio/virtqueue_internal.h"

#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Offsets in a packed descriptor and in an event suppression area. */
#define PD_ADDR 0
#define PD_LEN 8
#define PD_ID 12
#define PD_FLAGS 14
#define EV_OFF_WRAP 0
#define EV_FLAGS 2
#define EV_AREA_BYTES 4ull
#define EV_WRAP_SHIFT 15

struct pdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t id;
	uint16_t flags;
};

static uint64_t ring_bytes(uint32_t size) { return 16ull * size; }

static void decode(const uint8_t raw[16], struct pdesc *d)
{
	uint64_t addr;
	uint32_t len;
	uint16_t id, flags;

	memcpy(&addr, raw + PD_ADDR, 8);
	memcpy(&len, raw + PD_LEN, 4);
	memcpy(&id, raw + PD_ID, 2);
	memcpy(&flags, raw + PD_FLAGS, 2);
	d->addr = le64toh(addr);
	d->len = le32toh(len);
	d->id = le16toh(id);
	d->flags = le16toh(flags);
}

/* One copy of entry i of a ring or indirect table; everything after
 * works on it. */
static void read_pdesc(const uint8_t *table, uint32_t i, struct pdesc *d)
{
	uint8_t raw[16];

	memcpy(raw, table + 16ull * i, sizeof(raw));
	decode(raw, d);
}

/* --- positions --------------------------------------------------------- */

static uint32_t lin(const struct virtqueue *vq, uint32_t pos, bool wrap)
{
	return pos + (wrap ? 0 : vq->size);
}

static uint32_t lin_mask(const struct virtqueue *vq)
{
	return 2 * vq->size - 1; /* size is a power of two */
}

/* Descriptors popped and not yet answered. */
static uint32_t outstanding(const struct virtqueue *vq)
{
	return (lin(vq, vq->last_avail_idx, vq->avail_wrap) -
		lin(vq, vq->used_idx, vq->used_wrap)) & lin_mask(vq);
}

static bool flags_available(uint16_t flags, bool wrap)
{
	return !!(flags & VIRTQ_DESC_F_AVAIL) == wrap &&
	       !!(flags & VIRTQ_DESC_F_USED) != wrap;
}

/* Whether the driver made the descriptor at (pos, wrap) available; its
 * flags (acquire) in *flags. */
static bool desc_available(const struct virtqueue *vq, uint32_t pos,
			   bool wrap, uint16_t *flags)
{
	*flags = vq_ld16(vq->desc + 16ull * pos + PD_FLAGS, __ATOMIC_ACQUIRE);
	return flags_available(*flags, wrap);
}

/* --- event suppression areas ------------------------------------------- */

static void set_device_event(struct virtqueue *vq, uint16_t flags,
			     uint16_t off_wrap)
{
	/* One store: the driver reads the area as one 32-bit snapshot. */
	vq_st32(vq->used, (uint32_t)flags << 16 | off_wrap, __ATOMIC_RELAXED);
	if (guest_mem_dirty_logging(vq->mem))
		guest_mem_mark_dirty(vq->mem, vq->used_gpa, EV_AREA_BYTES);
}

static uint16_t avail_off_wrap(const struct virtqueue *vq)
{
	return (uint16_t)(vq->last_avail_idx |
			  (vq->avail_wrap ? 1u << EV_WRAP_SHIFT : 0));
}

/* --- setup ------------------------------------------------------------- */

int vqp_enable(struct virtqueue *vq, char *err, size_t errlen)
{
	uint32_t size = vq->size;
	uint8_t *desc, *drv, *dev;

	int ret = vq_map_ring(vq, "descriptor", vq->desc_gpa, ring_bytes(size),
			      16, &desc, err, errlen);
	if (!ret)
		ret = vq_map_ring(vq, "driver event", vq->avail_gpa,
				  EV_AREA_BYTES, 4, &drv, err, errlen);
	if (!ret)
		ret = vq_map_ring(vq, "device event", vq->used_gpa,
				  EV_AREA_BYTES, 4, &dev, err, errlen);
	if (ret)
		return ret;
	/* We write the device area: it must not alias what we read. */
	if (vq_overlaps(vq->used_gpa, EV_AREA_BYTES, vq->desc_gpa,
			ring_bytes(size)) ||
	    vq_overlaps(vq->used_gpa, EV_AREA_BYTES, vq->avail_gpa,
			EV_AREA_BYTES))
		return errmsg(-EINVAL, err, errlen,
			      "device event area at %#llx overlaps the ring "
			      "or the driver area",
			      (unsigned long long)vq->used_gpa);
	uint16_t *ndescs = calloc(size, sizeof(*ndescs));
	if (!ndescs)
		return errmsg(-ENOMEM, err, errlen, "no memory for %u IDs", size);

	free(vq->ndescs);
	vq->ndescs = ndescs;
	vq->desc = desc;
	vq->avail = drv;
	vq->used = dev;
	vq->packed = true;
	vq->event_idx = vq->features & (1ull << VIRTIO_F_EVENT_IDX);
	vq->indirect = vq->features & (1ull << VIRTIO_F_INDIRECT_DESC);
	vq->last_avail_idx = 0;
	vq->avail_wrap = true;
	vq->used_idx = 0;
	vq->used_wrap = true;
	vq->signalled_used = 0;
	vq->signalled_valid = false;
	vq->used_since_signal = 0;
	vq->notify_off = false;
	vq->broken = false;
	vq->broken_reason[0] = '\0';
	memset(vq->inflight, 0, sizeof(vq->inflight));
	vq->enabled = true;
	return 0;
}

/* --- the walker -------------------------------------------------------- */

static int walk_indirect(struct virtqueue *vq, struct vq_walk *w,
			 const struct pdesc *d)
{
	if (!vq->indirect)
		return vq_fail(vq, "indirect descriptor but INDIRECT_DESC not "
			       "negotiated");
	if (d->flags & VIRTQ_DESC_F_NEXT)
		return vq_fail(vq, "indirect descriptor with NEXT set");
	if (d->len == 0 || d->len % 16)
		return vq_fail(vq, "indirect table length %u is not a non-zero "
			       "multiple of 16", d->len);
	if (d->len / 16 > VQ_INDIRECT_MAX)
		return vq_fail(vq, "indirect table of %u entries", d->len / 16);
	const uint8_t *table = guest_mem_slice(vq->mem, d->addr, d->len);
	if (!table)
		return vq_fail(vq, "indirect table [%#llx, +%#x) is not inside "
			       "one RAM region", (unsigned long long)d->addr,
			       d->len);
	/* The table is used in order; its NEXT flags mean nothing. */
	for (uint32_t i = 0; i < d->len / 16; i++) {
		struct pdesc e;
		read_pdesc(table, i, &e);
		if (e.flags & VIRTQ_DESC_F_INDIRECT)
			return vq_fail(vq, "nested indirect table");
		struct vq_buf b = {
			.addr = e.addr, .len = e.len,
			.write = e.flags & VIRTQ_DESC_F_WRITE,
		};
		int ret = vq_add_buffer(vq, w, &b);
		if (ret)
			return ret;
	}
	return 0;
}

/* Walk the chain whose first descriptor (flags `first_flags`, already
 * loaded with acquire) is at the avail position; on success *id is its
 * Buffer ID, *ndesc the ring descriptors it took and (*pos, *wrap) the
 * position after it. */
static int walk_chain(struct virtqueue *vq, uint16_t first_flags,
		      struct vq_chain *c, uint16_t *id, uint32_t *ndesc,
		      uint32_t *pos_out, bool *wrap_out)
{
	struct vq_walk w = { .c = c };
	uint32_t pos = vq->last_avail_idx;
	bool wrap = vq->avail_wrap;
	/* The driver cannot have made more available than the ring holds
	 * beyond what we have not answered yet. */
	uint32_t room = vq->size - outstanding(vq);
	uint32_t n = 0;
	struct pdesc d;

	c->nr_read = c->nr_write = 0;
	c->read_len = c->write_len = 0;
	for (;;) {
		if (n >= room)
			return vq_fail(vq, "chain at %u longer than the %u "
				       "descriptors the ring has free",
				       vq->last_avail_idx, room);
		read_pdesc(vq->desc, pos, &d);
		if (n == 0)
			d.flags = first_flags; /* the checked, acquired copy */
		n++;
		if (++pos == vq->size) {
			pos = 0;
			wrap = !wrap;
		}
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			int ret = walk_indirect(vq, &w, &d);
			if (ret)
				return ret;
			break;
		}
		struct vq_buf b = {
			.addr = d.addr, .len = d.len,
			.write = d.flags & VIRTQ_DESC_F_WRITE,
		};
		int ret = vq_add_buffer(vq, &w, &b);
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
	}
	if (d.id >= vq->size)
		return vq_fail(vq, "buffer id %u >= queue size %u", d.id,
			       vq->size);
	if (vq_inflight_test(vq, d.id))
		return vq_fail(vq, "buffer id %u offered again while in flight",
			       d.id);
	*id = d.id;
	*ndesc = n;
	*pos_out = pos;
	*wrap_out = wrap;
	return 0;
}

/* --- pop / push / unpop ------------------------------------------------ */

int vqp_pop(struct virtqueue *vq, struct vq_chain *chain)
{
	uint16_t flags;

	if (!desc_available(vq, vq->last_avail_idx, vq->avail_wrap, &flags)) {
		if (!vq->event_idx || vq->notify_off)
			return 0;
		/* Ask to be told of the next descriptor, and make that store
		 * visible before concluding the ring is empty. */
		set_device_event(vq, RING_EVENT_FLAGS_DESC, avail_off_wrap(vq));
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!desc_available(vq, vq->last_avail_idx, vq->avail_wrap,
				    &flags))
			return 0;
	}

	uint16_t id = 0;
	uint32_t n = 0, pos = 0;
	bool wrap = false;
	int ret = walk_chain(vq, flags, chain, &id, &n, &pos, &wrap);
	if (ret) {
		chain->nr_read = chain->nr_write = 0;
		chain->read_len = chain->write_len = 0;
		return ret;
	}
	chain->head = id;
	vq->last_avail_idx = (uint16_t)pos;
	vq->avail_wrap = wrap;
	vq->ndescs[id] = (uint16_t)n;
	vq_inflight_set(vq, id, true);
	vq_record_written(vq, chain);
	vq->stats.popped++;
	if (vq->event_idx && !vq->notify_off)
		set_device_event(vq, RING_EVENT_FLAGS_DESC, avail_off_wrap(vq));
	return 1;
}

/* The used descriptor for id at ring position pos, wrap counter wrap. */
static void write_used(struct virtqueue *vq, uint32_t pos, bool wrap, uint16_t id,
		       uint32_t written_len)
{
	uint8_t *d = vq->desc + 16ull * pos;
	uint16_t flags = wrap ? VIRTQ_DESC_F_AVAIL | VIRTQ_DESC_F_USED : 0;

	if (written_len)
		flags |= VIRTQ_DESC_F_WRITE; /* len is meaningful */
	vq_st32(d + PD_LEN, written_len, __ATOMIC_RELAXED);
	vq_st16(d + PD_ID, id, __ATOMIC_RELAXED);
	/* id and len before flags: the driver reads them in the other order. */
	vq_st16(d + PD_FLAGS, flags, __ATOMIC_RELEASE);
	if (guest_mem_dirty_logging(vq->mem))
		guest_mem_mark_dirty(vq->mem, vq->desc_gpa + 16ull * pos, 16);
}

/* The used position after id's descriptors; the counters that go with it. */
static void advance_used(struct virtqueue *vq, uint16_t id)
{
	uint32_t n = vq->ndescs[id];
	uint32_t pos = vq->used_idx + n;
	if (pos >= vq->size) {
		pos -= vq->size;
		vq->used_wrap = !vq->used_wrap;
	}
	vq->used_idx = (uint16_t)pos;
	if (vq->used_since_signal < 2 * vq->size)
		vq->used_since_signal += n;
	vq_mark_written(vq, id);
	vq_inflight_set(vq, id, false);
	vq->stats.completed++;
}

void vqp_push_n(struct virtqueue *vq, const uint16_t *ids, const uint32_t *lens,
		unsigned int n)
{
	/* The driver takes used descriptors in ring order and stops at the
	 * first one not yet used: with the first written last it sees all
	 * n at once. */
	uint32_t first = vq->used_idx;
	bool first_wrap = vq->used_wrap;
	advance_used(vq, ids[0]);
	for (unsigned int i = 1; i < n; i++) {
		write_used(vq, vq->used_idx, vq->used_wrap, ids[i], lens[i]);
		advance_used(vq, ids[i]);
	}
	write_used(vq, first, first_wrap, ids[0], lens[0]);
}

int vqp_unpop(struct virtqueue *vq, const uint16_t *ids, unsigned int n)
{
	uint32_t total = 0, mask = lin_mask(vq);
	unsigned int cleared = 0;
	int ret = -EINVAL;

	/* Each in flight, and once: clear as we go, restore on failure. */
	for (; cleared < n; cleared++) {
		uint16_t id = ids[cleared];
		if (id >= vq->size || !vq_inflight_test(vq, id))
			goto undo;
		vq_inflight_set(vq, id, false);
		total += vq->ndescs[id];
	}
	if (total > outstanding(vq))
		goto undo;
	uint32_t start = (lin(vq, vq->last_avail_idx, vq->avail_wrap) - total) & mask;
	/* Each chain must still be what the ring holds at its position. */
	uint32_t p = start;
	for (unsigned int i = 0; i < n; i++) {
		uint32_t pos = p % vq->size;
		uint32_t last = (p + vq->ndescs[ids[i]] - 1) % vq->size;
		uint16_t flags;
		struct pdesc d;
		if (!desc_available(vq, pos, p < vq->size, &flags))
			goto undo;
		read_pdesc(vq->desc, last, &d);
		if (d.id != ids[i])
			goto undo;
		p = (p + vq->ndescs[ids[i]]) & mask;
	}
	for (unsigned int i = 0; i < n; i++)
		if (vq->written)
			vq->written[ids[i]].valid = false;
	vq->last_avail_idx = (uint16_t)(start % vq->size);
	vq->avail_wrap = start < vq->size;
	return 0;
undo:
	for (unsigned int i = 0; i < cleared; i++)
		vq_inflight_set(vq, ids[i], true);
	return ret;
}

/* --- notifications ----------------------------------------------------- */

bool vqp_should_notify(struct virtqueue *vq)
{
	/* Used descriptor stores before the driver area loads. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Flags first, with acquire: the driver writes off_wrap, then a
	 * barrier, then flags (Linux, QEMU's vring_packed_event_read). */
	uint16_t flags = vq_ld16(vq->avail + EV_FLAGS, __ATOMIC_ACQUIRE) & 3;
	bool valid = vq->signalled_valid;
	uint16_t old = vq->signalled_used;
	uint16_t now = (uint16_t)(vq->used_idx |
				  (vq->used_wrap ? 1u << EV_WRAP_SHIFT : 0));
	uint32_t since = vq->used_since_signal;

	vq->signalled_valid = true;
	vq->signalled_used = now;
	vq->used_since_signal = 0;
	if (flags == RING_EVENT_FLAGS_DISABLE)
		return false;
	/* ENABLE, DESC without EVENT_IDX and the reserved value 3 all get an
	 * interrupt: one too many is harmless, one too few hangs a guest. */
	if (flags != RING_EVENT_FLAGS_DESC || !vq->event_idx || !valid)
		return true;
	if (since >= 2 * vq->size)
		return true; /* went all the way round: passed every point */

	uint16_t ev = vq_ld16(vq->avail + EV_OFF_WRAP, __ATOMIC_RELAXED);
	uint32_t mask = lin_mask(vq);
	uint32_t e = lin(vq, ev & 0x7fff, ev >> EV_WRAP_SHIFT) & mask;
	uint32_t o = lin(vq, old & 0x7fff, old >> EV_WRAP_SHIFT);
	uint32_t w = lin(vq, now & 0x7fff, now >> EV_WRAP_SHIFT);
	/* The event point in [old, now) on the circle, as vring_need_event. */
	return ((w - e - 1) & mask) < ((w - o) & mask);
}

void vqp_disable_notify(struct virtqueue *vq)
{
	vq->notify_off = true;
	vq_st16(vq->used + EV_FLAGS, RING_EVENT_FLAGS_DISABLE, __ATOMIC_RELAXED);
	if (guest_mem_dirty_logging(vq->mem))
		guest_mem_mark_dirty(vq->mem, vq->used_gpa, EV_AREA_BYTES);
}

bool vqp_enable_notify(struct virtqueue *vq)
{
	uint16_t flags;

	vq->notify_off = false;
	if (vq->event_idx)
		set_device_event(vq, RING_EVENT_FLAGS_DESC, avail_off_wrap(vq));
	else
		set_device_event(vq, RING_EVENT_FLAGS_ENABLE, 0);
	/* Area store before the re-check of the next descriptor. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return desc_available(vq, vq->last_avail_idx, vq->avail_wrap, &flags);
}
