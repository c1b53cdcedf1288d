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
	if (vq->enabled && vq->used_idx != vq->last_avail_idx)
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
	return 0;
}

static int check_state(const struct virtqueue_state *st, char *err,
		       size_t errlen)
{
	if (st->version != VIRTQUEUE_STATE_VERSION)
		return errmsg(-EINVAL, err, errlen, "queue state version %u, "
			      "expected %u", st->version, VIRTQUEUE_STATE_VERSION);
	if (st->enabled > 1 || st->broken > 1 || st->event_idx > 1 ||
	    st->indirect > 1 || st->notify_off > 1 || st->signalled_valid > 1 ||
	    st->reserved[0] || st->reserved[1] || st->reserved[2] || st->reserved[3])
		return errmsg(-EINVAL, err, errlen, "queue flags not 0/1 or "
			      "reserved bytes set");
	if (!st->enabled) {
		if (st->broken || st->event_idx || st->indirect || st->notify_off ||
		    st->signalled_valid || st->last_avail_idx || st->used_idx ||
		    st->signalled_used)
			return errmsg(-EINVAL, err, errlen, "disabled queue with "
				      "ring state");
		return 0;
	}
	if (st->event_idx != !!(st->features & (1ull << VIRTIO_F_EVENT_IDX)) ||
	    st->indirect != !!(st->features & (1ull << VIRTIO_F_INDIRECT_DESC)))
		return errmsg(-EINVAL, err, errlen, "ring flags disagree with "
			      "features 0x%llx", (unsigned long long)st->features);
	if (st->used_idx != st->last_avail_idx)
		return errmsg(-EINVAL, err, errlen, "%u chains in flight (used "
			      "%u, avail %u)", (uint16_t)(st->last_avail_idx - st->used_idx),
			      st->used_idx, st->last_avail_idx);
	if (!st->signalled_valid && st->signalled_used)
		return errmsg(-EINVAL, err, errlen, "signalled index without "
			      "a signal");
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
