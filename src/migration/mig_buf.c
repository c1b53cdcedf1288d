/* The bounded payload cursor of stream.h: little-endian fields in and out
 * of a caller's buffer, never past its end. */
#include "migration/stream.h"

#include <errno.h>
#include <string.h>

/* Room for n more bytes? If not, the cursor overflows for good. */
static bool room(struct mig_buf *b, size_t n)
{
	if (b->overflow || n > b->len - b->off) {
		b->overflow = true;
		return false;
	}
	return true;
}

static void put_le(struct mig_buf *b, uint64_t v, size_t n)
{
	if (!room(b, n))
		return;
	for (size_t i = 0; i < n; i++)
		b->p[b->off + i] = (uint8_t)(v >> (8 * i));
	b->off += n;
}

static uint64_t get_le(struct mig_buf *b, size_t n)
{
	uint64_t v = 0;

	if (!room(b, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)b->p[b->off + i] << (8 * i);
	b->off += n;
	return v;
}

void mig_put_u8(struct mig_buf *b, uint8_t v) { put_le(b, v, 1); }
void mig_put_u16(struct mig_buf *b, uint16_t v) { put_le(b, v, 2); }
void mig_put_u32(struct mig_buf *b, uint32_t v) { put_le(b, v, 4); }
void mig_put_u64(struct mig_buf *b, uint64_t v) { put_le(b, v, 8); }

uint8_t mig_get_u8(struct mig_buf *b) { return (uint8_t)get_le(b, 1); }
uint16_t mig_get_u16(struct mig_buf *b) { return (uint16_t)get_le(b, 2); }
uint32_t mig_get_u32(struct mig_buf *b) { return (uint32_t)get_le(b, 4); }
uint64_t mig_get_u64(struct mig_buf *b) { return get_le(b, 8); }

void mig_put_bytes(struct mig_buf *b, const void *src, size_t n)
{
	if (!room(b, n) || !n)
		return;
	memcpy(b->p + b->off, src, n);
	b->off += n;
}

void mig_get_bytes(struct mig_buf *b, void *dst, size_t n)
{
	if (!n)
		return;
	if (!room(b, n)) {
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, b->p + b->off, n);
	b->off += n;
}

int mig_buf_status(const struct mig_buf *b)
{
	return b->overflow ? -EOVERFLOW : 0;
}

int mig_buf_end(const struct mig_buf *b)
{
	return b->overflow || b->off != b->len ? -EPROTO : 0;
}
