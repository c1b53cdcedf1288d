/* What the guest-only test classes (modes, paging, exceptions,
 * interrupts) use of the guest runtime: the exception frame, handlers,
 * descriptors, port I/O and control registers.
 */
#ifndef KILN_TESTS_CPU_GUEST_RUNTIME_H
#define KILN_TESTS_CPU_GUEST_RUNTIME_H

#include "cpu_test.h"
#include "desc.h"

/* What isr_common (boot.S) pushed, lowest address first. */
struct ct_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* A handler returns to the interrupted code (iretq with the frame as it
 * leaves it). Vectors without a handler: inside ct_try they unwind it,
 * elsewhere they end the test with a failure. */
typedef void ct_handler_fn(struct ct_frame *f);
void ct_set_handler(unsigned int vector, ct_handler_fn *fn);
/* Gate attributes: DPL (0 or 3), IST slot (0 = none), trap gate (IF
 * left as it was) or interrupt gate. */
void ct_set_gate(unsigned int vector, unsigned int dpl, unsigned int ist,
		 bool trap);

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
extern struct tss64 ct_tss;
extern uint64_t gdt[];
extern uint64_t pml4[], pdpt_low[], pd_low[];
extern uint32_t pvh_start_info;
extern const char *ct_cmdline;

/* The command line's value for "name=" (up to a space), or NULL. */
const char *ct_cmdline_value(const char *name, size_t *len);
uint64_t ct_cmdline_u64(const char *name, uint64_t dflt);

void ct_poweroff(void) __attribute__((noreturn));

/* CPL3 (guest/user.S): run fn in 64-bit user mode on user_rsp until it
 * executes `int $0x80`; returns its rax, and ct_user_frame holds the
 * frame that int pushed (cs, ss, rsp, rflags as user mode left them). */
#define CT_USER_EXIT_VECTOR 0x80
uint64_t ct_user_run(void (*fn)(void), uint64_t user_rsp);
void ct_user_return(uint64_t rax) __attribute__((noreturn));
extern struct ct_frame ct_user_frame;
extern uint8_t ct_user_stack[];
#define CT_USER_STACK_SIZE 0x4000
void ct_try_unwind(int vector) __attribute__((noreturn));

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

#define CR_ACCESSORS(n)                                                   \
	static inline uint64_t read_cr##n(void)                           \
	{                                                                 \
		uint64_t v;                                               \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));         \
		return v;                                                 \
	}                                                                 \
	static inline void write_cr##n(uint64_t v)                        \
	{                                                                 \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
CR_ACCESSORS(0)
CR_ACCESSORS(2)
CR_ACCESSORS(3)
CR_ACCESSORS(4)

static inline void invlpg(const volatile void *p)
{
	__asm__ volatile("invlpg (%0)" : : "r"(p) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

#endif
