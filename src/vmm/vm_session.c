/* Building, running and tearing down one VM (see vm_session.h). */
#include "vmm/vm_session.h"

#include "arch/x86/boot.h"
#include "core/log.h"
#include "machine/pc.h"
#include "migration/migrate_send.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct file_buf {
	uint8_t *data;
	size_t len;
};

/* Read a whole input file; `limit` is the guest RAM it must fit in. Read,
 * not mapped: a file truncated under a mapping would kill Kiln with
 * SIGBUS halfway through loading. */
static int read_file(const char *flag, const char *path, uint64_t limit,
		     struct file_buf *out, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s %s: %s", flag, path, strerror(e));
		return -e;
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_size == 0)
		why = "file is empty";
	if (why) {
		snprintf(err, errlen, "%s %s: %s", flag, path, why);
		close(fd);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > limit) {
		snprintf(err, errlen, "%s %s: %llu MiB file does not fit in %llu MiB of guest memory",
			 flag, path, (unsigned long long)(st.st_size >> 20),
			 (unsigned long long)(limit >> 20));
		close(fd);
		return -EFBIG;
	}
	out->len = (size_t)st.st_size;
	out->data = malloc(out->len);
	if (!out->data) {
		snprintf(err, errlen, "%s %s: out of memory", flag, path);
		close(fd);
		return -ENOMEM;
	}
	size_t done = 0;
	while (done < out->len) {
		ssize_t n = pread(fd, out->data + done, out->len - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			snprintf(err, errlen, "%s %s: %s", flag, path,
				 n < 0 ? strerror(e) : "file shrank while being read");
			close(fd);
			free(out->data);
			out->data = NULL;
			return -e;
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

/* The kernel and initramfs to boot (none when a state is loaded). */
struct boot_files {
	struct file_buf kernel, initrd;
	struct kernel_info info;
};

static int read_boot_files(const struct kiln_options *o, struct boot_files *f,
			   char *err, size_t errlen)
{
	int e = read_file("--kernel", o->kernel, o->memory_size, &f->kernel, err, errlen);
	if (e)
		return e;
	char why[400] = "";
	if ((e = kernel_probe(f->kernel.data, f->kernel.len, &f->info, why, sizeof(why)))) {
		snprintf(err, errlen, "--kernel %s: %s", o->kernel, why);
		free_file(&f->kernel);
		return e < 0 ? e : -EINVAL;
	}
	if (o->initramfs && (e = read_file("--initramfs", o->initramfs, o->memory_size,
					   &f->initrd, err, errlen))) {
		free_file(&f->kernel);
		return e;
	}
	return 0;
}

/* Build the machine (it takes hvc_in) and load its state; the vCPUs are
 * not started. */
static int build(struct vm_session *s, const struct kiln_options *o,
		 const struct vm_session_source *src, struct boot_files *f,
		 int hvc_in, struct uart_callbacks *serial, char *err, size_t errlen)
{
	struct pc_config cfg = {
		.kernel = f->kernel.data, .kernel_len = f->kernel.len,
		.kernel_info = &f->info,
		.initrd = f->initrd.data, .initrd_len = f->initrd.len,
		.cmdline = o->cmdline ? o->cmdline : "",
		.nr_cpus = o->boot_cpus,
		.ram_size = o->memory_size,
		.backing = o->hugepages ? GUEST_MEM_HUGETLB
			 : o->shared_memory ? GUEST_MEM_MEMFD : GUEST_MEM_ANON,
		.serial = serial,
		.rng = o->rng,
		.disks = o->disks,
		.nr_disks = o->nr_disks,
		.restoring = src->snap || src->mig,
		.nets = o->nets,
		.nr_nets = o->nr_nets,
		.vsock_cid = o->vsock ? o->vsock_cid : 0,
		.console = o->console,
		.console_path = o->console_path,
		.console_tty_in = hvc_in,
	};
	char no_kvm[256];
	int e = pc_build(&s->vm, choose_accel(o->accel, no_kvm, sizeof(no_kvm)), &cfg,
			 err, errlen);
	if (e)
		return e;
	if (no_kvm[0])
		fprintf(stderr, "kiln: %s: running on the software CPU (--accel soft)\n",
			no_kvm);
	if (src->snap && (e = snapshot_load(src->snap, &s->vm, err, errlen)))
		return e;
	if (src->mig && (e = migrate_recv_load(src->mig, &s->vm, err, errlen)))
		return e;
	return 0;
}

int vm_session_start(struct vm_session *s, const struct kiln_options *o,
		     const struct vm_session_source *src, char *err, size_t errlen)
{
	static const struct vm_session_source none;
	if (!src)
		src = &none;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct boot_files files = { 0 };
	int e;
	if (!src->snap && !src->mig && (e = read_boot_files(o, &files, err, errlen)))
		return e;
	if ((e = console_open(&s->con, o->serial, o->serial_path, err, errlen)))
		goto out_files;
	int hvc_in = -1;
	if (o->console == CHAR_BACKEND_TTY &&
	    (e = console_open_hvc_input(&s->con, &hvc_in, err, errlen)))
		goto out_console;
	struct uart_callbacks serial = console_uart_callbacks(&s->con);
	if ((e = vm_init(&s->vm))) {
		snprintf(err, errlen, "cannot set up the VM: %s", strerror(-e));
		if (hvc_in >= 0)
			close(hvc_in);
		goto out_console;
	}
	e = build(s, o, src, &files, hvc_in, &serial, err, errlen);
	/* The guest has its copies now. */
	free_file(&files.kernel);
	free_file(&files.initrd);
	if (e)
		goto out_vm;
	if (src->snap)
		pr_info("restored from %s in %.1f ms", src->snap->dir, ms_since(&t0));
	s->con.uart = s->vm.com1;
	s->con.stopping = &s->vm.stopping;
	if (src->paused)
		vm_start_paused(&s->vm);
	if ((e = vm_start_vcpus(&s->vm))) {
		snprintf(err, errlen, "cannot start vCPU threads: %s", strerror(-e));
		goto out_vm;
	}
	if (src->mig) {
		/* The ack says the guest runs here: send it once a vCPU has
		 * gone into the guest, so the source's downtime ends there.
		 * Without the ack the source keeps the guest: stop this copy. */
		if ((e = vm_wait_first_entry(&s->vm, MIGRATE_IO_TIMEOUT_S * 1000)) ||
		    (e = migrate_recv_ack(src->mig))) {
			snprintf(err, errlen, "--migrate-from: cannot confirm to the source: %s",
				 strerror(-e));
			goto out_vm;
		}
		/* first vCPU entry at: CLOCK_REALTIME, to set against the
		 * source's "paused at" on the same host (bench/migrate). */
		const struct migrate_in *mig = src->mig;
		pr_info("migration received: the guest runs here (%.1f ms after the source "
			"connected), first vCPU entry at %llu.%06llu",
			migrate_recv_elapsed_ms(mig),
			(unsigned long long)(s->vm.first_entry_ns / 1000000000u),
			(unsigned long long)(s->vm.first_entry_ns % 1000000000u / 1000));
		pr_debug("migration: device state read and loaded in %.1f ms, then the "
			 "vCPUs' first entry and the ack %.1f ms",
			 mig->loaded_ms - mig->ram_done_ms,
			 migrate_recv_elapsed_ms(mig) - (mig->loaded_ms - mig->accepted_ms));
	}
	if (src->snap && !src->paused && !vm_wait_first_entry(&s->vm, 1000))
		pr_info("the restored guest runs (first vCPU entry %.1f ms after the restore began)",
			ms_since(&t0));
	pr_info("guest %s: %u vCPU(s), %llu MiB", src->paused ? "restored, paused" : "started",
		o->boot_cpus, (unsigned long long)(o->memory_size >> 20));
	return 0;
out_vm:
	vm_destroy(&s->vm);
out_console:
	console_close(&s->con);
out_files:
	free_file(&files.kernel);
	free_file(&files.initrd);
	return e;
}

enum vm_event vm_session_run(struct vm_session *s, bool *quit_key)
{
	*quit_key = console_run(&s->con, s->vm.event_fd);
	if (*quit_key)
		vm_raise_event(&s->vm, VM_EVENT_QUIT);
	return vm_wait_event(&s->vm);
}

void vm_session_stop(struct vm_session *s)
{
	vm_destroy(&s->vm);
	console_close(&s->con);
}
