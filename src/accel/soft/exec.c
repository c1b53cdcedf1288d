/* Dispatch: which family function runs each opcode. An empty slot is an
 * instruction this CPU does not implement: #UD, logged once. The 0F38 and
 * 0F3A maps hold SSSE3/SSE4 and later, which CPUID does not offer.
 */
#include "accel/soft/cpu_internal.h"

#define ALU6(x) [x ... x + 5] = x86_op_alu

static const x86_handler one_byte[256] = {
	ALU6(0x00), ALU6(0x08), ALU6(0x10), ALU6(0x18),
	ALU6(0x20), ALU6(0x28), ALU6(0x30), ALU6(0x38),
	[0x06] = x86_op_push_seg, [0x0e] = x86_op_push_seg,
	[0x16] = x86_op_push_seg, [0x1e] = x86_op_push_seg,
	[0x07] = x86_op_pop_seg, [0x17] = x86_op_pop_seg, [0x1f] = x86_op_pop_seg,
	[0x27] = x86_op_bcd, [0x2f] = x86_op_bcd, [0x37] = x86_op_bcd,
	[0x3f] = x86_op_bcd,
	[0x40 ... 0x4f] = x86_op_incdec,
	[0x50 ... 0x57] = x86_op_push, [0x58 ... 0x5f] = x86_op_pop,
	[0x60] = x86_op_pusha, [0x61] = x86_op_popa, [0x63] = x86_op_movx,
	[0x68] = x86_op_push, [0x6a] = x86_op_push,
	[0x69] = x86_op_imul, [0x6b] = x86_op_imul,
	[0x6c ... 0x6f] = x86_op_string,
	[0x70 ... 0x7f] = x86_op_jcc,
	[0x80 ... 0x83] = x86_op_grp1,
	[0x84] = x86_op_test, [0x85] = x86_op_test,
	[0x86] = x86_op_xchg, [0x87] = x86_op_xchg,
	[0x88 ... 0x8b] = x86_op_mov,
	[0x8c] = x86_op_mov_seg, [0x8e] = x86_op_mov_seg, [0x8d] = x86_op_lea,
	[0x8f] = x86_op_pop,
	[0x90 ... 0x97] = x86_op_xchg,
	[0x98] = x86_op_cbw, [0x99] = x86_op_cbw, [0x9a] = x86_op_call,
	[0x9b] = x86_op_x87, [0x9c] = x86_op_pushf, [0x9d] = x86_op_popf,
	[0x9e] = x86_op_misc_flags, [0x9f] = x86_op_misc_flags,
	[0xa0 ... 0xa3] = x86_op_mov,
	[0xa4 ... 0xa7] = x86_op_string,
	[0xa8] = x86_op_test, [0xa9] = x86_op_test,
	[0xaa ... 0xaf] = x86_op_string,
	[0xb0 ... 0xbf] = x86_op_mov,
	[0xc0] = x86_op_shift, [0xc1] = x86_op_shift,
	[0xc2] = x86_op_ret, [0xc3] = x86_op_ret,
	[0xc4] = x86_op_lxs, [0xc5] = x86_op_lxs,
	[0xc6] = x86_op_mov, [0xc7] = x86_op_mov,
	[0xc8] = x86_op_enter, [0xc9] = x86_op_leave,
	[0xca] = x86_op_ret, [0xcb] = x86_op_ret,
	[0xcc ... 0xce] = x86_op_int, [0xcf] = x86_op_iret,
	[0xd0 ... 0xd3] = x86_op_shift,
	[0xd4] = x86_op_bcd, [0xd5] = x86_op_bcd, [0xd6] = x86_op_misc_flags,
	[0xd7] = x86_op_xlat,
	[0xd8 ... 0xdf] = x86_op_x87,
	[0xe0 ... 0xe3] = x86_op_loop,
	[0xe4 ... 0xe7] = x86_op_io,
	[0xe8] = x86_op_call,
	[0xe9 ... 0xeb] = x86_op_jmp,
	[0xec ... 0xef] = x86_op_io,
	[0xf1] = x86_op_int, [0xf4] = x86_op_hlt,
	[0xf5] = x86_op_misc_flags,
	[0xf6] = x86_op_grp3, [0xf7] = x86_op_grp3,
	[0xf8] = x86_op_misc_flags, [0xf9] = x86_op_misc_flags,
	[0xfa] = x86_op_cli_sti, [0xfb] = x86_op_cli_sti,
	[0xfc] = x86_op_misc_flags, [0xfd] = x86_op_misc_flags,
	[0xfe] = x86_op_grp5, [0xff] = x86_op_grp5,
};

static const x86_handler two_byte[256] = {
	[0x00] = x86_op_0f00, [0x01] = x86_op_0f01,
	[0x02] = x86_op_lar_lsl, [0x03] = x86_op_lar_lsl,
	[0x05] = x86_op_syscall, [0x06] = x86_op_clts, [0x07] = x86_op_sysret,
	[0x08] = x86_op_wbinvd, [0x09] = x86_op_wbinvd,
	[0x0b] = x86_op_ud, [0x0d] = x86_op_nop_modrm,
	[0x10 ... 0x17] = x86_op_sse,
	[0x18 ... 0x1f] = x86_op_nop_modrm,
	[0x20] = x86_op_mov_cr, [0x22] = x86_op_mov_cr,
	[0x21] = x86_op_mov_dr, [0x23] = x86_op_mov_dr,
	[0x28 ... 0x2f] = x86_op_sse,
	[0x30] = x86_op_msr, [0x31] = x86_op_rdtsc, [0x32] = x86_op_msr,
	[0x40 ... 0x4f] = x86_op_cmov,
	[0x50 ... 0x7f] = x86_op_sse,
	[0x80 ... 0x8f] = x86_op_jcc,
	[0x90 ... 0x9f] = x86_op_setcc,
	[0xa0] = x86_op_push_seg, [0xa8] = x86_op_push_seg,
	[0xa1] = x86_op_pop_seg, [0xa9] = x86_op_pop_seg,
	[0xa2] = x86_op_cpuid,
	[0xa3] = x86_op_bt, [0xab] = x86_op_bt, [0xb3] = x86_op_bt,
	[0xbb] = x86_op_bt, [0xba] = x86_op_bt,
	[0xa4] = x86_op_shxd, [0xa5] = x86_op_shxd,
	[0xac] = x86_op_shxd, [0xad] = x86_op_shxd,
	[0xae] = x86_op_grp15, [0xaf] = x86_op_imul,
	[0xb0] = x86_op_cmpxchg, [0xb1] = x86_op_cmpxchg,
	[0xb2] = x86_op_lxs, [0xb4] = x86_op_lxs, [0xb5] = x86_op_lxs,
	[0xb6] = x86_op_movx, [0xb7] = x86_op_movx,
	[0xbe] = x86_op_movx, [0xbf] = x86_op_movx,
	[0xb8] = x86_op_bitscan, [0xbc] = x86_op_bitscan, [0xbd] = x86_op_bitscan,
	[0xb9] = x86_op_ud,
	[0xc0] = x86_op_xadd, [0xc1] = x86_op_xadd,
	[0xc2 ... 0xc6] = x86_op_sse,
	[0xc7] = x86_op_grp9,
	[0xc8 ... 0xcf] = x86_op_bswap,
	[0xd0 ... 0xfe] = x86_op_sse,
	[0xff] = x86_op_ud,
};

/* UD2, UD1, UD0: the guest asks for #UD (Linux's BUG()); nothing to log. */
void x86_op_ud(struct x86_cpu *c, const struct x86_insn *i)
{
	x86_ud(c);
}

x86_handler x86_handler_of(const struct x86_insn *i)
{
	if (i->map == X86_MAP_ONE)
		return one_byte[i->op];
	if (i->map == X86_MAP_0F)
		return two_byte[i->op];
	return NULL;
}

void x86_exec(struct x86_cpu *c, const struct x86_insn *i)
{
	x86_handler h = x86_handler_of(i);

	if (!h)
		x86_unimplemented(c, i);
	x86_fast_of(i, h)(c, i);
}
