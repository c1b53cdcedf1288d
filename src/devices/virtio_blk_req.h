/* Parsing one virtio-blk request (virtio 1.2, 5.2.6) from a popped chain,
 * before anything is executed. A pure function of the chain's bytes, the
 * disk's capacity and whether it is read-only: unit tested and fuzzed.
 *
 * Layout: a 16-byte header (type, ioprio, sector) at the start of the
 * readable part; OUT data, or DISCARD/WRITE_ZEROES segments, after it; IN
 * and GET_ID data at the start of the writable part; the status byte is
 * the last writable byte of the chain.
 */
#ifndef KILN_DEVICES_VIRTIO_BLK_REQ_H
#define KILN_DEVICES_VIRTIO_BLK_REQ_H

#include "virtio/virtqueue.h"

#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_BLK_SECTOR 512u
#define VIRTIO_BLK_HDR_LEN 16u
#define VIRTIO_BLK_MAX_DISCARD_SECTORS (1u << 22)      /* 2 GiB per request */
#define VIRTIO_BLK_MAX_WRITE_ZEROES_SECTORS (1u << 22)

struct virtio_blk_req {
	uint32_t type;     /* VIRTIO_BLK_T_* from the header (0 if none) */
	/* VIRTIO_BLK_S_OK: execute it. IOERR / UNSUPP: answer that at once
	 * (with nothing else written). */
	uint8_t status;
	/* false: no writable byte for a status; return the chain with 0
	 * bytes written and do nothing. */
	bool has_status;
	bool unmap;        /* WRITE_ZEROES: a hole is allowed */
	uint64_t sector;
	/* IN/OUT: the data, DISCARD/WRITE_ZEROES: the range, in bytes; both
	 * inside the disk. */
	uint64_t offset, len;
	/* IN/OUT: where the data is in the chain: the writable part from 0
	 * (IN) or the readable part from 16 (OUT). */
	uint64_t data_off;
};

void virtio_blk_req_parse(const struct vq_chain *c, uint64_t capacity,
			  bool readonly, struct virtio_blk_req *r);

#endif
