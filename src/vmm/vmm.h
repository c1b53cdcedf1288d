/* The VMM: Kiln's process around at most one VM. It holds the VM's
 * configuration (a command line, however it came), runs the VM as a
 * vm_session, and answers the management API (vmm_api_ops).
 *
 * Threads: the API's thread creates, boots, restores, receives and deletes
 * (one request at a time); the main thread, in vmm_run, serves the running
 * guest's console and is the one that ends a session once its VM raises an
 * event (the guest powered off, rebooted, panicked, was told to stop). The
 * lock guards the state; the VM lives as long as `active` and only the main
 * thread clears it.
 */
#ifndef KILN_VMM_VMM_H
#define KILN_VMM_VMM_H

#include "api/api.h"
#include "api/api_server.h"
#include "cli/argv.h"
#include "cli/options.h"
#include "vmm/vm_session.h"

#include <pthread.h>
#include <stdbool.h>

/* Kiln's exit status. */
enum kiln_exit {
	KILN_EXIT_OK = 0,     /* the guest powered off, or quit */
	KILN_EXIT_ERROR = 1,
	KILN_EXIT_REBOOT = 3,
	KILN_EXIT_PANIC = 4,
};

struct vmm {
	pthread_mutex_t lock;
	pthread_cond_t ended;   /* a session ended (active went false) */
	int wake_fd;            /* eventfd: the main thread has something to do */
	int quit_fd;            /* eventfd, never drained: Kiln is to exit */
	bool exit_with_guest;   /* started with a VM: Kiln ends with it */
	bool quit;

	/* The VM's configuration: its command line and what options_parse
	 * made of it (pointing into it). */
	bool has_config;
	struct kiln_argv argv;
	struct kiln_options opts;

	bool active;            /* session runs; the main thread ends it */
	bool shut_down;         /* it ran and stopped: state Shutdown */
	struct vm_session session;
	enum vm_event last_event; /* how the last session ended */

	struct api_server *api;
};

/* `exit_with_guest`: Kiln was started with a VM and ends when it does.
 * 0 or -errno. */
int vmm_init(struct vmm *v, bool exit_with_guest) __attribute__((warn_unused_result));
void vmm_destroy(struct vmm *v);

/* The lifecycle, as the API's vm.create, vm.boot, vm.restore and
 * vm.receive-migration (and the command line, through the same calls):
 * 0, -EEXIST/-EBUSY the state does not allow it, or -errno with one line
 * in err. */
int vmm_create(struct vmm *v, int argc, char *const argv[], char *err,
	       size_t errlen) __attribute__((warn_unused_result));
int vmm_boot(struct vmm *v, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* `paused`: the restored vCPUs wait for vm.resume. */
int vmm_restore(struct vmm *v, const char *dir, bool paused, char *err,
		size_t errlen) __attribute__((warn_unused_result));
int vmm_receive_migration(struct vmm *v, const char *url, char *err,
			  size_t errlen) __attribute__((warn_unused_result));
/* With v->lock held: make the running VM (if any) stop with `event`
 * (vm.shutdown, vm.reboot); unless Kiln ends with it, return once the main
 * thread has torn it down (state Shutdown). */
void vmm_stop_vm_locked(struct vmm *v, enum vm_event event);
/* Stop the VM (if it runs) and forget it. */
void vmm_delete(struct vmm *v);
/* End Kiln: the running VM stops, vmm_run returns. Safe in a signal
 * handler. */
void vmm_request_quit(struct vmm *v);

/* Start serving the API on `path` (after the command line's VM, if any,
 * runs). 0 or -errno with one line in err. */
int vmm_serve_api(struct vmm *v, const char *path, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The main thread's loop: serve each running VM's console until it stops;
 * return Kiln's exit status once Kiln is to end (with the guest, when
 * started with one; on vmm.shutdown, a signal or Ctrl-A x otherwise). */
int vmm_run(struct vmm *v);

/* The API's operations on a struct vmm (ctx). */
extern const struct api_vm_ops vmm_api_ops;

#endif
