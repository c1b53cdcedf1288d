/* virtio-pci's insides, shared by virtio_pci.c (the registers) and
 * virtio_pci_state.c (pause, save, restore). Nothing else includes this. */
#ifndef KILN_VIRTIO_VIRTIO_PCI_INTERNAL_H
#define KILN_VIRTIO_VIRTIO_PCI_INTERNAL_H

#include "bus/pci_msix.h"
#include "virtio/virtio_pci.h"

#include <linux/virtio_config.h>
#include <pthread.h>
#include <stdatomic.h>

#define ISR_QUEUE 0x1  /* ISR bit 0: a used buffer */
#define ISR_CONFIG 0x2 /* ISR bit 1: configuration change */

/* Status bits the driver may set (NEEDS_RESET is the device's). */
#define STATUS_DRIVER_BITS                                                     \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |                \
	 VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FEATURES_OK |             \
	 VIRTIO_CONFIG_S_FAILED)

struct vpci_queue {
	uint16_t size;
	_Atomic uint16_t msix_vector;
	bool enabled;
	uint64_t desc, driver, device;
};

struct virtio_pci {
	struct pci_device pci;
	struct pci_msix msix;
	pthread_mutex_t lock; /* the common/device cfg registers below */
	const struct virtio_device_ops *ops;
	struct virtio_device vdev;
	struct vpci_queue *q;
	const struct virtio_pci_host_ops *hops;
	void *host_opaque;
	unsigned int nvec;
	char name[32];

	uint64_t offered;         /* device_feature */
	uint32_t dfsel, gfsel;    /* feature selects */
	uint64_t driver_features; /* what the driver wrote */
	bool driver_unknown_hi;   /* driver set bits in words >= 2 */
	uint16_t queue_select;
	bool activated;
	bool paused;              /* virtio_pci_pause'd the activated device */

	_Atomic uint8_t status;
	_Atomic uint8_t isr;
	_Atomic uint8_t generation;
	_Atomic uint16_t msix_config;
	_Atomic uint64_t bar_addr; /* 0: not mapped */

	_Atomic uint64_t guest_errors, kicks, interrupts;
};

/* Transport lock held. */
void vpci_device_reset(struct virtio_pci *t);
void vpci_activate(struct virtio_pci *t);
bool vpci_valid_vector(struct virtio_pci *t, uint32_t v);
/* Any thread, no lock: DEVICE_NEEDS_RESET and the config interrupt. */
void vpci_needs_reset(void *opaque);

#endif
