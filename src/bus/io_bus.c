#include "bus/io_bus.h"

#include "core/log.h"

#include <errno.h>
#include <string.h>

void io_bus_init(struct io_bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	pthread_rwlock_init(&bus->lock, NULL);
}

void io_bus_destroy(struct io_bus *bus)
{
	pthread_rwlock_destroy(&bus->lock);
}

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    unsigned int widths, const struct io_ops *ops, void *opaque,
		    const char *name)
{
	if (!len || len - 1 > UINT64_MAX - base ||
	    !(widths & IO_WIDTH_ANY) || !ops)
		return -EINVAL;

	pthread_rwlock_wrlock(&bus->lock);
	int err = 0;
	unsigned int pos = 0;
	if (bus->nr_ranges == IO_BUS_MAX_RANGES) {
		err = -ENOSPC;
		goto out;
	}
	while (pos < bus->nr_ranges && bus->ranges[pos].base < base)
		pos++;
	/* Only the neighbours can overlap in a sorted, disjoint table. */
	if (pos > 0) {
		const struct io_range *prev = &bus->ranges[pos - 1];
		if (prev->base + prev->len - 1 >= base) {
			err = -EEXIST;
			goto out;
		}
	}
	if (pos < bus->nr_ranges && bus->ranges[pos].base <= base + len - 1) {
		err = -EEXIST;
		goto out;
	}
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos],
		(bus->nr_ranges - pos) * sizeof(bus->ranges[0]));
	bus->ranges[pos] = (struct io_range){ .base = base, .len = len,
					      .widths = widths, .ops = ops,
					      .opaque = opaque, .name = name };
	bus->nr_ranges++;
out:
	pthread_rwlock_unlock(&bus->lock);
	return err;
}

int io_bus_unregister(struct io_bus *bus, uint64_t base)
{
	int err = -ENOENT;
	pthread_rwlock_wrlock(&bus->lock);
	for (unsigned int i = 0; i < bus->nr_ranges; i++) {
		if (bus->ranges[i].base != base)
			continue;
		memmove(&bus->ranges[i], &bus->ranges[i + 1],
			(bus->nr_ranges - i - 1) * sizeof(bus->ranges[0]));
		bus->nr_ranges--;
		err = 0;
		break;
	}
	pthread_rwlock_unlock(&bus->lock);
	return err;
}

/* Binary search; caller holds the lock. */
static const struct io_range *lookup(const struct io_bus *bus, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nr_ranges;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct io_range *r = &bus->ranges[mid];
		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static void report_unhandled(struct io_bus *bus, uint64_t addr, unsigned size,
			     bool write)
{
	__atomic_add_fetch(&bus->unhandled, 1, __ATOMIC_RELAXED);
	if (addr < 65536) {
		uint8_t bit = (uint8_t)(1u << (addr % 8));
		uint8_t old = __atomic_fetch_or(&bus->pio_logged[addr / 8], bit,
						__ATOMIC_RELAXED);
		if (old & bit)
			return;
		pr_debug("%s: unhandled %u-byte %s at 0x%llx (logged once)",
			 bus->name, size, write ? "write" : "read",
			 (unsigned long long)addr);
		return;
	}
	pr_guest(LOG_DEBUG, "%s: unhandled %u-byte %s at 0x%llx", bus->name,
		 size, write ? "write" : "read", (unsigned long long)addr);
}

/* The whole access must fall inside the range at a width it accepts. */
static bool access_ok(struct io_bus *bus, const struct io_range *r,
		      uint64_t addr, unsigned int size)
{
	if (size > 8 || !(r->widths & (1u << size)) ||
	    addr - r->base > r->len - size || r->len < size) {
		__atomic_add_fetch(&bus->bad_width, 1, __ATOMIC_RELAXED);
		pr_guest(LOG_DEBUG, "%s: %s refuses %u-byte access at 0x%llx",
			 bus->name, r->name, size, (unsigned long long)addr);
		return false;
	}
	return true;
}

bool io_bus_read(struct io_bus *bus, uint64_t addr, unsigned int size,
		 uint64_t *value)
{
	bool handled = false;
	*value = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;

	pthread_rwlock_rdlock(&bus->lock);
	const struct io_range *r = lookup(bus, addr);
	if (r && access_ok(bus, r, addr, size) && r->ops->read) {
		*value = r->ops->read(r->opaque, addr - r->base, size);
		handled = true;
	}
	pthread_rwlock_unlock(&bus->lock);
	if (!r)
		report_unhandled(bus, addr, size, false);
	return handled;
}

bool io_bus_write(struct io_bus *bus, uint64_t addr, unsigned int size,
		  uint64_t value)
{
	bool handled = false;

	pthread_rwlock_rdlock(&bus->lock);
	const struct io_range *r = lookup(bus, addr);
	if (r && access_ok(bus, r, addr, size) && r->ops->write) {
		r->ops->write(r->opaque, addr - r->base, value, size);
		handled = true;
	}
	pthread_rwlock_unlock(&bus->lock);
	if (!r)
		report_unhandled(bus, addr, size, true);
	return handled;
}
