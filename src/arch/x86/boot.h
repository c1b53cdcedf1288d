/* Loading a Linux kernel and preparing the CPU state it is entered with.
 *
 * Two formats: a bzImage (Linux x86 boot protocol >= 2.06, entered at its
 * 64-bit entry point in long mode with identity-mapped page tables and
 * boot_params in RSI) and an uncompressed ELF vmlinux carrying a PVH entry
 * note (XEN_ELFNOTE_PHYS32_ENTRY, entered in 32-bit protected mode with
 * paging off and hvm_start_info in EBX). The format is recognised from the
 * file's bytes, never from its name.
 */
#ifndef KILN_ARCH_X86_BOOT_H
#define KILN_ARCH_X86_BOOT_H

#include "core/guest_mem.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kernel_format { KERNEL_BZIMAGE, KERNEL_PVH_ELF };

struct kernel_info {
	enum kernel_format format;
	/* bzImage */
	uint16_t protocol;       /* boot protocol version, e.g. 0x020f */
	uint32_t setup_bytes;    /* real-mode part incl. boot sector */
	uint64_t payload_offset; /* protected-mode kernel in the file */
	uint64_t payload_size;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;   /* max length excl. NUL */
	uint32_t init_size;      /* memory the kernel needs from its load address */
	/* PVH ELF */
	uint32_t pvh_entry;      /* 32-bit physical entry point */
	uint64_t load_start;     /* lowest physical address of PT_LOAD segments */
	uint64_t load_end;       /* one past the highest */
};

/* Recognise and validate a kernel image. Returns 0, or -EINVAL with a
 * one-line reason in `err` (e.g. "not a bzImage or PVH ELF kernel",
 * "truncated: setup header says 5 MiB, file has 2 MiB"). */
int kernel_probe(const uint8_t *buf, size_t len, struct kernel_info *info,
		 char *err, size_t errlen) __attribute__((warn_unused_result));

/* One descriptor-cache view of a segment register, as KVM and the software
 * CPU both hold it. */
struct x86_segment {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type, present, dpl, db, s, l, g, avl, unusable;
};

/* Architectural CPU state at kernel entry, independent of the accelerator. */
struct x86_boot_cpu {
	uint64_t rip, rsp, rflags, rsi, rbx, rbp, rdi;
	uint64_t cr0, cr3, cr4, efer;
	struct x86_segment cs, ds, es, fs, gs, ss, tr, ldt;
	uint64_t gdt_base, idt_base;
	uint16_t gdt_limit, idt_limit;
};

struct boot_request {
	const uint8_t *kernel;
	size_t kernel_len;
	const struct kernel_info *info;
	const uint8_t *initrd; /* may be NULL */
	size_t initrd_len;
	const char *cmdline;   /* may be NULL or empty */
	uint64_t rsdp_addr;    /* where the ACPI RSDP was placed (PVH start info) */
};

/* Copy the kernel, initramfs and command line into guest memory, build
 * boot_params or hvm_start_info (with an e820 map that agrees with `mem`),
 * boot GDT and page tables, and fill `cpu` with the boot vCPU's entry
 * state. Returns 0 or -errno with a one-line reason in `err` ("initramfs
 * of 900 MiB does not fit below 0x37ffffff", "command line longer than
 * the kernel's 2047 bytes", ...). */
int x86_boot_load(struct guest_mem *mem, const struct boot_request *req,
		  struct x86_boot_cpu *cpu, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The e820 map for `mem` (RAM, reserved EBDA/BIOS area, reserved PCI hole
 * MMIO is left out). Returns the number of entries written (<= max). */
struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
unsigned int e820_build(const struct guest_mem *mem, struct e820_entry *out,
			unsigned int max);

/* The smallest guest Kiln boots: the boot structures, page tables and a
 * kernel need some room; x86_boot_load refuses less RAM below 4 GiB. */
#define X86_MIN_GUEST_RAM (16ull << 20)

/* PVH boot: Xen's public arch-x86/hvm/start_info.h, version 1. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define XEN_HVM_START_MAGIC_VALUE 0x336ec578u
#define X86_PVH_CMDLINE_MAX 2047 /* COMMAND_LINE_SIZE of x86, less the NUL */
#define X86_PVH_MEMMAP_MAX 128   /* entries that fit before X86_ZERO_PAGE */

struct hvm_start_info {
	uint32_t magic;          /* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;        /* 1: memmap fields are valid */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;  /* struct hvm_modlist_entry[nr_modules] */
	uint64_t cmdline_paddr;  /* NUL-terminated, or 0 */
	uint64_t rsdp_paddr;     /* ACPI RSDP, or 0 */
	uint64_t memmap_paddr;   /* struct hvm_memmap_table_entry[] */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;           /* E820_* */
	uint32_t reserved;
};

/* A PT_LOAD segment of an ELF kernel, checked against the file: the file
 * range [offset, offset + filesz) lies in the file, filesz <= memsz and
 * [paddr, paddr + memsz) does not wrap. */
struct kernel_elf_segment {
	uint64_t paddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
};
#define KERNEL_ELF_MAX_LOADS 32

/* Validate an ELF kernel's header and program headers and return its
 * non-empty PT_LOAD segments (at most `max`). 0 or -EINVAL with a reason. */
int kernel_elf_segments(const uint8_t *buf, size_t len,
			struct kernel_elf_segment *out, unsigned int max,
			unsigned int *nr, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Per-format loaders behind x86_boot_load (which checks the common
 * preconditions first); exposed for tests. */
int x86_boot_load_bzimage(struct guest_mem *mem, const struct boot_request *req,
			  struct x86_boot_cpu *cpu, char *err, size_t errlen)
	__attribute__((warn_unused_result));
int x86_boot_load_pvh(struct guest_mem *mem, const struct boot_request *req,
		      struct x86_boot_cpu *cpu, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Helpers shared by the two loaders (boot_linux.c). */
enum x86_boot_mode { X86_BOOT_LONG_MODE, X86_BOOT_PROTECTED_MODE };
/* Write the boot GDT at X86_GDT_ADDR and fill cpu's segments, GDT and
 * control registers for `mode` (rip and the argument registers are left to
 * the caller). */
int x86_boot_setup_cpu(struct guest_mem *mem, enum x86_boot_mode mode,
		       struct x86_boot_cpu *cpu) __attribute__((warn_unused_result));
/* Highest page-aligned address at which `len` bytes fit in [lo, hi), or
 * -ENOSPC with a reason naming `what`. */
int x86_place_high(const char *what, uint64_t len, uint64_t lo, uint64_t hi,
		   uint64_t *addr, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Copy `cmdline` (NULL = empty) and its NUL to X86_CMDLINE if it is at most
 * `max` bytes long; -EINVAL naming the limit otherwise. */
int x86_write_cmdline(struct guest_mem *mem, const char *cmdline, size_t max,
		      const char *whose, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
