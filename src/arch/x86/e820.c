/* The guest's e820 memory map, derived from guest_mem so the two always
 * agree. Below 1 MiB the PC layout applies: RAM up to the EBDA, then the
 * EBDA, VGA hole and BIOS area (where the ACPI tables live) reserved. The
 * 32-bit PCI hole is MMIO and left out of the map.
 */
#include "arch/x86/boot.h"
#include "arch/x86/layout.h"
#include "core/util.h"

static unsigned int add(struct e820_entry *out, unsigned int n,
			unsigned int max, uint64_t start, uint64_t end,
			uint32_t type)
{
	if (end <= start || n >= max)
		return n;
	/* Merge with the previous entry when contiguous and of one type. */
	if (n && out[n - 1].type == type &&
	    out[n - 1].addr + out[n - 1].size == start) {
		out[n - 1].size += end - start;
		return n;
	}
	out[n] = (struct e820_entry){ .addr = start, .size = end - start,
				      .type = type };
	return n + 1;
}

unsigned int e820_build(const struct guest_mem *mem, struct e820_entry *out,
			unsigned int max)
{
	const struct guest_mem_region *sorted[GUEST_MEM_MAX_REGIONS];
	unsigned int nr = mem->nr_regions < GUEST_MEM_MAX_REGIONS ?
				  mem->nr_regions :
				  GUEST_MEM_MAX_REGIONS;

	/* Regions in address order (insertion sort: at most 8). */
	for (unsigned int i = 0; i < nr; i++) {
		const struct guest_mem_region *r = &mem->regions[i];
		unsigned int j = i;
		while (j && sorted[j - 1]->gpa > r->gpa) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = r;
	}

	unsigned int n = 0;
	for (unsigned int i = 0; i < nr; i++) {
		uint64_t start = sorted[i]->gpa;
		uint64_t end = start + sorted[i]->size;
		if (end < start) /* cannot happen for a valid guest_mem */
			end = UINT64_MAX;

		/* RAM below the EBDA. */
		if (start < X86_EBDA_START)
			n = add(out, n, max, start, min_u64(end, X86_EBDA_START),
				E820_RAM);
		/* The legacy hole [EBDA, 1 MiB): reserved where RAM backs it. */
		if (start < X86_HIMEM_START && end > X86_EBDA_START)
			n = add(out, n, max, max_u64(start, X86_EBDA_START),
				min_u64(end, X86_HIMEM_START), E820_RESERVED);
		/* RAM from 1 MiB up. */
		if (end > X86_HIMEM_START)
			n = add(out, n, max, max_u64(start, X86_HIMEM_START), end,
				E820_RAM);
	}
	return n;
}
