/* virtio-rng (virtio 1.2, section 5.4): one request queue, no features, no
 * config. Each request is a chain of device-writable buffers; the device
 * fills up to VIRTIO_RNG_MAX_CHUNK bytes of it from getrandom() and
 * returns it. A request with a readable part or without writable bytes is
 * answered with 0 bytes (every request is answered exactly once).
 *
 * Activation starts a thread that waits on the queue's kick eventfd and a
 * stop eventfd; reset and destroy stop and join it. Once the queue breaks
 * (a hostile ring) the device reports DEVICE_NEEDS_RESET and ignores kicks
 * until it is reset.
 *
 * Wiring (the machine):
 *	struct virtio_rng *rng;
 *	virtio_rng_create(&rng);
 *	virtio_pci_create(&t, bus, -1, &virtio_rng_ops, rng, mem, &hops, vm);
 *	...
 *	virtio_pci_destroy(t);   (resets the device: joins its thread)
 *	virtio_rng_destroy(rng);
 */
#ifndef KILN_DEVICES_VIRTIO_RNG_H
#define KILN_DEVICES_VIRTIO_RNG_H

#include "virtio/virtio_device.h"

#include <stdint.h>

#define VIRTIO_RNG_QUEUE_SIZE 256
#define VIRTIO_RNG_MAX_CHUNK (64u * 1024) /* bytes per request */

extern const struct virtio_device_ops virtio_rng_ops;

struct virtio_rng;

struct virtio_rng_stats {
	uint64_t requests;    /* chains answered */
	uint64_t bytes;       /* random bytes handed out */
	uint64_t bad_requests; /* answered with 0 bytes */
};

/* 0 and *out, or -ENOMEM / -errno. */
int virtio_rng_create(struct virtio_rng **out) __attribute__((warn_unused_result));
/* The transport must have been destroyed (or reset) first; NULL is a no-op. */
void virtio_rng_destroy(struct virtio_rng *rng);
void virtio_rng_get_stats(struct virtio_rng *rng, struct virtio_rng_stats *s);

#endif
