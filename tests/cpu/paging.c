/* Paging and page faults (guest only).
 *
 * Own 4-level tables mapping test pages above 512 GiB (PML4 slot 1) next
 * to the boot identity map, and the architecture's fixed answers: #PF
 * error codes and CR2 for a not-present page, a write to a read-only page
 * with CR0.WP set (and no fault with it clear), user access to a
 * supervisor page, an instruction fetch from an NX page, a reserved bit;
 * 2 MiB and 1 GiB pages mapping the right bytes (or, without 1 GiB page
 * support, a reserved-bit fault); accessed and dirty bits at every level;
 * INVLPG and a CR3 load dropping a stale translation; and REP MOVSB
 * stopping at a not-present page with its registers telling how far it got.
 */
#include "runtime.h"

const char ct_name[] = "paging";

#define TV 0x0000008000000000ull       /* PML4 slot 1: 512 GiB */
#define PAGE(i) (TV + (uint64_t)(i) * 4096)
#define TV_2M (TV + 0x200000ull)        /* pd_t[1] */
#define TV_1G (TV + 0x40000000ull)      /* pdpt_t[1] */
#define NX (1ull << 63)
#define ERR_P 1
#define ERR_W 2
#define ERR_U 4
#define ERR_RSVD 8
#define ERR_I 0x10

/* volatile: the CPU writes A and D bits behind the compiler's back. */
static volatile uint64_t tables[4][512] __attribute__((aligned(4096)));
static uint8_t pages[8][4096] __attribute__((aligned(4096)));
#define pml4_t tables[0]
#define pdpt_t tables[1]
#define pd_t tables[2]
#define pt_t tables[3]

uint64_t user_target;
void user_read(void), user_write(void);
__asm__(".text\n"
	"user_read:\n"
	"	movq user_target(%rip), %rax\n"
	"	movq (%rax), %rax\n"
	"	int $0x80\n"
	"user_write:\n"
	"	movq user_target(%rip), %rax\n"
	"	movq %rax, (%rax)\n"
	"	int $0x80\n");

static uint64_t pa(const volatile void *p)
{
	return (uint64_t)p; /* identity-mapped image */
}

static void build(void)
{
	const uint64_t dir = PTE_P | PTE_W | PTE_U;
	pml4_t[0] = pml4[0];
	pml4_t[1] = pa(pdpt_t) | dir;
	pdpt_t[0] = pa(pd_t) | dir;
	pd_t[0] = pa(pt_t) | dir;
	pt_t[0] = 0;                                        /* not present */
	pt_t[1] = pa(pages[1]) | PTE_P | PTE_U;             /* read-only */
	pt_t[2] = pa(pages[2]) | PTE_P | PTE_W;             /* supervisor */
	pt_t[3] = pa(pages[3]) | PTE_P | PTE_W | NX;        /* no execute */
	pt_t[4] = pa(pages[4]) | PTE_P | PTE_W | (1ull << 51); /* reserved bit */
	pt_t[5] = pa(pages[5]) | PTE_P | PTE_W | PTE_U;     /* A/D */
	pt_t[6] = pa(pages[6]) | PTE_P | PTE_W | PTE_U;     /* remapped */
	pt_t[7] = pa(pages[0]) | PTE_P | PTE_W | PTE_U;     /* string, then ... */
	pt_t[8] = 0;                                        /* ... not present */
	pd_t[1] = 0x200000ull | PTE_P | PTE_W | PTE_U | PTE_PS; /* 2 MiB */
	pdpt_t[1] = 0 | PTE_P | PTE_W | PTE_U | PTE_PS;     /* 1 GiB */
	ct_memset(pages[3], 0xc3, 4096);                    /* ret */
}

static void do_read(void *p)
{
	(void)*(volatile uint64_t *)p;
	__asm__ volatile("" : : : "memory");
}

static void do_write(void *p)
{
	*(volatile uint64_t *)p = 0x5741524954453131ull;
	__asm__ volatile("" : : : "memory");
}

static void do_call(void *p)
{
	((void (*)(void))p)();
}

static void user_access(void *fn)
{
	ct_user_run((void (*)(void))fn, (uint64_t)(ct_user_stack + CT_USER_STACK_SIZE));
}

/* One access that must fault: vector 14, this error code, CR2 = addr. */
static void expect_pf(const char *key, void (*fn)(void *), void *arg,
		      uint64_t addr, uint64_t error)
{
	int v = ct_try(fn, arg);
	ct_out(key, (uint64_t)(int64_t)v);
	ct_out2(key, "error", ct_fault_error);
	ct_out2(key, "cr2", ct_fault_cr2 - TV);
	if (v != 14 || ct_fault_error != error || ct_fault_cr2 != addr)
		ct_fail("%s: vector %d error 0x%lx cr2 0x%lx, want 14 error 0x%lx cr2 0x%lx",
			key, v, ct_fault_error, ct_fault_cr2, error, addr);
}

static void expect_ok(const char *key, void (*fn)(void *), void *arg)
{
	int v = ct_try(fn, arg);
	ct_out(key, (uint64_t)(int64_t)v);
	if (v >= 0)
		ct_fail("%s: unexpected vector %d (error 0x%lx, cr2 0x%lx)", key, v,
			ct_fault_error, ct_fault_cr2);
}

static void faults(void)
{
	expect_pf("notpresent.read", do_read, (void *)PAGE(0), PAGE(0), 0);
	expect_pf("notpresent.write", do_write, (void *)(PAGE(0) + 8), PAGE(0) + 8, ERR_W);

	/* CR0.WP: a supervisor write to a read-only page faults only with it set. */
	expect_pf("readonly.write.wp", do_write, (void *)PAGE(1), PAGE(1), ERR_P | ERR_W);
	write_cr0(read_cr0() & ~(uint64_t)CR0_WP);
	expect_ok("readonly.write.nowp", do_write, (void *)PAGE(1));
	write_cr0(read_cr0() | CR0_WP);
	ct_check(pages[1][0] == 0x31, "write with CR0.WP clear reached the page",
		 pages[1][0], 0x31);

	/* CPL 3: supervisor page, read-only page. */
	user_target = PAGE(2);
	expect_pf("user.supervisor.read", user_access, (void *)user_read, PAGE(2),
		  ERR_P | ERR_U);
	expect_pf("user.supervisor.write", user_access, (void *)user_write, PAGE(2),
		  ERR_P | ERR_W | ERR_U);
	user_target = PAGE(1);
	expect_pf("user.readonly.write", user_access, (void *)user_write, PAGE(1),
		  ERR_P | ERR_W | ERR_U);
	expect_ok("user.readonly.read", user_access, (void *)user_read);

	/* NX: an instruction fetch (EFER.NXE is set at boot). */
	expect_pf("nx.fetch", do_call, (void *)PAGE(3), PAGE(3), ERR_P | ERR_I);
	expect_ok("nx.read", do_read, (void *)PAGE(3));

	/* A reserved bit: bit 51 is reserved below a 52-bit MAXPHYADDR. */
	uint32_t r[4];
	cpuid(0x80000008, 0, r);
	ct_out("maxphyaddr", r[0] & 0xff);
	if ((r[0] & 0xff) < 52) {
		expect_pf("reserved.read", do_read, (void *)PAGE(4), PAGE(4), ERR_P | ERR_RSVD);
		expect_pf("reserved.write", do_write, (void *)PAGE(4), PAGE(4),
			  ERR_P | ERR_W | ERR_RSVD);
	}
}

static void large_pages(void)
{
	/* 2 MiB: TV_2M + off is physical 0x200000 + off. */
	volatile uint64_t *alias = (volatile uint64_t *)(TV_2M + 0x1238);
	volatile uint64_t *ident = (volatile uint64_t *)(0x200000ull + 0x1238);
	uint64_t was = *ident;
	*alias = 0x324d2d70616765ull;
	ct_check(*ident == 0x324d2d70616765ull, "2 MiB page: write through the alias",
		 *ident, 0x324d2d70616765ull);
	*ident = was;
	ct_check(*alias == was, "2 MiB page: read through the alias", *alias, was);

	/* 1 GiB: TV_1G + off is physical off, if the CPU has 1 GiB pages;
	 * otherwise PS in a PDPTE is a reserved bit. */
	uint32_t r[4];
	cpuid(0x80000001, 0, r);
	bool gb = r[3] & (1u << 26);
	ct_out("1g.supported", gb);
	if (gb) {
		const uint64_t offs[3] = { 0x100000, 0x123458, 0x1000000 };
		for (int i = 0; i < 3; i++) {
			uint64_t a = *(volatile uint64_t *)(TV_1G + offs[i]);
			uint64_t b = *(volatile uint64_t *)offs[i];
			ct_check(a == b, "1 GiB page maps the right bytes", a, b);
		}
		ct_out("1g.read", 0);
	} else {
		expect_pf("1g.read", do_read, (void *)(TV_1G + 0x100000),
			  TV_1G + 0x100000, ERR_P | ERR_RSVD);
	}
}

static void accessed_dirty(void)
{
	const uint64_t ad = PTE_A | PTE_D;
	pml4_t[1] &= ~ad;
	pdpt_t[0] &= ~ad;
	pd_t[0] &= ~ad;
	pt_t[5] &= ~ad;
	write_cr3(read_cr3());
	do_read((void *)PAGE(5));
	ct_out("ad.read.pte", pt_t[5] & ad);
	ct_check((pt_t[5] & ad) == PTE_A, "read sets A, not D, in the PTE", pt_t[5] & ad, PTE_A);
	ct_check((pml4_t[1] & PTE_A) && (pdpt_t[0] & PTE_A) && (pd_t[0] & PTE_A),
		 "read sets A in PML4E, PDPTE and PDE",
		 (pml4_t[1] & PTE_A) | (pdpt_t[0] & PTE_A) << 1 | (pd_t[0] & PTE_A) << 2,
		 PTE_A | PTE_A << 1 | PTE_A << 2);
	do_write((void *)PAGE(5));
	ct_out("ad.write.pte", pt_t[5] & ad);
	ct_check((pt_t[5] & ad) == ad, "write sets D in the PTE", pt_t[5] & ad, ad);

	pd_t[1] &= ~ad;
	invlpg((void *)TV_2M);
	do_read((void *)(TV_2M + 64));
	ct_out("ad.read.2m", pd_t[1] & ad);
	ct_check((pd_t[1] & ad) == PTE_A, "read sets A in a 2 MiB PDE", pd_t[1] & ad, PTE_A);
	do_write((void *)(TV_2M + 0x1ff000));
	ct_out("ad.write.2m", pd_t[1] & ad);
	ct_check((pd_t[1] & ad) == ad, "write sets D in a 2 MiB PDE", pd_t[1] & ad, ad);
}

static void tlb(void)
{
	volatile uint64_t *p = (volatile uint64_t *)PAGE(6);
	*(uint64_t *)pages[6] = 0x1111;
	*(uint64_t *)pages[7] = 0x2222;
	uint64_t first = *p;
	pt_t[6] = pa(pages[7]) | PTE_P | PTE_W | PTE_U;
	invlpg((void *)p);
	uint64_t after_invlpg = *p;
	pt_t[6] = pa(pages[6]) | PTE_P | PTE_W | PTE_U;
	write_cr3(read_cr3());
	uint64_t after_cr3 = *p;
	ct_out("tlb.first", first);
	ct_out("tlb.invlpg", after_invlpg);
	ct_out("tlb.cr3", after_cr3);
	ct_check(first == 0x1111, "first translation", first, 0x1111);
	ct_check(after_invlpg == 0x2222, "INVLPG dropped the old translation", after_invlpg, 0x2222);
	ct_check(after_cr3 == 0x1111, "a CR3 load dropped the old translation", after_cr3, 0x1111);
}

/* REP MOVSB of 100 bytes whose destination runs into a not-present page
 * 40 bytes in: #PF(W) with CR2 at the page, and RDI, RSI, RCX saying how
 * many bytes were copied (so the instruction can resume). */
static struct ct_frame pf_frame;

static void pf_record(struct ct_frame *f)
{
	pf_frame = *f;
	ct_fault_error = f->error;
	ct_fault_cr2 = read_cr2();
	ct_try_unwind(14);
}

static uint8_t src[128];

static void rep_movsb(void *dst)
{
	uint64_t n = 100;
	const void *s = src;
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(s), "+c"(n) : : "memory");
}

static void string_fault(void)
{
	for (int i = 0; i < 128; i++)
		src[i] = (uint8_t)(i + 1);
	uint64_t dst = PAGE(8) - 40;
	ct_set_handler(14, pf_record);
	int v = ct_try(rep_movsb, (void *)dst);
	ct_set_handler(14, 0);
	uint64_t done = pf_frame.rdi - dst;
	ct_out("repmovs.vector", (uint64_t)(int64_t)v);
	ct_out("repmovs.error", ct_fault_error);
	ct_out("repmovs.cr2", ct_fault_cr2 - TV);
	ct_out("repmovs.rcx", pf_frame.rcx);
	ct_out("repmovs.done", done);
	if (v != 14 || ct_fault_error != ERR_W || ct_fault_cr2 != PAGE(8))
		ct_fail("rep movsb into a missing page: vector %d error 0x%lx cr2 0x%lx",
			v, ct_fault_error, ct_fault_cr2);
	ct_check(done + pf_frame.rcx == 100 && pf_frame.rsi - (uint64_t)src == done &&
			 done <= 40,
		 "rep movsb at the fault: RDI, RSI and RCX agree", done << 32 | pf_frame.rcx, 40ull << 32 | 60);
	bool copied = true;
	for (uint64_t i = 0; i < done; i++)
		copied &= pages[0][4096 - 40 + i] == src[i];
	ct_check(copied, "rep movsb: the bytes before the fault were copied", copied, 1);
}

void ct_main(void)
{
	uint64_t boot_cr3 = read_cr3();
	build();
	write_cr3(pa(pml4_t));
	faults();
	large_pages();
	accessed_dirty();
	tlb();
	string_fault();
	write_cr3(boot_cr3);
}
