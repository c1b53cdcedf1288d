/* The translator (see jit.h). Host register use inside a translation:
 * RBX = the CPU, RAX/RCX/RDX hold guest operands for one instruction
 * (loaded from cpu->gpr before it, stored back after it), so nothing is
 * cached across instructions and a call to a handler needs no spill;
 * RSI, R8-R10 are scratch for the TLB lookup and the exits.
 *
 * Flags: the guest's arithmetic flags live in the host's RFLAGS from the
 * block's entry (loaded materialised) and are written back to
 * cpu->rflags (lazy state "eager") at every exit and before a handler
 * runs after native flag writers (or first in a translation, which may
 * have been jumped into from another). Native instructions whose flags
 * are undefined by the architecture (shifts' AF and multi-bit OF, IMUL's
 * SF/ZF/AF/PF) are used only where later native instructions of the
 * block overwrite those flags before anything reads them, a handler runs
 * or the block can exit; elsewhere the handler runs.
 */
#include "accel/soft/jit.h"
#include "accel/soft/jit_internal.h"
#include "accel/soft/block.h"
#include "accel/soft/cpu_internal.h"
#include "core/log.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>

#define JIT_GUARD 4096u

struct x86_jit *x86_jit_new(void)
{
	const char *e = getenv("KILN_SOFT_JIT");
	if (e && e[0] == '0')
		return NULL;
	struct x86_jit *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	/* The code, then one inaccessible page: writing past the end
	 * faults instead of reaching whatever is mapped next. */
	void *p = mmap(NULL, X86_JIT_CODE + JIT_GUARD, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		free(j);
		return NULL;
	}
	if (mprotect(p, X86_JIT_CODE, PROT_READ | PROT_WRITE | PROT_EXEC)) {
		munmap(p, X86_JIT_CODE + JIT_GUARD);
		free(j);
		return NULL;
	}
	j->code = p;
	return j;
}

void x86_jit_free(struct x86_jit *j)
{
	if (!j)
		return;
	munmap(j->code, X86_JIT_CODE + JIT_GUARD);
	free(j);
}

/* ---- emitting ---- */

struct em {
	uint8_t *p;
};

static void b1(struct em *e, uint8_t v) { *e->p++ = v; }
static void b4(struct em *e, uint32_t v) { memcpy(e->p, &v, 4); e->p += 4; }
static void b8(struct em *e, uint64_t v) { memcpy(e->p, &v, 8); e->p += 8; }

#define OFF(f) ((uint32_t)offsetof(struct x86_cpu, f))

/* mov h, [rbx + d] / mov [rbx + d], h (64-bit, h < 8) */
static void ld(struct em *e, unsigned h, uint32_t d) { b1(e, 0x48); b1(e, 0x8b); b1(e, (uint8_t)(0x83 | h << 3)); b4(e, d); }
static void st(struct em *e, unsigned h, uint32_t d) { b1(e, 0x48); b1(e, 0x89); b1(e, (uint8_t)(0x83 | h << 3)); b4(e, d); }
static void mov_imm64(struct em *e, unsigned h, uint64_t v) { b1(e, 0x48); b1(e, (uint8_t)(0xb8 + h)); b8(e, v); }
static void call_abs(struct em *e, const void *fn)
{
	mov_imm64(e, 0, (uint64_t)(uintptr_t)fn);
	b1(e, 0xff); b1(e, 0xd0);
}
/* Host RFLAGS' arithmetic bits into cpu->rflags, lazy state eager. */
static void sync_flags(struct em *e)
{
	b1(e, 0x9c); b1(e, 0x5a);                                  /* pushfq; pop rdx */
	b1(e, 0x81); b1(e, 0xe2); b4(e, ARITH);                    /* and edx, ARITH */
	ld(e, 6, OFF(rflags));                                     /* mov rsi, rflags */
	b1(e, 0x48); b1(e, 0x81); b1(e, 0xe6); b4(e, ~ARITH);      /* and rsi, ~ARITH */
	b1(e, 0x48); b1(e, 0x09); b1(e, 0xd6);                     /* or rsi, rdx */
	st(e, 6, OFF(rflags));
	b1(e, 0xc7); b1(e, 0x83); b4(e, OFF(cc_op)); b4(e, CC_EAGER);
}

static uint64_t jit_flags(struct x86_cpu *c)
{
	return (x86_arith(c) & ARITH) | 0x202;
}

/* Host RFLAGS from the CPU's (after a handler ran). */
static void reload_flags(struct em *e)
{
	b1(e, 0x48); b1(e, 0x89); b1(e, 0xdf);                     /* mov rdi, rbx */
	call_abs(e, (const void *)jit_flags);
	b1(e, 0x50); b1(e, 0x9d);                                  /* push rax; popfq */
}

enum { HF_CLEAN, HF_DIRTY, HF_STALE }; /* host flags vs the CPU's */

/* An exit to the end of the translation: RAX = the next RIP, ECX = the
 * instructions retired not yet counted. */
struct branch_exit {
	uint8_t *patch;   /* rel32 to point at its exit code */
	uint64_t rip;     /* RAX, unless from_rax */
	bool from_rax;
	bool flags;       /* write host flags back first */
	bool loop;        /* a branch back to the start: stay if nothing is due */
	uint32_t pend;
};

/* RDX = the linear address of i's memory operand (64-bit mode: only FS
 * and GS have a base). Flags untouched. */
static void emit_la(struct em *e, const struct x86_insn *i)
{
	if (i->base == X86_REG_NONE) {
		b1(e, 0xb8); b4(e, 0);                                     /* mov eax, 0 */
	} else {
		ld(e, 0, OFF(gpr) + 8 * i->base);
	}
	if (i->index != X86_REG_NONE)
		ld(e, 1, OFF(gpr) + 8 * i->index);
	b1(e, 0x48);
	if (i->adsize == 4)
		e->p[-1] = 0x67, b1(e, 0x48);
	b1(e, 0x8d); b1(e, 0x94);                                          /* lea rdx, [rax + rcx*s + d] */
	b1(e, (uint8_t)(i->scale << 6 | (i->index != X86_REG_NONE ? 1 : 4) << 3));
	b4(e, (uint32_t)i->disp);
	if (i->adsize == 4) {
		b1(e, 0x89); b1(e, 0xd2);                                  /* mov edx, edx */
	}
	if (i->seg == X86_FS || i->seg == X86_GS) {
		ld(e, 1, OFF(seg) + i->seg * (uint32_t)sizeof(x86_seg_t) +
			 (uint32_t)offsetof(x86_seg_t, base));
		b1(e, 0x48); b1(e, 0x8d); b1(e, 0x14); b1(e, 0x0a);        /* lea rdx, [rdx + rcx] */
	}
}

#define JIT_PROLOGUE 22 /* bytes before a translation's first instruction */

/* An exit with the guest's flags in the host's, RAX = the next RIP and
 * ECX = instructions not counted yet: count them, and if the block that
 * followed here last time (the links the run loop keeps, valid as
 * chained() checks them) has a translation entered at this RIP, and the
 * run loop would run it next (budget for it, no exit request, no
 * interrupt hint with IF set), jump into it past its prologue; else
 * leave through `exit_flags`. Flags wait in R8 (LAHF, SETO) meanwhile. */
static uint8_t *emit_chain(struct em *e, struct x86_block *b, uint8_t *exit_flags)
{
	uint8_t *chain = e->p, *out[16];
	unsigned nout = 0;
	int32_t rel;

	b1(e, 0x49); b1(e, 0x89); b1(e, 0xc1);                              /* mov r9, rax */
	b1(e, 0x9f); b1(e, 0x0f); b1(e, 0x90); b1(e, 0xc0);                 /* lahf; seto al */
	b1(e, 0x41); b1(e, 0x89); b1(e, 0xc0);                              /* mov r8d, eax */
	b1(e, 0x48); b1(e, 0x01); b1(e, 0x8b); b4(e, OFF(icount));          /* add [icount], rcx */
	b1(e, 0x48); b1(e, 0x29); b1(e, 0x8b); b4(e, OFF(budget_left));     /* sub [budget], rcx */
	b1(e, 0x83); b1(e, 0xbb); b4(e, OFF(exit_request)); b1(e, 0);
	b1(e, 0x0f); b1(e, 0x85); out[nout++] = e->p; b4(e, 0);
	b1(e, 0x83); b1(e, 0xbb); b4(e, OFF(irq_hint)); b1(e, 0);
	b1(e, 0x74); b1(e, 13);                                             /* je +13 */
	b1(e, 0xf6); b1(e, 0x83); b4(e, OFF(rflags) + 1); b1(e, 0x02);      /* test IF */
	b1(e, 0x0f); b1(e, 0x85); out[nout++] = e->p; b4(e, 0);
	for (unsigned l = 0; l < 2; l++) {
		uint8_t *next[8];
		unsigned nnext = 0;
		mov_imm64(e, 2, (uint64_t)(uintptr_t)&b->link[l]);              /* rdx = link */
		b1(e, 0x4c); b1(e, 0x3b); b1(e, 0x4a); b1(e, (uint8_t)offsetof(struct x86_link, rip)); /* cmp r9, [rdx+rip] */
		b1(e, 0x0f); b1(e, 0x85); next[nnext++] = e->p; b4(e, 0);
		b1(e, 0x48); b1(e, 0x8b); b1(e, 0x72); b1(e, (uint8_t)offsetof(struct x86_link, b)); /* mov rsi, [rdx+b] */
		b1(e, 0x48); b1(e, 0x85); b1(e, 0xf6);                          /* test rsi, rsi */
		b1(e, 0x0f); b1(e, 0x84); next[nnext++] = e->p; b4(e, 0);
		b1(e, 0x48); b1(e, 0x8b); b1(e, 0x86); b4(e, (uint32_t)offsetof(struct x86_block, phys)); /* mov rax, [rsi+phys] */
		b1(e, 0x48); b1(e, 0x3b); b1(e, 0x42); b1(e, (uint8_t)offsetof(struct x86_link, phys)); /* cmp rax, [rdx+phys] */
		b1(e, 0x0f); b1(e, 0x85); next[nnext++] = e->p; b4(e, 0);
		ld(e, 0, OFF(icache));                                          /* rax = icache */
		b1(e, 0x48); b1(e, 0x8b); b1(e, 0x80); b4(e, (uint32_t)offsetof(struct x86_icache, epoch));
		b1(e, 0x48); b1(e, 0x3b); b1(e, 0x42); b1(e, (uint8_t)offsetof(struct x86_link, epoch));
		b1(e, 0x0f); b1(e, 0x85); next[nnext++] = e->p; b4(e, 0);
		b1(e, 0x0f); b1(e, 0xb6); b1(e, 0x83); b4(e, OFF(cpl));         /* movzx eax, byte cpl */
		b1(e, 0x83); b1(e, 0xf8); b1(e, 3);                             /* cmp eax, 3 */
		b1(e, 0x0f); b1(e, 0x94); b1(e, 0xc0);                          /* sete al */
		b1(e, 0x3a); b1(e, 0x42); b1(e, (uint8_t)offsetof(struct x86_link, user)); /* cmp al, [rdx+user] */
		b1(e, 0x0f); b1(e, 0x85); next[nnext++] = e->p; b4(e, 0);
		/* The block that follows: translated for this RIP, and budget. */
		b1(e, 0x48); b1(e, 0x8b); b1(e, 0x86); b4(e, (uint32_t)offsetof(struct x86_block, jit)); /* mov rax, [rsi+jit] */
		b1(e, 0x48); b1(e, 0x85); b1(e, 0xc0);                          /* test rax, rax */
		b1(e, 0x0f); b1(e, 0x84); out[nout++] = e->p; b4(e, 0);
		b1(e, 0x4c); b1(e, 0x3b); b1(e, 0x8e); b4(e, (uint32_t)offsetof(struct x86_block, jit_rip)); /* cmp r9, [rsi+jit_rip] */
		b1(e, 0x0f); b1(e, 0x85); out[nout++] = e->p; b4(e, 0);
		b1(e, 0x0f); b1(e, 0xb6); b1(e, 0x8e); b4(e, (uint32_t)offsetof(struct x86_block, n)); /* movzx ecx, byte [rsi+n] */
		b1(e, 0x48); b1(e, 0x39); b1(e, 0x8b); b4(e, OFF(budget_left)); /* cmp [budget], rcx */
		b1(e, 0x0f); b1(e, 0x82); out[nout++] = e->p; b4(e, 0);        /* jb */
		b1(e, 0x4c); b1(e, 0x8d); b1(e, 0x50); b1(e, JIT_PROLOGUE);     /* lea r10, [rax+22] */
		b1(e, 0x4c); b1(e, 0x89); b1(e, 0x8b); b4(e, OFF(rip));         /* mov [rip], r9 */
		b1(e, 0x44); b1(e, 0x89); b1(e, 0xc0);                          /* mov eax, r8d */
		b1(e, 0x04); b1(e, 0x7f); b1(e, 0x9e);                          /* add al, 0x7f; sahf */
		b1(e, 0x41); b1(e, 0xff); b1(e, 0xe2);                          /* jmp r10 */
		for (unsigned q = 0; q < nnext; q++) {
			rel = (int32_t)(e->p - (next[q] + 4));
			memcpy(next[q], &rel, 4);
		}
	}
	for (unsigned q = 0; q < nout; q++) {
		rel = (int32_t)(e->p - (out[q] + 4));
		memcpy(out[q], &rel, 4);
	}
	b1(e, 0x44); b1(e, 0x89); b1(e, 0xc0);                              /* mov eax, r8d */
	b1(e, 0x04); b1(e, 0x7f); b1(e, 0x9e);                              /* add al, 0x7f; sahf */
	b1(e, 0x4c); b1(e, 0x89); b1(e, 0xc8);                              /* mov rax, r9 */
	b1(e, 0xb9); b4(e, 0);                                              /* mov ecx, 0 */
	b1(e, 0xe9);
	rel = (int32_t)(exit_flags - (e->p + 4));
	b4(e, (uint32_t)rel);
	return chain;
}

/* A memory MOV's slow way: its handler, out of line. */
struct slow {
	uint8_t *from[3]; /* rel32s that jump here */
	uint8_t *back;    /* where the fast path goes on */
	unsigned k, pend, hf;
};

void x86_jit_translate(struct x86_jit *j, struct x86_block *b, uint64_t rip)
{
	struct slow slows[X86_BLOCK_MAX_INSNS];
	unsigned nslow = 0;
	struct plan plan[X86_BLOCK_MAX_INSNS];
	struct branch_exit bexits[X86_BLOCK_MAX_INSNS * 4];
	unsigned nbexit = 0, n = b->n, natives = 0;
	uint64_t at[X86_BLOCK_MAX_INSNS + 1];

	b->jit = NULL;
	if (b->code_size != 64)
		return;
	at[0] = rip;
	for (unsigned k = 0; k < n; k++)
		at[k + 1] = at[k] + b->op[k].insn.len;
	for (unsigned k = 0; k < n; k++)
		if (!x86_jit_plan(&b->op[k].insn, at[k + 1], &plan[k]))
			plan[k].kind = K_CALL;
	/* Undefined flags must be dead: overwritten before any read, exit
	 * or handler. Later instructions are settled first. */
	for (unsigned k = n; k-- > 0;) {
		uint16_t need = plan[k].undef;
		if (plan[k].kind == K_CALL || !need)
			continue;
		for (unsigned m = k + 1; need; m++) {
			if (m == n || plan[m].kind == K_CALL || plan[m].kind == K_MEM || plan[m].kind == K_JCC ||
			    plan[m].kind == K_JMP || (plan[m].rd & need))
				break;
			need &= (uint16_t)~(plan[m].wr | plan[m].undef);
		}
		if (need)
			plan[k].kind = K_CALL;
	}
	for (unsigned k = 0; k < n; k++)
		natives += plan[k].kind != K_CALL;
	if (!natives)
		return;
	/* A block of native instructions only may branch back to its own
	 * start without leaving (the checks the run loop makes between
	 * blocks are made there): nothing in it can change what they look
	 * at but the counters, exit requests and interrupt hints. */
	bool pure = natives == n;
	for (unsigned k = 0; k < n; k++)
		pure = pure && plan[k].kind != K_MEM; /* may call a handler */

	struct em e = { j->code + j->used };
	uint8_t *start = e.p;
	/* push rbx; push r12; push r13; mov rbx, rdi; flags from esi */
	b1(&e, 0x53); b1(&e, 0x41); b1(&e, 0x54); b1(&e, 0x41); b1(&e, 0x55);
	b1(&e, 0x48); b1(&e, 0x89); b1(&e, 0xfb);
	b1(&e, 0x81); b1(&e, 0xe6); b4(&e, ARITH);
	b1(&e, 0x81); b1(&e, 0xce); b4(&e, 0x202);
	b1(&e, 0x56); b1(&e, 0x9d);
	uint8_t *top = e.p;
	if (top - start != JIT_PROLOGUE)
		return; /* emit_chain enters there */

	/* Dirty: a translation jumped here from another (emit_chain) has
	 * not written the flags back. */
	unsigned hf = HF_DIRTY, pend = 0;
	bool ended = false;
	for (unsigned k = 0; k < n && !ended; k++) {
		const struct plan *p = &plan[k];
		const struct x86_insn *i = &b->op[k].insn;
		bool last = k == n - 1;

		if (p->kind == K_CALL) {
			if (hf == HF_DIRTY)
				sync_flags(&e);
			if (pend) {
				b1(&e, 0x48); b1(&e, 0x81); b1(&e, 0x83); b4(&e, OFF(icount)); b4(&e, pend);
			}
			b1(&e, 0x48); b1(&e, 0x81); b1(&e, 0xab); b4(&e, OFF(budget_left)); b4(&e, pend + 1);
			pend = 0;
			mov_imm64(&e, 0, at[k]);
			st(&e, 0, OFF(rip));
			mov_imm64(&e, 0, at[k + 1]);
			st(&e, 0, OFF(next_rip));
			b1(&e, 0x48); b1(&e, 0x89); b1(&e, 0xdf);          /* mov rdi, rbx */
			mov_imm64(&e, 6, (uint64_t)(uintptr_t)i);           /* mov rsi, insn */
			call_abs(&e, (const void *)b->op[k].fn);
			b1(&e, 0x48); b1(&e, 0x83); b1(&e, 0x83); b4(&e, OFF(icount)); b1(&e, 1);
			ld(&e, 0, OFF(next_rip));
			/* The handler's flags are in the CPU (and the counting
			 * here clobbered the host's). */
			hf = HF_STALE;
			if (last)
				break; /* RAX = next_rip: the exit below */
			/* Stop where run_block would: a branch, an exit
			 * request, or this block dropped by a code write. */
			mov_imm64(&e, 1, at[k + 1]);
			b1(&e, 0x48); b1(&e, 0x39); b1(&e, 0xc8);          /* cmp rax, rcx */
			b1(&e, 0x0f); b1(&e, 0x85); bexits[nbexit] = (struct branch_exit){ e.p, 0, true, false, false, 0 }; nbexit++; b4(&e, 0);
			mov_imm64(&e, 1, (uint64_t)(uintptr_t)&b->phys);
			mov_imm64(&e, 2, b->phys);
			b1(&e, 0x48); b1(&e, 0x39); b1(&e, 0x11);          /* cmp [rcx], rdx */
			b1(&e, 0x0f); b1(&e, 0x85); bexits[nbexit] = (struct branch_exit){ e.p, 0, true, false, false, 0 }; nbexit++; b4(&e, 0);
			b1(&e, 0x83); b1(&e, 0xbb); b4(&e, OFF(exit_request)); b1(&e, 0);
			b1(&e, 0x0f); b1(&e, 0x85); bexits[nbexit] = (struct branch_exit){ e.p, 0, true, false, false, 0 }; nbexit++; b4(&e, 0);
			continue;
		}
		if (p->kind == K_MEM) {
			/* The TLB lookup x86_fast_of's handlers make, inline;
			 * the guest's flags wait in R8 (LAHF, SETO) if live. */
			bool load_ = i->op != 0x89;
			unsigned len = i->map == X86_MAP_0F ? (i->op == 0xb6 ? 1 : 2) : i->opsize;
			struct slow *sl = &slows[nslow++];
			sl->k = k;
			sl->pend = pend;
			sl->hf = hf;
			if (hf != HF_STALE) {
				b1(&e, 0x9f); b1(&e, 0x0f); b1(&e, 0x90); b1(&e, 0xc0); /* lahf; seto al */
				b1(&e, 0x41); b1(&e, 0x89); b1(&e, 0xc0);               /* mov r8d, eax */
			}
			emit_la(&e, i);
			/* canonical */
			b1(&e, 0x48); b1(&e, 0x89); b1(&e, 0xd0);                      /* mov rax, rdx */
			b1(&e, 0x48); b1(&e, 0xc1); b1(&e, 0xe0); b1(&e, 16);          /* shl rax, 16 */
			b1(&e, 0x48); b1(&e, 0xc1); b1(&e, 0xf8); b1(&e, 16);          /* sar rax, 16 */
			b1(&e, 0x48); b1(&e, 0x39); b1(&e, 0xd0);                      /* cmp rax, rdx */
			b1(&e, 0x0f); b1(&e, 0x85); sl->from[0] = e.p; b4(&e, 0);
			/* within the page */
			b1(&e, 0x89); b1(&e, 0xd0);                                    /* mov eax, edx */
			b1(&e, 0x25); b4(&e, 0xfff);                                   /* and eax, 0xfff */
			b1(&e, 0x3d); b4(&e, 4096 - len);                              /* cmp eax, 4096-len */
			b1(&e, 0x0f); b1(&e, 0x87); sl->from[1] = e.p; b4(&e, 0);      /* ja */
			/* the entry and its tag */
			b1(&e, 0x48); b1(&e, 0x89); b1(&e, 0xd0);                      /* mov rax, rdx */
			b1(&e, 0x48); b1(&e, 0xc1); b1(&e, 0xe8); b1(&e, 12);          /* shr rax, 12 */
			b1(&e, 0x83); b1(&e, 0xe0); b1(&e, X86_DTLB_SIZE - 1);         /* and eax, 63 */
			b1(&e, 0xc1); b1(&e, 0xe0); b1(&e, 4);                         /* shl eax, 4 */
			b1(&e, 0x48); b1(&e, 0x8d); b1(&e, 0x8c); b1(&e, 0x03);        /* lea rcx, [rbx+rax+d] */
			b4(&e, OFF(dtlb) + (load_ ? 0 : (uint32_t)sizeof(((struct x86_cpu *)0)->dtlb[0])));
			b1(&e, 0x48); b1(&e, 0x89); b1(&e, 0xd0);                      /* mov rax, rdx */
			b1(&e, 0x48); b1(&e, 0x25); b4(&e, ~0xfffu);                   /* and rax, ~0xfff */
			b1(&e, 0x48); b1(&e, 0x83); b1(&e, 0xc8); b1(&e, 1);           /* or rax, 1 */
			b1(&e, 0x0f); b1(&e, 0xb6); b1(&e, 0xb3); b4(&e, OFF(cpl));    /* movzx esi, byte cpl */
			b1(&e, 0x83); b1(&e, 0xfe); b1(&e, 3);                         /* cmp esi, 3 */
			b1(&e, 0x75); b1(&e, 4);                                       /* jne +4 */
			b1(&e, 0x48); b1(&e, 0x83); b1(&e, 0xc8); b1(&e, 2);           /* or rax, 2 */
			b1(&e, 0x48); b1(&e, 0x3b); b1(&e, 0x01);                      /* cmp rax, [rcx] */
			b1(&e, 0x0f); b1(&e, 0x85); sl->from[2] = e.p; b4(&e, 0);
			b1(&e, 0x48); b1(&e, 0x8b); b1(&e, 0x41); b1(&e, 8);           /* mov rax, [rcx+8] */
			b1(&e, 0x81); b1(&e, 0xe2); b4(&e, 0xfff);                     /* and edx, 0xfff */
			if (!load_) {
				ld(&e, 1, OFF(gpr) + 8 * i->reg);
				if (len == 8)
					b1(&e, 0x48);
				b1(&e, 0x89); b1(&e, 0x0c); b1(&e, 0x10);              /* mov [rax+rdx], (r|e)cx */
			} else {
				if (len == 8)
					b1(&e, 0x48);
				if (len <= 2) {
					b1(&e, 0x0f); b1(&e, len == 1 ? 0xb6 : 0xb7);  /* movzx eax, [rax+rdx] */
				} else {
					b1(&e, 0x8b);                                  /* mov (r|e)ax, [rax+rdx] */
				}
				b1(&e, 0x04); b1(&e, 0x10);
				st(&e, 0, OFF(gpr) + 8 * i->reg);
			}
			if (hf != HF_STALE) {
				b1(&e, 0x44); b1(&e, 0x89); b1(&e, 0xc0);               /* mov eax, r8d */
				b1(&e, 0x04); b1(&e, 0x7f); b1(&e, 0x9e);               /* add al, 0x7f; sahf */
			}
			sl->back = e.p;
			pend++;
			if (last)
				mov_imm64(&e, 0, at[k + 1]);
			continue;
		}
		/* Native: the host flags must hold the guest's unless this
		 * instruction overwrites them all without reading any. */
		if (hf == HF_STALE && (p->rd || ((p->wr | p->undef) && (p->wr | p->undef) != ARITH))) {
			reload_flags(&e);
			hf = HF_CLEAN;
		}
		pend++;
		switch (p->kind) {
		case K_NOP:
			break;
		case K_JCC:
			b1(&e, 0x0f); b1(&e, (uint8_t)(0x80 | (i->op & 15)));
			bexits[nbexit] = (struct branch_exit){ e.p,
				at[k + 1] + (uint64_t)x86_sext(i->imm, i->imm_len), false, true, false, pend };
			bexits[nbexit].loop = pure && bexits[nbexit].rip == at[0];
			nbexit++;
			b4(&e, 0);
			break;
		case K_JMP:
			if (pure && at[k + 1] + (uint64_t)x86_sext(i->imm, i->imm_len) == at[0]) {
				b1(&e, 0xe9);
				bexits[nbexit++] = (struct branch_exit){ e.p, at[0], false, true, true, pend };
				b4(&e, 0);
			}
			mov_imm64(&e, 0, at[k + 1] + (uint64_t)x86_sext(i->imm, i->imm_len));
			ended = true;
			break;
		case K_LEA:
			if (i->base == X86_REG_NONE) {
				b1(&e, 0xb8); b4(&e, 0);                    /* mov eax, 0 */
			} else if (i->base == X86_REG_RIP) {
				mov_imm64(&e, 0, at[k + 1]);
			} else {
				ld(&e, 0, OFF(gpr) + 8 * i->base);
			}
			if (i->index != X86_REG_NONE)
				ld(&e, 1, OFF(gpr) + 8 * i->index);
			if (i->opsize == 2) {
				ld(&e, 2, OFF(gpr) + 8 * i->reg); /* merges */
				b1(&e, 0x66);
			}
			if (i->opsize == 8)
				b1(&e, 0x48);
			if (i->adsize == 4)
				b1(&e, 0x67);
			b1(&e, 0x8d); b1(&e, 0x94);                 /* lea (e|r)dx, ... */
			b1(&e, (uint8_t)(i->scale << 6 | (i->index != X86_REG_NONE ? 1 : 4) << 3));
			b4(&e, (uint32_t)i->disp);
			st(&e, 2, OFF(gpr) + 8 * i->reg);
			break;
		default:
			for (unsigned r = 0; r < p->nload; r++)
				ld(&e, p->lh[r], OFF(gpr) + 8 * p->lg[r]);
			memcpy(e.p, p->enc, p->enclen);
			e.p += p->enclen;
			for (unsigned r = 0; r < p->nstore; r++)
				st(&e, p->sh[r], OFF(gpr) + 8 * p->sg[r]);
			if (p->wr || p->undef)
				hf = HF_DIRTY;
		}
		if (!ended && last)
			mov_imm64(&e, 0, at[k + 1]);
	}
	/* The exit: RAX = RIP, ECX = instructions not counted yet. */
	uint8_t *exit_flags, *exit_counts, *to_chain = NULL;
	b1(&e, 0xb9); b4(&e, pend);                                /* mov ecx, pend */
	if (hf != HF_STALE) {
		b1(&e, 0xe9); to_chain = e.p; b4(&e, 0);
	}
	if (hf == HF_STALE) {
		b1(&e, 0xe9); uint8_t *fix = e.p; b4(&e, 0);
		exit_flags = e.p;
		sync_flags(&e);
		exit_counts = e.p;
		int32_t rel = (int32_t)(exit_counts - (fix + 4));
		memcpy(fix, &rel, 4);
	} else {
		exit_flags = e.p;
		sync_flags(&e);
		exit_counts = e.p;
	}
	b1(&e, 0x48); b1(&e, 0x01); b1(&e, 0x8b); b4(&e, OFF(icount));      /* add [icount], rcx */
	b1(&e, 0x48); b1(&e, 0x29); b1(&e, 0x8b); b4(&e, OFF(budget_left)); /* sub [budget], rcx */
	st(&e, 0, OFF(rip));
	b1(&e, 0x41); b1(&e, 0x5d); b1(&e, 0x41); b1(&e, 0x5c); b1(&e, 0x5b); b1(&e, 0xc3);
	uint8_t *chain = emit_chain(&e, b, exit_flags);
	if (to_chain) {
		int32_t rel = (int32_t)(chain - (to_chain + 4));
		memcpy(to_chain, &rel, 4);
	}
	for (unsigned s = 0; s < nbexit; s++) {
		int32_t rel = (int32_t)(e.p - (bexits[s].patch + 4));
		memcpy(bexits[s].patch, &rel, 4);
		if (bexits[s].loop) {
			/* Keep the guest's flags in AH/AL (LAHF, SETO) while
			 * counting and checking, as the run loop would between
			 * blocks: budget for another pass, no exit request, no
			 * interrupt hint while RFLAGS.IF is set. */
			uint8_t *out[3];
			b1(&e, 0x9f); b1(&e, 0x0f); b1(&e, 0x90); b1(&e, 0xc0); /* lahf; seto al */
			b1(&e, 0x48); b1(&e, 0x81); b1(&e, 0x83); b4(&e, OFF(icount)); b4(&e, bexits[s].pend);
			b1(&e, 0x48); b1(&e, 0x81); b1(&e, 0xab); b4(&e, OFF(budget_left)); b4(&e, bexits[s].pend);
			b1(&e, 0x48); b1(&e, 0x81); b1(&e, 0xbb); b4(&e, OFF(budget_left)); b4(&e, n); /* cmp */
			b1(&e, 0x0f); b1(&e, 0x82); out[0] = e.p; b4(&e, 0);                          /* jb */
			b1(&e, 0x83); b1(&e, 0xbb); b4(&e, OFF(exit_request)); b1(&e, 0);
			b1(&e, 0x0f); b1(&e, 0x85); out[1] = e.p; b4(&e, 0);                          /* jne */
			b1(&e, 0x83); b1(&e, 0xbb); b4(&e, OFF(irq_hint)); b1(&e, 0);
			b1(&e, 0x74); b1(&e, 13);                                                     /* je stay */
			b1(&e, 0xf6); b1(&e, 0x83); b4(&e, OFF(rflags) + 1); b1(&e, 0x02);           /* test IF */
			b1(&e, 0x0f); b1(&e, 0x85); out[2] = e.p; b4(&e, 0);                          /* jne */
			/* stay: */
			b1(&e, 0x04); b1(&e, 0x7f); b1(&e, 0x9e);                                     /* add al, 0x7f; sahf */
			b1(&e, 0xe9); rel = (int32_t)(top - (e.p + 4)); b4(&e, (uint32_t)rel);
			for (unsigned o = 0; o < 3; o++) {
				rel = (int32_t)(e.p - (out[o] + 4));
				memcpy(out[o], &rel, 4);
			}
			b1(&e, 0x04); b1(&e, 0x7f); b1(&e, 0x9e);
			mov_imm64(&e, 0, bexits[s].rip);
			b1(&e, 0xb9); b4(&e, 0);
			b1(&e, 0xe9);
			rel = (int32_t)(exit_flags - (e.p + 4));
			b4(&e, (uint32_t)rel);
			continue;
		}
		if (!bexits[s].from_rax)
			mov_imm64(&e, 0, bexits[s].rip);
		b1(&e, 0xb9); b4(&e, bexits[s].pend);
		b1(&e, 0xe9);
		rel = (int32_t)((bexits[s].flags ? chain : exit_counts) - (e.p + 4));
		b4(&e, (uint32_t)rel);
	}
	for (unsigned q = 0; q < nslow; q++) {
		const struct slow *sl = &slows[q];
		unsigned k = sl->k;
		for (unsigned o = 0; o < 3; o++) {
			int32_t rel = (int32_t)(e.p - (sl->from[o] + 4));
			memcpy(sl->from[o], &rel, 4);
		}
		if (sl->hf != HF_STALE) {
			b1(&e, 0x44); b1(&e, 0x89); b1(&e, 0xc0);                      /* mov eax, r8d */
			b1(&e, 0x04); b1(&e, 0x7f); b1(&e, 0x9e);                      /* add al, 0x7f; sahf */
			if (sl->hf == HF_DIRTY)
				sync_flags(&e);
		}
		/* As a call: counted, RIP and next_rip in place. */
		if (sl->pend) {
			b1(&e, 0x48); b1(&e, 0x81); b1(&e, 0x83); b4(&e, OFF(icount)); b4(&e, sl->pend);
		}
		b1(&e, 0x48); b1(&e, 0x81); b1(&e, 0xab); b4(&e, OFF(budget_left)); b4(&e, sl->pend + 1);
		mov_imm64(&e, 0, at[k]);
		st(&e, 0, OFF(rip));
		mov_imm64(&e, 0, at[k + 1]);
		st(&e, 0, OFF(next_rip));
		b1(&e, 0x48); b1(&e, 0x89); b1(&e, 0xdf);
		mov_imm64(&e, 6, (uint64_t)(uintptr_t)&b->op[k].insn);
		call_abs(&e, (const void *)b->op[k].fn);
		b1(&e, 0x48); b1(&e, 0x83); b1(&e, 0x83); b4(&e, OFF(icount)); b1(&e, 1);
		/* Stop if it dropped this block or asked for an exit. */
		uint8_t *out[2];
		mov_imm64(&e, 1, (uint64_t)(uintptr_t)&b->phys);
		mov_imm64(&e, 2, b->phys);
		b1(&e, 0x48); b1(&e, 0x39); b1(&e, 0x11);
		b1(&e, 0x0f); b1(&e, 0x85); out[0] = e.p; b4(&e, 0);
		b1(&e, 0x83); b1(&e, 0xbb); b4(&e, OFF(exit_request)); b1(&e, 0);
		b1(&e, 0x0f); b1(&e, 0x85); out[1] = e.p; b4(&e, 0);
		/* Else back to the fast path's state: this one pending. */
		b1(&e, 0x48); b1(&e, 0x81); b1(&e, 0xab); b4(&e, OFF(icount)); b4(&e, sl->pend + 1);
		b1(&e, 0x48); b1(&e, 0x81); b1(&e, 0x83); b4(&e, OFF(budget_left)); b4(&e, sl->pend + 1);
		if (sl->hf != HF_STALE)
			reload_flags(&e);
		b1(&e, 0xe9);
		int32_t rel = (int32_t)(sl->back - (e.p + 4));
		b4(&e, (uint32_t)rel);
		for (unsigned o = 0; o < 2; o++) {
			rel = (int32_t)(e.p - (out[o] + 4));
			memcpy(out[o], &rel, 4);
		}
		mov_imm64(&e, 0, at[k + 1]);
		b1(&e, 0xb9); b4(&e, 0);
		b1(&e, 0xe9);
		rel = (int32_t)(exit_counts - (e.p + 4));
		b4(&e, (uint32_t)rel);
	}
	if ((size_t)(e.p - start) > X86_JIT_BLOCK_MAX) {
		/* Longer than X86_JIT_BLOCK_MAX promises: the block stays
		 * interpreted and the space is reused. */
		pr_warn("soft CPU: a translation took %zu bytes, more than %u; "
			"block at %#llx left to the interpreter",
			(size_t)(e.p - start), X86_JIT_BLOCK_MAX,
			(unsigned long long)rip);
		return;
	}
	j->used += (size_t)(e.p - start);
	j->used = (j->used + 15) & ~(size_t)15;
	b->jit = (x86_jit_fn)(void *)start;
	b->jit_rip = rip;
}
