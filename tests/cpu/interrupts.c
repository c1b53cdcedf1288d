/* External interrupts (guest only).
 *
 * Needs an interrupt controller: the local APIC's timer (one-shot, xAPIC
 * registers at 0xfee00000), KVM's in-kernel one or, under --accel soft,
 * src/irq/lapic.c.
 *
 * Checks: an interrupt that becomes pending while IF=0 is held (IRR set,
 * no delivery); STI's shadow holds it for exactly one more instruction
 * (delivered before the second instruction after STI, with the first one
 * done); STI immediately followed by CLI never opens the window; with
 * IF=1 it wakes HLT; in the handler the ISR bit is set and EOI clears it.
 */
#include "runtime.h"

const char ct_name[] = "interrupts";

#define LAPIC 0xfee00000ull
#define APIC_ID 0x20
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0
#define VECTOR 0x40

static uint32_t apic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(LAPIC + reg);
}

static void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(LAPIC + reg) = v;
}

static bool vector_bit(uint32_t base, unsigned int v)
{
	return apic_read(base + 0x10 * (v / 32)) >> (v % 32) & 1;
}

static volatile int hits;
static volatile uint64_t hit_rip;
static volatile uint32_t hit_isr;
volatile uint32_t marker1, marker2, hit_marker1, hit_marker2;

static void timer_handler(struct ct_frame *f)
{
	hits++;
	hit_rip = f->rip;
	hit_isr = vector_bit(APIC_ISR, VECTOR);
	hit_marker1 = marker1;
	hit_marker2 = marker2;
	apic_write(APIC_EOI, 0);
}

/* Arm the one-shot timer and wait, with IF=0, until it has expired. */
static void fire_pending(void)
{
	apic_write(APIC_TIMER_INIT, 2000);
	for (int i = 0; i < 10000000 && apic_read(APIC_TIMER_CUR) != 0; i++)
		__asm__ volatile("pause");
	for (int i = 0; i < 100000 && !vector_bit(APIC_IRR, VECTOR); i++)
		__asm__ volatile("pause");
}

extern const uint8_t irq_after_shadow[], irq_after_hlt[];

void ct_main(void)
{
	ct_set_handler(VECTOR, timer_handler);
	apic_write(APIC_SVR, 0x100 | 0xff); /* enabled, spurious vector 0xff */
	apic_write(APIC_TPR, 0);
	apic_write(APIC_TIMER_DIV, 0xb);    /* divide by 1 */
	apic_write(APIC_LVT_TIMER, VECTOR); /* one-shot, unmasked */
	ct_out("apic.version", apic_read(0x30) & 0xff);

	/* Held while IF=0. */
	hits = 0;
	fire_pending();
	bool pending = vector_bit(APIC_IRR, VECTOR);
	ct_out("held.irr", pending);
	ct_out("held.hits", (uint64_t)hits);
	ct_check(pending, "IF=0: the expired timer's vector is pending in IRR", pending, 1);
	ct_check(hits == 0, "IF=0: not delivered", (uint64_t)hits, 0);

	/* STI; CLI: the shadow covers the CLI, so it is never delivered. */
	__asm__ volatile("sti; cli" ::: "memory");
	ct_out("sti_cli.hits", (uint64_t)hits);
	ct_check(hits == 0, "STI;CLI: no interrupt window", (uint64_t)hits, 0);

	/* STI; insn1; insn2: delivered after insn1, before insn2. */
	marker1 = marker2 = 0;
	__asm__ volatile("sti\n"
			 "movl $1, marker1(%%rip)\n"
			 ".globl irq_after_shadow\n"
			 "irq_after_shadow:\n"
			 "movl $1, marker2(%%rip)\n"
			 "cli" ::: "memory");
	ct_out("shadow.hits", (uint64_t)hits);
	ct_out("shadow.rip", hit_rip - (uint64_t)irq_after_shadow);
	ct_out("shadow.markers", hit_marker1 << 4 | hit_marker2);
	ct_out("shadow.isr", hit_isr);
	ct_check(hits == 1, "STI shadow: delivered once", (uint64_t)hits, 1);
	ct_check(hit_rip == (uint64_t)irq_after_shadow,
		 "STI shadow: delivered after exactly one instruction", hit_rip,
		 (uint64_t)irq_after_shadow);
	ct_check(hit_marker1 == 1 && hit_marker2 == 0,
		 "STI shadow: the first instruction ran, the second not yet",
		 hit_marker1 << 4 | hit_marker2, 0x10);
	ct_check(hit_isr == 1, "in the handler: ISR bit set", hit_isr, 1);
	bool isr_after = vector_bit(APIC_ISR, VECTOR);
	ct_check(!isr_after, "after EOI: ISR bit clear", isr_after, 0);

	/* IF=1: the interrupt wakes HLT. */
	apic_write(APIC_TIMER_INIT, 5000);
	__asm__ volatile("sti\n"
			 "hlt\n"
			 ".globl irq_after_hlt\n"
			 "irq_after_hlt:\n"
			 "cli" ::: "memory");
	ct_out("hlt.hits", (uint64_t)hits);
	ct_out("hlt.rip", hit_rip - (uint64_t)irq_after_hlt);
	ct_check(hits == 2, "IF=1: the timer interrupt woke HLT", (uint64_t)hits, 2);
	ct_check(hit_rip == (uint64_t)irq_after_hlt, "HLT: the frame's RIP is after HLT",
		 hit_rip, (uint64_t)irq_after_hlt);

	apic_write(APIC_LVT_TIMER, 1u << 16); /* masked */
	ct_set_handler(VECTOR, 0);
}
