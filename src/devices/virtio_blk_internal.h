/* virtio-blk's state, shared by virtio_blk.c (model, life cycle) and
 * virtio_blk_queue.c (the queue threads). Not for other users. */
#ifndef KILN_DEVICES_VIRTIO_BLK_INTERNAL_H
#define KILN_DEVICES_VIRTIO_BLK_INTERNAL_H

#include "backends/blk_backend.h"
#include "devices/virtio_blk.h"

#include <linux/virtio_blk.h>
#include <pthread.h>
#include <stdatomic.h>

/* Requests one queue can keep in flight: as many as the largest ring can
 * offer, so a guest never waits on Kiln for a request slot. The slots are
 * handed out first-come (blk_queue.fresh), so memory is touched only for
 * the depth the guest really uses (about 2 KiB a request). */
#define BLK_QUEUE_DEPTH VIRTIO_BLK_QUEUE_SIZE
/* iovecs a request holds without allocating (a chain with more segments,
 * past seg_max or split at RAM region borders, allocates). */
#define BLK_REQ_INLINE_IOV (VIRTIO_BLK_SEG_MAX + 2)

struct blk_queue;

struct blk_req {
	struct blk_io io;
	struct blk_req *next_free;
	uint8_t *status;   /* host address of the chain's status byte */
	uint32_t written;  /* data bytes written into the chain */
	uint32_t type;
	uint16_t head;
	struct iovec *heap_iov; /* when the inline ones are too few */
	struct iovec iov[BLK_REQ_INLINE_IOV];
};

/* How a queue thread spent its wake-ups: logged when it stops (-v), to
 * see how well requests are batched. Touched only by the queue's thread. */
struct blk_queue_counters {
	uint64_t wakeups;      /* poll() returns */
	uint64_t kicked;       /* ... with a guest notification */
	uint64_t serves;       /* passes over the avail ring */
	uint64_t popped;       /* chains popped */
	uint64_t submits;      /* serves that gave the ring requests */
	uint64_t submitted;    /* requests given to the ring */
	uint64_t in_flight_sum; /* in flight after each such submit */
	uint64_t max_in_flight;
	uint64_t reaps;        /* reaps that finished requests */
	uint64_t reaped;       /* requests they finished */
	uint64_t irqs;         /* interrupts raised */
	uint64_t sync;         /* requests done on the thread (bounce, no SQE) */
};

struct blk_queue {
	struct virtio_blk *blk;
	unsigned int index;
	pthread_t thread;
	bool running;
	int stop_fd;
	struct blk_uring *uring;  /* NULL: synchronous I/O */
	struct vq_chain *chain;   /* pop scratch, ~24 KiB */
	struct blk_req *reqs;     /* [BLK_QUEUE_DEPTH] */
	struct blk_req *free;     /* done with, to use again first */
	unsigned int fresh;       /* reqs[fresh..] never used yet */
	bool pushed;              /* completions since the last notify */
	bool broken;
	_Atomic bool pausing;     /* stop after answering what is in flight */
	bool paused;              /* was running when paused */
	unsigned int batch;       /* requests queued to the ring, unsubmitted */
	struct blk_queue_counters n;
};

struct virtio_blk {
	struct blk_image img;
	uint64_t capacity; /* sectors */
	unsigned int num_queues;
	bool packed;       /* offers VIRTIO_F_RING_PACKED */
	struct virtio_blk_config config; /* little-endian, built at create */
	char id[VIRTIO_BLK_ID_BYTES + 1];
	bool use_uring;

	struct virtio_device *vdev; /* while activated */
	bool write_through;         /* FLUSH not negotiated */
	struct blk_queue *queues;   /* [num_queues] */

	_Atomic uint64_t requests, read_bytes, write_bytes, flushes, errors,
		unsupported, no_status, bounced;
};

/* virtio_blk_queue.c */
/* With an io_uring if blk->use_uring and the kernel gives one (else
 * synchronous; *uring_err says why not). 0 or -ENOMEM / -errno. */
int blk_queue_init(struct blk_queue *q, struct virtio_blk *blk,
		   unsigned int index, int *uring_err)
	__attribute__((warn_unused_result));
void blk_queue_fini(struct blk_queue *q);
int blk_queue_start(struct blk_queue *q) __attribute__((warn_unused_result));
/* Reset: waits for the queue's I/O in flight (without answering it: the
 * queue is being reset), then joins the thread. */
void blk_queue_stop(struct blk_queue *q);
/* Snapshot: answers every request in flight, then joins the thread; the
 * queue itself stays as it is. resume starts a paused queue again. */
void blk_queue_pause(struct blk_queue *q);
int blk_queue_resume(struct blk_queue *q) __attribute__((warn_unused_result));

#endif
