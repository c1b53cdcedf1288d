/* libFuzzer target: guest code is untrusted. The software CPU runs
 * arbitrary bytes (in real mode, 32-bit protected mode or 64-bit mode,
 * at CPL 0 or 3) over a small flat memory, with an IDT whose entries may
 * be garbage. Whatever it does (faults, double and triple faults, port
 * I/O, HLT), it must neither crash nor touch memory outside its buffer. */
#include "accel/soft/icache.h"
#include "accel/soft/x86_cpu.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MEM 0x10000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *ram;

static int rd(void *o, uint64_t la, void *buf, unsigned len, enum x86_access a,
	      bool user, struct x86_fault *f)
{
	if (la >= MEM || len > MEM - la) {
		f->vector = X86_EXC_PF;
		f->error_code = user ? 4 : 0;
		f->cr2 = la;
		return -1;
	}
	memcpy(buf, ram + la, len);
	return 0;
}

static int wr(void *o, uint64_t la, const void *buf, unsigned len, enum x86_access a,
	      bool user, struct x86_fault *f)
{
	if (la >= MEM || len > MEM - la) {
		f->vector = X86_EXC_PF;
		f->error_code = 2 | (user ? 4 : 0);
		f->cr2 = la;
		return -1;
	}
	memcpy(ram + la, buf, len);
	return 0;
}

static void nop_invlpg(void *o, uint64_t la) { }
static void nop_flush(void *o, bool g) { }
static void pio(void *o, uint16_t port, void *buf, unsigned size, bool write)
{
	if (!write)
		memset(buf, 0xff, size);
}

static void *page_ptr(void *o, uint64_t la, bool write, bool user)
{
	uint64_t page = la & ~0xfffull;
	return page < MEM && MEM - page >= 4096 ? ram + page : NULL;
}

static int fetch_phys(void *o, uint64_t la, bool user, uint64_t *phys,
		      struct x86_fault *f)
{
	uint8_t b;
	if (rd(o, la, &b, 1, X86_ACC_FETCH, user, f))
		return -1;
	*phys = la;
	return 0;
}

static struct x86_cpu cpu;

/* Pages holding cached instructions, watched one-shot like the soft
 * MMU does: the first write reports and ends the watch. */
static uint32_t watched;

static void report(uint64_t page)
{
	uint32_t bit = 1u << (page >> 12);
	if (watched & bit) {
		watched &= ~bit;
		x86_cpu_code_written(&cpu, page);
	}
}

static int wr_watched(void *o, uint64_t la, const void *buf, unsigned len,
		      enum x86_access a, bool user, struct x86_fault *f)
{
	if (wr(o, la, buf, len, a, user, f))
		return -1;
	report(la & ~0xfffull);
	if (((la + len - 1) & ~0xfffull) != (la & ~0xfffull))
		report((la + len - 1) & ~0xfffull);
	return 0;
}

static void watch(void *o, uint64_t page)
{
	if (page < MEM)
		watched |= 1u << (page >> 12);
}

static const struct x86_mem_ops ops = {
	.read = rd, .write = wr, .invlpg = nop_invlpg, .flush_tlb = nop_flush, .pio = pio,
};

/* With the instruction cache and page pointers (writes always reported,
 * so page pointers are for reads only here). */
static void *page_ptr_read(void *o, uint64_t la, bool write, bool user)
{
	return write ? NULL : page_ptr(o, la, write, user);
}

static const struct x86_mem_ops ops_fast = {
	.read = rd, .write = wr_watched, .invlpg = nop_invlpg, .flush_tlb = nop_flush,
	.pio = pio, .page_ptr = page_ptr_read, .fetch_phys = fetch_phys, .watch_code = watch,
};

static void seg(x86_seg_t *s, uint16_t sel, uint8_t type, unsigned dpl, bool l, bool db)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->type = type;
	s->s = 1;
	s->present = 1;
	s->dpl = (uint8_t)dpl;
	s->l = l;
	s->db = db;
	s->g = 1;
	s->limit = 0xffffffff;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct x86_icache *ic;

	if (size < 2)
		return 0;
	if (!ram && !(ram = malloc(MEM)))
		abort();
	memset(ram, 0, MEM);
	/* The input is both code (at 0x1000) and the rest of memory. */
	size_t n = size - 1 < MEM - 0x1000 ? size - 1 : MEM - 0x1000;
	memcpy(ram + 0x1000, data + 1, n);
	memcpy(ram, data + 1, n < 0x1000 ? n : 0x1000); /* IVT/IDT/GDT: garbage too */

	memset(&cpu, 0, sizeof(cpu));
	bool fast = data[0] & 8;
	if (fast && !ic && !(ic = x86_icache_new()))
		abort();
	watched = 0;
	x86_cpu_set_platform(&cpu, fast ? &ops_fast : &ops, NULL, NULL, NULL);
	cpu.icache = fast ? ic : NULL;
	x86_cpu_reset(&cpu);
	unsigned mode = data[0] % 4;
	cpu.rip = 0x1000;
	cpu.gpr[X86_RSP] = 0x8000;
	if (mode == 0) {
		cpu.seg[X86_CS].base = 0;
		cpu.seg[X86_CS].selector = 0;
	} else {
		cpu.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
		cpu.cr4 = X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_PAE;
		cpu.gdtr.base = 0x100;
		cpu.gdtr.limit = 0xff;
		cpu.idtr.base = 0x200;
		cpu.idtr.limit = 0xfff;
		unsigned cpl = (data[0] >> 2) & 1 ? 3 : 0;
		if (mode == 3) {
			cpu.cr0 |= X86_CR0_PG;
			cpu.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_SCE | X86_EFER_NXE;
			seg(&cpu.seg[X86_CS], (uint16_t)(0x10 | cpl), 0xb, cpl, true, false);
		} else {
			seg(&cpu.seg[X86_CS], (uint16_t)(0x10 | cpl), 0xb, cpl, false, mode == 2);
		}
		for (unsigned s = 0; s < 6; s++)
			if (s != X86_CS)
				seg(&cpu.seg[s], (uint16_t)(0x18 | cpl), 0x3, cpl, false, true);
		cpu.tr.present = 1;
		cpu.tr.type = 0xb;
		cpu.tr.base = 0x300;
		cpu.tr.limit = 0x67;
		x86_cpu_update_mode(&cpu);
	}
	for (int k = 0; k < 4; k++) {
		enum x86_exit e = x86_cpu_run(&cpu, 256);
		if (e == X86_EXIT_SHUTDOWN)
			break;
		if (e == X86_EXIT_HLT)
			cpu.halted = false;
	}
	return 0;
}
