/* Every piece of a paused VM's state except its RAM, as stream records:
 * the accelerator's VM-wide state, each vCPU, and each device. Snapshots
 * and live migration both use it; RAM travels separately (a memory file,
 * or pages on the wire).
 *
 * Records (name, version, instance):
 *   "ram-layout" 1 0   the RAM regions (gpa, size): must match the receiver's
 *   "accel-kvm"  1 0   the accelerator's blob (interrupt controllers, PIT, clock)
 *   "vcpu"       1 i   struct x86_vcpu_state of vCPU i
 *   "uart" "rtc" "i8042"   1 0   the legacy devices' state structs
 *   "pci-devices" 1 0  how many virtio devices the sender had
 *   "pci-host"   1 0   the host bridge's config space
 *   "virtio"     1 i   virtio device i: struct virtio_pci_state (transport,
 *                      PCI config, MSI-X, queues), then the device's own
 *                      bytes if it has any
 * Loading insists on each exactly once, nothing unknown, and validates
 * every struct before it touches the VM.
 */
#ifndef KILN_MIGRATION_VM_STATE_H
#define KILN_MIGRATION_VM_STATE_H

#include "core/vm.h"
#include "migration/stream.h"

#include <stddef.h>

/* 0 if the VM's accelerator can save and load its state, else -ENOTSUP
 * with a reason in err (call it before writing anything). */
int vm_state_supported(struct vm *vm, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The VM must be paused (vm_pause) with its devices quiesced. Writes the
 * records; 0 or -errno with a reason in err. */
int vm_state_save(struct vm *vm, struct mig_writer *w, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Into a VM built from the same configuration whose vCPUs have not run:
 * reads records up to and including "end". 0 or -errno with a reason. */
int vm_state_load(struct vm *vm, struct mig_reader *r, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Quiesce or restart the devices that work on their own threads (virtio),
 * around a save. pause: 0 or -EOPNOTSUPP if a device cannot be paused
 * (then nothing stays paused). */
int vm_devices_pause(struct vm *vm, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void vm_devices_resume(struct vm *vm);

#endif
