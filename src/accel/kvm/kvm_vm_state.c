/* The VM-wide state KVM keeps for us: the in-kernel PICs and IOAPIC, the
 * PIT, and the kvmclock. Saved as one versioned blob in KVM's own layouts:
 * only the KVM backend reads it back (the software CPU will bring its own
 * interrupt controllers and its own section). */
#include "accel/kvm/kvm_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#define KVM_VM_STATE_MAGIC 0x4b564d53u /* "KVMS" */
#define KVM_VM_STATE_VERSION 1

struct kvm_vm_state {
	uint32_t magic;
	uint32_t version;
	uint32_t size;     /* sizeof(struct kvm_vm_state) when saved */
	uint32_t reserved;
	struct kvm_irqchip chip[3]; /* PIC master, PIC slave, IOAPIC */
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
};

size_t kvm_vm_state_size(void)
{
	return sizeof(struct kvm_vm_state);
}

int kvm_vm_save(struct accel *a, void *buf, size_t cap, size_t *len)
{
	struct kvm_vm_state s;
	if (cap < sizeof(s))
		return -ENOSPC;
	memset(&s, 0, sizeof(s));
	s.magic = KVM_VM_STATE_MAGIC;
	s.version = KVM_VM_STATE_VERSION;
	s.size = sizeof(s);
	for (unsigned int i = 0; i < 3; i++) {
		s.chip[i].chip_id = i;
		if (ioctl(a->vm_fd, KVM_GET_IRQCHIP, &s.chip[i]) < 0)
			return -errno;
	}
	if (ioctl(a->vm_fd, KVM_GET_PIT2, &s.pit) < 0 ||
	    ioctl(a->vm_fd, KVM_GET_CLOCK, &s.clock) < 0)
		return -errno;
	memcpy(buf, &s, sizeof(s));
	*len = sizeof(s);
	return 0;
}

int kvm_vm_restore(struct accel *a, const void *buf, size_t len, char *err,
		   size_t errlen)
{
	struct kvm_vm_state s;
	if (len != sizeof(s)) {
		snprintf(err, errlen, "KVM VM state: %zu bytes, expected %zu", len,
			 sizeof(s));
		return -EINVAL;
	}
	memcpy(&s, buf, sizeof(s));
	if (s.magic != KVM_VM_STATE_MAGIC || s.version != KVM_VM_STATE_VERSION ||
	    s.size != sizeof(s) || s.reserved) {
		snprintf(err, errlen, "KVM VM state: bad header (version %u)", s.version);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < 3; i++) {
		if (s.chip[i].chip_id != i || s.chip[i].pad) {
			snprintf(err, errlen, "KVM VM state: interrupt controller %u malformed", i);
			return -EINVAL;
		}
	}
	for (unsigned int i = 0; i < 3; i++) {
		if (ioctl(a->vm_fd, KVM_SET_IRQCHIP, &s.chip[i]) < 0) {
			int e = errno;
			snprintf(err, errlen, "KVM_SET_IRQCHIP %u: %s", i, strerror(e));
			return -e;
		}
	}
	if (ioctl(a->vm_fd, KVM_SET_PIT2, &s.pit) < 0) {
		int e = errno;
		snprintf(err, errlen, "KVM_SET_PIT2: %s", strerror(e));
		return -e;
	}
	/* Only the clock value: the flags of a saved clock (TSC_STABLE,
	 * REALTIME ...) describe the old host, not requests to this one. */
	struct kvm_clock_data clock = { .clock = s.clock.clock };
	if (ioctl(a->vm_fd, KVM_SET_CLOCK, &clock) < 0) {
		int e = errno;
		snprintf(err, errlen, "KVM_SET_CLOCK: %s", strerror(e));
		return -e;
	}
	return 0;
}
