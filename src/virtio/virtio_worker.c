#include "virtio/virtio_worker.h"

#include "core/log.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

int virtio_worker_init(struct virtio_worker *w, const char *name,
		       unsigned int queue, virtio_worker_handle_fn handle,
		       void *opaque)
{
	memset(w, 0, sizeof(*w));
	w->name = name;
	w->queue = queue;
	w->handle = handle;
	w->opaque = opaque;
	w->chain = malloc(sizeof(*w->chain));
	w->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!w->chain || w->stop_fd < 0) {
		int err = w->chain ? -errno : -ENOMEM;
		if (w->stop_fd >= 0)
			close(w->stop_fd);
		free(w->chain);
		w->chain = NULL;
		w->stop_fd = -1;
		return err;
	}
	return 0;
}

void virtio_worker_destroy(struct virtio_worker *w)
{
	virtio_worker_stop(w);
	if (w->stop_fd >= 0)
		close(w->stop_fd);
	free(w->chain);
	w->stop_fd = -1;
	w->chain = NULL;
}

/* The next chain, or -EINTR once the worker is told to stop: a pause then
 * leaves the queue between chains. */
static int next_chain(struct virtio_worker *w, struct virtqueue *vq,
		      struct vq_chain *c)
{
	if (atomic_load(&w->stopping))
		return -EINTR;
	return virtqueue_pop(vq, c);
}

/* Serve everything in the queue. false: the queue broke. */
static bool process(struct virtio_worker *w)
{
	struct virtio_device *vdev = w->vdev;
	struct virtqueue *vq = &vdev->vqs[w->queue];
	struct vq_chain *c = w->chain;
	bool pushed = false;
	int r;
	if (!vq->enabled)
		return true;
	do {
		virtqueue_disable_notify(vq);
		while ((r = next_chain(w, vq, c)) == 1) {
			uint32_t len = w->handle(w->opaque, c);
			if (virtqueue_push(vq, c->head, len) == 0) {
				pushed = true;
				atomic_fetch_add(&w->requests, 1);
			}
		}
	} while (r == 0 && virtqueue_enable_notify(vq));
	if (pushed)
		virtio_notify_queue(vdev, w->queue);
	if (r < 0 && r != -EINTR) {
		pr_guest(LOG_WARN, "%s: queue broken: %s", w->name,
			 vq->broken_reason);
		virtio_set_needs_reset(vdev);
		return false;
	}
	return true;
}

static void *worker_thread(void *opaque)
{
	struct virtio_worker *w = opaque;
	int kick = w->vdev->kick_fd[w->queue];
	/* Buffers may already be waiting (a kick before DRIVER_OK). */
	bool broken = !process(w);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = w->stop_fd, .events = POLLIN },
			{ .fd = broken ? -1 : kick, .events = POLLIN },
		};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("%s: poll: %s", w->name, strerror(errno));
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN) {
			eventfd_t v;
			(void)eventfd_read(kick, &v);
			broken = !process(w);
		}
	}
	return NULL;
}

int virtio_worker_start(struct virtio_worker *w, struct virtio_device *vdev)
{
	if (w->running)
		return -EBUSY;
	eventfd_t v;
	(void)eventfd_read(w->stop_fd, &v);
	atomic_store(&w->stopping, false);
	w->paused = false;
	w->vdev = vdev;
	int err = pthread_create(&w->thread, NULL, worker_thread, w);
	if (err) {
		w->vdev = NULL;
		return -err;
	}
	w->running = true;
	return 0;
}

static void join(struct virtio_worker *w)
{
	if (!w->running)
		return;
	atomic_store(&w->stopping, true);
	(void)eventfd_write(w->stop_fd, 1);
	pthread_join(w->thread, NULL);
	w->running = false;
}

void virtio_worker_stop(struct virtio_worker *w)
{
	join(w);
	w->paused = false;
	w->vdev = NULL;
}

void virtio_worker_pause(struct virtio_worker *w)
{
	if (!w->running)
		return;
	join(w);
	w->paused = true;
}

int virtio_worker_resume(struct virtio_worker *w)
{
	if (!w->paused)
		return 0;
	return virtio_worker_start(w, w->vdev);
}
