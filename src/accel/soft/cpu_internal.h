/* Interpreter internals shared by the instruction-family files.
 *
 * Exceptions unwind with longjmp to the run loop (x86_raise*), so an
 * instruction's code reads straight through: it does every access that can
 * fault before it changes architectural state, and a fault leaves RIP at
 * the faulting instruction.
 */
#ifndef KILN_ACCEL_SOFT_CPU_INTERNAL_H
#define KILN_ACCEL_SOFT_CPU_INTERNAL_H

#include "accel/soft/icache.h"
#include "accel/soft/x86_cpu.h"

#include <string.h>

/* Lazy flags: how the arithmetic flags follow from cc_res/cc_src1/cc_src2. */
enum x86_cc_op {
	CC_EAGER,  /* the flags are in cpu->rflags */
	CC_ADD,    /* res = src1 + src2 */
	CC_ADC,    /* res = src1 + src2 + aux (carry in) */
	CC_SUB,    /* res = src1 - src2 (also CMP, NEG with src1 = 0) */
	CC_SBB,    /* res = src1 - src2 - aux */
	CC_LOGIC,  /* CF = OF = AF = 0 */
	CC_INC,    /* res = src1 + 1, CF = aux */
	CC_DEC,    /* res = src1 - 1, CF = aux */
	CC_SHIFT,  /* SHL/SHR/SAR by a non-zero count: SF ZF PF from res, AF
		    * set, CF = aux bit 0, OF = aux bit 1 */
};

typedef void (*x86_handler)(struct x86_cpu *c, const struct x86_insn *i);

/* ---- exceptions (interrupt.c) ---- */
_Noreturn void x86_raise(struct x86_cpu *c, int vector, uint32_t error);
_Noreturn void x86_raise_noerr(struct x86_cpu *c, int vector);
_Noreturn void x86_raise_fault(struct x86_cpu *c, const struct x86_fault *f);
static inline _Noreturn void x86_ud(struct x86_cpu *c) { x86_raise_noerr(c, X86_EXC_UD); }
static inline _Noreturn void x86_gp0(struct x86_cpu *c) { x86_raise(c, X86_EXC_GP, 0); }
/* #UD for an instruction this CPU does not implement, logged once per
 * opcode with its bytes. */
_Noreturn void x86_unimplemented(struct x86_cpu *c, const struct x86_insn *i);
/* Deliver an event through the IVT/IDT. `soft`: INT n/INT3/INTO (privilege
 * checked against the gate's DPL, pushes next_rip). Faults inside
 * delivery unwind like any other exception. */
enum x86_event_kind { X86_EV_EXCEPTION, X86_EV_EXTERNAL, X86_EV_SOFT_INT, X86_EV_NMI };
void x86_deliver(struct x86_cpu *c, int vector, enum x86_event_kind kind,
		 bool has_error, uint32_t error, uint64_t return_rip);

/* ---- flags (flags.c) ---- */
uint32_t x86_cc_compute(const struct x86_cpu *c);
bool x86_cond(struct x86_cpu *c, unsigned cc);
static inline uint64_t x86_size_mask(unsigned size)
{
	return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}
static inline uint64_t x86_sign_bit(unsigned size)
{
	return 1ull << (8 * size - 1);
}
static inline uint64_t x86_sext(uint64_t v, unsigned size)
{
	unsigned sh = 64 - 8 * size;
	return (uint64_t)((int64_t)(v << sh) >> sh);
}
static inline void x86_set_cc(struct x86_cpu *c, enum x86_cc_op op,
			      unsigned size, uint64_t res, uint64_t s1,
			      uint64_t s2)
{
	c->cc_op = op;
	c->cc_size = size;
	c->cc_res = res;
	c->cc_src1 = s1;
	c->cc_src2 = s2;
}
/* Set the arithmetic flags to `flags` (others untouched). */
static inline void x86_set_arith(struct x86_cpu *c, uint32_t flags)
{
	c->rflags = (c->rflags & ~(uint64_t)X86_ARITH_FLAGS) | (flags & X86_ARITH_FLAGS);
	c->cc_op = CC_EAGER;
}
static inline uint32_t x86_arith(const struct x86_cpu *c)
{
	return c->cc_op == CC_EAGER ? (uint32_t)c->rflags & X86_ARITH_FLAGS
				    : x86_cc_compute(c);
}
/* CF alone, without computing the other flags (INC/DEC, ADC/SBB need it). */
static inline bool x86_cf(const struct x86_cpu *c)
{
	uint64_t m;

	switch (c->cc_op) {
	case CC_EAGER: return c->rflags & X86_CF;
	case CC_LOGIC: return false;
	case CC_INC: case CC_DEC: return c->cc_aux;
	case CC_SHIFT: return c->cc_aux & 1;
	case CC_SUB:
		m = x86_size_mask(c->cc_size);
		return (c->cc_src1 & m) < (c->cc_src2 & m);
	default: return x86_cc_compute(c) & X86_CF;
	}
}
/* ZF, SF and PF of a result, for instructions that compute flags eagerly. */
uint32_t x86_szp(uint64_t res, unsigned size);

/* ---- TLB maintenance: the platform's, and the fetch translation the
 * instruction cache keeps ---- */
static inline void x86_tlb_forget(struct x86_cpu *c)
{
	memset(c->dtlb, 0, sizeof(c->dtlb));
	if (c->icache) {
		c->icache->fetch_valid = false;
		c->icache->epoch++;
	}
}

static inline void x86_tlb_flush(struct x86_cpu *c, bool global)
{
	c->mem->flush_tlb(c->mem_opaque, global);
	x86_tlb_forget(c);
}

static inline void x86_tlb_invlpg(struct x86_cpu *c, uint64_t la)
{
	c->mem->invlpg(c->mem_opaque, la);
	x86_tlb_forget(c);
}

/* ---- registers ---- */
static inline uint64_t x86_reg_get(const struct x86_cpu *c, unsigned r,
				   unsigned size, const struct x86_insn *i)
{
	if (size == 1) {
		if (r >= 4 && r < 8 && !(i->flags & X86_I_REX))
			return (c->gpr[r - 4] >> 8) & 0xff;
		return c->gpr[r] & 0xff;
	}
	return c->gpr[r] & x86_size_mask(size);
}
/* 32-bit writes zero the upper half; 8/16-bit writes merge. */
static inline void x86_reg_set(struct x86_cpu *c, unsigned r, unsigned size,
			       uint64_t v, const struct x86_insn *i)
{
	switch (size) {
	case 1:
		if (r >= 4 && r < 8 && !(i->flags & X86_I_REX))
			c->gpr[r - 4] = (c->gpr[r - 4] & ~0xff00ull) | ((v & 0xff) << 8);
		else
			c->gpr[r] = (c->gpr[r] & ~0xffull) | (v & 0xff);
		break;
	case 2:
		c->gpr[r] = (c->gpr[r] & ~0xffffull) | (v & 0xffff);
		break;
	case 4:
		c->gpr[r] = (uint32_t)v;
		break;
	default:
		c->gpr[r] = v;
	}
}

/* ---- memory (mem.c) ---- */
enum x86_seg_access { X86_SEG_READ, X86_SEG_WRITE, X86_SEG_EXEC, X86_SEG_RMW };
uint64_t x86_ea(const struct x86_cpu *c, const struct x86_insn *i);
/* Segment-relative to linear, with the mode's limit/type/canonical checks. */
uint64_t x86_linear(struct x86_cpu *c, unsigned seg, uint64_t off,
		    unsigned len, enum x86_seg_access kind);
void x86_read_lin(struct x86_cpu *c, uint64_t la, void *buf, unsigned len,
		  enum x86_access acc);
void x86_write_lin(struct x86_cpu *c, uint64_t la, const void *buf,
		   unsigned len, enum x86_access acc);
uint64_t x86_read(struct x86_cpu *c, unsigned seg, uint64_t off, unsigned size);
/* A read whose bytes the instruction writes back (the page must be writable). */
uint64_t x86_read_rmw(struct x86_cpu *c, unsigned seg, uint64_t off, unsigned size);
void x86_write(struct x86_cpu *c, unsigned seg, uint64_t off, unsigned size,
	       uint64_t v);
void x86_read_buf(struct x86_cpu *c, unsigned seg, uint64_t off, void *buf,
		  unsigned len);
void x86_write_buf(struct x86_cpu *c, unsigned seg, uint64_t off,
		   const void *buf, unsigned len);
/* Implicit supervisor accesses to system tables (linear addresses). */
uint64_t x86_sys_read(struct x86_cpu *c, uint64_t la, unsigned size);
void x86_sys_write(struct x86_cpu *c, uint64_t la, unsigned size, uint64_t v);

/* ModRM r/m operand: register or memory. */
uint64_t x86_rm_read(struct x86_cpu *c, const struct x86_insn *i, unsigned size);
uint64_t x86_rm_read_rmw(struct x86_cpu *c, const struct x86_insn *i, unsigned size);
void x86_rm_write(struct x86_cpu *c, const struct x86_insn *i, unsigned size,
		  uint64_t v);

/* Stack: width of SP (2, 4, 8) and push/pop of `size` bytes. */
static inline unsigned x86_stack_width(const struct x86_cpu *c)
{
	if (c->mode == X86_MODE_LONG64)
		return 8;
	return c->seg[X86_SS].db ? 4 : 2;
}
void x86_push(struct x86_cpu *c, unsigned size, uint64_t v);
uint64_t x86_pop(struct x86_cpu *c, unsigned size);
/* Read the value `depth` bytes above SP without popping. */
uint64_t x86_stack_peek(struct x86_cpu *c, unsigned depth, unsigned size);
void x86_sp_add(struct x86_cpu *c, int64_t delta);

/* Immediate sign-extended to the operand size. */
static inline uint64_t x86_imm_sext(const struct x86_insn *i)
{
	return x86_sext(i->imm, i->imm_len) & x86_size_mask(i->opsize);
}

/* Set RIP to `target` for the current operand size (near branches). */
void x86_jump(struct x86_cpu *c, uint64_t target, unsigned opsize);

/* ---- segments and modes (segment.c) ---- */
/* Load a data/stack segment register from a selector, with every check
 * of the current mode (real: base = sel << 4). */
void x86_load_seg(struct x86_cpu *c, unsigned sreg, uint16_t sel);
/* Read the 8-byte descriptor for `sel` (16 for system descriptors in long
 * mode: desc[1]); #GP(sel) when outside the table. */
void x86_read_desc(struct x86_cpu *c, uint16_t sel, uint64_t desc[2], bool sys16);
void x86_desc_to_seg(uint64_t desc, uint16_t sel, x86_seg_t *s);
void x86_far_jump(struct x86_cpu *c, uint16_t sel, uint64_t off, unsigned opsize);
void x86_far_call(struct x86_cpu *c, uint16_t sel, uint64_t off, unsigned opsize);
void x86_far_ret(struct x86_cpu *c, unsigned opsize, uint16_t extra);
void x86_iret(struct x86_cpu *c, unsigned opsize);
void x86_set_cr(struct x86_cpu *c, unsigned n, uint64_t v);
bool x86_io_allowed(struct x86_cpu *c, uint16_t port, unsigned size);

/* ---- instruction families ---- */
void x86_exec(struct x86_cpu *c, const struct x86_insn *i);
/* The handler x86_exec runs for `i`, or NULL (not implemented: #UD). */
x86_handler x86_handler_of(const struct x86_insn *i);
/* A faster handler for this form of `i` than its generic `h`, or `h`
 * (exec_fast.c). */
x86_handler x86_fast_of(const struct x86_insn *i, x86_handler h);
void x86_op_alu(struct x86_cpu *c, const struct x86_insn *i);     /* 00-3D */
void x86_op_grp1(struct x86_cpu *c, const struct x86_insn *i);    /* 80-83 */
void x86_op_incdec(struct x86_cpu *c, const struct x86_insn *i);  /* 40-4F, FE/FF /0 /1 */
void x86_op_test(struct x86_cpu *c, const struct x86_insn *i);    /* 84 85 A8 A9 */
void x86_op_grp3(struct x86_cpu *c, const struct x86_insn *i);    /* F6 F7 */
void x86_op_misc_flags(struct x86_cpu *c, const struct x86_insn *i); /* CMC CLC STC CLD STD SAHF LAHF SALC */
void x86_op_bcd(struct x86_cpu *c, const struct x86_insn *i);     /* DAA DAS AAA AAS AAM AAD */
uint64_t x86_alu(struct x86_cpu *c, unsigned op, unsigned size, uint64_t a,
		 uint64_t b);
void x86_op_shift(struct x86_cpu *c, const struct x86_insn *i);   /* C0 C1 D0-D3 */
void x86_op_shxd(struct x86_cpu *c, const struct x86_insn *i);    /* 0F A4 A5 AC AD */
void x86_op_imul(struct x86_cpu *c, const struct x86_insn *i);    /* 69 6B 0F AF */
void x86_op_bt(struct x86_cpu *c, const struct x86_insn *i);      /* 0F A3 AB B3 BB BA */
void x86_op_bitscan(struct x86_cpu *c, const struct x86_insn *i); /* 0F BC BD B8 */
void x86_op_mov(struct x86_cpu *c, const struct x86_insn *i);     /* 88-8B C6 C7 B0-BF A0-A3 */
void x86_op_movx(struct x86_cpu *c, const struct x86_insn *i);    /* 0F B6 B7 BE BF, 63 */
void x86_op_lea(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_xchg(struct x86_cpu *c, const struct x86_insn *i);    /* 86 87 90-97 */
void x86_op_cmpxchg(struct x86_cpu *c, const struct x86_insn *i); /* 0F B0 B1 */
void x86_op_cmpxchg8b(struct x86_cpu *c, const struct x86_insn *i); /* 0F C7 /1 */
void x86_op_xadd(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_bswap(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_cmov(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_setcc(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_cbw(struct x86_cpu *c, const struct x86_insn *i);     /* 98 99 */
void x86_op_xlat(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_mov_seg(struct x86_cpu *c, const struct x86_insn *i); /* 8C 8E */
void x86_op_lxs(struct x86_cpu *c, const struct x86_insn *i);     /* C4 C5 0F B2 B4 B5 */
void x86_op_push(struct x86_cpu *c, const struct x86_insn *i);    /* 50-57 68 6A FF/6 */
void x86_op_pop(struct x86_cpu *c, const struct x86_insn *i);     /* 58-5F 8F/0 */
void x86_op_push_seg(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_pop_seg(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_pusha(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_popa(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_pushf(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_popf(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_enter(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_leave(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_jcc(struct x86_cpu *c, const struct x86_insn *i);     /* 70-7F 0F 80-8F */
void x86_op_jmp(struct x86_cpu *c, const struct x86_insn *i);     /* E9 EB EA */
void x86_op_call(struct x86_cpu *c, const struct x86_insn *i);    /* E8 9A */
void x86_op_ret(struct x86_cpu *c, const struct x86_insn *i);     /* C2 C3 CA CB */
void x86_op_loop(struct x86_cpu *c, const struct x86_insn *i);    /* E0-E3 */
void x86_op_grp5(struct x86_cpu *c, const struct x86_insn *i);    /* FE FF */
void x86_op_string(struct x86_cpu *c, const struct x86_insn *i);  /* A4-A7 AA-AF 6C-6F */
void x86_op_io(struct x86_cpu *c, const struct x86_insn *i);      /* E4-E7 EC-EF */
void x86_op_int(struct x86_cpu *c, const struct x86_insn *i);     /* CC CD CE F1 */
void x86_op_iret(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_hlt(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_cli_sti(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_0f01(struct x86_cpu *c, const struct x86_insn *i);    /* group 7 */
void x86_op_0f00(struct x86_cpu *c, const struct x86_insn *i);    /* group 6 */
void x86_op_lar_lsl(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_mov_cr(struct x86_cpu *c, const struct x86_insn *i);  /* 0F 20 22 */
void x86_op_mov_dr(struct x86_cpu *c, const struct x86_insn *i);  /* 0F 21 23 */
void x86_op_msr(struct x86_cpu *c, const struct x86_insn *i);     /* 0F 30 32 */
void x86_op_rdtsc(struct x86_cpu *c, const struct x86_insn *i);   /* 0F 31 */
void x86_op_cpuid(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_syscall(struct x86_cpu *c, const struct x86_insn *i); /* 0F 05 */
void x86_op_sysret(struct x86_cpu *c, const struct x86_insn *i);  /* 0F 07 */
void x86_op_clts(struct x86_cpu *c, const struct x86_insn *i);
void x86_op_wbinvd(struct x86_cpu *c, const struct x86_insn *i);  /* 0F 08 09 */
void x86_op_grp15(struct x86_cpu *c, const struct x86_insn *i);   /* 0F AE */
void x86_op_grp9(struct x86_cpu *c, const struct x86_insn *i);    /* 0F C7 */
void x86_op_ud(struct x86_cpu *c, const struct x86_insn *i);       /* 0F 0B B9 FF */
void x86_op_nop_modrm(struct x86_cpu *c, const struct x86_insn *i); /* 0F 0D 18-1F */
void x86_op_x87(struct x86_cpu *c, const struct x86_insn *i);     /* D8-DF 9B */
void x86_op_sse(struct x86_cpu *c, const struct x86_insn *i);     /* 0F 10-17 28-2F 50-7F C2-C6 D0-FF */
void x86_mmx(struct x86_cpu *c, const struct x86_insn *i);        /* those without a prefix */

/* Fetch and decode at CS:RIP (x86_cpu.c), faulting as hardware does. */
void x86_fetch_decode(struct x86_cpu *c, struct x86_insn *insn);

/* x87/SSE state helpers (exec_fpu.c). */
void x86_fpu_reset(struct x86_fpu *f);
uint16_t x86_fpu_full_tags(const struct x86_fpu *f);
void x86_fxsave_image(const struct x86_fpu *f, uint8_t img[512], bool with_xmm_hi);
/* 0, or -1 when MXCSR has reserved bits set (#GP). */
int x86_fxrstor_image(struct x86_fpu *f, const uint8_t img[512], bool with_xmm_hi);

/* CPUID (cpuid.c). */
void x86_cpuid_eval(struct x86_cpu *c, uint32_t leaf, uint32_t sub,
		    uint32_t out[4]);
/* MSRs (msr.c): 0, or -1 for #GP. */
int x86_msr_read(struct x86_cpu *c, uint32_t index, uint64_t *v);
int x86_msr_write(struct x86_cpu *c, uint32_t index, uint64_t v);
uint64_t x86_rdtsc_value(struct x86_cpu *c);

#endif
