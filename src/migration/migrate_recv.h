/* Live migration, the receiving side: `kiln --migrate-from URL` listens,
 * accepts one sender, reads its "config" record (the machine to build),
 * then, into that machine built with pc_config.restoring, the RAM records
 * up to "ram-done" and vm_state's records up to "end"; once the vCPUs run
 * it answers MIGRATE_ACK on the same connection.
 */
#ifndef KILN_MIGRATION_MIGRATE_RECV_H
#define KILN_MIGRATION_MIGRATE_RECV_H

#include "core/vm.h"
#include "migration/stream.h"
#include "migration/vm_config.h"

#include <stddef.h>

struct migrate_in {
	int fd;
	struct mig_reader *r;
	struct vm_config config; /* the sender's command line */
	double accepted_ms;      /* CLOCK_MONOTONIC when the sender connected */
	double ram_done_ms;      /* ... when "ram-done" arrived */
	double loaded_ms;        /* ... when the device state was loaded */
};

/* Listen on `url`, accept one sender and read its configuration. The wait
 * for a sender ends early (-ECANCELED) once `cancel_fd` (-1: none) becomes
 * readable. 0 or -errno with a reason in err; close with
 * migrate_recv_close either way. */
int migrate_recv_accept(struct migrate_in *m, const char *url, int cancel_fd,
			char *err, size_t errlen) __attribute__((warn_unused_result));

/* RAM and state into `vm`. 0 or -errno with a reason. */
int migrate_recv_load(struct migrate_in *m, struct vm *vm, char *err,
		      size_t errlen) __attribute__((warn_unused_result));

/* Tell the sender the guest runs here now. 0 or -errno. */
int migrate_recv_ack(struct migrate_in *m) __attribute__((warn_unused_result));

/* Milliseconds since the sender connected. */
double migrate_recv_elapsed_ms(const struct migrate_in *m);

void migrate_recv_close(struct migrate_in *m);

#endif
