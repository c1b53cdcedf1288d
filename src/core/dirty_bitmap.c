#include "core/dirty_bitmap.h"

void dirty_bitmap_set(uint64_t *bm, uint64_t pages, uint64_t first,
		      uint64_t count)
{
	if (first >= pages)
		return;
	if (count > pages - first)
		count = pages - first;
	uint64_t end = first + count;
	while (first < end) {
		uint64_t bit = first % 64;
		uint64_t n = 64 - bit < end - first ? 64 - bit : end - first;
		uint64_t mask = n == 64 ? ~0ull : ((1ull << n) - 1) << bit;
		uint64_t *w = &bm[first / 64];
		/* A plain load first: most marks hit pages already dirty, and
		 * skipping the locked OR keeps the cache line shared. */
		if ((__atomic_load_n(w, __ATOMIC_RELAXED) & mask) != mask)
			__atomic_fetch_or(w, mask, __ATOMIC_RELAXED);
		first += n;
	}
}

void dirty_bitmap_take(uint64_t *dst, uint64_t *src, size_t words)
{
	for (size_t i = 0; i < words; i++)
		if (__atomic_load_n(&src[i], __ATOMIC_RELAXED))
			dst[i] |= __atomic_exchange_n(&src[i], 0, __ATOMIC_ACQ_REL);
}

void dirty_bitmap_take_range(uint64_t *dst, uint64_t pages, uint64_t *src,
			     uint64_t first)
{
	uint64_t p = first, end = first + pages;
	while (p < end) {
		uint64_t bit = p % 64;
		uint64_t n = 64 - bit < end - p ? 64 - bit : end - p;
		uint64_t mask = n == 64 ? ~0ull : ((1ull << n) - 1) << bit;
		uint64_t *w = &src[p / 64];
		uint64_t got = 0;
		if (__atomic_load_n(w, __ATOMIC_RELAXED) & mask)
			got = __atomic_fetch_and(w, ~mask, __ATOMIC_ACQ_REL) & mask;
		for (got >>= bit; got; got &= got - 1) {
			uint64_t d = p - first + (uint64_t)__builtin_ctzll(got);
			dst[d / 64] |= 1ull << (d % 64);
		}
		p += n;
	}
}

static uint64_t word_below(const uint64_t *bm, uint64_t pages, uint64_t i)
{
	uint64_t w = bm[i];
	uint64_t valid = pages - i * 64;
	if (valid < 64)
		w &= (1ull << valid) - 1;
	return w;
}

uint64_t dirty_bitmap_count(const uint64_t *bm, uint64_t pages)
{
	uint64_t n = 0;
	for (size_t i = 0; i < dirty_bitmap_words(pages); i++)
		n += (uint64_t)__builtin_popcountll(word_below(bm, pages, i));
	return n;
}

bool dirty_bitmap_next_run(const uint64_t *bm, uint64_t pages, uint64_t *pos,
			   uint64_t max_run, uint64_t *start, uint64_t *len)
{
	uint64_t p = *pos;
	/* Find the first set bit at or after p, a word at a time. */
	while (p < pages) {
		uint64_t w = word_below(bm, pages, p / 64) >> (p % 64);
		if (w) {
			p += (uint64_t)__builtin_ctzll(w);
			break;
		}
		p = (p / 64 + 1) * 64;
	}
	if (p >= pages || !max_run) {
		*pos = pages;
		return false;
	}
	*start = p;
	uint64_t n = 0;
	while (p < pages && n < max_run) {
		uint64_t w = ~word_below(bm, pages, p / 64) >> (p % 64);
		/* Clear bits past `pages` count as the end of the run too. */
		uint64_t here = w ? (uint64_t)__builtin_ctzll(w) : 64 - p % 64;
		if (here > 64 - p % 64)
			here = 64 - p % 64;
		if (here > max_run - n)
			here = max_run - n;
		if (here > pages - p)
			here = pages - p;
		n += here;
		p += here;
		if (here == 0 || (p % 64 && here < 64))
			break;
	}
	*len = n;
	*pos = p;
	return true;
}
