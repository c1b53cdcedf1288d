/* virtio-pci pause/resume and saved state (snapshot, migration); the
 * layout and the rules are in virtio_pci.h. */
#include "virtio/virtio_pci.h"

#include "core/log.h"
#include "core/util.h"
#include "virtio/virtio_pci_internal.h"

#include <errno.h>
#include <linux/virtio_pci.h>
#include <string.h>

_Static_assert(sizeof(struct virtio_pci_queue_state) ==
		       32 + sizeof(struct virtqueue_state),
	       "virtio_pci_queue_state has padding");
_Static_assert(sizeof(struct virtio_pci_state) ==
		       56 + sizeof(struct pci_device_state) +
			       sizeof(struct pci_msix_state) +
			       VIRTIO_PCI_MAX_QUEUES *
				       sizeof(struct virtio_pci_queue_state),
	       "virtio_pci_state has padding");

int virtio_pci_pause(struct virtio_pci *t)
{
	if (!t->ops->pause || !t->ops->resume)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&t->lock);
	if (t->activated && !t->paused) {
		t->ops->pause(t->vdev.dev);
		t->paused = true;
	}
	pthread_mutex_unlock(&t->lock);
	return 0;
}

int virtio_pci_resume(struct virtio_pci *t)
{
	int r = 0;
	pthread_mutex_lock(&t->lock);
	if (t->paused) {
		t->paused = false;
		r = t->ops->resume(t->vdev.dev);
		if (r) {
			pr_warn("%s: resume failed: %s", t->name, strerror(-r));
			vpci_needs_reset(t);
		}
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

/* ---- Save ---------------------------------------------------------------- */

int virtio_pci_save(struct virtio_pci *t, struct virtio_pci_state *out)
{
	int r = 0;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&t->lock);
	if (t->activated && !t->paused) {
		r = -EBUSY;
		goto out;
	}
	out->version = VIRTIO_PCI_STATE_VERSION;
	out->device_id = t->ops->device_id;
	out->offered = t->offered;
	out->driver_features = t->driver_features;
	out->features = t->vdev.features;
	out->dfsel = t->dfsel;
	out->gfsel = t->gfsel;
	out->queue_select = t->queue_select;
	out->msix_config = atomic_load(&t->msix_config);
	out->status = atomic_load(&t->status);
	out->isr = atomic_load(&t->isr);
	out->generation = atomic_load(&t->generation);
	out->driver_unknown_hi = t->driver_unknown_hi;
	out->num_queues = (uint16_t)t->vdev.num_queues;
	for (unsigned int i = 0; i < t->vdev.num_queues && !r; i++) {
		struct virtio_pci_queue_state *qs = &out->queues[i];
		const struct vpci_queue *q = &t->q[i];
		qs->size = q->size;
		qs->msix_vector = atomic_load(&q->msix_vector);
		qs->enabled = q->enabled;
		qs->desc = q->desc;
		qs->driver = q->driver;
		qs->device = q->device;
		r = virtqueue_save(&t->vdev.vqs[i], &qs->vq);
	}
	if (!r) {
		pci_device_save(&t->pci, &out->pci);
		pci_msix_save(&t->msix, &out->msix);
	}
out:
	pthread_mutex_unlock(&t->lock);
	return r;
}

ssize_t virtio_pci_save_device(struct virtio_pci *t, void *buf, size_t cap)
{
	ssize_t r = 0;
	pthread_mutex_lock(&t->lock);
	if (t->activated && !t->paused)
		r = -EBUSY;
	else if (t->ops->save)
		r = t->ops->save(t->vdev.dev, buf, cap);
	pthread_mutex_unlock(&t->lock);
	return r;
}

/* ---- Restore -------------------------------------------------------------- */

static bool is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

static int check_queue(struct virtio_pci *t, const struct virtio_pci_state *st,
		       unsigned int i, char *err, size_t errlen)
{
	const struct virtio_pci_queue_state *qs = &st->queues[i];
	uint32_t max = t->ops->max_queue_size;
	if (!qs->size || qs->size > max || (qs->size & (qs->size - 1)))
		return errmsg(-EINVAL, err, errlen, "%s: queue %u size %u is not a "
			      "power of two in 1..%u", t->name, i, qs->size, max);
	if (!vpci_valid_vector(t, qs->msix_vector) || qs->enabled > 1 ||
	    !is_zero(qs->reserved, sizeof(qs->reserved)))
		return errmsg(-EINVAL, err, errlen, "%s: queue %u: bad vector %u or "
			      "flags", t->name, i, qs->msix_vector);
	if (qs->enabled != qs->vq.enabled)
		return errmsg(-EINVAL, err, errlen, "%s: queue %u enabled in the "
			      "registers but not the ring, or back", t->name, i);
	if (!qs->enabled)
		return 0;
	if (!(st->status & VIRTIO_CONFIG_S_FEATURES_OK))
		return errmsg(-EINVAL, err, errlen, "%s: queue %u enabled without "
			      "FEATURES_OK", t->name, i);
	if (qs->vq.size != qs->size || qs->vq.desc_gpa != qs->desc ||
	    qs->vq.avail_gpa != qs->driver || qs->vq.used_gpa != qs->device ||
	    qs->vq.features != st->features)
		return errmsg(-EINVAL, err, errlen, "%s: queue %u registers differ "
			      "from its ring", t->name, i);
	return 0;
}

/* Everything that does not need applying to check. Transport lock held. */
static int check_state(struct virtio_pci *t, const struct virtio_pci_state *st,
		       char *err, size_t errlen)
{
	if (st->version != VIRTIO_PCI_STATE_VERSION)
		return errmsg(-EINVAL, err, errlen, "%s: state version %u, expected "
			      "%u", t->name, st->version, VIRTIO_PCI_STATE_VERSION);
	if (st->device_id != t->ops->device_id || st->offered != t->offered ||
	    st->num_queues != t->vdev.num_queues)
		return errmsg(-EINVAL, err, errlen, "%s: saved from another device "
			      "(id %u, features 0x%llx, %u queues; this one: %u, "
			      "0x%llx, %u)", t->name, st->device_id,
			      (unsigned long long)st->offered, st->num_queues,
			      t->ops->device_id, (unsigned long long)t->offered,
			      t->vdev.num_queues);
	if (st->driver_unknown_hi > 1 || !is_zero(st->reserved, sizeof(st->reserved)))
		return errmsg(-EINVAL, err, errlen, "%s: reserved bytes set", t->name);
	if (st->status & (uint8_t)~(STATUS_DRIVER_BITS | VIRTIO_CONFIG_S_NEEDS_RESET))
		return errmsg(-EINVAL, err, errlen, "%s: unknown status bits 0x%x",
			      t->name, st->status);
	if (st->isr & (uint8_t)~(ISR_QUEUE | ISR_CONFIG))
		return errmsg(-EINVAL, err, errlen, "%s: unknown ISR bits 0x%x",
			      t->name, st->isr);
	if (!vpci_valid_vector(t, st->msix_config))
		return errmsg(-EINVAL, err, errlen, "%s: config vector %u out of "
			      "range", t->name, st->msix_config);
	if (st->status & VIRTIO_CONFIG_S_FEATURES_OK) {
		if (st->features != st->driver_features || st->driver_unknown_hi ||
		    (st->features & ~t->offered) ||
		    !(st->features & (1ull << VIRTIO_F_VERSION_1)))
			return errmsg(-EINVAL, err, errlen, "%s: negotiated features "
				      "0x%llx were not offered (0x%llx) or not what "
				      "the driver wrote", t->name,
				      (unsigned long long)st->features,
				      (unsigned long long)t->offered);
	} else if (st->features) {
		return errmsg(-EINVAL, err, errlen, "%s: features negotiated "
			      "without FEATURES_OK", t->name);
	}
	if ((st->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(st->status & VIRTIO_CONFIG_S_FEATURES_OK))
		return errmsg(-EINVAL, err, errlen, "%s: DRIVER_OK without "
			      "FEATURES_OK", t->name);
	for (unsigned int i = 0; i < t->vdev.num_queues; i++) {
		int r = check_queue(t, st, i, err, errlen);
		if (r)
			return r;
	}
	for (unsigned int i = t->vdev.num_queues; i < VIRTIO_PCI_MAX_QUEUES; i++)
		if (!is_zero(&st->queues[i], sizeof(st->queues[i])))
			return errmsg(-EINVAL, err, errlen, "%s: state for queue %u, "
				      "which the device does not have", t->name, i);
	return 0;
}

/* Transport lock held, the transport just reset: the registers, the
 * queues and the device's own bytes. Status comes last (finish). */
static int apply_transport(struct virtio_pci *t, const struct virtio_pci_state *st,
			   const void *dev_state, size_t dev_len, char *err,
			   size_t errlen)
{
	t->driver_features = st->driver_features;
	t->driver_unknown_hi = st->driver_unknown_hi;
	t->vdev.features = st->features;
	t->dfsel = st->dfsel;
	t->gfsel = st->gfsel;
	t->queue_select = st->queue_select;
	for (unsigned int i = 0; i < t->vdev.num_queues; i++) {
		const struct virtio_pci_queue_state *qs = &st->queues[i];
		struct vpci_queue *q = &t->q[i];
		char why[128];
		int r = virtqueue_restore(&t->vdev.vqs[i], &qs->vq, why, sizeof(why));
		if (r)
			return errmsg(r, err, errlen, "%s: queue %u: %s", t->name, i, why);
		q->size = qs->size;
		atomic_store(&q->msix_vector, qs->msix_vector);
		q->enabled = qs->enabled;
		q->desc = qs->desc;
		q->driver = qs->driver;
		q->device = qs->device;
	}
	if (dev_len && !t->ops->restore)
		return errmsg(-EINVAL, err, errlen, "%s: device state of %zu bytes "
			      "refused (the device keeps none)", t->name, dev_len);
	if (dev_len) {
		char why[192] = "";
		int r = t->ops->restore(t->vdev.dev, dev_state, dev_len, st->features,
					why, sizeof(why));
		if (r)
			return errmsg(-EINVAL, err, errlen, "%s: device state refused: %s",
				      t->name, why[0] ? why : "invalid");
	}
	return 0;
}

/* The PCI side goes in without the transport lock: BAR (un)registrations
 * take the io_bus's write lock when they apply, and a dispatch holds its
 * read lock while it waits for the transport lock. */
int virtio_pci_restore(struct virtio_pci *t, const struct virtio_pci_state *in,
		       const void *dev_state, size_t dev_len, char *err,
		       size_t errlen)
{
	pthread_mutex_lock(&t->lock);
	vpci_device_reset(t);
	int r = check_state(t, in, err, errlen);
	if (!r)
		r = apply_transport(t, in, dev_state, dev_len, err, errlen);
	pthread_mutex_unlock(&t->lock);
	if (!r)
		r = pci_device_restore(&t->pci, &in->pci, err, errlen);
	if (!r)
		r = pci_msix_restore(&t->msix, &in->msix, err, errlen);
	pthread_mutex_lock(&t->lock);
	if (r) {
		vpci_device_reset(t);
	} else {
		atomic_store(&t->msix_config, in->msix_config);
		atomic_store(&t->generation, in->generation);
		atomic_store(&t->isr, in->isr);
		atomic_store(&t->status, in->status);
		if (in->status & VIRTIO_CONFIG_S_DRIVER_OK)
			vpci_activate(t);
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}
