/* virtio 1.x "modern" PCI transport (virtio 1.2, section 4.1), no legacy
 * interface, wrapping one device described by a struct virtio_device_ops.
 *
 * PCI identity: 1af4:(1040 + device_id), revision 1, subsystem
 * 1af4:1100, class by device kind (rng: 00ff00). No INTx (interrupt pin
 * 0): interrupts are MSI-X only; with MSI-X disabled or a queue's vector
 * VIRTIO_MSI_NO_VECTOR only the ISR bits are set (every guest we care about
 * uses MSI-X for virtio-pci).
 *
 * One 64-bit, non-prefetchable memory BAR, BAR 4 (slots 4 and 5), 16 KiB:
 *   0x0000  common cfg (struct virtio_pci_common_cfg, 0x38 bytes)
 *   0x1000  ISR status (1 byte, read clears)
 *   0x2000  device cfg (ops->config_size bytes)
 *   0x3000  notify area: queue q at 0x3000 + 4 * q
 *           (queue_notify_off = q, notify_off_multiplier = 4)
 *   0x3800  MSI-X table (num_queues + 1 vectors; vector n for queue n is
 *           the driver's choice, any of them may be the config vector)
 *   0x3c00  MSI-X PBA
 * This limits a device to 63 queues; virtio_pci_create refuses more.
 * Vendor capabilities (id 0x09) COMMON, NOTIFY, ISR and DEVICE (when
 * config_size > 0) point into it; there is no PCI_CFG access capability.
 *
 * Notifications: one eventfd per queue (EFD_NONBLOCK | EFD_CLOEXEC),
 * owned by the transport. A guest write to the queue's notify address that
 * reaches the BAR (slow path, vCPU thread) writes 1 to it; the machine may
 * also bind the same fd to the same address with KVM_IOEVENTFD (fast path,
 * any write width: Linux writes 16 bits) - see virtio_pci_notify_addr and
 * the notify_mapped hook. The device reads kicks from its own thread.
 *
 * Locking: guest register accesses to common cfg and device cfg take the
 * transport's lock; ISR and notify use atomics; the MSI-X table has its own
 * lock. The device's thread calls virtio_notify_queue /
 * virtio_set_needs_reset without the transport lock, so a reset (which
 * joins that thread under the transport lock) cannot deadlock. The host
 * hooks below run with PCI or MSI-X locks held: they must not call back
 * into the PCI bus, MSI-X or this transport.
 *
 * Guest errors (bad feature sets, bad rings, odd access widths) never
 * assert: they are ignored or refused, counted and logged rate-limited; a
 * queue that fails validation on enable stays disabled and the device
 * reports DEVICE_NEEDS_RESET.
 */
#ifndef KILN_VIRTIO_VIRTIO_PCI_H
#define KILN_VIRTIO_VIRTIO_PCI_H

#include "bus/pci.h"
#include "core/guest_mem.h"
#include "virtio/virtio_device.h"

#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_BASE 0x1040
#define VIRTIO_PCI_SUBSYS_ID 0x1100

#define VIRTIO_PCI_BAR 4
#define VIRTIO_PCI_BAR_SIZE 0x4000u
#define VIRTIO_PCI_COMMON_OFF 0x0000u
#define VIRTIO_PCI_COMMON_LEN 0x38u
#define VIRTIO_PCI_ISR_OFF 0x1000u
#define VIRTIO_PCI_DEVICE_OFF 0x2000u
#define VIRTIO_PCI_DEVICE_MAX 0x1000u
#define VIRTIO_PCI_NOTIFY_OFF 0x3000u
#define VIRTIO_PCI_NOTIFY_MULT 4u
#define VIRTIO_PCI_MSIX_TABLE_OFF 0x3800u
#define VIRTIO_PCI_MSIX_PBA_OFF 0x3c00u
#define VIRTIO_PCI_MAX_QUEUES 63u

/* The machine's side. deliver is required, the others optional. */
struct virtio_pci_host_ops {
	/* Send one MSI (KVM_SIGNAL_MSI). MSI-X lock held; any thread. */
	void (*deliver)(void *opaque, unsigned int vector, uint64_t addr,
			uint32_t data);
	/* A vector's route changed (for irqfd routing); see pci_msix.h. */
	void (*vector_changed)(void *opaque, unsigned int vector,
			       uint64_t addr, uint32_t data, bool masked);
	/* The BAR was mapped (addr valid) or unmapped: move the queue's
	 * ioeventfd. PCI bus lock held. */
	void (*notify_mapped)(void *opaque, unsigned int q, uint64_t addr,
			      int kick_fd, bool mapped);
	/* The eventfd bound (as a KVM irqfd, whenever the vector is unmasked)
	 * to MSI-X `vector`, created on first use and kept until the machine
	 * goes; -1 if the machine has none. Transport lock held. */
	int (*vector_irqfd)(void *opaque, unsigned int vector);
};

struct virtio_pci;

/* Create the transport for device `dev` (ops' first argument) and add it
 * to `bus` in `slot` (< 0: first free). Guest memory `mem` is where its
 * queues live. 0 and *out, or -EINVAL (bad ops), -ENOMEM, -EMFILE...,
 * or pci_bus_add_device's error. */
int virtio_pci_create(struct virtio_pci **out, struct pci_bus *bus, int slot,
		      const struct virtio_device_ops *ops, void *dev,
		      struct guest_mem *mem, const struct virtio_pci_host_ops *hops,
		      void *host_opaque) __attribute__((warn_unused_result));

/* Remove from the bus, reset the device (joins its thread), free. The
 * device itself stays the caller's. NULL is a no-op. */
void virtio_pci_destroy(struct virtio_pci *t);

struct pci_device *virtio_pci_pci_device(struct virtio_pci *t);
/* The device's name ("virtio-blk"), for logs and the API's counters. */
const char *virtio_pci_name(const struct virtio_pci *t);

/* Guest-physical notify address of queue q while the BAR is mapped, else
 * 0 (also for q out of range). */
uint64_t virtio_pci_notify_addr(struct virtio_pci *t, unsigned int q);
/* The queue's kick eventfd, or -1 for q out of range. */
int virtio_pci_kick_fd(struct virtio_pci *t, unsigned int q);

struct virtio_pci_stats {
	uint64_t guest_errors; /* refused or ignored guest accesses */
	uint64_t kicks;        /* notify writes through the BAR */
	uint64_t interrupts;   /* queue + config interrupts raised */
};
void virtio_pci_get_stats(struct virtio_pci *t, struct virtio_pci_stats *s);

#endif
