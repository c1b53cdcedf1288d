/* One address map for port I/O and for MMIO.
 *
 * A device claims a range [base, base + len) and says which access widths
 * it accepts; the bus checks overlap and overflow on insert and enforces
 * the widths on every access, so device models only ever see offsets that
 * are inside their range and sizes they declared. Accesses to unclaimed
 * addresses read as all ones and are logged once at debug level.
 *
 * Locking and reentrancy
 * ----------------------
 * A dispatch (io_bus_read/io_bus_write) holds the bus's read lock while it
 * calls the device; io_bus_register/io_bus_unregister take the write lock.
 * The rwlock prefers writers, so a stream of vCPU exits cannot starve a
 * hotplug or a BAR move.
 *
 * From outside any dispatch (a setup, API or hotplug thread) a change is
 * applied at once. Once io_bus_unregister returns, no callback for the
 * range is running and none will run again: the opaque may be freed.
 *
 * From inside a dispatch callback (on any bus; the typical case is a PCI
 * config write that moves a BAR), taking the write lock would deadlock, so
 * the change is validated at once against the table as this thread will
 * leave it (the current table plus the changes it already queued), the
 * result (0, -EINVAL, -EEXIST, -ENOSPC, -ENOENT) is returned, and the change
 * is queued. The outermost dispatch of that thread applies the queued
 * changes in order, under the write lock, right after it has dropped its
 * read lock, before it returns to its caller. So a range removed from inside
 * a callback stops receiving accesses once that dispatch returns (other
 * vCPUs may still reach it until then), and a range added from a callback
 * is reachable once that dispatch returns. If another thread changed the
 * table in between so that a queued change no longer fits, that change is
 * dropped with a warning (io_bus.deferred_failed counts them).
 *
 * io_bus_defer_begin/io_bus_defer_end give the same deferral to code that
 * is not in a dispatch but holds a lock that a callback may also take (the
 * PCI bus's config lock): changes are queued and applied by
 * io_bus_defer_end, after that lock is dropped, so no thread ever waits for
 * a write lock while holding a read lock or a device lock.
 *
 * A callback may dispatch on its own bus again (the read lock is not taken
 * twice); it must not dispatch on another bus, as two vCPUs doing so in
 * opposite orders could deadlock against waiting writers.
 */
#ifndef KILN_BUS_IO_BUS_H
#define KILN_BUS_IO_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Access widths a range accepts, as a bit mask of sizes in bytes. */
#define IO_WIDTH_1 (1u << 1)
#define IO_WIDTH_2 (1u << 2)
#define IO_WIDTH_4 (1u << 4)
#define IO_WIDTH_8 (1u << 8)
#define IO_WIDTH_ANY (IO_WIDTH_1 | IO_WIDTH_2 | IO_WIDTH_4 | IO_WIDTH_8)

struct io_ops {
	/* `offset` is relative to the range base; `size` is one of the
	 * widths the range declared. Values are little-endian numbers. */
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned int size);
	void (*write)(void *opaque, uint64_t offset, uint64_t value,
		      unsigned int size);
};

struct io_range {
	uint64_t base;
	uint64_t len;
	unsigned int widths;
	const struct io_ops *ops;
	void *opaque;
	const char *name;
};

#define IO_BUS_MAX_RANGES 128

/* Changes one thread may queue from inside one (outermost) dispatch. */
#define IO_BUS_MAX_DEFERRED 64

struct io_table {
	struct io_range ranges[IO_BUS_MAX_RANGES]; /* sorted by base, disjoint */
	unsigned int nr_ranges;
};

struct io_bus {
	const char *name; /* "pio" or "mmio", for log lines */
	struct io_table table;
	/* Dispatch reads the table under `lock` (read); changes take `lock`
	 * (write) and then `update`. Validation of a deferred change on a bus
	 * whose read lock the thread does not hold takes `update` only: it
	 * never waits for readers, so it cannot join a deadlock cycle. */
	pthread_rwlock_t lock;
	pthread_mutex_t update;
	uint64_t unhandled;      /* accesses that hit no range */
	uint64_t bad_width;      /* accesses of a width the range refused */
	uint64_t deferred_failed; /* queued changes that no longer fit */
	uint8_t pio_logged[65536 / 8]; /* ports already reported once */
};

void io_bus_init(struct io_bus *bus, const char *name);
void io_bus_destroy(struct io_bus *bus);

/* 0, -EINVAL (empty, overflowing or no widths), -EEXIST (overlaps),
 * -ENOSPC (table or deferral queue full), -ENOMEM (deferral only).
 * Inside a dispatch the change is queued; see above. */
int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    unsigned int widths, const struct io_ops *ops, void *opaque,
		    const char *name) __attribute__((warn_unused_result));
/* 0 or -ENOENT (nothing starts at `base`); -ENOSPC/-ENOMEM when deferred. */
int io_bus_unregister(struct io_bus *bus, uint64_t base);

/* Queue this thread's register/unregister calls (on every bus) until the
 * matching io_bus_defer_end, which applies them. Nests, and nests with
 * dispatch; the outermost end applies. */
void io_bus_defer_begin(void);
void io_bus_defer_end(void);

/* True while this thread is inside a dispatch or a defer section. */
bool io_bus_in_deferred_context(void);

/* Dispatch one access. Returns true if a device handled it. `size` may be
 * 1, 2, 4 or 8; a read that nobody handles yields all ones. */
bool io_bus_read(struct io_bus *bus, uint64_t addr, unsigned int size,
		 uint64_t *value);
bool io_bus_write(struct io_bus *bus, uint64_t addr, unsigned int size,
		  uint64_t value);

#endif
