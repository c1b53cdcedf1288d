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

struct accel_ops {
	const char *name;
	/* Open the accelerator and map guest memory. -errno and a one-line
	 * message (e.g. "cannot open /dev/kvm: No such file or directory"). */
	int (*create)(struct accel **out, struct guest_mem *mem, char *err,
		      size_t errlen);
	void (*destroy)(struct accel *a);
	/* Drive an interrupt controller input (GSI) to a level. */
	void (*set_irq_line)(struct accel *a, uint32_t gsi, int level);

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
	/* The vCPU's complete state as plain data, and back. The vCPU must
	 * not be running. restore() treats `s` as untrusted: it is checked,
	 * and -EINVAL comes with a reason in `err`. */
	int (*vcpu_save)(struct accel_vcpu *v, struct x86_vcpu_state *s);
	int (*vcpu_restore)(struct accel_vcpu *v, const struct x86_vcpu_state *s,
			    char *err, size_t errlen);
	/* Dump registers to the log (after an error). */
	void (*vcpu_dump)(struct accel_vcpu *v);
	void (*vcpu_destroy)(struct accel_vcpu *v);
};

extern const struct accel_ops kvm_accel_ops;

#endif
