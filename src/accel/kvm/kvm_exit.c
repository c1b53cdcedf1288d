/* Decoding a KVM exit record. Kept pure so unit tests can feed it
 * synthetic kvm_run pages; the I/O data area lies inside the shared page,
 * and a data_offset that would point past it is treated as an error rather
 * than trusted. */
#include "accel/kvm/kvm_internal.h"

#include <string.h>

static void set_error(struct vcpu_exit *exit, uint64_t code, const char *desc)
{
	exit->reason = VCPU_EXIT_ERROR;
	exit->error_code = code;
	exit->error_desc = desc;
}

void kvm_decode_exit(struct kvm_run *run, size_t run_size,
		     struct vcpu_exit *exit)
{
	memset(exit, 0, sizeof(*exit));
	switch (run->exit_reason) {
	case KVM_EXIT_IO: {
		uint64_t bytes = (uint64_t)run->io.size * run->io.count;
		if (run->io.size == 0 || run->io.size > 4 || run->io.count == 0 ||
		    run->io.data_offset > run_size ||
		    bytes > run_size - run->io.data_offset) {
			set_error(exit, KVM_EXIT_IO, "malformed port I/O exit");
			return;
		}
		exit->reason = VCPU_EXIT_PIO;
		exit->addr = run->io.port;
		exit->size = run->io.size;
		exit->count = run->io.count;
		exit->is_write = run->io.direction == KVM_EXIT_IO_OUT;
		exit->data = (uint8_t *)run + run->io.data_offset;
		return;
	}
	case KVM_EXIT_MMIO:
		if (run->mmio.len == 0 || run->mmio.len > 8) {
			set_error(exit, KVM_EXIT_MMIO, "malformed MMIO exit");
			return;
		}
		exit->reason = VCPU_EXIT_MMIO;
		exit->addr = run->mmio.phys_addr;
		exit->size = run->mmio.len;
		exit->count = 1;
		exit->is_write = run->mmio.is_write;
		exit->data = run->mmio.data;
		return;
	case KVM_EXIT_SHUTDOWN:
		exit->reason = VCPU_EXIT_SHUTDOWN;
		return;
	case KVM_EXIT_SYSTEM_EVENT:
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN:
			exit->reason = VCPU_EXIT_POWEROFF;
			return;
		case KVM_SYSTEM_EVENT_RESET:
			exit->reason = VCPU_EXIT_RESET;
			return;
		case KVM_SYSTEM_EVENT_CRASH:
			exit->reason = VCPU_EXIT_CRASH;
			return;
		}
		set_error(exit, run->system_event.type, "unknown system event");
		return;
	case KVM_EXIT_INTR:
	case KVM_EXIT_HLT: /* the in-kernel LAPIC handles HLT; nothing to do */
		exit->reason = VCPU_EXIT_INTERRUPTED;
		return;
	case KVM_EXIT_FAIL_ENTRY:
		set_error(exit, run->fail_entry.hardware_entry_failure_reason,
			  "VM entry failed (hardware_entry_failure_reason)");
		return;
	case KVM_EXIT_INTERNAL_ERROR:
		set_error(exit, run->internal.suberror,
			  "KVM internal error (suberror)");
		return;
	default:
		set_error(exit, run->exit_reason, "unhandled KVM exit reason");
		return;
	}
}
