/* Live migration, the sending side: pre-copy over one connected socket.
 *
 * The stream (migration/stream.h) is: "config" (vm_config.h), then RAM
 * (migrate_ram.h): a full pass while the guest runs, then passes over the
 * pages dirtied meanwhile (KVM's log and Kiln's own writes) until what is
 * left would take no longer than the downtime target at the rate the
 * stream has achieved so far (bytes on the wire per second, as if every
 * page left held data; or MIGRATE_MAX_PASSES is reached), then the vCPUs
 * and devices pause, the last dirty pages go, "ram-done", vm_state's
 * records, "end". A guest that keeps dirtying too much is throttled
 * (migrate_throttle.h) from pass MIGRATE_THROTTLE_AFTER on. The
 * destination answers one byte, MIGRATE_ACK, once its first vCPU has
 * entered the guest; only then is the source done.
 *
 * A bandwidth limit (migrate_rate.h) caps the whole stream, the final
 * stop-and-copy included, so the downtime estimate holds under it.
 */
#ifndef KILN_MIGRATION_MIGRATE_SEND_H
#define KILN_MIGRATION_MIGRATE_SEND_H

#include "cli/options.h"
#include "core/vm.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MIGRATE_ACK 'K'
#define MIGRATE_DEFAULT_DOWNTIME_MS 100
/* vm.send-migration's "bandwidth_mbps": Mbit/s, 10^6 bits per second. */
#define MIGRATE_MAX_BANDWIDTH_MBPS 1000000u
#define MIGRATE_MAX_PASSES 30
#define MIGRATE_IO_TIMEOUT_S 30 /* a peer silent this long has failed */
/* A guest still too dirty after this many passes is throttled (vCPUs
 * parked START% of the time, STEP% more each pass, at most MAX%). */
#define MIGRATE_THROTTLE_AFTER 4
#define MIGRATE_THROTTLE_START 30
#define MIGRATE_THROTTLE_STEP 15
#define MIGRATE_THROTTLE_MAX 90

struct migrate_params {
	unsigned int downtime_ms;    /* the target, 1 ..; 0: the default */
	unsigned int bandwidth_mbps; /* cap in Mbit/s; 0: none */
};

struct migrate_result {
	double total_ms;    /* from the call to the destination's ack */
	/* From the moment the last source vCPU stopped to the ack, which
	 * the destination sends once its first vCPU entered the guest: the
	 * guest's downtime plus the ack's trip back. */
	double downtime_ms;
	struct timespec paused_at; /* CLOCK_REALTIME when the vCPUs stopped */
	uint64_t bytes;     /* stream bytes sent */
	unsigned int passes; /* RAM passes, the full one and the final one included */
	uint64_t pages, zero_pages;
	unsigned int throttle_pct; /* the vCPUs' throttle at the end, 0: none */
};

/* Migrate the running VM to `url` (migrate_url.h). 0: the destination
 * runs the guest; this VM stays paused and should go away. Otherwise the
 * VM runs on as before and err says why: -EBUSY the VM is paused,
 * -EOPNOTSUPP a device cannot be migrated, other -errno (connection,
 * stream, no ack). */
int migrate_send(struct vm *vm, const struct kiln_options *o, const char *url,
		 const struct migrate_params *p, struct migrate_result *res,
		 char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
