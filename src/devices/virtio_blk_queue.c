/* One virtio-blk request queue: its thread pops every chain the guest
 * offers, parses it, hands reads, writes, flushes, discards and
 * write-zeroes to the queue's io_uring in one submit per batch (or does
 * them synchronously), and answers each chain once its I/O finished,
 * raising one interrupt per batch. */
#include "devices/virtio_blk_internal.h"

#include "core/log.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

int blk_queue_init(struct blk_queue *q, struct virtio_blk *blk,
		   unsigned int index, int *uring_err)
{
	memset(q, 0, sizeof(*q));
	q->blk = blk;
	q->index = index;
	q->chain = malloc(sizeof(*q->chain));
	q->reqs = calloc(BLK_QUEUE_DEPTH, sizeof(*q->reqs));
	q->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!q->chain || !q->reqs || q->stop_fd < 0) {
		int e = q->stop_fd < 0 ? -errno : -ENOMEM;
		blk_queue_fini(q);
		return e;
	}
	*uring_err = 0;
	if (blk->use_uring)
		*uring_err = blk_uring_create(&q->uring, &blk->img, BLK_QUEUE_DEPTH);
	return 0;
}

void blk_queue_fini(struct blk_queue *q)
{
	blk_queue_stop(q);
	blk_uring_destroy(q->uring);
	q->uring = NULL;
	if (q->stop_fd >= 0)
		close(q->stop_fd);
	q->stop_fd = -1;
	free(q->chain);
	free(q->reqs);
	q->chain = NULL;
	q->reqs = NULL;
}

/* A request slot: one used before, else a fresh one. There is always
 * one: a slot is held from pop to push, the virtqueue refuses a head that
 * is in flight, and the ring has at most BLK_QUEUE_DEPTH heads. */
static struct blk_req *take_req(struct blk_queue *q)
{
	struct blk_req *r = q->free;
	if (r) {
		q->free = r->next_free;
		return r;
	}
	assert(q->fresh < BLK_QUEUE_DEPTH);
	return &q->reqs[q->fresh++];
}

/* ---- completing ---------------------------------------------------------- */

/* Write the status, return the chain to the guest, recycle the request. */
static void answer(struct blk_queue *q, struct blk_req *r, uint8_t st)
{
	struct virtio_blk *blk = q->blk;
	if (st == VIRTIO_BLK_S_IOERR)
		atomic_fetch_add(&blk->errors, 1);
	else if (st == VIRTIO_BLK_S_UNSUPP)
		atomic_fetch_add(&blk->unsupported, 1);
	__atomic_store_n(r->status, st, __ATOMIC_RELAXED);
	struct virtqueue *vq = &blk->vdev->vqs[q->index];
	if (virtqueue_push(vq, r->head, r->written + 1) == 0) {
		q->pushed = true;
		atomic_fetch_add(&blk->requests, 1);
	}
	free(r->heap_iov);
	r->heap_iov = NULL;
	r->next_free = q->free;
	q->free = r;
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case VIRTIO_BLK_T_IN: return "read";
	case VIRTIO_BLK_T_OUT: return "write";
	case VIRTIO_BLK_T_FLUSH: return "flush";
	case VIRTIO_BLK_T_DISCARD: return "discard";
	case VIRTIO_BLK_T_WRITE_ZEROES: return "write-zeroes";
	default: return "request";
	}
}

static int sync_io(struct virtio_blk *blk, struct blk_io *io);

/* The I/O of r finished with io.result. */
static void finish(struct blk_queue *q, struct blk_req *r)
{
	struct virtio_blk *blk = q->blk;
	if (r->io.op == BLK_OP_WRITE_ZEROES && r->io.result == -EOPNOTSUPP) {
		/* the ring could neither punch nor zero: write the zeroes */
		r->io.unmap = false;
		r->io.result = sync_io(blk, &r->io);
	}
	int res = r->io.result;
	if (res) {
		pr_guest(LOG_WARN, "virtio-blk: %s at byte %llu +%llu: %s",
			 type_name(r->type), (unsigned long long)r->io.off,
			 (unsigned long long)r->io.len, strerror(-res));
		answer(q, r, VIRTIO_BLK_S_IOERR);
		return;
	}
	if (r->type == VIRTIO_BLK_T_IN) {
		r->written = (uint32_t)r->io.len;
		atomic_fetch_add(&blk->read_bytes, r->io.len);
	} else if (r->type == VIRTIO_BLK_T_OUT) {
		atomic_fetch_add(&blk->write_bytes, r->io.len);
	}
	answer(q, r, VIRTIO_BLK_S_OK);
}

static void reap(struct blk_queue *q)
{
	struct blk_io *done[BLK_QUEUE_DEPTH];
	if (!q->uring)
		return;
	unsigned int n = blk_uring_reap(q->uring, done, BLK_QUEUE_DEPTH);
	if (n) {
		q->n.reaps++;
		q->n.reaped += n;
	}
	for (unsigned int i = 0; i < n; i++)
		finish(q, container_of(done[i], struct blk_req, io));
}

/* ---- starting ------------------------------------------------------------ */

/* io on the calling thread (what blk_uring would do with it). */
static int sync_io(struct virtio_blk *blk, struct blk_io *io)
{
	int r;
	switch (io->op) {
	case BLK_OP_FLUSH:
		return blk_file_flush(&blk->img);
	case BLK_OP_READ:
	case BLK_OP_WRITE:
		return blk_file_rw(&blk->img, io->iov, io->niov, io->off, io->len,
				   io->op == BLK_OP_WRITE, io->dsync);
	case BLK_OP_DISCARD:
		r = blk_file_discard(&blk->img, io->off, io->len);
		break;
	default:
		r = blk_file_write_zeroes(&blk->img, io->off, io->len, io->unmap);
		break;
	}
	return !r && io->dsync ? blk_file_flush(&blk->img) : r;
}

/* To the ring if there is one and O_DIRECT can take the buffers as they
 * are, else synchronously. */
static void start_io(struct blk_queue *q, struct blk_req *r)
{
	struct virtio_blk *blk = q->blk;
	struct blk_io *io = &r->io;
	bool aligned = (io->op != BLK_OP_READ && io->op != BLK_OP_WRITE) ||
		blk_image_aligned(&blk->img, io->iov, io->niov, io->off, io->len);
	if (!aligned)
		atomic_fetch_add(&blk->bounced, 1);
	if (q->uring && aligned && blk_uring_queue(q->uring, io) == 0) {
		q->batch++;
		return;
	}
	q->n.sync++;
	io->result = sync_io(blk, io);
	finish(q, r);
}

static void start_rw(struct blk_queue *q, struct blk_req *r,
		     const struct vq_chain *c, const struct virtio_blk_req *p)
{
	bool in = p->type == VIRTIO_BLK_T_IN;
	if (!p->len) {
		answer(q, r, VIRTIO_BLK_S_OK);
		return;
	}
	struct iovec *iov = r->iov;
	int max = BLK_REQ_INLINE_IOV;
	int nseg = in ? c->nr_write : c->nr_read;
	if (nseg > max) {
		r->heap_iov = calloc((size_t)nseg, sizeof(*iov));
		if (!r->heap_iov) {
			answer(q, r, VIRTIO_BLK_S_IOERR);
			return;
		}
		iov = r->heap_iov;
		max = nseg;
	}
	int n = vq_chain_iov(c, in, p->data_off, p->len, iov, max);
	if (n < 0) { /* cannot happen: the parser checked the lengths */
		answer(q, r, VIRTIO_BLK_S_IOERR);
		return;
	}
	r->io = (struct blk_io){
		.op = in ? BLK_OP_READ : BLK_OP_WRITE,
		.dsync = !in && q->blk->write_through,
		.off = p->offset,
		.len = p->len,
		.iov = iov,
		.niov = n,
	};
	start_io(q, r);
}

static void get_id(struct blk_queue *q, struct blk_req *r,
		   const struct vq_chain *c)
{
	uint8_t id[VIRTIO_BLK_ID_BYTES] = { 0 };
	memcpy(id, q->blk->id, strlen(q->blk->id));
	uint32_t room = c->write_len - 1;
	if (room > sizeof(id))
		room = sizeof(id);
	r->written = (uint32_t)vq_chain_write(c, 0, id, room);
	answer(q, r, VIRTIO_BLK_S_OK);
}

/* fallocate, on the ring: it may take as long as a large write. Write-
 * through (no FLUSH negotiated) syncs after it as after a write. */
static void discard_wz(struct blk_queue *q, struct blk_req *r,
		       const struct virtio_blk_req *p)
{
	if (!p->len) {
		answer(q, r, VIRTIO_BLK_S_OK);
		return;
	}
	r->io = (struct blk_io){
		.op = p->type == VIRTIO_BLK_T_DISCARD ? BLK_OP_DISCARD
						      : BLK_OP_WRITE_ZEROES,
		.dsync = q->blk->write_through,
		.unmap = p->unmap,
		.off = p->offset,
		.len = p->len,
	};
	start_io(q, r);
}

static void start_request(struct blk_queue *q, const struct vq_chain *c)
{
	struct virtio_blk *blk = q->blk;
	struct virtio_blk_req p;
	virtio_blk_req_parse(c, blk->capacity, blk->img.readonly, &p);
	if (!p.has_status) {
		/* nowhere to put a status: return it untouched */
		atomic_fetch_add(&blk->no_status, 1);
		pr_guest(LOG_WARN, "virtio-blk: request without a status byte");
		if (virtqueue_push(&blk->vdev->vqs[q->index], c->head, 0) == 0) {
			q->pushed = true;
			atomic_fetch_add(&blk->requests, 1);
		}
		return;
	}
	struct blk_req *r = take_req(q);
	const struct vq_seg *last = &c->seg[c->nr_read + c->nr_write - 1];
	r->status = (uint8_t *)last->host + last->len - 1;
	r->head = c->head;
	r->type = p.type;
	r->written = 0;
	r->heap_iov = NULL;
	if (p.status != VIRTIO_BLK_S_OK) {
		answer(q, r, p.status);
		return;
	}
	switch (p.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		start_rw(q, r, c, &p);
		break;
	case VIRTIO_BLK_T_FLUSH:
		atomic_fetch_add(&blk->flushes, 1);
		r->io = (struct blk_io){ .op = BLK_OP_FLUSH };
		start_io(q, r);
		break;
	case VIRTIO_BLK_T_GET_ID:
		get_id(q, r, c);
		break;
	default: /* DISCARD, WRITE_ZEROES: the parser knows no others */
		discard_wz(q, r, &p);
		break;
	}
}

static void submit(struct blk_queue *q)
{
	blk_uring_submit(q->uring);
	if (!q->batch)
		return;
	unsigned int f = blk_uring_in_flight(q->uring);
	q->n.submits++;
	q->n.submitted += q->batch;
	q->n.in_flight_sum += f;
	if (f > q->n.max_in_flight)
		q->n.max_in_flight = f;
	q->batch = 0;
}

/* Pop and start everything the guest offered, with notifications off,
 * until the ring is empty; one submit. */
static void serve(struct blk_queue *q)
{
	struct virtio_device *vdev = q->blk->vdev;
	struct virtqueue *vq = &vdev->vqs[q->index];
	int r = 0;
	if (q->broken || !vq->enabled)
		return;
	q->n.serves++;
	do {
		virtqueue_disable_notify(vq);
		while ((r = virtqueue_pop(vq, q->chain)) == 1) {
			q->n.popped++;
			start_request(q, q->chain);
		}
	} while (r == 0 && virtqueue_enable_notify(vq));
	if (q->uring)
		submit(q);
	if (r < 0) {
		pr_guest(LOG_WARN, "virtio-blk: queue %u broken: %s", q->index,
			 vq->broken_reason);
		q->broken = true;
		virtio_set_needs_reset(vdev);
	}
}

static void notify(struct blk_queue *q)
{
	if (q->pushed) {
		q->pushed = false;
		if (virtio_notify_queue(q->blk->vdev, q->index))
			q->n.irqs++;
	}
}

static void log_counters(const struct blk_queue *q)
{
	const struct blk_queue_counters *n = &q->n;
	if (!n->popped)
		return;
	pr_info("virtio-blk: queue %u: %llu requests; %llu wake-ups (%llu kicked), "
		"%llu passes over the ring; %llu submits of %.1f requests, "
		"%.1f in flight after each (max %llu); %llu reaps of %.1f; "
		"%llu interrupts (%.2f per request); %llu done synchronously",
		q->index, (unsigned long long)n->popped,
		(unsigned long long)n->wakeups, (unsigned long long)n->kicked,
		(unsigned long long)n->serves, (unsigned long long)n->submits,
		n->submits ? (double)n->submitted / (double)n->submits : 0.0,
		n->submits ? (double)n->in_flight_sum / (double)n->submits : 0.0,
		(unsigned long long)n->max_in_flight,
		(unsigned long long)n->reaps,
		n->reaps ? (double)n->reaped / (double)n->reaps : 0.0,
		(unsigned long long)n->irqs,
		(double)n->irqs / (double)n->popped, (unsigned long long)n->sync);
}

static void *queue_thread(void *opaque)
{
	struct blk_queue *q = opaque;
	struct virtio_device *vdev = q->blk->vdev;
	int kick = vdev->kick_fd[q->index];
	int done_fd = q->uring ? blk_uring_event_fd(q->uring) : -1;
	/* Buffers may already be waiting (a kick before DRIVER_OK). */
	serve(q);
	notify(q);
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = q->stop_fd, .events = POLLIN },
			{ .fd = q->broken ? -1 : kick, .events = POLLIN },
			{ .fd = done_fd, .events = POLLIN },
		};
		/* The kernel refused a submit for lack of memory: retry soon. */
		bool retry = q->uring && blk_uring_unsubmitted(q->uring);
		if (poll(p, 3, retry ? 1 : -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("virtio-blk: poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents)
			break;
		q->n.wakeups++;
		if (p[1].revents & POLLIN)
			q->n.kicked++;
		if (retry)
			blk_uring_submit(q->uring);
		if (p[2].revents & POLLIN)
			reap(q);
		if (p[1].revents & POLLIN) {
			eventfd_t v;
			(void)eventfd_read(kick, &v);
		}
		if (p[1].revents & POLLIN)
			serve(q);
		notify(q);
	}
	if (q->uring && atomic_load(&q->pausing)) {
		/* Pause: answer what is in flight, pop nothing new. */
		while (blk_uring_in_flight(q->uring)) {
			struct pollfd p = { .fd = done_fd, .events = POLLIN };
			blk_uring_submit(q->uring);
			(void)poll(&p, 1, 10);
			reap(q);
		}
		notify(q);
	} else if (q->uring) {
		/* Reset: no I/O may touch guest memory once reset returns.
		 * The chains are not answered: the queue is being reset. */
		blk_uring_drain(q->uring);
	}
	log_counters(q);
	return NULL;
}

int blk_queue_start(struct blk_queue *q)
{
	if (q->running)
		return -EBUSY;
	eventfd_t v;
	(void)eventfd_read(q->stop_fd, &v);
	q->broken = false;
	q->pushed = false;
	q->batch = 0;
	memset(&q->n, 0, sizeof(q->n));
	int err = pthread_create(&q->thread, NULL, queue_thread, q);
	if (err)
		return -err;
	q->running = true;
	return 0;
}

void blk_queue_pause(struct blk_queue *q)
{
	if (!q->running)
		return;
	atomic_store(&q->pausing, true);
	(void)eventfd_write(q->stop_fd, 1);
	pthread_join(q->thread, NULL);
	atomic_store(&q->pausing, false);
	q->running = false;
	q->paused = true;
}

int blk_queue_resume(struct blk_queue *q)
{
	if (!q->paused)
		return 0;
	q->paused = false;
	return blk_queue_start(q);
}

void blk_queue_stop(struct blk_queue *q)
{
	q->paused = false;
	if (!q->running)
		return;
	(void)eventfd_write(q->stop_fd, 1);
	pthread_join(q->thread, NULL);
	q->running = false;
	/* Requests the reset cut off are free again. */
	for (unsigned int i = 0; i < q->fresh; i++) {
		free(q->reqs[i].heap_iov);
		q->reqs[i].heap_iov = NULL;
	}
	q->free = NULL;
	q->fresh = 0;
}
