/* Private to the KVM backend. */
#ifndef KILN_ACCEL_KVM_INTERNAL_H
#define KILN_ACCEL_KVM_INTERNAL_H

#include "accel/accel.h"
#include "arch/x86/cpu_state.h"

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>

struct accel {
	int kvm_fd;
	int vm_fd;
	int run_size; /* KVM_GET_VCPU_MMAP_SIZE */
	struct kvm_cpuid2 *supported_cpuid;
	struct guest_mem *mem;
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
int kvm_vcpu_restore(struct accel_vcpu *v, const struct x86_vcpu_state *s,
		     char *err, size_t errlen);

void kvm_segment_from_x86(struct kvm_segment *k, const struct x86_segment *s);

int kvm_vcpu_setup_cpuid(struct accel_vcpu *v, unsigned int nr_cpus);
int kvm_vcpu_setup_msrs(struct accel_vcpu *v);
int kvm_vcpu_setup_lapic(struct accel_vcpu *v);

#endif
