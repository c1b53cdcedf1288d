/* One address map for port I/O and for MMIO.
 *
 * A device claims a range [base, base + len) and says which access widths
 * it accepts; the bus checks overlap and overflow on insert and enforces
 * the widths on every access, so device models only ever see offsets that
 * are inside their range and sizes they declared. Accesses to unclaimed
 * addresses read as all ones and are logged once at debug level.
 *
 * Lookups take a read lock, registration a write lock, so a range can be
 * removed (hot-unplug) while vCPUs are running.
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

struct io_bus {
	const char *name; /* "pio" or "mmio", for log lines */
	struct io_range ranges[IO_BUS_MAX_RANGES]; /* sorted by base */
	unsigned int nr_ranges;
	pthread_rwlock_t lock;
	uint64_t unhandled;      /* accesses that hit no range */
	uint64_t bad_width;      /* accesses of a width the range refused */
	uint8_t pio_logged[65536 / 8]; /* ports already reported once */
};

void io_bus_init(struct io_bus *bus, const char *name);
void io_bus_destroy(struct io_bus *bus);

/* 0, -EINVAL (empty, overflowing or no widths), -EEXIST (overlaps),
 * -ENOSPC (table full). */
int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    unsigned int widths, const struct io_ops *ops, void *opaque,
		    const char *name) __attribute__((warn_unused_result));
int io_bus_unregister(struct io_bus *bus, uint64_t base);

/* Dispatch one access. Returns true if a device handled it. `size` may be
 * 1, 2, 4 or 8; a read that nobody handles yields all ones. */
bool io_bus_read(struct io_bus *bus, uint64_t addr, unsigned int size,
		 uint64_t *value);
bool io_bus_write(struct io_bus *bus, uint64_t addr, unsigned int size,
		  uint64_t value);

#endif
