/* Specialised handlers for the commonest forms: 32- and 64-bit register
 * moves and ALU operations, shifts by an immediate, and in 64-bit mode
 * loads and stores that hit the CPU's page-pointer TLB. Chosen once per
 * decoded instruction (x86_fast_of), for blocks and single steps alike, so
 * tests/unit/test_soft_native.c checks them against the host CPU like
 * every other handler. Each computes exactly what its generic handler
 * does; a memory form that misses the TLB, crosses a page or is not
 * canonical calls the generic handler, which does the access (and raises
 * the fault) the slow way.
 */
#include "accel/soft/cpu_internal.h"

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

/* x86_ea, inline. */
static inline uint64_t ea_of(const struct x86_cpu *c, const struct x86_insn *i)
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

/* The host address of a 64-bit-mode data access of `len` bytes from the
 * CPU's TLB (what x86_linear and x86_read_lin/x86_write_lin would reach
 * through host_page), or NULL. A page never straddles the canonical
 * hole, so checking the first byte is enough. */
static inline uint8_t *fast_ptr(struct x86_cpu *c, const struct x86_insn *i,
				unsigned len, bool write)
{
	uint64_t la = ea_of(c, i) + (i->seg >= X86_FS ? c->seg[i->seg].base : 0);
	const struct x86_dtlb_entry *e = &c->dtlb[write][(la >> 12) & (X86_DTLB_SIZE - 1)];

	if ((la & 0xfff) + len > 4096 || (uint64_t)((int64_t)(la << 16) >> 16) != la)
		return NULL;
	if (e->tag != ((la & ~0xfffull) | (c->cpl == 3 ? 2 : 0) | 1))
		return NULL;
	return e->host + (la & 0xfff);
}

static inline uint64_t load(const uint8_t *p, unsigned size)
{
	uint64_t v;
	uint32_t w;

	if (size == 8) {
		memcpy(&v, p, 8);
		return v;
	}
	memcpy(&w, p, 4);
	return w;
}

static inline void store(uint8_t *p, unsigned size, uint64_t v)
{
	uint32_t w = (uint32_t)v;

	if (size == 8)
		memcpy(p, &v, 8);
	else
		memcpy(p, &w, 4);
}

/* A 32- or 64-bit register write (32-bit writes zero-extend). */
static inline void set32_64(struct x86_cpu *c, unsigned r, unsigned size, uint64_t v)
{
	c->gpr[r] = size == 8 ? v : (uint32_t)v;
}

/* x86_alu for the operations without a carry in. */
static inline uint64_t alu(struct x86_cpu *c, unsigned op, unsigned size,
			   uint64_t a, uint64_t b)
{
	uint64_t m = x86_size_mask(size), r;

	switch (op) {
	case ALU_ADD:
		r = (a + b) & m;
		x86_set_cc(c, CC_ADD, size, r, a, b);
		return r;
	case ALU_OR:
		r = a | b;
		break;
	case ALU_AND:
		r = a & b;
		break;
	case ALU_XOR:
		r = a ^ b;
		break;
	default: /* SUB, CMP */
		r = (a - b) & m;
		x86_set_cc(c, CC_SUB, size, r, a, b);
		return r;
	}
	x86_set_cc(c, CC_LOGIC, size, r, 0, 0);
	return r;
}

/* MOV r, r/m and MOV r/m, r between registers; MOV r, imm. */
#define MOV_HANDLERS(sz)                                                           \
	static void mov_rr_##sz(struct x86_cpu *c, const struct x86_insn *i)        \
	{                                                                        \
		if (i->op == 0x89)                                               \
			set32_64(c, i->rm, sz, c->gpr[i->reg]);                  \
		else                                                             \
			set32_64(c, i->reg, sz, c->gpr[i->rm]);                  \
	}                                                                        \
	static void mov_ri_##sz(struct x86_cpu *c, const struct x86_insn *i)        \
	{                                                                        \
		set32_64(c, i->reg, sz, i->imm);                                 \
	}                                                                        \
	static void mov_load_##sz(struct x86_cpu *c, const struct x86_insn *i)      \
	{                                                                        \
		const uint8_t *p = fast_ptr(c, i, sz, false);                    \
		if (!p) {                                                        \
			x86_op_mov(c, i);                                        \
			return;                                                  \
		}                                                                \
		c->gpr[i->reg] = load(p, sz);                                    \
	}                                                                        \
	static void mov_store_##sz(struct x86_cpu *c, const struct x86_insn *i)     \
	{                                                                        \
		uint8_t *p = fast_ptr(c, i, sz, true);                           \
		if (!p) {                                                        \
			x86_op_mov(c, i);                                        \
			return;                                                  \
		}                                                                \
		store(p, sz, c->gpr[i->reg]);                                    \
	}
MOV_HANDLERS(4)
MOV_HANDLERS(8)

/* ALU op between registers (00-3B forms 1 and 3 without memory), with an
 * immediate (81, 83), and with a memory source (form 3). */
#define ALU_HANDLERS(name, OP, sz)                                                  \
	static void alu_rr_##name##sz(struct x86_cpu *c, const struct x86_insn *i)   \
	{                                                                         \
		unsigned d = (i->op & 2) ? i->reg : i->rm;                        \
		unsigned s = (i->op & 2) ? i->rm : i->reg;                        \
		uint64_t r = alu(c, OP, sz, c->gpr[d] & x86_size_mask(sz),        \
				 c->gpr[s] & x86_size_mask(sz));                  \
		if (OP != ALU_CMP)                                                \
			set32_64(c, d, sz, r);                                    \
	}                                                                         \
	static void alu_ri_##name##sz(struct x86_cpu *c, const struct x86_insn *i)   \
	{                                                                         \
		uint64_t r = alu(c, OP, sz, c->gpr[i->rm] & x86_size_mask(sz),    \
				 x86_imm_sext(i));                                \
		if (OP != ALU_CMP)                                                \
			set32_64(c, i->rm, sz, r);                                \
	}                                                                         \
	static void alu_rm_##name##sz(struct x86_cpu *c, const struct x86_insn *i)   \
	{                                                                         \
		const uint8_t *p = fast_ptr(c, i, sz, false);                     \
		if (!p) {                                                         \
			x86_op_alu(c, i);                                         \
			return;                                                   \
		}                                                                 \
		uint64_t r = alu(c, OP, sz, c->gpr[i->reg] & x86_size_mask(sz),   \
				 load(p, sz));                                    \
		if (OP != ALU_CMP)                                                \
			set32_64(c, i->reg, sz, r);                               \
	}
#define ALU_SIZES(name, OP) ALU_HANDLERS(name, OP, 4) ALU_HANDLERS(name, OP, 8)
ALU_SIZES(add, ALU_ADD)
ALU_SIZES(or, ALU_OR)
ALU_SIZES(and, ALU_AND)
ALU_SIZES(sub, ALU_SUB)
ALU_SIZES(xor, ALU_XOR)
ALU_SIZES(cmp, ALU_CMP)

#define ALU_TABLE(kind, sz)                                                        \
	static const x86_handler alu_##kind##sz[8] = {                            \
		[ALU_ADD] = alu_##kind##_add##sz, [ALU_OR] = alu_##kind##_or##sz,   \
		[ALU_AND] = alu_##kind##_and##sz, [ALU_SUB] = alu_##kind##_sub##sz, \
		[ALU_XOR] = alu_##kind##_xor##sz, [ALU_CMP] = alu_##kind##_cmp##sz, \
	};
ALU_TABLE(rr, 4)
ALU_TABLE(rr, 8)
ALU_TABLE(ri, 4)
ALU_TABLE(ri, 8)
ALU_TABLE(rm, 4)
ALU_TABLE(rm, 8)

/* TEST r, r. */
static void test_rr(struct x86_cpu *c, const struct x86_insn *i)
{
	uint64_t m = x86_size_mask(i->opsize);

	x86_set_cc(c, CC_LOGIC, i->opsize, c->gpr[i->rm] & c->gpr[i->reg] & m, 0, 0);
}

/* ROL, ROR, SHL, SHR, SAR of a register by an immediate or 1 (C1, D1 /0
 * /1 /4-/7), with the flags exec_shift.c computes: rotates set CF and OF
 * only; shifts all six (AF set, OF from the last bit shifted for SHL and
 * from the sign for SHR by 1, clear for SAR), lazily as CC_SHIFT. */
static void shift_ri(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize, bits = 8 * sz, op = x86_modrm_regop(i);
	unsigned count = (i->op == 0xd1 ? 1 : (unsigned)i->imm) & (sz == 8 ? 0x3f : 0x1f);
	uint64_t m = x86_size_mask(sz), v = c->gpr[i->rm] & m, r, cf, of;

	if (!count) {
		set32_64(c, i->rm, sz, v);
		return;
	}
	switch (op) {
	case 0: /* ROL */
		r = ((v << count) | (v >> (bits - count))) & m;
		cf = r & 1;
		of = ((r >> (bits - 1)) & 1) ^ cf;
		x86_set_arith(c, (x86_arith(c) & ~(X86_CF | X86_OF)) |
				 (cf ? X86_CF : 0) | (of ? X86_OF : 0));
		set32_64(c, i->rm, sz, r);
		return;
	case 1: /* ROR */
		r = ((v >> count) | (v << (bits - count))) & m;
		cf = (r >> (bits - 1)) & 1;
		of = cf ^ ((r >> (bits - 2)) & 1);
		x86_set_arith(c, (x86_arith(c) & ~(X86_CF | X86_OF)) |
				 (cf ? X86_CF : 0) | (of ? X86_OF : 0));
		set32_64(c, i->rm, sz, r);
		return;
	case 4: case 6: /* SHL, SAL */
		r = (v << count) & m;
		cf = (v >> (bits - count)) & 1;
		of = ((r >> (bits - 1)) & 1) ^ cf;
		break;
	case 5: /* SHR */
		r = v >> count;
		cf = (v >> (count - 1)) & 1;
		of = count == 1 ? (v >> (bits - 1)) & 1 : 0;
		break;
	default: { /* SAR */
		int64_t s = (int64_t)x86_sext(v, sz);
		r = (uint64_t)(s >> count) & m;
		cf = (uint64_t)(s >> (count - 1)) & 1;
		of = 0;
		break;
	}
	}
	x86_set_cc(c, CC_SHIFT, sz, r, 0, 0);
	c->cc_aux = cf | of << 1;
	set32_64(c, i->rm, sz, r);
}

/* LEA with a 32- or 64-bit destination. */
static void lea_fast(struct x86_cpu *c, const struct x86_insn *i)
{
	set32_64(c, i->reg, i->opsize, ea_of(c, i));
}

/* MOVZX r32/r64, byte or word from memory (64-bit mode). */
static void movzx_load(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned n = (i->op & 1) ? 2 : 1;
	const uint8_t *p = fast_ptr(c, i, n, false);

	if (!p) {
		x86_op_movx(c, i);
		return;
	}
	c->gpr[i->reg] = n == 2 ? (uint64_t)p[0] | (uint64_t)p[1] << 8 : p[0];
}

/* ALU op eAX/rAX, imm32 (05 0D 25 2D 35 3D). */
#define ALU_AX_HANDLER(name, OP, sz)                                                \
	static void alu_ax_##name##sz(struct x86_cpu *c, const struct x86_insn *i)   \
	{                                                                         \
		uint64_t r = alu(c, OP, sz, c->gpr[X86_RAX] & x86_size_mask(sz),  \
				 x86_imm_sext(i));                                \
		if (OP != ALU_CMP)                                                \
			set32_64(c, X86_RAX, sz, r);                              \
	}
#define ALU_AX_SIZES(name, OP) ALU_AX_HANDLER(name, OP, 4) ALU_AX_HANDLER(name, OP, 8)
ALU_AX_SIZES(add, ALU_ADD)
ALU_AX_SIZES(or, ALU_OR)
ALU_AX_SIZES(and, ALU_AND)
ALU_AX_SIZES(sub, ALU_SUB)
ALU_AX_SIZES(xor, ALU_XOR)
ALU_AX_SIZES(cmp, ALU_CMP)
ALU_TABLE(ax, 4)
ALU_TABLE(ax, 8)

/* x86_cond with its common cases inline: the same answers. */
static inline bool cond(struct x86_cpu *c, unsigned cc)
{
	unsigned sz = c->cc_size;
	uint64_t m = x86_size_mask(sz);
	bool r;

	if (c->cc_op == CC_SUB) {
		uint64_t a = c->cc_src1 & m, b = c->cc_src2 & m;
		switch (cc >> 1) {
		case 1: r = a < b; return (cc & 1) ? !r : r;
		case 2: r = a == b; return (cc & 1) ? !r : r;
		case 3: r = a <= b; return (cc & 1) ? !r : r;
		}
	}
	if (c->cc_op != CC_EAGER && (cc >> 1) == 2) {
		r = (c->cc_res & m) == 0;
		return (cc & 1) ? !r : r;
	}
	return x86_cond(c, cc);
}

/* Jcc in 64-bit mode (operand size 64: no truncation of the target). */
static void jcc64(struct x86_cpu *c, const struct x86_insn *i)
{
	if (!cond(c, i->op & 0xf))
		return;
	uint64_t t = c->next_rip + x86_sext(i->imm, i->imm_len);
	if ((uint64_t)((int64_t)(t << 16) >> 16) != t)
		x86_gp0(c);
	c->next_rip = t;
}

/* CMOVcc r32/r64, r (a 32-bit CMOV zero-extends even when not taken). */
static void cmov_rr(struct x86_cpu *c, const struct x86_insn *i)
{
	if (cond(c, i->op & 0xf))
		set32_64(c, i->reg, i->opsize, c->gpr[i->rm]);
	else if (i->opsize == 4)
		c->gpr[i->reg] &= 0xffffffffull;
}

/* NOT, NEG of a register (F7 /2 /3). */
static void notneg_r(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint64_t m = x86_size_mask(sz), v = c->gpr[i->rm] & m;

	if (x86_modrm_regop(i) == 2) {
		set32_64(c, i->rm, sz, ~v & m);
		return;
	}
	uint64_t r = (0 - v) & m;
	x86_set_cc(c, CC_SUB, sz, r, 0, v);
	set32_64(c, i->rm, sz, r);
}

/* TEST r, imm (F7 /0 /1) and TEST eAX, imm (A9). */
static void test_ri(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned r = i->op == 0xa9 ? X86_RAX : i->rm;

	x86_set_cc(c, CC_LOGIC, i->opsize,
		   c->gpr[r] & x86_size_mask(i->opsize) & x86_imm_sext(i), 0, 0);
}

/* INC, DEC of a register (FF /0 /1): CF kept. */
static void incdec_r(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	bool dec = x86_modrm_regop(i) == 1;
	uint64_t v = c->gpr[i->rm] & x86_size_mask(sz);
	uint64_t cf = x86_cf(c);
	uint64_t r = (dec ? v - 1 : v + 1) & x86_size_mask(sz);

	x86_set_cc(c, dec ? CC_DEC : CC_INC, sz, r, v, 1);
	c->cc_aux = cf;
	set32_64(c, i->rm, sz, r);
}

/* MOVZX r32/r64, r8/r16. */
static void movzx_r(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned ssz = (i->op & 1) ? 2 : 1;

	c->gpr[i->reg] = x86_reg_get(c, i->rm, ssz, i);
}

/* Byte MOV between a register and memory (88, 8A; 64-bit mode). */
static void mov_store_1(struct x86_cpu *c, const struct x86_insn *i)
{
	uint8_t *p = fast_ptr(c, i, 1, true);

	if (!p) {
		x86_op_mov(c, i);
		return;
	}
	*p = (uint8_t)x86_reg_get(c, i->reg, 1, i);
}

static void mov_load_1(struct x86_cpu *c, const struct x86_insn *i)
{
	const uint8_t *p = fast_ptr(c, i, 1, false);

	if (!p) {
		x86_op_mov(c, i);
		return;
	}
	x86_reg_set(c, i->reg, 1, *p, i);
}

/* Byte ALU op r8, m8 (02 0A 22 2A 32 3A) and CMP m8, r8 (38), 64-bit
 * mode: reads only. */
static void alu_mem_1(struct x86_cpu *c, const struct x86_insn *i)
{
	const uint8_t *p = fast_ptr(c, i, 1, false);
	unsigned op = (i->op >> 3) & 7;

	if (!p) {
		x86_op_alu(c, i);
		return;
	}
	uint64_t reg = x86_reg_get(c, i->reg, 1, i);
	if (!(i->op & 2)) { /* 38: CMP Eb, Gb */
		alu(c, ALU_CMP, 1, *p, reg);
		return;
	}
	uint64_t r = alu(c, op, 1, reg, *p);
	if (op != ALU_CMP)
		x86_reg_set(c, i->reg, 1, r, i);
}

x86_handler x86_fast_of(const struct x86_insn *i, x86_handler h)
{
	unsigned sz = i->opsize, regop = x86_modrm_regop(i);
	bool mem = i->flags & X86_I_MEM, lm = i->code_size == 64;
	bool big = sz == 4 || sz == 8;

	if (sz == 1 && mem && lm && i->map == X86_MAP_ONE) {
		switch (i->op) {
		case 0x88: return mov_store_1;
		case 0x8a: return mov_load_1;
		case 0x02: case 0x0a: case 0x22: case 0x2a: case 0x32: case 0x3a:
		case 0x38:
			return alu_mem_1;
		}
	}
	if (!big)
		return h;
	if (i->map == X86_MAP_0F) {
		if (i->op == 0xb6 || i->op == 0xb7) {
			if (!mem)
				return movzx_r;
			return lm ? movzx_load : h;
		}
		if (i->op >= 0x80 && i->op <= 0x8f && lm && sz == 8)
			return jcc64;
		if (i->op >= 0x40 && i->op <= 0x4f && !mem)
			return cmov_rr;
		return h;
	}
	if (i->map != X86_MAP_ONE)
		return h;
	unsigned op = (i->op >> 3) & 7;
	switch (i->op) {
	case 0x01: case 0x03: case 0x09: case 0x0b: case 0x21: case 0x23:
	case 0x29: case 0x2b: case 0x31: case 0x33: case 0x39: case 0x3b:
		if (!mem)
			return sz == 8 ? alu_rr8[op] : alu_rr4[op];
		if ((i->op & 2) && lm)
			return sz == 8 ? alu_rm8[op] : alu_rm4[op];
		return h;
	case 0x05: case 0x0d: case 0x25: case 0x2d: case 0x35: case 0x3d:
		return sz == 8 ? alu_ax8[op] : alu_ax4[op];
	case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75:
	case 0x76: case 0x77: case 0x78: case 0x79: case 0x7a: case 0x7b:
	case 0x7c: case 0x7d: case 0x7e: case 0x7f:
		return lm && sz == 8 ? jcc64 : h;
	case 0xa9:
		return test_ri;
	case 0xf7:
		if (mem)
			return h;
		if (regop == 2 || regop == 3)
			return notneg_r;
		return regop < 2 ? test_ri : h;
	case 0xff:
		return !mem && regop < 2 ? incdec_r : h;
	case 0x81: case 0x83:
		if (!mem && regop != ALU_ADC && regop != ALU_SBB)
			return sz == 8 ? alu_ri8[regop] : alu_ri4[regop];
		return h;
	case 0x85:
		return mem ? h : test_rr;
	case 0x89: case 0x8b:
		if (!mem)
			return sz == 8 ? mov_rr_8 : mov_rr_4;
		if (!lm)
			return h;
		if (i->op == 0x8b)
			return sz == 8 ? mov_load_8 : mov_load_4;
		return sz == 8 ? mov_store_8 : mov_store_4;
	case 0x8d:
		return mem ? lea_fast : h;
	case 0xb8: case 0xb9: case 0xba: case 0xbb:
	case 0xbc: case 0xbd: case 0xbe: case 0xbf:
		return sz == 8 ? mov_ri_8 : mov_ri_4;
	case 0xc1: case 0xd1:
		return !mem && (regop >= 4 || regop < 2) ? shift_ri : h;
	}
	return h;
}
