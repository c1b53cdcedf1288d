/* Decoded-block cache: see block.h. Blocks live in one arena, allocated
 * in order and all dropped together when it fills; a direct-mapped table
 * on the physical address finds them, and per-bucket page chains let a
 * code write drop exactly the blocks of its page.
 */
#include "accel/soft/block.h"
#include "accel/soft/cpu_internal.h"
#include "accel/soft/jit.h"

#include <stdlib.h>

struct x86_bcache *x86_bcache_new(void)
{
	struct x86_bcache *bc = malloc(sizeof(*bc));

	if (bc) {
		bc->used = 0;
		bc->jit = x86_jit_new();
		x86_bcache_flush(bc);
	}
	return bc;
}

void x86_bcache_free(struct x86_bcache *bc)
{
	if (bc)
		x86_jit_free(bc->jit);
	free(bc);
}

void x86_bcache_flush(struct x86_bcache *bc)
{
	/* A dropped block reads phys 0 for a run loop still holding it. */
	for (size_t off = 0; off < bc->used;) {
		struct x86_block *b = (struct x86_block *)(bc->arena + off);
		b->phys = 0;
		off += (sizeof(*b) + b->n * sizeof(b->op[0]) + 15) & ~(size_t)15;
	}
	memset(bc->slot, 0, sizeof(bc->slot));
	memset(bc->bucket, 0, sizeof(bc->bucket));
	bc->used = 0;
	/* Translations go with their blocks; one still running (a handler
	 * flushed) is only overwritten by the next build, after it returns. */
	if (bc->jit)
		x86_jit_flush(bc->jit);
}

static unsigned bucket_of(uint64_t page_number)
{
	return (unsigned)((page_number * 0x9e3779b97f4a7c15ull) >> 54) & (X86_BLOCK_BUCKETS - 1);
}

static unsigned slot_of(uint64_t phys)
{
	return (unsigned)((phys * 0x9e3779b97f4a7c15ull) >> 40) & (X86_BLOCK_SLOTS - 1);
}

static void unlink_block(struct x86_bcache *bc, struct x86_block *b)
{
	if (b->page_prev)
		b->page_prev->page_next = b->page_next;
	else
		bc->bucket[bucket_of((b->phys - 1) >> 12)] = b->page_next;
	if (b->page_next)
		b->page_next->page_prev = b->page_prev;
	struct x86_block **s = &bc->slot[slot_of(b->phys - 1)];
	if (*s == b)
		*s = NULL;
	b->phys = 0;
}

unsigned x86_bcache_invalidate_page(struct x86_bcache *bc, uint64_t page)
{
	uint64_t pn = page >> 12;
	unsigned n = 0;

	for (struct x86_block *b = bc->bucket[bucket_of(pn)], *next; b; b = next) {
		next = b->page_next;
		if (((b->phys - 1) >> 12) == pn) {
			unlink_block(bc, b);
			n++;
		}
	}
	return n;
}

/* Whether the block may go on after an instruction run by `fn`: only
 * instructions that, unless they fault, fall through to the next one and
 * change nothing the run loop checks between instructions (RFLAGS.IF and
 * TF, the interrupt shadow, halting, CS and the mode, CR0/3/4, EFER, the
 * TLBs, pending exceptions). Everything else ends its block. */
static bool block_continues(x86_handler fn, const struct x86_insn *i)
{
	if (fn == x86_op_string)
		return i->rep == X86_REP_NONE;
	return fn == x86_op_alu || fn == x86_op_grp1 || fn == x86_op_incdec ||
	       fn == x86_op_test || fn == x86_op_grp3 || fn == x86_op_shift ||
	       fn == x86_op_shxd || fn == x86_op_imul || fn == x86_op_bt ||
	       fn == x86_op_bitscan || fn == x86_op_mov || fn == x86_op_movx ||
	       fn == x86_op_lea || fn == x86_op_xchg || fn == x86_op_cmpxchg ||
	       fn == x86_op_xadd || fn == x86_op_bswap || fn == x86_op_cmov ||
	       fn == x86_op_setcc || fn == x86_op_cbw || fn == x86_op_push ||
	       fn == x86_op_pop || fn == x86_op_misc_flags || fn == x86_op_bcd ||
	       fn == x86_op_xlat || fn == x86_op_enter || fn == x86_op_leave ||
	       fn == x86_op_nop_modrm || fn == x86_op_sse || fn == x86_op_x87 ||
	       /* Not taken, a Jcc falls through: the block goes on (a taken
		* one leaves it, like any branch). */
	       fn == x86_op_jcc;
}

/* Decode the instruction at linear `la` (offset `rip` in CS) without
 * faulting; false when it cannot join a block. */
static bool decode_at(struct x86_cpu *c, uint64_t la, uint64_t rip, unsigned cs,
		      bool user, struct x86_insn *insn)
{
	uint8_t buf[X86_MAX_INSN_LEN];
	unsigned n = (unsigned)(4096 - (la & 0xfff));
	struct x86_fault f;

	if (n > X86_MAX_INSN_LEN)
		n = X86_MAX_INSN_LEN;
	if (cs != 64) {
		uint64_t limit = c->seg[X86_CS].limit;
		if (rip > limit)
			return false;
		if (limit - rip + 1 < n)
			n = (unsigned)(limit - rip + 1);
	}
	if (c->mem->read(c->mem_opaque, la, buf, n, X86_ACC_FETCH, user, &f))
		return false;
	/* Truncated: crosses the page or the limit; the slow path has it. */
	return x86_decode(buf, n, cs, insn) == X86_DECODE_OK;
}

static struct x86_block *build(struct x86_cpu *c, struct x86_icache *ic,
			       uint64_t la, uint64_t phys, unsigned cs, bool user)
{
	struct x86_bcache *bc = ic->blocks;
	size_t room = X86_BLOCK_ARENA - bc->used;
	size_t need = sizeof(struct x86_block) + X86_BLOCK_MAX_INSNS * sizeof(struct x86_bop);

	if (room < need || (bc->jit && x86_jit_full(bc->jit))) {
		/* All dropped: links to them die with the epoch. (Their pages
		 * stay watched until the platform's next report.) */
		x86_bcache_flush(bc);
		ic->epoch++;
	}
	struct x86_block *b = (struct x86_block *)(bc->arena + bc->used);
	uint64_t rip = c->rip;
	unsigned off = 0, n = 0;
	uint64_t mask = cs == 64 ? ~0ull : cs == 32 ? 0xffffffffull : 0xffffull;

	while (n < X86_BLOCK_MAX_INSNS) {
		struct x86_bop *op = &b->op[n];
		if ((la & 0xfff) + off >= 4096)
			break;
		if (!decode_at(c, la + off, (rip + off) & mask, cs, user, &op->insn))
			break;
		if (((la + off) & 0xfff) + op->insn.len > 4096)
			break; /* crosses the page */
		x86_handler fn = x86_handler_of(&op->insn);
		op->fn = fn ? x86_fast_of(&op->insn, fn) : x86_exec; /* x86_exec raises the #UD */
		off += op->insn.len;
		n++;
		if (!fn || !block_continues(fn, &op->insn))
			break;
	}
	if (!n)
		return NULL;
	b->phys = phys + 1;
	memset(b->link, 0, sizeof(b->link));
	b->next_link = 0;
	b->bytes = (uint16_t)off;
	b->n = (uint8_t)n;
	b->code_size = (uint8_t)cs;
	bc->used += (sizeof(*b) + n * sizeof(b->op[0]) + 15) & ~(size_t)15;
	b->jit = NULL;
	if (bc->jit)
		x86_jit_translate(bc->jit, b, rip);

	struct x86_block **s = &bc->slot[slot_of(phys)];
	if (*s)
		unlink_block(bc, *s); /* evicted: unreachable from now on */
	*s = b;
	struct x86_block **head = &bc->bucket[bucket_of(phys >> 12)];
	b->page_prev = NULL;
	b->page_next = *head;
	if (*head)
		(*head)->page_prev = b;
	*head = b;
	if (c->mem->watch_code) {
		c->mem->watch_code(c->mem_opaque, phys & ~0xfffull);
		/* Writes to it must now reach the platform. */
		memset(c->dtlb[1], 0, sizeof(c->dtlb[1]));
	}
	return b;
}

struct x86_block *x86_block_lookup(struct x86_cpu *c, struct x86_icache *ic)
{
	const struct x86_mem_ops *m = c->mem;
	struct x86_bcache *bc = ic->blocks;
	uint64_t la, phys;
	struct x86_fault f;
	unsigned cs;

	if (!m->fetch_phys || !bc)
		return NULL;
	if (c->mode == X86_MODE_LONG64) {
		la = c->rip;
		if ((uint64_t)((int64_t)(la << 16) >> 16) != la)
			return NULL;
		cs = 64;
	} else {
		if (c->rip > c->seg[X86_CS].limit)
			return NULL;
		la = (c->seg[X86_CS].base + c->rip) & 0xffffffffull;
		cs = c->mode == X86_MODE_PROT32 ? 32 : 16;
	}
	bool user = c->cpl == 3;
	if (ic->fetch_valid && ic->fetch_lpage == (la & ~0xfffull) && ic->fetch_user == user) {
		phys = ic->fetch_ppage | (la & 0xfff);
	} else {
		if (m->fetch_phys(c->mem_opaque, la, user, &phys, &f))
			return NULL;
		ic->fetch_valid = true;
		ic->fetch_user = user;
		ic->fetch_lpage = la & ~0xfffull;
		ic->fetch_ppage = phys & ~0xfffull;
	}
	struct x86_block *b = bc->slot[slot_of(phys)];
	if (b && b->phys == phys + 1 && b->code_size == cs) {
		/* Built under another CS limit, maybe: all of it must fit. */
		if (cs != 64 && c->rip + b->bytes - 1 > c->seg[X86_CS].limit)
			return NULL;
		ic->hits++;
		return b;
	}
	b = build(c, ic, la, phys, cs, user);
	if (b)
		ic->misses++;
	return b;
}

void x86_block_link(struct x86_cpu *c, struct x86_icache *ic,
		    struct x86_block *prev, struct x86_block *next)
{
	if (c->mode != X86_MODE_LONG64 || !prev->phys)
		return;
	struct x86_link *l = &prev->link[prev->next_link++ & 1];
	l->rip = c->rip;
	l->b = next;
	l->phys = next->phys;
	l->epoch = ic->epoch;
	l->user = c->cpl == 3;
}
