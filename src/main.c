/* kiln: boot a Linux guest on KVM with its serial console on this terminal. */
#include "api/api_server.h"
#include "api/api_vm.h"
#include "arch/x86/boot.h"
#include "cli/options.h"
#include "console/console.h"
#include "core/log.h"
#include "core/version.h"
#include "core/vm.h"
#include "machine/pc.h"
#include "migration/migrate_recv.h"
#include "migration/migrate_send.h"
#include "migration/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum exit_code {
	EXIT_POWEROFF = 0,
	EXIT_ERROR = 1,
	EXIT_REBOOT = 3,
	EXIT_PANIC = 4,
};

struct file_buf {
	uint8_t *data;
	size_t len;
};

/* Read a whole input file; `limit` is the guest RAM it must fit in. Read,
 * not mapped: a file truncated under a mapping would kill Kiln with
 * SIGBUS halfway through loading. */
static int read_file(const char *flag, const char *path, uint64_t limit,
		     struct file_buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("%s %s: %s", flag, path, strerror(errno));
		return -1;
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_size == 0)
		why = "file is empty";
	if (why) {
		pr_err("%s %s: %s", flag, path, why);
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > limit) {
		pr_err("%s %s: %llu MiB file does not fit in %llu MiB of guest memory",
		       flag, path, (unsigned long long)(st.st_size >> 20),
		       (unsigned long long)(limit >> 20));
		close(fd);
		return -1;
	}
	out->len = (size_t)st.st_size;
	out->data = malloc(out->len);
	if (!out->data) {
		pr_err("%s %s: out of memory", flag, path);
		close(fd);
		return -1;
	}
	size_t done = 0;
	while (done < out->len) {
		ssize_t n = pread(fd, out->data + done, out->len - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pr_err("%s %s: %s", flag, path,
			       n < 0 ? strerror(errno) : "file shrank while being read");
			close(fd);
			free(out->data);
			out->data = NULL;
			return -1;
		}
		done += (size_t)n;
	}
	close(fd);
	return 0;
}

static void free_file(struct file_buf *f)
{
	free(f->data);
	f->data = NULL;
}

static struct vm *signal_vm;
static struct console *signal_console;

/* Once the guest runs, a terminating signal stops it like Ctrl-A x. Before
 * that there is nothing to stop: put the terminal back and leave. */
static void on_terminate(int sig)
{
	(void)sig;
	if (signal_vm) {
		vm_raise_event(signal_vm, VM_EVENT_QUIT);
		return;
	}
	if (signal_console && signal_console->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &signal_console->saved);
	_exit(EXIT_ERROR);
}

static void install_signal_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_terminate };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* --accel: auto takes KVM when it can run guests, else the soft CPU; then
 * `why` says why not KVM (the caller prints it once the VM is built, so
 * that an error stays one line). */
static const struct accel_ops *choose_accel(enum accel_choice c, char *why,
					    size_t whylen)
{
	why[0] = '\0';
	if (c == ACCEL_KVM)
		return &kvm_accel_ops;
	if (c == ACCEL_SOFT || !kvm_accel_usable(why, whylen)) {
		if (c == ACCEL_SOFT)
			why[0] = '\0';
		return &soft_accel_ops;
	}
	return &kvm_accel_ops;
}

/* `snap`: restore from this snapshot, or `mig`: load the migration on this
 * connection, instead of booting o->kernel. */
static int run(const struct kiln_options *o, struct snapshot *snap,
	       struct migrate_in *mig)
{
	struct file_buf kernel = { 0 }, initrd = { 0 };
	struct kernel_info info;
	char err[512] = "";
	int code = EXIT_ERROR;
	struct api_server *api = NULL;
	struct api_vm api_ctx;

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!snap && !mig) {
		if (read_file("--kernel", o->kernel, o->memory_size, &kernel))
			return EXIT_ERROR;
		if (kernel_probe(kernel.data, kernel.len, &info, err, sizeof(err))) {
			pr_err("--kernel %s: %s", o->kernel, err);
			goto out_files;
		}
		if (o->initramfs &&
		    read_file("--initramfs", o->initramfs, o->memory_size, &initrd))
			goto out_files;
	}

	struct console con;
	if (console_open(&con, o->serial, o->serial_path, err, sizeof(err))) {
		pr_err("%s", err);
		goto out_files;
	}
	int hvc_in = -1;
	if (o->console == CHAR_BACKEND_TTY &&
	    console_open_hvc_input(&con, &hvc_in, err, sizeof(err))) {
		pr_err("%s", err);
		console_close(&con);
		goto out_files;
	}
	signal_console = &con;
	install_signal_handlers();
	struct uart_callbacks serial = console_uart_callbacks(&con);

	static struct vm vm;
	if (vm_init(&vm)) {
		pr_err("cannot set up the VM: %s", strerror(errno));
		goto out_console;
	}
	struct pc_config cfg = {
		.kernel = kernel.data, .kernel_len = kernel.len,
		.kernel_info = &info,
		.initrd = initrd.data, .initrd_len = initrd.len,
		.cmdline = o->cmdline ? o->cmdline : "",
		.nr_cpus = o->boot_cpus,
		.ram_size = o->memory_size,
		.backing = o->hugepages ? GUEST_MEM_HUGETLB
			 : o->shared_memory ? GUEST_MEM_MEMFD : GUEST_MEM_ANON,
		.serial = &serial,
		.rng = o->rng,
		.disks = o->disks,
		.nr_disks = o->nr_disks,
		.restoring = snap || mig,
		.nets = o->nets,
		.nr_nets = o->nr_nets,
		.vsock_cid = o->vsock ? o->vsock_cid : 0,
		.console = o->console,
		.console_path = o->console_path,
		.console_tty_in = hvc_in,
	};
	char no_kvm[256];
	if (pc_build(&vm, choose_accel(o->accel, no_kvm, sizeof(no_kvm)), &cfg,
		     err, sizeof(err))) {
		pr_err("%s", err);
		goto out_vm;
	}
	if (no_kvm[0])
		fprintf(stderr, "kiln: %s: running on the software CPU (--accel soft)\n",
			no_kvm);
	if (snap) {
		if (snapshot_load(snap, &vm, err, sizeof(err))) {
			pr_err("%s", err);
			goto out_vm;
		}
		pr_info("restored from %s in %.1f ms", snap->dir, ms_since(&t0));
	}
	if (mig && migrate_recv_load(mig, &vm, err, sizeof(err))) {
		pr_err("%s", err);
		goto out_vm;
	}
	/* The guest has its copies now. */
	free_file(&kernel);
	free_file(&initrd);
	con.uart = vm.com1;
	con.stopping = &vm.stopping;

	signal_vm = &vm;

	/* The API may pause the vCPUs, so it starts after them and stops
	 * before the VM goes. */
	api_ctx = (struct api_vm){ .vm = &vm, .opts = o };
	int e = vm_start_vcpus(&vm);
	if (e) {
		pr_err("cannot start vCPU threads: %s", strerror(-e));
		goto out_vm;
	}
	if (mig) {
		/* The ack says the guest runs here: send it once a vCPU has
		 * gone into the guest, so the source's downtime ends there.
		 * Without the ack the source keeps the guest: stop this copy. */
		if ((e = vm_wait_first_entry(&vm, MIGRATE_IO_TIMEOUT_S * 1000)) ||
		    (e = migrate_recv_ack(mig))) {
			pr_err("--migrate-from: cannot confirm to the source: %s",
			       strerror(-e));
			goto out_vm;
		}
		/* first vCPU entry at: CLOCK_REALTIME, to set against the
		 * source's "paused at" on the same host (bench/migrate). */
		pr_info("migration received: the guest runs here (%.1f ms after the source "
			"connected), first vCPU entry at %llu.%06llu",
			migrate_recv_elapsed_ms(mig),
			(unsigned long long)(vm.first_entry_ns / 1000000000u),
			(unsigned long long)(vm.first_entry_ns % 1000000000u / 1000));
		pr_debug("migration: device state read and loaded in %.1f ms, then the "
			 "vCPUs' first entry and the ack %.1f ms",
			 mig->loaded_ms - mig->ram_done_ms,
			 migrate_recv_elapsed_ms(mig) - (mig->loaded_ms - mig->accepted_ms));
	}
	if (snap && !vm_wait_first_entry(&vm, 1000))
		pr_info("the restored guest runs (first vCPU entry %.1f ms after the restore began)",
			ms_since(&t0));
	if (o->api_socket &&
	    api_server_start(&api, o->api_socket, &api_vm_ops, &api_ctx, err,
			     sizeof(err))) {
		pr_err("%s", err);
		goto out_vm;
	}
	pr_info("guest started: %u vCPU(s), %llu MiB", o->boot_cpus,
		(unsigned long long)(o->memory_size >> 20));
	if (console_run(&con, vm.event_fd))
		vm_raise_event(&vm, VM_EVENT_QUIT);

	switch (vm_wait_event(&vm)) {
	case VM_EVENT_POWEROFF:
		pr_info("the guest powered off");
		code = EXIT_POWEROFF;
		break;
	case VM_EVENT_REBOOT:
		pr_warn("the guest rebooted; exiting with status %d", EXIT_REBOOT);
		code = EXIT_REBOOT;
		break;
	case VM_EVENT_PANIC:
		pr_err("the guest kernel panicked");
		code = EXIT_PANIC;
		break;
	case VM_EVENT_QUIT:
		pr_info("quit");
		/* With -vv, show where the guest was: the first thing anyone
		 * asks about a guest that had to be stopped by hand. */
		if (log_get_level() >= LOG_DEBUG)
			vm_dump_vcpus(&vm);
		code = EXIT_POWEROFF;
		break;
	case VM_EVENT_MIGRATED:
		pr_info("migrated");
		code = EXIT_POWEROFF;
		break;
	case VM_EVENT_FAILED:
	case VM_EVENT_NONE:
		code = EXIT_ERROR;
		break;
	}
out_vm:
	api_server_stop(api);
	signal_vm = NULL;
	vm_destroy(&vm);
out_console:
	signal_console = NULL;
	console_close(&con);
out_files:
	free_file(&kernel);
	free_file(&initrd);
	return code;
}

int main(int argc, char **argv)
{
	struct kiln_options o;
	char err[512];
	if (options_parse(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "kiln: %s\n", err);
		options_free(&o);
		return EXIT_ERROR;
	}
	if (o.help) {
		fputs(kiln_usage, stdout);
		return 0;
	}
	if (o.version) {
		printf("kiln %s\n", KILN_VERSION);
		return 0;
	}
	log_set_level(o.verbosity >= 2 ? LOG_DEBUG
		      : o.verbosity == 1 ? LOG_INFO : LOG_WARN);
	if (o.migrate_from) {
		static struct migrate_in mig;
		struct kiln_options sent;
		int code = EXIT_ERROR;
		if (migrate_recv_accept(&mig, o.migrate_from, err, sizeof(err))) {
			pr_err("%s", err);
		} else if (options_parse(mig.config.argc, mig.config.argv, &sent, err,
					 sizeof(err)) || sent.restore_dir || sent.migrate_from) {
			pr_err("--migrate-from: the source's command line is not valid: %s",
			       sent.restore_dir || sent.migrate_from ? "it restores" : err);
			options_free(&sent);
		} else {
			sent.api_socket = o.api_socket;
			code = run(&sent, NULL, &mig);
			options_free(&sent);
		}
		migrate_recv_close(&mig);
		options_free(&o);
		return code;
	}
	if (!o.restore_dir) {
		int code = run(&o, NULL, NULL);
		options_free(&o);
		return code;
	}
	/* Restore: the machine comes from the command line the snapshot
	 * recorded; only the API socket is this process's own. */
	static struct snapshot snap;
	struct kiln_options saved;
	int code = EXIT_ERROR;
	if (snapshot_open(&snap, o.restore_dir, err, sizeof(err))) {
		pr_err("%s", err);
	} else if (options_parse(snap.config.argc, snap.config.argv, &saved, err, sizeof(err)) ||
		   saved.restore_dir) {
		pr_err("--restore: the snapshot's command line is not valid: %s",
		       saved.restore_dir ? "it restores again" : err);
		options_free(&saved);
	} else {
		saved.api_socket = o.api_socket;
		code = run(&saved, &snap, NULL);
		options_free(&saved);
	}
	snapshot_close(&snap);
	options_free(&o);
	return code;
}
