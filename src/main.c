/* kiln: boot a Linux guest on KVM with its serial console on this terminal,
 * or (--api-socket alone) wait for the management API to give it one. */
#include "cli/options.h"
#include "core/log.h"
#include "core/version.h"
#include "vmm/vmm.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static struct vmm *signal_vmm;

/* A terminating signal stops the guest (like Ctrl-A x) and ends Kiln. */
static void on_terminate(int sig)
{
	(void)sig;
	vmm_request_quit(signal_vmm);
}

static void install_signal_handlers(struct vmm *v)
{
	signal_vmm = v;
	struct sigaction sa = { .sa_handler = on_terminate };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The VM the command line describes: received, restored or booted through
 * the same calls as the API's. */
static int start_vm(struct vmm *v, const struct kiln_options *o, char *err,
		    size_t errlen)
{
	if (o->migrate_from)
		return vmm_receive_migration(v, o->migrate_from, err, errlen);
	if (o->restore_dir)
		return vmm_restore(v, o->restore_dir, false, err, errlen);
	int e = vmm_create(v, o->argc, o->argv, err, errlen);
	return e ? e : vmm_boot(v, err, errlen);
}

int main(int argc, char **argv)
{
	struct kiln_options o;
	char err[512];
	if (options_parse(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "kiln: %s\n", err);
		options_free(&o);
		return KILN_EXIT_ERROR;
	}
	if (o.help || o.version) {
		if (o.help)
			fputs(kiln_usage, stdout);
		else
			printf("kiln %s\n", KILN_VERSION);
		options_free(&o);
		return 0;
	}
	log_set_level(o.verbosity >= 2 ? LOG_DEBUG
		      : o.verbosity == 1 ? LOG_INFO : LOG_WARN);

	static struct vmm vmm;
	int e = vmm_init(&vmm, !o.vmm_only);
	if (e) {
		pr_err("cannot set up: %s", strerror(-e));
		options_free(&o);
		return KILN_EXIT_ERROR;
	}
	install_signal_handlers(&vmm);
	int code = KILN_EXIT_ERROR;
	if (!o.vmm_only && start_vm(&vmm, &o, err, sizeof(err))) {
		pr_err("%s", err);
		goto out;
	}
	/* After the command line's VM: the API may pause its vCPUs. */
	if (o.api_socket && vmm_serve_api(&vmm, o.api_socket, err, sizeof(err))) {
		pr_err("%s", err);
		vmm_request_quit(&vmm);
		vmm_run(&vmm);
		goto out;
	}
	if (o.vmm_only)
		pr_info("serving the API on %s; no VM yet", o.api_socket);
	code = vmm_run(&vmm);
out:
	vmm_destroy(&vmm);
	options_free(&o);
	return code;
}
