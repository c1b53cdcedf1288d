/* The software CPU on the soft MMU, through a test adapter of the few
 * lines the accel glue will have (struct x86_mem_ops over soft_mmu_*):
 * long-mode code at a virtual address, #PF with CR2 and error codes from
 * real page tables, accessed/dirty bits, NX, user/supervisor, INVLPG and
 * CR3 reloads, MMIO through the MMU, self-modifying code through the
 * MMU's code watch, and data through TLB host pointers.
 */
#include "soft_mmu_fx.h"
#include "accel/soft/cpu_internal.h"
#include "accel/soft/icache.h"

/* ---- the adapter ---- */

struct cm {
	struct fx *x;
	struct x86_cpu cpu;
	struct x86_icache *ic;
	unsigned code_reports;
};

static struct soft_mmu_regs regs_of(const struct x86_cpu *c)
{
	return (struct soft_mmu_regs){ c->cr0, c->cr3, c->cr4, c->efer };
}

static void fault_of(const struct soft_fault *sf, struct x86_fault *f)
{
	f->vector = sf->vector;
	f->error_code = sf->error_code;
	f->cr2 = sf->addr;
}

static enum soft_access access_of(enum x86_access a)
{
	return a == X86_ACC_FETCH ? SOFT_FETCH : a == X86_ACC_RMW ? SOFT_WRITE : SOFT_READ;
}

static int cm_read(void *o, uint64_t la, void *buf, unsigned len, enum x86_access acc,
		   bool user, struct x86_fault *f)
{
	struct cm *m = o;
	struct soft_mmu_regs r = regs_of(&m->cpu);
	struct soft_fault sf;

	if (soft_mmu_read(&m->x->m, &r, la, buf, len, access_of(acc), user, &sf)) {
		fault_of(&sf, f);
		return -1;
	}
	return 0;
}

static int cm_write(void *o, uint64_t la, const void *buf, unsigned len,
		    enum x86_access acc, bool user, struct x86_fault *f)
{
	struct cm *m = o;
	struct soft_mmu_regs r = regs_of(&m->cpu);
	struct soft_fault sf;

	if (soft_mmu_write(&m->x->m, &r, la, buf, len, user, &sf)) {
		fault_of(&sf, f);
		return -1;
	}
	return 0;
}

static void cm_invlpg(void *o, uint64_t la)
{
	soft_mmu_invlpg(&((struct cm *)o)->x->m, la);
}

static void cm_flush(void *o, bool global)
{
	soft_mmu_flush(&((struct cm *)o)->x->m, global);
}

static void cm_pio(void *o, uint16_t port, void *buf, unsigned size, bool write)
{
	if (!write)
		memset(buf, 0xff, size);
}

static int cm_fetch_phys(void *o, uint64_t la, bool user, uint64_t *phys,
			 struct x86_fault *f)
{
	struct cm *m = o;
	struct soft_mmu_regs r = regs_of(&m->cpu);
	struct soft_fault sf;

	if (soft_mmu_translate(&m->x->m, &r, la, SOFT_FETCH, user, phys, &sf)) {
		fault_of(&sf, f);
		return -1;
	}
	return 0;
}

static void cm_watch(void *o, uint64_t page)
{
	soft_mmu_watch_code(&((struct cm *)o)->x->m, page);
}

/* What the TLB already lets through directly; writes not while dirty
 * logging wants to see each one. */
static void *cm_page_ptr(void *o, uint64_t la, bool write, bool user)
{
	struct cm *m = o;

	if (write && m->x->m.dirty_log)
		return NULL;
	return soft_tlb_host(&m->x->m, la & ~0xfffull, 4096, write ? SOFT_WRITE : SOFT_READ, user);
}

static const struct x86_mem_ops cm_ops = {
	.read = cm_read, .write = cm_write, .invlpg = cm_invlpg, .flush_tlb = cm_flush,
	.pio = cm_pio, .fetch_phys = cm_fetch_phys, .watch_code = cm_watch,
	.page_ptr = cm_page_ptr,
};

static struct cm *the_cm;

static void cm_code_written(void *opaque, uint64_t page)
{
	the_cm->code_reports++;
	x86_cpu_code_written(&the_cm->cpu, page);
}

/* ---- guest ---- */

#define KCODE 0xffffffff81000000ull  /* kernel text, mapped at KCODE_PA */
#define KCODE_PA 0x200000ull
#define KDATA 0xffff888000000000ull  /* a direct map of low RAM */
#define KSTACK_TOP (KDATA + 0x80000)
#define USER 0x400000ull              /* user page, mapped U, at USER_PA */
#define USER_PA 0x300000ull
#define GDT_PA 0x1000ull
#define IDT_PA 0x2000ull

__asm__(
	".pushsection .rodata\n"
	".code64\n"
	".globl cmk\n"
	"cmk:\n"
	/* A store into the direct map, then a loop that patches itself. */
	"	movabsq $0xffff888000050000, %rbx\n"
	"	movq $0x1234, (%rbx)\n"
	"	xorl %ecx, %ecx\n"
	"	xorl %edx, %edx\n"
	"cmk_loop:\n"
	"	movb %cl, (cmk_patch + 1)(%rip)\n"
	"cmk_patch:\n"
	"	movl $0x77, %eax\n"
	"	addl %eax, %edx\n"
	"	incl %ecx\n"
	"	cmpl $4, %ecx\n"
	"	jne cmk_loop\n"
	/* A read from an unmapped page: #PF. */
	".globl cmk_fault\n"
	"cmk_fault:\n"
	"	movq 0xffff888010000000, %rax\n"
	".globl cmk_pf\n"
	"cmk_pf:\n"
	"	movq %cr2, %r12\n"
	"	popq %r13\n"
	"	hlt\n"
	".globl cmk_end\n"
	"cmk_end:\n"
	".popsection\n");
extern const uint8_t cmk[], cmk_end[], cmk_fault[], cmk_pf[];
#define K(label) (KCODE + (uint64_t)((label) - cmk))

static int setup(void **state)
{
	fx_setup(state);
	struct fx *x = *state;
	struct cm *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	m->x = x;
	the_cm = m;
	x->ops.code_written = cm_code_written;
	x->ops.ram_written = NULL;   /* no dirty logging in these tests */
	x->m.dirty_log = false;
	m->ic = x86_icache_new();
	assert_non_null(m->ic);

	/* Page tables: kernel text (writable here: the code patches itself),
	 * the direct map of the first 4 MiB (NX), a user page. */
	fx_map(x, KCODE, KCODE_PA, 4 * KiB, P_ | RW_);
	for (uint64_t off = 0; off < 4 * MiB; off += 2 * MiB)
		fx_map(x, KDATA + off, off, 2 * MiB, P_ | RW_ | NX_);
	fx_map(x, USER, USER_PA, 4 * KiB, P_ | RW_ | US_);
	memcpy(x->ram + KCODE_PA, cmk, (size_t)(cmk_end - cmk));

	struct x86_cpu *c = &m->cpu;
	x86_cpu_set_platform(c, &cm_ops, m, NULL, NULL);
	x86_cpu_reset(c);
	c->icache = m->ic;
	c->cr0 = x->r.cr0 | X86_CR0_ET | X86_CR0_NE;
	c->cr3 = x->r.cr3;
	c->cr4 = x->r.cr4 | X86_CR4_OSFXSR;
	c->efer = x->r.efer | X86_EFER_SCE;
	/* GDT and IDT in the direct map; #PF handler on vector 14. */
	uint64_t code = 0x00af9b000000ffffull, data = 0x00cf93000000ffffull;
	fx_wr(x, GDT_PA + 8, code, 8);
	fx_wr(x, GDT_PA + 16, data, 8);
	c->gdtr = (struct x86_dtr){ KDATA + GDT_PA, 0x17 };
	c->idtr = (struct x86_dtr){ KDATA + IDT_PA, 0xfff };
	uint64_t h = K(cmk_pf);
	fx_wr(x, IDT_PA + 16 * 14, (h & 0xffff) | (8ull << 16) | (0x8eull << 40) |
				   (((h >> 16) & 0xffff) << 48), 8);
	fx_wr(x, IDT_PA + 16 * 14 + 8, h >> 32, 8);
	x86_desc_to_seg(code, 8, &c->seg[X86_CS]);
	x86_desc_to_seg(data, 16, &c->seg[X86_SS]);
	c->seg[X86_DS] = c->seg[X86_ES] = c->seg[X86_SS];
	c->gpr[X86_RSP] = KSTACK_TOP;
	c->rip = KCODE;
	x86_cpu_update_mode(c);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	struct cm *m = *state;
	void *x = m->x;
	x86_icache_free(m->ic);
	free(m);
	return fx_teardown(&x);
}

static void test_kernel_code_on_real_page_tables(void **state)
{
	struct cm *m = *state;
	struct x86_cpu *c = &m->cpu;
	struct fx *x = m->x;

	assert_int_equal(x86_cpu_run(c, 1000), X86_EXIT_HLT);
	/* The store went through the direct map to physical 0x50000. */
	assert_int_equal(fx_rd(x, 0x50000, 8), 0x1234);
	/* The patched loop saw every new immediate: 0 + 1 + 2 + 3, and each
	 * patch came back from the MMU's watch as a code write. */
	assert_int_equal(c->gpr[X86_RDX], 6);
	assert_true(m->code_reports >= 3);
	assert_true(m->ic->invalidated > 0);
	/* The read of an unmapped page: #PF, not present, supervisor read. */
	assert_true(c->gpr[X86_R12] == 0xffff888010000000ull);
	assert_true(c->cr2 == 0xffff888010000000ull);
	assert_int_equal(c->gpr[X86_R13], 0);
	/* Accessed and dirty bits: the direct-map page was written. */
	uint64_t pde = fx_get(x, KDATA, 2);
	assert_true(pde & A_);
	assert_true(pde & D_);
	assert_true(fx_get(x, KCODE, 1) & A_);
}

static void test_nx_and_user_pages(void **state)
{
	struct cm *m = *state;
	struct x86_cpu *c = &m->cpu;

	/* Executing from the NX direct map: #PF with I/D set. */
	c->rip = KDATA + 0x50000;
	c->gpr[X86_RSP] = KSTACK_TOP;
	assert_int_equal(x86_cpu_run(c, 10), X86_EXIT_HLT);
	assert_true(c->cr2 == KDATA + 0x50000);
	assert_int_equal(c->gpr[X86_R13], SOFT_PF_P | SOFT_PF_I);
	/* INVLPG and CR3 reloads reach the MMU: after unmapping the user
	 * page and INVLPG, a kernel read of it faults. */
	struct x86_fault f;
	uint64_t word;
	assert_int_equal(cm_read(m, USER, &word, 8, X86_ACC_DATA, false, &f), 0);
	fx_set(m->x, USER, 1, 0);
	x86_set_cr(c, 3, c->cr3);          /* non-global flush, as MOV CR3 */
	assert_int_equal(cm_read(m, USER, &word, 8, X86_ACC_DATA, false, &f), -1);
	assert_int_equal(f.vector, X86_EXC_PF);
}

static void test_mmio_through_the_mmu(void **state)
{
	struct cm *m = *state;
	struct x86_cpu *c = &m->cpu;
	struct fx *x = m->x;

	/* Map the MMIO window and have the CPU store to it. */
	fx_map(x, KDATA + 0x40000000, FX_MMIO_BASE, 4 * KiB, P_ | RW_ | NX_);
	fx_clear_logs(x);
	c->gpr[X86_RAX] = 0x11223344;
	x86_write(c, X86_DS, KDATA + 0x40000000 + 8, 4, 0x11223344);
	assert_int_equal(x->nmmio, 1);
	assert_true(x->mmio[0].write);
	assert_int_equal(x->mmio[0].gpa, FX_MMIO_BASE + 8);
	assert_int_equal(x->mmio[0].len, 4);
	/* No page pointer is handed out for MMIO. */
	assert_null(cm_page_ptr(m, KDATA + 0x40000000, true, false));
	assert_int_equal(x86_read(c, X86_DS, KDATA + 0x40000000 + 8, 4), 0x11223344);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kernel_code_on_real_page_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nx_and_user_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_through_the_mmu, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
