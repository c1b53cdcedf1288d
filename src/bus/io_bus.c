#include "bus/io_bus.h"

#include "core/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- The table: pure operations, no locking ---------------------------- */

static int table_insert(struct io_table *t, const struct io_range *nr)
{
	uint64_t base = nr->base, last = nr->base + nr->len - 1;
	unsigned int pos = 0;
	if (t->nr_ranges == IO_BUS_MAX_RANGES)
		return -ENOSPC;
	while (pos < t->nr_ranges && t->ranges[pos].base < base)
		pos++;
	/* Only the neighbours can overlap in a sorted, disjoint table. */
	if (pos > 0) {
		const struct io_range *prev = &t->ranges[pos - 1];
		if (prev->base + prev->len - 1 >= base)
			return -EEXIST;
	}
	if (pos < t->nr_ranges && t->ranges[pos].base <= last)
		return -EEXIST;
	memmove(&t->ranges[pos + 1], &t->ranges[pos],
		(t->nr_ranges - pos) * sizeof(t->ranges[0]));
	t->ranges[pos] = *nr;
	t->nr_ranges++;
	return 0;
}

static int table_remove(struct io_table *t, uint64_t base)
{
	for (unsigned int i = 0; i < t->nr_ranges; i++) {
		if (t->ranges[i].base != base)
			continue;
		memmove(&t->ranges[i], &t->ranges[i + 1],
			(t->nr_ranges - i - 1) * sizeof(t->ranges[0]));
		t->nr_ranges--;
		return 0;
	}
	return -ENOENT;
}

/* Binary search; caller holds the read lock. */
static const struct io_range *lookup(const struct io_table *t, uint64_t addr)
{
	unsigned int lo = 0, hi = t->nr_ranges;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct io_range *r = &t->ranges[mid];
		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* ---- Per-thread dispatch state and deferred changes --------------------- */

struct dispatch_frame {
	struct io_bus *bus;
	bool locked; /* this frame took the read lock (the outermost on bus) */
	struct dispatch_frame *up;
};

struct deferred_op {
	struct io_bus *bus;
	bool add;
	struct io_range range; /* for a removal only .base counts */
};

/* The table as this thread will leave it, one per bus it changed. */
struct shadow {
	struct io_bus *bus;
	struct shadow *next;
	struct io_table table;
};

static _Thread_local struct {
	struct dispatch_frame *top;
	unsigned int defer_depth;
	unsigned int nr_ops;
	struct shadow *shadows;
	struct deferred_op ops[IO_BUS_MAX_DEFERRED];
} tls;

static bool thread_holds(const struct io_bus *bus)
{
	for (const struct dispatch_frame *f = tls.top; f; f = f->up)
		if (f->bus == bus)
			return true;
	return false;
}

bool io_bus_in_deferred_context(void)
{
	return tls.top || tls.defer_depth;
}

static struct io_table *shadow_of(struct io_bus *bus)
{
	for (struct shadow *s = tls.shadows; s; s = s->next)
		if (s->bus == bus)
			return &s->table;
	struct shadow *s = malloc(sizeof(*s));
	if (!s)
		return NULL;
	s->bus = bus;
	if (thread_holds(bus)) {
		/* Our read lock keeps writers out; other readers only read. */
		s->table = bus->table;
	} else {
		pthread_mutex_lock(&bus->update);
		s->table = bus->table;
		pthread_mutex_unlock(&bus->update);
	}
	s->next = tls.shadows;
	tls.shadows = s;
	return &s->table;
}

static int defer_change(struct io_bus *bus, bool add, const struct io_range *r)
{
	if (tls.nr_ops == IO_BUS_MAX_DEFERRED)
		return -ENOSPC;
	struct io_table *t = shadow_of(bus);
	if (!t)
		return -ENOMEM;
	int err = add ? table_insert(t, r) : table_remove(t, r->base);
	if (err)
		return err;
	tls.ops[tls.nr_ops++] = (struct deferred_op){ .bus = bus, .add = add,
						      .range = *r };
	return 0;
}

/* Called with no read lock held by this thread, outside every dispatch. */
static void apply_deferred(void)
{
	unsigned int i = 0;
	while (i < tls.nr_ops) {
		struct io_bus *bus = tls.ops[i].bus;
		pthread_rwlock_wrlock(&bus->lock);
		pthread_mutex_lock(&bus->update);
		/* Apply the run of consecutive changes to this bus. */
		for (; i < tls.nr_ops && tls.ops[i].bus == bus; i++) {
			const struct deferred_op *op = &tls.ops[i];
			int err = op->add ? table_insert(&bus->table, &op->range)
					  : table_remove(&bus->table, op->range.base);
			if (err) {
				bus->deferred_failed++;
				/* Two vCPUs racing to program overlapping
				 * BARs can cause this: rate-limited. */
				pr_guest(LOG_WARN, "%s: deferred %s of 0x%llx failed: %s",
					bus->name, op->add ? "register" : "unregister",
					(unsigned long long)op->range.base,
					strerror(-err));
			}
		}
		pthread_mutex_unlock(&bus->update);
		pthread_rwlock_unlock(&bus->lock);
	}
	tls.nr_ops = 0;
	while (tls.shadows) {
		struct shadow *s = tls.shadows;
		tls.shadows = s->next;
		free(s);
	}
}

void io_bus_defer_begin(void)
{
	tls.defer_depth++;
}

void io_bus_defer_end(void)
{
	if (tls.defer_depth && !--tls.defer_depth && !tls.top)
		apply_deferred();
}

static void dispatch_enter(struct io_bus *bus, struct dispatch_frame *f)
{
	f->bus = bus;
	f->up = tls.top;
	f->locked = !thread_holds(bus);
	if (f->locked)
		pthread_rwlock_rdlock(&bus->lock);
	tls.top = f;
}

static void dispatch_exit(struct dispatch_frame *f)
{
	tls.top = f->up;
	if (f->locked)
		pthread_rwlock_unlock(&f->bus->lock);
	if (!tls.top && !tls.defer_depth && tls.nr_ops)
		apply_deferred();
}

/* ---- Public API --------------------------------------------------------- */

void io_bus_init(struct io_bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	pthread_rwlockattr_t attr;
	pthread_rwlockattr_init(&attr);
	/* glibc's default prefers readers: back-to-back vCPU exits could keep
	 * a hotplug writer out for ever. */
	pthread_rwlockattr_setkind_np(&attr,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&bus->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	pthread_mutex_init(&bus->update, NULL);
}

void io_bus_destroy(struct io_bus *bus)
{
	pthread_mutex_destroy(&bus->update);
	pthread_rwlock_destroy(&bus->lock);
}

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    unsigned int widths, const struct io_ops *ops, void *opaque,
		    const char *name)
{
	if (!len || len - 1 > UINT64_MAX - base ||
	    !(widths & IO_WIDTH_ANY) || !ops)
		return -EINVAL;

	struct io_range r = { .base = base, .len = len, .widths = widths,
			      .ops = ops, .opaque = opaque, .name = name };
	if (io_bus_in_deferred_context())
		return defer_change(bus, true, &r);

	pthread_rwlock_wrlock(&bus->lock);
	pthread_mutex_lock(&bus->update);
	int err = table_insert(&bus->table, &r);
	pthread_mutex_unlock(&bus->update);
	pthread_rwlock_unlock(&bus->lock);
	return err;
}

int io_bus_unregister(struct io_bus *bus, uint64_t base)
{
	if (io_bus_in_deferred_context()) {
		struct io_range r = { .base = base };
		return defer_change(bus, false, &r);
	}
	pthread_rwlock_wrlock(&bus->lock);
	pthread_mutex_lock(&bus->update);
	int err = table_remove(&bus->table, base);
	pthread_mutex_unlock(&bus->update);
	pthread_rwlock_unlock(&bus->lock);
	return err;
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
	bool handled = false, found;
	struct dispatch_frame f;
	*value = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;

	dispatch_enter(bus, &f);
	const struct io_range *r = lookup(&bus->table, addr);
	found = r != NULL;
	if (r && access_ok(bus, r, addr, size) && r->ops->read) {
		*value = r->ops->read(r->opaque, addr - r->base, size);
		handled = true;
	}
	dispatch_exit(&f);
	if (!found)
		report_unhandled(bus, addr, size, false);
	return handled;
}

bool io_bus_write(struct io_bus *bus, uint64_t addr, unsigned int size,
		  uint64_t value)
{
	bool handled = false, found;
	struct dispatch_frame f;

	dispatch_enter(bus, &f);
	const struct io_range *r = lookup(&bus->table, addr);
	found = r != NULL;
	if (r && access_ok(bus, r, addr, size) && r->ops->write) {
		r->ops->write(r->opaque, addr - r->base, value, size);
		handled = true;
	}
	dispatch_exit(&f);
	if (!found)
		report_unhandled(bus, addr, size, true);
	return handled;
}
