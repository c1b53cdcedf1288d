/* The soft accelerator's glue (src/accel/soft/soft_accel.c) on real guest
 * memory and real buses: port I/O and MMIO reach the devices synchronously
 * during the run, RAM writes land in guest_mem, HLT sleeps until a kick,
 * a kick stops a spinning guest, a triple fault is VCPU_EXIT_SHUTDOWN,
 * state survives save/restore, vm_pause parks a spinning or a halted
 * vCPU thread, and what the backend lacks is refused
 * with a clear reason (more than one vCPU, snapshots). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "accel/accel.h"
#include "arch/x86/layout.h"
#include "cli/options.h"
#include "core/vm.h"
#include "migration/vm_state.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CODE 0x100000ull
#define DATA 0x2000ull
#define TEST_PORT 0x500
#define TEST_MMIO 0xd0000000ull

struct recorder {
	uint64_t addr, value;
	unsigned int size, writes, reads;
};

static uint64_t rec_read(void *opaque, uint64_t off, unsigned int size)
{
	struct recorder *r = opaque;
	r->reads++;
	return size == 1 ? 0xab : 0xcafef00d;
}

static void rec_write(void *opaque, uint64_t off, uint64_t v, unsigned int size)
{
	struct recorder *r = opaque;
	r->writes++;
	r->addr = off;
	r->value = v;
	r->size = size;
}

static const struct io_ops rec_ops = { .read = rec_read, .write = rec_write };

struct fx {
	struct vm vm;
	struct accel *a;
	struct accel_vcpu *v;
	struct recorder pio, mmio;
	struct vcpu_exit exit;
	int run_ret;
	int returned;
};

/* PVH's entry state: flat 32-bit protected mode, paging off. */
static struct x86_boot_cpu pvh_entry(void)
{
	struct x86_segment code = { .limit = 0xffffffff, .selector = 0x10,
				    .type = 0xb, .present = 1, .s = 1, .db = 1,
				    .g = 1 };
	struct x86_segment data = code;
	data.selector = 0x18;
	data.type = 0x3;
	struct x86_segment tr = { .limit = 0x67, .selector = 0x20, .type = 0xb,
				  .present = 1 };
	struct x86_segment ldt = { .type = 0x2, .present = 1, .unusable = 1 };
	return (struct x86_boot_cpu){
		.rip = CODE, .rflags = 0x2, .cr0 = 0x11,
		.cs = code, .ds = data, .es = data, .fs = data, .gs = data,
		.ss = data, .tr = tr, .ldt = ldt, .idt_limit = 0,
	};
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	assert_non_null(f);
	assert_int_equal(vm_init(&f->vm), 0);
	assert_int_equal(guest_mem_init(&f->vm.mem, 16 << 20, X86_PCI_HOLE_START,
					GUEST_MEM_ANON), 0);
	assert_int_equal(io_bus_register(&f->vm.pio, TEST_PORT, 4,
					 IO_WIDTH_1 | IO_WIDTH_2 | IO_WIDTH_4,
					 &rec_ops, &f->pio, "test-port"), 0);
	assert_int_equal(io_bus_register(&f->vm.mmio, TEST_MMIO, 0x1000,
					 IO_WIDTH_ANY, &rec_ops, &f->mmio,
					 "test-mmio"), 0);
	f->vm.accel_ops = &soft_accel_ops;
	assert_int_equal(soft_accel_ops.create(&f->a, &f->vm.mem, err, sizeof(err)), 0);
	f->vm.accel = f->a;
	soft_accel_ops.attach_buses(f->a, &f->vm.pio, &f->vm.mmio);
	assert_int_equal(soft_accel_ops.vcpu_create(f->a, 0, 1, &f->v, err,
						    sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	soft_accel_ops.vcpu_destroy(f->v);
	soft_accel_ops.destroy(f->a);
	guest_mem_destroy(&f->vm.mem);
	io_bus_destroy(&f->vm.pio);
	io_bus_destroy(&f->vm.mmio);
	close(f->vm.event_fd);
	free(f);
	return 0;
}

static void load(struct fx *f, const uint8_t *code, size_t len,
		 const struct x86_boot_cpu *boot)
{
	void *p = guest_mem_slice(&f->vm.mem, CODE, len);
	assert_non_null(p);
	memcpy(p, code, len);
	assert_int_equal(soft_accel_ops.vcpu_set_boot_state(f->v, boot), 0);
}

static void *run_thread(void *arg)
{
	struct fx *f = arg;
	f->run_ret = soft_accel_ops.vcpu_run(f->v, &f->exit);
	__atomic_store_n(&f->returned, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_io_then_hlt_sleeps_until_kick(void **state)
{
	struct fx *f = *state;
	static const uint8_t code[] = {
		0x66, 0xba, 0x00, 0x05,             /* mov dx, 0x500 */
		0xb8, 0x78, 0x56, 0x34, 0x12,       /* mov eax, 0x12345678 */
		0xef,                               /* out dx, eax */
		0xec,                               /* in al, dx */
		0xa3, 0x10, 0x00, 0x00, 0xd0,       /* mov [0xd0000010], eax */
		0x8b, 0x1d, 0x20, 0x00, 0x00, 0xd0, /* mov ebx, [0xd0000020] */
		0x89, 0x1d, 0x00, 0x20, 0x00, 0x00, /* mov [0x2000], ebx */
		0xf4,                               /* hlt */
	};
	struct x86_boot_cpu boot = pvh_entry();
	load(f, code, sizeof(code), &boot);

	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, run_thread, f), 0);
	usleep(100 * 1000);
	/* Halted with no interrupt controller: asleep, not returned. */
	assert_int_equal(__atomic_load_n(&f->returned, __ATOMIC_ACQUIRE), 0);
	soft_accel_ops.vcpu_kick(f->v);
	pthread_join(t, NULL);
	assert_int_equal(f->run_ret, 0);
	assert_int_equal(f->exit.reason, VCPU_EXIT_INTERRUPTED);

	assert_int_equal(f->pio.writes, 1);
	assert_int_equal(f->pio.size, 4);
	assert_int_equal(f->pio.value, 0x12345678);
	assert_int_equal(f->pio.reads, 1);
	assert_int_equal(f->mmio.writes, 1);
	assert_int_equal(f->mmio.addr, 0x10);
	assert_int_equal(f->mmio.size, 4);
	assert_int_equal(f->mmio.value, 0x123456ab);
	assert_int_equal(f->mmio.reads, 1);
	uint32_t got;
	memcpy(&got, guest_mem_slice(&f->vm.mem, DATA, 4), 4);
	assert_int_equal(got, 0xcafef00d);

	struct x86_vcpu_state *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	assert_int_equal(soft_accel_ops.vcpu_save(f->v, s), 0);
	assert_int_equal(s->rip, CODE + sizeof(code));
	assert_int_equal(s->gpr[0], 0x123456ab); /* rax */
	assert_int_equal(s->gpr[1], 0xcafef00d); /* rbx: KVM's order */
	assert_int_equal(s->gpr[3], 0x500);      /* rdx */
	free(s);
}

static void test_kick_stops_a_spinning_guest(void **state)
{
	struct fx *f = *state;
	static const uint8_t code[] = { 0xeb, 0xfe }; /* jmp . */
	struct x86_boot_cpu boot = pvh_entry();
	load(f, code, sizeof(code), &boot);

	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, run_thread, f), 0);
	usleep(50 * 1000);
	soft_accel_ops.vcpu_kick(f->v);
	pthread_join(t, NULL);
	assert_int_equal(f->run_ret, 0);
	assert_int_equal(f->exit.reason, VCPU_EXIT_INTERRUPTED);

	/* The state round-trips, and a changed register takes effect. */
	struct x86_vcpu_state *s = calloc(1, sizeof(*s));
	char err[256];
	assert_non_null(s);
	assert_int_equal(soft_accel_ops.vcpu_save(f->v, s), 0);
	assert_int_equal(s->rip, CODE);
	s->gpr[3] = 0x5a5a; /* rdx */
	assert_int_equal(soft_accel_ops.vcpu_restore(f->v, s, err, sizeof(err)), 0);
	memset(s, 0, sizeof(*s));
	assert_int_equal(soft_accel_ops.vcpu_save(f->v, s), 0);
	assert_int_equal(s->gpr[3], 0x5a5a);
	/* Untrusted state is checked. */
	s->version ^= 0xffff;
	assert_int_equal(soft_accel_ops.vcpu_restore(f->v, s, err, sizeof(err)), -EINVAL);
	free(s);
}

static void test_triple_fault_is_shutdown(void **state)
{
	struct fx *f = *state;
	/* ud2 with an empty IDT: #UD -> #GP -> #DF -> shutdown. */
	static const uint8_t code[] = { 0x0f, 0x0b };
	struct x86_boot_cpu boot = pvh_entry();
	load(f, code, sizeof(code), &boot);
	assert_int_equal(soft_accel_ops.vcpu_run(f->v, &f->exit), 0);
	assert_int_equal(f->exit.reason, VCPU_EXIT_SHUTDOWN);
}

static void test_refusals(void **state)
{
	struct fx *f = *state;
	char err[256] = "";
	struct accel_vcpu *v2 = NULL;
	assert_int_equal(soft_accel_ops.vcpu_create(f->a, 0, 2, &v2, err, sizeof(err)),
			 -ENOTSUP);
	assert_null(v2);
	assert_non_null(strstr(err, "one vCPU"));
	assert_int_equal(vm_state_supported(&f->vm, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "soft accelerator cannot save"));
	/* Interrupt controllers and MSIs (test_soft_irq.c), but no dirty
	 * logging yet. */
	assert_non_null(soft_accel_ops.set_irq_line);
	assert_non_null(soft_accel_ops.signal_msi);
	assert_non_null(soft_accel_ops.msi_irqfd_add);
	assert_non_null(soft_accel_ops.ioeventfd_add);
	assert_null(soft_accel_ops.dirty_log_start);
}

/* The VM's own vCPU thread on the soft backend: vm_pause parks a guest
 * that spins (a kick ends its run) and one that halted (asleep until the
 * kick), vm_resume lets it go, and a power-off stops the thread. */
static void run_pause_cycle(const uint8_t *code, size_t len)
{
	struct fx *f;
	setup((void **)&f);
	struct x86_boot_cpu boot = pvh_entry();
	load(f, code, len, &boot);
	struct vcpu *vc = calloc(1, sizeof(*vc));
	assert_non_null(vc);
	vc->vm = &f->vm;
	vc->accel = f->v;
	f->vm.vcpus[0] = vc;
	f->vm.nr_vcpus = 1;
	assert_int_equal(vm_start_vcpus(&f->vm), 0);
	usleep(20 * 1000);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(vm_pause(&f->vm), 0);
		assert_true(vm_is_paused(&f->vm));
		struct x86_vcpu_state *s = calloc(1, sizeof(*s));
		assert_non_null(s);
		assert_int_equal(soft_accel_ops.vcpu_save(f->v, s), 0);
		assert_true(s->rip >= CODE && s->rip <= CODE + len);
		free(s);
		assert_int_equal(vm_resume(&f->vm), 0);
		usleep(5 * 1000);
	}
	vm_raise_event(&f->vm, VM_EVENT_POWEROFF);
	assert_int_equal(vm_wait_event(&f->vm), VM_EVENT_POWEROFF);
	vm_destroy(&f->vm); /* joins the thread, frees vCPU, accel, memory */
	free(f);
}

static void test_pause_spinning_guest(void **state)
{
	static const uint8_t code[] = { 0xeb, 0xfe }; /* jmp . */
	run_pause_cycle(code, sizeof(code));
}

static void test_pause_halted_guest(void **state)
{
	static const uint8_t code[] = { 0xf4, 0xeb, 0xfd }; /* hlt; jmp hlt */
	run_pause_cycle(code, sizeof(code));
}

static void test_accel_option(void **state)
{
	struct kiln_options o;
	char err[256];
	char *def[] = { "kiln", "--kernel", "k", NULL };
	char *soft[] = { "kiln", "--accel", "soft", "--kernel", "k", NULL };
	char *kvm[] = { "kiln", "--accel=kvm", "--kernel", "k", NULL };
	char *bad[] = { "kiln", "--accel", "tcg", "--kernel", "k", NULL };
	assert_int_equal(options_parse(3, def, &o, err, sizeof(err)), 0);
	assert_int_equal(o.accel, ACCEL_AUTO);
	assert_int_equal(options_parse(5, soft, &o, err, sizeof(err)), 0);
	assert_int_equal(o.accel, ACCEL_SOFT);
	assert_int_equal(options_parse(4, kvm, &o, err, sizeof(err)), 0);
	assert_int_equal(o.accel, ACCEL_KVM);
	assert_int_equal(options_parse(5, bad, &o, err, sizeof(err)), -1);
	assert_string_equal(err, "--accel: wants kvm, soft or auto");
	options_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_io_then_hlt_sleeps_until_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kick_stops_a_spinning_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_triple_fault_is_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test(test_pause_spinning_guest),
		cmocka_unit_test(test_pause_halted_guest),
		cmocka_unit_test(test_accel_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
