/* Page bitmaps for dirty tracking: bit n of word n / 64 is page n, the
 * layout KVM_GET_DIRTY_LOG uses, so KVM's bitmap and Kiln's own combine
 * with a plain OR. Marking is atomic (device threads mark while the
 * migration thread takes the bits); the readers run on one thread.
 */
#ifndef KILN_CORE_DIRTY_BITMAP_H
#define KILN_CORE_DIRTY_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline size_t dirty_bitmap_words(uint64_t pages)
{
	return (size_t)((pages + 63) / 64);
}

/* Set pages [first, first + count) that lie below `pages`; the rest of
 * the range is ignored. Atomic per word. */
void dirty_bitmap_set(uint64_t *bm, uint64_t pages, uint64_t first,
		      uint64_t count);

/* dst |= src, taking src's bits atomically (src ends up all clear). */
void dirty_bitmap_take(uint64_t *dst, uint64_t *src, size_t words);

/* dst (pages bits) |= src's bits [first, first + pages), taking them
 * atomically: only those bits of src are cleared, so a src shared by
 * several ranges (a log indexed by guest-physical page) gives each its
 * own. */
void dirty_bitmap_take_range(uint64_t *dst, uint64_t pages, uint64_t *src,
			     uint64_t first);

/* Set bits among the first `pages`. */
uint64_t dirty_bitmap_count(const uint64_t *bm, uint64_t pages);

/* The next run of set bits at or after *pos, at most max_run long: true
 * with [*start, *start + *len) and *pos moved past it, false when none is
 * left. Bits at or past `pages` are never reported. */
bool dirty_bitmap_next_run(const uint64_t *bm, uint64_t pages, uint64_t *pos,
			   uint64_t max_run, uint64_t *start, uint64_t *len);

#endif
