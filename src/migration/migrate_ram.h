/* Guest RAM on a live migration's wire, as stream records:
 *
 *   "ram" version 1, instance 0, payload:
 *     [0]  u64 gpa     first page, 4 KiB aligned
 *     [8]  u32 pages   1 .. MIGRATE_RAM_MAX_PAGES
 *     [12] u32 flags   MIGRATE_RAM_ZERO or 0
 *     [16] pages * 4 KiB of data, or nothing for MIGRATE_RAM_ZERO: the
 *          pages are all zeros (a marker: no data crosses the wire)
 *   "ram-done" version 1, instance 0, empty: the RAM is complete; the
 *     device state (vm_state's records) follows.
 *
 * The same page may come several times (it was written again while the
 * guest ran); the last copy wins.
 */
#ifndef KILN_MIGRATION_MIGRATE_RAM_H
#define KILN_MIGRATION_MIGRATE_RAM_H

#include "core/guest_mem.h"
#include "migration/stream.h"

#include <stddef.h>
#include <stdint.h>

#define MIGRATE_RAM_RECORD "ram"
#define MIGRATE_RAM_DONE_RECORD "ram-done"
#define MIGRATE_RAM_VERSION 1
#define MIGRATE_RAM_HEADER 16u
#define MIGRATE_RAM_MAX_PAGES 256u
#define MIGRATE_RAM_ZERO 1u

struct migrate_ram_stats {
	uint64_t pages;      /* sent, zero or not */
	uint64_t zero_pages; /* of which sent as markers */
};

/* Sender: pages [first, first + count) of RAM region `region`. The guest
 * may be writing them, under dirty logging: a page is checked for zeros
 * where it lies (one the guest writes meanwhile is in the log and goes
 * again); a page with data is copied once and the copy sent. `buf` is
 * MIGRATE_RAM_MAX_PAGES pages of scratch. 0 or -errno (the writer's error
 * says why). */
int migrate_ram_send(struct mig_writer *w, const struct guest_mem *mem,
		     unsigned int region, uint64_t first, uint64_t count,
		     uint8_t *buf, struct migrate_ram_stats *st)
	__attribute__((warn_unused_result));

/* Receiver: one "ram" record whose header `info` mig_next_record just
 * read. The stream is untrusted: the record is refused (-EPROTO, with a
 * reason in err) unless its length, flags and page count agree and all of
 * [gpa, gpa + pages * 4 KiB) lies in one RAM region of `mem`; nothing is
 * written then. A checksum or I/O error is the reader's (-EBADMSG,
 * -EPIPE...): the pages may then hold unchecked data, so the VM must not
 * run. After any error the stream cannot go on (the record may be partly
 * read): the caller abandons it. */
int migrate_ram_receive(struct guest_mem *mem, struct mig_reader *r,
			const struct mig_record_info *info, char *err,
			size_t errlen) __attribute__((warn_unused_result));

#endif
