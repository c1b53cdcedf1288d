/* What a PC's firmware does when the CPU jumps to its reset vector: reboot.
 *
 * Kiln boots Linux directly, with no BIOS, yet Linux can still end up at
 * f000:fff0. On hardware-reduced ACPI without EFI it picks the "BIOS"
 * reboot method (machine_real_restart) and jumps there in real mode. A few
 * bytes at that address write the ACPI reset value to the reset register,
 * so that path ends in a clean reboot instead of the CPU wandering through
 * zeroed memory.
 */
#ifndef KILN_ARCH_X86_RESET_VECTOR_H
#define KILN_ARCH_X86_RESET_VECTOR_H

#include "core/guest_mem.h"

#define X86_RESET_VECTOR 0xffff0ull /* f000:fff0 */

int x86_write_reset_vector(struct guest_mem *mem)
	__attribute__((warn_unused_result));

#endif
