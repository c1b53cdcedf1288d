/* The translator's choice per instruction (see jit.h): which guest
 * instructions run as themselves on host registers, how they are
 * re-encoded there, and which flags they read, define or leave
 * undefined.
 */
#include "accel/soft/jit_internal.h"
#include "accel/soft/cpu_internal.h"

static const uint16_t cond_flags[8] = {
	F_OF, F_CF, F_ZF, F_CF | F_ZF, F_SF, F_PF, F_SF | F_OF, F_ZF | F_SF | F_OF,
};

static void load(struct plan *p, unsigned g, unsigned h)
{
	for (unsigned k = 0; k < p->nload; k++)
		if (p->lg[k] == g)
			return;
	p->lg[p->nload] = (uint8_t)g;
	p->lh[p->nload++] = (uint8_t)h;
}

static void store(struct plan *p, unsigned g, unsigned h)
{
	p->sg[p->nstore] = (uint8_t)g;
	p->sh[p->nstore++] = (uint8_t)h;
}

static void put(struct plan *p, uint8_t b)
{
	p->enc[p->enclen++] = b;
}

/* Operand-size prefixes for the host copy (host registers 0-2 only, so
 * REX carries W alone and byte registers are AL/CL/DL either way). */
static void prefix(struct plan *p, unsigned opsize, bool map0f)
{
	if (opsize == 2)
		put(p, 0x66);
	if (opsize == 8)
		put(p, 0x48);
	if (map0f)
		put(p, 0x0f);
}

static void imm(struct plan *p, const struct x86_insn *i)
{
	for (unsigned k = 0; k < i->imm_len; k++)
		put(p, (uint8_t)(i->imm >> (8 * k)));
}

/* A byte register the host copy cannot name on RAX/RCX/RDX: AH-BH. */
static bool high_byte(const struct x86_insn *i, unsigned r)
{
	return r >= 4 && r < 8 && !(i->flags & X86_I_REX);
}

/* The usual two-operand form: r/m in host RAX, reg in host RCX (RAX too
 * when it is the same guest register). */
static void modrm_form(struct plan *p, const struct x86_insn *i, unsigned opsize,
		       bool map0f, unsigned regfield_guest, bool reg_is_opext)
{
	unsigned hrm = 0, hreg;

	load(p, i->rm, 0);
	if (reg_is_opext) {
		hreg = regfield_guest;
	} else {
		hreg = i->reg == i->rm ? 0 : 1;
		load(p, i->reg, hreg);
	}
	prefix(p, opsize, map0f);
	put(p, i->op);
	put(p, (uint8_t)(0xc0 | hreg << 3 | hrm));
}

bool x86_jit_plan(const struct x86_insn *i, uint64_t next_rip, struct plan *p)
{
	bool mem = i->flags & X86_I_MEM;
	unsigned sz = i->opsize, op = i->op, regop = x86_modrm_regop(i);

	memset(p, 0, sizeof(*p));
	p->kind = K_NATIVE;
	if (i->flags & X86_I_LOCK)
		return false;
	if (i->map == X86_MAP_0F) {
		if (op >= 0x80 && op <= 0x8f && sz == 8) {
			uint64_t t = next_rip + (uint64_t)(int64_t)(int32_t)i->imm;
			if ((uint64_t)((int64_t)(t << 16) >> 16) != t)
				return false;
			p->kind = K_JCC;
			p->rd = cond_flags[(op & 15) >> 1];
			return true;
		}
		if ((op == 0xb6 || op == 0xb7) && mem && sz >= 4 && i->base != X86_REG_RIP) {
			p->kind = K_MEM; /* MOVZX r, m8/m16: the TLB inline */
			return true;
		}
		if (mem) {
			p->kind = K_NOP; /* 0F 1F: NOP r/m, no access */
			return op == 0x1f;
		}
		if (op >= 0x40 && op <= 0x4f) { /* CMOVcc */
			p->rd = cond_flags[(op & 15) >> 1];
			modrm_form(p, i, sz, true, 0, false);
			store(p, i->reg, i->reg == i->rm ? 0 : 1);
			return true;
		}
		if (op >= 0x90 && op <= 0x9f) { /* SETcc */
			if (high_byte(i, i->rm))
				return false;
			p->rd = cond_flags[(op & 15) >> 1];
			load(p, i->rm, 0);
			put(p, 0x0f);
			put(p, (uint8_t)op);
			put(p, 0xc0);
			store(p, i->rm, 0);
			return true;
		}
		if (op == 0xaf) { /* IMUL r, r/m */
			p->wr = F_CF | F_OF;
			p->undef = F_SF | F_ZF | F_AF | F_PF;
			goto reg_from_rm;
		}
		if (op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf) {
			if (!(op & 1) && high_byte(i, i->rm))
				return false;
			goto reg_from_rm;
		}
		if (op >= 0xc8 && op <= 0xcf && sz >= 4) { /* BSWAP */
			load(p, i->reg, 0);
			prefix(p, sz, true);
			put(p, 0xc8);
			store(p, i->reg, 0);
			return true;
		}
		return false;
	reg_from_rm:
		/* reg <- f(r/m): host reg field RCX (or RAX), r/m RAX. */
		modrm_form(p, i, sz, true, 0, false);
		store(p, i->reg, i->reg == i->rm ? 0 : 1);
		return true;
	}
	if (i->map != X86_MAP_ONE)
		return false;
	if (op >= 0x70 && op <= 0x7f && sz == 8) {
		uint64_t t = next_rip + (uint64_t)(int64_t)(int8_t)i->imm;
		if ((uint64_t)((int64_t)(t << 16) >> 16) != t)
			return false;
		p->kind = K_JCC;
		p->rd = cond_flags[(op & 15) >> 1];
		return true;
	}
	if ((op == 0xe9 || op == 0xeb) && sz == 8) {
		uint64_t t = next_rip + (uint64_t)x86_sext(i->imm, i->imm_len);
		if ((uint64_t)((int64_t)(t << 16) >> 16) != t)
			return false;
		p->kind = K_JMP;
		return true;
	}
	if (op == 0x8d && mem) {
		if (i->base == X86_REG_RIP && i->index != X86_REG_NONE)
			return false;
		p->kind = K_LEA;
		return true;
	}
	if (mem) {
		/* MOV r, m and MOV m, r of 32/64 bits: the TLB inline. */
		if ((op == 0x8b || op == 0x89) && sz >= 4 && i->base != X86_REG_RIP) {
			p->kind = K_MEM;
			return true;
		}
		return false;
	}
	if (op < 0x40 && (op & 7) <= 5 && op != 0x0f) {
		unsigned alu = op >> 3, bsz = (op & 1) ? sz : 1;
		p->wr = ARITH;
		if (alu == 2 || alu == 3)
			p->rd = F_CF;
		if ((op & 7) >= 4) { /* AL/eAX, imm */
			load(p, X86_RAX, 0);
			prefix(p, bsz, false);
			put(p, (uint8_t)op);
			imm(p, i);
			if (alu != 7)
				store(p, X86_RAX, 0);
			return true;
		}
		if (bsz == 1 && (high_byte(i, i->rm) || high_byte(i, i->reg)))
			return false;
		modrm_form(p, i, bsz, false, 0, false);
		if (alu != 7)
			store(p, (op & 2) ? i->reg : i->rm, (op & 2) && i->reg != i->rm ? 1 : 0);
		return true;
	}
	switch (op) {
	case 0x80: case 0x81: case 0x83:
		if (op == 0x80 && high_byte(i, i->rm))
			return false;
		p->wr = ARITH;
		if (regop == 2 || regop == 3)
			p->rd = F_CF;
		modrm_form(p, i, op == 0x80 ? 1 : sz, false, regop, true);
		imm(p, i);
		if (regop != 7)
			store(p, i->rm, 0);
		return true;
	case 0x84: case 0x85:
		if (op == 0x84 && (high_byte(i, i->rm) || high_byte(i, i->reg)))
			return false;
		p->wr = ARITH;
		modrm_form(p, i, op == 0x84 ? 1 : sz, false, 0, false);
		return true;
	case 0xa8: case 0xa9:
		p->wr = ARITH;
		load(p, X86_RAX, 0);
		prefix(p, op == 0xa8 ? 1 : sz, false);
		put(p, (uint8_t)op);
		imm(p, i);
		return true;
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		if (!(op & 1) && (high_byte(i, i->rm) || high_byte(i, i->reg)))
			return false;
		modrm_form(p, i, (op & 1) ? sz : 1, false, 0, false);
		store(p, (op & 2) ? i->reg : i->rm, (op & 2) && i->reg != i->rm ? 1 : 0);
		return true;
	case 0xc6: case 0xc7:
		if (regop || (op == 0xc6 && high_byte(i, i->rm)))
			return false;
		modrm_form(p, i, op == 0xc6 ? 1 : sz, false, 0, true);
		imm(p, i);
		store(p, i->rm, 0);
		return true;
	case 0x63: /* MOVSXD */
		if (sz != 8)
			return false;
		modrm_form(p, i, 8, false, 0, false);
		store(p, i->reg, i->reg == i->rm ? 0 : 1);
		return true;
	case 0x90:
		if (i->reg)
			return false;
		p->kind = K_NOP;
		return true;
	case 0x98: case 0x99:
		load(p, X86_RAX, 0);
		load(p, X86_RDX, 2);
		prefix(p, sz, false);
		put(p, (uint8_t)op);
		store(p, X86_RAX, 0);
		if (op == 0x99)
			store(p, X86_RDX, 2);
		return true;
	case 0x69: case 0x6b:
		p->wr = F_CF | F_OF;
		p->undef = F_SF | F_ZF | F_AF | F_PF;
		modrm_form(p, i, sz, false, 0, false);
		imm(p, i);
		store(p, i->reg, i->reg == i->rm ? 0 : 1);
		return true;
	case 0xfe: case 0xff:
		if (regop > 1 || (op == 0xfe && high_byte(i, i->rm)))
			return false;
		p->wr = ARITH & ~F_CF;
		modrm_form(p, i, op == 0xfe ? 1 : sz, false, regop, true);
		store(p, i->rm, 0);
		return true;
	case 0xf6: case 0xf7:
		if (regop == 1 || regop > 3 || (op == 0xf6 && high_byte(i, i->rm)))
			return false;
		if (regop == 0 || regop == 3)
			p->wr = ARITH;
		modrm_form(p, i, op == 0xf6 ? 1 : sz, false, regop, true);
		imm(p, i);
		if (regop)
			store(p, i->rm, 0);
		return true;
	case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
		unsigned bsz = (op & 1) ? sz : 1, bits = 8 * bsz;
		bool shift = regop >= 4, by_cl = op >= 0xd2;
		if (bsz == 1 && high_byte(i, i->rm))
			return false;
		if (regop == 2 || regop == 3)
			p->rd = F_CF;
		if (by_cl) {
			/* Count 0 changes no flag: nothing is surely written. */
			p->undef = shift ? F_AF | F_OF | (bits < 32 ? F_CF : 0) : F_OF;
			p->undef |= (regop == 2 || regop == 3) ? F_CF : 0;
			if (shift)
				p->undef |= F_SF | F_ZF | F_PF;
			if (regop < 4)
				p->rd |= F_OF; /* a rotate by 0 keeps it */
			unsigned h = i->rm == X86_RCX ? 1 : 0;
			load(p, i->rm, h);
			load(p, X86_RCX, 1);
			prefix(p, bsz, false);
			put(p, (uint8_t)op);
			put(p, (uint8_t)(0xc0 | regop << 3 | h));
			store(p, i->rm, h);
			return true;
		}
		unsigned count = (op >= 0xd0 ? 1 : (unsigned)i->imm) & (bsz == 8 ? 0x3f : 0x1f);
		if (count) {
			if (shift) {
				p->wr = F_SF | F_ZF | F_PF | (count < bits ? F_CF : 0) | (count == 1 ? F_OF : 0);
				p->undef = F_AF | (count == 1 ? 0 : F_OF) | (count < bits ? 0 : F_CF);
			} else {
				p->wr = F_CF | (count == 1 ? F_OF : 0);
				p->undef = count == 1 ? 0 : F_OF;
			}
		}
		modrm_form(p, i, bsz, false, regop, true);
		imm(p, i);
		store(p, i->rm, 0);
		return true;
	}
	}
	if (op >= 0xb0 && op <= 0xbf) { /* MOV r, imm */
		unsigned bsz = op < 0xb8 ? 1 : sz;
		if (bsz == 1 && high_byte(i, i->reg))
			return false;
		load(p, i->reg, 0);
		prefix(p, bsz, false);
		put(p, (uint8_t)(op & 0xf8));
		imm(p, i);
		store(p, i->reg, 0);
		return true;
	}
	return false;
}
