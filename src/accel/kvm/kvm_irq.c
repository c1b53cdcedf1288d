/* KVM interrupt plumbing beyond KVM_IRQ_LINE: MSI injection, MSI irqfds
 * (an eventfd write becomes an MSI in the kernel) and ioeventfds (a guest
 * write becomes an eventfd signal without an exit).
 *
 * KVM_SET_GSI_ROUTING replaces the VM's whole routing table, so Kiln keeps
 * its own copy: the PC's default routes for GSIs 0-23 (exactly the table
 * the kernel starts with, so KVM_IRQ_LINE keeps working) followed by one
 * MSI route per irqfd at GSI KVM_MSI_GSI_BASE + handle.
 */
#include "accel/kvm/kvm_internal.h"
#include "core/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define PIC_PINS 16 /* GSIs 0-15 also reach the two 8259s */
#define NR_DEFAULT_ROUTES (KVM_IOAPIC_PINS + PIC_PINS)

void kvm_irq_init(struct accel *a)
{
	pthread_mutex_init(&a->route_lock, NULL);
}

void kvm_irq_probe(struct accel *a)
{
	int routes = ioctl(a->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_ROUTING);
	a->has_irq_routing = routes > NR_DEFAULT_ROUTES;
	if (a->has_irq_routing) {
		/* The kernel bounds both the GSI numbers and the entries. */
		unsigned int room = (unsigned int)routes - NR_DEFAULT_ROUTES;
		a->max_msi_routes = room < KVM_MSI_ROUTES_MAX ? room
							      : KVM_MSI_ROUTES_MAX;
	}
	a->has_irqfd = ioctl(a->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD) > 0;
	a->has_ioeventfd =
		ioctl(a->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) > 0;
	a->has_ioeventfd_any_len = ioctl(a->kvm_fd, KVM_CHECK_EXTENSION,
					 KVM_CAP_IOEVENTFD_ANY_LENGTH) > 0;
	a->has_signal_msi =
		ioctl(a->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SIGNAL_MSI) > 0;
	if (!a->has_irq_routing || !a->has_irqfd || !a->has_ioeventfd ||
	    !a->has_signal_msi)
		pr_info("kvm: irq routing %d, irqfd %d, ioeventfd %d, signal_msi %d: devices fall back to exits",
			a->has_irq_routing, a->has_irqfd, a->has_ioeventfd,
			a->has_signal_msi);
}

void kvm_irq_destroy(struct accel *a)
{
	/* Closing the VM drops its irqfds, ioeventfds and routes. */
	free(a->msi_routes);
	a->msi_routes = NULL;
	pthread_mutex_destroy(&a->route_lock);
}

int kvm_signal_msi(struct accel *a, uint64_t addr, uint32_t data)
{
	if (!a->has_signal_msi)
		return -ENOTSUP;
	struct kvm_msi msi = {
		.address_lo = (uint32_t)addr,
		.address_hi = (uint32_t)(addr >> 32),
		.data = data,
	};
	/* > 0: delivered; 0: blocked by the guest's interrupt controllers.
	 * The kernel reports "no APIC matched the destination" as a bare -1,
	 * which reads as EPERM here: a message the guest aimed at nothing,
	 * lost as on real hardware, not a host failure. */
	if (ioctl(a->vm_fd, KVM_SIGNAL_MSI, &msi) < 0 && errno != EPERM)
		return -errno;
	return 0;
}

static void default_route(struct kvm_irq_routing_entry *e, uint32_t gsi,
			  uint32_t chip, uint32_t pin)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

/* Hand the whole table to KVM. Called with route_lock held. Live irqfds
 * pick up their route's new message at once. */
static int publish_routes(struct accel *a)
{
	unsigned int n = NR_DEFAULT_ROUTES;
	for (unsigned int i = 0; i < a->nr_msi_routes; i++)
		n += a->msi_routes[i].used;
	struct kvm_irq_routing *t =
		calloc(1, sizeof(*t) + n * sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	struct kvm_irq_routing_entry *e = t->entries;
	for (uint32_t gsi = 0; gsi < KVM_IOAPIC_PINS; gsi++) {
		default_route(e++, gsi, KVM_IRQCHIP_IOAPIC, gsi);
		if (gsi < PIC_PINS)
			default_route(e++, gsi,
				      gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
					      : KVM_IRQCHIP_PIC_SLAVE,
				      gsi % 8);
	}
	for (unsigned int i = 0; i < a->nr_msi_routes; i++) {
		const struct kvm_msi_route *r = &a->msi_routes[i];
		if (!r->used)
			continue;
		memset(e, 0, sizeof(*e));
		e->gsi = KVM_MSI_GSI_BASE + i;
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = (uint32_t)r->addr;
		e->u.msi.address_hi = (uint32_t)(r->addr >> 32);
		e->u.msi.data = r->data;
		e++;
	}
	t->nr = n;
	int ret = 0;
	if (ioctl(a->vm_fd, KVM_SET_GSI_ROUTING, t) < 0)
		ret = -errno;
	free(t);
	return ret;
}

/* A free slot, growing the table; -ENOSPC or -ENOMEM. route_lock held. */
static int alloc_route(struct accel *a)
{
	for (unsigned int i = 0; i < a->nr_msi_routes; i++)
		if (!a->msi_routes[i].used)
			return (int)i;
	if (a->nr_msi_routes >= a->max_msi_routes)
		return -ENOSPC;
	unsigned int n = a->nr_msi_routes ? a->nr_msi_routes * 2 : 16;
	if (n > a->max_msi_routes)
		n = a->max_msi_routes;
	struct kvm_msi_route *r = realloc(a->msi_routes, n * sizeof(*r));
	if (!r)
		return -ENOMEM;
	memset(r + a->nr_msi_routes, 0, (n - a->nr_msi_routes) * sizeof(*r));
	a->msi_routes = r;
	int slot = (int)a->nr_msi_routes;
	a->nr_msi_routes = n;
	return slot;
}

static int irqfd(struct accel *a, int fd, unsigned int route, uint32_t flags)
{
	struct kvm_irqfd req = {
		.fd = (uint32_t)fd,
		.gsi = KVM_MSI_GSI_BASE + route,
		.flags = flags,
	};
	return ioctl(a->vm_fd, KVM_IRQFD, &req) < 0 ? -errno : 0;
}

int kvm_msi_irqfd_add(struct accel *a, int fd, uint64_t addr, uint32_t data)
{
	if (!a->has_irq_routing || !a->has_irqfd)
		return -ENOTSUP;
	if (fd < 0)
		return -EBADF;
	pthread_mutex_lock(&a->route_lock);
	int route = alloc_route(a);
	if (route < 0)
		goto out;
	struct kvm_msi_route *r = &a->msi_routes[route];
	*r = (struct kvm_msi_route){
		.used = true, .fd = fd, .addr = addr, .data = data,
	};
	int err = publish_routes(a);
	if (!err)
		err = irqfd(a, fd, (unsigned int)route, 0);
	if (err) {
		/* The stale route, if published, is unreachable: no irqfd
		 * points at it and the next publish drops it. */
		r->used = false;
		route = err;
	}
out:
	pthread_mutex_unlock(&a->route_lock);
	return route;
}

static bool route_valid(const struct accel *a, int route)
{
	return route >= 0 && (unsigned int)route < a->nr_msi_routes &&
	       a->msi_routes[route].used;
}

int kvm_msi_irqfd_update(struct accel *a, int route, uint64_t addr,
			 uint32_t data)
{
	if (!a->has_irq_routing || !a->has_irqfd)
		return -ENOTSUP;
	pthread_mutex_lock(&a->route_lock);
	int err = -EINVAL;
	if (route_valid(a, route)) {
		struct kvm_msi_route *r = &a->msi_routes[route];
		if (r->addr == addr && r->data == data) {
			err = 0;
		} else {
			uint64_t old_addr = r->addr;
			uint32_t old_data = r->data;
			r->addr = addr;
			r->data = data;
			err = publish_routes(a);
			if (err) {
				r->addr = old_addr; /* KVM still has these */
				r->data = old_data;
			}
		}
	}
	pthread_mutex_unlock(&a->route_lock);
	return err;
}

void kvm_msi_irqfd_remove(struct accel *a, int route)
{
	if (!a->has_irq_routing || !a->has_irqfd)
		return;
	pthread_mutex_lock(&a->route_lock);
	if (!route_valid(a, route)) {
		pthread_mutex_unlock(&a->route_lock);
		pr_warn("kvm: msi_irqfd_remove of unknown route %d", route);
		return;
	}
	struct kvm_msi_route *r = &a->msi_routes[route];
	int err = irqfd(a, r->fd, (unsigned int)route, KVM_IRQFD_FLAG_DEASSIGN);
	if (err)
		pr_warn("kvm: KVM_IRQFD deassign gsi %u: %s",
			KVM_MSI_GSI_BASE + route, strerror(-err));
	r->used = false;
	/* Not strictly needed (no irqfd uses the GSI any more), but keeps
	 * KVM's table equal to ours. */
	err = publish_routes(a);
	if (err)
		pr_warn("kvm: KVM_SET_GSI_ROUTING: %s", strerror(-err));
	pthread_mutex_unlock(&a->route_lock);
}

static int ioeventfd(struct accel *a, uint64_t addr, uint32_t len, bool pio,
		     int fd, uint32_t flags)
{
	if (!a->has_ioeventfd)
		return -ENOTSUP;
	if (fd < 0)
		return -EBADF;
	switch (len) {
	case 0:
		if (!a->has_ioeventfd_any_len)
			return -ENOTSUP;
		break;
	case 1:
	case 2:
	case 4:
		break;
	case 8:
		if (pio)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (pio && addr + (len ? len : 1) > 0x10000)
		return -EINVAL;
	struct kvm_ioeventfd req = {
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = flags | (pio ? KVM_IOEVENTFD_FLAG_PIO : 0),
	};
	return ioctl(a->vm_fd, KVM_IOEVENTFD, &req) < 0 ? -errno : 0;
}

int kvm_ioeventfd_add(struct accel *a, uint64_t addr, uint32_t len, bool pio,
		      int fd)
{
	return ioeventfd(a, addr, len, pio, fd, 0);
}

void kvm_ioeventfd_remove(struct accel *a, uint64_t addr, uint32_t len,
			  bool pio, int fd)
{
	int err = ioeventfd(a, addr, len, pio, fd, KVM_IOEVENTFD_FLAG_DEASSIGN);
	if (err && err != -ENOTSUP)
		pr_warn("kvm: KVM_IOEVENTFD deassign %s 0x%llx/%u: %s",
			pio ? "pio" : "mmio", (unsigned long long)addr, len,
			strerror(-err));
}
