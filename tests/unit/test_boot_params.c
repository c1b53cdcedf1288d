/* x86_boot_load(): a synthetic bzImage and PVH ELF loaded into 64 MiB of
 * fake guest memory; boot_params / hvm_start_info, page tables, GDT and
 * the boot vCPU state checked byte by byte; the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/x86/boot.h"
#include "arch/x86/layout.h"

#include <asm/bootparam.h>
#include <elf.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB (1ull << 20)
#define RAM_SIZE (64 * MiB)

struct fixture {
	uint8_t *ram;
	struct guest_mem mem;
	char err[256];
	struct x86_boot_cpu cpu;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->ram = calloc(1, RAM_SIZE);
	if (!f->ram || guest_mem_init_fake(&f->mem, f->ram, 0, RAM_SIZE))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	guest_mem_destroy(&f->mem);
	free(f->ram);
	free(f);
	return 0;
}

/* ---- images ---- */

#define BZ_SETUP_BYTES (5 * 512)
#define BZ_PAYLOAD 8192
#define BZ_INIT_SIZE (4 * MiB)
#define BZ_PREF 0x1000000ull
#define BZ_KERNEL_END (BZ_PREF + BZ_INIT_SIZE) /* where the kernel stops */

static struct setup_header *bz_hdr(uint8_t *img)
{
	return (struct setup_header *)(img + 0x1f1);
}

static uint8_t *make_bzimage(size_t *len)
{
	*len = BZ_SETUP_BYTES + BZ_PAYLOAD;
	uint8_t *img = malloc(*len);
	assert_non_null(img);
	memset(img, 0xcc, BZ_SETUP_BYTES); /* setup code: must not be copied */
	memset(img + 0x1f1, 0, 0x202 + 0x6a - 0x1f1);
	struct setup_header *h = bz_hdr(img);
	h->setup_sects = 4;
	h->syssize = BZ_PAYLOAD / 16;
	h->boot_flag = 0xaa55;
	h->jump = 0x6aeb;
	memcpy(&h->header, "HdrS", 4);
	h->version = 0x020f;
	h->vid_mode = 0xffff;
	h->loadflags = LOADED_HIGH;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->xloadflags = XLF_KERNEL_64;
	h->cmdline_size = 2047;
	h->pref_address = BZ_PREF;
	h->init_size = BZ_INIT_SIZE;
	for (size_t i = 0; i < BZ_PAYLOAD; i++)
		img[BZ_SETUP_BYTES + i] = (uint8_t)(i * 7 + 1);
	return img;
}

#define ELF_LOAD_OFF 0x1000
#define ELF_FILESZ 0x2000
#define ELF_MEMSZ 0x6000
#define ELF_PADDR 0x1000000ull
#define ELF_ENTRY (ELF_PADDR + 0x40)

static uint8_t *make_elf(size_t *len)
{
	*len = ELF_LOAD_OFF + ELF_FILESZ;
	uint8_t *img = calloc(1, *len);
	assert_non_null(img);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;
	uint8_t *n = img + 0x200;
	uint32_t note[3] = { 4, 8, XEN_ELFNOTE_PHYS32_ENTRY };
	uint64_t entry = ELF_ENTRY;
	memcpy(n, note, 12);
	memcpy(n + 12, "Xen", 4);
	memcpy(n + 16, &entry, 8);
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = ELF_LOAD_OFF,
			      .p_paddr = ELF_PADDR, .p_filesz = ELF_FILESZ,
			      .p_memsz = ELF_MEMSZ };
	ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 0x200,
			      .p_filesz = 24 };
	for (size_t i = 0; i < ELF_FILESZ; i++)
		img[ELF_LOAD_OFF + i] = (uint8_t)(i * 13 + 5);
	return img;
}

static int load(struct fixture *f, const uint8_t *img, size_t len,
		const uint8_t *initrd, size_t initrd_len, const char *cmdline,
		struct kernel_info *ki)
{
	int ret = kernel_probe(img, len, ki, f->err, sizeof(f->err));
	assert_int_equal(ret, 0);
	struct boot_request req = {
		.kernel = img,
		.kernel_len = len,
		.info = ki,
		.initrd = initrd,
		.initrd_len = initrd_len,
		.cmdline = cmdline,
		.rsdp_addr = 0xe0000,
	};
	f->err[0] = '\0';
	return x86_boot_load(&f->mem, &req, &f->cpu, f->err, sizeof(f->err));
}

static void expect_fail(struct fixture *f, int ret, int want, const char *word)
{
	if (ret != want || !strstr(f->err, word))
		fail_msg("want %d with \"%s\", got %d: \"%s\"", want, word, ret,
			 f->err);
}

static const struct boot_params *zero_page(struct fixture *f)
{
	return (const struct boot_params *)(f->ram + X86_ZERO_PAGE);
}

static uint64_t rd64(struct fixture *f, uint64_t gpa)
{
	uint64_t v;
	memcpy(&v, f->ram + gpa, 8);
	return v;
}

/* ---- bzImage ---- */

static void test_bzimage_boot_params(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *img = make_bzimage(&len);
	size_t ilen = 1234567;
	uint8_t *initrd = malloc(ilen);
	memset(initrd, 0x5a, ilen);
	struct kernel_info ki;

	assert_int_equal(load(f, img, len, initrd, ilen, "console=ttyS0 quiet", &ki), 0);
	const struct boot_params *bp = zero_page(f);

	/* Setup header copied from the file, only the header. */
	assert_memory_equal(&bp->hdr.header, "HdrS", 4);
	assert_int_equal(bp->hdr.version, 0x020f);
	assert_int_equal(bp->hdr.vid_mode, 0xffff);
	assert_int_equal(bp->hdr.init_size, BZ_INIT_SIZE);
	for (size_t i = 0x202 + 0x6a; i < 0x290; i++)
		assert_int_equal(((const uint8_t *)bp)[i], 0);
	/* Before the header, all zero but acpi_rsdp_addr and e820_entries. */
	for (size_t i = 0; i < 0x1f1; i++)
		if ((i < 0x70 || i >= 0x78) && i != 0x1e8)
			assert_int_equal(((const uint8_t *)bp)[i], 0);
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_true(bp->hdr.loadflags & LOADED_HIGH);
	assert_true(bp->hdr.loadflags & CAN_USE_HEAP);
	assert_int_equal(bp->hdr.heap_end_ptr, 0xfe00);
	assert_int_equal(bp->acpi_rsdp_addr, 0xe0000);

	/* Command line. */
	assert_int_equal(bp->hdr.cmd_line_ptr, X86_CMDLINE);
	assert_int_equal(bp->ext_cmd_line_ptr, 0);
	assert_string_equal((const char *)f->ram + X86_CMDLINE,
			    "console=ttyS0 quiet");

	/* Initramfs: page-aligned, as high as possible, above the kernel. */
	uint64_t rd = bp->hdr.ramdisk_image | (uint64_t)bp->ext_ramdisk_image << 32;
	assert_int_equal(bp->hdr.ramdisk_size, ilen);
	assert_int_equal(bp->ext_ramdisk_size, 0);
	assert_int_equal(rd % 4096, 0);
	assert_true(rd + ilen <= RAM_SIZE);
	assert_true(rd + ilen + 4096 > RAM_SIZE);
	assert_true(rd >= BZ_KERNEL_END);
	assert_memory_equal(f->ram + rd, initrd, ilen);

	/* e820. */
	assert_int_equal(bp->e820_entries, 3);
	assert_int_equal(bp->e820_table[0].addr, 0);
	assert_int_equal(bp->e820_table[0].size, X86_EBDA_START);
	assert_int_equal(bp->e820_table[0].type, E820_RAM);
	assert_int_equal(bp->e820_table[1].addr, X86_EBDA_START);
	assert_int_equal(bp->e820_table[1].type, E820_RESERVED);
	assert_int_equal(bp->e820_table[2].addr, X86_HIMEM_START);
	assert_int_equal(bp->e820_table[2].size, RAM_SIZE - X86_HIMEM_START);
	assert_int_equal(bp->e820_table[2].type, E820_RAM);

	/* The payload at 1 MiB. */
	assert_memory_equal(f->ram + X86_HIMEM_START, img + BZ_SETUP_BYTES,
			    BZ_PAYLOAD);
	free(initrd);
	free(img);
}

static void test_bzimage_page_tables_gdt_cpu(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *img = make_bzimage(&len);
	struct kernel_info ki;
	assert_int_equal(load(f, img, len, NULL, 0, NULL, &ki), 0);

	/* No initramfs, empty command line. */
	assert_int_equal(zero_page(f)->hdr.ramdisk_image, 0);
	assert_int_equal(zero_page(f)->hdr.ramdisk_size, 0);
	assert_int_equal(f->ram[X86_CMDLINE], 0);

	/* Identity map of 4 GiB with 2 MiB pages. */
	assert_int_equal(rd64(f, X86_PML4), X86_PDPT | 3);
	assert_int_equal(rd64(f, X86_PML4 + 8), 0);
	for (uint64_t i = 0; i < 4; i++)
		assert_int_equal(rd64(f, X86_PDPT + 8 * i), (X86_PD + 4096 * i) | 3);
	assert_int_equal(rd64(f, X86_PDPT + 32), 0);
	for (uint64_t i = 0; i < 2048; i++)
		assert_int_equal(rd64(f, X86_PD + 8 * i), (i << 21) | 0x83);

	/* GDT: null, unused, code64 at 0x10, data at 0x18, busy TSS at 0x20. */
	assert_int_equal(rd64(f, X86_GDT_ADDR), 0);
	assert_int_equal(rd64(f, X86_GDT_ADDR + 0x08), 0);
	assert_int_equal(rd64(f, X86_GDT_ADDR + 0x10), 0x00af9b000000ffffull);
	assert_int_equal(rd64(f, X86_GDT_ADDR + 0x18), 0x00cf93000000ffffull);
	assert_int_equal((rd64(f, X86_GDT_ADDR + 0x20) >> 40) & 0x9f, 0x8b);
	assert_int_equal(rd64(f, X86_GDT_ADDR + 0x28), 0);

	const struct x86_boot_cpu *c = &f->cpu;
	assert_int_equal(c->rip, X86_HIMEM_START + 0x200);
	assert_int_equal(c->rsi, X86_ZERO_PAGE);
	assert_int_equal(c->rsp, X86_BOOT_STACK);
	assert_int_equal(c->rflags, 2);
	assert_int_equal(c->cr0, 0x80000031); /* PG NE ET PE */
	assert_int_equal(c->cr3, X86_PML4);
	assert_int_equal(c->cr4, 0x20);
	assert_int_equal(c->efer, 0x500);
	assert_int_equal(c->gdt_base, X86_GDT_ADDR);
	assert_int_equal(c->gdt_limit, 47);

	assert_int_equal(c->cs.selector, 0x10);
	assert_int_equal(c->cs.base, 0);
	assert_int_equal(c->cs.limit, 0xffffffff);
	assert_int_equal(c->cs.type, 0xb);
	assert_int_equal(c->cs.s, 1);
	assert_int_equal(c->cs.present, 1);
	assert_int_equal(c->cs.dpl, 0);
	assert_int_equal(c->cs.l, 1);
	assert_int_equal(c->cs.db, 0);
	assert_int_equal(c->cs.g, 1);
	const struct x86_segment *data[] = { &c->ds, &c->es, &c->fs, &c->gs, &c->ss };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(data[i]->selector, 0x18);
		assert_int_equal(data[i]->type, 3);
		assert_int_equal(data[i]->db, 1);
		assert_int_equal(data[i]->g, 1);
		assert_int_equal(data[i]->s, 1);
		assert_int_equal(data[i]->present, 1);
		assert_int_equal(data[i]->limit, 0xffffffff);
		assert_int_equal(data[i]->l, 0);
	}
	assert_int_equal(c->tr.selector, 0x20);
	assert_int_equal(c->tr.type, 0xb);
	assert_int_equal(c->tr.s, 0);
	assert_int_equal(c->tr.present, 1);
	assert_int_equal(c->tr.unusable, 0);
	assert_true(c->ldt.unusable || (c->ldt.type == 2 && c->ldt.present));
	free(img);
}

static void test_bzimage_initrd_addr_max(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *img = make_bzimage(&len);
	bz_hdr(img)->initrd_addr_max = 0x2ffffff; /* 48 MiB - 1 */
	uint8_t initrd[5000] = { 1 };
	struct kernel_info ki;
	assert_int_equal(load(f, img, len, initrd, sizeof(initrd), "", &ki), 0);
	uint32_t rd = zero_page(f)->hdr.ramdisk_image;
	assert_int_equal(rd % 4096, 0);
	assert_true(rd + sizeof(initrd) <= 0x3000000);
	assert_true(rd + sizeof(initrd) + 4096 > 0x3000000);

	/* A limit below the kernel's end leaves no room. */
	bz_hdr(img)->initrd_addr_max = 0x13fffff;
	expect_fail(f, load(f, img, len, initrd, sizeof(initrd), "", &ki),
		    -ENOSPC, "initramfs");
	free(img);
}

static void test_bzimage_initrd_too_big(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *img = make_bzimage(&len);
	size_t ilen = RAM_SIZE - BZ_KERNEL_END + 1; /* one byte too many */
	uint8_t *initrd = calloc(1, ilen);
	struct kernel_info ki;
	expect_fail(f, load(f, img, len, initrd, ilen, NULL, &ki), -ENOSPC,
		    "initramfs of");
	/* Exactly the room left fits. */
	assert_int_equal(load(f, img, len, initrd, ilen - 1, NULL, &ki), 0);
	assert_int_equal(zero_page(f)->hdr.ramdisk_image, BZ_KERNEL_END);
	free(initrd);
	free(img);
}

static void test_bzimage_cmdline_too_long(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *img = make_bzimage(&len);
	char cmd[2049];
	memset(cmd, 'a', sizeof(cmd) - 1);
	cmd[2048] = '\0';
	struct kernel_info ki;
	expect_fail(f, load(f, img, len, NULL, 0, cmd, &ki), -EINVAL, "2047");
	cmd[2047] = '\0'; /* 2047 bytes: the limit */
	assert_int_equal(load(f, img, len, NULL, 0, cmd, &ki), 0);
	assert_int_equal(strlen((const char *)f->ram + X86_CMDLINE), 2047);

	bz_hdr(img)->cmdline_size = 255; /* an older kernel's smaller limit */
	cmd[256] = '\0';
	expect_fail(f, load(f, img, len, NULL, 0, cmd, &ki), -EINVAL, "255");
	free(img);
}

static void test_bzimage_kernel_too_big(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *img = make_bzimage(&len);
	bz_hdr(img)->init_size = 100 * MiB;
	struct kernel_info ki;
	expect_fail(f, load(f, img, len, NULL, 0, NULL, &ki), -ENOSPC, "RAM");
	bz_hdr(img)->init_size = BZ_INIT_SIZE;
	bz_hdr(img)->pref_address = 0x100000000ull; /* runs above 4 GiB */
	expect_fail(f, load(f, img, len, NULL, 0, NULL, &ki), -EINVAL, "4 GiB");
	free(img);
}

static void test_tiny_guest_refused(void **state)
{
	uint8_t *ram = calloc(1, 8 * MiB);
	struct guest_mem mem = { 0 };
	assert_int_equal(guest_mem_init_fake(&mem, ram, 0, 8 * MiB), 0);
	size_t len;
	uint8_t *img = make_bzimage(&len);
	struct kernel_info ki;
	char err[256];
	assert_int_equal(kernel_probe(img, len, &ki, err, sizeof(err)), 0);
	struct boot_request req = { .kernel = img, .kernel_len = len, .info = &ki };
	struct x86_boot_cpu cpu;
	assert_int_equal(x86_boot_load(&mem, &req, &cpu, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too small"));
	free(img);
	free(ram);
}

static void test_info_mismatch_refused(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *img = make_bzimage(&len);
	struct kernel_info ki;
	assert_int_equal(kernel_probe(img, len, &ki, f->err, sizeof(f->err)), 0);
	struct boot_request req = { .kernel = img, .kernel_len = len - 1,
				    .info = &ki };
	assert_int_equal(x86_boot_load(&f->mem, &req, &f->cpu, f->err,
				       sizeof(f->err)),
			 -EINVAL);
	assert_non_null(strstr(f->err, "does not match"));
	free(img);
}

/* ---- PVH ---- */

static void test_pvh_load(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *img = make_elf(&len);
	memset(f->ram + ELF_PADDR, 0xaa, ELF_MEMSZ + 16); /* bss must be zeroed */
	uint8_t initrd[10000];
	memset(initrd, 0x77, sizeof(initrd));
	struct kernel_info ki;
	assert_int_equal(load(f, img, len, initrd, sizeof(initrd), "root=/dev/vda", &ki), 0);

	/* Segments: file bytes, then zeros to p_memsz, nothing beyond. */
	assert_memory_equal(f->ram + ELF_PADDR, img + ELF_LOAD_OFF, ELF_FILESZ);
	for (size_t i = ELF_FILESZ; i < ELF_MEMSZ; i++)
		assert_int_equal(f->ram[ELF_PADDR + i], 0);
	assert_int_equal(f->ram[ELF_PADDR + ELF_MEMSZ], 0xaa);

	struct hvm_start_info si;
	memcpy(&si, f->ram + X86_PVH_START_INFO, sizeof(si));
	assert_int_equal(si.magic, 0x336ec578);
	assert_int_equal(si.version, 1);
	assert_int_equal(si.flags, 0);
	assert_int_equal(si.nr_modules, 1);
	assert_int_equal(si.modlist_paddr, X86_PVH_MODLIST);
	assert_int_equal(si.cmdline_paddr, X86_CMDLINE);
	assert_int_equal(si.rsdp_paddr, 0xe0000);
	assert_int_equal(si.memmap_paddr, X86_PVH_MEMMAP);
	assert_int_equal(si.memmap_entries, 3);
	assert_int_equal(si.reserved, 0);
	assert_string_equal((const char *)f->ram + X86_CMDLINE, "root=/dev/vda");

	struct hvm_modlist_entry mod;
	memcpy(&mod, f->ram + X86_PVH_MODLIST, sizeof(mod));
	assert_int_equal(mod.size, sizeof(initrd));
	assert_int_equal(mod.paddr % 4096, 0);
	assert_true(mod.paddr >= ELF_PADDR + ELF_MEMSZ);
	assert_true(mod.paddr + mod.size <= RAM_SIZE);
	assert_true(mod.paddr + mod.size + 4096 > RAM_SIZE);
	assert_int_equal(mod.cmdline_paddr, 0);
	assert_memory_equal(f->ram + mod.paddr, initrd, sizeof(initrd));

	struct hvm_memmap_table_entry mm[3];
	memcpy(mm, f->ram + X86_PVH_MEMMAP, sizeof(mm));
	assert_int_equal(mm[0].addr, 0);
	assert_int_equal(mm[0].size, X86_EBDA_START);
	assert_int_equal(mm[0].type, E820_RAM);
	assert_int_equal(mm[1].addr, X86_EBDA_START);
	assert_int_equal(mm[1].type, E820_RESERVED);
	assert_int_equal(mm[2].addr, X86_HIMEM_START);
	assert_int_equal(mm[2].size, RAM_SIZE - X86_HIMEM_START);
	assert_int_equal(mm[2].type, E820_RAM);
	assert_int_equal(mm[2].reserved, 0);

	/* 32-bit protected mode, paging off. */
	const struct x86_boot_cpu *c = &f->cpu;
	assert_int_equal(c->rip, ELF_ENTRY);
	assert_int_equal(c->rbx, X86_PVH_START_INFO);
	assert_int_equal(c->rflags, 2);
	assert_int_equal(c->cr0, 0x11);
	assert_int_equal(c->cr4, 0);
	assert_int_equal(c->efer, 0);
	assert_int_equal(c->cs.selector, 0x10);
	assert_int_equal(c->cs.type, 0xb);
	assert_int_equal(c->cs.db, 1);
	assert_int_equal(c->cs.l, 0);
	assert_int_equal(c->cs.g, 1);
	assert_int_equal(c->cs.base, 0);
	assert_int_equal(c->cs.limit, 0xffffffff);
	assert_int_equal(c->ss.selector, 0x18);
	assert_int_equal(c->ss.type, 3);
	assert_int_equal(c->ds.db, 1);
	assert_int_equal(c->tr.selector, 0x20);
	assert_int_equal(c->tr.type, 0xb);
	assert_int_equal(c->tr.s, 0);
	assert_int_equal(rd64(f, X86_GDT_ADDR + 0x10), 0x00cf9b000000ffffull);
	assert_int_equal(rd64(f, X86_GDT_ADDR + 0x18), 0x00cf93000000ffffull);
	free(img);
}

static void test_pvh_no_initrd(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *img = make_elf(&len);
	struct kernel_info ki;
	assert_int_equal(load(f, img, len, NULL, 0, NULL, &ki), 0);
	struct hvm_start_info si;
	memcpy(&si, f->ram + X86_PVH_START_INFO, sizeof(si));
	assert_int_equal(si.nr_modules, 0);
	assert_int_equal(si.modlist_paddr, 0);
	assert_int_equal(f->ram[X86_CMDLINE], 0);
	free(img);
}

static void test_pvh_errors(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *img = make_elf(&len);
	struct kernel_info ki;

	char *cmd = malloc(2049);
	memset(cmd, 'x', 2048);
	cmd[2048] = '\0';
	expect_fail(f, load(f, img, len, NULL, 0, cmd, &ki), -EINVAL, "2047");
	free(cmd);

	size_t ilen = RAM_SIZE - ELF_PADDR; /* cannot fit above the kernel */
	uint8_t *initrd = calloc(1, ilen);
	expect_fail(f, load(f, img, len, initrd, ilen, NULL, &ki), -ENOSPC,
		    "initramfs");
	free(initrd);

	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr));
	ph[0].p_paddr = 100 * MiB; /* beyond the 64 MiB guest */
	uint64_t entry = 100 * MiB + 0x40;
	memcpy(img + 0x200 + 16, &entry, 8);
	expect_fail(f, load(f, img, len, NULL, 0, NULL, &ki), -ENOSPC,
		    "outside guest RAM");

	ph[0].p_paddr = 0x8000; /* over the boot structures */
	entry = 0x8040;
	memcpy(img + 0x200 + 16, &entry, 8);
	expect_fail(f, load(f, img, len, NULL, 0, NULL, &ki), -EINVAL, "1 MiB");
	free(img);
}

/* ---- the real kernels, when present ---- */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	uint8_t *buf = NULL;
	if (fseek(fp, 0, SEEK_END) == 0) {
		long n = ftell(fp);
		if (n > 0 && fseek(fp, 0, SEEK_SET) == 0) {
			buf = malloc((size_t)n);
			if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
				free(buf);
				buf = NULL;
			}
			*len = (size_t)n;
		}
	}
	fclose(fp);
	return buf;
}

/* Load a real kernel into 256 MiB of fake RAM. */
static void load_real(const char *path, enum kernel_format want)
{
	size_t len;
	uint8_t *img = read_file(path, &len);
	if (!img) {
		skip();
		return;
	}
	const uint64_t size = 256 * MiB;
	uint8_t *ram = calloc(1, size);
	assert_non_null(ram);
	struct guest_mem mem = { 0 };
	assert_int_equal(guest_mem_init_fake(&mem, ram, 0, size), 0);
	struct kernel_info ki;
	char err[256];
	if (kernel_probe(img, len, &ki, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	assert_int_equal(ki.format, want);
	uint8_t initrd[4096] = { 0x07, 0x07, 0x01 };
	struct boot_request req = { .kernel = img, .kernel_len = len,
				    .info = &ki, .initrd = initrd,
				    .initrd_len = sizeof(initrd),
				    .cmdline = "console=ttyS0" };
	struct x86_boot_cpu cpu;
	if (x86_boot_load(&mem, &req, &cpu, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	if (want == KERNEL_BZIMAGE)
		assert_int_equal(cpu.rip, 0x100200);
	else
		assert_int_equal(cpu.rip, ki.pvh_entry);
	print_message("%s: loaded, entry 0x%llx\n", path,
		      (unsigned long long)cpu.rip);

	/* The same kernel does not fit a 32 MiB guest: a clean refusal. */
	struct guest_mem small = { 0 };
	assert_int_equal(guest_mem_init_fake(&small, ram, 0, 32 * MiB), 0);
	assert_int_equal(x86_boot_load(&small, &req, &cpu, err, sizeof(err)),
			 -ENOSPC);
	print_message("%s in 32 MiB: %s\n", path, err);
	free(ram);
	free(img);
}

static void test_real_bzimage(void **state)
{
	glob_t g;
	if (glob("/boot/vmlinuz-*", 0, NULL, &g) != 0) {
		skip();
		return;
	}
	char path[512];
	snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
	globfree(&g);
	load_real(path, KERNEL_BZIMAGE);
}

static void test_real_vmlinux(void **state)
{
	load_real("build/guest/vmlinux", KERNEL_PVH_ELF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bzimage_boot_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_page_tables_gdt_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_initrd_addr_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_initrd_too_big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_cmdline_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_kernel_too_big, setup, teardown),
		cmocka_unit_test(test_tiny_guest_refused),
		cmocka_unit_test_setup_teardown(test_info_mismatch_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pvh_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pvh_no_initrd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pvh_errors, setup, teardown),
		cmocka_unit_test(test_real_bzimage),
		cmocka_unit_test(test_real_vmlinux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
