/* The VMM's state and lifecycle, and the main thread's loop (vmm.h). */
#include "vmm/vmm.h"

#include "core/log.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void poke(int fd)
{
	uint64_t one = 1;
	if (write(fd, &one, sizeof(one)) < 0)
		return; /* a full eventfd is still readable */
}

int vmm_init(struct vmm *v, bool exit_with_guest)
{
	memset(v, 0, sizeof(*v));
	v->exit_with_guest = exit_with_guest;
	v->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	v->quit_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->wake_fd < 0 || v->quit_fd < 0) {
		int e = -errno;
		if (v->wake_fd >= 0)
			close(v->wake_fd);
		if (v->quit_fd >= 0)
			close(v->quit_fd);
		return e;
	}
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->ended, NULL);
	return 0;
}

static bool is_active(struct vmm *v)
{
	return __atomic_load_n(&v->active, __ATOMIC_ACQUIRE);
}

static void clear_config(struct vmm *v)
{
	if (v->has_config)
		options_free(&v->opts);
	kiln_argv_free(&v->argv);
	v->has_config = false;
	v->shut_down = false;
}

/* Take argv (copied) as the VM's configuration. `what`: the prefix for a
 * command line that came in a snapshot or a migration, which must describe
 * a VM to build and nothing else. Called locked. */
static int set_config(struct vmm *v, int argc, char *const argv[],
		      const char *what, char *err, size_t errlen)
{
	if (kiln_argv_copy(&v->argv, argc, argv)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	char why[400];
	int e = options_parse(v->argv.argc, v->argv.argv, &v->opts, why, sizeof(why));
	bool not_a_vm = !e && (v->opts.restore_dir || v->opts.migrate_from ||
			       !v->opts.kernel || v->opts.help || v->opts.version);
	if (e || not_a_vm) {
		if (what)
			snprintf(err, errlen, "%s: %s", what,
				 not_a_vm ? "it does not describe a VM to build" : why);
		else
			snprintf(err, errlen, "%s", not_a_vm ? "not a VM" : why);
		options_free(&v->opts);
		kiln_argv_free(&v->argv);
		return -EINVAL;
	}
	v->has_config = true;
	v->shut_down = false;
	return 0;
}

/* A session started: the main thread runs it from here. Called locked. */
static void went_live(struct vmm *v)
{
	v->shut_down = false;
	__atomic_store_n(&v->active, true, __ATOMIC_RELEASE);
	poke(v->wake_fd);
}

/* A new VM needs none there, and a Kiln that is not on its way out. */
static int may_make_vm(struct vmm *v, char *err, size_t errlen)
{
	if (v->has_config) {
		snprintf(err, errlen, "there is a VM already; vm.delete it first");
		return -EEXIST;
	}
	if (__atomic_load_n(&v->quit, __ATOMIC_ACQUIRE)) {
		snprintf(err, errlen, "Kiln is exiting");
		return -ESHUTDOWN;
	}
	return 0;
}

int vmm_create(struct vmm *v, int argc, char *const argv[], char *err, size_t errlen)
{
	pthread_mutex_lock(&v->lock);
	int e = may_make_vm(v, err, errlen);
	if (!e)
		e = set_config(v, argc, argv, NULL, err, errlen);
	pthread_mutex_unlock(&v->lock);
	return e;
}

int vmm_boot(struct vmm *v, char *err, size_t errlen)
{
	int e = 0;
	pthread_mutex_lock(&v->lock);
	if (!v->has_config || is_active(v)) {
		snprintf(err, errlen, !v->has_config ? "no VM to boot" : "the VM runs already");
		e = -EBUSY;
	} else if (__atomic_load_n(&v->quit, __ATOMIC_ACQUIRE)) {
		snprintf(err, errlen, "Kiln is exiting");
		e = -ESHUTDOWN;
	} else if (!(e = vm_session_start(&v->session, &v->opts, NULL, err, errlen))) {
		went_live(v);
	}
	pthread_mutex_unlock(&v->lock);
	return e;
}

int vmm_restore(struct vmm *v, const char *dir, bool paused, char *err, size_t errlen)
{
	pthread_mutex_lock(&v->lock);
	struct snapshot *snap = NULL;
	int e = may_make_vm(v, err, errlen);
	if (e)
		goto out;
	if (!(snap = malloc(sizeof(*snap)))) {
		snprintf(err, errlen, "out of memory");
		e = -ENOMEM;
		goto out;
	}
	if ((e = snapshot_open(snap, dir, err, errlen)))
		goto out_snap;
	if ((e = set_config(v, snap->config.argc, snap->config.argv,
			    "--restore: the snapshot's command line is not valid", err, errlen)))
		goto out_snap;
	struct vm_session_source src = { .snap = snap, .paused = paused };
	if ((e = vm_session_start(&v->session, &v->opts, &src, err, errlen)))
		clear_config(v);
	else
		went_live(v);
out_snap:
	snapshot_close(snap);
	free(snap);
out:
	pthread_mutex_unlock(&v->lock);
	return e;
}

int vmm_receive_migration(struct vmm *v, const char *url, char *err, size_t errlen)
{
	pthread_mutex_lock(&v->lock);
	struct migrate_in *mig = NULL;
	int e = may_make_vm(v, err, errlen);
	if (e)
		goto out;
	if (!(mig = malloc(sizeof(*mig)))) {
		snprintf(err, errlen, "out of memory");
		e = -ENOMEM;
		goto out;
	}
	/* Waits for the sender; a quit (signal) ends the wait. */
	if ((e = migrate_recv_accept(mig, url, v->quit_fd, err, errlen)))
		goto out_mig;
	if ((e = set_config(v, mig->config.argc, mig->config.argv,
			    "--migrate-from: the source's command line is not valid",
			    err, errlen)))
		goto out_mig;
	struct vm_session_source src = { .mig = mig };
	if ((e = vm_session_start(&v->session, &v->opts, &src, err, errlen)))
		clear_config(v);
	else
		went_live(v);
out_mig:
	migrate_recv_close(mig);
	free(mig);
out:
	pthread_mutex_unlock(&v->lock);
	return e;
}

void vmm_stop_vm_locked(struct vmm *v, enum vm_event event)
{
	if (!is_active(v))
		return;
	vm_raise_event(&v->session.vm, event);
	while (!v->exit_with_guest && is_active(v))
		pthread_cond_wait(&v->ended, &v->lock);
}

void vmm_delete(struct vmm *v)
{
	pthread_mutex_lock(&v->lock);
	vmm_stop_vm_locked(v, VM_EVENT_QUIT);
	/* Started with a VM, Kiln exits now; the session may still need
	 * its options until the main thread has stopped it. */
	if (!v->exit_with_guest)
		clear_config(v);
	pthread_mutex_unlock(&v->lock);
}

void vmm_request_quit(struct vmm *v)
{
	__atomic_store_n(&v->quit, true, __ATOMIC_RELEASE);
	poke(v->quit_fd);
	poke(v->wake_fd);
	/* The VM stays allocated while `active` (only the main thread ends
	 * it, after an event like this one), so this is safe unlocked. */
	if (is_active(v))
		vm_raise_event(&v->session.vm, VM_EVENT_QUIT);
}

int vmm_serve_api(struct vmm *v, const char *path, char *err, size_t errlen)
{
	return api_server_start(&v->api, path, &vmm_api_ops, v, err, errlen);
}

/* Log how the guest ended; Kiln's exit status if it ends with it. */
static int report(struct vmm *v, enum vm_event ev)
{
	bool stays = !v->exit_with_guest;
	switch (ev) {
	case VM_EVENT_POWEROFF:
		pr_info("the guest powered off");
		return 0;
	case VM_EVENT_REBOOT:
		if (stays)
			pr_warn("the guest rebooted; Kiln does not restart it (vm.boot does)");
		else
			pr_warn("the guest rebooted; exiting with status %d", KILN_EXIT_REBOOT);
		return KILN_EXIT_REBOOT;
	case VM_EVENT_PANIC:
		pr_err("the guest kernel panicked");
		return KILN_EXIT_PANIC;
	case VM_EVENT_QUIT:
		pr_info(stays ? "the VM was stopped" : "quit");
		/* With -vv, show where the guest was: the first thing anyone
		 * asks about a guest that had to be stopped by hand. */
		if (log_get_level() >= LOG_DEBUG)
			vm_dump_vcpus(&v->session.vm);
		return 0;
	case VM_EVENT_MIGRATED:
		pr_info("migrated");
		return 0;
	case VM_EVENT_FAILED:
	case VM_EVENT_NONE:
		break;
	}
	return KILN_EXIT_ERROR;
}

/* Sleep until something may have changed (a session started, a quit). */
static void wait_for_work(struct vmm *v)
{
	struct pollfd p[2] = {
		{ .fd = v->wake_fd, .events = POLLIN },
		{ .fd = v->quit_fd, .events = POLLIN },
	};
	if (poll(p, 2, -1) > 0 && p[0].revents) {
		uint64_t n;
		if (read(v->wake_fd, &n, sizeof(n)) < 0)
			return; /* EAGAIN: someone else drained it */
	}
}

int vmm_run(struct vmm *v)
{
	for (;;) {
		bool quit = __atomic_load_n(&v->quit, __ATOMIC_ACQUIRE);
		if (!is_active(v)) {
			if (quit || v->exit_with_guest)
				return 0;
			wait_for_work(v);
			continue;
		}
		if (quit) /* asked before this VM was there to hear it */
			vm_raise_event(&v->session.vm, VM_EVENT_QUIT);
		bool quit_key;
		enum vm_event ev = vm_session_run(&v->session, &quit_key);
		if (quit_key)
			vmm_request_quit(v);
		int code = report(v, ev);

		pthread_mutex_lock(&v->lock);
		vm_session_stop(&v->session);
		v->last_event = ev;
		/* Migrated away: the guest runs elsewhere, so booting this
		 * configuration again would run a second copy on its disks. */
		if (ev == VM_EVENT_MIGRATED && !v->exit_with_guest)
			clear_config(v);
		else
			v->shut_down = true;
		__atomic_store_n(&v->active, false, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&v->ended);
		pthread_mutex_unlock(&v->lock);

		if (v->exit_with_guest)
			return code;
		/* (A VM_EVENT_QUIT is vm.delete's or Kiln's own end.) */
		if (ev == VM_EVENT_MIGRATED)
			pr_info("Kiln serves on with no VM");
		else if (ev != VM_EVENT_QUIT)
			pr_info("the VM is shut down; Kiln serves on (vm.boot, vm.delete)");
	}
}

void vmm_destroy(struct vmm *v)
{
	api_server_stop(v->api);
	v->api = NULL;
	if (is_active(v)) {
		vm_raise_event(&v->session.vm, VM_EVENT_QUIT);
		vm_session_stop(&v->session);
		__atomic_store_n(&v->active, false, __ATOMIC_RELEASE);
	}
	clear_config(v);
	close(v->wake_fd);
	close(v->quit_fd);
	pthread_cond_destroy(&v->ended);
	pthread_mutex_destroy(&v->lock);
}
