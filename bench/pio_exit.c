/* The round trip of one port-I/O exit: a bare KVM_RUN loop against the same
 * guest run through Kiln's KVM backend and its exit dispatch.
 *
 * usage: pio_exit [EXITS [ROUNDS]]   (defaults 200000 and 5)
 *
 * The guest is 16-bit real-mode code at 0x1000 that writes port 0x510
 * forever: mov dx, 0x510; 1: out dx, al; jmp 1b. Two VMs, one vCPU each,
 * both with KVM_CREATE_IRQCHIP and the PIT (as Kiln's create does):
 *   bare  ioctl(KVM_RUN) and a check that exit_reason is KVM_EXIT_IO;
 *   kiln  kvm_accel_ops.vcpu_run (KVM_RUN + kvm_decode_exit) and
 *         vcpu_handle_exit, which dispatches the write through the PIO bus
 *         to a no-op device registered at 0x510.
 * After a warm-up, ROUNDS rounds alternate the two modes, EXITS exits each;
 * the median and the minimum over the rounds are reported, as lines
 *   bare_ns_median=.. bare_ns_min=.. kiln_ns_median=.. kiln_ns_min=..
 *   ratio_median=.. exits=.. rounds=..
 */
#include "accel/accel.h"
#include "bus/io_bus.h"
#include "core/guest_mem.h"
#include "core/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define GUEST_CODE_GPA 0x1000
#define BENCH_PORT 0x510
#define BARE_MEM_SIZE (1u << 20)
#define KILN_MEM_SIZE (16ull << 20)

static const uint8_t guest_code[] = {
	0xba, 0x10, 0x05, /* mov dx, 0x510 */
	0xee,             /* 1: out dx, al */
	0xeb, 0xfd,       /* jmp 1b */
};

static void die(const char *what)
{
	fprintf(stderr, "pio_exit: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- bare KVM ---------------------------------------------------------- */

struct bare {
	int kvm, vm, vcpu;
	struct kvm_run *run;
};

static void bare_setup(struct bare *b)
{
	b->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (b->kvm < 0)
		die("open /dev/kvm");
	b->vm = ioctl(b->kvm, KVM_CREATE_VM, 0);
	if (b->vm < 0)
		die("KVM_CREATE_VM");
	if (ioctl(b->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0)
		die("KVM_SET_TSS_ADDR");
	if (ioctl(b->vm, KVM_CREATE_IRQCHIP, 0) < 0)
		die("KVM_CREATE_IRQCHIP");
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	if (ioctl(b->vm, KVM_CREATE_PIT2, &pit) < 0)
		die("KVM_CREATE_PIT2");
	uint8_t *mem = mmap(NULL, BARE_MEM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory");
	memcpy(mem + GUEST_CODE_GPA, guest_code, sizeof(guest_code));
	struct kvm_userspace_memory_region r = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = BARE_MEM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)mem,
	};
	if (ioctl(b->vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	b->vcpu = ioctl(b->vm, KVM_CREATE_VCPU, 0);
	if (b->vcpu < 0)
		die("KVM_CREATE_VCPU");
	int run_size = ioctl(b->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	b->run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, b->vcpu, 0);
	if (b->run == MAP_FAILED)
		die("mmap kvm_run");
	struct kvm_sregs sregs;
	if (ioctl(b->vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(b->vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	struct kvm_regs regs = { .rip = GUEST_CODE_GPA, .rflags = 2 };
	if (ioctl(b->vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

static double bare_loop(struct bare *b, unsigned long n)
{
	double t0 = now_ns();
	for (unsigned long i = 0; i < n; i++) {
		if (ioctl(b->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR) {
				i--;
				continue;
			}
			die("KVM_RUN");
		}
		if (b->run->exit_reason != KVM_EXIT_IO ||
		    b->run->io.port != BENCH_PORT) {
			fprintf(stderr, "pio_exit: bare: exit reason %u\n",
				b->run->exit_reason);
			exit(1);
		}
	}
	return (now_ns() - t0) / (double)n;
}

/* ---- Kiln -------------------------------------------------------------- */

static uint64_t noop_read(void *opaque, uint64_t offset, unsigned int size)
{
	return 0;
}

static void noop_write(void *opaque, uint64_t offset, uint64_t value,
		       unsigned int size)
{
	(*(uint64_t *)opaque)++;
}

static const struct io_ops noop_ops = { .read = noop_read, .write = noop_write };

struct kiln {
	struct vm vm;
	struct vcpu vcpu;
	uint64_t writes;
};

static struct x86_segment real_seg(uint8_t type)
{
	return (struct x86_segment){ .base = 0, .limit = 0xffff, .selector = 0,
				     .type = type, .present = 1, .s = 1 };
}

static void kiln_setup(struct kiln *k)
{
	char err[256];
	int e;
	if ((e = vm_init(&k->vm))) {
		errno = -e;
		die("vm_init");
	}
	if ((e = guest_mem_init(&k->vm.mem, KILN_MEM_SIZE, 0xc0000000ull,
				GUEST_MEM_ANON))) {
		errno = -e;
		die("guest_mem_init");
	}
	if (guest_mem_write(&k->vm.mem, GUEST_CODE_GPA, guest_code,
			    sizeof(guest_code))) {
		errno = EFAULT;
		die("guest_mem_write");
	}
	if ((e = io_bus_register(&k->vm.pio, BENCH_PORT, 1, IO_WIDTH_ANY,
				 &noop_ops, &k->writes, "bench"))) {
		errno = -e;
		die("io_bus_register");
	}
	k->vm.accel_ops = &kvm_accel_ops;
	if ((e = kvm_accel_ops.create(&k->vm.accel, &k->vm.mem, err,
				      sizeof(err)))) {
		fprintf(stderr, "pio_exit: kiln create: %s\n", err);
		exit(1);
	}
	k->vcpu = (struct vcpu){ .vm = &k->vm, .index = 0 };
	if ((e = kvm_accel_ops.vcpu_create(k->vm.accel, 0, 1, &k->vcpu.accel,
					   err, sizeof(err)))) {
		fprintf(stderr, "pio_exit: kiln vcpu_create: %s\n", err);
		exit(1);
	}
	k->vm.vcpus[0] = &k->vcpu;
	k->vm.nr_vcpus = 1;

	/* The state of a PC after reset, except CS:IP = 0000:1000. */
	struct x86_boot_cpu cpu = {
		.rip = GUEST_CODE_GPA, .rflags = 2, .cr0 = 0x60000010,
		.cs = real_seg(0xb), .ds = real_seg(3), .es = real_seg(3),
		.fs = real_seg(3), .gs = real_seg(3), .ss = real_seg(3),
		.tr = { .limit = 0xffff, .type = 0xb, .present = 1 },
		.ldt = { .limit = 0xffff, .type = 2, .present = 1 },
		.gdt_limit = 0xffff, .idt_limit = 0xffff,
	};
	if ((e = kvm_accel_ops.vcpu_set_boot_state(k->vcpu.accel, &cpu))) {
		errno = -e;
		die("vcpu_set_boot_state");
	}
}

static double kiln_loop(struct kiln *k, unsigned long n)
{
	struct vcpu_exit ex;
	uint64_t before = k->writes;
	double t0 = now_ns();
	for (unsigned long i = 0; i < n; i++) {
		int e = k->vm.accel_ops->vcpu_run(k->vcpu.accel, &ex);
		if (e) {
			errno = -e;
			die("vcpu_run");
		}
		if (ex.reason != VCPU_EXIT_PIO) {
			fprintf(stderr, "pio_exit: kiln: exit reason %d\n",
				ex.reason);
			exit(1);
		}
		if (!vcpu_handle_exit(&k->vm, &k->vcpu, &ex)) {
			fprintf(stderr, "pio_exit: kiln: the vCPU stopped\n");
			exit(1);
		}
	}
	double ns = (now_ns() - t0) / (double)n;
	if (k->writes - before != n) {
		fprintf(stderr, "pio_exit: kiln: device saw %llu writes, not %lu\n",
			(unsigned long long)(k->writes - before), n);
		exit(1);
	}
	return ns;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	unsigned long exits = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	unsigned int rounds = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 0) : 5;
	if (!exits || !rounds || rounds > 1000) {
		fprintf(stderr, "usage: pio_exit [EXITS [ROUNDS]]\n");
		return 2;
	}
	static struct bare b;
	static struct kiln k;
	bare_setup(&b);
	kiln_setup(&k);

	/* Warm-up: fault in the code page, the run pages, caches. */
	unsigned long warm = exits / 10 ? exits / 10 : 1;
	bare_loop(&b, warm);
	kiln_loop(&k, warm);

	double *bare_ns = calloc(rounds, sizeof(double));
	double *kiln_ns = calloc(rounds, sizeof(double));
	double *ratio = calloc(rounds, sizeof(double));
	if (!bare_ns || !kiln_ns || !ratio)
		die("calloc");
	for (unsigned int r = 0; r < rounds; r++) {
		/* Alternate which goes first, so drift hits both alike. */
		if (r % 2) {
			kiln_ns[r] = kiln_loop(&k, exits);
			bare_ns[r] = bare_loop(&b, exits);
		} else {
			bare_ns[r] = bare_loop(&b, exits);
			kiln_ns[r] = kiln_loop(&k, exits);
		}
		ratio[r] = kiln_ns[r] / bare_ns[r];
		fprintf(stderr, "pio_exit: round %u: bare %.0f ns, kiln %.0f ns\n",
			r + 1, bare_ns[r], kiln_ns[r]);
	}
	double bmed = median(bare_ns, rounds), kmed = median(kiln_ns, rounds);
	printf("bare_ns_median=%.0f bare_ns_min=%.0f kiln_ns_median=%.0f "
	       "kiln_ns_min=%.0f ratio_median=%.3f exits=%lu rounds=%u\n",
	       bmed, bare_ns[0], kmed, kiln_ns[0], median(ratio, rounds), exits,
	       rounds);
	return 0;
}
