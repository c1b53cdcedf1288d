/* KVM dirty page logging on the RAM memslots (slot i = RAM region i). */
#include "accel/kvm/kvm_internal.h"
#include "core/dirty_bitmap.h"
#include "core/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

static int set_slot_flags(struct accel *a, unsigned int i, uint32_t flags)
{
	const struct guest_mem_region *r = &a->mem->regions[i];
	struct kvm_userspace_memory_region region = {
		.slot = i,
		.flags = flags,
		.guest_phys_addr = r->gpa,
		.memory_size = r->size,
		.userspace_addr = (uint64_t)(uintptr_t)r->host,
	};
	return ioctl(a->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0 ? -errno : 0;
}

int kvm_dirty_log_start(struct accel *a)
{
	if (a->dirty_logging)
		return -EALREADY;
	uint64_t most = 0;
	for (unsigned int i = 0; i < a->mem->nr_regions; i++) {
		uint64_t p = guest_mem_region_pages(a->mem, i);
		most = p > most ? p : most;
	}
	if (!a->dirty_scratch) {
		a->dirty_scratch = calloc(dirty_bitmap_words(most), sizeof(uint64_t));
		if (!a->dirty_scratch)
			return -ENOMEM;
	}
	/* Manual protect is a VM-wide switch that stays on; the kernel takes
	 * it only before any slot logs (so try it the first time). */
	if (!a->manual_protect &&
	    ioctl(a->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) > 0) {
		struct kvm_enable_cap cap = {
			.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
			.args = { KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE },
		};
		a->manual_protect = ioctl(a->vm_fd, KVM_ENABLE_CAP, &cap) == 0;
	}
	for (unsigned int i = 0; i < a->mem->nr_regions; i++) {
		int e = set_slot_flags(a, i, KVM_MEM_LOG_DIRTY_PAGES);
		if (e) {
			while (i--)
				(void)set_slot_flags(a, i, 0);
			return e;
		}
	}
	a->dirty_logging = true;
	pr_debug("kvm: dirty logging on (%s)", a->manual_protect
		 ? "manual protect, KVM_CLEAR_DIRTY_LOG" : "KVM_GET_DIRTY_LOG");
	return 0;
}

void kvm_dirty_log_stop(struct accel *a)
{
	if (!a->dirty_logging)
		return;
	for (unsigned int i = 0; i < a->mem->nr_regions; i++)
		if (set_slot_flags(a, i, 0))
			pr_warn("kvm: cannot stop dirty logging on slot %u: %s", i,
				strerror(errno));
	a->dirty_logging = false;
}

int kvm_dirty_log_fetch(struct accel *a, unsigned int region, uint64_t *bitmap)
{
	if (!a->dirty_logging || region >= a->mem->nr_regions)
		return -EINVAL;
	uint64_t pages = guest_mem_region_pages(a->mem, region);
	size_t words = dirty_bitmap_words(pages);
	memset(a->dirty_scratch, 0, words * sizeof(uint64_t));
	struct kvm_dirty_log log = { .slot = region };
	log.dirty_bitmap = a->dirty_scratch;
	if (ioctl(a->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
		return -errno;
	if (a->manual_protect) {
		/* Re-protect exactly what we took: a page dirtied after the
		 * GET stays set for the next fetch. */
		struct kvm_clear_dirty_log clear = {
			.slot = region,
			.first_page = 0,
			.num_pages = (uint32_t)pages,
		};
		clear.dirty_bitmap = a->dirty_scratch;
		if (ioctl(a->vm_fd, KVM_CLEAR_DIRTY_LOG, &clear) < 0)
			return -errno;
	}
	for (size_t i = 0; i < words; i++)
		bitmap[i] |= a->dirty_scratch[i];
	return 0;
}
