/* virtio 1.x modern PCI transport; see virtio_pci.h for the layout. */
#include "virtio/virtio_pci.h"

#include "bus/pci_msix.h"
#include "virtio/virtio_pci_internal.h"
#include "core/log.h"

#include <errno.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_pci.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static uint32_t class_for(uint32_t device_id)
{
	switch (device_id) {
	case VIRTIO_ID_NET:
		return 0x020000;
	case VIRTIO_ID_BLOCK:
		return 0x010000;
	case VIRTIO_ID_CONSOLE:
		return 0x078000;
	default:
		return 0x00ff00;
	}
}

static void guest_error(struct virtio_pci *t)
{
	atomic_fetch_add(&t->guest_errors, 1);
}

/* ---- Interrupts (any thread, no transport lock) ------------------------- */

static void raise_vector(struct virtio_pci *t, uint16_t vector, uint8_t isr_bit)
{
	atomic_fetch_or(&t->isr, isr_bit);
	atomic_fetch_add(&t->interrupts, 1);
	if (vector != VIRTIO_MSI_NO_VECTOR && vector < t->nvec)
		(void)pci_msix_signal(&t->msix, vector);
}

static void tr_notify_queue(void *opaque, unsigned int q)
{
	struct virtio_pci *t = opaque;
	if (q >= t->vdev.num_queues)
		return;
	raise_vector(t, atomic_load(&t->q[q].msix_vector), ISR_QUEUE);
}

static void config_interrupt(struct virtio_pci *t)
{
	raise_vector(t, atomic_load(&t->msix_config), ISR_CONFIG);
}

void vpci_needs_reset(void *opaque)
{
	struct virtio_pci *t = opaque;
	uint8_t old = atomic_fetch_or(&t->status, VIRTIO_CONFIG_S_NEEDS_RESET);
	if (!(old & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		pr_guest(LOG_WARN, "%s: device needs reset", t->name);
		config_interrupt(t);
	}
}

static void tr_config_changed(void *opaque)
{
	struct virtio_pci *t = opaque;
	atomic_fetch_add(&t->generation, 1);
	config_interrupt(t);
}

/* Called from the device's activate, so the transport lock is held. */
static int tr_queue_irqfd(void *opaque, unsigned int q)
{
	struct virtio_pci *t = opaque;
	if (q >= t->vdev.num_queues || !t->hops->vector_irqfd)
		return -1;
	uint16_t v = atomic_load(&t->q[q].msix_vector);
	if (v == VIRTIO_MSI_NO_VECTOR || v >= t->nvec)
		return -1;
	return t->hops->vector_irqfd(t->host_opaque, v);
}

static const struct virtio_transport_ops tr_ops = {
	.notify_queue = tr_notify_queue,
	.needs_reset = vpci_needs_reset,
	.config_changed = tr_config_changed,
	.queue_irqfd = tr_queue_irqfd,
};

/* ---- Reset and status (transport lock held) ----------------------------- */

static void reset_queue_regs(struct virtio_pci *t, unsigned int i)
{
	struct vpci_queue *q = &t->q[i];
	q->size = t->ops->max_queue_size;
	atomic_store(&q->msix_vector, VIRTIO_MSI_NO_VECTOR);
	q->enabled = false;
	q->desc = q->driver = q->device = 0;
}

void vpci_device_reset(struct virtio_pci *t)
{
	/* The device first: it stops its thread, so the queues are ours. */
	if (t->ops->reset)
		t->ops->reset(t->vdev.dev);
	for (unsigned int i = 0; i < t->vdev.num_queues; i++) {
		virtqueue_reset(&t->vdev.vqs[i]);
		reset_queue_regs(t, i);
		eventfd_t v;
		(void)eventfd_read(t->vdev.kick_fd[i], &v); /* drain stale kicks */
	}
	t->vdev.features = 0;
	t->dfsel = t->gfsel = 0;
	t->driver_features = 0;
	t->driver_unknown_hi = false;
	t->queue_select = 0;
	t->activated = false;
	t->paused = false;
	atomic_store(&t->msix_config, VIRTIO_MSI_NO_VECTOR);
	atomic_store(&t->isr, 0);
	atomic_store(&t->status, 0);
}

static bool features_ok(struct virtio_pci *t)
{
	uint64_t f = t->driver_features;
	if (t->driver_unknown_hi || (f & ~t->offered)) {
		pr_guest(LOG_WARN, "%s: driver asked for features 0x%llx not offered",
			 t->name, (unsigned long long)(f & ~t->offered));
		return false;
	}
	if (!(f & (1ull << VIRTIO_F_VERSION_1))) {
		pr_guest(LOG_WARN, "%s: driver did not accept VERSION_1 (legacy "
			 "drivers are not supported)", t->name);
		return false;
	}
	return true;
}

static void write_status(struct virtio_pci *t, uint8_t val)
{
	if (val == 0) {
		vpci_device_reset(t);
		return;
	}
	uint8_t old = atomic_load(&t->status);
	if ((old & STATUS_DRIVER_BITS) & ~val) {
		pr_guest(LOG_WARN, "%s: driver cleared status bits (0x%x -> 0x%x)",
			 t->name, old, val);
		guest_error(t);
	}
	uint8_t add = val & STATUS_DRIVER_BITS & (uint8_t)~old;
	if (add & VIRTIO_CONFIG_S_FEATURES_OK) {
		if ((old & VIRTIO_CONFIG_S_DRIVER_OK) || !features_ok(t)) {
			add &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
			guest_error(t);
		} else {
			t->vdev.features = t->driver_features;
		}
	}
	if (add & VIRTIO_CONFIG_S_DRIVER_OK) {
		uint8_t now = old | add;
		if (!(now & VIRTIO_CONFIG_S_FEATURES_OK) ||
		    (now & VIRTIO_CONFIG_S_NEEDS_RESET)) {
			pr_guest(LOG_WARN, "%s: DRIVER_OK without FEATURES_OK or "
				 "with NEEDS_RESET", t->name);
			add &= (uint8_t)~VIRTIO_CONFIG_S_DRIVER_OK;
			guest_error(t);
		}
	}
	atomic_fetch_or(&t->status, add);
	if ((add & VIRTIO_CONFIG_S_DRIVER_OK) && !t->activated)
		vpci_activate(t);
}

void vpci_activate(struct virtio_pci *t)
{
	t->activated = true;
	int err = t->ops->activate ? t->ops->activate(t->vdev.dev, &t->vdev) : 0;
	if (err) {
		pr_warn("%s: activation failed: %s", t->name, strerror(-err));
		vpci_needs_reset(t);
	}
}

/* ---- Queues (transport lock held) --------------------------------------- */

static void enable_queue(struct virtio_pci *t, unsigned int i)
{
	struct vpci_queue *q = &t->q[i];
	struct virtqueue *vq = &t->vdev.vqs[i];
	uint8_t st = atomic_load(&t->status);
	if (!(st & VIRTIO_CONFIG_S_FEATURES_OK) || (st & VIRTIO_CONFIG_S_DRIVER_OK)) {
		pr_guest(LOG_WARN, "%s: queue %u enabled outside feature/queue set-up",
			 t->name, i);
		guest_error(t);
		return;
	}
	vq->size = q->size;
	vq->desc_gpa = q->desc;
	vq->avail_gpa = q->driver;
	vq->used_gpa = q->device;
	vq->features = t->vdev.features;
	char err[128];
	int r = virtqueue_enable(vq, err, sizeof(err));
	if (r) {
		pr_guest(LOG_WARN, "%s: queue %u not enabled: %s", t->name, i,
			 r == -EINVAL ? err : strerror(-r));
		guest_error(t);
		vpci_needs_reset(t);
		return;
	}
	q->enabled = true;
}

bool vpci_valid_vector(struct virtio_pci *t, uint32_t v)
{
	return v == VIRTIO_MSI_NO_VECTOR || v < t->nvec;
}

/* ---- Common configuration ----------------------------------------------- */

#define CC(f) offsetof(struct virtio_pci_common_cfg, f)

/* The width each field must be accessed with; 0: not a field start. The
 * 64-bit queue addresses are accessed as 32-bit halves (or whole). */
static bool common_width_ok(uint64_t off, unsigned int size)
{
	switch (off) {
	case CC(device_feature_select):
	case CC(device_feature):
	case CC(guest_feature_select):
	case CC(guest_feature):
	case CC(queue_desc_lo):
	case CC(queue_desc_hi):
	case CC(queue_avail_lo):
	case CC(queue_avail_hi):
	case CC(queue_used_lo):
	case CC(queue_used_hi):
		return size == 4 ||
		       (size == 8 && (off == CC(queue_desc_lo) ||
				      off == CC(queue_avail_lo) ||
				      off == CC(queue_used_lo)));
	case CC(msix_config):
	case CC(num_queues):
	case CC(queue_select):
	case CC(queue_size):
	case CC(queue_msix_vector):
	case CC(queue_enable):
	case CC(queue_notify_off):
		return size == 2;
	case CC(device_status):
	case CC(config_generation):
		return size == 1;
	default:
		return false;
	}
}

static struct vpci_queue *selected(struct virtio_pci *t)
{
	return t->queue_select < t->vdev.num_queues ? &t->q[t->queue_select] : NULL;
}

static uint64_t half(uint64_t v, uint64_t off, uint64_t lo, unsigned int size)
{
	if (size == 8)
		return v;
	return off == lo ? (uint32_t)v : v >> 32;
}

static uint64_t common_read(struct virtio_pci *t, uint64_t off, unsigned int size)
{
	struct vpci_queue *q = selected(t);
	switch (off) {
	case CC(device_feature_select):
		return t->dfsel;
	case CC(device_feature):
		return t->dfsel < 2 ? (uint32_t)(t->offered >> (32 * t->dfsel)) : 0;
	case CC(guest_feature_select):
		return t->gfsel;
	case CC(guest_feature):
		return t->gfsel < 2 ? (uint32_t)(t->driver_features >> (32 * t->gfsel))
				    : 0;
	case CC(msix_config):
		return atomic_load(&t->msix_config);
	case CC(num_queues):
		return t->vdev.num_queues;
	case CC(device_status):
		return atomic_load(&t->status);
	case CC(config_generation):
		return atomic_load(&t->generation);
	case CC(queue_select):
		return t->queue_select;
	case CC(queue_size):
		return q ? q->size : 0;
	case CC(queue_msix_vector):
		return q ? atomic_load(&q->msix_vector) : VIRTIO_MSI_NO_VECTOR;
	case CC(queue_enable):
		return q ? q->enabled : 0;
	case CC(queue_notify_off):
		return q ? t->queue_select : 0;
	case CC(queue_desc_lo):
	case CC(queue_desc_hi):
		return q ? half(q->desc, off, CC(queue_desc_lo), size) : 0;
	case CC(queue_avail_lo):
	case CC(queue_avail_hi):
		return q ? half(q->driver, off, CC(queue_avail_lo), size) : 0;
	case CC(queue_used_lo):
	case CC(queue_used_hi):
		return q ? half(q->device, off, CC(queue_used_lo), size) : 0;
	}
	return 0;
}

static void set_half(uint64_t *reg, uint64_t off, uint64_t lo, unsigned int size,
		     uint64_t v)
{
	if (size == 8)
		*reg = v;
	else if (off == lo)
		*reg = (*reg & ~0xffffffffull) | (uint32_t)v;
	else
		*reg = (*reg & 0xffffffffull) | (uint64_t)(uint32_t)v << 32;
}

/* Queue registers may change only before the queue is enabled. */
static struct vpci_queue *writable_queue(struct virtio_pci *t)
{
	struct vpci_queue *q = selected(t);
	if (!q || q->enabled) {
		pr_guest(LOG_WARN, "%s: write to %s queue %u", t->name,
			 q ? "enabled" : "nonexistent", t->queue_select);
		guest_error(t);
		return NULL;
	}
	return q;
}

static void common_write(struct virtio_pci *t, uint64_t off, unsigned int size,
			 uint64_t v)
{
	struct vpci_queue *q;
	switch (off) {
	case CC(device_feature_select):
		t->dfsel = (uint32_t)v;
		return;
	case CC(guest_feature_select):
		t->gfsel = (uint32_t)v;
		return;
	case CC(guest_feature):
		if (atomic_load(&t->status) & VIRTIO_CONFIG_S_FEATURES_OK) {
			guest_error(t); /* features are fixed after FEATURES_OK */
			return;
		}
		if (t->gfsel < 2) {
			unsigned int sh = 32 * t->gfsel;
			t->driver_features = (t->driver_features & ~(0xffffffffull << sh)) |
					     (uint64_t)(uint32_t)v << sh;
		} else if ((uint32_t)v) {
			t->driver_unknown_hi = true;
		}
		return;
	case CC(msix_config):
		atomic_store(&t->msix_config,
			     vpci_valid_vector(t, (uint32_t)v) ? (uint16_t)v
							 : VIRTIO_MSI_NO_VECTOR);
		return;
	case CC(device_status):
		write_status(t, (uint8_t)v);
		return;
	case CC(queue_select):
		t->queue_select = (uint16_t)v;
		return;
	case CC(queue_size):
		if (!(q = writable_queue(t)))
			return;
		if (v && v <= t->ops->max_queue_size && !(v & (v - 1))) {
			q->size = (uint16_t)v;
		} else {
			pr_guest(LOG_WARN, "%s: bad queue size %llu", t->name,
				 (unsigned long long)v);
			guest_error(t);
		}
		return;
	case CC(queue_msix_vector):
		if ((q = selected(t)) != NULL)
			atomic_store(&q->msix_vector,
				     vpci_valid_vector(t, (uint32_t)v)
					     ? (uint16_t)v
					     : VIRTIO_MSI_NO_VECTOR);
		return;
	case CC(queue_enable):
		if (!(q = writable_queue(t)))
			return;
		if (v == 1)
			enable_queue(t, t->queue_select);
		else
			guest_error(t); /* 0 is reserved; only reset disables */
		return;
	case CC(queue_desc_lo):
	case CC(queue_desc_hi):
		if ((q = writable_queue(t)) != NULL)
			set_half(&q->desc, off, CC(queue_desc_lo), size, v);
		return;
	case CC(queue_avail_lo):
	case CC(queue_avail_hi):
		if ((q = writable_queue(t)) != NULL)
			set_half(&q->driver, off, CC(queue_avail_lo), size, v);
		return;
	case CC(queue_used_lo):
	case CC(queue_used_hi):
		if ((q = writable_queue(t)) != NULL)
			set_half(&q->device, off, CC(queue_used_lo), size, v);
		return;
	default: /* read-only registers */
		guest_error(t);
		return;
	}
}

/* ---- The BAR ------------------------------------------------------------ */

static uint64_t bar_read(void *opaque, uint64_t off, unsigned int size)
{
	struct virtio_pci *t = opaque;
	uint64_t v = 0;
	if (off + size > VIRTIO_PCI_BAR_SIZE)
		return 0;
	if (pci_msix_mmio_read(&t->msix, VIRTIO_PCI_BAR, off, size, &v))
		return v;
	if (off < VIRTIO_PCI_COMMON_LEN) {
		if (!common_width_ok(off, size)) {
			guest_error(t);
			return 0;
		}
		pthread_mutex_lock(&t->lock);
		v = common_read(t, off, size);
		pthread_mutex_unlock(&t->lock);
		return v;
	}
	if (off == VIRTIO_PCI_ISR_OFF && size == 1)
		return atomic_exchange(&t->isr, 0);
	if (off >= VIRTIO_PCI_DEVICE_OFF &&
	    off - VIRTIO_PCI_DEVICE_OFF + size <= t->ops->config_size &&
	    t->ops->config_read) {
		uint8_t buf[8] = { 0 };
		pthread_mutex_lock(&t->lock);
		t->ops->config_read(t->vdev.dev, (uint32_t)(off - VIRTIO_PCI_DEVICE_OFF),
				    buf, size);
		pthread_mutex_unlock(&t->lock);
		for (unsigned int i = 0; i < size; i++)
			v |= (uint64_t)buf[i] << (8 * i);
		return v;
	}
	guest_error(t);
	return 0;
}

static void bar_write(void *opaque, uint64_t off, uint64_t v, unsigned int size)
{
	struct virtio_pci *t = opaque;
	if (off + size > VIRTIO_PCI_BAR_SIZE)
		return;
	if (pci_msix_mmio_write(&t->msix, VIRTIO_PCI_BAR, off, size, v))
		return;
	if (off >= VIRTIO_PCI_NOTIFY_OFF &&
	    off < VIRTIO_PCI_NOTIFY_OFF +
			  (uint64_t)VIRTIO_PCI_NOTIFY_MULT * t->vdev.num_queues) {
		unsigned int q = (unsigned int)((off - VIRTIO_PCI_NOTIFY_OFF) /
						VIRTIO_PCI_NOTIFY_MULT);
		atomic_fetch_add(&t->kicks, 1);
		(void)eventfd_write(t->vdev.kick_fd[q], 1);
		return;
	}
	if (off < VIRTIO_PCI_COMMON_LEN) {
		if (!common_width_ok(off, size)) {
			guest_error(t);
			return;
		}
		pthread_mutex_lock(&t->lock);
		common_write(t, off, size, v);
		pthread_mutex_unlock(&t->lock);
		return;
	}
	if (off >= VIRTIO_PCI_DEVICE_OFF &&
	    off - VIRTIO_PCI_DEVICE_OFF + size <= t->ops->config_size &&
	    t->ops->config_write) {
		uint8_t buf[8];
		for (unsigned int i = 0; i < size; i++)
			buf[i] = (uint8_t)(v >> (8 * i));
		pthread_mutex_lock(&t->lock);
		t->ops->config_write(t->vdev.dev,
				     (uint32_t)(off - VIRTIO_PCI_DEVICE_OFF), buf, size);
		pthread_mutex_unlock(&t->lock);
		return;
	}
	guest_error(t);
}

static const struct io_ops bar_ops = { bar_read, bar_write };

/* PCI bus lock held. */
static void pci_bar_mapped(struct pci_device *dev, unsigned int bar,
			   uint64_t addr, bool mapped)
{
	struct virtio_pci *t = dev->opaque;
	if (bar != VIRTIO_PCI_BAR)
		return;
	atomic_store(&t->bar_addr, mapped ? addr : 0);
	if (!t->hops || !t->hops->notify_mapped)
		return;
	for (unsigned int q = 0; q < t->vdev.num_queues; q++)
		t->hops->notify_mapped(t->host_opaque, q,
				       addr + VIRTIO_PCI_NOTIFY_OFF +
					       (uint64_t)q * VIRTIO_PCI_NOTIFY_MULT,
				       t->vdev.kick_fd[q], mapped);
}

static const struct pci_device_ops vpci_pci_ops = { .bar_mapped = pci_bar_mapped };

/* MSI-X lock held. */
static void msix_vector_changed(void *opaque, unsigned int vector,
				const struct pci_msix_route *r)
{
	struct virtio_pci *t = opaque;
	if (t->hops && t->hops->vector_changed)
		t->hops->vector_changed(t->host_opaque, vector, r->addr, r->data,
					r->masked);
}

static void msix_deliver(void *opaque, unsigned int vector, uint64_t addr,
			 uint32_t data)
{
	struct virtio_pci *t = opaque;
	if (t->hops && t->hops->deliver)
		t->hops->deliver(t->host_opaque, vector, addr, data);
}

static const struct pci_msix_ops vpci_msix_ops = { msix_vector_changed,
						   msix_deliver };

/* ---- Creation ----------------------------------------------------------- */

static int add_cap(struct virtio_pci *t, uint8_t type, uint32_t off, uint32_t len,
		   bool notify)
{
	struct virtio_pci_notify_cap c;
	memset(&c, 0, sizeof(c));
	c.cap.cap_vndr = PCI_CAP_ID_VNDR;
	c.cap.cap_len = notify ? sizeof(c) : sizeof(c.cap);
	c.cap.cfg_type = type;
	c.cap.bar = VIRTIO_PCI_BAR;
	c.cap.offset = off;
	c.cap.length = len;
	c.notify_off_multiplier = VIRTIO_PCI_NOTIFY_MULT;
	int r = pci_add_capability(&t->pci, &c, c.cap.cap_len);
	return r < 0 ? r : 0;
}

static int setup_pci(struct virtio_pci *t)
{
	const struct virtio_device_ops *ops = t->ops;
	struct pci_device_id id = {
		.vendor = VIRTIO_PCI_VENDOR,
		.device = (uint16_t)(VIRTIO_PCI_DEVICE_BASE + ops->device_id),
		.subsys_vendor = VIRTIO_PCI_VENDOR,
		.subsys_id = VIRTIO_PCI_SUBSYS_ID,
		.class_code = class_for(ops->device_id),
		.revision = 1,
		.irq_pin = 0,
	};
	pci_device_init(&t->pci, &id, &vpci_pci_ops, t, t->name);
	int r = pci_device_add_bar(&t->pci, VIRTIO_PCI_BAR, PCI_BAR_MEM64,
				   VIRTIO_PCI_BAR_SIZE, false, IO_WIDTH_ANY, &bar_ops, t);
	if (r)
		return r;
	if ((r = add_cap(t, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF,
			 VIRTIO_PCI_COMMON_LEN, false)) ||
	    (r = add_cap(t, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF,
			 VIRTIO_PCI_NOTIFY_MULT * t->vdev.num_queues, true)) ||
	    (r = add_cap(t, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, 1, false)))
		return r;
	if (ops->config_size &&
	    (r = add_cap(t, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFF,
			 ops->config_size, false)))
		return r;
	return pci_msix_init(&t->msix, &t->pci, t->nvec, VIRTIO_PCI_BAR,
			     VIRTIO_PCI_MSIX_TABLE_OFF, VIRTIO_PCI_BAR,
			     VIRTIO_PCI_MSIX_PBA_OFF, &vpci_msix_ops, t);
}

static void free_transport(struct virtio_pci *t)
{
	if (t->msix.dev)
		pci_msix_destroy(&t->msix);
	if (t->vdev.kick_fd)
		for (unsigned int i = 0; i < t->vdev.num_queues; i++)
			if (t->vdev.kick_fd[i] >= 0)
				close(t->vdev.kick_fd[i]);
	free(t->vdev.kick_fd);
	free(t->vdev.vqs);
	free(t->q);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int virtio_pci_create(struct virtio_pci **out, struct pci_bus *bus, int slot,
		      const struct virtio_device_ops *ops, void *dev,
		      struct guest_mem *mem, const struct virtio_pci_host_ops *hops,
		      void *host_opaque)
{
	uint32_t mqs = ops ? ops->max_queue_size : 0;
	unsigned int nq = !ops ? 0
		: ops->get_num_queues ? ops->get_num_queues(dev) : ops->num_queues;
	if (!ops || !nq || nq > VIRTIO_PCI_MAX_QUEUES ||
	    !mqs || mqs > VIRTQ_MAX_SIZE || (mqs & (mqs - 1)) ||
	    ops->config_size > VIRTIO_PCI_DEVICE_MAX || !hops || !hops->deliver)
		return -EINVAL;
	struct virtio_pci *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	t->ops = ops;
	t->hops = hops;
	t->host_opaque = host_opaque;
	t->nvec = nq + 1;
	snprintf(t->name, sizeof(t->name), "%s", ops->name ? ops->name : "virtio");
	uint64_t dev_features = ops->get_device_features
		? ops->get_device_features(dev) : ops->device_features;
	t->offered = dev_features | 1ull << VIRTIO_F_VERSION_1 |
		     1ull << VIRTIO_F_INDIRECT_DESC;
	if (ops->event_idx)
		t->offered |= 1ull << VIRTIO_F_EVENT_IDX;
	t->vdev.ops = ops;
	t->vdev.dev = dev;
	t->vdev.tops = &tr_ops;
	t->vdev.transport = t;
	t->q = calloc(nq, sizeof(*t->q));
	t->vdev.vqs = calloc(nq, sizeof(*t->vdev.vqs));
	t->vdev.kick_fd = malloc(nq * sizeof(int));
	if (!t->q || !t->vdev.vqs || !t->vdev.kick_fd) {
		free_transport(t);
		return -ENOMEM;
	}
	t->vdev.num_queues = nq;
	for (unsigned int i = 0; i < nq; i++)
		t->vdev.kick_fd[i] = -1;
	int r = 0;
	for (unsigned int i = 0; i < nq; i++) {
		virtqueue_init(&t->vdev.vqs[i], mem, (uint16_t)mqs, t->name);
		reset_queue_regs(t, i);
		t->vdev.kick_fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (t->vdev.kick_fd[i] < 0 && !r)
			r = -errno;
	}
	atomic_store(&t->msix_config, VIRTIO_MSI_NO_VECTOR);
	if (!r)
		r = setup_pci(t);
	if (!r) {
		r = pci_bus_add_device(bus, &t->pci, slot);
		if (r >= 0)
			r = 0;
	}
	if (r) {
		free_transport(t);
		return r;
	}
	*out = t;
	return 0;
}

void virtio_pci_destroy(struct virtio_pci *t)
{
	if (!t)
		return;
	if (t->pci.bus)
		pci_bus_remove_device(t->pci.bus, &t->pci);
	pthread_mutex_lock(&t->lock);
	vpci_device_reset(t);
	pthread_mutex_unlock(&t->lock);
	free_transport(t);
}

struct pci_device *virtio_pci_pci_device(struct virtio_pci *t)
{
	return &t->pci;
}

const char *virtio_pci_name(const struct virtio_pci *t)
{
	return t->name;
}

uint64_t virtio_pci_notify_addr(struct virtio_pci *t, unsigned int q)
{
	uint64_t base = atomic_load(&t->bar_addr);
	if (!base || q >= t->vdev.num_queues)
		return 0;
	return base + VIRTIO_PCI_NOTIFY_OFF + (uint64_t)q * VIRTIO_PCI_NOTIFY_MULT;
}

int virtio_pci_kick_fd(struct virtio_pci *t, unsigned int q)
{
	return q < t->vdev.num_queues ? t->vdev.kick_fd[q] : -1;
}

void virtio_pci_get_stats(struct virtio_pci *t, struct virtio_pci_stats *s)
{
	s->guest_errors = atomic_load(&t->guest_errors);
	s->kicks = atomic_load(&t->kicks);
	s->interrupts = atomic_load(&t->interrupts);
}
