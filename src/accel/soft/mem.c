/* Memory operands: effective addresses, segmentation (limits, types,
 * canonical form) and the calls into the platform's linear memory.
 */
#include "accel/soft/cpu_internal.h"

static inline bool canonical(uint64_t la)
{
	return (uint64_t)((int64_t)(la << 16) >> 16) == la;
}

uint64_t x86_ea(const struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t ea = (uint64_t)(int64_t)i->disp;

	if (i->base == X86_REG_RIP)
		ea += c->next_rip;
	else if (i->base != X86_REG_NONE)
		ea += c->gpr[i->base];
	if (i->index != X86_REG_NONE)
		ea += c->gpr[i->index] << i->scale;
	return ea & x86_size_mask(i->adsize);
}

static _Noreturn void seg_fault(struct x86_cpu *c, unsigned seg)
{
	x86_raise(c, seg == X86_SS ? X86_EXC_SS : X86_EXC_GP, 0);
}

uint64_t x86_linear(struct x86_cpu *c, unsigned seg, uint64_t off,
		    unsigned len, enum x86_seg_access kind)
{
	const x86_seg_t *s = &c->seg[seg];

	if (c->mode == X86_MODE_LONG64) {
		uint64_t la = off + (seg >= X86_FS ? s->base : 0);
		if (!canonical(la) || !canonical(la + len - 1))
			seg_fault(c, seg);
		return la;
	}
	if (c->mode != X86_MODE_REAL) {
		if (s->unusable)
			seg_fault(c, seg);
		bool code = s->type & 8;
		if (kind == X86_SEG_WRITE || kind == X86_SEG_RMW) {
			if (code || !(s->type & 2))
				seg_fault(c, seg);
		} else if (kind == X86_SEG_READ && code && !(s->type & 2)) {
			seg_fault(c, seg);
		}
	}
	uint64_t last = off + len - 1;
	if (!(s->type & 8) && (s->type & 4) && c->mode != X86_MODE_REAL) {
		/* Expand-down: valid offsets lie above the limit. */
		uint64_t top = s->db ? 0xffffffffull : 0xffffull;
		if (off <= s->limit || last > top)
			seg_fault(c, seg);
	} else if (last > s->limit) {
		seg_fault(c, seg);
	}
	return (s->base + off) & 0xffffffffull;
}

static inline bool user_access(const struct x86_cpu *c, enum x86_access acc)
{
	return c->cpl == 3 && acc != X86_ACC_SYSTEM;
}

/* The host page for a data access that stays within one page, from the
 * CPU's TLB or the platform's page_ptr; NULL: take the callback path. */
static inline uint8_t *host_page(struct x86_cpu *c, uint64_t la, unsigned len,
				 bool write, bool user)
{
	uint64_t tag = (la & ~0xfffull) | (user ? 2 : 0) | 1;
	struct x86_dtlb_entry *e = &c->dtlb[write][(la >> 12) & (X86_DTLB_SIZE - 1)];

	if ((la & 0xfff) + len > 4096)
		return NULL;
	if (e->tag == tag)
		return e->host;
	if (!c->mem->page_ptr)
		return NULL;
	uint8_t *h = c->mem->page_ptr(c->mem_opaque, la, write, user);
	if (h) {
		e->tag = tag;
		e->host = h;
	}
	return h;
}

void x86_read_lin(struct x86_cpu *c, uint64_t la, void *buf, unsigned len,
		  enum x86_access acc)
{
	struct x86_fault f;
	bool user = user_access(c, acc);

	if (acc != X86_ACC_FETCH) {
		uint8_t *h = host_page(c, la, len, acc == X86_ACC_RMW, user);
		if (h) {
			memcpy(buf, h + (la & 0xfff), len);
			return;
		}
	}
	if (c->mem->read(c->mem_opaque, la, buf, len, acc, user, &f))
		x86_raise_fault(c, &f);
}

void x86_write_lin(struct x86_cpu *c, uint64_t la, const void *buf,
		   unsigned len, enum x86_access acc)
{
	struct x86_fault f;
	bool user = user_access(c, acc);
	uint8_t *h = host_page(c, la, len, true, user);

	if (h) {
		memcpy(h + (la & 0xfff), buf, len);
		return;
	}
	if (c->mem->write(c->mem_opaque, la, buf, len, acc, user, &f))
		x86_raise_fault(c, &f);
}

uint64_t x86_read(struct x86_cpu *c, unsigned seg, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	uint64_t la = x86_linear(c, seg, off, size, X86_SEG_READ);

	x86_read_lin(c, la, &v, size, X86_ACC_DATA);
	return v;
}

uint64_t x86_read_rmw(struct x86_cpu *c, unsigned seg, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	uint64_t la = x86_linear(c, seg, off, size, X86_SEG_RMW);

	x86_read_lin(c, la, &v, size, X86_ACC_RMW);
	return v;
}

void x86_write(struct x86_cpu *c, unsigned seg, uint64_t off, unsigned size,
	       uint64_t v)
{
	uint64_t la = x86_linear(c, seg, off, size, X86_SEG_WRITE);

	x86_write_lin(c, la, &v, size, X86_ACC_DATA);
}

void x86_read_buf(struct x86_cpu *c, unsigned seg, uint64_t off, void *buf,
		  unsigned len)
{
	uint64_t la = x86_linear(c, seg, off, len, X86_SEG_READ);

	x86_read_lin(c, la, buf, len, X86_ACC_DATA);
}

void x86_write_buf(struct x86_cpu *c, unsigned seg, uint64_t off,
		   const void *buf, unsigned len)
{
	uint64_t la = x86_linear(c, seg, off, len, X86_SEG_WRITE);

	x86_write_lin(c, la, buf, len, X86_ACC_DATA);
}

uint64_t x86_sys_read(struct x86_cpu *c, uint64_t la, unsigned size)
{
	uint64_t v = 0;

	if (c->mode != X86_MODE_LONG64 && !(c->efer & X86_EFER_LMA))
		la &= 0xffffffffull;
	x86_read_lin(c, la, &v, size, X86_ACC_SYSTEM);
	return v;
}

void x86_sys_write(struct x86_cpu *c, uint64_t la, unsigned size, uint64_t v)
{
	if (c->mode != X86_MODE_LONG64 && !(c->efer & X86_EFER_LMA))
		la &= 0xffffffffull;
	x86_write_lin(c, la, &v, size, X86_ACC_SYSTEM);
}

uint64_t x86_rm_read(struct x86_cpu *c, const struct x86_insn *i, unsigned size)
{
	if (!(i->flags & X86_I_MEM))
		return x86_reg_get(c, i->rm, size, i);
	return x86_read(c, i->seg, x86_ea(c, i), size);
}

uint64_t x86_rm_read_rmw(struct x86_cpu *c, const struct x86_insn *i, unsigned size)
{
	if (!(i->flags & X86_I_MEM))
		return x86_reg_get(c, i->rm, size, i);
	return x86_read_rmw(c, i->seg, x86_ea(c, i), size);
}

void x86_rm_write(struct x86_cpu *c, const struct x86_insn *i, unsigned size,
		  uint64_t v)
{
	if (!(i->flags & X86_I_MEM))
		x86_reg_set(c, i->rm, size, v, i);
	else
		x86_write(c, i->seg, x86_ea(c, i), size, v);
}

static void set_sp(struct x86_cpu *c, uint64_t sp)
{
	switch (x86_stack_width(c)) {
	case 8: c->gpr[X86_RSP] = sp; break;
	case 4: c->gpr[X86_RSP] = (uint32_t)sp; break;
	default: c->gpr[X86_RSP] = (c->gpr[X86_RSP] & ~0xffffull) | (sp & 0xffff);
	}
}

void x86_sp_add(struct x86_cpu *c, int64_t delta)
{
	set_sp(c, (c->gpr[X86_RSP] + (uint64_t)delta) &
		  x86_size_mask(x86_stack_width(c)));
}

void x86_push(struct x86_cpu *c, unsigned size, uint64_t v)
{
	uint64_t sp = (c->gpr[X86_RSP] - size) & x86_size_mask(x86_stack_width(c));

	x86_write(c, X86_SS, sp, size, v);
	set_sp(c, sp);
}

uint64_t x86_stack_peek(struct x86_cpu *c, unsigned depth, unsigned size)
{
	uint64_t sp = (c->gpr[X86_RSP] + depth) & x86_size_mask(x86_stack_width(c));

	return x86_read(c, X86_SS, sp, size);
}

uint64_t x86_pop(struct x86_cpu *c, unsigned size)
{
	uint64_t v = x86_stack_peek(c, 0, size);

	x86_sp_add(c, size);
	return v;
}

void x86_jump(struct x86_cpu *c, uint64_t target, unsigned opsize)
{
	if (opsize < 8)
		target &= x86_size_mask(opsize);
	if (c->mode == X86_MODE_LONG64) {
		if (!canonical(target))
			x86_gp0(c);
	} else if (target > c->seg[X86_CS].limit) {
		x86_gp0(c);
	}
	c->next_rip = target;
}
