/* The software CPU as a Kiln accelerator (struct accel_ops): the
 * interpreter (x86_cpu.h) on the soft MMU (mmu.h), guest RAM through
 * guest_mem's range-checked slices, everything else on the VM's MMIO bus,
 * port I/O on its port bus, both synchronously on the vCPU thread.
 *
 * The interrupt controllers (LAPIC, IOAPIC, PIT), MSIs, irqfds and
 * ioeventfds are soft_irq.c's; their MMIO and ports come before the buses.
 *
 * What it does not have yet: more than one vCPU, the VM-wide state blob
 * for snapshots and migration, and dirty logging.
 */
#include "accel/accel.h"
#include "accel/soft/icache.h"
#include "accel/soft/mmu.h"
#include "accel/soft/soft_irq.h"
#include "accel/soft/soft_kvmclock.h"
#include "accel/soft/x86_cpu.h"
#include "bus/io_bus.h"
#include "core/log.h"

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Instructions per x86_cpu_run: long enough that the run loop costs
 * nothing, short enough that timers are looked at every ~100 us
 * (kicks and interrupts from other threads stop it anyway). */
#define SOFT_RUN_BUDGET (1u << 12)

struct accel {
	struct guest_mem *mem;
	struct io_bus *pio;  /* NULL until attach_buses: reads all-ones */
	struct io_bus *mmio;
	struct soft_irq *irq;
};

struct accel_vcpu {
	struct accel *a;
	unsigned int index;
	struct x86_cpu cpu;
	struct soft_mmu mmu;
	bool mmu_ready;
	struct x86_icache *icache;
	/* Readable after a kick: HLT sleeps on it. An eventfd because
	 * vcpu_kick runs in signal handlers (vm_raise_event). */
	int kick_fd;
	/* Readable when an interrupt arrived for a halted CPU. */
	int wake_fd;
	struct soft_irq_cpu *irq;
	struct cpuid_table cpuid;
	struct soft_kvmclock kvmclock;
};

/* ---- physical address space: the MMU's view ---- */

static void *phys_ram(void *opaque, uint64_t gpa, uint64_t len)
{
	struct accel_vcpu *v = opaque;
	return guest_mem_slice(v->a->mem, gpa, len);
}

static void phys_mmio_read(void *opaque, uint64_t gpa, void *buf, unsigned len)
{
	struct accel_vcpu *v = opaque;
	uint64_t val = ~0ull;
	if (soft_irq_mmio_read(v->irq, gpa, buf, len))
		return;
	if (v->a->mmio)
		io_bus_read(v->a->mmio, gpa, len, &val);
	memcpy(buf, &val, len); /* little-endian host */
}

static void phys_mmio_write(void *opaque, uint64_t gpa, const void *buf,
			    unsigned len)
{
	struct accel_vcpu *v = opaque;
	uint64_t val = 0;
	if (soft_irq_mmio_write(v->irq, gpa, buf, len))
		return;
	memcpy(&val, buf, len);
	if (v->a->mmio)
		io_bus_write(v->a->mmio, gpa, len, val);
}

static void phys_code_written(void *opaque, uint64_t page)
{
	struct accel_vcpu *v = opaque;
	x86_cpu_code_written(&v->cpu, page);
}

static const struct soft_phys_ops soft_phys_ops = {
	.ram = phys_ram,
	.mmio_read = phys_mmio_read,
	.mmio_write = phys_mmio_write,
	.code_written = phys_code_written,
};

/* ---- linear memory: the CPU's view, through the MMU ---- */

static struct soft_mmu_regs regs_of(const struct x86_cpu *c)
{
	return (struct soft_mmu_regs){ c->cr0, c->cr3, c->cr4, c->efer };
}

static void fault_of(const struct soft_fault *sf, struct x86_fault *f)
{
	f->vector = sf->vector;
	f->error_code = sf->error_code;
	f->cr2 = sf->addr;
}

static enum soft_access access_of(enum x86_access a)
{
	return a == X86_ACC_FETCH ? SOFT_FETCH
	     : a == X86_ACC_RMW   ? SOFT_WRITE
				  : SOFT_READ;
}

static int mem_read(void *o, uint64_t la, void *buf, unsigned len,
		    enum x86_access acc, bool user, struct x86_fault *f)
{
	struct accel_vcpu *v = o;
	struct soft_mmu_regs r = regs_of(&v->cpu);
	struct soft_fault sf;
	if (soft_mmu_read(&v->mmu, &r, la, buf, len, access_of(acc), user, &sf)) {
		fault_of(&sf, f);
		return -1;
	}
	return 0;
}

static int mem_write(void *o, uint64_t la, const void *buf, unsigned len,
		     enum x86_access acc, bool user, struct x86_fault *f)
{
	struct accel_vcpu *v = o;
	struct soft_mmu_regs r = regs_of(&v->cpu);
	struct soft_fault sf;
	(void)acc;
	if (soft_mmu_write(&v->mmu, &r, la, buf, len, user, &sf)) {
		fault_of(&sf, f);
		return -1;
	}
	return 0;
}

static void mem_invlpg(void *o, uint64_t la)
{
	soft_mmu_invlpg(&((struct accel_vcpu *)o)->mmu, la);
}

static void mem_flush_tlb(void *o, bool global)
{
	soft_mmu_flush(&((struct accel_vcpu *)o)->mmu, global);
}

static void mem_pio(void *o, uint16_t port, void *buf, unsigned size,
		    bool write)
{
	struct accel_vcpu *v = o;
	uint64_t val = 0;
	if (soft_irq_pio(v->a->irq, port, buf, size, write))
		return;
	if (write) {
		memcpy(&val, buf, size);
		if (v->a->pio)
			io_bus_write(v->a->pio, port, size, val);
		return;
	}
	val = ~0ull;
	if (v->a->pio)
		io_bus_read(v->a->pio, port, size, &val);
	memcpy(buf, &val, size);
}

static int mem_fetch_phys(void *o, uint64_t la, bool user, uint64_t *phys,
			  struct x86_fault *f)
{
	struct accel_vcpu *v = o;
	struct soft_mmu_regs r = regs_of(&v->cpu);
	struct soft_fault sf;
	if (soft_mmu_translate(&v->mmu, &r, la, SOFT_FETCH, user, phys, &sf)) {
		fault_of(&sf, f);
		return -1;
	}
	return 0;
}

static void mem_watch_code(void *o, uint64_t page)
{
	soft_mmu_watch_code(&((struct accel_vcpu *)o)->mmu, page);
}

/* Only what the MMU's TLB already lets through directly. */
static void *mem_page_ptr(void *o, uint64_t la, bool write, bool user)
{
	struct accel_vcpu *v = o;
	return soft_tlb_host(&v->mmu, la & SOFT_PAGE_MASK, SOFT_PAGE_SIZE,
			     write ? SOFT_WRITE : SOFT_READ, user);
}

static const struct x86_mem_ops soft_mem_ops = {
	.read = mem_read,
	.write = mem_write,
	.invlpg = mem_invlpg,
	.flush_tlb = mem_flush_tlb,
	.pio = mem_pio,
	.page_ptr = mem_page_ptr,
	.fetch_phys = mem_fetch_phys,
	.watch_code = mem_watch_code,
};

/* ---- the VM ---- */

static int soft_create(struct accel **out, struct guest_mem *mem, char *err,
		       size_t errlen)
{
	struct accel *a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	a->mem = mem;
	int e = soft_irq_create(&a->irq);
	if (e) {
		snprintf(err, errlen, "cannot create the soft interrupt controllers: %s",
			 strerror(-e));
		free(a);
		return e;
	}
	*out = a;
	return 0;
}

static void soft_attach_buses(struct accel *a, struct io_bus *pio,
			      struct io_bus *mmio)
{
	a->pio = pio;
	a->mmio = mmio;
}

static void soft_destroy(struct accel *a)
{
	soft_irq_destroy(a->irq);
	free(a);
}

/* ---- vCPUs ---- */

static void soft_vcpu_destroy(struct accel_vcpu *v)
{
	if (!v)
		return;
	if (v->mmu_ready)
		soft_mmu_destroy(&v->mmu);
	x86_icache_free(v->icache);
	soft_irq_cpu_destroy(v->irq);
	if (v->kick_fd >= 0)
		close(v->kick_fd);
	if (v->wake_fd >= 0)
		close(v->wake_fd);
	free(v);
}

/* MSRs beyond the CPU's own: the LAPIC's TSC deadline, KVM's clock. */
static int soft_msr(void *opaque, uint32_t idx, uint64_t *val, bool write)
{
	struct accel_vcpu *v = opaque;
	if (idx == 0x6e0) /* IA32_TSC_DEADLINE */
		return soft_irq_tsc_deadline(v->irq, val, write);
	return soft_kvmclock_msr(&v->kvmclock, idx, val, write);
}

static int soft_vcpu_create(struct accel *a, unsigned int index,
			    unsigned int nr_cpus, struct accel_vcpu **out,
			    char *err, size_t errlen)
{
	/* Secondary CPUs wait for INIT/SIPI from a local APIC, which the
	 * soft CPU does not have yet. */
	if (nr_cpus > 1) {
		snprintf(err, errlen,
			 "--cpus boot=%u: the soft accelerator runs one vCPU for now (boot=1)",
			 nr_cpus);
		return -ENOTSUP;
	}
	struct accel_vcpu *v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	v->a = a;
	v->index = index;
	v->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	v->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int e = v->kick_fd < 0 || v->wake_fd < 0 ? -errno : 0;
	if (!e) {
		e = soft_mmu_init(&v->mmu, &soft_phys_ops, v);
		v->mmu_ready = !e;
	}
	if (!e && !(v->icache = x86_icache_new()))
		e = -ENOMEM;
	if (!e && !(v->irq = soft_irq_cpu_create(a->irq, index, &v->cpu, v->wake_fd)))
		e = -ENOMEM;
	if (e) {
		snprintf(err, errlen, "cannot create soft vCPU %u: %s", index,
			 strerror(-e));
		soft_vcpu_destroy(v);
		return e;
	}
	/* The soft CPU's own leaves, which describe exactly what it
	 * implements, plus KVM's paravirtual clock and nothing else of KVM
	 * (soft_kvmclock.h says why). */
	x86_cpu_set_platform(&v->cpu, &soft_mem_ops, v, &soft_irq_intc_ops, v->irq);
	soft_kvmclock_cpuid(&v->cpuid, index);
	v->cpu.cpuid = &v->cpuid;
	v->kvmclock = (struct soft_kvmclock){ .mem = a->mem, .cpu = &v->cpu,
					      .clock_ns = soft_irq_tsc,
					      .clock_opaque = a->irq };
	soft_irq_cpuid(&v->cpuid);
	v->cpu.msr_hook = soft_msr;
	v->cpu.msr_opaque = v;
	v->cpu.icache = v->icache;
	x86_cpu_reset(&v->cpu);
	*out = v;
	return 0;
}

static int soft_vcpu_set_boot_state(struct accel_vcpu *v,
				    const struct x86_boot_cpu *b)
{
	x86_cpu_load_boot(&v->cpu, b);
	soft_mmu_flush(&v->mmu, true);
	return 0;
}

static void drain(struct accel_vcpu *v, int fd)
{
	uint64_t n;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		pr_debug("soft vcpu %u: eventfd: %s", v->index, strerror(errno));
}

/* HLT: sleep until an interrupt arrives (wake_fd), the next timer is due
 * or a kick (pause, stop) comes. true if it was a kick. */
static bool sleep_halted(struct accel_vcpu *v, uint64_t deadline)
{
	struct pollfd p[2] = { { .fd = v->kick_fd, .events = POLLIN },
			       { .fd = v->wake_fd, .events = POLLIN } };
	struct timespec ts, *timeout = NULL;
	if (deadline != IRQ_NO_DEADLINE) {
		uint64_t now = soft_irq_tsc(v->a->irq);
		uint64_t ns = deadline > now ? deadline - now : 0;
		ts = (struct timespec){ .tv_sec = (time_t)(ns / 1000000000u),
					.tv_nsec = (long)(ns % 1000000000u) };
		timeout = &ts;
	}
	while (ppoll(p, 2, timeout, NULL) < 0 && errno == EINTR)
		;
	drain(v, v->wake_fd);
	if (p[0].revents & POLLIN) {
		drain(v, v->kick_fd);
		return true;
	}
	return false;
}

/* An interrupt the halted CPU would take now. */
static bool lapic_pending_for(struct accel_vcpu *v)
{
	return soft_irq_intc_ops.pending(v->irq) >= 0;
}

static int soft_vcpu_run(struct accel_vcpu *v, struct vcpu_exit *exit)
{
	memset(exit, 0, sizeof(*exit));
	for (;;) {
		uint64_t deadline;
		(void)soft_irq_cpu_service(v->irq);
		switch (x86_cpu_run(&v->cpu, SOFT_RUN_BUDGET)) {
		case X86_EXIT_BUDGET:
			continue;
		case X86_EXIT_HLT:
			/* Timers that came due while the CPU ran first. */
			deadline = soft_irq_cpu_service(v->irq);
			if (v->cpu.nmi_pending ||
			    ((v->cpu.rflags & X86_IF) && lapic_pending_for(v)))
				continue;
			if (!sleep_halted(v, deadline))
				continue;
			exit->reason = VCPU_EXIT_INTERRUPTED;
			return 0;
		case X86_EXIT_KICK:
		case X86_EXIT_IO:
			/* Port and MMIO accesses already reached the buses;
			 * a device that stopped the VM kicked us. */
			drain(v, v->kick_fd);
			exit->reason = VCPU_EXIT_INTERRUPTED;
			return 0;
		case X86_EXIT_SHUTDOWN:
			exit->reason = VCPU_EXIT_SHUTDOWN;
			return 0;
		}
		exit->reason = VCPU_EXIT_ERROR;
		exit->error_desc = "unknown soft CPU exit";
		return 0;
	}
}

static void soft_vcpu_kick(struct accel_vcpu *v)
{
	uint64_t one = 1;
	x86_cpu_kick(&v->cpu);
	/* Async-signal-safe: vm_raise_event kicks from signal handlers. */
	if (write(v->kick_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, so a kick is pending. */
	}
}

static int soft_vcpu_save(struct accel_vcpu *v, struct x86_vcpu_state *s)
{
	x86_cpu_save(&v->cpu, s);
	return 0;
}

static int soft_vcpu_restore(struct accel_vcpu *v,
			     const struct x86_vcpu_state *s, char *err,
			     size_t errlen)
{
	int e = x86_vcpu_state_check(s, err, errlen);
	if (e)
		return e;
	if ((e = x86_cpu_load(&v->cpu, s, err, errlen)))
		return e;
	soft_mmu_flush(&v->mmu, true);
	return 0;
}

static void soft_vcpu_dump(struct accel_vcpu *v)
{
	struct x86_cpu *c = &v->cpu;
	const uint64_t *r = c->gpr;
	pr_err("vcpu %u: rip=%016llx rsp=%016llx rflags=%08llx", v->index,
	       (unsigned long long)c->rip, (unsigned long long)r[X86_RSP],
	       (unsigned long long)x86_cpu_get_rflags(c));
	pr_err("vcpu %u: rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx",
	       v->index, (unsigned long long)r[X86_RAX],
	       (unsigned long long)r[X86_RBX], (unsigned long long)r[X86_RCX],
	       (unsigned long long)r[X86_RDX]);
	pr_err("vcpu %u: cr0=%llx cr2=%llx cr3=%llx cr4=%llx efer=%llx cs=%x/%llx",
	       v->index, (unsigned long long)c->cr0, (unsigned long long)c->cr2,
	       (unsigned long long)c->cr3, (unsigned long long)c->cr4,
	       (unsigned long long)c->efer, c->seg[X86_CS].selector,
	       (unsigned long long)c->seg[X86_CS].base);
	pr_err("vcpu %u: %llu instructions retired", v->index,
	       (unsigned long long)c->icount);
}

static void soft_set_irq_line(struct accel *a, uint32_t gsi, int level)
{
	soft_irq_set_line(a->irq, gsi, level);
}

static int soft_signal_msi(struct accel *a, uint64_t addr, uint32_t data)
{
	return soft_irq_signal_msi(a->irq, addr, data);
}

static int soft_msi_irqfd_add(struct accel *a, int fd, uint64_t addr,
			      uint32_t data)
{
	return soft_irq_irqfd_add(a->irq, fd, addr, data);
}

static int soft_msi_irqfd_update(struct accel *a, int route, uint64_t addr,
				 uint32_t data)
{
	return soft_irq_irqfd_update(a->irq, route, addr, data);
}

static void soft_msi_irqfd_remove(struct accel *a, int route)
{
	soft_irq_irqfd_remove(a->irq, route);
}

static int soft_ioeventfd_add(struct accel *a, uint64_t addr, uint32_t len,
			      bool pio, int fd)
{
	return soft_irq_ioeventfd_add(a->irq, addr, len, pio, fd);
}

static void soft_ioeventfd_remove(struct accel *a, uint64_t addr, uint32_t len,
				  bool pio, int fd)
{
	soft_irq_ioeventfd_remove(a->irq, addr, len, pio, fd);
}

const struct accel_ops soft_accel_ops = {
	.name = "soft",
	.create = soft_create,
	.attach_buses = soft_attach_buses,
	.destroy = soft_destroy,
	.set_irq_line = soft_set_irq_line,
	.signal_msi = soft_signal_msi,
	.msi_irqfd_add = soft_msi_irqfd_add,
	.msi_irqfd_update = soft_msi_irqfd_update,
	.msi_irqfd_remove = soft_msi_irqfd_remove,
	.ioeventfd_add = soft_ioeventfd_add,
	.ioeventfd_remove = soft_ioeventfd_remove,
	.vcpu_create = soft_vcpu_create,
	.vcpu_set_boot_state = soft_vcpu_set_boot_state,
	.vcpu_run = soft_vcpu_run,
	.vcpu_kick = soft_vcpu_kick,
	.vcpu_save = soft_vcpu_save,
	.vcpu_restore = soft_vcpu_restore,
	.vcpu_dump = soft_vcpu_dump,
	.vcpu_destroy = soft_vcpu_destroy,
};
