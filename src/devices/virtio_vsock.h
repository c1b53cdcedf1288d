/* virtio-vsock (virtio 1.2, section 5.10, device id 19) with the kernel's
 * vhost-vsock as its data path: host programs reach the guest with
 * AF_VSOCK at the guest's CID, and the guest reaches the host at CID 2,
 * without the packets passing through Kiln.
 *
 * Three queues: rx (0) and tx (1) are handed to vhost on activate; the
 * event queue (2) stays with Kiln, which holds the guest's buffers there
 * for transport events (VIRTIO_VSOCK_EVENT_TRANSPORT_RESET, sent when the
 * guest's connections cannot survive, e.g. after a migration). Config
 * space is the le64 guest_cid, read-only. Features are what vhost-vsock
 * offers of the ones Kiln can pass on (VIRTIO_VSOCK_F_SEQPACKET); the
 * transport adds VERSION_1, INDIRECT_DESC and EVENT_IDX, which vhost
 * always implements.
 *
 * The CID is claimed when the device is opened (virtio_vsock_open_vhost),
 * before the guest starts, so a CID that another VM holds is a clear
 * error at startup rather than a device that fails later.
 *
 * activate: VHOST_SET_FEATURES (negotiated), the memory table, rx and tx
 * to vhost (call_fd: the queue's irqfd, else a relay thread), then
 * VHOST_VSOCK_SET_RUNNING 1. reset: SET_RUNNING 0, take the queues back,
 * stop the relay.
 *
 * Snapshot and migration: pause is SET_RUNNING 0 and the queues taken back
 * at the positions vhost reports (VHOST_GET_VRING_BASE), resume starts
 * vhost on them again (VHOST_SET_VRING_BASE). A restored device sends the
 * guest VIRTIO_VSOCK_EVENT_TRANSPORT_RESET as it starts, as the spec asks
 * after a migration: the guest drops its connections, whose host side
 * stayed with the old vhost-vsock, and reads its CID again. Data vhost had
 * received for the guest but not yet handed over is lost with them.
 */
#ifndef KILN_DEVICES_VIRTIO_VSOCK_H
#define KILN_DEVICES_VIRTIO_VSOCK_H

#include "core/guest_mem.h"
#include "virtio/vhost_kernel.h"
#include "virtio/virtio_device.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_VSOCK_QUEUE_SIZE 256
#define VIRTIO_VSOCK_RX 0
#define VIRTIO_VSOCK_TX 1
#define VIRTIO_VSOCK_EVENT 2
#define VIRTIO_VSOCK_NUM_QUEUES 3
#define VIRTIO_VSOCK_VHOST_PATH "/dev/vhost-vsock"

/* CIDs a guest may have: 0, 1 and 2 are the hypervisor, local and host;
 * 0xffffffff is VMADDR_CID_ANY. */
#define VIRTIO_VSOCK_CID_MIN 3ull
#define VIRTIO_VSOCK_CID_MAX 0xfffffffeull

extern const struct virtio_device_ops virtio_vsock_ops;

struct virtio_vsock;

/* Open dev_path (VIRTIO_VSOCK_VHOST_PATH) and claim `cid` with
 * VHOST_VSOCK_SET_GUEST_CID. 0, or -errno with a one-line reason in err
 * (-EADDRINUSE: another VM has that CID). */
int virtio_vsock_open_vhost(struct vhost_kernel *v, const char *dev_path,
			    uint64_t cid, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The device for an opened vhost-vsock `v` (taken over: closed by destroy,
 * or here on failure) whose CID is `cid`, on guest memory `mem`. -ENOTSUP
 * with a reason if the kernel lacks a feature Kiln relies on, -ENOMEM. */
int virtio_vsock_create(struct virtio_vsock **out, struct vhost_kernel *v,
			uint64_t cid, struct guest_mem *mem, char *err,
			size_t errlen) __attribute__((warn_unused_result));
/* The transport must have been destroyed (or reset) first; NULL is a no-op. */
void virtio_vsock_destroy(struct virtio_vsock *vs);

uint64_t virtio_vsock_cid(const struct virtio_vsock *vs);
/* Device-specific features offered to the guest. */
uint64_t virtio_vsock_features(const struct virtio_vsock *vs);
/* TRANSPORT_RESET events the guest was sent (one after each restore). */
uint64_t virtio_vsock_resets_sent(struct virtio_vsock *vs);

#endif
