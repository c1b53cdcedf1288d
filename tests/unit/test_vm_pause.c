/* vm_pause / vm_resume against a fake accelerator whose vCPUs do port
 * reads forever: a pause parks them only between two runs and only after
 * an interrupted run (so the read in flight was completed), a resume lets
 * them go, and a stop while paused still ends the threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/vm.h"
#include "migration/migrate_throttle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct accel_vcpu {
	int kicked;          /* immediate_exit: the next run returns at once */
	uint64_t runs;       /* completed guest runs (port reads) */
	bool read_pending;   /* a PIO read exit not yet completed by a run */
	bool parked_with_read_pending;
	uint8_t data[8];
};

static int fake_run(struct accel_vcpu *v, struct vcpu_exit *exit)
{
	memset(exit, 0, sizeof(*exit));
	/* Like KVM: re-entering completes the read of the last exit. */
	v->read_pending = false;
	if (__atomic_exchange_n(&v->kicked, 0, __ATOMIC_ACQ_REL)) {
		exit->reason = VCPU_EXIT_INTERRUPTED;
		return 0;
	}
	usleep(100);
	__atomic_fetch_add(&v->runs, 1, __ATOMIC_RELAXED);
	exit->reason = VCPU_EXIT_PIO;
	exit->addr = 0x80; /* nothing there: reads return all ones */
	exit->size = 1;
	exit->count = 1;
	exit->data = v->data;
	v->read_pending = true;
	return 0;
}

static void fake_kick(struct accel_vcpu *v)
{
	__atomic_store_n(&v->kicked, 1, __ATOMIC_RELEASE);
}

static void fake_vcpu_destroy(struct accel_vcpu *v)
{
	free(v);
}

static const struct accel_ops fake_ops = {
	.name = "fake",
	.vcpu_run = fake_run,
	.vcpu_kick = fake_kick,
	.vcpu_destroy = fake_vcpu_destroy,
};

static struct vm *make_vm_stopped(unsigned int n)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	assert_non_null(vm);
	assert_int_equal(vm_init(vm), 0);
	vm->accel_ops = &fake_ops;
	vm->nr_vcpus = n;
	for (unsigned int i = 0; i < n; i++) {
		vm->vcpus[i] = calloc(1, sizeof(struct vcpu));
		vm->vcpus[i]->vm = vm;
		vm->vcpus[i]->index = i;
		vm->vcpus[i]->accel = calloc(1, sizeof(struct accel_vcpu));
	}
	return vm;
}

static struct vm *make_vm_paused(unsigned int n, bool paused)
{
	struct vm *vm = make_vm_stopped(n);
	if (paused)
		vm_start_paused(vm);
	assert_int_equal(vm_start_vcpus(vm), 0);
	return vm;
}

static struct vm *make_vm(unsigned int n)
{
	return make_vm_paused(n, false);
}

static uint64_t realtime_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t total_runs(struct vm *vm)
{
	uint64_t n = 0;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		n += __atomic_load_n(&vm->vcpus[i]->accel->runs, __ATOMIC_RELAXED);
	return n;
}

static void test_pause_resume(void **state)
{
	struct vm *vm = make_vm(3);
	while (total_runs(vm) < 30)
		usleep(1000);
	assert_int_equal(vm_pause(vm), 0);
	assert_true(vm_is_paused(vm));
	assert_int_equal(vm_pause(vm), -EALREADY);
	uint64_t at_pause = total_runs(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		assert_false(vm->vcpus[i]->accel->read_pending);
	usleep(50 * 1000);
	assert_int_equal(total_runs(vm), at_pause); /* nobody ran */

	assert_int_equal(vm_resume(vm), 0);
	assert_int_equal(vm_resume(vm), -EALREADY);
	assert_false(vm_is_paused(vm));
	while (total_runs(vm) < at_pause + 30)
		usleep(1000);

	/* Pause and resume again, many times: no lost wake-ups. */
	for (int i = 0; i < 20; i++) {
		assert_int_equal(vm_pause(vm), 0);
		assert_int_equal(vm_resume(vm), 0);
	}
	vm_raise_event(vm, VM_EVENT_POWEROFF);
	vm_destroy(vm);
	free(vm);
}

static void test_stop_while_paused(void **state)
{
	struct vm *vm = make_vm(2);
	assert_int_equal(vm_pause(vm), 0);
	/* Raised as a signal handler would: no locks taken. */
	vm_raise_event(vm, VM_EVENT_QUIT);
	assert_int_equal(vm_wait_event(vm), VM_EVENT_QUIT);
	vm_destroy(vm); /* joins the parked threads */
	free(vm);
}

static void test_pause_after_stop(void **state)
{
	struct vm *vm = make_vm(1);
	vm_raise_event(vm, VM_EVENT_POWEROFF);
	int e = vm_pause(vm);
	assert_true(e == -ESHUTDOWN || e == 0);
	vm_destroy(vm);
	free(vm);
}

/* A migration's destination waits for the first vCPU to enter the guest
 * before it acknowledges: no entry before the threads start (time out),
 * the entry's time once they do, and a VM that stops ends the wait. */
static void test_wait_first_entry(void **state)
{
	struct vm *vm = make_vm_stopped(2);
	assert_int_equal(vm_wait_first_entry(vm, 30), -ETIMEDOUT);
	assert_int_equal(vm->first_entry_ns, 0);
	uint64_t before = realtime_ns();
	assert_int_equal(vm_start_vcpus(vm), 0);
	assert_int_equal(vm_wait_first_entry(vm, 5000), 0);
	uint64_t after = realtime_ns();
	assert_true(vm->first_entry_ns >= before && vm->first_entry_ns <= after);
	uint64_t first = vm->first_entry_ns;
	while (total_runs(vm) < 10)
		usleep(1000);
	assert_int_equal(vm->first_entry_ns, first); /* the first one stays */
	vm_raise_event(vm, VM_EVENT_POWEROFF);
	vm_destroy(vm);
	free(vm);

	vm = make_vm_stopped(1);
	vm_raise_event(vm, VM_EVENT_QUIT);
	assert_int_equal(vm_wait_first_entry(vm, 5000), -ESHUTDOWN);
	vm_destroy(vm);
	free(vm);
}

/* A VM restored through the API starts paused: no vCPU runs the guest
 * before vm_resume, then all do; stopping it before a resume works too. */
static void test_start_paused(void **state)
{
	struct vm *vm = make_vm_paused(2, true);
	assert_true(vm_is_paused(vm));
	usleep(50 * 1000);
	assert_int_equal(total_runs(vm), 0);
	assert_int_equal(vm_pause(vm), -EALREADY);
	assert_int_equal(vm_resume(vm), 0);
	while (__atomic_load_n(&vm->vcpus[0]->accel->runs, __ATOMIC_RELAXED) < 5 ||
	       __atomic_load_n(&vm->vcpus[1]->accel->runs, __ATOMIC_RELAXED) < 5)
		usleep(1000);
	assert_false(vm_is_paused(vm));
	assert_int_equal(vm_pause(vm), 0); /* an ordinary pause afterwards */
	vm_raise_event(vm, VM_EVENT_POWEROFF);
	vm_destroy(vm);
	free(vm);

	vm = make_vm_paused(1, true);
	vm_raise_event(vm, VM_EVENT_QUIT);
	assert_int_equal(vm_wait_event(vm), VM_EVENT_QUIT);
	usleep(20 * 1000);
	assert_int_equal(total_runs(vm), 0);
	vm_destroy(vm); /* joins a thread that never ran the guest */
	free(vm);
}

/* Migration's vCPU throttle parks the vCPUs most of the time: they get
 * far fewer runs than unthrottled, and run freely again once it stops. */
static void test_throttle(void **state)
{
	struct vm *vm = make_vm(2);
	struct migrate_throttle t = { 0 };
	assert_int_equal(migrate_throttle_set(&t, vm, 0), -EINVAL);
	assert_int_equal(migrate_throttle_set(&t, vm, 100), -EINVAL);
	assert_false(t.running);

	uint64_t r0 = total_runs(vm);
	usleep(400 * 1000);
	uint64_t free_runs = total_runs(vm) - r0;
	assert_int_equal(migrate_throttle_set(&t, vm, 90), 0);
	assert_int_equal(migrate_throttle_set(&t, vm, 95), 0); /* same thread */
	usleep(50 * 1000);
	r0 = total_runs(vm);
	usleep(400 * 1000);
	uint64_t throttled = total_runs(vm) - r0;
	migrate_throttle_stop(&t);
	assert_false(t.running);
	assert_false(vm_is_paused(vm));
	if (throttled * 2 > free_runs)
		fail_msg("throttled to 95%%: %llu runs vs %llu free",
			 (unsigned long long)throttled, (unsigned long long)free_runs);
	r0 = total_runs(vm);
	usleep(100 * 1000);
	assert_true(total_runs(vm) > r0);
	migrate_throttle_stop(&t); /* twice: harmless */
	vm_destroy(vm);
	free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pause_resume),
		cmocka_unit_test(test_stop_while_paused),
		cmocka_unit_test(test_start_paused),
		cmocka_unit_test(test_pause_after_stop),
		cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_wait_first_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
