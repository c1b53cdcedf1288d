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
#include "bus/pci_msix.h"
#include "core/guest_mem.h"
#include "virtio/virtio_device.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/* ---- Snapshot and migration (virtio_pci_state.c) ------------------------
 *
 * Order for a snapshot: pause the vCPUs, virtio_pci_pause every transport
 * (-EOPNOTSUPP: this device kind cannot be snapshotted; resume the others
 * and give up), virtio_pci_save (+ virtio_pci_save_device), save RAM, then
 * virtio_pci_resume (or leave it paused and stop, for migration).
 * For a restore: build the same machine from the same command line (same
 * devices in the same slots), restore RAM first, then virtio_pci_restore
 * each transport (which starts activated devices serving at once), then
 * run the vCPUs. */

/* One queue's transport registers and ring. */
struct virtio_pci_queue_state {
	uint16_t size;           /* queue_size register */
	uint16_t msix_vector;    /* queue_msix_vector */
	uint8_t enabled;         /* queue_enable, 0/1 */
	uint8_t reserved[3];     /* 0 */
	uint64_t desc, driver, device; /* queue_desc / _driver / _device */
	struct virtqueue_state vq;     /* the ring; enabled iff `enabled` */
};

/* The whole guest-visible transport as plain data: its PCI config space,
 * MSI-X, common config registers and queues. About 40 KiB: allocate it. */
#define VIRTIO_PCI_STATE_VERSION 1
struct virtio_pci_state {
	uint32_t version;
	uint32_t device_id;       /* VIRTIO_ID_*: must match */
	uint64_t offered;         /* device_feature: must match */
	uint64_t driver_features; /* guest_feature as the driver wrote it */
	uint64_t features;        /* negotiated (0 before FEATURES_OK) */
	uint32_t dfsel, gfsel;    /* device/guest_feature_select */
	uint16_t queue_select;
	uint16_t msix_config;
	uint8_t status;           /* device_status, NEEDS_RESET included */
	uint8_t isr;              /* unread ISR bits */
	uint8_t generation;       /* config_generation */
	uint8_t driver_unknown_hi; /* 0/1: driver wrote feature words >= 2 */
	uint16_t num_queues;      /* must match; queues[num_queues..] are 0 */
	uint8_t reserved[6];      /* 0 */
	struct pci_device_state pci;
	struct pci_msix_state msix;
	struct virtio_pci_queue_state queues[VIRTIO_PCI_MAX_QUEUES];
};

/* Quiesce the device for a save: an activated device finishes the chain
 * it is on and stops (its pause op); its queues stay as they are.
 * 0 (also when not activated, or already paused), or -EOPNOTSUPP if the
 * device kind has no pause/resume ops. The vCPUs must be paused first: a
 * guest that reset or activated the device meanwhile would undo this. */
int virtio_pci_pause(struct virtio_pci *t) __attribute__((warn_unused_result));
/* Undo virtio_pci_pause: 0, or the device's resume error (the device then
 * reports DEVICE_NEEDS_RESET). 0 if not paused. */
int virtio_pci_resume(struct virtio_pci *t) __attribute__((warn_unused_result));

/* 0, or -EBUSY if the device is activated and not paused, or a queue has
 * a chain in flight. */
int virtio_pci_save(struct virtio_pci *t, struct virtio_pci_state *out)
	__attribute__((warn_unused_result));
/* The device's own bytes (ops->save): their length (0: the device has
 * none), -ENOSPC if cap is too small, -EBUSY as for virtio_pci_save. */
ssize_t virtio_pci_save_device(struct virtio_pci *t, void *buf, size_t cap)
	__attribute__((warn_unused_result));

/* Put the transport (reset first) into the saved state, with the device's
 * own bytes (dev_len 0: none), and activate the device if the state has
 * DRIVER_OK, so it serves its queues from where they were. `in` is
 * untrusted: -EINVAL with a reason in err if it does not fit this device
 * (id, offered features, queue count, vector count), or is inconsistent
 * (features not offered or negotiated without FEATURES_OK, DRIVER_OK
 * without FEATURES_OK, a queue enabled without FEATURES_OK or whose
 * registers differ from its ring, unknown status or ISR bits, vectors out
 * of range, sizes not a power of two up to the maximum, rings outside RAM,
 * device bytes refused or given to a device without a restore op), or if
 * the PCI or MSI-X state is refused. On error the transport is left reset
 * (its PCI config space and MSI-X may already hold the saved values): the
 * machine is not fit to run and should be discarded. */
int virtio_pci_restore(struct virtio_pci *t, const struct virtio_pci_state *in,
		       const void *dev_state, size_t dev_len, char *err,
		       size_t errlen) __attribute__((warn_unused_result));

#endif
