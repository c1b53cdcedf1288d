/* The driver side of virtio, shared by the virtio unit tests: PCI config
 * space, the BAR's registers on the MMIO bus, the capability walk, status
 * and feature registers, the MSI-X table, used rings, and the clock the
 * tests poll with. A test's fixture embeds a struct vdrv and fills bus,
 * mmio, slot and bar; the accessors assert that each access reached a
 * device. */
#ifndef KILN_TESTS_VIRTIO_DRV_H
#define KILN_TESTS_VIRTIO_DRV_H

#include "bus/io_bus.h"
#include "bus/pci.h"

#include <stdbool.h>
#include <stdint.h>

struct vdrv {
	struct pci_bus *bus;
	struct io_bus *mmio;
	unsigned int slot;
	uint64_t bar;            /* where the virtio BAR is mapped */
	/* Found by vdrv_walk_caps, absolute guest-physical addresses. */
	uint64_t common, isr, device, notify;
	uint32_t notify_mult;
	unsigned int msix_cap;
	int caps_found;          /* 1 common, 2 notify, 4 ISR, 8 device config */
	/* What the virtio capabilities said, for the tests that check it. */
	uint32_t cap_bars;       /* bit n: a capability named BAR n */
	uint32_t common_len;     /* the common configuration's length */
	unsigned int notify_cap_len; /* the notify capability's cap_len */
};

uint32_t vdrv_cfg_read(struct vdrv *d, unsigned int reg, unsigned int size);
void vdrv_cfg_write(struct vdrv *d, unsigned int reg, unsigned int size, uint32_t v);
uint64_t vdrv_mrd(struct vdrv *d, uint64_t addr, unsigned int size);
void vdrv_mwr(struct vdrv *d, uint64_t addr, unsigned int size, uint64_t v);

/* device_status, and the 64-bit device/driver feature words. */
uint8_t vdrv_status(struct vdrv *d);
void vdrv_set_status(struct vdrv *d, uint8_t s);
uint64_t vdrv_read_features(struct vdrv *d);
void vdrv_write_features(struct vdrv *d, uint64_t feat);

/* Walk the capability list (at most 48 entries) and record what it finds
 * in *d; asserts nothing, so each test checks what it cares about. */
void vdrv_walk_caps(struct vdrv *d);

/* MSI-X on, table entries 0 .. nvec-1 unmasked with address msi_addr and
 * data 0x40 + vector. */
void vdrv_enable_msix(struct vdrv *d, unsigned int nvec, uint64_t msi_addr);

/* A used ring's idx (acquire), `used` being the ring in the test's view
 * of guest RAM; poll it every millisecond until it is `want`: false when
 * `ms` passed first. */
uint16_t vdrv_used_idx(const uint8_t *used);
bool vdrv_wait_used(const uint8_t *used, uint16_t want, unsigned int ms);

/* CLOCK_MONOTONIC in milliseconds; sleep that long. */
uint64_t vdrv_now_ms(void);
void vdrv_sleep_ms(unsigned int ms);

#endif
