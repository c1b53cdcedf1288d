/* Driver-side helpers of the virtio unit tests (virtio_drv.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "virtio_drv.h"

#include <linux/pci_regs.h>
#include <linux/virtio_pci.h>
#include <time.h>

#define CC(f) offsetof(struct virtio_pci_common_cfg, f)

uint32_t vdrv_cfg_read(struct vdrv *d, unsigned int reg, unsigned int size)
{
	return pci_bus_config_read(d->bus, 0, d->slot, 0, reg, size);
}

void vdrv_cfg_write(struct vdrv *d, unsigned int reg, unsigned int size, uint32_t v)
{
	pci_bus_config_write(d->bus, 0, d->slot, 0, reg, size, v);
}

uint64_t vdrv_mrd(struct vdrv *d, uint64_t addr, unsigned int size)
{
	uint64_t v = 0;
	assert_true(io_bus_read(d->mmio, addr, size, &v));
	return v;
}

void vdrv_mwr(struct vdrv *d, uint64_t addr, unsigned int size, uint64_t v)
{
	assert_true(io_bus_write(d->mmio, addr, size, v));
}

uint8_t vdrv_status(struct vdrv *d)
{
	return (uint8_t)vdrv_mrd(d, d->common + CC(device_status), 1);
}

void vdrv_set_status(struct vdrv *d, uint8_t s)
{
	vdrv_mwr(d, d->common + CC(device_status), 1, s);
}

uint64_t vdrv_read_features(struct vdrv *d)
{
	vdrv_mwr(d, d->common + CC(device_feature_select), 4, 0);
	uint64_t lo = vdrv_mrd(d, d->common + CC(device_feature), 4);
	vdrv_mwr(d, d->common + CC(device_feature_select), 4, 1);
	uint64_t hi = vdrv_mrd(d, d->common + CC(device_feature), 4);
	return lo | hi << 32;
}

void vdrv_write_features(struct vdrv *d, uint64_t feat)
{
	vdrv_mwr(d, d->common + CC(guest_feature_select), 4, 0);
	vdrv_mwr(d, d->common + CC(guest_feature), 4, (uint32_t)feat);
	vdrv_mwr(d, d->common + CC(guest_feature_select), 4, 1);
	vdrv_mwr(d, d->common + CC(guest_feature), 4, feat >> 32);
}

void vdrv_walk_caps(struct vdrv *d)
{
	unsigned int p = vdrv_cfg_read(d, PCI_CAPABILITY_LIST, 1) & 0xfc;
	int guard = 0;

	while (p && guard++ < 48) {
		unsigned int id = vdrv_cfg_read(d, p, 1);
		if (id == PCI_CAP_ID_MSIX)
			d->msix_cap = p;
		if (id == PCI_CAP_ID_VNDR) {
			unsigned int type = vdrv_cfg_read(d, p + 3, 1);
			unsigned int bar = vdrv_cfg_read(d, p + 4, 1);
			uint64_t a = d->bar + vdrv_cfg_read(d, p + 8, 4);
			if (bar < 32)
				d->cap_bars |= 1u << bar;
			switch (type) {
			case VIRTIO_PCI_CAP_COMMON_CFG:
				d->common = a;
				d->common_len = vdrv_cfg_read(d, p + 12, 4);
				d->caps_found |= 1;
				break;
			case VIRTIO_PCI_CAP_NOTIFY_CFG:
				d->notify = a;
				d->notify_mult = vdrv_cfg_read(d, p + 16, 4);
				d->notify_cap_len = vdrv_cfg_read(d, p + 2, 1);
				d->caps_found |= 2;
				break;
			case VIRTIO_PCI_CAP_ISR_CFG:
				d->isr = a;
				d->caps_found |= 4;
				break;
			case VIRTIO_PCI_CAP_DEVICE_CFG:
				d->device = a;
				d->caps_found |= 8;
				break;
			}
		}
		p = vdrv_cfg_read(d, p + 1, 1) & 0xfc;
	}
}

void vdrv_enable_msix(struct vdrv *d, unsigned int nvec, uint64_t msi_addr)
{
	uint32_t tbl = vdrv_cfg_read(d, d->msix_cap + PCI_MSIX_TABLE, 4);
	uint64_t table = d->bar + (tbl & ~7u);

	for (unsigned int v = 0; v < nvec; v++) {
		uint64_t e = table + 16ull * v;
		vdrv_mwr(d, e + 0, 4, (uint32_t)msi_addr);
		vdrv_mwr(d, e + 4, 4, msi_addr >> 32);
		vdrv_mwr(d, e + 8, 4, 0x40 + v);
		vdrv_mwr(d, e + 12, 4, 0);
	}
	uint32_t ctl = vdrv_cfg_read(d, d->msix_cap + PCI_MSIX_FLAGS, 2);
	vdrv_cfg_write(d, d->msix_cap + PCI_MSIX_FLAGS, 2, ctl | PCI_MSIX_FLAGS_ENABLE);
}

uint16_t vdrv_used_idx(const uint8_t *used)
{
	return __atomic_load_n((const uint16_t *)(used + 2), __ATOMIC_ACQUIRE);
}

bool vdrv_wait_used(const uint8_t *used, uint16_t want, unsigned int ms)
{
	uint64_t end = vdrv_now_ms() + ms;
	do {
		if (vdrv_used_idx(used) == want)
			return true;
		vdrv_sleep_ms(1);
	} while (vdrv_now_ms() < end);
	return false;
}

uint64_t vdrv_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void vdrv_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}
