/* The kernel's vhost data paths (/dev/vhost-net, /dev/vhost-vsock): the
 * ioctls every vhost device issues, shared so each device only adds its
 * own backend calls (VHOST_NET_SET_BACKEND, VHOST_VSOCK_SET_RUNNING...).
 *
 * Once a queue is handed to vhost the kernel reads and writes the guest's
 * rings directly, through the host mappings of guest RAM that
 * vhost_kernel_set_mem_table gave it: Kiln's virtqueue code must not touch
 * that queue again until vhost_kernel_stop_queue. Kicks reach vhost through
 * the transport's kick eventfd (an ioeventfd in KVM); completions leave it
 * through the call eventfd, which is either the transport's irqfd for the
 * queue's MSI-X vector (straight into KVM) or, when there is none, an
 * eventfd of a struct vhost_call_relay below.
 *
 * Usage from a device (after vhost_kernel_open at creation):
 *	activate:  vhost_kernel_set_features(v, vdev->features & v->features)
 *	           vhost_kernel_set_mem_table(v, mem)
 *	           vhost_call_relay_start(&relay, vdev, nq)
 *	           vhost_kernel_start_queue(v, q, &vdev->vqs[q],
 *	                                    vdev->kick_fd[q], relay.call_fd[q])
 *	           (the device's backend ioctl)
 *	reset:     (backend off), vhost_kernel_stop_queue(v, q, &idx) for each q,
 *	           vhost_call_relay_stop(&relay)
 *
 * Every function returns 0 or -errno (the ioctl's error).
 */
#ifndef KILN_VIRTIO_VHOST_KERNEL_H
#define KILN_VIRTIO_VHOST_KERNEL_H

#include "core/guest_mem.h"
#include "virtio/virtio_device.h"
#include "virtio/virtqueue.h"

#include <linux/vhost_types.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vhost_kernel {
	int fd;            /* -1 when closed */
	uint64_t features; /* offered by the kernel (VHOST_GET_FEATURES) */
	char name[24];     /* "vhost-net", from the device path, for logs */
	bool logging;      /* set up with a dirty log (vhost_kernel_setup) */
};

/* Open dev_path (e.g. "/dev/vhost-net"), VHOST_SET_OWNER (this process's
 * memory is what the addresses below refer to), VHOST_GET_FEATURES.
 * 0, or -errno with a one-line reason ("/dev/vhost-net: No such file or
 * directory") in err; on failure v->fd is -1. */
int vhost_kernel_open(struct vhost_kernel *v, const char *dev_path, char *err,
		      size_t errlen) __attribute__((warn_unused_result));
/* Close the device (the kernel stops every queue); fd -1 is a no-op. */
void vhost_kernel_close(struct vhost_kernel *v);

/* VHOST_SET_FEATURES. -EINVAL (without asking the kernel) for bits the
 * kernel did not offer. */
int vhost_kernel_set_features(struct vhost_kernel *v, uint64_t features)
	__attribute__((warn_unused_result));

/* The VHOST_SET_MEM_TABLE argument for guest memory `mem`: one region per
 * guest_mem region (gpa, size, host address). Allocated; free() it.
 * 0 and *out, -EINVAL for memory without regions, -ENOMEM. */
int vhost_kernel_mem_table(const struct guest_mem *mem,
			   struct vhost_memory **out)
	__attribute__((warn_unused_result));
/* VHOST_SET_MEM_TABLE from every guest_mem region. */
int vhost_kernel_set_mem_table(struct vhost_kernel *v,
			       const struct guest_mem *mem)
	__attribute__((warn_unused_result));

/* The device-wide set-up before its queues start (activate, resume):
 * VHOST_SET_MEM_TABLE from mem, then VHOST_SET_FEATURES(features). While
 * mem is dirty-logged (a live migration is copying RAM), the kernel must
 * log what it writes too: VHOST_SET_LOG_BASE(guest_mem_vhost_log(mem))
 * goes before the features, which get VHOST_F_LOG_ALL, and the queues
 * started afterwards log their used rings. Restart the device (pause,
 * resume) to move it in or out of logging. -EINVAL (no ioctl) for
 * features the kernel did not offer, -EOPNOTSUPP when logging is needed
 * and the kernel cannot log. */
int vhost_kernel_setup(struct vhost_kernel *v, uint64_t features,
		       struct guest_mem *mem) __attribute__((warn_unused_result));

/* Hand an enabled virtqueue to the kernel as its queue `index`:
 * VHOST_SET_VRING_NUM (vq->size), _BASE (vq->last_avail_idx), _ADDR (the
 * host addresses vq->desc/avail/used, no dirty logging), _KICK (kick_fd),
 * _CALL (call_fd). -EINVAL if vq is not enabled. After a set-up with
 * logging the queue logs its used ring (VHOST_VRING_F_LOG). */
int vhost_kernel_start_queue(struct vhost_kernel *v, unsigned int index,
			     const struct virtqueue *vq, int kick_fd,
			     int call_fd) __attribute__((warn_unused_result));
/* VHOST_SET_VRING_ERR: the kernel signals err_fd when it cannot use the
 * queue's ring (a descriptor it cannot map, a bad index) and stops serving
 * it. Pass the relay's err_fd[q] (below), which sets DEVICE_NEEDS_RESET. */
int vhost_kernel_set_vring_err(struct vhost_kernel *v, unsigned int index,
			       int err_fd) __attribute__((warn_unused_result));
/* VHOST_GET_VRING_BASE (the kernel stops the queue; *last_avail gets its
 * position), then unbind the kick, call and error eventfds so that a later kick
 * cannot wake the kernel's worker for a queue Kiln has taken back. Stop
 * the device's backend first. */
int vhost_kernel_stop_queue(struct vhost_kernel *v, unsigned int index,
			    uint16_t *last_avail)
	__attribute__((warn_unused_result));

/* Completion relay for queues whose transport has no irqfd
 * (virtio_queue_irqfd returns -1): the kernel signals an eventfd of ours
 * and a thread raises the queue's interrupt with the transport's
 * notify_queue, unconditionally (vhost already applied EVENT_IDX /
 * NO_INTERRUPT suppression before signalling). Queues that do have an irqfd
 * get it as their call_fd and no relaying. The same thread watches one
 * error eventfd per queue (VHOST_SET_VRING_ERR): a ring the kernel refused
 * makes the device NEEDS_RESET, with a rate-limited line. */
struct vhost_call_relay {
	struct virtio_device *vdev;
	unsigned int nr_queues;
	int *call_fd;  /* [nr_queues]: the fd to pass as queue q's call_fd */
	int *err_fd;   /* [nr_queues]: for vhost_kernel_set_vring_err */
	bool *relayed; /* [nr_queues]: call_fd[q] is ours (and relayed) */
	_Atomic unsigned int errors; /* ring errors the kernel signalled */
	int stop_fd;
	pthread_t thread;
	bool thread_running;
	bool started;
};

/* For queues [0, nr_queues) of vdev: call_fd[q] = the transport's irqfd,
 * or a new eventfd that the relay thread watches. r is zeroed (never
 * started) or stopped; from activate, so that the transport's irqfds are
 * asked for while its lock is held. 0, -EBUSY if already
 * started, -EINVAL (nr_queues 0 or above vdev->num_queues), -ENOMEM or
 * -errno; on failure nothing is left behind. */
int vhost_call_relay_start(struct vhost_call_relay *r,
			   struct virtio_device *vdev, unsigned int nr_queues)
	__attribute__((warn_unused_result));
/* Join the thread and close the relay's eventfds; a relay that was never
 * started (zeroed) or is already stopped is a no-op. Stop the kernel's
 * queues first: signals after this are lost. */
void vhost_call_relay_stop(struct vhost_call_relay *r);

#endif
