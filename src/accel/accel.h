/* The accelerator seam: what the machine asks of whatever runs guest code.
 *
 * KVM is the first backend; the software CPU will be the second. Both see
 * the same guest memory, the same buses and the same devices; nothing
 * outside src/accel/ includes a backend's headers.
 */
#ifndef KILN_ACCEL_ACCEL_H
#define KILN_ACCEL_ACCEL_H

#include "arch/x86/boot.h"
#include "arch/x86/cpu_state.h"
#include "core/guest_mem.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why vcpu_run returned, already decoded from the backend's own record. */
enum vcpu_exit_reason {
	VCPU_EXIT_INTERRUPTED, /* kicked or a signal: check for commands */
	VCPU_EXIT_PIO,
	VCPU_EXIT_MMIO,
	VCPU_EXIT_SHUTDOWN,    /* triple fault: a PC resets */
	VCPU_EXIT_RESET,       /* the backend saw a reset request */
	VCPU_EXIT_POWEROFF,    /* the backend saw a power-off request */
	VCPU_EXIT_CRASH,
	VCPU_EXIT_ERROR,       /* the backend cannot continue this vCPU */
};

struct vcpu_exit {
	enum vcpu_exit_reason reason;
	/* PIO and MMIO: `count` accesses of `size` bytes at `addr` (string
	 * port I/O repeats); `data` holds count*size bytes, written by the
	 * VMM for reads before the next run. */
	uint64_t addr;
	uint32_t size;
	uint32_t count;
	bool is_write;
	uint8_t *data;
	/* ERROR: backend-specific code and a description for the log. */
	uint64_t error_code;
	const char *error_desc;
};

struct accel;
struct accel_vcpu;
struct io_bus;

struct accel_ops {
	const char *name;
	/* Open the accelerator and map guest memory. -errno and a one-line
	 * message (e.g. "cannot open /dev/kvm: No such file or directory"). */
	int (*create)(struct accel **out, struct guest_mem *mem, char *err,
		      size_t errlen);
	void (*destroy)(struct accel *a);
	/* Optional: the machine's port-I/O and MMIO buses, for a backend
	 * that dispatches guest accesses itself on the vCPU thread instead of
	 * returning VCPU_EXIT_PIO/MMIO (the soft CPU). Called once after
	 * create, before any vCPU runs; the buses outlive the accelerator. */
	void (*attach_buses)(struct accel *a, struct io_bus *pio,
			     struct io_bus *mmio);
	/* Drive an interrupt controller input (GSI) to a level. NULL: the
	 * backend has no interrupt controller yet; the line goes nowhere. */
	void (*set_irq_line)(struct accel *a, uint32_t gsi, int level);

	/* Interrupts and doorbells that bypass the VMM's own threads. A
	 * backend without them leaves these NULL; a KVM host lacking the
	 * capability makes them return -ENOTSUP. All are callable from any
	 * thread. The caller owns every fd it passes and must remove it
	 * here before closing it.
	 *
	 * signal_msi: inject one message-signalled interrupt now (`addr` is
	 * the 64-bit MSI address, `data` the message). Returns 0 also when
	 * the guest blocks the message (e.g. an APIC that is disabled) or no
	 * APIC matches its destination (the message is lost), or -errno. */
	int (*signal_msi)(struct accel *a, uint64_t addr, uint32_t data);
	/* MSI irqfds: every write to the eventfd `fd` injects the message
	 * (addr, data) in the kernel. Returns a route handle >= 0, or -errno
	 * (-ENOSPC when all routes are taken). update() re-targets a live
	 * route when the guest reprograms its vector. There is no mask:
	 * to mask a vector, remove() its route and watch the eventfd
	 * yourself (set the pending bit when it fires); on unmask add() it
	 * again, and signal_msi() if the vector was pending. Signals the
	 * kernel consumed before remove() returned have been injected. */
	int (*msi_irqfd_add)(struct accel *a, int fd, uint64_t addr,
			     uint32_t data);
	int (*msi_irqfd_update)(struct accel *a, int route, uint64_t addr,
				uint32_t data);
	void (*msi_irqfd_remove)(struct accel *a, int route);
	/* ioeventfds: a guest write of any value to [addr, addr + len) in
	 * port I/O space (`pio`) or MMIO space signals `fd` without an exit
	 * to user space. len is 1, 2, 4 or 8 (the access must have exactly
	 * that width), or 0: any width at `addr` (MMIO; the fastest path).
	 * remove() takes the same arguments as add(). */
	int (*ioeventfd_add)(struct accel *a, uint64_t addr, uint32_t len,
			     bool pio, int fd);
	void (*ioeventfd_remove)(struct accel *a, uint64_t addr, uint32_t len,
				 bool pio, int fd);

	int (*vcpu_create)(struct accel *a, unsigned int index,
			   unsigned int nr_cpus, struct accel_vcpu **out,
			   char *err, size_t errlen);
	int (*vcpu_set_boot_state)(struct accel_vcpu *v,
				   const struct x86_boot_cpu *cpu);
	/* Run until the next exit the VMM must see. Called on the vCPU's own
	 * thread only. Returns 0 with `exit` filled, or -errno. */
	int (*vcpu_run)(struct accel_vcpu *v, struct vcpu_exit *exit);
	/* From any thread: make a running or about-to-run vcpu_run return
	 * VCPU_EXIT_INTERRUPTED promptly. */
	void (*vcpu_kick)(struct accel_vcpu *v);
	/* The accelerator's own VM-wide state (in-kernel interrupt
	 * controllers, timers, guest clock) as an opaque versioned blob that
	 * the same backend loads again; vm_state_size() bytes at most. The
	 * vCPUs must not be running. restore() checks what it can and says
	 * why in `err`. */
	/* All three NULL: the backend cannot save a VM (no snapshot or
	 * migration under it). */
	size_t (*vm_state_size)(void);
	int (*vm_save)(struct accel *a, void *buf, size_t cap, size_t *len);
	int (*vm_restore)(struct accel *a, const void *buf, size_t len,
			  char *err, size_t errlen);
	/* The vCPU's complete state as plain data, and back. The vCPU must
	 * not be running. restore() treats `s` as untrusted: it is checked,
	 * and -EINVAL comes with a reason in `err`. */
	int (*vcpu_save)(struct accel_vcpu *v, struct x86_vcpu_state *s);
	int (*vcpu_restore)(struct accel_vcpu *v, const struct x86_vcpu_state *s,
			    char *err, size_t errlen);
	/* Dirty page logging of the vCPUs' writes to RAM, for live
	 * migration (Kiln's own writes are in guest_mem's bitmaps). start:
	 * from now on every page the guest writes is logged, 0 or -errno;
	 * stop: logging ends. fetch: OR into `bitmap` (one bit per page of
	 * RAM region `region`, guest_mem_region_pages bits) the pages written
	 * since the last fetch (or start), and re-arm them: a page written
	 * after its bit was taken shows up at the next fetch. 0 or -errno.
	 * Called from one thread at a time; vCPUs may run meanwhile. */
	int (*dirty_log_start)(struct accel *a);
	void (*dirty_log_stop)(struct accel *a);
	int (*dirty_log_fetch)(struct accel *a, unsigned int region,
			       uint64_t *bitmap);
	/* Dump registers to the log (after an error). */
	void (*vcpu_dump)(struct accel_vcpu *v);
	void (*vcpu_destroy)(struct accel_vcpu *v);
};

extern const struct accel_ops kvm_accel_ops;
/* KVM's host checks without creating a VM: true if /dev/kvm opens and can
 * run Kiln's guests, else false with the reason in `why`. */
bool kvm_accel_usable(char *why, size_t whylen);
extern const struct accel_ops soft_accel_ops;

#endif
