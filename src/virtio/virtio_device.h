/* The transport-neutral virtio device interface.
 *
 * A device kind (rng, blk, net, ...) describes itself with one const
 * struct virtio_device_ops; a transport (virtio-pci today, virtio-mmio
 * later) wraps one device instance and owns the struct virtio_device that
 * the device works with: its virtqueues, the negotiated features, one kick
 * eventfd per queue, and the two ways back to the guest
 * (virtio_notify_queue, virtio_set_needs_reset).
 *
 * Life cycle, as the transport drives it:
 *   - the guest negotiates features (the transport adds VERSION_1,
 *     INDIRECT_DESC and, if ops->event_idx, EVENT_IDX to device_features);
 *   - the guest sets up and enables queues (the transport validates them
 *     with virtqueue_enable);
 *   - on DRIVER_OK the transport calls ops->activate(dev, vdev): from then
 *     on the virtqueues belong to the device (usually its own thread, which
 *     waits on vdev->kick_fd[q]); the transport does not touch them;
 *   - on a reset (status 0) or destroy the transport calls ops->reset(dev)
 *     first - the device must stop and join its thread and must not touch
 *     vdev afterwards - and only then resets the queues. reset is called
 *     whether or not activate was.
 *
 * Threads: activate/reset/config_read/config_write run on a vCPU (or
 * setup) thread with the transport's register lock held; they must not call
 * back into the transport except for the two functions below, which are
 * safe from any thread without the transport lock (the device thread calls
 * them) and never block on it.
 */
#ifndef KILN_VIRTIO_VIRTIO_DEVICE_H
#define KILN_VIRTIO_VIRTIO_DEVICE_H

#include "virtio/virtqueue.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h> /* ssize_t */

#ifndef VIRTIO_F_VERSION_1
#define VIRTIO_F_VERSION_1 32
#endif

struct virtio_device;

struct virtio_device_ops {
	const char *name;         /* "virtio-rng", for log lines */
	uint32_t device_id;       /* VIRTIO_ID_* */
	uint16_t num_queues;      /* >= 1 */
	uint16_t max_queue_size;  /* power of two, <= VIRTQ_MAX_SIZE */
	uint64_t device_features; /* device-specific bits only */
	bool event_idx;           /* the device copes with VIRTIO_F_EVENT_IDX */
	uint32_t config_size;     /* bytes of device config, 0: none */
	/* [off, off + len) is within config_size (the transport checks). */
	void (*config_read)(void *dev, uint32_t off, void *buf, uint32_t len);
	void (*config_write)(void *dev, uint32_t off, const void *buf,
			     uint32_t len);
	/* DRIVER_OK: features negotiated, the enabled queues validated.
	 * 0, or -errno (the transport then sets DEVICE_NEEDS_RESET). */
	int (*activate)(void *dev, struct virtio_device *vdev);
	/* Stop using vdev (join threads); back to the just-created state. */
	void (*reset)(void *dev);
	/* Optional per-instance values, asked once when the transport is
	 * created (a disk's queue count, a read-only disk's RO bit, a NIC's
	 * offloads): when set they replace num_queues / device_features. */
	unsigned int (*get_num_queues)(void *dev);
	uint64_t (*get_device_features)(void *dev);

	/* Snapshot and migration (see virtio_pci_pause/save/restore). A
	 * device without pause/resume cannot be snapshotted: the transport
	 * refuses with -EOPNOTSUPP.
	 * pause: only while activated. Finish the chain being served (push
	 * it), stop the device's threads and leave the queues exactly as they
	 * are - unlike reset, nothing is forgotten and vdev stays the
	 * device's - so nothing is in flight and the queues can be saved.
	 * resume: start serving the same queues again; 0 or -errno (the
	 * transport then sets DEVICE_NEEDS_RESET). A reset while paused is
	 * allowed and forgets the pause. */
	void (*pause)(void *dev);
	int (*resume)(void *dev);
	/* Device state beyond what the transport saves (config space that
	 * the driver writes, host-side state the guest can observe), as
	 * opaque versioned bytes the device itself validates. Optional: a
	 * device whose state is all in its queues and command line (rng, blk)
	 * leaves both NULL. save runs while paused (or not activated): the
	 * bytes written, or -ENOSPC if cap is too small, or -errno. restore
	 * runs on a just-created (or reset) device before activate, with the
	 * features the transport restores as negotiated (0 before
	 * FEATURES_OK), so the bytes can be checked against them: 0, or
	 * -EINVAL with a one-line reason in err for bytes it does not
	 * accept. Whatever restore accepted, the activate that follows (when
	 * the state has DRIVER_OK) starts from. */
	ssize_t (*save)(void *dev, void *buf, size_t cap);
	int (*restore)(void *dev, const void *buf, size_t len, uint64_t features,
		       char *err, size_t errlen);
};

/* How a device reaches its transport; filled in by the transport. */
struct virtio_transport_ops {
	/* Raise the queue's completion interrupt (unconditionally). */
	void (*notify_queue)(void *transport, unsigned int q);
	/* Set DEVICE_NEEDS_RESET and raise the config interrupt. */
	void (*needs_reset)(void *transport);
	/* Device config changed: bump config_generation, config interrupt. */
	void (*config_changed)(void *transport);
	/* An eventfd whose signal raises queue q's interrupt without passing
	 * through Kiln (a KVM irqfd on the queue's MSI-X vector), for a kernel
	 * data path such as vhost to signal directly; -1 when there is none
	 * (no vector, or no irqfd support): the device must then relay. Call
	 * from activate; the fd stays valid until the device is reset, and
	 * while the vector is masked its signals wait in the eventfd. */
	int (*queue_irqfd)(void *transport, unsigned int q);
};

struct virtio_device {
	const struct virtio_device_ops *ops;
	void *dev;                 /* the device's own state (ops' first arg) */
	unsigned int num_queues;
	struct virtqueue *vqs;     /* [num_queues] */
	int *kick_fd;              /* [num_queues] eventfds, EFD_NONBLOCK */
	uint64_t features;         /* negotiated; stable while activated */
	const struct virtio_transport_ops *tops;
	void *transport;
};

static inline bool virtio_has_feature(const struct virtio_device *vdev,
				      unsigned int bit)
{
	return bit < 64 && (vdev->features >> bit) & 1;
}

/* After pushing to queue q: interrupt the guest if it wants one (true:
 * an interrupt was raised). Call from the thread that owns the queue. */
static inline bool virtio_notify_queue(struct virtio_device *vdev,
				       unsigned int q)
{
	if (q >= vdev->num_queues || !virtqueue_should_notify(&vdev->vqs[q]))
		return false;
	vdev->tops->notify_queue(vdev->transport, q);
	return true;
}

/* A queue broke (virtqueue_pop returned -EIO) or the device cannot go on:
 * DEVICE_NEEDS_RESET plus a config interrupt. The device stops processing
 * until its reset op is called. */
static inline void virtio_set_needs_reset(struct virtio_device *vdev)
{
	vdev->tops->needs_reset(vdev->transport);
}

static inline void virtio_config_changed(struct virtio_device *vdev)
{
	vdev->tops->config_changed(vdev->transport);
}

/* For config_read: bytes [off, off + len) of a device's config image,
 * zeros past its end (the transport bounds off/len by config_size). */
static inline void virtio_config_copy(void *buf, uint32_t off, uint32_t len,
				      const void *cfg, size_t cfg_size)
{
	memset(buf, 0, len);
	if (off >= cfg_size)
		return;
	if (len > cfg_size - off)
		len = (uint32_t)(cfg_size - off);
	memcpy(buf, (const uint8_t *)cfg + off, len);
}

static inline int virtio_queue_irqfd(struct virtio_device *vdev, unsigned int q)
{
	if (q >= vdev->num_queues || !vdev->tops->queue_irqfd)
		return -1;
	return vdev->tops->queue_irqfd(vdev->transport, q);
}

#endif
