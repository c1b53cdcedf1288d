/* virtio-blk (virtio 1.2, section 5.2) over a disk image (a regular file or
 * a block device): one or more request queues, each served by its own
 * thread with its own io_uring (or synchronously, where io_uring cannot be
 * set up).
 *
 * Requests: IN, OUT, FLUSH, GET_ID, DISCARD, WRITE_ZEROES. Every popped
 * chain is answered exactly once; the status byte is the last writable byte
 * of the chain (a chain without one is returned with 0 bytes written).
 * Errors the guest caused (out of range, bad length, writes to a read-only
 * disk) answer VIRTIO_BLK_S_IOERR, unknown types VIRTIO_BLK_S_UNSUPP.
 * FLUSH completes only after fdatasync (or its io_uring form) returned. If
 * the driver did not negotiate VIRTIO_BLK_F_FLUSH the device is
 * write-through (every write is O_DSYNC).
 *
 * Files: virtio_blk.c (the model: features, config, life cycle),
 * virtio_blk_queue.c (a queue's thread), virtio_blk_req.c (parsing),
 * backends/blk_file.c and backends/blk_uring.c (the I/O).
 *
 * Wiring (the machine):
 *	struct virtio_blk *blk;
 *	struct virtio_blk_params p = { .path = path, .num_queues = 2 };
 *	char err[256];
 *	if (virtio_blk_create(&blk, &p, err, sizeof(err)) < 0)
 *		die("%s", err);
 *	virtio_pci_create(&t, bus, -1, &virtio_blk_ops, blk, mem, &hops, vm);
 *	...
 *	virtio_pci_destroy(t);   (resets the device: joins its threads)
 *	virtio_blk_destroy(blk);
 */
#ifndef KILN_DEVICES_VIRTIO_BLK_H
#define KILN_DEVICES_VIRTIO_BLK_H

#include "devices/virtio_blk_req.h"
#include "virtio/virtio_device.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_BLK_QUEUE_SIZE 256
#define VIRTIO_BLK_MAX_QUEUES 16
#define VIRTIO_BLK_SEG_MAX 126       /* data segments per request */
#define VIRTIO_BLK_DISCARD_ALIGNMENT 8u                /* sectors (4 KiB) */

/* SEG_MAX, BLK_SIZE, FLUSH, DISCARD, WRITE_ZEROES; per instance RO (a
 * read-only disk) and MQ (more than one queue). */
extern const struct virtio_device_ops virtio_blk_ops;

struct virtio_blk;

struct virtio_blk_params {
	const char *path;
	const char *id;          /* GET_ID string; NULL: derived from path */
	bool readonly;
	bool direct;             /* O_DIRECT: bypass the host page cache */
	unsigned int num_queues; /* 1..VIRTIO_BLK_MAX_QUEUES; 0 means 1 */
	bool sync_io;            /* never io_uring (tests, debugging) */
	bool packed;             /* offer VIRTIO_F_RING_PACKED */
};

struct virtio_blk_stats {
	uint64_t requests;     /* chains answered */
	uint64_t read_bytes;
	uint64_t write_bytes;
	uint64_t flushes;
	uint64_t errors;       /* answered IOERR */
	uint64_t unsupported;  /* answered UNSUPP */
	uint64_t no_status;    /* chains without room for a status byte */
	uint64_t bounced;      /* O_DIRECT requests that needed a bounce buffer */
};

/* Open the image; a regular file or a block device whose size is a
 * multiple of 512 bytes. 0 and *out, or -errno with a one-line message
 * (naming the path) in err. */
int virtio_blk_create(struct virtio_blk **out, const struct virtio_blk_params *p,
		      char *err, size_t errlen) __attribute__((warn_unused_result));
/* The transport must have been destroyed (or reset) first; NULL is a no-op. */
void virtio_blk_destroy(struct virtio_blk *blk);

uint64_t virtio_blk_capacity(const struct virtio_blk *blk); /* sectors */
uint32_t virtio_blk_block_size(const struct virtio_blk *blk); /* blk_size */
/* The GET_ID string (NUL-terminated, at most 20 characters). */
const char *virtio_blk_id(const struct virtio_blk *blk);
/* "io_uring" or "sync": how the queues move data. */
const char *virtio_blk_backend_name(const struct virtio_blk *blk);
void virtio_blk_get_stats(struct virtio_blk *blk, struct virtio_blk_stats *s);

#endif
