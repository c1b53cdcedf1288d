/* Snapshots: a paused VM to a directory, and a new Kiln started from one.
 *
 * DIR/memory.bin  guest RAM, the regions one after another (zero pages are
 *                 holes), mapped privately on restore so pages load on the
 *                 guest's first touch
 * DIR/state.kiln  a stream (migration/stream.h): "config" (the command
 *                 line that built the VM, NUL-separated, version 1), then
 *                 vm_state's records, then "end"
 * Both are written to temporary names, synced, and renamed into place, so
 * a snapshot directory holds a complete snapshot or the previous one.
 */
#ifndef KILN_MIGRATION_SNAPSHOT_H
#define KILN_MIGRATION_SNAPSHOT_H

#include "cli/options.h"
#include "core/vm.h"
#include "migration/stream.h"
#include "migration/vm_config.h"

#include <stddef.h>

/* Save a paused VM (vm_pause) to `dir` (created if missing). The vCPUs stay
 * paused; the devices are quiesced during the save and run again after.
 * 0 or -errno with a reason in err. */
int snapshot_save(struct vm *vm, const struct kiln_options *o, const char *dir,
		  char *err, size_t errlen) __attribute__((warn_unused_result));

struct snapshot {
	int state_fd;
	struct mig_reader *r;
	char dir[4096];
	struct vm_config config;
};

/* Open a snapshot and read its command line (s->config.argc, .argv: parse
 * them with options_parse to build the same machine). */
int snapshot_open(struct snapshot *s, const char *dir, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Load RAM and every other piece of state into `vm`, built from that
 * command line with pc_config.restoring, vCPUs not started. */
int snapshot_load(struct snapshot *s, struct vm *vm, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void snapshot_close(struct snapshot *s);

#endif
