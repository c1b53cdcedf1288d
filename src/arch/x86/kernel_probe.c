/* Recognising a kernel image: a bzImage (Linux x86 boot protocol) or an
 * ELF vmlinux with a PVH entry note.
 *
 * The file is untrusted: every offset and length read from it is checked
 * against the buffer in 64-bit arithmetic that cannot wrap, and a bad file
 * is refused with -EINVAL and a one-line reason.
 */
#include "arch/x86/boot.h"

#include <asm/bootparam.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Offsets in a bzImage (Documentation/arch/x86/boot.rst). */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_SYSSIZE 0x1f4
#define BZ_JUMP 0x200
#define BZ_HEADER 0x202
#define BZ_VERSION 0x206
#define BZ_LOADFLAGS 0x211
#define BZ_INITRD_ADDR_MAX 0x22c
#define BZ_XLOADFLAGS 0x236
#define BZ_CMDLINE_SIZE 0x238
#define BZ_INIT_SIZE 0x260
#define BZ_HDR_MIN_END 0x264 /* through init_size: every 2.12+ header */

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* [off, off + size) lies inside a buffer of `len` bytes. */
static bool in_file(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~3ull;
}

/* ---- bzImage ---- */

static int probe_bzimage(const uint8_t *buf, size_t len,
			 struct kernel_info *info, char *err, size_t errlen)
{
	uint16_t protocol = rd16(buf + BZ_VERSION);

	if (protocol < 0x20c)
		return fail(err, errlen,
			    "kernel too old: boot protocol %u.%02x has no 64-bit entry",
			    protocol >> 8, protocol & 0xff);

	uint64_t hdr_end = BZ_HEADER + (uint64_t)buf[BZ_JUMP + 1];
	if (hdr_end < BZ_HDR_MIN_END)
		return fail(err, errlen,
			    "bad bzImage: setup header ends at 0x%llx, protocol %u.%02x needs 0x%x",
			    (unsigned long long)hdr_end, protocol >> 8,
			    protocol & 0xff, BZ_HDR_MIN_END);
	if (hdr_end > len)
		return fail(err, errlen,
			    "truncated bzImage: setup header ends at 0x%llx, file has %zu bytes",
			    (unsigned long long)hdr_end, len);

	uint16_t xloadflags = rd16(buf + BZ_XLOADFLAGS);
	if (!(xloadflags & XLF_KERNEL_64))
		return fail(err, errlen,
			    "kernel has no 64-bit entry: boot protocol %u.%02x without XLF_KERNEL_64 (a 32-bit kernel?)",
			    protocol >> 8, protocol & 0xff);

	uint8_t loadflags = buf[BZ_LOADFLAGS];
	if (!(loadflags & LOADED_HIGH))
		return fail(err, errlen,
			    "bad bzImage: kernel loads low (LOADED_HIGH not set in loadflags)");

	unsigned int setup_sects = buf[BZ_SETUP_SECTS];
	if (setup_sects == 0)
		setup_sects = 4;
	uint64_t setup_bytes = ((uint64_t)setup_sects + 1) * 512;
	if (hdr_end > setup_bytes)
		return fail(err, errlen,
			    "bad bzImage: setup header (0x%llx) runs past the %llu-byte setup code",
			    (unsigned long long)hdr_end,
			    (unsigned long long)setup_bytes);

	uint64_t payload_size = (uint64_t)rd32(buf + BZ_SYSSIZE) * 16;
	if (payload_size == 0)
		return fail(err, errlen, "bad bzImage: syssize is 0 (no kernel payload)");
	if (!in_file(setup_bytes, payload_size, len))
		return fail(err, errlen,
			    "truncated bzImage: setup header says %llu bytes of setup and %llu of kernel, file has %zu",
			    (unsigned long long)setup_bytes,
			    (unsigned long long)payload_size, len);

	memset(info, 0, sizeof(*info));
	info->format = KERNEL_BZIMAGE;
	info->protocol = protocol;
	info->setup_bytes = (uint32_t)setup_bytes;
	info->payload_offset = setup_bytes;
	info->payload_size = payload_size;
	info->initrd_addr_max = rd32(buf + BZ_INITRD_ADDR_MAX);
	info->cmdline_size = rd32(buf + BZ_CMDLINE_SIZE);
	info->init_size = rd32(buf + BZ_INIT_SIZE);
	if (info->initrd_addr_max == 0)
		info->initrd_addr_max = 0x37ffffff; /* protocol's default */
	if (info->cmdline_size == 0)
		info->cmdline_size = 255; /* protocol's default */
	return 0;
}

/* ---- ELF ---- */

/* One program header, whatever the class. */
struct phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

struct elf_view {
	const uint8_t *buf;
	size_t len;
	bool is64;
	uint64_t phoff, shoff;
	unsigned int phnum, shnum, phentsize, shentsize;
};

static int elf_open(const uint8_t *buf, size_t len, struct elf_view *v,
		    char *err, size_t errlen)
{
	memset(v, 0, sizeof(*v));
	v->buf = buf;
	v->len = len;
	if (len < EI_NIDENT)
		return fail(err, errlen, "truncated ELF: %zu bytes", len);
	if (buf[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "unsupported ELF kernel: not little-endian");
	if (buf[EI_VERSION] != EV_CURRENT)
		return fail(err, errlen, "bad ELF: ident version %u", buf[EI_VERSION]);

	if (buf[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		if (len < sizeof(eh))
			return fail(err, errlen, "truncated ELF: %zu bytes, header needs %zu",
				    len, sizeof(eh));
		memcpy(&eh, buf, sizeof(eh));
		if (eh.e_machine != EM_X86_64)
			return fail(err, errlen,
				    "unsupported ELF kernel: machine %u is not x86-64",
				    eh.e_machine);
		v->is64 = true;
		v->phoff = eh.e_phoff;
		v->phnum = eh.e_phnum;
		v->phentsize = eh.e_phentsize;
		v->shoff = eh.e_shoff;
		v->shnum = eh.e_shnum;
		v->shentsize = eh.e_shentsize;
		if (v->phnum && v->phentsize < sizeof(Elf64_Phdr))
			return fail(err, errlen, "bad ELF: e_phentsize %u too small",
				    v->phentsize);
		if (v->shnum && v->shentsize < sizeof(Elf64_Shdr))
			v->shnum = 0; /* unusable: ignore sections */
	} else if (buf[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;
		if (len < sizeof(eh))
			return fail(err, errlen, "truncated ELF: %zu bytes, header needs %zu",
				    len, sizeof(eh));
		memcpy(&eh, buf, sizeof(eh));
		if (eh.e_machine != EM_386)
			return fail(err, errlen,
				    "unsupported ELF kernel: 32-bit machine %u is not i386",
				    eh.e_machine);
		v->phoff = eh.e_phoff;
		v->phnum = eh.e_phnum;
		v->phentsize = eh.e_phentsize;
		v->shoff = eh.e_shoff;
		v->shnum = eh.e_shnum;
		v->shentsize = eh.e_shentsize;
		if (v->phnum && v->phentsize < sizeof(Elf32_Phdr))
			return fail(err, errlen, "bad ELF: e_phentsize %u too small",
				    v->phentsize);
		if (v->shnum && v->shentsize < sizeof(Elf32_Shdr))
			v->shnum = 0;
	} else {
		return fail(err, errlen, "bad ELF: unknown class %u", buf[EI_CLASS]);
	}

	if (v->phnum == 0)
		return fail(err, errlen, "bad ELF kernel: no program headers");
	if (v->phnum == PN_XNUM)
		return fail(err, errlen, "bad ELF kernel: extended program header count unsupported");
	if (!in_file(v->phoff, (uint64_t)v->phnum * v->phentsize, len))
		return fail(err, errlen,
			    "truncated ELF: %u program headers at offset 0x%llx run past the end of the %zu-byte file",
			    v->phnum, (unsigned long long)v->phoff, len);
	if (v->shnum && !in_file(v->shoff, (uint64_t)v->shnum * v->shentsize, len))
		v->shnum = 0; /* sections are only a fallback for notes */
	return 0;
}

static void elf_phdr(const struct elf_view *v, unsigned int i, struct phdr *ph)
{
	const uint8_t *p = v->buf + v->phoff + (uint64_t)i * v->phentsize;
	if (v->is64) {
		Elf64_Phdr h;
		memcpy(&h, p, sizeof(h));
		*ph = (struct phdr){ h.p_type, h.p_offset, h.p_paddr, h.p_filesz,
				     h.p_memsz };
	} else {
		Elf32_Phdr h;
		memcpy(&h, p, sizeof(h));
		*ph = (struct phdr){ h.p_type, h.p_offset, h.p_paddr, h.p_filesz,
				     h.p_memsz };
	}
}

/* Section header i as (type, offset, size). */
static void elf_shdr(const struct elf_view *v, unsigned int i, uint32_t *type,
		     uint64_t *off, uint64_t *size)
{
	const uint8_t *p = v->buf + v->shoff + (uint64_t)i * v->shentsize;
	if (v->is64) {
		Elf64_Shdr h;
		memcpy(&h, p, sizeof(h));
		*type = h.sh_type;
		*off = h.sh_offset;
		*size = h.sh_size;
	} else {
		Elf32_Shdr h;
		memcpy(&h, p, sizeof(h));
		*type = h.sh_type;
		*off = h.sh_offset;
		*size = h.sh_size;
	}
}

int kernel_elf_segments(const uint8_t *buf, size_t len,
			struct kernel_elf_segment *out, unsigned int max,
			unsigned int *nr, char *err, size_t errlen)
{
	struct elf_view v;
	int ret = elf_open(buf, len, &v, err, errlen);
	if (ret)
		return ret;

	*nr = 0;
	for (unsigned int i = 0; i < v.phnum; i++) {
		struct phdr ph;
		elf_phdr(&v, i, &ph);
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (ph.filesz > ph.memsz)
			return fail(err, errlen,
				    "bad ELF kernel: segment %u has p_filesz 0x%llx > p_memsz 0x%llx",
				    i, (unsigned long long)ph.filesz,
				    (unsigned long long)ph.memsz);
		if (!in_file(ph.offset, ph.filesz, len))
			return fail(err, errlen,
				    "truncated ELF: segment %u at offset 0x%llx size 0x%llx runs past the end of the %zu-byte file",
				    i, (unsigned long long)ph.offset,
				    (unsigned long long)ph.filesz, len);
		if (ph.paddr + ph.memsz < ph.paddr)
			return fail(err, errlen,
				    "bad ELF kernel: segment %u at 0x%llx size 0x%llx overflows the address space",
				    i, (unsigned long long)ph.paddr,
				    (unsigned long long)ph.memsz);
		if (*nr >= max)
			return fail(err, errlen,
				    "bad ELF kernel: more than %u loadable segments", max);
		out[(*nr)++] = (struct kernel_elf_segment){
			.paddr = ph.paddr,
			.offset = ph.offset,
			.filesz = ph.filesz,
			.memsz = ph.memsz,
		};
	}
	if (*nr == 0)
		return fail(err, errlen, "bad ELF kernel: no loadable segments");
	return 0;
}

/* Search the notes in [off, off + size) of the file for Xen's
 * PHYS32_ENTRY. Returns 1 and the entry when found, 0 when absent, or
 * -EINVAL for a malformed note. */
static int find_pvh_note(const uint8_t *buf, size_t len, uint64_t off,
			 uint64_t size, uint32_t *entry, char *err,
			 size_t errlen)
{
	if (!in_file(off, size, len))
		return fail(err, errlen,
			    "truncated ELF: note area at offset 0x%llx size 0x%llx runs past the end of the file",
			    (unsigned long long)off, (unsigned long long)size);
	const uint8_t *p = buf + off;
	uint64_t pos = 0;

	while (size - pos >= 12) {
		uint64_t namesz = rd32(p + pos);
		uint64_t descsz = rd32(p + pos + 4);
		uint32_t type = rd32(p + pos + 8);
		uint64_t name = pos + 12;
		uint64_t desc = name + align4(namesz);
		/* pos, namesz and descsz are < 2^32 here: no 64-bit wrap. The
		 * last note's padding may be missing. */
		if (desc > size || descsz > size - desc)
			return fail(err, errlen,
				    "bad ELF note at offset 0x%llx: namesz %llu / descsz %llu run past the note area",
				    (unsigned long long)(off + pos),
				    (unsigned long long)namesz,
				    (unsigned long long)descsz);
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
		    memcmp(p + name, "Xen", 4) == 0) {
			uint64_t e;
			if (descsz == 4)
				e = rd32(p + desc);
			else if (descsz == 8)
				e = rd64(p + desc);
			else
				return fail(err, errlen,
					    "bad PVH entry note: descsz %llu (want 4 or 8)",
					    (unsigned long long)descsz);
			if (e > UINT32_MAX)
				return fail(err, errlen,
					    "bad PVH entry note: entry 0x%llx is above 4 GiB",
					    (unsigned long long)e);
			*entry = (uint32_t)e;
			return 1;
		}
		pos = desc + align4(descsz);
		if (pos >= size)
			break;
	}
	return 0;
}

static int probe_elf(const uint8_t *buf, size_t len, struct kernel_info *info,
		     char *err, size_t errlen)
{
	struct kernel_elf_segment segs[KERNEL_ELF_MAX_LOADS];
	unsigned int nr;
	int ret = kernel_elf_segments(buf, len, segs, KERNEL_ELF_MAX_LOADS, &nr,
				      err, errlen);
	if (ret)
		return ret;

	struct elf_view v;
	ret = elf_open(buf, len, &v, err, errlen);
	if (ret)
		return ret;

	uint32_t entry = 0;
	int found = 0;
	for (unsigned int i = 0; i < v.phnum && !found; i++) {
		struct phdr ph;
		elf_phdr(&v, i, &ph);
		if (ph.type != PT_NOTE)
			continue;
		found = find_pvh_note(buf, len, ph.offset, ph.filesz, &entry,
				      err, errlen);
		if (found < 0)
			return found;
	}
	for (unsigned int i = 0; i < v.shnum && !found; i++) {
		uint32_t type;
		uint64_t off, size;
		elf_shdr(&v, i, &type, &off, &size);
		if (type != SHT_NOTE)
			continue;
		found = find_pvh_note(buf, len, off, size, &entry, err, errlen);
		if (found < 0)
			return found;
	}
	if (!found)
		return fail(err, errlen,
			    "ELF kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");

	uint64_t start = UINT64_MAX, end = 0;
	for (unsigned int i = 0; i < nr; i++) {
		if (segs[i].paddr < start)
			start = segs[i].paddr;
		if (segs[i].paddr + segs[i].memsz > end)
			end = segs[i].paddr + segs[i].memsz;
	}
	if (entry < start || entry >= end)
		return fail(err, errlen,
			    "bad ELF kernel: PVH entry 0x%x outside its segments [0x%llx, 0x%llx)",
			    entry, (unsigned long long)start,
			    (unsigned long long)end);

	memset(info, 0, sizeof(*info));
	info->format = KERNEL_PVH_ELF;
	info->pvh_entry = entry;
	info->load_start = start;
	info->load_end = end;
	return 0;
}

int kernel_probe(const uint8_t *buf, size_t len, struct kernel_info *info,
		 char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!buf || len < 4)
		return fail(err, errlen,
			    "not a Linux kernel: file too short (%zu bytes)", len);
	if (memcmp(buf, ELFMAG, SELFMAG) == 0)
		return probe_elf(buf, len, info, err, errlen);
	/* The 0xAA55 boot flag at 0x1fe is optional; "HdrS" is not. */
	if (len >= BZ_HEADER + 4 && memcmp(buf + BZ_HEADER, "HdrS", 4) == 0) {
		if (len < BZ_VERSION + 2)
			return fail(err, errlen,
				    "truncated bzImage: %zu bytes", len);
		return probe_bzimage(buf, len, info, err, errlen);
	}
	if (len < BZ_HEADER + 4)
		return fail(err, errlen,
			    "not a Linux kernel: file too short (%zu bytes) for a bzImage header or ELF",
			    len);
	return fail(err, errlen,
		    "not a Linux kernel: neither a bzImage nor an ELF vmlinux with a PVH note");
}
