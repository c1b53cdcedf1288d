/* Where things live in a Kiln guest's physical address space (x86-64).
 *
 * Low memory follows the PC: RAM from 0 to the EBDA at 639 KiB, the legacy
 * video/BIOS area reserved up to 1 MiB (ACPI tables sit in the BIOS area
 * where guests scan for the RSDP), RAM from 1 MiB to the 32-bit PCI hole
 * at 3 GiB, MMIO (PCI, IOAPIC, LAPIC) up to 4 GiB, and the rest of RAM
 * above 4 GiB.
 */
#ifndef KILN_ARCH_X86_LAYOUT_H
#define KILN_ARCH_X86_LAYOUT_H

#define X86_GDT_ADDR 0x500ull         /* boot GDT (4 entries) */
#define X86_PVH_START_INFO 0x6000ull  /* struct hvm_start_info */
#define X86_PVH_MODLIST 0x6040ull     /* one hvm_modlist_entry (initramfs) */
#define X86_PVH_MEMMAP 0x6080ull      /* hvm_memmap_table_entry[] */
#define X86_ZERO_PAGE 0x7000ull       /* Linux boot_params */
#define X86_BOOT_STACK 0x8ff0ull
#define X86_PML4 0x9000ull            /* identity page tables, 4 GiB */
#define X86_PDPT 0xa000ull
#define X86_PD 0xb000ull              /* 4 pages of 2 MiB entries */
#define X86_CMDLINE 0x20000ull
#define X86_CMDLINE_MAX 0x10000ull    /* hard cap; the kernel's is smaller */
#define X86_EBDA_START 0x9fc00ull
#define X86_BIOS_START 0xe0000ull     /* ACPI tables: RSDP scan area */
#define X86_BIOS_END 0x100000ull
#define X86_HIMEM_START 0x100000ull   /* kernel load address */

#define X86_PCI_HOLE_START 0xc0000000ull
#define X86_PCI_MMIO_START 0xc0000000ull /* 32-bit PCI BARs */
#define X86_PCI_MMIO_END 0xe0000000ull
#define X86_PCI_ECAM_BASE 0xe0000000ull  /* 256 MiB, buses 0-255 */
#define X86_PCI_ECAM_SIZE 0x10000000ull
#define X86_IOAPIC_ADDR 0xfec00000ull
#define X86_LAPIC_ADDR 0xfee00000ull
#define X86_4GIB 0x100000000ull

/* KVM needs three pages of guest-physical space for the VMX TSS and one
 * for the identity map on Intel; put them just below the IOAPIC. */
#define X86_KVM_TSS_ADDR 0xfeffd000ull
#define X86_KVM_IDENTITY_MAP 0xfeffc000ull

#endif
