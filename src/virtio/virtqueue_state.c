/* A virtqueue as saved state (snapshot, migration). */
#include "virtio/virtqueue.h"

#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(struct virtqueue_state) == 56, "virtqueue_state has padding");

int virtqueue_save(const struct virtqueue *vq, struct virtqueue_state *out)
{
	for (size_t i = 0; i < sizeof(vq->inflight) / sizeof(vq->inflight[0]); i++)
		if (vq->inflight[i])
			return -EBUSY;
	if (vq->enabled && (vq->used_idx != vq->last_avail_idx ||
			    (vq->packed && vq->used_wrap != vq->avail_wrap)))
		return -EBUSY;
	memset(out, 0, sizeof(*out));
	out->version = VIRTQUEUE_STATE_VERSION;
	out->size = vq->size;
	out->desc_gpa = vq->desc_gpa;
	out->avail_gpa = vq->avail_gpa;
	out->used_gpa = vq->used_gpa;
	out->features = vq->features;
	out->enabled = vq->enabled;
	out->broken = vq->broken;
	out->event_idx = vq->event_idx;
	out->indirect = vq->indirect;
	out->notify_off = vq->notify_off;
	out->signalled_valid = vq->signalled_valid;
	out->last_avail_idx = vq->last_avail_idx;
	out->used_idx = vq->used_idx;
	out->signalled_used = vq->signalled_used;
	if (vq->enabled && vq->packed) {
		out->packed = 1;
		out->last_avail_idx |= (uint16_t)(vq->avail_wrap << 15);
		out->used_idx |= (uint16_t)(vq->used_wrap << 15);
	}
	return 0;
}

static int check_state(const struct virtqueue_state *st, char *err,
		       size_t errlen)
{
	/* Version 1 had `packed` as a reserved byte that had to be 0. */
	if (st->version != VIRTQUEUE_STATE_VERSION && st->version != 1)
		return errmsg(-EINVAL, err, errlen, "queue state version %u, "
			      "expected 1 or %u", st->version,
			      VIRTQUEUE_STATE_VERSION);
	if (st->version == 1 && st->packed)
		return errmsg(-EINVAL, err, errlen, "reserved bytes set in a "
			      "version 1 queue state");
	if (st->enabled > 1 || st->broken > 1 || st->event_idx > 1 ||
	    st->indirect > 1 || st->notify_off > 1 || st->signalled_valid > 1 ||
	    st->packed > 1 || st->reserved[0] || st->reserved[1] ||
	    st->reserved[2])
		return errmsg(-EINVAL, err, errlen, "queue flags not 0/1 or "
			      "reserved bytes set");
	if (!st->enabled) {
		if (st->broken || st->event_idx || st->indirect || st->notify_off ||
		    st->signalled_valid || st->last_avail_idx || st->used_idx ||
		    st->signalled_used || st->packed)
			return errmsg(-EINVAL, err, errlen, "disabled queue with "
				      "ring state");
		return 0;
	}
	if (st->event_idx != !!(st->features & (1ull << VIRTIO_F_EVENT_IDX)) ||
	    st->indirect != !!(st->features & (1ull << VIRTIO_F_INDIRECT_DESC)) ||
	    st->packed != !!(st->features & (1ull << VIRTIO_F_RING_PACKED)))
		return errmsg(-EINVAL, err, errlen, "ring flags disagree with "
			      "features 0x%llx", (unsigned long long)st->features);
	if (st->used_idx != st->last_avail_idx)
		return errmsg(-EINVAL, err, errlen, "%u chains in flight (used "
			      "%u, avail %u)", (uint16_t)(st->last_avail_idx - st->used_idx),
			      st->used_idx, st->last_avail_idx);
	if (!st->signalled_valid && st->signalled_used)
		return errmsg(-EINVAL, err, errlen, "signalled index without "
			      "a signal");
	/* Packed positions (the wrap counter in bit 15) must be in the ring. */
	if (st->packed && ((st->last_avail_idx & 0x7fff) >= st->size ||
			   (st->signalled_used & 0x7fff) >= st->size))
		return errmsg(-EINVAL, err, errlen, "packed ring position %u or "
			      "signalled position %u outside a ring of %u",
			      st->last_avail_idx & 0x7fff,
			      st->signalled_used & 0x7fff, st->size);
	return 0;
}

int virtqueue_restore(struct virtqueue *vq, const struct virtqueue_state *in,
		      char *err, size_t errlen)
{
	virtqueue_reset(vq);
	int r = check_state(in, err, errlen);
	if (r || !in->enabled)
		return r;
	if (in->size > VIRTQ_MAX_SIZE)
		return errmsg(-EINVAL, err, errlen, "queue size %u", in->size);
	vq->size = in->size;
	vq->desc_gpa = in->desc_gpa;
	vq->avail_gpa = in->avail_gpa;
	vq->used_gpa = in->used_gpa;
	vq->features = in->features;
	r = virtqueue_enable(vq, err, errlen);
	if (r) {
		virtqueue_reset(vq);
		return -EINVAL;
	}
	vq->last_avail_idx = in->last_avail_idx;
	vq->used_idx = in->used_idx;
	if (vq->packed) {
		vq->last_avail_idx = in->last_avail_idx & 0x7fff;
		vq->avail_wrap = in->last_avail_idx >> 15;
		vq->used_idx = in->used_idx & 0x7fff;
		vq->used_wrap = in->used_idx >> 15;
	}
	vq->signalled_used = in->signalled_used;
	vq->signalled_valid = in->signalled_valid;
	vq->notify_off = in->notify_off;
	if (in->broken) {
		vq->broken = true;
		snprintf(vq->broken_reason, sizeof(vq->broken_reason),
			 "broken when the state was saved");
	}
	return 0;
}
