#include "devices/virtio_blk_req.h"

#include <endian.h>
#include <linux/virtio_blk.h>
#include <string.h>

static bool range_ok(uint64_t capacity, uint64_t sector, uint64_t nsectors)
{
	return sector <= capacity && nsectors <= capacity - sector;
}

static uint8_t parse_rw(const struct vq_chain *c, uint64_t capacity,
			bool readonly, struct virtio_blk_req *r)
{
	bool in = r->type == VIRTIO_BLK_T_IN;
	/* IN: everything writable but the status byte; OUT: everything
	 * readable after the header. */
	uint64_t len = in ? (uint64_t)c->write_len - 1
			  : (uint64_t)c->read_len - VIRTIO_BLK_HDR_LEN;
	if (!in && readonly)
		return VIRTIO_BLK_S_IOERR;
	if (len % VIRTIO_BLK_SECTOR ||
	    !range_ok(capacity, r->sector, len / VIRTIO_BLK_SECTOR))
		return VIRTIO_BLK_S_IOERR;
	r->offset = r->sector * VIRTIO_BLK_SECTOR;
	r->len = len;
	r->data_off = in ? 0 : VIRTIO_BLK_HDR_LEN;
	return VIRTIO_BLK_S_OK;
}

static uint8_t parse_discard_wz(const struct vq_chain *c, uint64_t capacity,
				bool readonly, struct virtio_blk_req *r)
{
	bool discard = r->type == VIRTIO_BLK_T_DISCARD;
	struct virtio_blk_discard_write_zeroes seg;
	uint64_t len = (uint64_t)c->read_len - VIRTIO_BLK_HDR_LEN;
	if (readonly)
		return VIRTIO_BLK_S_IOERR;
	if (len == 0 || len % sizeof(seg))
		return VIRTIO_BLK_S_IOERR;
	if (len != sizeof(seg)) /* max_*_seg is 1 */
		return VIRTIO_BLK_S_UNSUPP;
	if (vq_chain_read(c, VIRTIO_BLK_HDR_LEN, &seg, sizeof(seg)) != sizeof(seg))
		return VIRTIO_BLK_S_IOERR;
	uint64_t sector = le64toh(seg.sector);
	uint32_t num = le32toh(seg.num_sectors);
	uint32_t flags = le32toh(seg.flags);
	/* discard has no flags; write-zeroes only UNMAP */
	if (flags & ~(discard ? 0u : (uint32_t)VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP))
		return VIRTIO_BLK_S_UNSUPP;
	if (num > (discard ? VIRTIO_BLK_MAX_DISCARD_SECTORS
			   : VIRTIO_BLK_MAX_WRITE_ZEROES_SECTORS))
		return VIRTIO_BLK_S_IOERR;
	if (!range_ok(capacity, sector, num))
		return VIRTIO_BLK_S_IOERR;
	r->sector = sector;
	r->offset = sector * VIRTIO_BLK_SECTOR;
	r->len = (uint64_t)num * VIRTIO_BLK_SECTOR;
	r->unmap = flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	return VIRTIO_BLK_S_OK;
}

void virtio_blk_req_parse(const struct vq_chain *c, uint64_t capacity,
			  bool readonly, struct virtio_blk_req *r)
{
	uint8_t hdr[VIRTIO_BLK_HDR_LEN];
	memset(r, 0, sizeof(*r));
	r->status = VIRTIO_BLK_S_IOERR;
	if (!c->write_len)
		return; /* nowhere to put a status */
	r->has_status = true;
	if (vq_chain_read(c, 0, hdr, sizeof(hdr)) != sizeof(hdr))
		return;
	uint32_t type;
	uint64_t sector;
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	r->type = le32toh(type);
	r->sector = le64toh(sector);

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		r->status = parse_rw(c, capacity, readonly, r);
		break;
	case VIRTIO_BLK_T_FLUSH:
	case VIRTIO_BLK_T_GET_ID:
		r->status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		r->status = parse_discard_wz(c, capacity, readonly, r);
		break;
	default:
		r->status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
}
