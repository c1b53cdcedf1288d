/* virtio-rng: entropy from getrandom() into the guest's buffers. */
#include "devices/virtio_rng.h"

#include "core/log.h"

#include <errno.h>
#include <linux/virtio_ids.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

struct virtio_rng {
	struct virtio_device *vdev; /* set by activate, cleared by reset */
	pthread_t thread;
	bool running;
	int stop_fd;
	struct vq_chain *chain; /* ~24 KiB, only the thread uses it */
	_Atomic uint64_t requests, bytes, bad_requests;
};

/* Fill the writable part (at most VIRTIO_RNG_MAX_CHUNK bytes). Returns the
 * bytes written.
 *
 * Until the host's entropy pool is initialised getrandom() would block; we
 * wait for it here (watching stop_fd) rather than answer short: Linux's
 * virtio-rng driver treats an empty answer as "no data, and none coming"
 * and never asks again. */
static uint32_t fill(const struct vq_chain *c, int stop_fd)
{
	uint32_t done = 0;
	for (unsigned int i = c->nr_read; i < c->nr_read + c->nr_write; i++) {
		const struct vq_seg *s = &c->seg[i];
		uint32_t want = s->len;
		if (want > VIRTIO_RNG_MAX_CHUNK - done)
			want = VIRTIO_RNG_MAX_CHUNK - done;
		uint32_t got = 0;
		while (got < want) {
			ssize_t n = getrandom((uint8_t *)s->host + got, want - got,
					      GRND_NONBLOCK);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN) {
				struct pollfd p = { .fd = stop_fd, .events = POLLIN };
				if (poll(&p, 1, 100) > 0)
					return done + got; /* stopping */
				continue;
			}
			if (n <= 0)
				return done + got;
			got += (uint32_t)n;
		}
		done += got;
		if (done >= VIRTIO_RNG_MAX_CHUNK)
			break;
	}
	return done;
}

/* Serve everything in the queue. false: the queue broke. */
static bool process(struct virtio_rng *rng)
{
	struct virtio_device *vdev = rng->vdev;
	struct virtqueue *vq = &vdev->vqs[0];
	struct vq_chain *c = rng->chain;
	bool pushed = false;
	int r;
	if (!vq->enabled)
		return true;
	do {
		virtqueue_disable_notify(vq);
		while ((r = virtqueue_pop(vq, c)) == 1) {
			uint32_t len = 0;
			if (c->nr_read || !c->write_len)
				atomic_fetch_add(&rng->bad_requests, 1);
			else
				len = fill(c, rng->stop_fd);
			if (virtqueue_push(vq, c->head, len) == 0) {
				pushed = true;
				atomic_fetch_add(&rng->requests, 1);
				atomic_fetch_add(&rng->bytes, len);
			}
		}
	} while (r == 0 && virtqueue_enable_notify(vq));
	if (pushed)
		virtio_notify_queue(vdev, 0);
	if (r < 0) {
		pr_guest(LOG_WARN, "virtio-rng: queue broken: %s", vq->broken_reason);
		virtio_set_needs_reset(vdev);
		return false;
	}
	return true;
}

static void *rng_thread(void *opaque)
{
	struct virtio_rng *rng = opaque;
	bool broken = false;
	int kick = rng->vdev->kick_fd[0];
	/* Buffers may already be waiting (a kick before DRIVER_OK). */
	broken = !process(rng);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = rng->stop_fd, .events = POLLIN },
			{ .fd = broken ? -1 : kick, .events = POLLIN },
		};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("virtio-rng: poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN) {
			eventfd_t v;
			(void)eventfd_read(kick, &v);
			broken = !process(rng);
		}
	}
	return NULL;
}

static int rng_activate(void *dev, struct virtio_device *vdev)
{
	struct virtio_rng *rng = dev;
	if (rng->running)
		return -EBUSY;
	eventfd_t v;
	(void)eventfd_read(rng->stop_fd, &v);
	rng->vdev = vdev;
	int err = pthread_create(&rng->thread, NULL, rng_thread, rng);
	if (err) {
		rng->vdev = NULL;
		return -err;
	}
	rng->running = true;
	return 0;
}

static void rng_reset(void *dev)
{
	struct virtio_rng *rng = dev;
	if (rng->running) {
		(void)eventfd_write(rng->stop_fd, 1);
		pthread_join(rng->thread, NULL);
		rng->running = false;
	}
	rng->vdev = NULL;
}

const struct virtio_device_ops virtio_rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.num_queues = 1,
	.max_queue_size = VIRTIO_RNG_QUEUE_SIZE,
	.device_features = 0,
	.event_idx = true,
	.config_size = 0,
	.activate = rng_activate,
	.reset = rng_reset,
};

int virtio_rng_create(struct virtio_rng **out)
{
	struct virtio_rng *rng = calloc(1, sizeof(*rng));
	if (!rng)
		return -ENOMEM;
	rng->chain = malloc(sizeof(*rng->chain));
	rng->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!rng->chain || rng->stop_fd < 0) {
		int err = rng->chain ? -errno : -ENOMEM;
		if (rng->stop_fd >= 0)
			close(rng->stop_fd);
		free(rng->chain);
		free(rng);
		return err;
	}
	*out = rng;
	return 0;
}

void virtio_rng_destroy(struct virtio_rng *rng)
{
	if (!rng)
		return;
	rng_reset(rng);
	close(rng->stop_fd);
	free(rng->chain);
	free(rng);
}

void virtio_rng_get_stats(struct virtio_rng *rng, struct virtio_rng_stats *s)
{
	s->requests = atomic_load(&rng->requests);
	s->bytes = atomic_load(&rng->bytes);
	s->bad_requests = atomic_load(&rng->bad_requests);
}
