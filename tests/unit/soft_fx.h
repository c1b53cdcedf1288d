/* Test fixture for the software CPU: flat memory (linear == physical)
 * over a malloc'd buffer placed at `base`, with bounds checks that report
 * #PF like an unmapped page, a port I/O log, and an interrupt source.
 */
#ifndef KILN_TESTS_SOFT_FX_H
#define KILN_TESTS_SOFT_FX_H

#include "accel/soft/x86_cpu.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct flat_mem {
	uint8_t *buf;
	uint64_t base, size;
	/* Port I/O: reads return `pio_in`; writes are recorded. */
	uint32_t pio_in;
	unsigned nr_out;
	struct { uint16_t port; uint32_t val; unsigned size; } out[64];
	unsigned nr_invlpg, nr_flush, nr_page_ptr;
	/* Interrupt source: `irq` is pending (or -1). */
	int irq;
	int acked;
	/* Decoded-instruction cache coherence: the pages watched and the CPU
	 * to tell about writes to them. */
	struct x86_cpu *cpu;
	uint64_t watched[16];
	unsigned nr_watched;
};

static inline int flat_check(struct flat_mem *m, uint64_t la, unsigned len,
			     bool write, bool user, bool fetch, struct x86_fault *f)
{
	if (la < m->base || la - m->base > m->size || len > m->size - (la - m->base)) {
		uint64_t bad = la < m->base || la - m->base >= m->size ? la : m->base + m->size;
		f->vector = X86_EXC_PF;
		f->error_code = (write ? 2u : 0u) | (user ? 4u : 0u) | (fetch ? 16u : 0u);
		f->cr2 = bad;
		return -1;
	}
	return 0;
}

static inline int flat_read(void *o, uint64_t la, void *buf, unsigned len,
			    enum x86_access acc, bool user, struct x86_fault *f)
{
	struct flat_mem *m = o;
	if (flat_check(m, la, len, acc == X86_ACC_RMW, user, acc == X86_ACC_FETCH, f))
		return -1;
	memcpy(buf, m->buf + (la - m->base), len);
	return 0;
}

static inline int flat_write(void *o, uint64_t la, const void *buf, unsigned len,
			     enum x86_access acc, bool user, struct x86_fault *f)
{
	struct flat_mem *m = o;
	if (flat_check(m, la, len, true, user, false, f))
		return -1;
	memcpy(m->buf + (la - m->base), buf, len);
	if (m->cpu)
		for (unsigned k = 0; k < m->nr_watched; k++)
			if ((la & ~0xfffull) <= m->watched[k] &&
			    m->watched[k] <= ((la + len - 1) & ~0xfffull))
				x86_cpu_code_written(m->cpu, m->watched[k]);
	return 0;
}

static inline void flat_invlpg(void *o, uint64_t la)
{
	((struct flat_mem *)o)->nr_invlpg++;
}

static inline void flat_flush(void *o, bool global)
{
	((struct flat_mem *)o)->nr_flush++;
}

static inline void flat_pio(void *o, uint16_t port, void *buf, unsigned size, bool write)
{
	struct flat_mem *m = o;
	if (write) {
		if (m->nr_out < 64) {
			uint32_t v = 0;
			memcpy(&v, buf, size);
			m->out[m->nr_out].port = port;
			m->out[m->nr_out].val = v;
			m->out[m->nr_out].size = size;
			m->nr_out++;
		}
	} else {
		memcpy(buf, &m->pio_in, size);
	}
}

static inline int flat_fetch_phys(void *o, uint64_t la, bool user, uint64_t *phys,
				  struct x86_fault *f)
{
	if (flat_check(o, la, 1, false, user, true, f))
		return -1;
	*phys = la;
	return 0;
}

static inline void flat_watch(void *o, uint64_t page)
{
	struct flat_mem *m = o;
	for (unsigned k = 0; k < m->nr_watched; k++)
		if (m->watched[k] == page)
			return;
	if (m->nr_watched < 16)
		m->watched[m->nr_watched++] = page;
}

/* Direct pointers to whole pages inside the buffer, none for writes to a
 * page watched for code. */
static inline void *flat_page_ptr(void *o, uint64_t la, bool write, bool user)
{
	struct flat_mem *m = o;
	uint64_t page = la & ~0xfffull;

	m->nr_page_ptr++;
	if (page < m->base || page - m->base > m->size || m->size - (page - m->base) < 4096)
		return NULL;
	if (write)
		for (unsigned k = 0; k < m->nr_watched; k++)
			if (m->watched[k] == page)
				return NULL;
	return m->buf + (page - m->base);
}

static const struct x86_mem_ops flat_ops = {
	.read = flat_read, .write = flat_write, .invlpg = flat_invlpg,
	.flush_tlb = flat_flush, .pio = flat_pio,
};

static const struct x86_mem_ops flat_ops_cached = {
	.read = flat_read, .write = flat_write, .invlpg = flat_invlpg,
	.flush_tlb = flat_flush, .pio = flat_pio,
	.fetch_phys = flat_fetch_phys, .watch_code = flat_watch,
	.page_ptr = flat_page_ptr,
};

/* Data through page pointers, instructions decoded every time. */
static const struct x86_mem_ops flat_ops_direct = {
	.read = flat_read, .write = flat_write, .invlpg = flat_invlpg,
	.flush_tlb = flat_flush, .pio = flat_pio, .page_ptr = flat_page_ptr,
};

static inline int flat_pending(void *o)
{
	return ((struct flat_mem *)o)->irq;
}

static inline void flat_ack(void *o, int v)
{
	struct flat_mem *m = o;
	m->acked = v;
	m->irq = -1;
}

static const struct x86_intc_ops flat_intc = { flat_pending, flat_ack };

static inline void flat_init(struct flat_mem *m, uint64_t base, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	m->buf = calloc(1, size);
	m->base = base;
	m->size = size;
	m->irq = -1;
}

static inline void flat_free(struct flat_mem *m)
{
	free(m->buf);
}

static inline uint8_t *flat_at(struct flat_mem *m, uint64_t addr)
{
	return m->buf + (addr - m->base);
}

#endif
