/* The test guests' runtime: console on the 16550 UART at 0x3f8 (polled),
 * power-off, the IDT and TSS, exception dispatch and the command line.
 * Entered from boot.S in long mode with the identity map loaded.
 */
#include "runtime.h"

#define UART 0x3f8
#define UART_FCR 2
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define UART_FIFO 16 /* a 16550A's transmit FIFO, once FCR enables it */

/* Kiln: the FADT's SLEEP_CONTROL_REG (port 0x600) takes
 * SLP_TYP << 2 | SLP_EN with the DSDT's \_S5 type 5 (src/devices/power.h).
 * QEMU (bench/cpu runs these guests there too): its isa-debug-exit
 * device at 0xf4, when present. */
#define ACPI_SLEEP_PORT 0x600
#define ACPI_S5_VALUE ((5 << 2) | (1 << 5))
#define QEMU_DEBUG_EXIT 0xf4

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, reserved;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
static ct_handler_fn *handlers[256];
struct tss64 ct_tss __attribute__((aligned(16)));
static uint8_t ist_stacks[7][IST_SIZE] __attribute__((aligned(16)));
static uint8_t rsp0_stack[STACK_SIZE] __attribute__((aligned(16)));
extern const uint8_t isr_entries[];
extern uint64_t ct_try_rsp;
uint64_t ct_fault_error, ct_fault_cr2;
const char *ct_cmdline = "";
struct ct_frame ct_user_frame;
uint8_t ct_user_stack[CT_USER_STACK_SIZE] __attribute__((aligned(16)));

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void guest_main(uint32_t start_info);
void ct_exception(struct ct_frame *f);

/* gcc may emit calls to these for structure copies and clears. */
void *memset(void *d, int c, size_t n)
{
	return ct_memset(d, c, n);
}

void *memcpy(void *d, const void *s, size_t n)
{
	return ct_memcpy(d, s, n);
}

/* Polled output: THRE set means the transmit FIFO is empty, so 16 bytes
 * fit, written with one REP OUTSB. Every port access is a VM exit under
 * KVM (KVM hands a REP OUTSB to the VMM as one exit), and exits are what
 * makes a test slow in the emulated host: two per 16 bytes, not one per
 * byte and poll. */
void ct_write(const char *s, size_t n)
{
	static bool fifo_on;
	if (!fifo_on) {
		outb(UART + UART_FCR, 0x07); /* enable, clear both FIFOs */
		fifo_on = true;
	}
	while (n) {
		while (!(inb(UART + UART_LSR) & UART_LSR_THRE))
			;
		size_t k = n < UART_FIFO ? n : UART_FIFO;
		n -= k;
		__asm__ volatile("rep outsb" : "+S"(s), "+c"(k) : "d"(UART) : "memory");
	}
}

void ct_poweroff(void)
{
	outb(ACPI_SLEEP_PORT, ACPI_S5_VALUE);
	outb(QEMU_DEBUG_EXIT, 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void ct_set_gate(unsigned int v, unsigned int dpl, unsigned int ist, bool trap)
{
	uint64_t a = (uint64_t)(isr_entries + 16 * v);
	idt[v] = (struct idt_gate){
		.off0 = (uint16_t)a,
		.sel = SEL_CODE64,
		.ist = (uint8_t)ist,
		.type = (uint8_t)(0x80 | dpl << 5 | (trap ? 0xf : 0xe)),
		.off1 = (uint16_t)(a >> 16),
		.off2 = (uint32_t)(a >> 32),
	};
}

void ct_set_handler(unsigned int vector, ct_handler_fn *fn)
{
	handlers[vector & 255] = fn;
}

static void setup_cpu_tables(void)
{
	for (unsigned int v = 0; v < 256; v++)
		ct_set_gate(v, 0, 0, false);
	ct_set_gate(CT_USER_EXIT_VECTOR, 3, 0, false);
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));

	ct_tss.rsp[0] = (uint64_t)(rsp0_stack + sizeof(rsp0_stack));
	for (int i = 0; i < 7; i++)
		ct_tss.ist[i] = (uint64_t)(ist_stacks[i] + IST_SIZE);
	ct_tss.iomap_base = sizeof(ct_tss);
	uint64_t b = (uint64_t)&ct_tss, lim = sizeof(ct_tss) - 1;
	gdt[SEL_TSS / 8] = (lim & 0xffff) | (b & 0xffffff) << 16 |
			   0x89ull << 40 /* P, available 64-bit TSS */ |
			   ((lim >> 16) & 0xf) << 48 | ((b >> 24) & 0xff) << 56;
	gdt[SEL_TSS / 8 + 1] = b >> 32;
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}

static const char *vector_name(uint64_t v)
{
	static const char *const names[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
		"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "?15",
		"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
	};
	return v < 32 && names[v] ? names[v] : "interrupt";
}

void ct_exception(struct ct_frame *f)
{
	ct_handler_fn *h = handlers[f->vector & 255];
	if (f->vector == CT_USER_EXIT_VECTOR && (f->cs & 3) == 3) {
		ct_user_frame = *f;
		ct_user_return(f->rax);
	}
	if (h) {
		h(f);
		return;
	}
	if (ct_try_rsp && f->vector < 32) {
		ct_fault_error = f->error;
		ct_fault_cr2 = f->vector == 14 ? read_cr2() : 0;
		ct_try_unwind((int)f->vector);
	}
	ct_fail("unexpected %s (vector %lu) error 0x%lx at rip 0x%lx cs 0x%lx rsp 0x%lx cr2 0x%lx",
		vector_name(f->vector), f->vector, f->error, f->rip, f->cs,
		f->rsp, read_cr2());
	ct_finish();
	ct_poweroff();
}

/* ---- command line ---- */

const char *ct_cmdline_value(const char *name, size_t *len)
{
	size_t n = ct_strlen(name);
	const char *p = ct_cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		if (ct_strncmp(p, name, n) == 0 && p[n] == '=') {
			const char *v = p + n + 1, *e = v;
			while (*e && *e != ' ')
				e++;
			*len = (size_t)(e - v);
			return v;
		}
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

uint64_t ct_cmdline_u64(const char *name, uint64_t dflt)
{
	size_t len;
	const char *v = ct_cmdline_value(name, &len);
	if (!v || !len)
		return dflt;
	uint64_t x = 0;
	for (size_t i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
		x = x * 10 + (uint64_t)(v[i] - '0');
	return x;
}

static char verbose_buf[64];

void guest_main(uint32_t start_info)
{
	/* struct hvm_start_info: magic at 0, cmdline_paddr at 24. */
	const volatile uint32_t *si = (const volatile uint32_t *)(uint64_t)start_info;
	if (start_info && si[0] == 0x336ec578u && si[6])
		ct_cmdline = (const char *)(uint64_t)si[6];

	setup_cpu_tables();
	/* Mask the legacy PIC: firmware (QEMU's SeaBIOS) may have left the
	 * PIT ticking on IRQ 0 at vector 8, which would look like a #DF
	 * the moment a test sets IF. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	size_t len;
	const char *v = ct_cmdline_value("verbose", &len);
	if (v && len < sizeof(verbose_buf)) {
		ct_memcpy(verbose_buf, v, len);
		verbose_buf[len] = 0;
		ct_set_verbose(verbose_buf);
	}
	ct_set_quick(ct_cmdline_u64("quick", 0) != 0);
	ct_main();
	ct_finish();
	ct_poweroff();
}
