/* The management API: Cloud Hypervisor's endpoint names, methods and body
 * fields under /api/v1/, answered from a struct api_vm_ops so the routing
 * and the JSON handling are tested without a VM.
 *
 *   GET  /api/v1/vmm.ping      200 {"build_version","version","pid","features"}
 *   PUT  /api/v1/vmm.shutdown  204, then Kiln stops the guest and exits 0
 *   GET  /api/v1/vm.info       200 {"config":{...},"state":"Running"|"Paused",
 *                                   "memory_actual_size":N}
 *   PUT  /api/v1/vm.pause      204 | 409 already paused
 *   PUT  /api/v1/vm.resume     204 | 409 not paused
 *   PUT  /api/v1/vm.shutdown   204 (the guest stops; Kiln exits 0)
 *   PUT  /api/v1/vm.reboot     204 (Kiln exits with the reboot status, 3,
 *                                   as for a reboot the guest asks for)
 *   GET  /api/v1/vm.counters   200 {"<device>":{"<counter>":N,...},...}
 *   PUT  /api/v1/vm.snapshot   {"destination_url":"file:///DIR"}: 204 | 409
 *                              not paused (pause first, as Cloud Hypervisor
 *                              wants) or a device that cannot be saved
 *   PUT  /api/v1/vm.send-migration {"destination_url":"tcp:HOST:PORT"|
 *                              "unix:PATH","downtime_ms":N (default 100),
 *                              "bandwidth_mbps":N (Kiln's own: a cap on
 *                              the stream in Mbit/s, 1 .. 1000000; default
 *                              none)}: 204 once the destination runs the
 *                              guest (then this Kiln exits 0) | 409
 *                              paused, or a device that cannot be
 *                              migrated | 500 the migration failed (the VM
 *                              runs on here)
 *
 * Errors are 4xx (5xx only for Kiln's own failures) with a JSON body
 * {"error":"..."}: unknown endpoint 404, wrong method 405, a body where none
 * is expected or malformed JSON 400, an action that makes no sense in the
 * current state 409.
 */
#ifndef KILN_API_API_H
#define KILN_API_API_H

#include "api/http.h"

#include <json-c/json.h>
#include <stdbool.h>

struct api_vm_ops {
	/* 0, -EALREADY (already in that state), other -errno. */
	int (*pause)(void *ctx);
	int (*resume)(void *ctx);
	/* Ask the VM to stop (shutdown) or reboot; returns at once. */
	void (*shutdown)(void *ctx);
	void (*reboot)(void *ctx);
	bool (*paused)(void *ctx);
	/* New JSON objects the caller owns. */
	struct json_object *(*config)(void *ctx);
	struct json_object *(*counters)(void *ctx);
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
