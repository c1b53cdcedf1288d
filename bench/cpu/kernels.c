/* Compute kernels for measuring guest instructions per second (bench/cpu):
 * a freestanding test guest (tests/cpu/guest runtime) that runs one
 * kernel `reps` times, chosen on its command line:
 *
 *   kernel=intloop|memcpy|lz77|crc32 reps=N [mode=run|count]
 *
 * mode=run (default) just runs it and prints a checksum of the result
 * (so the work cannot be skipped, and every VMM must agree on it).
 * mode=count single-steps one and two passes with RFLAGS.TF, counting
 * #DB traps: the instructions of one pass, and the fixed cost around them.
 * Every pass does the same work from the same input, so a run of N passes
 * executes exactly fixed + N * per_pass instructions.
 */
#include "runtime.h"

const char ct_name[] = "bench";

#define BUF 65536
static uint8_t in[BUF], out[BUF + BUF / 8 + 64], tmp[BUF];

static volatile uint64_t intloop_seed = 0x123456789abcdefull;

/* An integer loop: xorshift, multiply, add, rotate, compare, branch. */
static uint64_t k_intloop(void)
{
	uint64_t x = intloop_seed, acc = 0;
	for (uint32_t i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += x * 0x9e3779b97f4a7c15ull;
		acc = acc << 5 | acc >> 59;
		if ((x & 0xff) < 0x20)
			acc ^= i;
	}
	return acc;
}

/* memcpy as a C loop of 8-byte moves (not REP MOVS: one instruction
 * would count as one), 64 KiB forward, then back. */
static void copy64(uint64_t *d, const uint64_t *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i += 4) {
		uint64_t a = s[i], b = s[i + 1], c = s[i + 2], e = s[i + 3];
		d[i] = a;
		d[i + 1] = b;
		d[i + 2] = c;
		d[i + 3] = e;
	}
}

static uint64_t k_memcpy(void)
{
	copy64((uint64_t *)tmp, (const uint64_t *)in, BUF / 8);
	copy64((uint64_t *)out, (const uint64_t *)tmp, BUF / 8);
	return ct_crc32(0, out + 1000, 64);
}

/* A small LZ77 compressor: greedy, a 4096-entry hash of 4-byte
 * prefixes, 64 KiB window, literal runs and (offset, length) matches. */
static uint32_t lz77(const uint8_t *src, uint32_t n, uint8_t *dst)
{
	static uint32_t head[4096];
	for (int i = 0; i < 4096; i++)
		head[i] = 0xffffffffu;
	uint32_t i = 0, o = 0, lit = 0;
	while (i + 4 <= n) {
		uint32_t v = (uint32_t)src[i] | (uint32_t)src[i + 1] << 8 |
			     (uint32_t)src[i + 2] << 16 | (uint32_t)src[i + 3] << 24;
		uint32_t h = (v * 2654435761u) >> 20;
		uint32_t cand = head[h];
		head[h] = i;
		uint32_t len = 0;
		if (cand != 0xffffffffu && i - cand < 65536) {
			while (i + len < n && len < 255 && src[cand + len] == src[i + len])
				len++;
		}
		if (len >= 4) {
			if (lit) {
				dst[o++] = (uint8_t)lit;
				for (uint32_t k = i - lit; k < i; k++)
					dst[o++] = src[k];
				lit = 0;
			}
			dst[o++] = 0;
			dst[o++] = (uint8_t)len;
			dst[o++] = (uint8_t)(i - cand);
			dst[o++] = (uint8_t)((i - cand) >> 8);
			i += len;
		} else {
			i++;
			if (++lit == 255) {
				dst[o++] = (uint8_t)lit;
				for (uint32_t k = i - lit; k < i; k++)
					dst[o++] = src[k];
				lit = 0;
			}
		}
	}
	return o;
}

static uint64_t k_lz77(void)
{
	uint32_t n = lz77(in, BUF, out);
	return (uint64_t)n << 32 | ct_crc32(0, out, n);
}

/* CRC-32 bit by bit (no table): shifts, masks and XORs. */
static uint64_t k_crc32(void)
{
	uint32_t c = 0xffffffffu;
	for (uint32_t i = 0; i < BUF / 4; i++) {
		c ^= in[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

/* Input: text-like bytes with repeats, so LZ77 finds matches. */
static void make_input(void)
{
	static const char *const words[] = {
		"the ", "kiln ", "fires ", "guest ", "code ", "quickly ", "and ",
		"checks ", "every ", "flag ", "of ", "each ", "instruction ", "\n",
	};
	uint64_t r = 42;
	uint32_t i = 0;
	while (i < BUF) {
		const char *w = words[ct_rand(&r) % 14];
		while (*w && i < BUF)
			in[i++] = (uint8_t)*w++;
		if (ct_rand(&r) % 8 == 0 && i < BUF)
			in[i++] = (uint8_t)ct_rand(&r);
	}
}

static uint64_t (*kernel)(void);
static volatile uint64_t steps;
static volatile uint64_t sink;

static void db_handler(struct ct_frame *f)
{
	(void)f;
	steps++;
}

/* Each pass is a real call: the barrier tells the compiler memory (the
 * kernels' input) may have changed, so no pass can be folded away. */
static void run_passes(uint64_t reps)
{
	for (uint64_t r = 0; r < reps; r++) {
		__asm__ volatile("" : : : "memory");
		sink = sink * 31 + kernel();
	}
}

/* Instructions executed by run_passes(reps), counted one #DB at a time. */
static uint64_t count(uint64_t reps)
{
	steps = 0;
	__asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq" ::: "memory", "cc");
	run_passes(reps);
	__asm__ volatile("pushfq; andq $~0x100, (%%rsp); popfq" ::: "memory", "cc");
	return steps;
}

void ct_main(void)
{
	size_t len;
	const char *k = ct_cmdline_value("kernel", &len);
	static const struct {
		const char *name;
		uint64_t (*fn)(void);
	} kernels[] = {
		{ "intloop", k_intloop }, { "memcpy", k_memcpy },
		{ "lz77", k_lz77 },       { "crc32", k_crc32 },
	};
	for (unsigned int i = 0; k && i < sizeof(kernels) / sizeof(kernels[0]); i++)
		if (len == ct_strlen(kernels[i].name) &&
		    ct_strncmp(k, kernels[i].name, len) == 0)
			kernel = kernels[i].fn;
	if (!kernel) {
		ct_fail("kernel=intloop|memcpy|lz77|crc32 wanted on the command line");
		return;
	}
	make_input();
	const char *mode = ct_cmdline_value("mode", &len);
	if (mode && len == 5 && ct_strncmp(mode, "count", 5) == 0) {
		ct_set_handler(1, db_handler);
		uint64_t one = count(1), two = count(2);
		ct_set_handler(1, 0);
		ct_out("per_pass", two - one);
		ct_out("fixed", 2 * one - two);
		return;
	}
	uint64_t reps = ct_cmdline_u64("reps", 1);
	run_passes(reps);
	ct_out("result", sink);
}
