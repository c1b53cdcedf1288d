#include "core/vm.h"

#include "core/log.h"
#include "devices/cmos_rtc.h"
#include "devices/i8042.h"
#include "devices/uart16550.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static void raise_from_device(void *ctx, enum vm_event event)
{
	vm_raise_event(ctx, event);
}

int vm_init(struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	io_bus_init(&vm->pio, "pio");
	io_bus_init(&vm->mmio, "mmio");
	vm->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->event_fd < 0)
		return -errno;
	vm->events = (struct vm_event_sink){ .raise = raise_from_device,
					     .ctx = vm };
	pthread_mutex_init(&vm->run_lock, NULL);
	pthread_cond_init(&vm->run_cond, NULL);
	return 0;
}

static unsigned int running_threads(struct vm *vm)
{
	unsigned int n = 0;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->thread_started &&
		    __atomic_load_n(&vm->vcpus[i]->state, __ATOMIC_ACQUIRE) !=
			    VCPU_STOPPED)
			n++;
	return n;
}

int vm_pause(struct vm *vm)
{
	pthread_mutex_lock(&vm->run_lock);
	if (vm->paused || vm->pause_requested) {
		pthread_mutex_unlock(&vm->run_lock);
		return -EALREADY;
	}
	__atomic_store_n(&vm->pause_requested, true, __ATOMIC_RELEASE);
	int ret = 0;
	for (;;) {
		if (__atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE)) {
			ret = -ESHUTDOWN;
			break;
		}
		if (vm->vcpus_parked >= running_threads(vm))
			break;
		/* Kick again each round: a kick can land just before a
		 * thread re-enters KVM_RUN after an exit it was handling. */
		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			if (vm->vcpus[i] && vm->vcpus[i]->accel)
				vm->accel_ops->vcpu_kick(vm->vcpus[i]->accel);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 2 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&vm->run_cond, &vm->run_lock, &ts);
	}
	if (ret)
		__atomic_store_n(&vm->pause_requested, false, __ATOMIC_RELEASE);
	else
		vm->paused = true;
	pthread_cond_broadcast(&vm->run_cond);
	pthread_mutex_unlock(&vm->run_lock);
	return ret;
}

int vm_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm->run_lock);
	if (!vm->paused) {
		pthread_mutex_unlock(&vm->run_lock);
		return -EALREADY;
	}
	vm->paused = false;
	__atomic_store_n(&vm->pause_requested, false, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&vm->run_cond);
	pthread_mutex_unlock(&vm->run_lock);
	return 0;
}

bool vm_is_paused(struct vm *vm)
{
	pthread_mutex_lock(&vm->run_lock);
	bool p = vm->paused;
	pthread_mutex_unlock(&vm->run_lock);
	return p;
}

void vm_start_paused(struct vm *vm)
{
	pthread_mutex_lock(&vm->run_lock);
	__atomic_store_n(&vm->pause_requested, true, __ATOMIC_RELEASE);
	vm->paused = true;
	pthread_mutex_unlock(&vm->run_lock);
}

/* Parked vCPUs must see `stopping`. */
static void wake_parked(struct vm *vm)
{
	pthread_mutex_lock(&vm->run_lock);
	pthread_cond_broadcast(&vm->run_cond);
	pthread_mutex_unlock(&vm->run_lock);
}

void vm_raise_event(struct vm *vm, enum vm_event event)
{
	enum vm_event none = VM_EVENT_NONE;
	if (!__atomic_compare_exchange_n(&vm->event, &none, event, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return; /* the first event decides */
	__atomic_store_n(&vm->stopping, true, __ATOMIC_RELEASE);
	uint64_t one = 1;
	if (write(vm->event_fd, &one, sizeof(one)) < 0)
		pr_debug("event fd: %s", strerror(errno));
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->accel)
			vm->accel_ops->vcpu_kick(vm->vcpus[i]->accel);
	/* No wake_parked() here: this runs in signal handlers too, where
	 * taking run_lock could deadlock; parked vCPUs poll `stopping`. */
}

enum vm_event vm_wait_event(struct vm *vm)
{
	struct pollfd p = { .fd = vm->event_fd, .events = POLLIN };
	while (__atomic_load_n(&vm->event, __ATOMIC_ACQUIRE) == VM_EVENT_NONE)
		poll(&p, 1, -1);
	return vm->event;
}

static void stop_vcpu_threads(struct vm *vm)
{
	__atomic_store_n(&vm->stopping, true, __ATOMIC_RELEASE);
	wake_parked(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		if (v && v->thread_started) {
			/* Kick until it leaves KVM_RUN: a kick can land
			 * just before the thread re-enters the guest. */
			while (__atomic_load_n(&v->state, __ATOMIC_ACQUIRE) !=
			       VCPU_STOPPED) {
				vm->accel_ops->vcpu_kick(v->accel);
				usleep(1000);
			}
			pthread_join(v->thread, NULL);
			v->thread_started = false;
		}
	}
}

void vm_dump_vcpus(struct vm *vm)
{
	stop_vcpu_threads(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->accel && vm->accel_ops->vcpu_dump)
			vm->accel_ops->vcpu_dump(vm->vcpus[i]->accel);
}

void vm_destroy(struct vm *vm)
{
	stop_vcpu_threads(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		if (!v)
			continue;
		if (v->accel)
			vm->accel_ops->vcpu_destroy(v->accel);
		free(v);
		vm->vcpus[i] = NULL;
	}
	/* Devices before the accelerator: the RTC's timer thread may raise
	 * an interrupt until it is stopped. */
	if (vm->machine_teardown)
		vm->machine_teardown(vm);
	vm->machine_teardown = NULL;
	uart_destroy(vm->com1);
	cmos_rtc_destroy(vm->rtc);
	i8042_destroy(vm->kbd);
	vm->com1 = NULL;
	vm->rtc = NULL;
	vm->kbd = NULL;
	if (vm->accel)
		vm->accel_ops->destroy(vm->accel);
	vm->accel = NULL;
	guest_mem_destroy(&vm->mem);
	io_bus_destroy(&vm->pio);
	io_bus_destroy(&vm->mmio);
	if (vm->event_fd >= 0)
		close(vm->event_fd);
	vm->event_fd = -1;
	pthread_cond_destroy(&vm->run_cond);
	pthread_mutex_destroy(&vm->run_lock);
}
