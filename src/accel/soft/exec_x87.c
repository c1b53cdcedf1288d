/* x87 floating point (D8-DF, FWAIT).
 *
 * Like SSE, results come from the host's x87 unit under the guest's
 * precision and rounding control with exceptions masked; the host's status
 * flags (exceptions, C0-C3 from comparisons and FPREM, C1 rounding) are
 * merged into the guest's FSW. An exception the guest unmasked leaves the
 * destination untouched and sets ES, and the next waiting x87 instruction
 * raises #MF (CR0.NE=1; the legacy IRQ 13 path is not modelled).
 *
 * Implemented: loads, stores and integer conversions of every size,
 * arithmetic (add sub subr mul div divr in all forms), compares (FCOM*,
 * FUCOM*, FCOMI*, FUCOMI*, FTST, FXAM), FCMOVcc, FXCH, FCHS, FABS, FSQRT,
 * FRNDINT, FSCALE, FPREM, FPREM1, FSIN, FCOS, F2XM1, FPATAN, FYL2X,
 * FYL2XP1, FPTAN, FSINCOS, FXTRACT, constants, FFREE, FINCSTP/FDECSTP,
 * FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW, FNSTENV/FLDENV (32-bit and
 * 16-bit layouts). Not implemented: FBLD/FBSTP, FNSAVE/FRSTOR, FISTTP
 * (SSE3).
 */
#include "accel/soft/cpu_internal.h"
#include "accel/soft/x87_host.h"

static const f80 indefinite = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };

static unsigned top(const struct x86_fpu *f) { return (f->fsw >> 11) & 7; }
static unsigned phys(const struct x86_fpu *f, unsigned i) { return (top(f) + i) & 7; }
static bool valid(const struct x86_fpu *f, unsigned i) { return (f->ftw >> phys(f, i)) & 1; }
static uint8_t *st(struct x86_fpu *f, unsigned i) { return f->st[phys(f, i)]; }

static void set_top(struct x86_fpu *f, unsigned t)
{
	f->fsw = (uint16_t)((f->fsw & ~0x3800) | ((t & 7) << 11));
}

/* Merge host status: exception flags accumulate, `cc` bits are replaced.
 * Returns true when the guest has an unmasked exception pending (the
 * result must then not be stored). */
static bool merge(struct x86_fpu *f, uint16_t sw, uint16_t cc)
{
	uint16_t exc = sw & 0x3f;

	uint16_t unmasked = exc & ~f->fcw & 0x3f;

	f->fsw = (uint16_t)((f->fsw & ~cc) | (sw & cc) | exc | (sw & FSW_SF));
	if (unmasked)
		f->fsw |= FSW_ES | FSW_B;
	/* An unmasked precision exception still stores the rounded result;
	 * the others leave the destination alone. (Unmasked overflow and
	 * underflow would store a result with a wrapped exponent, which is
	 * not modelled: they too leave it alone.) */
	return unmasked & 0x1f;
}

/* ---- stack ---- */

/* Stack underflow: IE|SF, C1=0. True if unmasked (abort the op). */
static bool underflow(struct x86_fpu *f)
{
	f->fsw = (uint16_t)((f->fsw & ~FSW_C1) | FSW_IE | FSW_SF);
	if (!(f->fcw & FSW_IE)) {
		f->fsw |= FSW_ES | FSW_B;
		return true;
	}
	return false;
}

static void push(struct x86_fpu *f, const uint8_t *v)
{
	unsigned t = (top(f) - 1) & 7;

	if ((f->ftw >> t) & 1) { /* overflow: IE|SF with C1=1 */
		f->fsw |= FSW_IE | FSW_SF | FSW_C1;
		if (!(f->fcw & FSW_IE)) {
			f->fsw |= FSW_ES | FSW_B;
			return;
		}
		v = indefinite;
	} else {
		f->fsw &= (uint16_t)~FSW_C1;
	}
	set_top(f, t);
	memcpy(f->st[t], v, 10);
	f->ftw |= (uint8_t)(1u << t);
}

static bool stack_full(const struct x86_fpu *f)
{
	return (f->ftw >> ((top(f) - 1) & 7)) & 1;
}

static void pop(struct x86_fpu *f)
{
	f->ftw &= (uint8_t)~(1u << top(f));
	set_top(f, top(f) + 1);
}

static void put(struct x86_fpu *f, unsigned i, const uint8_t *v)
{
	memcpy(st(f, i), v, 10);
	f->ftw |= (uint8_t)(1u << phys(f, i));
}

/* ---- operations ---- */

static void arith(struct x86_fpu *f, int op, unsigned di, const uint8_t *a,
		  const uint8_t *b, bool pop_after)
{
	f80 r;

	if (op == OP_COM || op == OP_COMP) {
		uint16_t sw = hx_compare(f, a, b, false);
		merge(f, sw, FSW_CC);
		if (op == OP_COMP || pop_after)
			pop(f);
		return;
	}
	uint16_t sw = hx_arith(op, f, a, b, r);
	if (!merge(f, sw, FSW_C1))
		put(f, di, r);
	if (pop_after)
		pop(f);
}

/* An arithmetic or compare operand is empty: the masked response stores
 * the indefinite NaN (or "unordered" and the pop of FCOMP). Returns true
 * when the exception is unmasked. */
static bool stack_fault(struct x86_fpu *f, int op, unsigned di)
{
	if (underflow(f))
		return true;
	if (op == OP_COM || op == OP_COMP) {
		f->fsw |= FSW_C3 | FSW_C2 | FSW_C0;
		if (op == OP_COMP)
			pop(f);
	} else {
		put(f, di, indefinite);
	}
	return false;
}

static void fxam(struct x86_fpu *f)
{
	uint16_t cc;

	if (!valid(f, 0)) {
		cc = FSW_C3 | FSW_C0;
		if (st(f, 0)[9] & 0x80)
			cc |= FSW_C1;
	} else {
		const uint8_t *v = st(f, 0);
		uint64_t m;
		uint16_t e;
		memcpy(&m, v, 8);
		memcpy(&e, v + 8, 2);
		e &= 0x7fff;
		if (e == 0x7fff)
			cc = (m << 1) ? FSW_C0 : FSW_C2 | FSW_C0;   /* NaN : infinity */
		else if (e == 0)
			cc = m ? FSW_C3 | FSW_C2 : FSW_C3;           /* denormal : zero */
		else
			cc = (m >> 63) ? FSW_C2 : 0;                 /* normal : unsupported */
		if (v[9] & 0x80)
			cc |= FSW_C1;
	}
	f->fsw = (uint16_t)((f->fsw & ~FSW_CC) | cc);
}

static void compare_eflags(struct x86_cpu *c, unsigned i, bool quiet, bool pop_after)
{
	struct x86_fpu *f = &c->fpu;

	if (!valid(f, 0) || !valid(f, i)) {
		if (underflow(f))
			return;
		x86_set_arith(c, X86_ZF | X86_PF | X86_CF);
	} else {
		/* C0-C3 stay as they were, C1 included: the SDM says C1 = 0,
		 * but AMD Zen (the reference the differential tests run on)
		 * leaves it, like the undefined flags that follow Zen. */
		uint16_t sw = hx_compare(f, st(f, 0), st(f, i), quiet);
		if (merge(f, sw & 0x7f, 0))
			return;
		x86_set_arith(c, (sw & FSW_C0 ? X86_CF : 0) | (sw & FSW_C2 ? X86_PF : 0) |
				 (sw & FSW_C3 ? X86_ZF : 0));
	}
	if (pop_after)
		pop(f);
}

static void fpu_env(struct x86_cpu *c, const struct x86_insn *i, bool store)
{
	struct x86_fpu *f = &c->fpu;
	unsigned w = i->opsize == 2 ? 2 : 4;
	uint64_t off = x86_ea(c, i), m = x86_size_mask(i->adsize);
	uint32_t v[7];

	if (store) {
		v[0] = f->fcw | (w == 4 ? 0xffff0000u : 0);
		v[1] = f->fsw | (w == 4 ? 0xffff0000u : 0);
		v[2] = x86_fpu_full_tags(f) | (w == 4 ? 0xffff0000u : 0);
		v[3] = (uint32_t)f->fip;
		v[4] = f->fcs | ((uint32_t)f->fop << 16);
		v[5] = (uint32_t)f->fdp;
		v[6] = f->fds | (w == 4 ? 0xffff0000u : 0);
		for (unsigned k = 0; k < 7; k++)
			x86_write(c, i->seg, (off + k * w) & m, w, v[k]);
		f->fcw |= 0x3f; /* FNSTENV masks every exception */
		return;
	}
	for (unsigned k = 0; k < 7; k++)
		v[k] = (uint32_t)x86_read(c, i->seg, (off + k * w) & m, w);
	f->fcw = (uint16_t)((v[0] & 0x1f3f) | 0x40); /* reserved bits, as FLDCW */
	f->fsw = (uint16_t)v[1];
	f->ftw = 0;
	for (unsigned k = 0; k < 8; k++)
		if (((v[2] >> (2 * k)) & 3) != 3)
			f->ftw |= (uint8_t)(1u << k);
	f->fip = v[3];
	f->fop = (uint16_t)((v[4] >> 16) & 0x7ff);
	f->fdp = v[5];
	if (f->fsw & ~f->fcw & 0x3f)
		f->fsw |= FSW_ES | FSW_B;
	else
		f->fsw &= (uint16_t)~(FSW_ES | FSW_B);
}

static void x87_mem(struct x86_cpu *c, const struct x86_insn *i)
{
	struct x86_fpu *f = &c->fpu;
	unsigned regop = x86_modrm_regop(i);
	uint64_t off = x86_ea(c, i), v = 0;
	f80 t;
	uint16_t sw;

	switch (i->op) {
	case 0xd8: case 0xdc: case 0xda: case 0xde: {
		static const int kind[4] = { 0, 1, 2, 3 };   /* d8 m32fp, da m32int, dc m64fp, de m16int */
		static const unsigned size[4] = { 4, 4, 8, 2 };
		unsigned k = (i->op >> 1) & 3;
		v = x86_read(c, i->seg, off, size[k]);
		if (!valid(f, 0)) {
			stack_fault(f, (int)regop, 0);
			return;
		}
		memcpy(t, st(f, 0), 10);
		sw = hx_arith_mem((int)regop, kind[k], f, t, &v, t);
		if (regop == OP_COM || regop == OP_COMP) {
			merge(f, sw, FSW_CC);
			if (regop == OP_COMP)
				pop(f);
		} else if (!merge(f, sw, FSW_C1)) {
			put(f, 0, t);
		}
		return;
	}
	case 0xd9:
		switch (regop) {
		case 0:
			v = x86_read(c, i->seg, off, 4);
			if (stack_full(f)) {
				push(f, indefinite); /* overflow, before the operand is looked at */
				return;
			}
			sw = hx_load(0, f, &v, t);
			if (!merge(f, sw, 0))
				push(f, t);
			return;
		case 2: case 3:
			if (!valid(f, 0)) {
				if (underflow(f))
					return;
				memcpy(t, indefinite, 10);
			} else {
				memcpy(t, st(f, 0), 10);
			}
			sw = hx_store(0, f, t, &v);
			if (merge(f, sw, FSW_C1))
				return;
			x86_write(c, i->seg, off, 4, v);
			if (regop == 3)
				pop(f);
			return;
		case 4: fpu_env(c, i, false); return;
		case 5:
			f->fcw = (uint16_t)((x86_read(c, i->seg, off, 2) & 0x1f3f) | 0x40);
			if (f->fsw & ~f->fcw & 0x3f)
				f->fsw |= FSW_ES | FSW_B;
			else
				f->fsw &= (uint16_t)~(FSW_ES | FSW_B);
			return;
		case 6: fpu_env(c, i, true); return;
		case 7: x86_write(c, i->seg, off, 2, f->fcw); return;
		}
		break;
	case 0xdb: case 0xdd: case 0xdf: {
		/* (opcode, regop) -> memory kind and size for loads/stores. */
		int kind;
		unsigned size;
		if (i->op == 0xdb && regop <= 3) { kind = 1; size = 4; }
		else if (i->op == 0xdd && regop <= 3) { kind = 2; size = 8; }
		else if (i->op == 0xdf && regop <= 3) { kind = 3; size = 2; }
		else if (i->op == 0xdf && (regop == 5 || regop == 7)) { kind = 4; size = 8; }
		else if (i->op == 0xdb && (regop == 5 || regop == 7)) { kind = 5; size = 10; }
		else if (i->op == 0xdd && regop == 7) {
			x86_write(c, i->seg, off, 2, f->fsw);
			return;
		} else {
			break; /* FISTTP, FRSTOR, FNSAVE, FBLD, FBSTP */
		}
		if (regop == 1)
			break;
		bool load = regop == 0 || (regop == 5 && i->op != 0xdd);
		if (load) {
			uint8_t buf[10] = { 0 };
			x86_read_buf(c, i->seg, off, buf, size);
			if (kind == 5 || stack_full(f)) {
				push(f, buf);
				return;
			}
			sw = hx_load(kind, f, buf, t);
			if (!merge(f, sw, 0))
				push(f, t);
			return;
		}
		bool popit = regop == 3 || regop == 7;
		if (!valid(f, 0)) {
			if (underflow(f))
				return;
			memcpy(t, indefinite, 10);
		} else {
			memcpy(t, st(f, 0), 10);
		}
		uint8_t out[10];
		if (kind == 5) {
			/* FSTP m80 stores exactly: C1 = 0 ("not rounded up"),
			 * not whatever an earlier rounding left there. */
			memcpy(out, t, 10);
			f->fsw &= (uint16_t)~FSW_C1;
		} else {
			sw = hx_store(kind, f, t, out);
			if (merge(f, sw, FSW_C1))
				return;
		}
		x86_write_buf(c, i->seg, off, out, size);
		if (popit)
			pop(f);
		return;
	}
	}
	x86_unimplemented(c, i);
}

static void x87_reg(struct x86_cpu *c, const struct x86_insn *i)
{
	struct x86_fpu *f = &c->fpu;
	unsigned regop = x86_modrm_regop(i), r = i->modrm & 7;
	uint8_t m = i->modrm;
	f80 a, b;

	switch (i->op) {
	case 0xd8: case 0xdc: case 0xde: {
		bool to_sti = i->op != 0xd8, popit = i->op == 0xde;
		if (i->op == 0xde && regop == 3) {
			if (r != 1)
				break;
			r = 1;                            /* FCOMPP */
		}
		if (!valid(f, 0) || !valid(f, r)) {
			if (!stack_fault(f, (int)regop, to_sti ? r : 0) && popit &&
			    regop != OP_COMP)
				pop(f);
			if (i->op == 0xde && regop == 3 && !(f->fsw & FSW_ES))
				pop(f);
			return;
		}
		int op = (int)regop;
		if (to_sti && op >= OP_SUB)
			op ^= 1;
		memcpy(a, st(f, to_sti ? r : 0), 10);
		memcpy(b, st(f, to_sti ? 0 : r), 10);
		if (op == OP_COM || op == OP_COMP) {
			memcpy(a, st(f, 0), 10);
			memcpy(b, st(f, r), 10);
			arith(f, op, 0, a, b, false);
			if (i->op == 0xde)
				pop(f);
			return;
		}
		arith(f, op, to_sti ? r : 0, a, b, popit);
		return;
	}
	case 0xd9:
		if (regop == 0) { /* FLD ST(i) */
			if (!valid(f, r)) {
				if (!underflow(f))
					push(f, indefinite);
				return;
			}
			memcpy(a, st(f, r), 10);
			push(f, a);
			return;
		}
		if (regop == 1) { /* FXCH */
			if (!valid(f, 0) || !valid(f, r)) {
				if (underflow(f))
					return;
				if (!valid(f, 0)) put(f, 0, indefinite);
				if (!valid(f, r)) put(f, r, indefinite);
			}
			memcpy(a, st(f, 0), 10);
			memcpy(st(f, 0), st(f, r), 10);
			memcpy(st(f, r), a, 10);
			f->fsw &= (uint16_t)~FSW_C1;
			return;
		}
		if (m == 0xd0)
			return; /* FNOP */
		if (m == 0xe0 || m == 0xe1) { /* FCHS, FABS */
			if (!valid(f, 0)) {
				if (!underflow(f))
					put(f, 0, indefinite);
				return;
			}
			uint8_t *v = st(f, 0);
			v[9] = m == 0xe0 ? v[9] ^ 0x80 : v[9] & 0x7f;
			f->fsw &= (uint16_t)~FSW_C1;
			return;
		}
		if (m == 0xe4) { /* FTST */
			static const f80 zero = { 0 };
			if (!valid(f, 0)) {
				if (!underflow(f))
					f->fsw |= FSW_C3 | FSW_C2 | FSW_C0;
				return;
			}
			merge(f, hx_compare(f, st(f, 0), zero, false), FSW_CC);
			return;
		}
		if (m == 0xe5) {
			fxam(f);
			return;
		}
		if (m >= 0xe8 && m <= 0xee) { /* constants */
			merge(f, hx_func(m, f, a, b), 0);
			push(f, b);
			return;
		}
		if (m == 0xf6 || m == 0xf7) { /* FDECSTP, FINCSTP */
			set_top(f, top(f) + (m == 0xf7 ? 1 : 7));
			f->fsw &= (uint16_t)~FSW_C1;
			return;
		}
		if (m >= 0xf0) {
			bool two = m == 0xf1 || m == 0xf3 || m == 0xf5 || m == 0xf8 ||
				   m == 0xf9 || m == 0xfd;
			bool pushes = m == 0xf2 || m == 0xfb || m == 0xf4;
			/* A stack fault is neither "out of range" (FPTAN FSIN FCOS
			 * FSINCOS) nor "incomplete" (FPREM FPREM1): C2 = 0, as the
			 * host does; C0 and C3 stay. */
			bool c2 = m == 0xf2 || m == 0xfb || m == 0xfe || m == 0xff ||
				  m == 0xf8 || m == 0xf5;
			if (c2 && (!valid(f, 0) || (two && !valid(f, 1)) ||
				   (pushes && stack_full(f))))
				f->fsw &= (uint16_t)~FSW_C2;
			if (!valid(f, 0) || (two && !valid(f, 1))) {
				if (underflow(f))
					return;
				/* Masked: the indefinite NaN wherever results go. */
				if (m == 0xf1 || m == 0xf3 || m == 0xf9) {
					put(f, 1, indefinite);
					pop(f);
				} else {
					put(f, 0, indefinite);
					if (pushes)
						push(f, indefinite);
				}
				return;
			}
			if (pushes && stack_full(f)) {
				/* Overflow: masked, both results are the NaN. */
				if (f->fcw & FSW_IE)
					put(f, 0, indefinite);
				push(f, indefinite);
				return;
			}
			memcpy(a, st(f, 0), 10);
			if (two)
				memcpy(b, st(f, 1), 10);
			uint16_t sw = hx_func(m, f, a, b);
			/* FPREM/FPREM1 report quotient bits in C0 C1 C3 and
			 * "incomplete" in C2; the trigonometric ones "out of
			 * range" in C2; the rest only C1. */
			uint16_t cc = (m == 0xf8 || m == 0xf5) ? FSW_CC :
				      (m == 0xf2 || m == 0xfb || m == 0xfe || m == 0xff) ?
				      FSW_C1 | FSW_C2 : FSW_C1;
			if (merge(f, sw, cc))
				return;
			if (sw & FSW_C2 && (m == 0xf2 || m == 0xfb || m == 0xfe || m == 0xff))
				return; /* operand out of range: unchanged */
			if (m == 0xf1 || m == 0xf3 || m == 0xf9) {
				put(f, 1, b);
				pop(f);
			} else if (pushes) {
				/* C1 reports the rounding of the result, not the push. */
				uint16_t c1 = f->fsw & FSW_C1;
				put(f, 0, a);
				push(f, b);
				f->fsw = (uint16_t)((f->fsw & ~FSW_C1) | c1);
			} else {
				put(f, 0, a);
				if (two)
					put(f, 1, b);
			}
			return;
		}
		break;
	case 0xda: case 0xdb:
		if (m == 0xe9 && i->op == 0xda) { /* FUCOMPP */
			if (!valid(f, 0) || !valid(f, 1)) {
				if (!underflow(f))
					f->fsw |= FSW_C3 | FSW_C2 | FSW_C0;
			} else {
				merge(f, hx_compare(f, st(f, 0), st(f, 1), true), FSW_CC);
			}
			pop(f);
			pop(f);
			return;
		}
		if (i->op == 0xdb && m == 0xe2) { /* FNCLEX */
			f->fsw &= 0x7f00;
			return;
		}
		if (i->op == 0xdb && m == 0xe3) { /* FNINIT */
			f->fcw = 0x37f;
			f->fsw = 0;
			f->ftw = 0;
			f->fop = 0;
			f->fip = f->fdp = 0;
			f->fcs = f->fds = 0;
			return;
		}
		if (i->op == 0xdb && (m == 0xe0 || m == 0xe1 || m == 0xe4))
			return; /* FENI, FDISI, FSETPM: no-ops since the 80287 */
		if (i->op == 0xdb && regop >= 5 && regop <= 6) { /* FUCOMI, FCOMI */
			compare_eflags(c, r, regop == 5, false);
			return;
		}
		if (regop <= 3) { /* FCMOVcc */
			static const uint8_t cc[4] = { 0x2, 0x4, 0x6, 0xa }; /* B E BE P */
			bool take = x86_cond(c, cc[regop]);
			if (i->op == 0xdb)
				take = !take;
			if (!valid(f, 0) || !valid(f, r)) {
				/* Masked: ST0 becomes the indefinite NaN either way. */
				if (!underflow(f))
					put(f, 0, indefinite);
				return;
			}
			if (take)
				put(f, 0, st(f, r));
			return;
		}
		break;
	case 0xdd:
		switch (regop) {
		case 0: /* FFREE: C0-C3 undefined; Zen clears C1, keeps the rest */
			f->ftw &= (uint8_t)~(1u << phys(f, r));
			f->fsw &= (uint16_t)~FSW_C1;
			return;
		case 2: case 3: /* FST, FSTP ST(i) */
			if (!valid(f, 0)) {
				if (underflow(f))
					return;
				put(f, r, indefinite);
			} else {
				put(f, r, st(f, 0));
				f->fsw &= (uint16_t)~FSW_C1; /* exact: "not rounded up" */
			}
			if (regop == 3)
				pop(f);
			return;
		case 4: case 5: /* FUCOM, FUCOMP */
			if (!valid(f, 0) || !valid(f, r)) {
				if (!underflow(f))
					f->fsw |= FSW_C3 | FSW_C2 | FSW_C0;
			} else {
				merge(f, hx_compare(f, st(f, 0), st(f, r), true), FSW_CC);
			}
			if (regop == 5)
				pop(f);
			return;
		}
		break;
	case 0xdf:
		if (m == 0xe0) { /* FNSTSW AX */
			x86_reg_set(c, X86_RAX, 2, f->fsw, i);
			return;
		}
		if (regop == 5 || regop == 6) { /* FUCOMIP, FCOMIP */
			compare_eflags(c, r, regop == 5, true);
			return;
		}
		break;
	}
	x86_unimplemented(c, i);
}

/* Instructions that do not wait for (and so do not report) pending
 * exceptions: FNINIT FNCLEX FNSTCW FNSTSW FNSTENV FNSAVE. */
static bool no_wait(const struct x86_insn *i)
{
	unsigned regop = x86_modrm_regop(i);
	bool mem = i->flags & X86_I_MEM;

	if (i->op == 0xdb && (i->modrm == 0xe2 || i->modrm == 0xe3))
		return true;
	if (i->op == 0xdf && i->modrm == 0xe0)
		return true;
	if (mem && i->op == 0xd9 && (regop == 6 || regop == 7))
		return true;
	if (mem && i->op == 0xdd && (regop == 6 || regop == 7))
		return true;
	return false;
}

void x86_op_x87(struct x86_cpu *c, const struct x86_insn *i)
{
	struct x86_fpu *f = &c->fpu;

	if (i->op == 0x9b) { /* FWAIT */
		if ((c->cr0 & (X86_CR0_MP | X86_CR0_TS)) == (X86_CR0_MP | X86_CR0_TS))
			x86_raise_noerr(c, X86_EXC_NM);
		if ((f->fsw & FSW_ES) && (c->cr0 & X86_CR0_NE))
			x86_raise_noerr(c, X86_EXC_MF);
		return;
	}
	if (c->cr0 & (X86_CR0_EM | X86_CR0_TS))
		x86_raise_noerr(c, X86_EXC_NM);
	bool control = no_wait(i);
	if (!control && (f->fsw & FSW_ES) && (c->cr0 & X86_CR0_NE))
		x86_raise_noerr(c, X86_EXC_MF);
	if (i->flags & X86_I_MEM)
		x87_mem(c, i);
	else
		x87_reg(c, i);
	if (!control) {
		/* The last instruction's pointers, as FSTENV/FXSAVE report them. */
		/* 64-bit mode keeps no FCS/FDS (they read as zero). */
		bool lm = c->mode == X86_MODE_LONG64;
		f->fop = (uint16_t)(((i->op & 7) << 8) | i->modrm);
		f->fip = c->rip;
		f->fcs = lm ? 0 : c->seg[X86_CS].selector;
		if (i->flags & X86_I_MEM) {
			f->fdp = x86_ea(c, i);
			f->fds = lm ? 0 : c->seg[i->seg].selector;
		}
	}
}
