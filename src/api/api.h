/* The management API: Cloud Hypervisor's endpoint names, methods and body
 * fields under /api/v1/, answered from a struct api_vm_ops so the routing,
 * the JSON handling and the state checks are tested without a VM.
 *
 * The VMM holds at most one VM, in one of the states vm.info names:
 * Created (configured), Running, Paused, Shutdown (the guest stopped; its
 * configuration stays), or none at all. `kiln --api-socket PATH` alone
 * starts with none; a Kiln given a VM on its command line exits when that
 * VM stops, as without the API.
 *
 *   GET  /api/v1/vmm.ping      200 {"build_version","version","pid","features"}
 *   PUT  /api/v1/vmm.shutdown  204, then Kiln stops the guest (if any) and
 *                              exits 0
 *   PUT  /api/v1/vm.create     VmConfig (api_vmconfig.h): 204, state Created
 *                              | 400 a member Kiln does not know, a wrong
 *                              type, or a value Kiln's command line would
 *                              refuse (its message) | 409 a VM exists
 *   PUT  /api/v1/vm.boot       204 once the guest runs | 500 it could not be
 *                              built (one line: "--kernel /x: No such file
 *                              or directory"); it stays Created
 *                              (Created or Shutdown: a stopped VM boots
 *                              afresh from its configuration)
 *   PUT  /api/v1/vm.delete     204: the VM is stopped and forgotten (also
 *                              when there is none, as in Cloud Hypervisor)
 *   PUT  /api/v1/vm.restore    {"source_url":"file:///DIR"} (a vm.snapshot):
 *                              204, state Paused (vm.resume runs it, as in
 *                              Cloud Hypervisor) | 500 why not
 *   PUT  /api/v1/vm.receive-migration {"receiver_url":"tcp:ADDR:PORT"|
 *                              "unix:PATH"}: listens for one
 *                              vm.send-migration and answers 204 once the
 *                              guest runs here (as Cloud Hypervisor, it
 *                              answers when the migration is complete; the
 *                              API serves nothing else meanwhile) | 500
 *   GET  /api/v1/vm.info       200 {"config":{VmConfig},"state":"Created"|
 *                              "Running"|"Paused"|"Shutdown",
 *                              "memory_actual_size":N}
 *   PUT  /api/v1/vm.pause      204 | 409 already paused
 *   PUT  /api/v1/vm.resume     204 | 409 not paused
 *   PUT  /api/v1/vm.shutdown   204: the guest stops (Kiln started with a VM
 *                              exits 0; otherwise the VM is Shutdown)
 *   PUT  /api/v1/vm.reboot     204: the guest stops as if it rebooted (Kiln
 *                              started with a VM exits 3; otherwise the VM
 *                              is Shutdown)
 *   GET  /api/v1/vm.counters   200 {"<device>":{"<counter>":N,...},...}
 *   PUT  /api/v1/vm.snapshot   {"destination_url":"file:///DIR"}: 204 | 409
 *                              not paused (pause first, as Cloud Hypervisor
 *                              wants) or a device that cannot be saved
 *   PUT  /api/v1/vm.send-migration {"destination_url":"tcp:HOST:PORT"|
 *                              "unix:PATH","downtime_ms":N (default 100),
 *                              "bandwidth_mbps":N (Kiln's own: a cap on
 *                              the stream in Mbit/s, 1 .. 1000000; default
 *                              none)}: 204 once the destination runs the
 *                              guest (then this Kiln exits 0, or has no
 *                              VM) | 409
 *                              paused, or a device that cannot be
 *                              migrated | 500 the migration failed (the VM
 *                              runs on here)
 *
 * Errors are 4xx (5xx for Kiln's own failures) with a JSON body
 * {"error":"..."}: unknown endpoint 404, wrong method 405, a body where none
 * is expected or malformed JSON 400, no VM for an endpoint that needs one
 * 404 (as Cloud Hypervisor), an action that makes no sense in the VM's
 * state 409. A refused request changes nothing.
 */
#ifndef KILN_API_API_H
#define KILN_API_API_H

#include "api/http.h"

#include <json-c/json.h>
#include <stdbool.h>

/* What the VMM holds (vm.info's "state"). */
enum api_vm_state {
	API_VM_NONE,
	API_VM_CREATED,
	API_VM_RUNNING,
	API_VM_PAUSED,
	API_VM_SHUTDOWN,
};

/* The VMM behind the API. Calls come from the API's one thread, so one at
 * a time; api_handle checks the state before calling the ones that need a
 * VM (a VM that stops meanwhile makes them fail, never crash). Where err
 * is given, a failure puts one line there. */
struct api_vm_ops {
	enum api_vm_state (*state)(void *ctx);
	/* Take argv (argv[0] first; options_parse accepted it) as the VM's
	 * configuration. 0; -EEXIST a VM exists; else -errno. */
	int (*create)(void *ctx, int argc, char *const argv[], char *err,
		      size_t errlen);
	/* Build and start the created VM. 0: the guest runs; -EBUSY not in a
	 * state to boot; else -errno (the VM stays as it was). */
	int (*boot)(void *ctx, char *err, size_t errlen);
	/* Stop the VM if it runs, and forget it. */
	void (*delete_vm)(void *ctx);
	/* A new VM from the snapshot in `dir`, paused. 0; -EEXIST a VM
	 * exists; else -errno (no VM then). */
	int (*restore)(void *ctx, const char *dir, char *err, size_t errlen);
	/* Listen on `url`, take one incoming migration and run its guest. 0
	 * once it runs here; -EEXIST a VM exists; else -errno (no VM). */
	int (*receive_migration)(void *ctx, const char *url, char *err,
				 size_t errlen);
	/* Stop the VM if any, and end Kiln; returns at once. */
	void (*vmm_shutdown)(void *ctx);

	/* The running (or paused) VM: */
	/* 0, -EALREADY (already in that state), other -errno. */
	int (*pause)(void *ctx);
	int (*resume)(void *ctx);
	/* Ask the VM to stop (shutdown) or reboot. */
	void (*shutdown)(void *ctx);
	void (*reboot)(void *ctx);
	/* New JSON objects the caller owns: the VM's VmConfig (any state),
	 * the running VM's counters. */
	struct json_object *(*config)(void *ctx);
	struct json_object *(*counters)(void *ctx);
	/* The VM's RAM (any state). */
	uint64_t (*memory_size)(void *ctx);
	/* Save the paused VM to directory `dir`. 0; -EBUSY not paused;
	 * -EOPNOTSUPP a device cannot be saved; else -errno. err says why. */
	int (*snapshot)(void *ctx, const char *dir, char *err, size_t errlen);
	/* Live-migrate the running VM to `url`, aiming at `downtime_ms`,
	 * sending at most `bandwidth_mbps` Mbit/s (0: no limit). 0: it runs
	 * there now; -EBUSY paused; -EOPNOTSUPP a device cannot be migrated;
	 * else -errno. err says why. NULL: migration is not offered (500). */
	int (*send_migration)(void *ctx, const char *url, unsigned int downtime_ms,
			      unsigned int bandwidth_mbps, char *err, size_t errlen);
};

struct api_response {
	int status;
	char *body; /* malloc'd JSON text, or NULL for no body */
};

/* Answer one parsed request. Never fails: errors become a status with a
 * JSON error body. Free resp->body afterwards. */
void api_handle(const struct api_vm_ops *ops, void *ctx,
		const struct http_request *req, struct api_response *resp);

/* A JSON error body for status `status` (used for parse errors too). */
void api_error(struct api_response *resp, int status, const char *msg);

#endif
