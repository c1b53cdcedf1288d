/* kiln: boot a Linux guest on KVM with its serial console on this terminal. */
#include "arch/x86/boot.h"
#include "cli/options.h"
#include "console/console.h"
#include "core/log.h"
#include "core/vm.h"
#include "machine/pc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define KILN_VERSION "0.1.0"

enum exit_code {
	EXIT_POWEROFF = 0,
	EXIT_ERROR = 1,
	EXIT_REBOOT = 3,
	EXIT_PANIC = 4,
};

struct file_map {
	uint8_t *data;
	size_t len;
};

/* Map a whole input file read-only; `limit` is the guest RAM it must fit. */
static int map_file(const char *flag, const char *path, uint64_t limit,
		    struct file_map *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("%s %s: %s", flag, path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		pr_err("%s %s: not a regular file", flag, path);
		close(fd);
		return -1;
	}
	if (st.st_size == 0) {
		pr_err("%s %s: file is empty", flag, path);
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
	out->data = mmap(NULL, out->len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (out->data == MAP_FAILED) {
		pr_err("%s %s: %s", flag, path, strerror(errno));
		out->data = NULL;
		return -1;
	}
	return 0;
}

static struct vm *signal_vm;

static void on_terminate(int sig)
{
	(void)sig;
	if (signal_vm)
		vm_raise_event(signal_vm, VM_EVENT_QUIT);
}

static int run(const struct kiln_options *o)
{
	struct file_map kernel = { 0 }, initrd = { 0 };
	struct kernel_info info;
	char err[512] = "";
	int code = EXIT_ERROR;

	if (map_file("--kernel", o->kernel, o->memory_size, &kernel))
		return EXIT_ERROR;
	if (kernel_probe(kernel.data, kernel.len, &info, err, sizeof(err))) {
		pr_err("--kernel %s: %s", o->kernel, err);
		goto out_files;
	}
	if (o->initramfs &&
	    map_file("--initramfs", o->initramfs, o->memory_size, &initrd))
		goto out_files;

	struct console con;
	if (console_open(&con, o->serial, o->serial_path, err, sizeof(err))) {
		pr_err("%s", err);
		goto out_files;
	}
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
	};
	if (pc_build(&vm, &kvm_accel_ops, &cfg, err, sizeof(err))) {
		pr_err("%s", err);
		goto out_vm;
	}
	/* The guest has its copies now; keeping the files mapped would only
	 * count their page cache against Kiln's own memory. */
	munmap(kernel.data, kernel.len);
	kernel.data = NULL;
	if (initrd.data) {
		munmap(initrd.data, initrd.len);
		initrd.data = NULL;
	}
	con.uart = vm.com1;

	signal_vm = &vm;
	struct sigaction sa = { .sa_handler = on_terminate };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (vm_start_vcpus(&vm)) {
		pr_err("cannot start vCPU threads: %s", strerror(errno));
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
	case VM_EVENT_FAILED:
	case VM_EVENT_NONE:
		code = EXIT_ERROR;
		break;
	}
out_vm:
	signal_vm = NULL;
	vm_destroy(&vm);
out_console:
	console_close(&con);
out_files:
	if (kernel.data)
		munmap(kernel.data, kernel.len);
	if (initrd.data)
		munmap(initrd.data, initrd.len);
	return code;
}

int main(int argc, char **argv)
{
	struct kiln_options o;
	char err[512];
	if (options_parse(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "kiln: %s\n", err);
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
	return run(&o);
}
