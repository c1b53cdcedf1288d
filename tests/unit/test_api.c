/* The management API: HTTP parsing limits, routing, JSON bodies, and a
 * connection served over a socketpair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/api.h"
#include "api/api_server.h"
#include "api/http.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse(const char *s, struct http_request *req)
{
	const char *why = NULL;
	int r = http_parse_request(s, strlen(s), req, &why);
	if (r > 1)
		assert_non_null(why);
	return r;
}

static void test_http_get(void **state)
{
	struct http_request req;
	const char *s = "GET /api/v1/vmm.ping HTTP/1.1\r\nHost: localhost\r\n\r\n";
	assert_int_equal(parse(s, &req), 0);
	assert_int_equal(req.method, HTTP_GET);
	assert_string_equal(req.path, "/api/v1/vmm.ping");
	assert_int_equal(req.body_len, 0);
	assert_true(req.keep_alive);
	assert_int_equal(req.total_len, strlen(s));
}

static void test_http_put_body_and_query(void **state)
{
	struct http_request req;
	const char *s = "PUT /api/v1/vm.pause?x=1 HTTP/1.1\r\ncontent-length: 2\r\n"
			"Connection: close\r\n\r\n{}EXTRA";
	assert_int_equal(parse(s, &req), 0);
	assert_int_equal(req.method, HTTP_PUT);
	assert_string_equal(req.path, "/api/v1/vm.pause");
	assert_int_equal(req.body_len, 2);
	assert_memory_equal(req.body, "{}", 2);
	assert_false(req.keep_alive);
	assert_int_equal(req.total_len, strlen(s) - 5);
}

static void test_http_incomplete(void **state)
{
	struct http_request req;
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n", &req), 1);
	assert_int_equal(parse("PUT /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n{}", &req), 1);
	assert_int_equal(parse("", &req), 1);
}

static void test_http_refusals(void **state)
{
	struct http_request req;
	assert_int_equal(parse("BREW /pot HTTP/1.1\r\n\r\n", &req), 501);
	assert_int_equal(parse("GET /x HTTP/2.0\r\n\r\n", &req), 505);
	assert_int_equal(parse("GET /x FTP/1.0\r\n\r\n", &req), 400);
	assert_int_equal(parse("GET x HTTP/1.1\r\n\r\n", &req), 400);
	assert_int_equal(parse("GET\r\n\r\n", &req), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nBad Name: 1\r\n\r\n", &req), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\r\nNoColon\r\n\r\n", &req), 400);
	assert_int_equal(parse("GET /x HTTP/1.1\nHost: a\r\n\r\n", &req), 400);
	assert_int_equal(parse("PUT /x HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", &req), 400);
	assert_int_equal(parse("PUT /x HTTP/1.1\r\nContent-Length: 1\r\n"
			       "Content-Length: 2\r\n\r\n", &req), 400);
	assert_int_equal(parse("PUT /x HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", &req), 413);
	assert_int_equal(parse("PUT /x HTTP/1.1\r\nContent-Length: 65537\r\n\r\n", &req), 413);
	assert_int_equal(parse("PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &req), 501);
}

static void test_http_limits(void **state)
{
	struct http_request req;
	/* A path of HTTP_MAX_PATH bytes does not fit. */
	char line[HTTP_MAX_PATH + 64];
	memset(line, 0, sizeof(line));
	strcpy(line, "GET /");
	memset(line + 5, 'a', HTTP_MAX_PATH);
	strcat(line, " HTTP/1.1\r\n\r\n");
	assert_int_equal(parse(line, &req), 414);
	/* Headers that never end within the limit. */
	size_t n = HTTP_MAX_HEADER + 16;
	char *big = malloc(n + 1);
	assert_non_null(big);
	strcpy(big, "GET / HTTP/1.1\r\n");
	memset(big + strlen(big), 'x', n - strlen(big));
	big[n] = 0;
	assert_int_equal(parse(big, &req), 431);
	free(big);
}

static void test_http_response(void **state)
{
	char out[256];
	int n = http_format_response(out, sizeof(out), 204, NULL, true);
	assert_true(n > 0);
	assert_non_null(strstr(out, "HTTP/1.1 204 No Content\r\n"));
	assert_non_null(strstr(out, "Content-Length: 0\r\n"));
	n = http_format_response(out, sizeof(out), 200, "{\"a\":1}", false);
	assert_non_null(strstr(out, "Content-Length: 7\r\n"));
	assert_non_null(strstr(out, "Connection: close\r\n\r\n{\"a\":1}"));
	assert_int_equal(http_format_response(out, 16, 200, "{}", false), -1);
}

/* ---- routing, with a fake VM ---- */

struct fake_vm {
	enum api_vm_state st;
	int shutdowns, reboots, deletes, quits, boots;
	char snapshot_dir[256];
	char migrate_url[256];
	unsigned int downtime_ms, bandwidth_mbps;
	int migrate_result;
	int creates;
	char created[1024]; /* the command line vm.create handed over */
	int boot_result, restore_result, receive_result;
	char restore_dir[256], receive_url[256];
};

static enum api_vm_state f_state(void *c) { return ((struct fake_vm *)c)->st; }

static int f_create(void *c, int argc, char *const argv[], char *err, size_t errlen)
{
	struct fake_vm *f = c;
	f->created[0] = 0;
	for (int i = 0; i < argc; i++)
		snprintf(f->created + strlen(f->created), sizeof(f->created) - strlen(f->created),
			 "%s%s", i ? " " : "", argv[i]);
	f->creates++;
	f->st = API_VM_CREATED;
	return 0;
}

static int f_boot(void *c, char *err, size_t errlen)
{
	struct fake_vm *f = c;
	f->boots++;
	if (f->boot_result) {
		snprintf(err, errlen, "--kernel /k: No such file or directory");
		return f->boot_result;
	}
	f->st = API_VM_RUNNING;
	return 0;
}

static void f_delete(void *c)
{
	struct fake_vm *f = c;
	f->deletes++;
	f->st = API_VM_NONE;
}

static int f_restore(void *c, const char *dir, char *err, size_t errlen)
{
	struct fake_vm *f = c;
	snprintf(f->restore_dir, sizeof(f->restore_dir), "%s", dir);
	if (f->restore_result) {
		snprintf(err, errlen, "--restore: %s/state.kiln: bad checksum", dir);
		return f->restore_result;
	}
	f->st = API_VM_PAUSED;
	return 0;
}

static int f_receive(void *c, const char *url, char *err, size_t errlen)
{
	struct fake_vm *f = c;
	snprintf(f->receive_url, sizeof(f->receive_url), "%s", url);
	if (f->receive_result) {
		snprintf(err, errlen, "--migrate-from: the stream ended early");
		return f->receive_result;
	}
	f->st = API_VM_RUNNING;
	return 0;
}

static void f_vmm_shutdown(void *c) { ((struct fake_vm *)c)->quits++; }

static int f_pause(void *c)
{
	struct fake_vm *f = c;
	if (f->st == API_VM_PAUSED)
		return -EALREADY;
	f->st = API_VM_PAUSED;
	return 0;
}
static int f_resume(void *c)
{
	struct fake_vm *f = c;
	if (f->st != API_VM_PAUSED)
		return -EALREADY;
	f->st = API_VM_RUNNING;
	return 0;
}
static void f_shutdown(void *c) { ((struct fake_vm *)c)->shutdowns++; }
static void f_reboot(void *c) { ((struct fake_vm *)c)->reboots++; }
static struct json_object *f_config(void *c)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "cpus", json_object_new_int(2));
	return o;
}
static struct json_object *f_counters(void *c)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "vcpus", json_object_new_int(7));
	return o;
}
static uint64_t f_mem(void *c) { return 256ull << 20; }
static int f_snapshot(void *c, const char *dir, char *err, size_t errlen)
{
	struct fake_vm *f = c;
	if (f->st != API_VM_PAUSED) {
		snprintf(err, errlen, "pause first");
		return -EBUSY;
	}
	snprintf(f->snapshot_dir, sizeof(f->snapshot_dir), "%s", dir);
	return 0;
}

static int f_send_migration(void *c, const char *url, unsigned int downtime_ms,
			    unsigned int bandwidth_mbps, char *err, size_t errlen)
{
	struct fake_vm *f = c;
	snprintf(f->migrate_url, sizeof(f->migrate_url), "%s", url);
	f->downtime_ms = downtime_ms;
	f->bandwidth_mbps = bandwidth_mbps;
	if (f->migrate_result)
		snprintf(err, errlen, "no luck");
	return f->migrate_result;
}

static const struct api_vm_ops fake_ops = {
	.state = f_state, .create = f_create, .boot = f_boot,
	.delete_vm = f_delete, .restore = f_restore,
	.receive_migration = f_receive, .vmm_shutdown = f_vmm_shutdown,
	.send_migration = f_send_migration,
	.pause = f_pause, .resume = f_resume, .shutdown = f_shutdown,
	.reboot = f_reboot, .config = f_config,
	.counters = f_counters, .memory_size = f_mem, .snapshot = f_snapshot,
};

static int call(struct fake_vm *f, enum http_method m, const char *path,
		const char *body, struct json_object **out)
{
	struct http_request req = { .method = m, .body = body,
				    .body_len = body ? strlen(body) : 0 };
	snprintf(req.path, sizeof(req.path), "%s", path);
	struct api_response resp;
	api_handle(&fake_ops, f, &req, &resp);
	if (out)
		*out = resp.body ? json_tokener_parse(resp.body) : NULL;
	if (resp.status >= 400) {
		/* every error carries a JSON {"error": "..."} */
		struct json_object *o = json_tokener_parse(resp.body);
		struct json_object *e;
		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "error", &e));
		assert_true(strlen(json_object_get_string(e)) > 0);
		json_object_put(o);
	}
	free(resp.body);
	return resp.status;
}

static void test_api_routes(void **state)
{
	struct fake_vm f = { .st = API_VM_RUNNING };
	struct json_object *o, *v;
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vmm.ping", NULL, &o), 200);
	assert_true(json_object_object_get_ex(o, "version", &v));
	assert_true(json_object_object_get_ex(o, "pid", &v));
	assert_int_equal(json_object_get_int(v), getpid());
	json_object_put(o);

	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.info", NULL, &o), 200);
	assert_true(json_object_object_get_ex(o, "state", &v));
	assert_string_equal(json_object_get_string(v), "Running");
	assert_true(json_object_object_get_ex(o, "memory_actual_size", &v));
	assert_int_equal(json_object_get_int64(v), 256 << 20);
	json_object_put(o);

	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.pause", NULL, NULL), 204);
	assert_int_equal(f.st, API_VM_PAUSED);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.pause", "{}", NULL), 409);
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.info", NULL, &o), 200);
	assert_true(json_object_object_get_ex(o, "state", &v));
	assert_string_equal(json_object_get_string(v), "Paused");
	json_object_put(o);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.resume", "", NULL), 204);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.resume", NULL, NULL), 409);
	assert_int_equal(f.st, API_VM_RUNNING);

	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.counters", NULL, &o), 200);
	assert_true(json_object_object_get_ex(o, "vcpus", &v));
	json_object_put(o);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.reboot", NULL, NULL), 204);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.shutdown", NULL, NULL), 204);
	assert_int_equal(f.reboots, 1);
	assert_int_equal(f.shutdowns, 1);
}

static void test_api_bad_requests(void **state)
{
	struct fake_vm f = { .st = API_VM_RUNNING };
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.nosuch", NULL, NULL), 404);
	assert_int_equal(call(&f, HTTP_GET, "/other", NULL, NULL), 404);
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/", NULL, NULL), 404);
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.pause", NULL, NULL), 405);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vmm.ping", NULL, NULL), 405);
	assert_int_equal(call(&f, HTTP_DELETE, "/api/v1/vm.info", NULL, NULL), 405);
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.info", "{}", NULL), 400);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.pause", "{", NULL), 400);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.pause", "[1]", NULL), 400);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.pause", "{} {}", NULL), 400);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.pause", "{\"a\":tru}", NULL), 400);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.pause", "{\"a\":1,}", NULL), 400);
	assert_int_equal(f.st, API_VM_RUNNING); /* no refused request changed anything */
	assert_int_equal(f.shutdowns, 0);
}

/* ---- a connection over a socketpair ---- */

struct server_arg {
	int fd;
	struct fake_vm *f;
};

static void *serve(void *p)
{
	struct server_arg *a = p;
	api_serve_connection(a->fd, &fake_ops, a->f);
	close(a->fd);
	return NULL;
}

static char *exchange(const char *request)
{
	static char reply[8192];
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct fake_vm f = { .st = API_VM_RUNNING };
	struct server_arg a = { .fd = sv[1], .f = &f };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, serve, &a), 0);
	assert_int_equal(write(sv[0], request, strlen(request)), (ssize_t)strlen(request));
	shutdown(sv[0], SHUT_WR);
	size_t len = 0;
	ssize_t n;
	while ((n = read(sv[0], reply + len, sizeof(reply) - 1 - len)) > 0)
		len += (size_t)n;
	reply[len] = 0;
	pthread_join(t, NULL);
	close(sv[0]);
	return reply;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_connection_pipelined(void **state)
{
	char *r = exchange("PUT /api/v1/vm.pause HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
			   "GET /api/v1/vm.info HTTP/1.1\r\n\r\n"
			   "PUT /api/v1/vm.pause HTTP/1.1\r\nConnection: close\r\n\r\n");
	assert_int_equal(count(r, "HTTP/1.1 "), 3);
	assert_non_null(strstr(r, "HTTP/1.1 204"));
	assert_non_null(strstr(r, "\"state\":\"Paused\""));
	assert_non_null(strstr(r, "HTTP/1.1 409"));
}

static void test_connection_garbage(void **state)
{
	/* The first request is answered, the malformed one refused, and the
	 * connection closed: the third never runs. */
	char *r = exchange("GET /api/v1/vmm.ping HTTP/1.1\r\n\r\n"
			   "\x01\x02garbage\r\n\r\n"
			   "PUT /api/v1/vm.shutdown HTTP/1.1\r\n\r\n");
	assert_int_equal(count(r, "HTTP/1.1 "), 2);
	assert_non_null(strstr(r, "HTTP/1.1 200"));
	assert_non_null(strstr(r, "HTTP/1.1 400"));
	assert_null(strstr(r, "HTTP/1.1 204"));
}

static void test_connection_oversized_body(void **state)
{
	char *r = exchange("PUT /api/v1/vm.pause HTTP/1.1\r\nContent-Length: 100000\r\n\r\n");
	assert_non_null(strstr(r, "HTTP/1.1 413"));
	assert_non_null(strstr(r, "\"error\""));
}

static void test_api_snapshot(void **state)
{
	struct fake_vm f = { .st = API_VM_RUNNING };
	const char *good = "{\"destination_url\":\"file:///var/snap\"}";
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.snapshot", good, NULL), 409);
	f.st = API_VM_PAUSED;
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.snapshot", NULL, NULL), 400);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.snapshot", "{}", NULL), 400);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.snapshot",
			      "{\"destination_url\":\"http://x/y\"}", NULL), 400);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.snapshot",
			      "{\"destination_url\":\"file://relative\"}", NULL), 400);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.snapshot",
			      "{\"destination_url\":7}", NULL), 400);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.snapshot", "[]", NULL), 400);
	assert_string_equal(f.snapshot_dir, "");
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.snapshot", NULL, NULL), 405);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.snapshot", good, NULL), 204);
	assert_string_equal(f.snapshot_dir, "/var/snap");
}

static void test_api_send_migration(void **state)
{
	struct fake_vm f = { .st = API_VM_RUNNING };
	const char *ep = "/api/v1/vm.send-migration";
	static const char *const bad[] = {
		NULL, "{}", "[]", "{\"destination_url\":7}",
		"{\"destination_url\":\"file:///x\"}",
		"{\"destination_url\":\"tcp:nohost\"}",
		"{\"destination_url\":\"tcp::80\"}",
		"{\"destination_url\":\"tcp:h:80x\"}",
		"{\"destination_url\":\"unix:\"}",
		"{\"destination_url\":\"tcp:h:1\",\"downtime_ms\":0}",
		"{\"destination_url\":\"tcp:h:1\",\"downtime_ms\":-5}",
		"{\"destination_url\":\"tcp:h:1\",\"downtime_ms\":\"100\"}",
		"{\"destination_url\":\"tcp:h:1\",\"downtime_ms\":1.5}",
		"{\"destination_url\":\"tcp:h:1\",\"downtime_ms\":3600001}",
		"{\"destination_url\":\"tcp:h:1\",\"bandwidth_mbps\":0}",
		"{\"destination_url\":\"tcp:h:1\",\"bandwidth_mbps\":-1}",
		"{\"destination_url\":\"tcp:h:1\",\"bandwidth_mbps\":1000001}",
		"{\"destination_url\":\"tcp:h:1\",\"bandwidth_mbps\":4294967396}",
		"{\"destination_url\":\"tcp:h:1\",\"bandwidth_mbps\":\"100\"}",
		"{\"destination_url\":\"tcp:h:1\",\"bandwidth_mbps\":2.5}",
		"{\"destination_url\":\"tcp:h:1\",\"bandwidth_mbps\":null}",
		"{\"destination_url\":\"tcp:h:1\",\"bandwidth_mbps\":true}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (call(&f, HTTP_PUT, ep, bad[i], NULL) != 400)
			fail_msg("accepted %s", bad[i] ? bad[i] : "(no body)");
	assert_string_equal(f.migrate_url, ""); /* none reached the VM */
	assert_int_equal(call(&f, HTTP_GET, ep, NULL, NULL), 405);

	assert_int_equal(call(&f, HTTP_PUT, ep, "{\"destination_url\":\"tcp:127.0.0.1:4444\"}",
			      NULL), 204);
	assert_string_equal(f.migrate_url, "tcp:127.0.0.1:4444");
	assert_int_equal(f.downtime_ms, 100); /* the default */
	assert_int_equal(f.bandwidth_mbps, 0); /* no limit */
	assert_int_equal(call(&f, HTTP_PUT, ep, "{\"destination_url\":\"unix:/run/m.sock\","
			      "\"downtime_ms\":20,\"bandwidth_mbps\":1000000}", NULL), 204);
	assert_string_equal(f.migrate_url, "unix:/run/m.sock");
	assert_int_equal(f.downtime_ms, 20);
	assert_int_equal(f.bandwidth_mbps, 1000000);
	assert_int_equal(call(&f, HTTP_PUT, ep, "{\"destination_url\":\"tcp:h:1\","
			      "\"bandwidth_mbps\":1}", NULL), 204);
	assert_int_equal(f.bandwidth_mbps, 1);
	assert_int_equal(f.downtime_ms, 100);
	assert_int_equal(call(&f, HTTP_PUT, ep, "{\"destination_url\":\"tcp:[::1]:5\"}",
			      NULL), 204);
	/* Failures: a paused VM or a device that cannot move is 409, the
	 * rest (connection, stream) 500 with the reason. */
	struct json_object *o = NULL;
	f.migrate_result = -EBUSY;
	assert_int_equal(call(&f, HTTP_PUT, ep, "{\"destination_url\":\"tcp:h:1\"}", NULL), 409);
	f.migrate_result = -EOPNOTSUPP;
	assert_int_equal(call(&f, HTTP_PUT, ep, "{\"destination_url\":\"tcp:h:1\"}", NULL), 409);
	f.migrate_result = -ECONNREFUSED;
	assert_int_equal(call(&f, HTTP_PUT, ep, "{\"destination_url\":\"tcp:h:1\"}", &o), 500);
	struct json_object *e;
	assert_true(json_object_object_get_ex(o, "error", &e));
	assert_string_equal(json_object_get_string(e), "no luck");
	json_object_put(o);
}

/* ---- the VMM's lifecycle: a VMM without a VM, to which the API gives one ---- */

static const char *const good_config =
	"{\"payload\":{\"kernel\":\"/k\",\"initramfs\":\"/i\",\"cmdline\":\"console=ttyS0\"},"
	"\"cpus\":{\"boot_vcpus\":2,\"max_vcpus\":2},\"memory\":{\"size\":268435456},"
	"\"disks\":[{\"path\":\"/d.img\",\"readonly\":true}],\"rng\":{\"src\":\"/dev/urandom\"},"
	"\"serial\":{\"mode\":\"File\",\"file\":\"/tmp/s.log\"}}";

/* The status of a request, and its error text (if any) in msg. */
static int call_msg(struct fake_vm *f, enum http_method m, const char *path,
		    const char *body, char *msg, size_t len)
{
	struct json_object *o = NULL, *e;
	int st = call(f, m, path, body, &o);
	msg[0] = 0;
	if (o && json_object_object_get_ex(o, "error", &e))
		snprintf(msg, len, "%s", json_object_get_string(e));
	json_object_put(o);
	return st;
}

static const char *state_of(struct fake_vm *f)
{
	static char st[32];
	struct json_object *o = NULL, *v;
	st[0] = 0;
	if (call(f, HTTP_GET, "/api/v1/vm.info", NULL, &o) == 200 &&
	    json_object_object_get_ex(o, "state", &v))
		snprintf(st, sizeof(st), "%s", json_object_get_string(v));
	json_object_put(o);
	return st;
}

static void test_api_lifecycle(void **state)
{
	struct fake_vm f = { .st = API_VM_NONE };
	char msg[512];
	const char *snap = "{\"destination_url\":\"file:///s\"}";
	/* No VM: the VMM answers, a VM endpoint is 404 with a JSON error
	 * (Cloud Hypervisor's answer for a VM not created), delete is 204. */
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vmm.ping", NULL, NULL), 200);
	assert_int_equal(call_msg(&f, HTTP_GET, "/api/v1/vm.info", NULL, msg, sizeof(msg)), 404);
	assert_non_null(strstr(msg, "no VM"));
	static const char *const need_vm[] = { "vm.boot", "vm.pause", "vm.resume",
					       "vm.shutdown", "vm.reboot" };
	for (size_t i = 0; i < sizeof(need_vm) / sizeof(need_vm[0]); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/api/v1/%s", need_vm[i]);
		assert_int_equal(call(&f, HTTP_PUT, path, NULL, NULL), 404);
	}
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.counters", NULL, NULL), 404);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.snapshot", snap, NULL), 404);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.delete", NULL, NULL), 204);
	assert_int_equal(f.boots + f.shutdowns + f.reboots, 0);

	/* Create: the VmConfig arrives as Kiln's command line. */
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.create", good_config, NULL), 204);
	assert_string_equal(f.created,
		"kiln --kernel /k --initramfs /i --cmdline console=ttyS0 --cpus boot=2 "
		"--memory size=268435456 --disk path=/d.img,readonly=on --rng "
		"--serial file=/tmp/s.log");
	assert_string_equal(state_of(&f), "Created");
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.create", good_config, msg,
				  sizeof(msg)), 409);
	assert_non_null(strstr(msg, "vm.delete"));
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.pause", NULL, NULL), 409);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.snapshot", snap, NULL), 409);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.restore",
			      "{\"source_url\":\"file:///s\"}", NULL), 409);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.receive-migration",
			      "{\"receiver_url\":\"unix:/m\"}", NULL), 409);
	assert_int_equal(f.creates, 1);
	assert_string_equal(f.restore_dir, "");
	assert_string_equal(f.receive_url, "");

	/* A boot that fails: its one line, 500, and still Created. */
	f.boot_result = -ENOENT;
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.boot", NULL, msg, sizeof(msg)), 500);
	assert_string_equal(msg, "--kernel /k: No such file or directory");
	assert_string_equal(state_of(&f), "Created");
	f.boot_result = 0;
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.boot", NULL, NULL), 204);
	assert_string_equal(state_of(&f), "Running");
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.boot", "{}", msg, sizeof(msg)), 409);
	assert_non_null(strstr(msg, "Running"));
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.create", good_config, NULL), 409);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.pause", NULL, NULL), 204);
	assert_string_equal(state_of(&f), "Paused");
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.boot", NULL, NULL), 409);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.snapshot", snap, NULL), 204);

	/* The guest stopped: Shutdown, where only info, boot and delete
	 * make sense. */
	f.st = API_VM_SHUTDOWN;
	assert_string_equal(state_of(&f), "Shutdown");
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.pause", NULL, NULL), 409);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.resume", NULL, NULL), 409);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.shutdown", NULL, NULL), 409);
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.counters", NULL, NULL), 409);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.send-migration",
			      "{\"destination_url\":\"unix:/m\"}", NULL), 409);
	assert_int_equal(f.shutdowns, 0);
	assert_string_equal(f.migrate_url, "");
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.create", good_config, NULL), 409);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.boot", NULL, NULL), 204);
	assert_int_equal(f.boots, 3);
	f.st = API_VM_SHUTDOWN;
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.delete", NULL, NULL), 204);
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.info", NULL, NULL), 404);

	/* Restore (paused, as Cloud Hypervisor) and receive make a VM too. */
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.restore",
			      "{\"source_url\":\"file:///snap/a\",\"prefault\":false}", NULL), 204);
	assert_string_equal(f.restore_dir, "/snap/a");
	assert_string_equal(state_of(&f), "Paused");
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.delete", NULL, NULL), 204);
	f.restore_result = -EPROTO;
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.restore",
				  "{\"source_url\":\"file:///snap/b\"}", msg, sizeof(msg)), 500);
	assert_string_equal(msg, "--restore: /snap/b/state.kiln: bad checksum");
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.info", NULL, NULL), 404);
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.receive-migration",
			      "{\"receiver_url\":\"tcp:0.0.0.0:4444\"}", NULL), 204);
	assert_string_equal(f.receive_url, "tcp:0.0.0.0:4444");
	assert_string_equal(state_of(&f), "Running");
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.delete", NULL, NULL), 204);
	f.receive_result = -ECONNRESET;
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.receive-migration",
			      "{\"receiver_url\":\"unix:/m\"}", NULL), 500);

	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vmm.shutdown", NULL, NULL), 204);
	assert_int_equal(f.quits, 1);
	assert_int_equal(f.deletes, 4);
}

/* Bodies vm.create refuses with 400, none reaching the VMM: members Kiln
 * does not know, wrong types, and values its command line refuses. */
static void test_api_create_refusals(void **state)
{
	static const char *const bad[] = {
		NULL, "[]", "{}", "{\"payload\":null}", "{\"payload\":{}}",
		"{\"payload\":{\"kernel\":7}}",
		"{\"payload\":{\"kernel\":\"/k\",\"firmware\":\"/f\"}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"balloon\":{}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"memory\":{\"size\":-1}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"memory\":{\"size\":\"256M\"}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"memory\":{\"size\":1000}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"memory\":{\"size\":99999999999999999999}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"memory\":{\"size\":33558528,\"hugepages\":true}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"memory\":{\"shared\":1}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"memory\":{\"mergeable\":false}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"cpus\":{\"boot_vcpus\":0}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"cpus\":{\"boot_vcpus\":1.5}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"cpus\":{\"boot_vcpus\":2,\"max_vcpus\":4}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"cpus\":{\"boot_vcpus\":256}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"cpus\":[]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"disks\":{}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{}]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"disks\":[null]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"path\":\"a,readonly=on\"}]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"path\":\"/d\",\"num_queues\":17}]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"path\":\"/d\",\"readonly\":\"on\"}]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"path\":\"/d\",\"vhost_user\":false}]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"path\":\"/a\",\"id\":\"x\"},"
		"{\"path\":\"/b\",\"id\":\"x\"}]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"net\":[{\"mac\":\"52:54:00:12:34:56\"}]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"net\":[{\"tap\":\"t0\",\"vhost\":\"on\"}]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"net\":[{\"tap\":\"t0\",\"num_queues\":3}]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"net\":[{\"tap\":\"t0\",\"mac\":\"01:00:5e:00:00:01\"}]}",
		"{\"payload\":{\"kernel\":\"/k\"},\"rng\":{\"src\":\"/dev/hwrng\"}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"rng\":{\"iommu\":false}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"serial\":{\"mode\":\"Pty\"}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"serial\":{\"mode\":\"File\"}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"serial\":{\"mode\":\"Tty\",\"file\":\"/x\"}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"serial\":{\"file\":\"/x\"}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"serial\":{\"mode\":\"tty\"}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"console\":{\"mode\":\"Socket\"}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"console\":{\"mode\":\"Tty\"},\"serial\":{\"mode\":\"Tty\"}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"vsock\":{}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"vsock\":{\"cid\":2}}",
		"{\"payload\":{\"kernel\":\"/k\"},\"vsock\":{\"cid\":3,\"socket\":\"/v\"}}",
		"{\"payload\":{\"kernel\":\"/k\\u0000x\"}}",
	};
	struct fake_vm f = { .st = API_VM_NONE };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (call(&f, HTTP_PUT, "/api/v1/vm.create", bad[i], NULL) != 400)
			fail_msg("accepted %s", bad[i] ? bad[i] : "(no body)");

	/* A huge string, and nine disks. */
	char *huge = malloc(6000);
	assert_non_null(huge);
	int n = snprintf(huge, 6000, "{\"payload\":{\"kernel\":\"/");
	memset(huge + n, 'k', 5000);
	snprintf(huge + n + 5000, 6000 - (size_t)n - 5000, "\"}}");
	char msg[512];
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.create", huge, msg, sizeof(msg)), 400);
	assert_string_equal(msg, "payload.kernel: longer than 4096 bytes");
	n = snprintf(huge, 6000, "{\"payload\":{\"kernel\":\"/k\"},\"disks\":[");
	for (int i = 0; i < 9; i++)
		n += snprintf(huge + n, 6000 - (size_t)n, "%s{\"path\":\"/d%d\"}", i ? "," : "", i);
	snprintf(huge + n, 6000 - (size_t)n, "]}");
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.create", huge, msg, sizeof(msg)), 400);
	assert_string_equal(msg, "disks: at most 8");
	free(huge);
	assert_int_equal(f.creates, 0);

	/* The messages name the member, or are options_parse's own. */
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.create",
				  "{\"payload\":{\"kernel\":\"/k\"},\"balloon\":{}}", msg, sizeof(msg)), 400);
	assert_non_null(strstr(msg, "balloon: unknown member"));
	/* Found by fuzz_api_vmconfig: the message quoted a member name with
	 * a newline in it; control characters come back as '?'. */
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.create",
				  "{\"payload\":{\"kernel\":\"/k\"},\"cp\\nus\\u001b[2J\":{}}",
				  msg, sizeof(msg)), 400);
	assert_non_null(strstr(msg, "cp?us?[2J: unknown member"));
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.create",
				  "{\"payload\":{\"kernel\":\"/k\"},\"net\":[{\"mac\":\"zz\\r\\n\"}]}",
				  msg, sizeof(msg)), 400);
	assert_null(strpbrk(msg, "\r\n"));
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.create",
				  "{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"path\":\"/d\",\"readonly\":1}]}",
				  msg, sizeof(msg)), 400);
	assert_string_equal(msg, "disks[0].readonly: must be true or false");
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.create",
				  "{\"payload\":{\"kernel\":\"/k\"},\"cpus\":{\"boot_vcpus\":0}}",
				  msg, sizeof(msg)), 400);
	assert_string_equal(msg, "--cpus: boot=0: must be a number from 1 to 255");
	assert_int_equal(call_msg(&f, HTTP_PUT, "/api/v1/vm.create", "{}", msg, sizeof(msg)), 400);
	assert_non_null(strstr(msg, "payload"));
	assert_int_equal(f.creates, 0);
	assert_int_equal(f.st, API_VM_NONE);

	/* Nulls count as absent (vm.info's own output goes back in). */
	assert_int_equal(call(&f, HTTP_PUT, "/api/v1/vm.create",
			      "{\"payload\":{\"kernel\":\"/k\",\"cmdline\":null},\"net\":[],"
			      "\"disks\":[{\"path\":\"/d\",\"id\":null}],\"vsock\":null}", NULL), 204);
	assert_string_equal(f.created, "kiln --kernel /k --disk path=/d");
}

static void test_api_restore_receive_refusals(void **state)
{
	static const char *const bad_restore[] = {
		NULL, "{}", "[]", "{\"source_url\":7}", "{\"source_url\":\"http://x/s\"}",
		"{\"source_url\":\"file://rel\"}",
		"{\"source_url\":\"file:///s\",\"prefault\":true}",
		"{\"source_url\":\"file:///s\",\"prefault\":\"no\"}",
		"{\"source_url\":\"file:///s\",\"net_fds\":[]}",
	};
	static const char *const bad_receive[] = {
		NULL, "{}", "{\"receiver_url\":7}", "{\"receiver_url\":\"file:///x\"}",
		"{\"receiver_url\":\"tcp:nohost\"}", "{\"receiver_url\":\"unix:\"}",
		"{\"receiver_url\":\"tcp:1.2.3.4:5\",\"tls_dir\":\"/t\"}",
	};
	struct fake_vm f = { .st = API_VM_NONE };
	for (size_t i = 0; i < sizeof(bad_restore) / sizeof(bad_restore[0]); i++)
		if (call(&f, HTTP_PUT, "/api/v1/vm.restore", bad_restore[i], NULL) != 400)
			fail_msg("restore accepted %s", bad_restore[i] ? bad_restore[i] : "(no body)");
	for (size_t i = 0; i < sizeof(bad_receive) / sizeof(bad_receive[0]); i++)
		if (call(&f, HTTP_PUT, "/api/v1/vm.receive-migration", bad_receive[i], NULL) != 400)
			fail_msg("receive accepted %s", bad_receive[i] ? bad_receive[i] : "(no body)");
	assert_string_equal(f.restore_dir, "");
	assert_string_equal(f.receive_url, "");
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.restore", NULL, NULL), 405);
	assert_int_equal(call(&f, HTTP_GET, "/api/v1/vm.create", NULL, NULL), 405);
	assert_int_equal(f.st, API_VM_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_get),
		cmocka_unit_test(test_http_put_body_and_query),
		cmocka_unit_test(test_http_incomplete),
		cmocka_unit_test(test_http_refusals),
		cmocka_unit_test(test_http_limits),
		cmocka_unit_test(test_http_response),
		cmocka_unit_test(test_api_routes),
		cmocka_unit_test(test_api_bad_requests),
		cmocka_unit_test(test_api_snapshot),
		cmocka_unit_test(test_api_send_migration),
		cmocka_unit_test(test_api_lifecycle),
		cmocka_unit_test(test_api_create_refusals),
		cmocka_unit_test(test_api_restore_receive_refusals),
		cmocka_unit_test(test_connection_pipelined),
		cmocka_unit_test(test_connection_garbage),
		cmocka_unit_test(test_connection_oversized_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
