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
	return 0;
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
}
