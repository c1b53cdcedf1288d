/* The PC's PCI side: bus 0 behind 0xCF8/0xCFC and the ECAM window the MCFG
 * table describes, the host bridge at 00:00.0, and virtio devices with
 * their interrupts and notifications wired to the accelerator. */
#include "machine/pc.h"

#include "arch/x86/layout.h"
#include "bus/pci.h"
#include "core/log.h"
#include "devices/pci_host.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_rng.h"
#include "virtio/virtio_pci.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* One device's MSI-X vectors as KVM irqfds: while a vector is unmasked it
 * has a GSI route carrying its message and an eventfd bound to it, so
 * raising it is one eventfd write from the device's thread and KVM injects
 * the interrupt. Where KVM has no irqfds, messages go out one by one with
 * signal_msi. The MSI-X model serialises both callbacks (its lock). */
#define PC_MSI_MAX_VECTORS 64

struct pc_msi_routes {
	struct vm *vm;
	int fd[PC_MSI_MAX_VECTORS];
	int route[PC_MSI_MAX_VECTORS];
	bool live[PC_MSI_MAX_VECTORS];
	/* fd[] is filled lazily from two sides (MSI-X lock, transport lock) */
	pthread_mutex_t fd_lock;
};

/* The vector's eventfd, created on first use; -1 if none can be made. */
static int vector_fd(struct pc_msi_routes *r, unsigned int vector)
{
	pthread_mutex_lock(&r->fd_lock);
	if (r->fd[vector] < 0)
		r->fd[vector] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int fd = r->fd[vector];
	pthread_mutex_unlock(&r->fd_lock);
	return fd;
}

static struct pc_msi_routes *msi_routes_create(struct vm *vm)
{
	struct pc_msi_routes *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->vm = vm;
	pthread_mutex_init(&r->fd_lock, NULL);
	for (unsigned int i = 0; i < PC_MSI_MAX_VECTORS; i++)
		r->fd[i] = -1;
	return r;
}

static void msi_routes_destroy(struct pc_msi_routes *r)
{
	if (!r)
		return;
	for (unsigned int i = 0; i < PC_MSI_MAX_VECTORS; i++) {
		if (r->live[i])
			r->vm->accel_ops->msi_irqfd_remove(r->vm->accel, r->route[i]);
		if (r->fd[i] >= 0)
			close(r->fd[i]);
	}
	pthread_mutex_destroy(&r->fd_lock);
	free(r);
}

static void pc_pci_teardown(struct vm *vm)
{
	/* Transports first: resetting a device joins its thread and drops
	 * its ioeventfds, which needs the bus and the accelerator alive. */
	for (unsigned int i = vm->nr_virtio; i-- > 0;) {
		struct vm_virtio_slot *d = &vm->virtio[i];
		virtio_pci_destroy(d->transport);
		msi_routes_destroy(d->msi);
		if (d->device && d->destroy_device)
			d->destroy_device(d->device);
		memset(d, 0, sizeof(*d));
	}
	vm->nr_virtio = 0;
	if (vm->pci)
		pci_bus_destroy(vm->pci);
	free(vm->pci_host);
	free(vm->pci);
	free(vm->pci_mem_window);
	vm->pci_host = NULL;
	vm->pci = NULL;
	vm->pci_mem_window = NULL;
}

int pc_add_pci(struct vm *vm, char *err, size_t errlen)
{
	vm->machine_teardown = pc_pci_teardown;
	vm->pci = calloc(1, sizeof(*vm->pci));
	vm->pci_host = calloc(1, sizeof(*vm->pci_host));
	vm->pci_mem_window = calloc(1, sizeof(*vm->pci_mem_window));
	if (!vm->pci || !vm->pci_host || !vm->pci_mem_window) {
		snprintf(err, errlen, "out of memory creating the PCI bus");
		return -ENOMEM;
	}
	pci_bus_init(vm->pci, &vm->pio, &vm->mmio);
	pci_alloc_init(vm->pci_mem_window, X86_PCI_MMIO_START, X86_PCI_MMIO_END);
	int e;
	if ((e = pci_bus_register_cf8(vm->pci)) ||
	    (e = pci_bus_register_ecam(vm->pci, X86_PCI_ECAM_BASE, X86_PCI_ECAM_SIZE)) ||
	    (e = pci_host_init(vm->pci_host, vm->pci)))
		snprintf(err, errlen, "cannot set up the PCI bus: %s", strerror(-e));
	return e;
}

/* Raise a vector: through its irqfd when it has one, else as one MSI. */
static void deliver_msi(void *opaque, unsigned int vector, uint64_t addr,
			uint32_t data)
{
	struct pc_msi_routes *r = opaque;
	struct vm *vm = r->vm;
	if (vector < PC_MSI_MAX_VECTORS && r->live[vector]) {
		if (eventfd_write(r->fd[vector], 1) == 0)
			return;
	}
	if (!vm->accel || !vm->accel_ops->signal_msi)
		return;
	int e = vm->accel_ops->signal_msi(vm->accel, addr, data);
	if (e)
		pr_guest(LOG_WARN, "MSI vector %u (0x%llx/0x%x) not delivered: %s",
			 vector, (unsigned long long)addr, data, strerror(-e));
}

/* The guest (un)masked a vector or changed its message: keep its irqfd
 * route in step. A masked vector has no route; the MSI-X model keeps its
 * pending bit and delivers it on unmask. */
static void vector_changed(void *opaque, unsigned int vector, uint64_t addr,
			   uint32_t data, bool masked)
{
	struct pc_msi_routes *r = opaque;
	struct vm *vm = r->vm;
	if (vector >= PC_MSI_MAX_VECTORS || !vm->accel ||
	    !vm->accel_ops->msi_irqfd_add)
		return;
	if (masked) {
		if (r->live[vector])
			vm->accel_ops->msi_irqfd_remove(vm->accel, r->route[vector]);
		r->live[vector] = false;
		return;
	}
	if (r->live[vector]) {
		if (vm->accel_ops->msi_irqfd_update(vm->accel, r->route[vector],
						    addr, data) == 0)
			return;
		vm->accel_ops->msi_irqfd_remove(vm->accel, r->route[vector]);
		r->live[vector] = false;
	}
	int fd = vector_fd(r, vector);
	if (fd < 0)
		return; /* stays on signal_msi */
	int route = vm->accel_ops->msi_irqfd_add(vm->accel, fd, addr, data);
	if (route >= 0) {
		r->route[vector] = route;
		r->live[vector] = true;
		pr_debug("MSI-X vector %u: irqfd route %d", vector, route);
	} else {
		pr_debug("MSI-X vector %u stays on signal_msi: %s", vector,
			 strerror(-route));
	}
}

/* While the notify area is mapped, KVM signals the queue's kick eventfd
 * itself on a guest write: a notify costs no trip through Kiln. Where KVM
 * cannot, the BAR's own handler (a vCPU exit) signals the same eventfd. */
static void notify_mapped(void *opaque, unsigned int q, uint64_t addr,
			  int kick_fd, bool mapped)
{
	struct vm *vm = ((struct pc_msi_routes *)opaque)->vm;
	if (!vm->accel || !vm->accel_ops->ioeventfd_add)
		return;
	if (!mapped) {
		vm->accel_ops->ioeventfd_remove(vm->accel, addr, 0, false, kick_fd);
		return;
	}
	int e = vm->accel_ops->ioeventfd_add(vm->accel, addr, 0, false, kick_fd);
	if (e)
		pr_debug("queue %u notify at 0x%llx stays on the slow path: %s", q,
			 (unsigned long long)addr, strerror(-e));
}

/* For vhost: the vector's eventfd itself. vector_changed binds it to a GSI
 * route whenever the vector is unmasked (KVM injects a signal that waited
 * in the eventfd when the irqfd is bound again). */
static int vector_irqfd(void *opaque, unsigned int vector)
{
	struct pc_msi_routes *r = opaque;
	struct vm *vm = r->vm;
	if (vector >= PC_MSI_MAX_VECTORS || !vm->accel ||
	    !vm->accel_ops->msi_irqfd_add)
		return -1;
	return vector_fd(r, vector);
}

static const struct virtio_pci_host_ops pc_virtio_host_ops = {
	.deliver = deliver_msi,
	.vector_changed = vector_changed,
	.notify_mapped = notify_mapped,
	.vector_irqfd = vector_irqfd,
};

/* BARs go in the 32-bit MMIO window, assigned here as firmware would. */
static int place_bars(struct vm *vm, struct pci_device *dev)
{
	return pci_device_assign_bars(dev, vm->pci_mem_window, NULL);
}

/* Put a virtio device (already created; ownership passes to the VM, which
 * destroys it with `destroy_device`) on the PCI bus behind its own
 * transport, with its BARs placed and its interrupts wired. */
int pc_add_virtio_device(struct vm *vm, const struct virtio_device_ops *ops,
			 void *device, void (*destroy_device)(void *),
			 char *err, size_t errlen)
{
	if (vm->nr_virtio >= sizeof(vm->virtio) / sizeof(vm->virtio[0])) {
		destroy_device(device);
		snprintf(err, errlen, "too many virtio devices (at most %zu)",
			 sizeof(vm->virtio) / sizeof(vm->virtio[0]));
		return -ENOSPC;
	}
	struct vm_virtio_slot *d = &vm->virtio[vm->nr_virtio++];
	d->device = device;
	d->destroy_device = destroy_device;
	d->msi = msi_routes_create(vm);
	int e = d->msi ? 0 : -ENOMEM;
	if (!e)
		e = virtio_pci_create(&d->transport, vm->pci, -1, ops, device,
				      &vm->mem, &pc_virtio_host_ops, d->msi);
	if (!e)
		e = place_bars(vm, virtio_pci_pci_device(d->transport));
	if (e)
		snprintf(err, errlen, "cannot add the %s device: %s", ops->name,
			 strerror(-e));
	return e;
}

static void destroy_rng(void *device)
{
	virtio_rng_destroy(device);
}

int pc_add_virtio_rng(struct vm *vm, char *err, size_t errlen)
{
	struct virtio_rng *rng;
	int e = virtio_rng_create(&rng);
	if (e) {
		snprintf(err, errlen, "cannot create the virtio-rng device: %s",
			 strerror(-e));
		return e;
	}
	return pc_add_virtio_device(vm, &virtio_rng_ops, rng, destroy_rng, err, errlen);
}

static void destroy_blk(void *device)
{
	virtio_blk_destroy(device);
}

int pc_add_virtio_blk(struct vm *vm, const struct kiln_disk *disk, char *err,
		      size_t errlen)
{
	struct virtio_blk *blk;
	char why[256];
	struct virtio_blk_params p = {
		.path = disk->path,
		.id = disk->id,
		.readonly = disk->readonly,
		.direct = disk->direct,
		.packed = disk->packed,
		.num_queues = disk->num_queues,
	};
	int e = virtio_blk_create(&blk, &p, why, sizeof(why));
	if (e) {
		snprintf(err, errlen, "--disk: %s", why);
		return e;
	}
	return pc_add_virtio_device(vm, &virtio_blk_ops, blk, destroy_blk,
				 err, errlen);
}
