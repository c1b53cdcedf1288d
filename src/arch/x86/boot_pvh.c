/* Booting an uncompressed ELF vmlinux through its PVH entry point
 * (XEN_ELFNOTE_PHYS32_ENTRY): the PT_LOAD segments are copied to their
 * physical addresses, and the kernel is entered in 32-bit protected mode
 * with paging off and struct hvm_start_info in EBX.
 */
#include "arch/x86/boot.h"
#include "arch/x86/layout.h"
#include "core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MiB (1ull << 20)
#define PAGE_SIZE 4096ull

/* Zero [gpa, gpa + len) of guest RAM (the caller checked it is RAM). */
static int zero_guest(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	static const uint8_t zeros[64 * 1024];

	while (len) {
		uint64_t n = min_u64(len, sizeof(zeros));
		int ret = guest_mem_write(mem, gpa, zeros, n);
		if (ret)
			return ret;
		gpa += n;
		len -= n;
	}
	return 0;
}

static int load_segments(struct guest_mem *mem, const struct boot_request *req,
			 uint64_t *kernel_end, char *err, size_t errlen)
{
	struct kernel_elf_segment segs[KERNEL_ELF_MAX_LOADS];
	unsigned int nr;
	int ret = kernel_elf_segments(req->kernel, req->kernel_len, segs,
				      KERNEL_ELF_MAX_LOADS, &nr, err, errlen);
	if (ret)
		return ret;

	*kernel_end = 0;
	for (unsigned int i = 0; i < nr; i++) {
		const struct kernel_elf_segment *s = &segs[i];
		if (s->paddr < X86_HIMEM_START)
			return errmsg(-EINVAL, err, errlen,
				    "ELF kernel segment at 0x%llx overlaps the boot structures below 1 MiB",
				    (unsigned long long)s->paddr);
		if (!guest_mem_is_ram(mem, s->paddr, s->memsz))
			return errmsg(-ENOSPC, err, errlen,
				    "ELF kernel segment [0x%llx, 0x%llx) lies outside guest RAM",
				    (unsigned long long)s->paddr,
				    (unsigned long long)(s->paddr + s->memsz));
		if (s->paddr + s->memsz > *kernel_end)
			*kernel_end = s->paddr + s->memsz;
	}
	/* All checked: now copy. */
	for (unsigned int i = 0; i < nr; i++) {
		const struct kernel_elf_segment *s = &segs[i];
		ret = guest_mem_write(mem, s->paddr, req->kernel + s->offset,
				      s->filesz);
		if (!ret)
			ret = zero_guest(mem, s->paddr + s->filesz,
					 s->memsz - s->filesz);
		if (ret)
			return errmsg(ret, err, errlen,
				    "cannot write ELF kernel segment at 0x%llx",
				    (unsigned long long)s->paddr);
	}
	return 0;
}

int x86_boot_load_pvh(struct guest_mem *mem, const struct boot_request *req,
		      struct x86_boot_cpu *cpu, char *err, size_t errlen)
{
	const struct kernel_info *ki = req->info;
	uint64_t low_end = guest_mem_low_end(mem);
	uint64_t kernel_end;
	int ret;

	ret = load_segments(mem, req, &kernel_end, err, errlen);
	if (ret)
		return ret;
	if (ki->pvh_entry < X86_HIMEM_START || ki->pvh_entry >= kernel_end)
		return errmsg(-EINVAL, err, errlen,
			    "PVH entry 0x%x is not inside the loaded kernel",
			    ki->pvh_entry);

	ret = x86_write_cmdline(mem, req->cmdline, X86_PVH_CMDLINE_MAX,
				"kernel's", err, errlen);
	if (ret)
		return ret;

	struct hvm_start_info si = {
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = 1,
		.cmdline_paddr = X86_CMDLINE,
		.rsdp_paddr = req->rsdp_addr,
		.memmap_paddr = X86_PVH_MEMMAP,
	};

	if (req->initrd && req->initrd_len) {
		uint64_t lo = (kernel_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		uint64_t hi = min_u64(low_end, X86_4GIB);
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
		struct hvm_modlist_entry mod = {
			.paddr = addr,
			.size = req->initrd_len,
		};
		ret = guest_mem_write(mem, X86_PVH_MODLIST, &mod, sizeof(mod));
		if (ret)
			return errmsg(ret, err, errlen, "cannot write the PVH module list");
		si.nr_modules = 1;
		si.modlist_paddr = X86_PVH_MODLIST;
	}

	struct e820_entry map[X86_PVH_MEMMAP_MAX];
	struct hvm_memmap_table_entry mm[X86_PVH_MEMMAP_MAX];
	unsigned int n = e820_build(mem, map, X86_PVH_MEMMAP_MAX);
	for (unsigned int i = 0; i < n; i++)
		mm[i] = (struct hvm_memmap_table_entry){
			.addr = map[i].addr,
			.size = map[i].size,
			.type = map[i].type,
		};
	si.memmap_entries = n;

	ret = guest_mem_write(mem, X86_PVH_MEMMAP, mm, n * sizeof(mm[0]));
	if (!ret)
		ret = guest_mem_write(mem, X86_PVH_START_INFO, &si, sizeof(si));
	if (!ret)
		ret = x86_boot_setup_cpu(mem, X86_BOOT_PROTECTED_MODE, cpu);
	if (ret)
		return errmsg(ret, err, errlen,
			    "cannot write hvm_start_info, memory map or GDT");

	cpu->rip = ki->pvh_entry;
	cpu->rbx = X86_PVH_START_INFO;
	cpu->rsp = X86_BOOT_STACK;
	return 0;
}
