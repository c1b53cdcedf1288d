/* kernel_probe(): synthesised bzImages and PVH ELF images, every
 * malformed case refused with -EINVAL and a reason, and the real kernels
 * when they are on this machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/x86/boot.h"

#include <asm/bootparam.h>
#include <elf.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB (1ull << 20)

/* ---- image builders ---- */

#define BZ_SETUP_SECTS 4
#define BZ_SETUP_BYTES ((BZ_SETUP_SECTS + 1) * 512)
#define BZ_PAYLOAD 4096

static struct setup_header *bz_hdr(uint8_t *img)
{
	return (struct setup_header *)(img + 0x1f1);
}

/* A minimal, valid bzImage: protocol 2.15, 64-bit, relocatable. */
static uint8_t *make_bzimage(size_t *len)
{
	*len = BZ_SETUP_BYTES + BZ_PAYLOAD;
	uint8_t *img = calloc(1, *len);
	assert_non_null(img);
	struct setup_header *h = bz_hdr(img);
	h->setup_sects = BZ_SETUP_SECTS;
	h->syssize = BZ_PAYLOAD / 16;
	h->boot_flag = 0xaa55;
	h->jump = 0x6aeb; /* jmp short; header ends at 0x202 + 0x6a */
	memcpy(&h->header, "HdrS", 4);
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h->cmdline_size = 2047;
	h->pref_address = 0x1000000;
	h->init_size = 4 * MiB;
	for (size_t i = 0; i < BZ_PAYLOAD; i++)
		img[BZ_SETUP_BYTES + i] = (uint8_t)(i * 7 + 1);
	return img;
}

#define ELF_NOTE_OFF 0x200
#define ELF_LOAD_OFF 0x1000
#define ELF_LOAD_FILESZ 0x2000
#define ELF_LOAD_MEMSZ 0x5000
#define ELF_PADDR 0x1000000ull
#define ELF_ENTRY (ELF_PADDR + 0x100)
#define ELF_LEN (ELF_LOAD_OFF + ELF_LOAD_FILESZ)

static size_t put_note(uint8_t *p, const char *name, uint32_t type,
		       const void *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	memcpy(p, &namesz, 4);
	memcpy(p + 4, &descsz, 4);
	memcpy(p + 8, &type, 4);
	memcpy(p + 12, name, namesz);
	size_t off = 12 + ((namesz + 3) & ~3u);
	memcpy(p + off, desc, descsz);
	return off + ((descsz + 3) & ~3u);
}

/* ELF64 x86-64: one PT_LOAD at 16 MiB, one PT_NOTE with a GNU note and
 * the Xen PHYS32_ENTRY note (desc of `descsz` bytes). */
static uint8_t *make_elf(uint32_t descsz, size_t *len)
{
	*len = ELF_LEN;
	uint8_t *img = calloc(1, *len);
	assert_non_null(img);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = ELF_PADDR;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;

	uint8_t *n = img + ELF_NOTE_OFF;
	size_t nlen = put_note(n, "GNU", 3, "0123456789abcdefghij", 20);
	uint64_t entry = ELF_ENTRY;
	nlen += put_note(n + nlen, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry,
			 descsz);

	Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff);
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = ELF_LOAD_OFF,
			      .p_vaddr = 0xffffffff81000000ull,
			      .p_paddr = ELF_PADDR, .p_filesz = ELF_LOAD_FILESZ,
			      .p_memsz = ELF_LOAD_MEMSZ, .p_align = 0x1000 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = ELF_NOTE_OFF,
			      .p_filesz = nlen, .p_memsz = nlen, .p_align = 4 };
	for (size_t i = 0; i < ELF_LOAD_FILESZ; i++)
		img[ELF_LOAD_OFF + i] = (uint8_t)(i * 13 + 5);
	return img;
}

static Elf64_Phdr *elf_ph(uint8_t *img, unsigned int i)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + i;
}

/* Offset of the Xen note inside the note area (after the GNU note). */
#define XEN_NOTE_OFF (ELF_NOTE_OFF + 12 + 4 + 20)

static char err[256];

/* Probe must refuse with -EINVAL and a reason mentioning `word`. */
static void expect_einval(const uint8_t *img, size_t len, const char *word)
{
	struct kernel_info ki;
	err[0] = '\0';
	int ret = kernel_probe(img, len, &ki, err, sizeof(err));
	if (ret != -EINVAL || !strstr(err, word))
		fail_msg("want -EINVAL with \"%s\", got %d: \"%s\"", word, ret,
			 err);
	assert_null(strchr(err, '\n'));
}

/* ---- bzImage ---- */

static void test_bzimage_good(void **state)
{
	size_t len;
	uint8_t *img = make_bzimage(&len);
	struct kernel_info ki;
	assert_int_equal(kernel_probe(img, len, &ki, err, sizeof(err)), 0);
	assert_int_equal(ki.format, KERNEL_BZIMAGE);
	assert_int_equal(ki.protocol, 0x020f);
	assert_int_equal(ki.setup_bytes, BZ_SETUP_BYTES);
	assert_int_equal(ki.payload_offset, BZ_SETUP_BYTES);
	assert_int_equal(ki.payload_size, BZ_PAYLOAD);
	assert_int_equal(ki.initrd_addr_max, 0x7fffffff);
	assert_int_equal(ki.cmdline_size, 2047);
	assert_int_equal(ki.init_size, 4 * MiB);

	/* The 0xAA55 boot flag is optional. */
	bz_hdr(img)->boot_flag = 0;
	assert_int_equal(kernel_probe(img, len, &ki, err, sizeof(err)), 0);
	/* Trailing bytes after the payload are fine. */
	uint8_t *big = calloc(1, len + 100);
	memcpy(big, img, len);
	assert_int_equal(kernel_probe(big, len + 100, &ki, err, sizeof(err)), 0);
	assert_int_equal(ki.payload_size, BZ_PAYLOAD);
	free(big);
	free(img);
}

static void test_bzimage_setup_sects_zero(void **state)
{
	size_t len;
	uint8_t *img = make_bzimage(&len);
	bz_hdr(img)->setup_sects = 0; /* means 4 */
	struct kernel_info ki;
	assert_int_equal(kernel_probe(img, len, &ki, err, sizeof(err)), 0);
	assert_int_equal(ki.setup_bytes, 5 * 512);

	bz_hdr(img)->setup_sects = 8; /* payload would start past the file */
	expect_einval(img, len, "truncated");
	free(img);
}

static void test_too_short(void **state)
{
	size_t len;
	uint8_t *img = make_bzimage(&len);
	expect_einval(img, 0, "short");
	expect_einval(img, 3, "short");
	expect_einval(img, 0x100, "short");
	expect_einval(img, 0x205, "short");
	expect_einval(img, 0x206, "truncated");
	expect_einval(img, 0x208, "truncated"); /* HdrS, half a header */
	expect_einval(img, 0x240, "truncated");
	expect_einval(NULL, 0, "short");
	free(img);
}

static void test_bad_magic(void **state)
{
	size_t len;
	uint8_t *img = make_bzimage(&len);
	memcpy(img + 0x202, "HdrT", 4);
	expect_einval(img, len, "not a Linux kernel");
	memset(img, 0, len);
	expect_einval(img, len, "neither a bzImage nor an ELF");
	free(img);
}

static void test_old_protocol(void **state)
{
	size_t len;
	uint8_t *img = make_bzimage(&len);
	bz_hdr(img)->version = 0x020b;
	expect_einval(img, len, "kernel too old: boot protocol 2.0b has no 64-bit entry");
	bz_hdr(img)->version = 0x0204;
	expect_einval(img, len, "too old");
	bz_hdr(img)->version = 0x020c; /* the first with xloadflags: fine */
	struct kernel_info ki;
	assert_int_equal(kernel_probe(img, len, &ki, err, sizeof(err)), 0);
	free(img);
}

static void test_no_64bit(void **state)
{
	size_t len;
	uint8_t *img = make_bzimage(&len);
	bz_hdr(img)->xloadflags = 0;
	expect_einval(img, len, "64-bit");
	free(img);
}

static void test_not_loaded_high(void **state)
{
	size_t len;
	uint8_t *img = make_bzimage(&len);
	bz_hdr(img)->loadflags = 0;
	expect_einval(img, len, "LOADED_HIGH");
	free(img);
}

static void test_truncated_payload(void **state)
{
	size_t len;
	uint8_t *img = make_bzimage(&len);
	expect_einval(img, len - 1, "truncated");
	expect_einval(img, BZ_SETUP_BYTES, "truncated");
	bz_hdr(img)->syssize = 0xffffffff; /* 64 GiB: no wrap */
	expect_einval(img, len, "truncated");
	bz_hdr(img)->syssize = 0;
	expect_einval(img, len, "syssize");
	free(img);
}

static void test_bad_header_length(void **state)
{
	size_t len;
	uint8_t *img = make_bzimage(&len);
	img[0x201] = 0x10; /* header would end before init_size */
	expect_einval(img, len, "setup header");
	img[0x201] = 0xff; /* header ends at 0x301, past 0x300 of... */
	bz_hdr(img)->setup_sects = 1; /* ...a 1024-byte setup: fine */
	bz_hdr(img)->syssize = (uint32_t)((len - 1024) / 16);
	struct kernel_info ki;
	assert_int_equal(kernel_probe(img, len, &ki, err, sizeof(err)), 0);
	free(img);
}

/* ---- ELF ---- */

static void test_elf_good(void **state)
{
	size_t len;
	uint8_t *img = make_elf(8, &len);
	struct kernel_info ki;
	assert_int_equal(kernel_probe(img, len, &ki, err, sizeof(err)), 0);
	assert_int_equal(ki.format, KERNEL_PVH_ELF);
	assert_int_equal(ki.pvh_entry, ELF_ENTRY);
	assert_int_equal(ki.load_start, ELF_PADDR);
	assert_int_equal(ki.load_end, ELF_PADDR + ELF_LOAD_MEMSZ);
	free(img);

	img = make_elf(4, &len);
	assert_int_equal(kernel_probe(img, len, &ki, err, sizeof(err)), 0);
	assert_int_equal(ki.pvh_entry, ELF_ENTRY);
	free(img);
}

static void test_elf_segments_api(void **state)
{
	size_t len;
	uint8_t *img = make_elf(8, &len);
	struct kernel_elf_segment segs[4];
	unsigned int nr;
	assert_int_equal(kernel_elf_segments(img, len, segs, 4, &nr, err,
					     sizeof(err)),
			 0);
	assert_int_equal(nr, 1);
	assert_int_equal(segs[0].paddr, ELF_PADDR);
	assert_int_equal(segs[0].offset, ELF_LOAD_OFF);
	assert_int_equal(segs[0].filesz, ELF_LOAD_FILESZ);
	assert_int_equal(segs[0].memsz, ELF_LOAD_MEMSZ);
	assert_int_equal(kernel_elf_segments(img, len, segs, 0, &nr, err,
					     sizeof(err)),
			 -EINVAL);
	free(img);
}

static void test_elf32(void **state)
{
	uint8_t img[0x400] = { 0 };
	Elf32_Ehdr *eh = (Elf32_Ehdr *)img;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_machine = EM_386;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf32_Phdr);
	eh->e_phnum = 2;
	Elf32_Phdr *ph = (Elf32_Phdr *)(img + sizeof(*eh));
	uint32_t entry = 0x1000010;
	size_t nlen = put_note(img + 0x100, "Xen", XEN_ELFNOTE_PHYS32_ENTRY,
			       &entry, 4);
	ph[0] = (Elf32_Phdr){ .p_type = PT_NOTE, .p_offset = 0x100,
			      .p_filesz = (uint32_t)nlen };
	ph[1] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = 0x200,
			      .p_paddr = 0x1000000, .p_filesz = 0x200,
			      .p_memsz = 0x1000 };
	struct kernel_info ki;
	assert_int_equal(kernel_probe(img, sizeof(img), &ki, err, sizeof(err)), 0);
	assert_int_equal(ki.pvh_entry, 0x1000010);
	assert_int_equal(ki.load_end, 0x1001000);

	eh->e_machine = EM_X86_64; /* a 32-bit class needs i386 */
	expect_einval(img, sizeof(img), "machine");
}

static void test_elf_bad_header(void **state)
{
	size_t len;
	uint8_t *img = make_elf(8, &len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;

	expect_einval(img, 10, "truncated");
	expect_einval(img, 40, "truncated");
	eh->e_machine = EM_AARCH64;
	expect_einval(img, len, "machine");
	eh->e_machine = EM_X86_64;
	eh->e_ident[EI_DATA] = ELFDATA2MSB;
	expect_einval(img, len, "endian");
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_CLASS] = 7;
	expect_einval(img, len, "class");
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_phentsize = 8;
	expect_einval(img, len, "e_phentsize");
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 0;
	expect_einval(img, len, "program headers");
	free(img);
}

static void test_elf_phdrs_past_end(void **state)
{
	size_t len;
	uint8_t *img = make_elf(8, &len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;

	eh->e_phoff = len - 60;
	expect_einval(img, len, "program headers");
	eh->e_phoff = UINT64_MAX - 8; /* offset + size wraps */
	expect_einval(img, len, "program headers");
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_phnum = 0xfffe;
	expect_einval(img, len, "program headers");
	eh->e_phnum = 2;
	eh->e_phentsize = 0xffff;
	expect_einval(img, len, "program headers");
	free(img);
}

static void test_elf_bad_segments(void **state)
{
	size_t len;
	uint8_t *img = make_elf(8, &len);
	Elf64_Phdr *load = elf_ph(img, 0);

	load->p_filesz = load->p_memsz + 1;
	expect_einval(img, len, "p_filesz");
	load->p_filesz = ELF_LOAD_FILESZ;

	load->p_offset = len - 0x100; /* file range past the end */
	expect_einval(img, len, "truncated");
	load->p_offset = UINT64_MAX - 0x10; /* offset + filesz wraps */
	expect_einval(img, len, "truncated");
	load->p_offset = ELF_LOAD_OFF;

	load->p_paddr = UINT64_MAX - 0x1000; /* paddr + memsz wraps */
	expect_einval(img, len, "overflow");
	load->p_paddr = ELF_PADDR;

	load->p_type = PT_NULL; /* no PT_LOAD at all */
	expect_einval(img, len, "loadable");
	load->p_type = PT_LOAD;

	/* Entry outside every segment. */
	load->p_paddr = 0x2000000;
	expect_einval(img, len, "outside");
	free(img);
}

static void test_elf_bad_notes(void **state)
{
	size_t len;
	uint8_t *img = make_elf(8, &len);
	Elf64_Phdr *note = elf_ph(img, 1);
	uint32_t v;

	/* Huge namesz in the first note. */
	v = 0xffffffff;
	memcpy(img + ELF_NOTE_OFF, &v, 4);
	expect_einval(img, len, "note");
	v = 0xfffffff0;
	memcpy(img + ELF_NOTE_OFF, &v, 4);
	expect_einval(img, len, "note");
	v = 4;
	memcpy(img + ELF_NOTE_OFF, &v, 4);

	/* Huge descsz. */
	v = 0xffffffff;
	memcpy(img + ELF_NOTE_OFF + 4, &v, 4);
	expect_einval(img, len, "note");
	v = 20;
	memcpy(img + ELF_NOTE_OFF + 4, &v, 4);

	/* The Xen note's desc of a size that is no address. */
	v = 6;
	memcpy(img + XEN_NOTE_OFF + 4, &v, 4);
	expect_einval(img, len, "descsz");
	v = 8;
	memcpy(img + XEN_NOTE_OFF + 4, &v, 4);

	/* Note area past the end of the file, or wrapping. */
	note->p_offset = len - 4;
	expect_einval(img, len, "note");
	note->p_offset = UINT64_MAX - 4;
	expect_einval(img, len, "note");
	note->p_offset = ELF_NOTE_OFF;

	/* An entry above 4 GiB in an 8-byte desc. */
	uint64_t far = 0x100000000ull;
	memcpy(img + XEN_NOTE_OFF + 16, &far, 8);
	expect_einval(img, len, "4 GiB");
	free(img);
}

static void test_elf_no_pvh_note(void **state)
{
	size_t len;
	uint8_t *img = make_elf(8, &len);
	const char *msg =
		"ELF kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)";

	uint32_t t = 17; /* another Xen note */
	memcpy(img + XEN_NOTE_OFF + 8, &t, 4);
	expect_einval(img, len, msg);
	t = XEN_ELFNOTE_PHYS32_ENTRY;
	memcpy(img + XEN_NOTE_OFF + 8, &t, 4);

	memcpy(img + XEN_NOTE_OFF + 12, "Xex", 4); /* wrong owner */
	expect_einval(img, len, msg);
	memcpy(img + XEN_NOTE_OFF + 12, "Xen", 4);

	elf_ph(img, 1)->p_type = PT_NULL; /* no PT_NOTE, no sections */
	expect_einval(img, len, msg);
	free(img);
}

/* A note reachable only through an SHT_NOTE section. */
static void test_elf_note_in_section(void **state)
{
	size_t len;
	uint8_t *img = make_elf(8, &len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *note = elf_ph(img, 1);
	uint64_t noff = note->p_offset, nsize = note->p_filesz;
	note->p_type = PT_NULL;

	Elf64_Shdr *sh = (Elf64_Shdr *)(img + 0x400);
	memset(sh, 0, 2 * sizeof(*sh));
	sh[1].sh_type = SHT_NOTE;
	sh[1].sh_offset = noff;
	sh[1].sh_size = nsize;
	eh->e_shoff = 0x400;
	eh->e_shnum = 2;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	struct kernel_info ki;
	assert_int_equal(kernel_probe(img, len, &ki, err, sizeof(err)), 0);
	assert_int_equal(ki.pvh_entry, ELF_ENTRY);

	sh[1].sh_size = UINT64_MAX; /* malformed section: refused */
	expect_einval(img, len, "note");
	free(img);
}

/* Random corruption of good images must never crash (ASan/UBSan watch)
 * and anything accepted must be self-consistent. */
static void test_mutations(void **state)
{
	srand(1234);
	for (int round = 0; round < 4000; round++) {
		size_t len;
		uint8_t *img = round & 1 ? make_elf(8, &len) : make_bzimage(&len);
		size_t span = round & 1 ? 0x300 : 0x280;
		int flips = 1 + rand() % 6;
		for (int i = 0; i < flips; i++) {
			size_t at = (size_t)rand() % span;
			img[at] = (uint8_t)(rand() & 1 ? rand() : 0xff);
		}
		size_t cut = rand() % 8 == 0 ? (size_t)rand() % len : len;
		struct kernel_info ki;
		int ret = kernel_probe(img, cut, &ki, err, sizeof(err));
		if (ret == 0 && ki.format == KERNEL_BZIMAGE)
			assert_true(ki.payload_offset + ki.payload_size <= cut);
		else if (ret == 0)
			assert_true(ki.pvh_entry >= ki.load_start &&
				    ki.pvh_entry < ki.load_end);
		else
			assert_true(ret == -EINVAL && err[0]);
		free(img);
	}
}

/* ---- the real kernels, when present ---- */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);
		if (n > 0 && fseek(f, 0, SEEK_SET) == 0) {
			buf = malloc((size_t)n);
			if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
				free(buf);
				buf = NULL;
			}
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static void test_real_bzimage(void **state)
{
	glob_t g;
	if (glob("/boot/vmlinuz-*", 0, NULL, &g) != 0) {
		skip();
		return;
	}
	int probed = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		size_t len;
		uint8_t *img = read_file(g.gl_pathv[i], &len);
		if (!img)
			continue; /* unreadable (permissions): nothing to say */
		struct kernel_info ki;
		int ret = kernel_probe(img, len, &ki, err, sizeof(err));
		if (ret)
			fail_msg("%s: %s", g.gl_pathv[i], err);
		assert_int_equal(ki.format, KERNEL_BZIMAGE);
		assert_true(ki.protocol >= 0x20c);
		assert_true(ki.payload_offset + ki.payload_size <= len);
		print_message("%s: protocol %x, payload %llu bytes, init_size %u, cmdline_size %u, initrd_addr_max 0x%x\n",
			      g.gl_pathv[i], ki.protocol,
			      (unsigned long long)ki.payload_size, ki.init_size,
			      ki.cmdline_size, ki.initrd_addr_max);
		probed++;
		free(img);
	}
	globfree(&g);
	if (!probed)
		skip();
}

static void test_real_vmlinux(void **state)
{
	static const char *paths[] = { "build/guest/vmlinux",
				       "../../build/guest/vmlinux" };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		size_t len;
		uint8_t *img = read_file(paths[i], &len);
		if (!img)
			continue;
		struct kernel_info ki;
		int ret = kernel_probe(img, len, &ki, err, sizeof(err));
		if (ret)
			fail_msg("%s: %s", paths[i], err);
		assert_int_equal(ki.format, KERNEL_PVH_ELF);
		print_message("%s: PVH entry 0x%x, loads [0x%llx, 0x%llx)\n",
			      paths[i], ki.pvh_entry,
			      (unsigned long long)ki.load_start,
			      (unsigned long long)ki.load_end);
		free(img);
		return;
	}
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bzimage_good),
		cmocka_unit_test(test_bzimage_setup_sects_zero),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_old_protocol),
		cmocka_unit_test(test_no_64bit),
		cmocka_unit_test(test_not_loaded_high),
		cmocka_unit_test(test_truncated_payload),
		cmocka_unit_test(test_bad_header_length),
		cmocka_unit_test(test_elf_good),
		cmocka_unit_test(test_elf_segments_api),
		cmocka_unit_test(test_elf32),
		cmocka_unit_test(test_elf_bad_header),
		cmocka_unit_test(test_elf_phdrs_past_end),
		cmocka_unit_test(test_elf_bad_segments),
		cmocka_unit_test(test_elf_bad_notes),
		cmocka_unit_test(test_elf_no_pvh_note),
		cmocka_unit_test(test_elf_note_in_section),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_real_bzimage),
		cmocka_unit_test(test_real_vmlinux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
