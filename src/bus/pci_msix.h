/* MSI-X for a PCI device: the capability, the vector table and the pending
 * bit array (PBA), both inside the device's memory BARs.
 *
 * A pure model: it keeps each vector's address, data and mask, the
 * function's enable and function-mask bits and the pending bits, and tells
 * its owner (the transport) two things through pci_msix_ops:
 *   - vector_changed: a vector's effective routing changed - it became
 *     masked (its own mask bit, the function mask or MSI-X disabled) or
 *     unmasked, or its address/data changed while unmasked. The transport
 *     turns this into a KVM GSI route / irqfd update.
 *   - deliver: send one message now (a pending vector that got unmasked,
 *     or pci_msix_signal on an unmasked vector).
 * Callbacks run with the MSI-X lock held (and, for config writes, the PCI
 * bus lock): they must not call back into pci_msix_* or the PCI bus.
 *
 * The transport's BAR io_ops hand table/PBA accesses to
 * pci_msix_mmio_read/write first. Table accesses must be 4 or 8 bytes,
 * naturally aligned (PCI spec); others read as 0 / are dropped. The PBA is
 * read-only.
 */
#ifndef KILN_BUS_PCI_MSIX_H
#define KILN_BUS_PCI_MSIX_H

#include "bus/pci.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_MSIX_MAX_VECTORS 2048

struct pci_msix_route {
	uint64_t addr;
	uint32_t data;
	bool masked; /* effective: vector mask | function mask | !enabled */
};

struct pci_msix_ops {
	void (*vector_changed)(void *opaque, unsigned int vector,
			       const struct pci_msix_route *route);
	void (*deliver)(void *opaque, unsigned int vector, uint64_t addr,
			uint32_t data);
};

struct pci_msix {
	pthread_mutex_t lock;
	struct pci_device *dev;
	unsigned int nr_vectors;
	unsigned int table_bar, pba_bar;
	uint64_t table_off, pba_off;
	bool enabled, function_masked; /* mirror of Message Control */
	uint32_t (*table)[4];          /* addr lo, addr hi, data, control */
	uint64_t *pba;
	struct pci_msix_route *routes; /* as last reported */
	const struct pci_msix_ops *ops;
	void *opaque;
	uint64_t bad_accesses;
};

/* Add the MSI-X capability to `dev` (whose BARs must already be added:
 * the table and PBA must lie inside memory BARs, 8-byte aligned offsets,
 * without overlapping). All vectors start masked, MSI-X disabled.
 * 0, -EINVAL, -ENOSPC (config space full), -ENOMEM. */
int pci_msix_init(struct pci_msix *m, struct pci_device *dev,
		  unsigned int nr_vectors, unsigned int table_bar,
		  uint64_t table_off, unsigned int pba_bar, uint64_t pba_off,
		  const struct pci_msix_ops *ops, void *opaque)
	__attribute__((warn_unused_result));
void pci_msix_destroy(struct pci_msix *m);

/* Sizes of the two structures in their BARs. */
static inline uint64_t pci_msix_table_size(unsigned int nr_vectors)
{
	return (uint64_t)nr_vectors * PCI_MSIX_ENTRY_SIZE;
}
static inline uint64_t pci_msix_pba_size(unsigned int nr_vectors)
{
	return ((uint64_t)nr_vectors + 63) / 64 * 8;
}

/* If [off, off + size) of BAR `bar` is the table or the PBA, handle the
 * access and return true; otherwise false (the access is the caller's). */
bool pci_msix_mmio_read(struct pci_msix *m, unsigned int bar, uint64_t off,
			unsigned int size, uint64_t *val);
bool pci_msix_mmio_write(struct pci_msix *m, unsigned int bar, uint64_t off,
			 unsigned int size, uint64_t val);

/* The device wants to interrupt on `vector`: delivered now (true) if MSI-X
 * is enabled and the vector unmasked, else its pending bit is set (if
 * enabled) and false is returned (when MSI-X is off the caller uses INTx). */
bool pci_msix_signal(struct pci_msix *m, unsigned int vector);

bool pci_msix_is_enabled(struct pci_msix *m);
/* The current effective route of a vector (false: no such vector). */
bool pci_msix_get_route(struct pci_msix *m, unsigned int vector,
			struct pci_msix_route *route);

/* Device reset: every vector masked and cleared, nothing pending. The
 * Message Control bits are the config space's (the caller resets those). */
void pci_msix_reset(struct pci_msix *m);

/* ---- Saved state -------------------------------------------------------- */

/* The guest-visible MSI-X state as plain data: the table as the guest
 * wrote it, the pending bits and Message Control's two bits. Entries and
 * bits from nr_vectors on are 0. */
#define PCI_MSIX_STATE_VERSION 1
struct pci_msix_state {
	uint32_t version;
	uint16_t nr_vectors;      /* must match the device */
	uint8_t enabled;          /* Message Control: MSI-X Enable */
	uint8_t function_masked;  /* Message Control: Function Mask */
	uint32_t table[PCI_MSIX_MAX_VECTORS][4]; /* addr lo, addr hi, data, ctrl */
	uint64_t pba[PCI_MSIX_MAX_VECTORS / 64];
};

void pci_msix_save(struct pci_msix *m, struct pci_msix_state *out);

/* Restore into the same model (after pci_device_restore, whose Message
 * Control this sets again from `in`). Every vector's route is reported
 * through vector_changed, masked or not, so the owner rebuilds its routes
 * (KVM irqfds) from nothing; nothing is delivered. `in` is untrusted:
 * -EINVAL with a reason in err, nothing changed, for a version or vector
 * count mismatch, reserved control bits, entries or pending bits past
 * nr_vectors, or a pending bit on a vector that is not masked (a state
 * the model never reaches: it delivers on unmask). */
int pci_msix_restore(struct pci_msix *m, const struct pci_msix_state *in,
		     char *err, size_t errlen) __attribute__((warn_unused_result));

/* For pci.c: the guest wrote Message Control (PCI bus lock held). */
void pci_msix_control_written(struct pci_msix *m, uint16_t control);

#endif
