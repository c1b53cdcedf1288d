/* String instructions: MOVS CMPS SCAS LODS STOS INS OUTS, with REP,
 * REPE and REPNE, and port I/O (IN, OUT).
 *
 * A REP instruction runs at most REP_CHUNK iterations per execution and
 * then restarts itself (RIP stays on it, rCX/rSI/rDI show the progress),
 * so interrupts, kicks and the budget are honoured inside long copies,
 * as on hardware. A fault part-way leaves the registers at the faulting
 * iteration.
 */
#include "accel/soft/cpu_internal.h"

#define REP_CHUNK 4096

enum { S_INS, S_OUTS, S_MOVS, S_CMPS, S_STOS, S_LODS, S_SCAS };

static int kind_of(uint8_t op)
{
	switch (op & 0xfe) {
	case 0x6c: return S_INS;
	case 0x6e: return S_OUTS;
	case 0xa4: return S_MOVS;
	case 0xa6: return S_CMPS;
	case 0xaa: return S_STOS;
	case 0xac: return S_LODS;
	default: return S_SCAS;
	}
}

static void check_io(struct x86_cpu *c, uint16_t port, unsigned size)
{
	if (!x86_io_allowed(c, port, size))
		x86_gp0(c);
}

static uint64_t port_in(struct x86_cpu *c, uint16_t port, unsigned size)
{
	uint32_t v = 0;

	c->mem->pio(c->mem_opaque, port, &v, size, false);
	return v;
}

static void port_out(struct x86_cpu *c, uint16_t port, unsigned size, uint64_t v)
{
	uint32_t w = (uint32_t)v;

	c->mem->pio(c->mem_opaque, port, &w, size, true);
}

/* Advance an index register (rSI/rDI) of the address size by one element. */
static void step_index(struct x86_cpu *c, unsigned reg, unsigned as, int64_t d,
		       const struct x86_insn *i)
{
	x86_reg_set(c, reg, as, (c->gpr[reg] + (uint64_t)d) & x86_size_mask(as), i);
}

void x86_op_string(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize, as = i->adsize;
	uint64_t am = x86_size_mask(as);
	int kind = kind_of(i->op);
	int64_t d = (c->rflags & X86_DF) ? -(int64_t)sz : (int64_t)sz;
	bool rep = i->rep != X86_REP_NONE;
	uint64_t n = rep ? c->gpr[X86_RCX] & am : 1;
	uint16_t port = (uint16_t)c->gpr[X86_RDX];

	if (kind == S_INS || kind == S_OUTS) {
		if (sz == 8) { /* REX.W does not widen port I/O */
			sz = 4;
			d = d < 0 ? -4 : 4;
		}
		check_io(c, port, sz);
	}
	for (unsigned done = 0; n; done++) {
		if (done == REP_CHUNK) {
			c->next_rip = c->rip; /* more to do: run it again */
			return;
		}
		uint64_t si = c->gpr[X86_RSI] & am, di = c->gpr[X86_RDI] & am, v;

		switch (kind) {
		case S_MOVS:
			v = x86_read(c, i->seg, si, sz);
			x86_write(c, X86_ES, di, sz, v);
			step_index(c, X86_RSI, as, d, i);
			step_index(c, X86_RDI, as, d, i);
			break;
		case S_STOS:
			x86_write(c, X86_ES, di, sz, c->gpr[X86_RAX]);
			step_index(c, X86_RDI, as, d, i);
			break;
		case S_LODS:
			v = x86_read(c, i->seg, si, sz);
			x86_reg_set(c, X86_RAX, sz, v, i);
			step_index(c, X86_RSI, as, d, i);
			break;
		case S_CMPS:
			v = x86_read(c, i->seg, si, sz);
			x86_alu(c, 7, sz, v, x86_read(c, X86_ES, di, sz));
			step_index(c, X86_RSI, as, d, i);
			step_index(c, X86_RDI, as, d, i);
			break;
		case S_SCAS:
			x86_alu(c, 7, sz, c->gpr[X86_RAX] & x86_size_mask(sz),
				x86_read(c, X86_ES, di, sz));
			step_index(c, X86_RDI, as, d, i);
			break;
		case S_INS:
			/* Check the destination before the port has side effects. */
			x86_linear(c, X86_ES, di, sz, X86_SEG_WRITE);
			v = port_in(c, port, sz);
			x86_write(c, X86_ES, di, sz, v);
			step_index(c, X86_RDI, as, d, i);
			break;
		default: /* OUTS */
			v = x86_read(c, i->seg, si, sz);
			port_out(c, port, sz, v);
			step_index(c, X86_RSI, as, d, i);
			break;
		}
		if (!rep)
			return;
		n--;
		x86_reg_set(c, X86_RCX, as, n, i);
		if (kind == S_CMPS || kind == S_SCAS) {
			bool zf = x86_arith(c) & X86_ZF;
			if (i->rep == X86_REP_F3 ? !zf : zf)
				return;
		}
	}
}

/* IN and OUT with an immediate port or DX. */
void x86_op_io(struct x86_cpu *c, const struct x86_insn *i)
{
	unsigned sz = i->opsize;
	uint16_t port = (i->op & 8) ? (uint16_t)c->gpr[X86_RDX] : (uint16_t)i->imm;

	if (sz == 8)
		sz = 4;
	check_io(c, port, sz);
	if (i->op & 2)
		port_out(c, port, sz, c->gpr[X86_RAX]);
	else
		x86_reg_set(c, X86_RAX, sz, port_in(c, port, sz), i);
}
