/* Booting Linux: the common entry point x86_boot_load, the pieces both
 * formats share (boot GDT, CPU state, command line, high placement) and
 * the bzImage loader (Linux x86 boot protocol, 64-bit entry).
 *
 * The bzImage is entered at its 64-bit entry point, load address + 0x200,
 * in long mode with identity-mapped page tables for the first 4 GiB,
 * __BOOT_CS 0x10 and __BOOT_DS 0x18, and boot_params in RSI.
 */
#include "arch/x86/boot.h"
#include "arch/x86/layout.h"
#include "core/util.h"

#include <asm/bootparam.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MiB (1ull << 20)
#define PAGE_SIZE 4096ull

/* Boot GDT: null, unused, code (0x10), data (0x18), TSS (0x20, 16 bytes in
 * long mode). */
#define GDT_ENTRIES 6
#define SEL_CODE 0x10
#define SEL_DATA 0x18
#define SEL_TSS 0x20
#define GDT_CODE64 0x00af9b000000ffffull /* L=1 D=0 G=1, exec/read/accessed */
#define GDT_CODE32 0x00cf9b000000ffffull /* D=1 G=1 */
#define GDT_DATA 0x00cf93000000ffffull   /* D/B=1 G=1, read/write/accessed */
#define GDT_TSS 0x00008b0000000067ull    /* busy TSS, base 0, limit 0x67 */

/* Page-table entry bits. */
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)

#define X86_CR0_PE (1ull << 0)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)

#define BZ_ENTRY64_OFFSET 0x200
#define BZ_HEADER_START 0x1f1
#define BZ_HEADER_LIMIT 0x290 /* end of boot_params' room for the header */

_Static_assert(sizeof(struct boot_params) == 4096, "zero page size");
_Static_assert(sizeof(struct e820_entry) == sizeof(struct boot_e820_entry),
	       "e820 entry layout");
_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "modlist layout");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "memmap layout");

static double mib(uint64_t bytes)
{
	return (double)bytes / (double)MiB;
}

/* ---- shared helpers ---- */

static struct x86_segment seg_from_desc(uint64_t d, uint16_t selector)
{
	struct x86_segment s = {
		.base = ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24,
		.limit = (uint32_t)((d & 0xffff) | ((d >> 48) & 0xf) << 16),
		.selector = selector,
		.type = (d >> 40) & 0xf,
		.s = (d >> 44) & 1,
		.dpl = (d >> 45) & 3,
		.present = (d >> 47) & 1,
		.avl = (d >> 52) & 1,
		.l = (d >> 53) & 1,
		.db = (d >> 54) & 1,
		.g = (d >> 55) & 1,
	};
	if (s.g)
		s.limit = s.limit << 12 | 0xfff;
	return s;
}

static int write_page_tables(struct guest_mem *mem)
{
	uint64_t pml4[512] = { 0 }, pdpt[512] = { 0 }, pd[4 * 512];

	pml4[0] = X86_PDPT | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (X86_PD + i * PAGE_SIZE) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;

	int ret = guest_mem_write(mem, X86_PML4, pml4, sizeof(pml4));
	if (!ret)
		ret = guest_mem_write(mem, X86_PDPT, pdpt, sizeof(pdpt));
	if (!ret)
		ret = guest_mem_write(mem, X86_PD, pd, sizeof(pd));
	return ret;
}

int x86_boot_setup_cpu(struct guest_mem *mem, enum x86_boot_mode mode,
		       struct x86_boot_cpu *cpu)
{
	bool lm = mode == X86_BOOT_LONG_MODE;
	uint64_t gdt[GDT_ENTRIES] = { 0 };

	gdt[SEL_CODE / 8] = lm ? GDT_CODE64 : GDT_CODE32;
	gdt[SEL_DATA / 8] = GDT_DATA;
	gdt[SEL_TSS / 8] = GDT_TSS; /* upper half (base 63:32) stays 0 */
	int ret = guest_mem_write(mem, X86_GDT_ADDR, gdt, sizeof(gdt));
	if (ret)
		return ret;
	if (lm) {
		ret = write_page_tables(mem);
		if (ret)
			return ret;
	}

	memset(cpu, 0, sizeof(*cpu));
	cpu->cs = seg_from_desc(gdt[SEL_CODE / 8], SEL_CODE);
	cpu->ds = seg_from_desc(GDT_DATA, SEL_DATA);
	cpu->es = cpu->fs = cpu->gs = cpu->ss = cpu->ds;
	cpu->tr = seg_from_desc(GDT_TSS, SEL_TSS);
	/* LDTR as after reset: null selector, usable system segment. */
	cpu->ldt = (struct x86_segment){ .limit = 0xffff, .type = 2,
					 .present = 1 };
	cpu->gdt_base = X86_GDT_ADDR;
	cpu->gdt_limit = sizeof(gdt) - 1;
	cpu->idt_base = 0;
	cpu->idt_limit = 0;
	cpu->rflags = 2;
	if (lm) {
		cpu->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
		cpu->cr3 = X86_PML4;
		cpu->cr4 = X86_CR4_PAE;
		cpu->efer = X86_EFER_LME | X86_EFER_LMA;
	} else {
		/* PVH: "CR0: PE set, all other writeable bits clear". */
		cpu->cr0 = X86_CR0_PE | X86_CR0_ET;
	}
	return 0;
}

int x86_place_high(const char *what, uint64_t len, uint64_t lo, uint64_t hi,
		   uint64_t *addr, char *err, size_t errlen)
{
	if (hi > lo && len <= hi - lo) {
		uint64_t a = (hi - len) & ~(PAGE_SIZE - 1);
		if (a >= lo) {
			*addr = a;
			return 0;
		}
	}
	return errmsg(-ENOSPC, err, errlen,
		    "%s of %.1f MiB does not fit between the kernel's end 0x%llx and 0x%llx",
		    what, mib(len), (unsigned long long)lo,
		    (unsigned long long)hi);
}

int x86_write_cmdline(struct guest_mem *mem, const char *cmdline, size_t max,
		      const char *whose, char *err, size_t errlen)
{
	if (!cmdline)
		cmdline = "";
	if (max > X86_CMDLINE_MAX - 1)
		max = X86_CMDLINE_MAX - 1;
	size_t len = strlen(cmdline);
	if (len > max)
		return errmsg(-EINVAL, err, errlen,
			    "command line of %zu bytes is longer than the %s limit of %zu bytes",
			    len, whose, max);
	int ret = guest_mem_write(mem, X86_CMDLINE, cmdline, len + 1);
	if (ret)
		return errmsg(ret, err, errlen,
			    "cannot write the command line at 0x%llx",
			    (unsigned long long)X86_CMDLINE);
	return 0;
}

/* ---- bzImage ---- */

/* Where the decompressor will run: the protocol's "runtime start". A
 * relocatable kernel aligns its load address up to kernel_alignment but
 * never goes below LOAD_PHYSICAL_ADDR (pref_address); a fixed one runs at
 * pref_address. */
static uint64_t bz_runtime_start(const struct setup_header *h)
{
	uint64_t start = X86_HIMEM_START;
	uint32_t align = h->kernel_alignment;

	if (h->relocatable_kernel && align && !(align & (align - 1)))
		start = (start + align - 1) & ~((uint64_t)align - 1);
	return max_u64(start, h->pref_address);
}

int x86_boot_load_bzimage(struct guest_mem *mem, const struct boot_request *req,
			  struct x86_boot_cpu *cpu, char *err, size_t errlen)
{
	const struct kernel_info *ki = req->info;
	const uint8_t *k = req->kernel;
	size_t klen = req->kernel_len;
	uint64_t low_end = guest_mem_low_end(mem);
	int ret;

	/* The info came from kernel_probe; still, never trust it to match. */
	if (klen < BZ_HEADER_LIMIT || ki->payload_offset < BZ_HEADER_LIMIT ||
	    ki->payload_offset > klen ||
	    ki->payload_size > klen - ki->payload_offset || !ki->payload_size)
		return errmsg(-EINVAL, err, errlen,
			    "bzImage: kernel info does not match the %zu-byte image",
			    klen);

	struct boot_params bp;
	memset(&bp, 0, sizeof(bp));
	uint64_t hdr_end = 0x202 + (uint64_t)k[0x201];
	hdr_end = min_u64(hdr_end, BZ_HEADER_LIMIT);
	memcpy((uint8_t *)&bp + BZ_HEADER_START, k + BZ_HEADER_START,
	       hdr_end - BZ_HEADER_START);

	struct setup_header *h = &bp.hdr;
	h->type_of_loader = 0xff;
	h->loadflags |= CAN_USE_HEAP;
	h->heap_end_ptr = 0xfe00; /* end of the setup heap/stack - 0x200 */

	/* Command line. */
	uint64_t cmax = ki->cmdline_size ? ki->cmdline_size : 255;
	ret = x86_write_cmdline(mem, req->cmdline, cmax, "kernel's", err,
				errlen);
	if (ret)
		return ret;
	h->cmd_line_ptr = (uint32_t)X86_CMDLINE;
	bp.ext_cmd_line_ptr = (uint32_t)(X86_CMDLINE >> 32);

	/* The kernel occupies [1 MiB, kernel_end): the payload as loaded and
	 * init_size bytes from where the decompressor runs. */
	uint64_t rt = bz_runtime_start(h);
	uint64_t init_size = max_u64(ki->init_size, ki->payload_size);
	if (rt >= X86_4GIB)
		return errmsg(-EINVAL, err, errlen,
			    "bzImage wants to run at 0x%llx, above 4 GiB",
			    (unsigned long long)rt);
	uint64_t kernel_end =
		max_u64(X86_HIMEM_START + ki->payload_size, rt + init_size);
	if (kernel_end > low_end)
		return errmsg(-ENOSPC, err, errlen,
			    "kernel needs guest RAM up to %.1f MiB (%.1f MiB from 0x%llx), guest has %.1f MiB below 4 GiB",
			    mib(kernel_end), mib(init_size),
			    (unsigned long long)rt, mib(low_end));

	/* Initramfs: as high as allowed, above the kernel. */
	if (req->initrd && req->initrd_len) {
		uint64_t hi = min_u64((uint64_t)ki->initrd_addr_max + 1, low_end);
		uint64_t lo = (kernel_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		uint64_t addr = 0;
		ret = x86_place_high("initramfs", req->initrd_len, lo, hi, &addr,
				     err, errlen);
		if (ret)
			return ret;
		ret = guest_mem_write(mem, addr, req->initrd, req->initrd_len);
		if (ret)
			return errmsg(ret, err, errlen,
				    "cannot write the initramfs at 0x%llx",
				    (unsigned long long)addr);
		h->ramdisk_image = (uint32_t)addr;
		bp.ext_ramdisk_image = (uint32_t)(addr >> 32);
		h->ramdisk_size = (uint32_t)req->initrd_len;
		bp.ext_ramdisk_size = (uint32_t)((uint64_t)req->initrd_len >> 32);
	}

	struct e820_entry map[E820_MAX_ENTRIES_ZEROPAGE];
	unsigned int n = e820_build(mem, map, E820_MAX_ENTRIES_ZEROPAGE);
	memcpy(bp.e820_table, map, n * sizeof(map[0]));
	bp.e820_entries = (uint8_t)n;

	if (req->rsdp_addr && ki->protocol >= 0x20e)
		bp.acpi_rsdp_addr = req->rsdp_addr;

	ret = guest_mem_write(mem, X86_HIMEM_START, k + ki->payload_offset,
			      ki->payload_size);
	if (ret)
		return errmsg(ret, err, errlen,
			    "cannot write the %.1f MiB kernel at 0x%llx",
			    mib(ki->payload_size),
			    (unsigned long long)X86_HIMEM_START);
	ret = guest_mem_write(mem, X86_ZERO_PAGE, &bp, sizeof(bp));
	if (!ret)
		ret = x86_boot_setup_cpu(mem, X86_BOOT_LONG_MODE, cpu);
	if (ret)
		return errmsg(ret, err, errlen,
			    "cannot write boot_params, GDT or page tables");

	cpu->rip = X86_HIMEM_START + BZ_ENTRY64_OFFSET;
	cpu->rsi = X86_ZERO_PAGE;
	cpu->rsp = X86_BOOT_STACK;
	return 0;
}

/* ---- entry point ---- */

int x86_boot_load(struct guest_mem *mem, const struct boot_request *req,
		  struct x86_boot_cpu *cpu, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!mem || !req || !req->info || !req->kernel || !cpu)
		return errmsg(-EINVAL, err, errlen, "boot: missing kernel or memory");
	if (req->initrd_len && !req->initrd)
		return errmsg(-EINVAL, err, errlen, "boot: initramfs length without data");

	uint64_t low_end = guest_mem_low_end(mem);
	if (low_end < X86_MIN_GUEST_RAM)
		return errmsg(-EINVAL, err, errlen,
			    "guest RAM too small: %.1f MiB below 4 GiB, at least %llu MiB needed",
			    mib(low_end),
			    (unsigned long long)(X86_MIN_GUEST_RAM / MiB));
	/* Boot structures live in [0, 1 MiB): that must be RAM. */
	if (!guest_mem_is_ram(mem, 0, X86_HIMEM_START))
		return errmsg(-EINVAL, err, errlen,
			    "guest RAM must cover the first MiB for the boot structures");

	switch (req->info->format) {
	case KERNEL_BZIMAGE:
		return x86_boot_load_bzimage(mem, req, cpu, err, errlen);
	case KERNEL_PVH_ELF:
		return x86_boot_load_pvh(mem, req, cpu, err, errlen);
	}
	return errmsg(-EINVAL, err, errlen, "boot: unknown kernel format %d",
		    (int)req->info->format);
}
