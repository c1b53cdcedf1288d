/* Interrupt controllers for the soft accelerator (see soft_irq.h): the
 * src/irq/ models wired to the software CPU and to accel_ops.
 */
#include "accel/soft/soft_irq.h"

#include "accel/soft/soft_eventfd.h"
#include "arch/x86/layout.h"
#include "irq/apic_bus.h"
#include "irq/i8254.h"
#include "irq/ioapic.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PIT_GSI 2 /* the MADT's interrupt override for ISA IRQ 0 */

struct soft_irq {
	struct irq_clock clock;
	uint64_t epoch; /* CLOCK_MONOTONIC at creation */
	pthread_mutex_t bus_lock; /* the bus's list of APICs */
	struct apic_bus bus;
	struct ioapic *ioapic;
	struct i8254 *pit;
	struct soft_eventfds *eventfds;
};

struct soft_irq_cpu {
	struct soft_irq *s;
	struct lapic *lapic;
	struct x86_cpu *cpu;
	int wake_fd;
};

static uint64_t host_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t clock_now(void *opaque)
{
	struct soft_irq *s = opaque;
	return host_ns() - s->epoch;
}

uint64_t soft_irq_tsc(void *soft_irq)
{
	return clock_now(soft_irq); /* SOFT_TSC_HZ = 1 GHz */
}

static void deliver(void *opaque, const struct apic_msg *m)
{
	struct soft_irq *s = opaque;
	pthread_mutex_lock(&s->bus_lock);
	apic_bus_deliver(&s->bus, NULL, m);
	pthread_mutex_unlock(&s->bus_lock);
}

static void pit_irq(void *ctx, uint32_t gsi, int level)
{
	struct soft_irq *s = ctx;
	ioapic_set_irq(s->ioapic, gsi, level);
}

static int inject_msi(void *opaque, uint64_t addr, uint32_t data)
{
	return soft_irq_signal_msi(opaque, addr, data);
}

int soft_irq_create(struct soft_irq **out)
{
	struct soft_irq *s = calloc(1, sizeof(*s));
	int e;
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->bus_lock, NULL);
	s->epoch = host_ns();
	s->clock = (struct irq_clock){ clock_now, s };
	struct irq_line irq0 = { pit_irq, s, PIT_GSI };
	/* The IOAPIC id the MADT gives for one vCPU. */
	s->ioapic = ioapic_create(1, deliver, s);
	s->pit = i8254_create(&s->clock, &irq0);
	if (!s->ioapic || !s->pit) {
		soft_irq_destroy(s);
		return -ENOMEM;
	}
	if ((e = soft_eventfds_create(&s->eventfds, inject_msi, s))) {
		soft_irq_destroy(s);
		return e;
	}
	*out = s;
	return 0;
}

void soft_irq_destroy(struct soft_irq *s)
{
	if (!s)
		return;
	soft_eventfds_destroy(s->eventfds);
	i8254_destroy(s->pit);
	ioapic_destroy(s->ioapic);
	pthread_mutex_destroy(&s->bus_lock);
	free(s);
}

/* ---- a vCPU's local APIC ---- */

static void cpu_notify(void *opaque)
{
	struct soft_irq_cpu *c = opaque;
	uint64_t one = 1;
	x86_cpu_interrupt_hint(c->cpu);
	if (write(c->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: saturated, so a wake-up is pending anyway. */
	}
}

static void cpu_eoi(void *opaque, uint8_t vector)
{
	struct soft_irq_cpu *c = opaque;
	ioapic_eoi(c->s->ioapic, vector);
}

static void cpu_send(void *opaque, struct lapic *from, const struct apic_msg *m)
{
	struct soft_irq_cpu *c = opaque;
	pthread_mutex_lock(&c->s->bus_lock);
	apic_bus_deliver(&c->s->bus, from, m);
	pthread_mutex_unlock(&c->s->bus_lock);
}

static const struct lapic_host_ops cpu_lapic_ops = {
	.notify = cpu_notify,
	.eoi = cpu_eoi,
	.send = cpu_send,
};

struct soft_irq_cpu *soft_irq_cpu_create(struct soft_irq *s, unsigned int index,
					 struct x86_cpu *cpu, int wake_fd)
{
	struct soft_irq_cpu *c = calloc(1, sizeof(*c));
	if (!c || index >= APIC_BUS_MAX)
		goto fail;
	c->s = s;
	c->cpu = cpu;
	c->wake_fd = wake_fd;
	c->lapic = lapic_create((uint8_t)index, &s->clock, &cpu_lapic_ops, c);
	if (!c->lapic)
		goto fail;
	lapic_set_tsc_hz(c->lapic, SOFT_TSC_HZ, 0);
	pthread_mutex_lock(&s->bus_lock);
	if (s->bus.n <= index)
		s->bus.n = index + 1;
	s->bus.lapic[index] = c->lapic;
	pthread_mutex_unlock(&s->bus_lock);
	cpu->tsc_source = soft_irq_tsc;
	cpu->tsc_opaque = s;
	return c;
fail:
	free(c);
	return NULL;
}

void soft_irq_cpu_destroy(struct soft_irq_cpu *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->s->bus_lock);
	for (unsigned int i = 0; i < c->s->bus.n; i++)
		if (c->s->bus.lapic[i] == c->lapic)
			c->s->bus.lapic[i] = NULL;
	pthread_mutex_unlock(&c->s->bus_lock);
	lapic_destroy(c->lapic);
	free(c);
}

void soft_irq_cpuid(struct cpuid_table *t)
{
	struct cpuid_entry *e = cpuid_find(t, 1, 0);
	if (e)
		e->ecx |= 1u << 24; /* TSC-deadline timer */
}

/* The LAPIC counts in clock time; the guest's TSC is that plus its
 * offset (a write to IA32_TSC moves it). */
int soft_irq_tsc_deadline(struct soft_irq_cpu *c, uint64_t *val, bool write)
{
	uint64_t off = c->cpu->tsc_offset;
	if (write) {
		uint64_t tsc = *val;
		/* 0 disarms; a deadline already past fires at once. */
		lapic_write_tsc_deadline(c->lapic, !tsc ? 0 : tsc > off ? tsc - off : 1);
		return 0;
	}
	uint64_t d = lapic_read_tsc_deadline(c->lapic);
	*val = d ? d + off : 0;
	return 0;
}

static int intc_pending(void *opaque)
{
	return lapic_pending(((struct soft_irq_cpu *)opaque)->lapic);
}

static void intc_ack(void *opaque, int vector)
{
	lapic_ack(((struct soft_irq_cpu *)opaque)->lapic, vector);
}

const struct x86_intc_ops soft_irq_intc_ops = {
	.pending = intc_pending,
	.ack = intc_ack,
};

uint64_t soft_irq_cpu_service(struct soft_irq_cpu *c)
{
	uint8_t sipi;
	lapic_poll(c->lapic);
	i8254_poll(c->s->pit);
	if (lapic_take_nmi(c->lapic))
		c->cpu->nmi_pending = true;
	/* One vCPU: INIT and SIPI have no application processor to start
	 * (the bootstrap processor ignores SIPI, and Kiln never sends INIT
	 * to itself). */
	(void)lapic_take_init(c->lapic);
	(void)lapic_take_sipi(c->lapic, &sipi);
	uint64_t a = lapic_next_deadline(c->lapic);
	uint64_t b = i8254_next_deadline(c->s->pit);
	return a < b ? a : b;
}

/* ---- the CPU's physical and port accesses ---- */

static bool lapic_page(const struct soft_irq_cpu *c, uint64_t gpa)
{
	uint64_t base = c->cpu->apic_base;
	return (base & (1ull << 11)) &&
	       (gpa & ~0xfffull) == (base & 0xffffff000ull);
}

static bool ioapic_page(uint64_t gpa)
{
	return gpa >= X86_IOAPIC_ADDR && gpa < X86_IOAPIC_ADDR + IOAPIC_MMIO_SIZE;
}

bool soft_irq_mmio_read(struct soft_irq_cpu *c, uint64_t gpa, void *buf,
			unsigned len)
{
	uint64_t v;
	if (len > 8)
		return false;
	if (lapic_page(c, gpa))
		v = lapic_mmio_read(c->lapic, gpa & 0xfff, len);
	else if (ioapic_page(gpa))
		v = ioapic_mmio_read(c->s->ioapic, gpa - X86_IOAPIC_ADDR, len);
	else
		return false;
	memcpy(buf, &v, len);
	return true;
}

bool soft_irq_mmio_write(struct soft_irq_cpu *c, uint64_t gpa,
			 const void *buf, unsigned len)
{
	uint64_t v = 0;
	if (len > 8)
		return false;
	memcpy(&v, buf, len);
	if (lapic_page(c, gpa))
		lapic_mmio_write(c->lapic, gpa & 0xfff, len, v);
	else if (ioapic_page(gpa))
		ioapic_mmio_write(c->s->ioapic, gpa - X86_IOAPIC_ADDR, len, v);
	else
		return soft_ioeventfd_write(c->s->eventfds, gpa, len, false);
	return true;
}

bool soft_irq_pio(struct soft_irq *s, uint16_t port, void *buf, unsigned size,
		  bool write)
{
	bool pit = (port >= I8254_BASE && port < I8254_BASE + I8254_PORTS) ||
		   port == I8254_PORT_B;
	if (!pit)
		return write && soft_ioeventfd_write(s->eventfds, port, size, true);
	/* The PIT's ports are 8 bits wide; wider accesses take the first. */
	if (write) {
		i8254_write(s->pit, port, *(const uint8_t *)buf);
	} else {
		memset(buf, 0xff, size);
		*(uint8_t *)buf = i8254_read(s->pit, port);
	}
	return true;
}

/* ---- accel_ops ---- */

void soft_irq_set_line(struct soft_irq *s, uint32_t gsi, int level)
{
	ioapic_set_irq(s->ioapic, gsi, level);
}

int soft_irq_signal_msi(struct soft_irq *s, uint64_t addr, uint32_t data)
{
	struct apic_msg m;
	if (!apic_msg_from_msi(addr, data, &m))
		return 0; /* not an interrupt address: lost, as on hardware */
	deliver(s, &m);
	return 0;
}

int soft_irq_irqfd_add(struct soft_irq *s, int fd, uint64_t addr, uint32_t data)
{
	return soft_irqfd_add(s->eventfds, fd, addr, data);
}

int soft_irq_irqfd_update(struct soft_irq *s, int route, uint64_t addr,
			  uint32_t data)
{
	return soft_irqfd_update(s->eventfds, route, addr, data);
}

void soft_irq_irqfd_remove(struct soft_irq *s, int route)
{
	soft_irqfd_remove(s->eventfds, route);
}

int soft_irq_ioeventfd_add(struct soft_irq *s, uint64_t addr, uint32_t len,
			   bool pio, int fd)
{
	return soft_ioeventfd_add(s->eventfds, addr, len, pio, fd);
}

void soft_irq_ioeventfd_remove(struct soft_irq *s, uint64_t addr, uint32_t len,
			       bool pio, int fd)
{
	soft_ioeventfd_remove(s->eventfds, addr, len, pio, fd);
}
