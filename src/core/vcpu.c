/* The vCPU thread: run the guest until an exit, hand the exit to the
 * buses, repeat until the VM stops. */
#include "core/log.h"
#include "core/vm.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static uint64_t load_le(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void store_le(uint8_t *p, unsigned int size, uint64_t v)
{
	for (unsigned int i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void dispatch_io(struct io_bus *bus, struct vcpu_exit *exit)
{
	for (uint32_t i = 0; i < exit->count; i++) {
		uint8_t *p = exit->data + (size_t)i * exit->size;
		if (exit->is_write) {
			io_bus_write(bus, exit->addr, exit->size,
				     load_le(p, exit->size));
		} else {
			uint64_t v;
			io_bus_read(bus, exit->addr, exit->size, &v);
			store_le(p, exit->size, v);
		}
	}
}

bool vcpu_handle_exit(struct vm *vm, struct vcpu *vcpu, struct vcpu_exit *exit)
{
	/* one writer (this thread); the API reads it from another */
	__atomic_store_n(&vcpu->exits, vcpu->exits + 1, __ATOMIC_RELAXED);
	switch (exit->reason) {
	case VCPU_EXIT_INTERRUPTED:
		return !__atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE);
	case VCPU_EXIT_PIO:
		dispatch_io(&vm->pio, exit);
		return true;
	case VCPU_EXIT_MMIO:
		dispatch_io(&vm->mmio, exit);
		return true;
	case VCPU_EXIT_SHUTDOWN:
		/* A guest that triple-faults is usually a broken one: say so,
		 * with its registers, rather than pass it off as a reboot. */
		pr_warn("vcpu %u: triple fault, the guest resets", vcpu->index);
		if (vm->accel_ops->vcpu_dump)
			vm->accel_ops->vcpu_dump(vcpu->accel);
		vm_raise_event(vm, VM_EVENT_REBOOT);
		return false;
	case VCPU_EXIT_RESET:
		vm_raise_event(vm, VM_EVENT_REBOOT);
		return false;
	case VCPU_EXIT_POWEROFF:
		vm_raise_event(vm, VM_EVENT_POWEROFF);
		return false;
	case VCPU_EXIT_CRASH:
		vm_raise_event(vm, VM_EVENT_PANIC);
		return false;
	case VCPU_EXIT_ERROR:
		pr_err("vcpu %u: %s: 0x%llx", vcpu->index, exit->error_desc,
		       (unsigned long long)exit->error_code);
		if (vm->accel_ops->vcpu_dump)
			vm->accel_ops->vcpu_dump(vcpu->accel);
		vm_raise_event(vm, VM_EVENT_FAILED);
		return false;
	}
	return true;
}

/* Wait here while a pause is requested. Only called after an interrupted
 * KVM_RUN: the kick set immediate_exit, so a port or MMIO read the guest
 * was doing has been completed by KVM before it returned. */
static void park(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	pthread_mutex_lock(&vm->run_lock);
	if (vm->pause_requested) {
		vm->vcpus_parked++;
		pthread_cond_broadcast(&vm->run_cond);
		/* Timed: vm_raise_event (signal-handler safe) sets `stopping`
		 * without the lock, so it cannot wake us. */
		while (vm->pause_requested &&
		       !__atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE)) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&vm->run_cond, &vm->run_lock, &ts);
		}
		vm->vcpus_parked--;
	}
	pthread_mutex_unlock(&vm->run_lock);
}

/* The first vCPU to get here stamps the time (a migration's destination
 * acknowledges only then, and logs it). */
static void note_first_entry(struct vm *vm)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	pthread_mutex_lock(&vm->run_lock);
	if (!vm->first_entry_ns) {
		vm->first_entry_ns = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
		pthread_cond_broadcast(&vm->run_cond);
	}
	pthread_mutex_unlock(&vm->run_lock);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	struct vcpu_exit exit;

	__atomic_store_n(&vcpu->state, VCPU_RUNNING, __ATOMIC_RELEASE);
	/* vm_start_paused: nothing is in flight before the first run. */
	if (__atomic_load_n(&vm->pause_requested, __ATOMIC_ACQUIRE))
		park(vcpu);
	note_first_entry(vm);
	while (!__atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE)) {
		int err = vm->accel_ops->vcpu_run(vcpu->accel, &exit);
		if (err) {
			pr_err("vcpu %u: run failed: %s", vcpu->index,
			       strerror(-err));
			vm_raise_event(vm, VM_EVENT_FAILED);
			break;
		}
		if (!vcpu_handle_exit(vm, vcpu, &exit))
			break;
		if (exit.reason == VCPU_EXIT_INTERRUPTED &&
		    __atomic_load_n(&vm->pause_requested, __ATOMIC_ACQUIRE))
			park(vcpu);
	}
	__atomic_store_n(&vcpu->state, VCPU_STOPPED, __ATOMIC_RELEASE);
	return NULL;
}

int vm_start_vcpus(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		int err = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (err)
			return -err;
		v->thread_started = true;
	}
	return 0;
}

int vm_wait_first_entry(struct vm *vm, unsigned int timeout_ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	uint64_t now = (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
	uint64_t end = now + timeout_ms;
	int e = 0;
	pthread_mutex_lock(&vm->run_lock);
	while (!vm->first_entry_ns) {
		if (__atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE)) {
			e = -ESHUTDOWN;
			break;
		}
		if (now >= end) {
			e = -ETIMEDOUT;
			break;
		}
		/* In 10 ms steps: `stopping` is set without the lock. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&vm->run_cond, &vm->run_lock, &ts);
		clock_gettime(CLOCK_MONOTONIC, &t);
		now = (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
	}
	pthread_mutex_unlock(&vm->run_lock);
	return e;
}
