/* Guest-physical memory: the one owner of the guest's RAM map.
 *
 * RAM is a small set of regions, each a contiguous host mapping. Device
 * code never keeps raw pointers into guest memory: it goes through the
 * checked helpers below, which refuse any range that overflows or does not
 * lie wholly inside one RAM region.
 */
#ifndef KILN_CORE_GUEST_MEM_H
#define KILN_CORE_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_MAX_REGIONS 8

enum guest_mem_backing {
	GUEST_MEM_ANON,   /* private anonymous memory (default) */
	GUEST_MEM_MEMFD,  /* shared=on: a memfd another process can map */
	GUEST_MEM_HUGETLB /* hugepages=on: memfd on 2 MiB hugetlbfs pages */
};

struct guest_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;   /* mapping of [gpa, gpa + size) */
	int fd;          /* memfd, or -1 for anonymous memory */
	uint64_t fd_offset;
};

struct guest_mem {
	struct guest_mem_region regions[GUEST_MEM_MAX_REGIONS];
	unsigned int nr_regions;
	uint64_t ram_size; /* total bytes of RAM over all regions */
	enum guest_mem_backing backing;
	/* Pages Kiln's own threads wrote while dirty logging is on (the
	 * accelerator logs only the vCPUs' writes): one bitmap per region,
	 * allocated by the first guest_mem_dirty_log_start, kept until
	 * guest_mem_destroy so a late marker never sees it freed. */
	uint64_t *dirty[GUEST_MEM_MAX_REGIONS];
	/* The log kernel data paths (vhost) write: one bit per page of
	 * guest-physical address from 0 up to the end of the highest region,
	 * bit n of byte n / 8 (VHOST_SET_LOG_BASE's layout, which on x86 is
	 * the same as the bitmaps' words). Allocated and kept like them. */
	uint64_t *vhost_log;
	bool dirty_logging;
};

#define GUEST_PAGE_SIZE 4096ull

/* Lay out `ram_size` bytes of RAM like a PC: below the 32-bit PCI hole
 * (which starts at `hole_start` and ends at 4 GiB), the rest above 4 GiB.
 * Returns 0 or -errno; on failure nothing is left mapped. */
int guest_mem_init(struct guest_mem *mem, uint64_t ram_size,
		   uint64_t hole_start, enum guest_mem_backing backing)
	__attribute__((warn_unused_result));

/* Use caller-provided host buffers as regions (unit tests, fake memory). */
int guest_mem_init_fake(struct guest_mem *mem, uint8_t *buf, uint64_t gpa,
			uint64_t size) __attribute__((warn_unused_result));

void guest_mem_destroy(struct guest_mem *mem);

/* Host pointer for [gpa, gpa + len) only if the whole range lies in one RAM
 * region; NULL otherwise (including len == 0 overflow cases). */
void *guest_mem_slice(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* Copy to/from guest RAM. The range may span regions only if they are
 * adjacent and all of it is RAM. Return 0 or -EFAULT. */
int guest_mem_read(const struct guest_mem *mem, uint64_t gpa, void *dst,
		   uint64_t len) __attribute__((warn_unused_result));
int guest_mem_write(struct guest_mem *mem, uint64_t gpa, const void *src,
		    uint64_t len) __attribute__((warn_unused_result));

bool guest_mem_is_ram(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* A snapshot's memory file holds the regions one after another, each at a
 * 4 KiB-aligned offset (guest_mem_file_offset), with holes where the guest
 * had only zeros. */
uint64_t guest_mem_file_offset(const struct guest_mem *mem, unsigned int region);

/* Write every region to fd (which is truncated to the full size first);
 * pages of zeros are left as holes. 0 or -errno. */
int guest_mem_save_file(const struct guest_mem *mem, int fd)
	__attribute__((warn_unused_result));

/* Load RAM from such a file (its size must match exactly). Anonymous RAM
 * maps the file privately in place, so a page is read on the guest's first
 * touch (copy-on-write: the file never changes); memfd and hugetlbfs RAM,
 * which other processes may share, is read in. 0 or -errno. */
int guest_mem_load_file(struct guest_mem *mem, int fd)
	__attribute__((warn_unused_result));

/* Dirty tracking of Kiln's own writes, for live migration. start: clear
 * the bitmaps and begin marking (0 or -ENOMEM); stop: marking ends. */
int guest_mem_dirty_log_start(struct guest_mem *mem)
	__attribute__((warn_unused_result));
void guest_mem_dirty_log_stop(struct guest_mem *mem);

static inline bool guest_mem_dirty_logging(const struct guest_mem *mem)
{
	return __atomic_load_n(&mem->dirty_logging, __ATOMIC_ACQUIRE);
}

/* Mark the pages of [gpa, gpa + len) that are RAM as written; nothing when
 * logging is off. Any thread. */
void guest_mem_mark_dirty(struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* The log for VHOST_SET_LOG_BASE while dirty logging is on (NULL when it
 * is off). What the kernel marks there, guest_mem_take_dirty collects. */
uint64_t *guest_mem_vhost_log(struct guest_mem *mem);

/* Pages in region i (the last one may be partial). */
uint64_t guest_mem_region_pages(const struct guest_mem *mem, unsigned int i);

/* OR region i's marks (Kiln's and the vhost log's) into dst
 * (guest_mem_region_pages bits) and clear them. */
void guest_mem_take_dirty(struct guest_mem *mem, unsigned int i, uint64_t *dst);

/* Highest guest-physical address of RAM below 4 GiB, plus one. */
uint64_t guest_mem_low_end(const struct guest_mem *mem);

#endif
