/* Private to the KVM backend. */
#ifndef KILN_ACCEL_KVM_INTERNAL_H
#define KILN_ACCEL_KVM_INTERNAL_H

#include "accel/accel.h"
#include "arch/x86/cpu_state.h"

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>

/* One MSI route Kiln added to KVM's GSI routing table (kvm_irq.c). */
struct kvm_msi_route {
	bool used;
	int fd; /* the irqfd bound to the route's GSI */
	uint64_t addr;
	uint32_t data;
};

/* GSIs 0-23 are the in-kernel IOAPIC pins (0-15 also the PICs'); MSI
 * routes take GSIs from KVM_MSI_GSI_BASE up, route handle n = GSI base + n. */
#define KVM_IOAPIC_PINS 24
#define KVM_MSI_GSI_BASE KVM_IOAPIC_PINS
#define KVM_MSI_ROUTES_MAX 1024

struct accel {
	int kvm_fd;
	int vm_fd;
	int run_size; /* KVM_GET_VCPU_MMAP_SIZE */
	struct kvm_cpuid2 *supported_cpuid;
	struct guest_mem *mem;

	/* Optional capabilities (kvm_irq.c); without them those ops return
	 * -ENOTSUP. */
	bool has_irq_routing, has_irqfd, has_ioeventfd, has_ioeventfd_any_len,
		has_signal_msi;
	/* The whole GSI routing table is republished on every change:
	 * route_lock orders the changes (I/O and vCPU threads call in). */
	pthread_mutex_t route_lock;
	struct kvm_msi_route *msi_routes;
	unsigned int nr_msi_routes; /* slots allocated in msi_routes */
	unsigned int max_msi_routes;

	/* Dirty logging (kvm_dirty.c): KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2
	 * lets a fetch re-protect only the pages it took (KVM_CLEAR_DIRTY_LOG)
	 * instead of KVM_GET_DIRTY_LOG doing it all at once. */
	bool dirty_logging, manual_protect;
	uint64_t *dirty_scratch; /* one bitmap as large as the largest region */
};

struct accel_vcpu {
	struct accel *vm;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_known;
};

/* Decode one exit record into the accelerator-neutral form. Pure: tests
 * feed it synthetic records. `run_size` bounds the I/O data area. */
void kvm_decode_exit(struct kvm_run *run, size_t run_size,
		     struct vcpu_exit *exit);

int kvm_vcpu_create(struct accel *a, unsigned int index, unsigned int nr_cpus,
		    struct accel_vcpu **out, char *err, size_t errlen);
int kvm_vcpu_set_boot_state(struct accel_vcpu *v, const struct x86_boot_cpu *cpu);
int kvm_vcpu_run(struct accel_vcpu *v, struct vcpu_exit *exit);
void kvm_vcpu_kick(struct accel_vcpu *v);
void kvm_vcpu_dump(struct accel_vcpu *v);
void kvm_vcpu_destroy(struct accel_vcpu *v);
int kvm_vcpu_save(struct accel_vcpu *v, struct x86_vcpu_state *s);
size_t kvm_vm_state_size(void);
int kvm_vm_save(struct accel *a, void *buf, size_t cap, size_t *len);
int kvm_vm_restore(struct accel *a, const void *buf, size_t len, char *err,
		   size_t errlen);
int kvm_vcpu_restore(struct accel_vcpu *v, const struct x86_vcpu_state *s,
		     char *err, size_t errlen);

int kvm_dirty_log_start(struct accel *a);
void kvm_dirty_log_stop(struct accel *a);
int kvm_dirty_log_fetch(struct accel *a, unsigned int region, uint64_t *bitmap);

void kvm_segment_from_x86(struct kvm_segment *k, const struct x86_segment *s);

int kvm_vcpu_setup_cpuid(struct accel_vcpu *v, unsigned int nr_cpus);
int kvm_vcpu_setup_msrs(struct accel_vcpu *v);
int kvm_vcpu_setup_lapic(struct accel_vcpu *v);

/* kvm_irq.c: init (right after allocating the accel), probe the optional
 * interrupt capabilities once /dev/kvm is open (never fails), and free the
 * route table (from kvm_destroy). */
void kvm_irq_init(struct accel *a);
void kvm_irq_probe(struct accel *a);
void kvm_irq_destroy(struct accel *a);
int kvm_signal_msi(struct accel *a, uint64_t addr, uint32_t data);
int kvm_msi_irqfd_add(struct accel *a, int fd, uint64_t addr, uint32_t data);
int kvm_msi_irqfd_update(struct accel *a, int route, uint64_t addr,
			 uint32_t data);
void kvm_msi_irqfd_remove(struct accel *a, int route);
int kvm_ioeventfd_add(struct accel *a, uint64_t addr, uint32_t len, bool pio,
		      int fd);
void kvm_ioeventfd_remove(struct accel *a, uint64_t addr, uint32_t len,
			  bool pio, int fd);

#endif
