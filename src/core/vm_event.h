/* Events a device raises toward the VMM: the guest asked to power off or
 * reboot, or its kernel panicked. Devices report them through this small
 * sink and never act on the process themselves. */
#ifndef KILN_CORE_VM_EVENT_H
#define KILN_CORE_VM_EVENT_H

enum vm_event {
	VM_EVENT_NONE = 0,
	VM_EVENT_POWEROFF,
	VM_EVENT_REBOOT,
	VM_EVENT_PANIC,
	VM_EVENT_FAILED, /* Kiln cannot go on running the guest */
	VM_EVENT_QUIT,   /* the user quit from the console */
	VM_EVENT_MIGRATED, /* the guest runs on a migration's destination now */
};

struct vm_event_sink {
	void (*raise)(void *ctx, enum vm_event event);
	void *ctx;
};

static inline void vm_event_raise(const struct vm_event_sink *sink,
				  enum vm_event event)
{
	if (sink && sink->raise)
		sink->raise(sink->ctx, event);
}

#endif
