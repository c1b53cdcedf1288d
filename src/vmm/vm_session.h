/* One VM's life in this process: built from its parsed options (and a
 * snapshot or an incoming migration to load into it), run with its serial
 * console served on the caller's thread, torn down. The command line and
 * the API's vm.boot, vm.restore and vm.receive-migration all go through
 * here, so a VM made either way is built the same.
 */
#ifndef KILN_VMM_VM_SESSION_H
#define KILN_VMM_VM_SESSION_H

#include "cli/options.h"
#include "console/console.h"
#include "core/vm.h"
#include "migration/migrate_recv.h"
#include "migration/snapshot.h"

#include <stdbool.h>
#include <stddef.h>

struct vm_session {
	struct vm vm;
	struct console con;
};

/* What the VM starts from besides its options (all optional). */
struct vm_session_source {
	struct snapshot *snap;  /* its state: restore from this snapshot */
	struct migrate_in *mig; /* its state: this incoming migration (acked once
				 * the vCPUs run) */
	bool paused;            /* the vCPUs wait for vm_resume */
};

/* Build the VM `o` describes (read the kernel and initramfs, open the
 * consoles, build the machine, load the state) and start its vCPUs. `o`
 * must outlive the session. 0, or -errno with one line in err (naming the
 * flag, as "--kernel /x: No such file or directory"); nothing is left
 * behind on failure. */
int vm_session_start(struct vm_session *s, const struct kiln_options *o,
		     const struct vm_session_source *src, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Serve the console on this thread until the VM raises an event, and
 * return it. Ctrl-A x raises VM_EVENT_QUIT and sets *quit_key. */
enum vm_event vm_session_run(struct vm_session *s, bool *quit_key);

/* Stop the vCPUs and free the VM and its consoles. */
void vm_session_stop(struct vm_session *s);

#endif
