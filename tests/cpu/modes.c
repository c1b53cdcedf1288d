/* Mode switches (guest only): 64-bit code to compatibility mode and back,
 * a 16-bit code segment, and all the way down to real mode and back up to
 * long mode (modes_asm.S). The code in each mode leaves results that the
 * architecture fixes (DEC EAX where 64-bit mode has a REX prefix, operand
 * sizes, real-mode segment arithmetic and IVT delivery, CR0 and EFER.LMA
 * along the way); this file checks them.
 */
#include "runtime.h"

const char ct_name[] = "modes";

#define RM_OUT 0x5000

void modes_compat(void), modes_code16(void), modes_real(void);
extern const uint8_t tramp_start[], tramp_end[];
extern volatile uint32_t modes_out[16];

static uint16_t rm16(unsigned int off)
{
	return *(volatile uint16_t *)(uint64_t)(RM_OUT + off);
}

static uint32_t rm32(unsigned int off)
{
	return *(volatile uint32_t *)(uint64_t)(RM_OUT + off);
}

void ct_main(void)
{
	ct_memcpy((void *)(uint64_t)LOW_TRAMPOLINE, tramp_start,
		  (size_t)(tramp_end - tramp_start));
	ct_memset((void *)(uint64_t)RM_OUT, 0, 0x100);

	modes_compat();
	ct_out("compat.dec", modes_out[0]);
	ct_out("compat.pop", modes_out[1]);
	ct_out("compat.efer", modes_out[2]);
	ct_out("compat.cs", modes_out[3] & 0xffff);
	ct_check(modes_out[0] == 0xfffffffe, "compat: 0x48 is DEC EAX", modes_out[0], 0xfffffffe);
	ct_check(modes_out[1] == 0x12345678, "compat: 32-bit push/pop", modes_out[1], 0x12345678);
	ct_check(modes_out[2] & EFER_LMA, "compat: EFER.LMA still set", modes_out[2], EFER_LMA);
	ct_check((modes_out[3] & 0xffff) == SEL_CODE32, "compat: CS", modes_out[3] & 0xffff,
		 SEL_CODE32);

	modes_code16();
	ct_out("code16.ax", rm16(0x40));
	ct_out("code16.ebx", rm32(0x44));
	ct_out("code16.flags", rm16(0x48) & 0x8d5);
	ct_out("code16.add", rm16(0x4a));
	ct_check(rm16(0x40) == 0x1234 && rm32(0x44) == 0x89abcdef,
		 "16-bit code segment: 16- and 32-bit moves", rm32(0x44), 0x89abcdef);
	ct_check(rm16(0x4a) == 0x1233 && (rm16(0x48) & FL_CF),
		 "16-bit code segment: ADD AX, 0xffff carries", rm16(0x4a), 0x1233);

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	modes_real();
	__asm__ volatile("lidt %0" : : "m"(idtr));
	ct_out("pm32.cr0", modes_out[4]);
	ct_out("pm32back.cr0", modes_out[5]);
	ct_out("real.cr0", rm32(0x30) & 0xffffffffu);
	ct_out("real.es", rm16(0x10));
	ct_out("real.int40", rm16(0x20));
	ct_out("real.int40.sp", rm16(0x1e));
	ct_out("real.cs", rm16(0x22));
	ct_out("real.sp", rm16(0x24));
	ct_out("real.inc.flags", rm16(0x26) & 0x8d5);
	ct_out("real.inc", rm16(0x28));
	ct_out("real.shl32", rm32(0x2c));
	ct_check(!(modes_out[4] & CR0_PG) && (modes_out[4] & CR0_PE),
		 "32-bit protected mode: PE set, PG clear", modes_out[4], CR0_PE);
	ct_check(!(rm32(0x30) & CR0_PE), "real mode: CR0.PE clear", rm32(0x30), 0);
	ct_check(rm16(0x10) == 0x1234, "real mode: ES:0x10 is physical ES*16+0x10",
		 rm16(0x10), 0x1234);
	ct_check(rm16(0x20) == 0xbeef, "real mode: INT 0x40 through the IVT", rm16(0x20), 0xbeef);
	ct_check(rm16(0x1e) == LOW_STACK_TOP - 6, "real mode: INT pushed FLAGS, CS, IP",
		 rm16(0x1e), LOW_STACK_TOP - 6);
	ct_check(rm16(0x22) == LOW_TRAMPOLINE >> 4, "real mode: CS", rm16(0x22),
		 LOW_TRAMPOLINE >> 4);
	ct_check(rm16(0x24) == LOW_STACK_TOP, "real mode: SP after IRET", rm16(0x24),
		 LOW_STACK_TOP);
	ct_check(rm16(0x28) == 0x8000 && (rm16(0x26) & (FL_OF | FL_SF)) == (FL_OF | FL_SF),
		 "real mode: INC AX overflows", rm16(0x26), FL_OF | FL_SF);
	ct_check(rm32(0x2c) == 0x23456780, "real mode: 32-bit SHL with 0x66",
		 rm32(0x2c), 0x23456780);
	uint64_t efer = rdmsr(MSR_EFER);
	ct_out("long.efer", efer & (EFER_LME | EFER_LMA));
	ct_check((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
		 "back in long mode: EFER.LME and LMA", efer, EFER_LME | EFER_LMA);
}
