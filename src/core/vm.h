/* A virtual machine: guest memory, the two buses, the accelerator, the
 * vCPU threads and the devices. Everything hangs off this struct; there is
 * no global VM state, so unit tests and (later) several VMs per process
 * can each have their own.
 */
#ifndef KILN_CORE_VM_H
#define KILN_CORE_VM_H

#include "accel/accel.h"
#include "bus/io_bus.h"
#include "core/guest_mem.h"
#include "core/vm_event.h"

#include <pthread.h>
#include <stdbool.h>

struct uart;
struct cmos_rtc;
struct i8042;
struct pci_bus;
struct pci_host;
struct pci_alloc;
struct virtio_pci;
struct pc_msi_routes;

enum vcpu_state { VCPU_CREATED, VCPU_RUNNING, VCPU_STOPPED };

struct vcpu {
	struct vm *vm;
	unsigned int index;
	struct accel_vcpu *accel;
	pthread_t thread;
	enum vcpu_state state;
	bool thread_started;
	uint64_t exits; /* counter for the API / debugging */
};

#define VM_MAX_VCPUS 255

struct vm {
	struct guest_mem mem;
	struct io_bus pio;
	struct io_bus mmio;
	const struct accel_ops *accel_ops;
	struct accel *accel;

	unsigned int nr_vcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];

	/* The first event the guest raises decides how Kiln exits; the main
	 * thread waits on event_fd for it. */
	enum vm_event event;
	int event_fd;
	bool stopping;
	struct vm_event_sink events;

	/* Pause: vm_pause() asks every vCPU thread to park between two
	 * KVM_RUNs, at a point where no exit is half handled, and waits until
	 * all have; vm_resume() lets them go. run_lock guards both fields. */
	pthread_mutex_t run_lock;
	pthread_cond_t run_cond;
	bool pause_requested;
	unsigned int vcpus_parked;
	bool paused;      /* vm_pause() returned and no vm_resume() since */
	/* CLOCK_REALTIME in ns when a vCPU first went to enter the guest,
	 * 0 before (run_lock; run_cond is broadcast when it is set). */
	uint64_t first_entry_ns;

	/* Legacy PC devices. */
	struct uart *com1;
	struct cmos_rtc *rtc;
	struct i8042 *kbd;

	/* PCI bus 0 behind 0xCF8/0xCFC and ECAM, with its host bridge, and
	 * the PCI devices on it. */
	struct pci_bus *pci;
	struct pci_host *pci_host;
	struct pci_alloc *pci_mem_window; /* where BARs are placed */
	/* Virtio devices on the PCI bus, each with its transport and its
	 * MSI-X vectors' KVM irqfds (see machine/pc_pci.c). */
	struct vm_virtio_slot {
		struct virtio_pci *transport;
		void *device;
		void (*destroy_device)(void *device);
		struct pc_msi_routes *msi;
	} virtio[16];
	unsigned int nr_virtio;

	/* Set by the machine builder: frees what it added beyond the legacy
	 * devices. Runs after the vCPUs stopped, before the accelerator goes. */
	void (*machine_teardown)(struct vm *vm);
};

/* Set up the empty shell: buses, event fd. Returns 0 or -errno. */
int vm_init(struct vm *vm) __attribute__((warn_unused_result));

/* Record `event` (first one wins), wake the main thread, stop the vCPUs. */
void vm_raise_event(struct vm *vm, enum vm_event event);

/* Wait until the guest raises an event; returns it. */
enum vm_event vm_wait_event(struct vm *vm);

/* Park every vCPU (they finish the instruction in flight first, so their
 * state is complete and could be saved). 0, -EALREADY if already paused,
 * -ESHUTDOWN if the VM is stopping. Safe from any thread but a vCPU's. */
int vm_pause(struct vm *vm) __attribute__((warn_unused_result));
/* Let parked vCPUs run again. 0 or -EALREADY if not paused. */
int vm_resume(struct vm *vm) __attribute__((warn_unused_result));
bool vm_is_paused(struct vm *vm);
/* Before vm_start_vcpus: the vCPUs park before their first instruction and
 * the VM reads as paused until vm_resume (a VM restored through the API
 * waits for vm.resume, as Cloud Hypervisor's does). */
void vm_start_paused(struct vm *vm);

/* Start one thread per vCPU. Returns 0 or -errno. */
int vm_start_vcpus(struct vm *vm) __attribute__((warn_unused_result));

/* Wait until a vCPU thread has gone to enter the guest (vm_start_vcpus
 * started them), at most `timeout_ms`. 0 (vm->first_entry_ns is set),
 * -ETIMEDOUT, or -ESHUTDOWN if the VM stopped first. */
int vm_wait_first_entry(struct vm *vm, unsigned int timeout_ms)
	__attribute__((warn_unused_result));

/* Stop every vCPU thread and log its registers. */
void vm_dump_vcpus(struct vm *vm);

/* Stop and join every vCPU thread, then free everything. */
void vm_destroy(struct vm *vm);

/* The accelerator-neutral half of a vCPU exit: dispatch it to the buses.
 * Returns false when the vCPU must stop. Exposed for unit tests. */
bool vcpu_handle_exit(struct vm *vm, struct vcpu *vcpu,
		      struct vcpu_exit *exit);

#endif
