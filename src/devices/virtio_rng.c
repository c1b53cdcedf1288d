/* virtio-rng: entropy from getrandom() into the guest's buffers. */
#include "devices/virtio_rng.h"

#include "virtio/virtio_worker.h"

#include <errno.h>
#include <linux/virtio_ids.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/random.h>

struct virtio_rng {
	struct virtio_worker worker; /* serves queue 0 */
	_Atomic uint64_t bytes, bad_requests;
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

/* One request: entropy into a device-writable buffer; anything else is
 * answered with nothing written. */
static uint32_t rng_handle(void *opaque, const struct vq_chain *c)
{
	struct virtio_rng *rng = opaque;
	if (c->nr_read || !c->write_len) {
		atomic_fetch_add(&rng->bad_requests, 1);
		return 0;
	}
	uint32_t len = fill(c, rng->worker.stop_fd);
	atomic_fetch_add(&rng->bytes, len);
	return len;
}

static int rng_activate(void *dev, struct virtio_device *vdev)
{
	struct virtio_rng *rng = dev;
	return virtio_worker_start(&rng->worker, vdev);
}

static void rng_reset(void *dev)
{
	struct virtio_rng *rng = dev;
	virtio_worker_stop(&rng->worker);
}

static void rng_pause(void *dev)
{
	struct virtio_rng *rng = dev;
	virtio_worker_pause(&rng->worker);
}

static int rng_resume(void *dev)
{
	struct virtio_rng *rng = dev;
	return virtio_worker_resume(&rng->worker);
}

/* No save/restore ops: all the state is in the queue and the transport. */
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
	.pause = rng_pause,
	.resume = rng_resume,
};

int virtio_rng_create(struct virtio_rng **out)
{
	struct virtio_rng *rng = calloc(1, sizeof(*rng));
	if (!rng)
		return -ENOMEM;
	int err = virtio_worker_init(&rng->worker, "virtio-rng", 0, rng_handle, rng);
	if (err) {
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
	virtio_worker_destroy(&rng->worker);
	free(rng);
}

void virtio_rng_get_stats(struct virtio_rng *rng, struct virtio_rng_stats *s)
{
	s->requests = atomic_load(&rng->worker.requests);
	s->bytes = atomic_load(&rng->bytes);
	s->bad_requests = atomic_load(&rng->bad_requests);
}
