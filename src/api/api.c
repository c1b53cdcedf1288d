/* Routing of API requests to the VM, with JSON in and out (json-c). */
#include "api/api.h"

#include "api/api_vmconfig.h"
#include "cli/argv.h"
#include "cli/options.h"
#include "core/version.h"
#include "migration/migrate_url.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define API_PREFIX "/api/v1/"

static void set_json(struct api_response *resp, int status,
		     struct json_object *obj)
{
	resp->status = status;
	resp->body = strdup(json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	if (!resp->body) {
		resp->status = 500;
	}
}

void api_error(struct api_response *resp, int status, const char *msg)
{
	/* Messages quote the request (a member name, a flag value): keep
	 * them one printable line for the client's terminal or log. */
	char line[1024];
	size_t n = 0;
	for (; msg[n] && n < sizeof(line) - 1; n++) {
		unsigned char ch = (unsigned char)msg[n];
		line[n] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	line[n] = '\0';
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "error", json_object_new_string(line));
	set_json(resp, status, o);
}

static void no_content(struct api_response *resp)
{
	resp->status = 204;
	resp->body = NULL;
}

/* The body's JSON object (strict), or NULL with a 400 in resp. */
static struct json_object *body_object(const struct http_request *req,
				       struct api_response *resp)
{
	struct json_tokener *tok = json_tokener_new();
	if (!tok) {
		api_error(resp, 500, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	struct json_object *o = req->body_len
		? json_tokener_parse_ex(tok, req->body, (int)req->body_len) : NULL;
	bool ok = o && json_tokener_get_error(tok) == json_tokener_success &&
		  json_tokener_get_parse_end(tok) == req->body_len &&
		  json_object_is_type(o, json_type_object);
	json_tokener_free(tok);
	if (!ok) {
		json_object_put(o);
		api_error(resp, 400, "the body must be a JSON object");
		return NULL;
	}
	return o;
}

/* Actions take no body, but ch-remote and curl may send "{}" or nothing:
 * accept an empty body or a JSON object, refuse anything else. */
static bool body_ok(const struct http_request *req, struct api_response *resp)
{
	if (!req->body_len)
		return true;
	struct json_object *o = body_object(req, resp);
	json_object_put(o);
	return o != NULL;
}

/* A pause or resume: 204, or 409 when the VM is already in that state. */
static void state_change(struct api_response *resp, int e, const char *already)
{
	if (e == -EALREADY)
		api_error(resp, 409, already);
	else if (e)
		api_error(resp, 409, e == -ESHUTDOWN ? "the VM is stopping" : strerror(-e));
	else
		no_content(resp);
}

static void do_ping(const struct api_vm_ops *ops, void *ctx, struct api_response *resp)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "build_version", json_object_new_string(KILN_VERSION));
	json_object_object_add(o, "version", json_object_new_string(KILN_VERSION));
	json_object_object_add(o, "pid", json_object_new_int64(getpid()));
	json_object_object_add(o, "features", json_object_new_array());
	set_json(resp, 200, o);
}

static const char *state_name(enum api_vm_state st)
{
	switch (st) {
	case API_VM_NONE: return "none";
	case API_VM_CREATED: return "Created";
	case API_VM_RUNNING: return "Running";
	case API_VM_PAUSED: return "Paused";
	case API_VM_SHUTDOWN: return "Shutdown";
	}
	return "?";
}

static void do_info(const struct api_vm_ops *ops, void *ctx, struct api_response *resp)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "config", ops->config(ctx));
	json_object_object_add(o, "state", json_object_new_string(state_name(ops->state(ctx))));
	json_object_object_add(o, "memory_actual_size",
			       json_object_new_int64((int64_t)ops->memory_size(ctx)));
	set_json(resp, 200, o);
}

static void do_pause(const struct api_vm_ops *ops, void *ctx, struct api_response *resp)
{
	state_change(resp, ops->pause(ctx), "the VM is already paused");
}

static void do_resume(const struct api_vm_ops *ops, void *ctx, struct api_response *resp)
{
	state_change(resp, ops->resume(ctx), "the VM is not paused");
}

static void do_shutdown(const struct api_vm_ops *ops, void *ctx, struct api_response *resp)
{
	ops->shutdown(ctx);
	no_content(resp);
}

static void do_vmm_shutdown(const struct api_vm_ops *ops, void *ctx,
			    struct api_response *resp)
{
	ops->vmm_shutdown(ctx);
	no_content(resp);
}

static void do_delete(const struct api_vm_ops *ops, void *ctx, struct api_response *resp)
{
	ops->delete_vm(ctx);
	no_content(resp);
}

/* A lifecycle call's answer: 204, or its error. */
static void lifecycle_result(struct api_response *resp, int e, const char *err)
{
	if (!e)
		no_content(resp);
	else
		api_error(resp, e == -EEXIST || e == -EBUSY ? 409 : 500,
			  err[0] ? err : strerror(-e));
}

static void do_boot(const struct api_vm_ops *ops, void *ctx, struct api_response *resp)
{
	char err[512] = "";
	lifecycle_result(resp, ops->boot(ctx, err, sizeof(err)), err);
}

static void do_reboot(const struct api_vm_ops *ops, void *ctx, struct api_response *resp)
{
	ops->reboot(ctx);
	no_content(resp);
}

static void do_counters(const struct api_vm_ops *ops, void *ctx, struct api_response *resp)
{
	set_json(resp, 200, ops->counters(ctx));
}

/* Refuse (400) a body member not in `names`: nothing asked for is
 * silently ignored. */
static bool only_members(struct json_object *o, const char *const *names,
			 size_t n, struct api_response *resp)
{
	json_object_object_foreach(o, key, val) {
		(void)val;
		size_t i = 0;
		while (i < n && strcmp(key, names[i]))
			i++;
		if (i == n) {
			char msg[160];
			snprintf(msg, sizeof(msg), "%.64s: unknown member", key);
			api_error(resp, 400, msg);
			return false;
		}
	}
	return true;
}

/* A file:// URL's path, or NULL. */
static const char *file_url_path(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	const char *url = json_object_get_string(v);
	if (strncmp(url, "file://", 7) || url[7] != '/' || strlen(url) > 4000)
		return NULL;
	return url + 7;
}

static void do_snapshot(const struct api_vm_ops *ops, void *ctx,
			const struct http_request *req, struct api_response *resp)
{
	struct json_object *o = body_object(req, resp);
	if (!o)
		return;
	const char *dir = file_url_path(o, "destination_url");
	if (!dir) {
		json_object_put(o);
		api_error(resp, 400, "destination_url must be file:///ABSOLUTE/DIR");
		return;
	}
	char err[512] = "";
	int e = ops->snapshot(ctx, dir, err, sizeof(err));
	json_object_put(o);
	if (!e)
		no_content(resp);
	else
		api_error(resp, e == -EBUSY || e == -EOPNOTSUPP ? 409 : 500,
			  err[0] ? err : strerror(-e));
}

/* VmConfig -> Kiln's command line -> options_parse: one set of rules. */
static void do_create(const struct api_vm_ops *ops, void *ctx,
		      const struct http_request *req, struct api_response *resp)
{
	struct json_object *o = body_object(req, resp);
	if (!o)
		return;
	struct kiln_argv argv = { 0 };
	char err[512] = "";
	int e = vmconfig_to_argv(o, &argv, err, sizeof(err));
	json_object_put(o);
	if (e) {
		api_error(resp, e == -EINVAL ? 400 : 500, err[0] ? err : strerror(-e));
		goto out;
	}
	struct kiln_options opts;
	e = options_parse(argv.argc, argv.argv, &opts, err, sizeof(err));
	options_free(&opts);
	if (e) {
		api_error(resp, 400, err);
		goto out;
	}
	lifecycle_result(resp, ops->create(ctx, argv.argc, argv.argv, err, sizeof(err)), err);
out:
	kiln_argv_free(&argv);
}

/* vm.restore: {"source_url":"file:///DIR"}; Cloud Hypervisor's prefault
 * may come too, false (Kiln maps the snapshot's memory as it is touched). */
static void do_restore(const struct api_vm_ops *ops, void *ctx,
		       const struct http_request *req, struct api_response *resp)
{
	static const char *const names[] = { "source_url", "prefault" };
	struct json_object *o = body_object(req, resp);
	if (!o)
		return;
	struct json_object *v;
	const char *dir = file_url_path(o, "source_url");
	if (!only_members(o, names, 2, resp))
		goto out;
	if (!dir) {
		api_error(resp, 400, "source_url must be file:///ABSOLUTE/DIR");
		goto out;
	}
	if (json_object_object_get_ex(o, "prefault", &v) && v &&
	    (!json_object_is_type(v, json_type_boolean) || json_object_get_boolean(v))) {
		api_error(resp, 400, "prefault: Kiln only maps a snapshot's memory as the "
			  "guest touches it (false)");
		goto out;
	}
	char err[512] = "";
	lifecycle_result(resp, ops->restore(ctx, dir, err, sizeof(err)), err);
out:
	json_object_put(o);
}

static void do_receive_migration(const struct api_vm_ops *ops, void *ctx,
				 const struct http_request *req,
				 struct api_response *resp)
{
	static const char *const names[] = { "receiver_url" };
	struct json_object *o = body_object(req, resp);
	if (!o)
		return;
	struct json_object *v;
	const char *url = NULL;
	if (json_object_object_get_ex(o, "receiver_url", &v) &&
	    json_object_is_type(v, json_type_string))
		url = json_object_get_string(v);
	if (!only_members(o, names, 1, resp))
		goto out;
	if (!url || strlen(url) > 4000 || !migrate_url_valid(url)) {
		api_error(resp, 400, "receiver_url must be tcp:ADDR:PORT or unix:PATH");
		goto out;
	}
	char err[512] = "";
	lifecycle_result(resp, ops->receive_migration(ctx, url, err, sizeof(err)), err);
out:
	json_object_put(o);
}

#define DOWNTIME_DEFAULT_MS 100
#define DOWNTIME_MAX_MS 3600000
#define BANDWIDTH_MAX_MBPS 1000000 /* 1 Tbit/s */

static void do_send_migration(const struct api_vm_ops *ops, void *ctx,
			      const struct http_request *req,
			      struct api_response *resp)
{
	struct json_object *o = body_object(req, resp);
	if (!o)
		return;
	struct json_object *v;
	const char *url = NULL;
	if (json_object_object_get_ex(o, "destination_url", &v) &&
	    json_object_is_type(v, json_type_string))
		url = json_object_get_string(v);
	if (!url || !migrate_url_valid(url)) {
		json_object_put(o);
		api_error(resp, 400, "destination_url must be tcp:HOST:PORT or unix:PATH");
		return;
	}
	int64_t downtime = DOWNTIME_DEFAULT_MS;
	if (json_object_object_get_ex(o, "downtime_ms", &v)) {
		downtime = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
		if (downtime < 1 || downtime > DOWNTIME_MAX_MS) {
			json_object_put(o);
			api_error(resp, 400, "downtime_ms must be an integer from 1 to 3600000");
			return;
		}
	}
	int64_t bandwidth = 0;
	if (json_object_object_get_ex(o, "bandwidth_mbps", &v)) {
		bandwidth = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
		if (bandwidth < 1 || bandwidth > BANDWIDTH_MAX_MBPS) {
			json_object_put(o);
			api_error(resp, 400, "bandwidth_mbps must be an integer from 1 to 1000000 (Mbit/s)");
			return;
		}
	}
	if (!ops->send_migration) {
		json_object_put(o);
		api_error(resp, 500, "live migration is not available");
		return;
	}
	char err[512] = "";
	int e = ops->send_migration(ctx, url, (unsigned int)downtime,
				    (unsigned int)bandwidth, err, sizeof(err));
	json_object_put(o);
	if (!e)
		no_content(resp);
	else
		api_error(resp, e == -EBUSY || e == -EOPNOTSUPP ? 409 : 500,
			  err[0] ? err : strerror(-e));
}

#define ST(x) (1u << API_VM_##x)
#define ANY_STATE (ST(NONE) | ST(CREATED) | ST(RUNNING) | ST(PAUSED) | ST(SHUTDOWN))
#define HAS_VM (ANY_STATE & ~ST(NONE))
#define LIVE (ST(RUNNING) | ST(PAUSED))

static const struct route {
	const char *name;
	enum http_method method;
	bool takes_body;
	unsigned int states; /* the VM states it makes sense in (ST bits) */
	void (*fn)(const struct api_vm_ops *, void *, struct api_response *);
	/* for endpoints whose body carries arguments */
	void (*fn_body)(const struct api_vm_ops *, void *,
			const struct http_request *, struct api_response *);
} routes[] = {
	{ "vmm.ping", HTTP_GET, false, ANY_STATE, .fn = do_ping },
	{ "vmm.shutdown", HTTP_PUT, true, ANY_STATE, .fn = do_vmm_shutdown },
	{ "vm.create", HTTP_PUT, true, ST(NONE), .fn_body = do_create },
	{ "vm.boot", HTTP_PUT, true, ST(CREATED) | ST(SHUTDOWN), .fn = do_boot },
	{ "vm.delete", HTTP_PUT, true, ANY_STATE, .fn = do_delete },
	{ "vm.restore", HTTP_PUT, true, ST(NONE), .fn_body = do_restore },
	{ "vm.receive-migration", HTTP_PUT, true, ST(NONE), .fn_body = do_receive_migration },
	{ "vm.info", HTTP_GET, false, HAS_VM, .fn = do_info },
	{ "vm.pause", HTTP_PUT, true, LIVE, .fn = do_pause },
	{ "vm.resume", HTTP_PUT, true, LIVE, .fn = do_resume },
	{ "vm.shutdown", HTTP_PUT, true, LIVE, .fn = do_shutdown },
	{ "vm.reboot", HTTP_PUT, true, LIVE, .fn = do_reboot },
	{ "vm.counters", HTTP_GET, false, LIVE, .fn = do_counters },
	{ "vm.snapshot", HTTP_PUT, true, LIVE, .fn_body = do_snapshot },
	{ "vm.send-migration", HTTP_PUT, true, LIVE, .fn_body = do_send_migration },
};

/* Whether route `r` makes sense in the VM's state now; if not, the 404 (no
 * VM) or 409 answer is in resp. */
static bool state_allows(const struct route *r, enum api_vm_state st,
			 struct api_response *resp)
{
	if (r->states & (1u << st))
		return true;
	char msg[160];
	if (st == API_VM_NONE) {
		api_error(resp, 404, "no VM (vm.create, vm.restore or "
			  "vm.receive-migration makes one)");
		return false;
	}
	if (r->states == ST(NONE))
		snprintf(msg, sizeof(msg), "%s: there is a VM already (%s); vm.delete it first",
			 r->name, state_name(st));
	else
		snprintf(msg, sizeof(msg), "%s: not while the VM is %s", r->name,
			 state_name(st));
	api_error(resp, 409, msg);
	return false;
}

void api_handle(const struct api_vm_ops *ops, void *ctx,
		const struct http_request *req, struct api_response *resp)
{
	resp->status = 500;
	resp->body = NULL;
	if (strncmp(req->path, API_PREFIX, strlen(API_PREFIX)) != 0) {
		api_error(resp, 404, "unknown endpoint (the API lives under /api/v1/)");
		return;
	}
	const char *name = req->path + strlen(API_PREFIX);
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];
		if (strcmp(name, r->name) != 0)
			continue;
		if (req->method != r->method) {
			char msg[96];
			snprintf(msg, sizeof(msg), "%s takes %s", r->name,
				 http_method_name(r->method));
			api_error(resp, 405, msg);
			return;
		}
		if (!r->takes_body && req->body_len) {
			api_error(resp, 400, "this endpoint takes no body");
			return;
		}
		if (!state_allows(r, ops->state(ctx), resp))
			return;
		if (r->fn_body) {
			r->fn_body(ops, ctx, req, resp);
			return;
		}
		if (r->takes_body && !body_ok(req, resp))
			return;
		r->fn(ops, ctx, resp);
		return;
	}
	api_error(resp, 404, "unknown endpoint");
}
