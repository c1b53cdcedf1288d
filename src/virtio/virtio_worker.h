/* The thread that serves one virtqueue of a virtio device.
 *
 * Started on activate, it waits on the queue's kick eventfd, pops every
 * available chain, hands each to the device's `handle` callback, completes
 * it with the length the callback wrote, and raises the queue's interrupt
 * when the ring says to. A guest that breaks the ring gets
 * DEVICE_NEEDS_RESET and no further service until the device is reset.
 * Every device with one request queue shares this loop instead of writing
 * its own.
 */
#ifndef KILN_VIRTIO_VIRTIO_WORKER_H
#define KILN_VIRTIO_VIRTIO_WORKER_H

#include "virtio/virtio_device.h"
#include "virtio/virtqueue.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Serve one chain; return the bytes written into its writable part.
 * Runs on the worker thread only. */
typedef uint32_t (*virtio_worker_handle_fn)(void *opaque,
					    const struct vq_chain *chain);

struct virtio_worker {
	const char *name;          /* "virtio-blk", for log lines */
	virtio_worker_handle_fn handle;
	void *opaque;
	unsigned int queue;
	int stop_fd;               /* readable while the worker must stop */
	struct vq_chain *chain;    /* ~24 KiB, only the thread uses it */
	struct virtio_device *vdev; /* set while running */
	pthread_t thread;
	bool running;
	bool paused;               /* stopped by pause, vdev kept */
	_Atomic bool stopping;     /* leave after the chain being served */
	_Atomic uint64_t requests; /* chains completed */
};

/* 0, or -ENOMEM / -errno. */
int virtio_worker_init(struct virtio_worker *w, const char *name,
		       unsigned int queue, virtio_worker_handle_fn handle,
		       void *opaque) __attribute__((warn_unused_result));
void virtio_worker_destroy(struct virtio_worker *w);

/* From the device's activate: start serving vdev's queue. 0, -EBUSY or
 * -errno. */
int virtio_worker_start(struct virtio_worker *w, struct virtio_device *vdev)
	__attribute__((warn_unused_result));
/* From the device's reset (and before destroy): stop and join. */
void virtio_worker_stop(struct virtio_worker *w);

/* From the device's pause op (snapshot, migration): the thread finishes
 * the chain it is serving (pushes it and interrupts as usual), then stops;
 * the queue stays as it is, nothing in flight, and no further chain is
 * popped. No-op if not running. */
void virtio_worker_pause(struct virtio_worker *w);
/* From the device's resume op: serve the same queue again from where it
 * stopped (buffers that arrived meanwhile are served at once). 0 if it was
 * not paused, else virtio_worker_start's result. A reset (stop) forgets the
 * pause. */
int virtio_worker_resume(struct virtio_worker *w)
	__attribute__((warn_unused_result));

#endif
