/* The soft accelerator's interrupt controllers and doorbells: one local
 * APIC per vCPU, the IOAPIC, the PIT, MSI irqfds and ioeventfds, on the
 * models of src/irq/. soft_accel.c calls in from its physical MMIO and
 * port I/O paths (the devices here come before the VM's buses) and from
 * its run loop (timers, HLT, NMI).
 *
 * Time: one host clock (CLOCK_MONOTONIC since the VM was created) drives
 * the LAPIC timers, the PIT and the guest's TSC, which counts at
 * SOFT_TSC_HZ; Linux measures that against the PIT at boot.
 */
#ifndef KILN_ACCEL_SOFT_SOFT_IRQ_H
#define KILN_ACCEL_SOFT_SOFT_IRQ_H

#include "accel/soft/x86_cpu.h"
#include "irq/lapic.h"

#include <stdbool.h>
#include <stdint.h>

/* 1 GHz: the TSC is the clock's nanoseconds. */
#define SOFT_TSC_HZ 1000000000ull

struct soft_irq;
struct soft_irq_cpu;

int soft_irq_create(struct soft_irq **out) __attribute__((warn_unused_result));
void soft_irq_destroy(struct soft_irq *s);

/* A vCPU's local APIC (id = index). `wake_fd` is written when an
 * interrupt arrives for a halted CPU. NULL when out of memory. */
struct soft_irq_cpu *soft_irq_cpu_create(struct soft_irq *s, unsigned int index,
					 struct x86_cpu *cpu, int wake_fd);
void soft_irq_cpu_destroy(struct soft_irq_cpu *c);
extern const struct x86_intc_ops soft_irq_intc_ops; /* opaque: soft_irq_cpu */

/* CPUID leaf 1 gains TSC-deadline: the LAPIC timer has that mode. */
void soft_irq_cpuid(struct cpuid_table *t);
/* IA32_TSC_DEADLINE of this vCPU's LAPIC (an x86_cpu msr_hook's part). */
int soft_irq_tsc_deadline(struct soft_irq_cpu *c, uint64_t *val, bool write);

/* Clock time in ns (for the TSC: the cpu's tsc_source). */
uint64_t soft_irq_tsc(void *soft_irq);

/* Accesses the interrupt controllers, the PIT or an ioeventfd take:
 * true when handled (reads fill `buf`). */
bool soft_irq_mmio_read(struct soft_irq_cpu *c, uint64_t gpa, void *buf,
			unsigned len);
bool soft_irq_mmio_write(struct soft_irq_cpu *c, uint64_t gpa,
			 const void *buf, unsigned len);
bool soft_irq_pio(struct soft_irq *s, uint16_t port, void *buf, unsigned size,
		  bool write);

/* On the vCPU thread between runs: fire due timers and move an NMI, INIT
 * or SIPI into the CPU. Returns the next timer deadline (ns). */
uint64_t soft_irq_cpu_service(struct soft_irq_cpu *c);

/* The accel_ops entry points. */
void soft_irq_set_line(struct soft_irq *s, uint32_t gsi, int level);
int soft_irq_signal_msi(struct soft_irq *s, uint64_t addr, uint32_t data);
int soft_irq_irqfd_add(struct soft_irq *s, int fd, uint64_t addr, uint32_t data);
int soft_irq_irqfd_update(struct soft_irq *s, int route, uint64_t addr,
			  uint32_t data);
void soft_irq_irqfd_remove(struct soft_irq *s, int route);
int soft_irq_ioeventfd_add(struct soft_irq *s, uint64_t addr, uint32_t len,
			   bool pio, int fd);
void soft_irq_ioeventfd_remove(struct soft_irq *s, uint64_t addr, uint32_t len,
			       bool pio, int fd);

#endif
