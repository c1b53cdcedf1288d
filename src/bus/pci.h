/* PCI bus 0: config space, BARs, capabilities, and the two ways a guest
 * reaches config space (ports 0xCF8/0xCFC and ECAM MMIO).
 *
 * A device model (a virtio-pci transport, the host bridge) embeds a
 * struct pci_device, describes itself with pci_device_init(), adds BARs
 * and capabilities, then joins the bus with pci_bus_add_device(). The bus
 * owns the standard type-0 header: identity registers are read-only,
 * COMMAND/STATUS/BARs/cache line/interrupt line follow per-byte write masks
 * (guest writes to read-only bits are dropped, STATUS error bits are
 * write-1-to-clear), BAR sizing works through those masks, and whenever
 * COMMAND's IO/MEMORY decode bit or a BAR changes, the BAR's range is
 * (un)registered on the PIO or MMIO io_bus with the BAR's io_ops.
 *
 * Every config access runs under the bus's lock and inside an io_bus defer
 * section, so BAR (un)registrations made by it take effect when the access
 * returns (see io_bus.h), never while a lock is held.
 *
 * Everything the guest writes is untrusted: bad accesses read as all ones,
 * writes are dropped, counted in bad_accesses and logged rate-limited.
 */
#ifndef KILN_BUS_PCI_H
#define KILN_BUS_PCI_H

#include "bus/io_bus.h"
#include "bus/irq.h"

#include <linux/pci_regs.h> /* PCI_COMMAND, PCI_CAP_ID_MSIX, ... */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_MAX_DEVICES 32
#define PCI_NUM_BARS 6
#define PCI_CONFIG_SIZE 256   /* conventional */
#define PCIE_CONFIG_SIZE 4096 /* PCI Express extended */
#define PCI_CAP_START 0x40    /* first byte after the type-0 header */

/* CF8 address register: enable, bus, device, function, dword register. */
#define PCI_CF8_PORT 0xcf8
#define PCI_CFC_PORT 0xcfc
#define PCI_CF8_ENABLE 0x80000000u

/* ECAM: offset = bus << 20 | device << 15 | function << 12 | register. */
#define PCI_ECAM_OFFSET(bus, dev, fn, reg)                                     \
	((uint64_t)(bus) << 20 | (uint64_t)(dev) << 15 | (uint64_t)(fn) << 12 | \
	 (uint64_t)(reg))

struct pci_device;
struct pci_msix;

enum pci_bar_kind { PCI_BAR_UNUSED, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	enum pci_bar_kind kind;
	bool prefetchable;
	uint64_t size;                /* a power of two */
	unsigned int widths;          /* IO_WIDTH_* the BAR's ops accept */
	const struct io_ops *ops;     /* offsets are relative to the BAR */
	void *opaque;
	bool mapped;                  /* registered on the io_bus (or queued) */
	uint64_t mapped_addr;
};

/* A device kind's hooks; every one optional. They run with the bus's
 * config lock held: they must not call pci_bus_config_read/write. */
struct pci_device_ops {
	/* Device-specific registers: `val` is what the generic code read from
	 * the config bytes; return what the guest sees. [off, off + size)
	 * lies within one dword and within the config space. */
	uint32_t (*config_read)(struct pci_device *dev, unsigned int off,
				unsigned int size, uint32_t val);
	/* Called after the generic code applied the write through the write
	 * masks (and remapped BARs): the config bytes hold the new values. */
	void (*config_write)(struct pci_device *dev, unsigned int off,
			     unsigned int size, uint32_t val);
	/* BAR `bar` was mapped at `addr` or unmapped (`mapped` false, `addr`
	 * the old place), e.g. to move ioeventfds. The io_bus change itself
	 * takes effect when the config access that caused it returns. */
	void (*bar_mapped)(struct pci_device *dev, unsigned int bar,
			   uint64_t addr, bool mapped);
};

struct pci_device_id {
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_id;
	uint32_t class_code; /* base << 16 | sub << 8 | programming interface */
	uint8_t revision;
	uint8_t irq_pin;     /* 0: none, 1-4: INTA#-INTD# */
	bool pcie;           /* 4 KiB config space instead of 256 bytes */
};

struct pci_device {
	const char *name;
	const struct pci_device_ops *ops;
	void *opaque;                  /* for the ops; the device's own state */
	struct pci_bus *bus;           /* set by pci_bus_add_device */
	unsigned int slot;
	unsigned int config_size;
	struct pci_bar bars[PCI_NUM_BARS];
	uint8_t last_cap;              /* 0: no capability yet */
	uint8_t next_cap;              /* where the next one goes */
	struct pci_msix *msix;         /* set by pci_msix_init */
	uint8_t msix_cap;
	struct irq_line intx;          /* filled in by the machine */
	bool intx_level;
	uint8_t config[PCIE_CONFIG_SIZE];
	uint8_t wmask[PCIE_CONFIG_SIZE];   /* bits the guest may write */
	uint8_t w1cmask[PCIE_CONFIG_SIZE]; /* bits a guest 1 clears */
};

struct pci_bus {
	pthread_mutex_t lock;          /* config space, the CF8 latch */
	struct io_bus *pio, *mmio;     /* where BARs are mapped */
	struct pci_device *devices[PCI_MAX_DEVICES];
	uint32_t cf8;
	uint64_t ecam_size;
	uint64_t bad_accesses;         /* refused guest config accesses */
};

/* ---- The bus ------------------------------------------------------------ */

void pci_bus_init(struct pci_bus *bus, struct io_bus *pio, struct io_bus *mmio);
/* Removes (unmaps) every device; the devices' memory stays the owner's. */
void pci_bus_destroy(struct pci_bus *bus);

/* Claim 0xCF8 and 0xCFC (four ports each) on bus->pio, and the ECAM window
 * [base, base + size) on bus->mmio (size a multiple of 1 MiB, at most
 * 256 buses; only bus 0 has devices). 0 or io_bus_register's error. */
int pci_bus_register_cf8(struct pci_bus *bus) __attribute__((warn_unused_result));
int pci_bus_register_ecam(struct pci_bus *bus, uint64_t base, uint64_t size)
	__attribute__((warn_unused_result));

/* opaque: the struct pci_bus. For callers that place the ranges themselves. */
extern const struct io_ops pci_cf8_io_ops;  /* 4 ports at 0xCF8, 1/2/4 */
extern const struct io_ops pci_cfc_io_ops;  /* 4 ports at 0xCFC, 1/2/4 */
extern const struct io_ops pci_ecam_io_ops; /* ECAM window, 1/2/4 */

/* Put `dev` in `slot` (0-31), or the first free slot if slot < 0.
 * Returns the slot, -EEXIST (taken), -ENOSPC (full) or -EINVAL. BARs whose
 * decoding is already on are mapped. */
int pci_bus_add_device(struct pci_bus *bus, struct pci_device *dev, int slot)
	__attribute__((warn_unused_result));
/* Unmaps its BARs and frees the slot. From outside a dispatch, once this
 * returns no BAR callback of the device runs (io_bus_unregister's rule). */
void pci_bus_remove_device(struct pci_bus *bus, struct pci_device *dev);

/* A config access as the guest makes it: locked, validated (bus 0, an
 * existing device, function 0, inside the config space, not crossing a
 * dword), all ones for a read that fails, dropped for a write that does. */
uint32_t pci_bus_config_read(struct pci_bus *bus, unsigned int busnr,
			     unsigned int slot, unsigned int fn,
			     unsigned int reg, unsigned int size);
void pci_bus_config_write(struct pci_bus *bus, unsigned int busnr,
			  unsigned int slot, unsigned int fn, unsigned int reg,
			  unsigned int size, uint32_t val);

/* ---- A device ----------------------------------------------------------- */

/* Fill in the header: identity, header type 0, interrupt pin, the write
 * masks of the standard registers. `dev` need not be zeroed first. */
void pci_device_init(struct pci_device *dev, const struct pci_device_id *id,
		     const struct pci_device_ops *ops, void *opaque,
		     const char *name);

/* Describe BAR `bar` before the device joins a bus. size: a power of two,
 * IO 4..256, memory at least 16 (a 64-bit BAR uses `bar` and `bar + 1`).
 * 0 or -EINVAL. */
int pci_device_add_bar(struct pci_device *dev, unsigned int bar,
		       enum pci_bar_kind kind, uint64_t size, bool prefetchable,
		       unsigned int widths, const struct io_ops *ops,
		       void *opaque) __attribute__((warn_unused_result));

/* The address a BAR currently decodes (what the guest or firmware wrote),
 * whether or not decoding is on. */
uint64_t pci_device_bar_addr(const struct pci_device *dev, unsigned int bar);

/* Write a BAR's address as firmware would (no write masks, no hooks), and
 * remap it if decoding is on. 0, or -EINVAL (unused BAR, misaligned). */
int pci_device_set_bar_addr(struct pci_device *dev, unsigned int bar,
			    uint64_t addr) __attribute__((warn_unused_result));

/* Append a capability: `cap` holds the whole structure, its first byte the
 * capability id; byte 1 (next) is filled in. It goes at the next free
 * dword-aligned offset from 0x40, chained after the previous one, and is
 * read-only to the guest until pci_config_set_wmask says otherwise.
 * Returns its offset, or -ENOSPC / -EINVAL. */
int pci_add_capability(struct pci_device *dev, const void *cap,
		       unsigned int len) __attribute__((warn_unused_result));

/* Let the guest write `mask`'s bits of the `size` bytes at `off`. */
void pci_config_set_wmask(struct pci_device *dev, unsigned int off,
			  unsigned int size, uint32_t mask);

/* Raw little-endian access to the config bytes, for device models. Not
 * locked: use at set-up, or from the ops hooks (lock held). */
uint32_t pci_config_get(const struct pci_device *dev, unsigned int off,
			unsigned int size);
void pci_config_put(struct pci_device *dev, unsigned int off,
		    unsigned int size, uint32_t val);

/* Raise or lower INTx: sets STATUS.INTERRUPT, drives dev->intx unless
 * COMMAND.INTX_DISABLE is set. */
void pci_device_set_intx(struct pci_device *dev, bool level);

/* For pci_state.c (bus lock held, inside an io_bus defer section): bring
 * the io_bus mappings and the INTx line in line with the config bytes, as
 * after a guest write of COMMAND and the BARs. */
void pci_device_sync_locked(struct pci_device *dev);

/* ---- Saved state (pci_state.c) ------------------------------------------ */

/* Everything of a device's config space, as plain data: the bytes the guest
 * can change (COMMAND, STATUS error bits, BAR addresses, cache line,
 * interrupt line, capability registers such as MSI-X Message Control) and,
 * so that restore can tell it is the same device, the read-only ones. Bytes
 * a device model computes in its config_read hook are not in here; a
 * device with such registers saves them itself. */
#define PCI_DEVICE_STATE_VERSION 1
struct pci_device_state {
	uint32_t version;
	uint16_t config_size;  /* 256 or 4096; the rest of config[] is 0 */
	uint8_t intx_level;    /* 0/1: the device's INTx input */
	uint8_t reserved;      /* 0 */
	uint8_t config[PCIE_CONFIG_SIZE];
};

/* Takes the bus lock. */
void pci_device_save(struct pci_device *dev, struct pci_device_state *out);

/* Restore into the same device model (same identity, BARs, capabilities),
 * as if the guest had written the writable bytes: BARs whose decoding is on
 * are (re)mapped on the io_bus and the bar_mapped hook runs, INTx follows,
 * MSI-X sees Message Control (restore its table afterwards with
 * pci_msix_restore). `in` is untrusted: -EINVAL with a reason in err, and
 * the device unchanged, if the version or size differ, a read-only bit
 * differs (identity, BAR type and size bits, capabilities), STATUS says
 * INTx differently from intx_level, or two decoding BARs overlap. */
int pci_device_restore(struct pci_device *dev, const struct pci_device_state *in,
		       char *err, size_t errlen) __attribute__((warn_unused_result));

/* ---- BAR address allocation (for pre-assigning BARs) -------------------- */

struct pci_alloc {
	uint64_t next, end; /* [next, end) is still free */
};

void pci_alloc_init(struct pci_alloc *a, uint64_t start, uint64_t end);
/* `size` a power of two; the address is aligned to it. 0, -EINVAL, -ENOSPC. */
int pci_alloc_range(struct pci_alloc *a, uint64_t size, uint64_t *addr)
	__attribute__((warn_unused_result));
/* Give every BAR of `dev` an address, largest first: memory BARs from
 * `mem`, IO BARs from `io` (which may be NULL if there are none). Decoding
 * stays off; the guest's driver turns it on. 0, -ENOSPC or -EINVAL. */
int pci_device_assign_bars(struct pci_device *dev, struct pci_alloc *mem,
			   struct pci_alloc *io) __attribute__((warn_unused_result));

#endif
