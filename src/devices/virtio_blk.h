/* virtio-blk (virtio 1.2, section 5.2): one request queue over a disk
 * image (a regular file or a block device), served synchronously on a
 * device thread.
 *
 * Requests: IN, OUT, FLUSH, GET_ID, DISCARD, WRITE_ZEROES. Every popped
 * chain is answered exactly once; the status byte is the last writable byte
 * of the chain (a chain without one is returned with 0 bytes written).
 * Errors the guest caused (out of range, bad length, writes to a read-only
 * disk) answer VIRTIO_BLK_S_IOERR, unknown types VIRTIO_BLK_S_UNSUPP.
 * FLUSH completes only after fdatasync() returned. If the driver did not
 * negotiate VIRTIO_BLK_F_FLUSH the device is write-through (fdatasync after
 * every write).
 *
 * The backend sits behind a small internal interface (read/write iovecs,
 * flush, discard, write-zeroes) so the synchronous file backend can be
 * replaced by an io_uring one.
 *
 * The features are fixed per ops table, so a read-only disk has its own:
 * use virtio_blk_device_ops(blk) (virtio_blk_ops or virtio_blk_ro_ops).
 * The device refuses writes on a read-only disk whichever table is used.
 *
 * Wiring (the machine):
 *	struct virtio_blk *blk;
 *	char err[256];
 *	if (virtio_blk_create(&blk, path, readonly, err, sizeof(err)) < 0)
 *		die("%s", err);
 *	virtio_pci_create(&t, bus, -1, virtio_blk_device_ops(blk), blk, mem,
 *			  &hops, vm);
 *	...
 *	virtio_pci_destroy(t);   (resets the device: joins its thread)
 *	virtio_blk_destroy(blk);
 */
#ifndef KILN_DEVICES_VIRTIO_BLK_H
#define KILN_DEVICES_VIRTIO_BLK_H

#include "virtio/virtio_device.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_BLK_QUEUE_SIZE 256
#define VIRTIO_BLK_SEG_MAX 126       /* data segments per request */
#define VIRTIO_BLK_SECTOR 512u
#define VIRTIO_BLK_MAX_DISCARD_SECTORS (1u << 22)      /* 2 GiB per request */
#define VIRTIO_BLK_MAX_WRITE_ZEROES_SECTORS (1u << 22)
#define VIRTIO_BLK_DISCARD_ALIGNMENT 8u                /* sectors (4 KiB) */

/* Read-write disk: SEG_MAX, BLK_SIZE, FLUSH, DISCARD, WRITE_ZEROES. */
extern const struct virtio_device_ops virtio_blk_ops;
/* The same plus VIRTIO_BLK_F_RO. */
extern const struct virtio_device_ops virtio_blk_ro_ops;

struct virtio_blk;

struct virtio_blk_stats {
	uint64_t requests;     /* chains answered */
	uint64_t read_bytes;
	uint64_t write_bytes;
	uint64_t flushes;
	uint64_t errors;       /* answered IOERR */
	uint64_t unsupported;  /* answered UNSUPP */
	uint64_t no_status;    /* chains without room for a status byte */
};

/* Open `path` (O_RDWR, or O_RDONLY if readonly); a regular file or a block
 * device whose size is a multiple of 512 bytes. 0 and *out, or -errno with
 * a message in err. */
int virtio_blk_create(struct virtio_blk **out, const char *path, bool readonly,
		      char *err, size_t errlen) __attribute__((warn_unused_result));
/* The transport must have been destroyed (or reset) first; NULL is a no-op. */
void virtio_blk_destroy(struct virtio_blk *blk);

/* virtio_blk_ro_ops for a read-only disk, else virtio_blk_ops. */
const struct virtio_device_ops *virtio_blk_device_ops(const struct virtio_blk *blk);
uint64_t virtio_blk_capacity(const struct virtio_blk *blk); /* sectors */
/* The GET_ID string (NUL-terminated, at most 20 characters). */
const char *virtio_blk_id(const struct virtio_blk *blk);
void virtio_blk_get_stats(struct virtio_blk *blk, struct virtio_blk_stats *s);

#endif
