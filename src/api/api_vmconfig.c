/* VmConfig JSON <-> Kiln's command line (see api_vmconfig.h). */
#include "api/api_vmconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum jkind { J_INT, J_BOOL, J_STRING, J_OBJECT, J_ARRAY };

struct member {
	const char *name;
	enum jkind kind;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool is_kind(struct json_object *v, enum jkind k)
{
	switch (k) {
	case J_INT: return json_object_is_type(v, json_type_int);
	case J_BOOL: return json_object_is_type(v, json_type_boolean);
	case J_STRING: return json_object_is_type(v, json_type_string);
	case J_OBJECT: return json_object_is_type(v, json_type_object);
	case J_ARRAY: return json_object_is_type(v, json_type_array);
	}
	return false;
}

static const char *kind_name(enum jkind k)
{
	switch (k) {
	case J_INT: return "an integer";
	case J_BOOL: return "true or false";
	case J_STRING: return "a string";
	case J_OBJECT: return "an object";
	case J_ARRAY: return "an array";
	}
	return "?";
}

/* "path.name", or "name" at the top. */
static void join(char *buf, size_t len, const char *path, const char *name)
{
	snprintf(buf, len, "%s%s%.64s", path, *path ? "." : "", name);
}

/* `o`, found at `path`, is an object whose members are all in `m`, each
 * null or of its kind. */
static int check_members(struct json_object *o, const char *path,
			 const struct member *m, size_t n, char *err, size_t errlen)
{
	if (!json_object_is_type(o, json_type_object))
		return bad(err, errlen, "%s: must be an object", path);
	json_object_object_foreach(o, key, val) {
		char where[128];
		join(where, sizeof(where), path, key);
		size_t i = 0;
		while (i < n && strcmp(key, m[i].name))
			i++;
		if (i == n) {
			char known[160] = "";
			for (size_t k = 0; k < n; k++)
				snprintf(known + strlen(known), sizeof(known) - strlen(known),
					 "%s%s", k ? ", " : "", m[k].name);
			return bad(err, errlen, "%s: unknown member (Kiln knows: %s)",
				   where, known);
		}
		if (val && !is_kind(val, m[i].kind))
			return bad(err, errlen, "%s: must be %s", where, kind_name(m[i].kind));
	}
	return 0;
}

/* The member (already type-checked), or NULL when absent or null. */
static struct json_object *get(struct json_object *o, const char *name)
{
	struct json_object *v;
	return json_object_object_get_ex(o, name, &v) ? v : NULL;
}

/* String member `name` of `o` into *out (NULL when absent). `in_list`: it
 * goes into a key=value list, where a comma would start the next key. */
static int get_string(struct json_object *o, const char *path, const char *name,
		      bool in_list, const char **out, char *err, size_t errlen)
{
	*out = NULL;
	struct json_object *v = get(o, name);
	if (!v)
		return 0;
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);
	char where[128];
	join(where, sizeof(where), path, name);
	if (strlen(s) != len)
		return bad(err, errlen, "%s: must not contain NUL characters", where);
	if (len > VMCONFIG_MAX_STRING)
		return bad(err, errlen, "%s: longer than %d bytes", where, VMCONFIG_MAX_STRING);
	if (in_list && strchr(s, ','))
		return bad(err, errlen, "%s: must not contain ','", where);
	*out = s;
	return 0;
}

/* A "k1=v1,k2=v2" flag value, built member by member. */
struct kv {
	char *s;
	size_t len;
	FILE *f;
	bool any;
};

static int kv_open(struct kv *kv)
{
	memset(kv, 0, sizeof(*kv));
	kv->f = open_memstream(&kv->s, &kv->len);
	return kv->f ? 0 : -ENOMEM;
}

static void kv_str(struct kv *kv, const char *key, const char *val)
{
	if (val) {
		fprintf(kv->f, "%s%s=%s", kv->any ? "," : "", key, val);
		kv->any = true;
	}
}

static void kv_int(struct kv *kv, struct json_object *o, const char *key,
		   const char *as)
{
	struct json_object *v = get(o, key);
	if (v) {
		fprintf(kv->f, "%s%s=%lld", kv->any ? "," : "", as,
			(long long)json_object_get_int64(v));
		kv->any = true;
	}
}

static void kv_bool(struct kv *kv, struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);
	if (v)
		kv_str(kv, key, json_object_get_boolean(v) ? "on" : "off");
}

/* Close the value; add `flag` and it to out when it has any member. */
static int kv_close(struct kv *kv, struct kiln_argv *out, const char *flag)
{
	bool failed = fclose(kv->f) != 0;
	int e = 0;
	if (failed)
		e = -ENOMEM;
	else if (kv->any && (kiln_argv_add(out, "%s", flag) ||
			     kiln_argv_add(out, "%s", kv->s)))
		e = -ENOMEM;
	free(kv->s);
	return e;
}

static int add_pair(struct kiln_argv *out, const char *flag, const char *val)
{
	if (!val)
		return 0;
	return kiln_argv_add(out, "%s", flag) || kiln_argv_add(out, "%s", val)
		? -ENOMEM : 0;
}

static int do_payload(struct json_object *p, struct kiln_argv *out, char *err,
		      size_t errlen)
{
	static const struct member m[] = {
		{ "kernel", J_STRING }, { "cmdline", J_STRING }, { "initramfs", J_STRING },
	};
	if (!p)
		return bad(err, errlen, "payload: required (payload.kernel is the guest kernel)");
	int e = check_members(p, "payload", m, N(m), err, errlen);
	const char *kernel, *cmdline, *initrd;
	if (e || (e = get_string(p, "payload", "kernel", false, &kernel, err, errlen)) ||
	    (e = get_string(p, "payload", "cmdline", false, &cmdline, err, errlen)) ||
	    (e = get_string(p, "payload", "initramfs", false, &initrd, err, errlen)))
		return e;
	if (!kernel)
		return bad(err, errlen, "payload.kernel: required (the guest kernel's path)");
	if ((e = add_pair(out, "--kernel", kernel)) || (e = add_pair(out, "--initramfs", initrd)))
		return e;
	return add_pair(out, "--cmdline", cmdline);
}

static int do_cpus(struct json_object *c, struct kiln_argv *out, char *err,
		   size_t errlen)
{
	static const struct member m[] = { { "boot_vcpus", J_INT }, { "max_vcpus", J_INT } };
	int e = check_members(c, "cpus", m, N(m), err, errlen);
	if (e)
		return e;
	struct json_object *boot = get(c, "boot_vcpus"), *max = get(c, "max_vcpus");
	int64_t n = boot ? json_object_get_int64(boot) : 1;
	if (max && json_object_get_int64(max) != n)
		return bad(err, errlen, "cpus.max_vcpus: must equal cpus.boot_vcpus "
			   "(Kiln has no vCPU hotplug)");
	return boot ? kiln_argv_add(out, "--cpus") ||
		      kiln_argv_add(out, "boot=%lld", (long long)n) ? -ENOMEM : 0
		    : 0;
}

static int do_memory(struct json_object *o, struct kiln_argv *out, char *err,
		     size_t errlen)
{
	static const struct member m[] = {
		{ "size", J_INT }, { "shared", J_BOOL }, { "hugepages", J_BOOL },
	};
	int e = check_members(o, "memory", m, N(m), err, errlen);
	struct kv kv;
	if (e || (e = kv_open(&kv)))
		return e;
	kv_int(&kv, o, "size", "size");
	kv_bool(&kv, o, "shared");
	kv_bool(&kv, o, "hugepages");
	return kv_close(&kv, out, "--memory");
}

static int do_disk(struct json_object *d, const char *path, struct kiln_argv *out,
		   char *err, size_t errlen)
{
	static const struct member m[] = {
		{ "path", J_STRING }, { "readonly", J_BOOL }, { "direct", J_BOOL },
		{ "num_queues", J_INT }, { "packed", J_BOOL }, { "id", J_STRING },
	};
	const char *file, *id;
	int e = check_members(d, path, m, N(m), err, errlen);
	if (e || (e = get_string(d, path, "path", true, &file, err, errlen)) ||
	    (e = get_string(d, path, "id", true, &id, err, errlen)))
		return e;
	if (!file)
		return bad(err, errlen, "%s.path: required", path);
	struct kv kv;
	if ((e = kv_open(&kv)))
		return e;
	kv_str(&kv, "path", file);
	kv_bool(&kv, d, "readonly");
	kv_bool(&kv, d, "direct");
	kv_int(&kv, d, "num_queues", "num_queues");
	kv_bool(&kv, d, "packed");
	kv_str(&kv, "id", id);
	return kv_close(&kv, out, "--disk");
}

static int do_net(struct json_object *n, const char *path, struct kiln_argv *out,
		  char *err, size_t errlen)
{
	static const struct member m[] = {
		{ "tap", J_STRING }, { "mac", J_STRING }, { "num_queues", J_INT },
		{ "vhost", J_BOOL }, { "mtu", J_INT }, { "packed", J_BOOL },
		{ "id", J_STRING },
	};
	const char *tap, *mac, *id;
	int e = check_members(n, path, m, N(m), err, errlen);
	if (e || (e = get_string(n, path, "tap", true, &tap, err, errlen)) ||
	    (e = get_string(n, path, "mac", true, &mac, err, errlen)) ||
	    (e = get_string(n, path, "id", true, &id, err, errlen)))
		return e;
	if (!tap)
		return bad(err, errlen, "%s.tap: required (Kiln's NICs are tap devices)", path);
	struct kv kv;
	if ((e = kv_open(&kv)))
		return e;
	kv_str(&kv, "tap", tap);
	kv_str(&kv, "mac", mac);
	kv_int(&kv, n, "num_queues", "num_queues");
	kv_bool(&kv, n, "vhost");
	kv_int(&kv, n, "mtu", "mtu");
	kv_bool(&kv, n, "packed");
	kv_str(&kv, "id", id);
	return kv_close(&kv, out, "--net");
}

/* disks[] or net[]: each element through `one`. */
static int do_array(struct json_object *a, const char *name, unsigned int max,
		    int (*one)(struct json_object *, const char *, struct kiln_argv *,
			       char *, size_t),
		    struct kiln_argv *out, char *err, size_t errlen)
{
	size_t n = json_object_array_length(a);
	if (n > max)
		return bad(err, errlen, "%s: at most %u", name, max);
	for (size_t i = 0; i < n; i++) {
		char path[32];
		snprintf(path, sizeof(path), "%s[%zu]", name, i);
		struct json_object *el = json_object_array_get_idx(a, i);
		if (!el)
			return bad(err, errlen, "%s: must be an object", path);
		int e = one(el, path, out, err, errlen);
		if (e)
			return e;
	}
	return 0;
}

static int do_rng(struct json_object *r, struct kiln_argv *out, char *err,
		  size_t errlen)
{
	static const struct member m[] = { { "src", J_STRING } };
	const char *src;
	int e = check_members(r, "rng", m, N(m), err, errlen);
	if (e || (e = get_string(r, "rng", "src", false, &src, err, errlen)))
		return e;
	if (src && strcmp(src, "/dev/urandom") && strcmp(src, "getrandom"))
		return bad(err, errlen, "rng.src: Kiln's virtio-rng reads the kernel's "
			   "getrandom(); src may only be /dev/urandom");
	return kiln_argv_add(out, "--rng");
}

/* serial or console: {mode, file[, socket]}, with Cloud Hypervisor's mode
 * names (Null, output thrown away, is Kiln's off). */
static int do_char(struct json_object *o, const char *name, bool console,
		   struct kiln_argv *out, char *err, size_t errlen)
{
	static const struct member m[] = {
		{ "mode", J_STRING }, { "file", J_STRING }, { "socket", J_STRING },
	};
	const char *mode, *file, *sock;
	int e = check_members(o, name, m, N(m) - !console, err, errlen);
	if (e || (e = get_string(o, name, "mode", false, &mode, err, errlen)) ||
	    (e = get_string(o, name, "file", false, &file, err, errlen)) ||
	    (console && (e = get_string(o, name, "socket", false, &sock, err, errlen))))
		return e;
	if (!console)
		sock = NULL;
	if (!mode) {
		if (file || sock)
			return bad(err, errlen, "%s.mode: required", name);
		return 0;
	}
	const char *flag = console ? "--console" : "--serial";
	const char *plain = !strcmp(mode, "Off") || !strcmp(mode, "Null") ? "off"
			  : !strcmp(mode, "Tty") ? "tty"
			  : console && !strcmp(mode, "Pty") ? "pty" : NULL;
	bool is_file = !strcmp(mode, "File");
	bool is_socket = console && !strcmp(mode, "Socket");
	if (!plain && !is_file && !is_socket)
		return bad(err, errlen, "%s.mode: '%.32s': must be %s", name, mode,
			   console ? "Off, Null, Tty, File, Socket or Pty"
				   : "Off, Null, Tty or File");
	if (file && !is_file)
		return bad(err, errlen, "%s.file: goes with mode File only", name);
	if (sock && !is_socket)
		return bad(err, errlen, "%s.socket: goes with mode Socket only", name);
	if (is_file && !file)
		return bad(err, errlen, "%s.file: required with mode File", name);
	if (is_socket && !sock)
		return bad(err, errlen, "%s.socket: required with mode Socket", name);
	if (plain)
		return add_pair(out, flag, plain);
	if (kiln_argv_add(out, "%s", flag) ||
	    kiln_argv_add(out, "%s=%s", is_file ? "file" : "socket", is_file ? file : sock))
		return -ENOMEM;
	return 0;
}

static int do_vsock(struct json_object *v, struct kiln_argv *out, char *err,
		    size_t errlen)
{
	static const struct member m[] = { { "cid", J_INT }, { "id", J_STRING } };
	const char *id;
	int e = check_members(v, "vsock", m, N(m), err, errlen);
	if (e || (e = get_string(v, "vsock", "id", true, &id, err, errlen)))
		return e;
	if (!get(v, "cid"))
		return bad(err, errlen, "vsock.cid: required");
	struct kv kv;
	if ((e = kv_open(&kv)))
		return e;
	kv_int(&kv, v, "cid", "cid");
	kv_str(&kv, "id", id);
	return kv_close(&kv, out, "--vsock");
}

int vmconfig_to_argv(struct json_object *cfg, struct kiln_argv *out, char *err,
		     size_t errlen)
{
	static const struct member top[] = {
		{ "cpus", J_OBJECT }, { "memory", J_OBJECT }, { "payload", J_OBJECT },
		{ "disks", J_ARRAY }, { "net", J_ARRAY }, { "rng", J_OBJECT },
		{ "serial", J_OBJECT }, { "console", J_OBJECT }, { "vsock", J_OBJECT },
	};
	int e = check_members(cfg, "", top, N(top), err, errlen);
	if (e)
		return e;
	if (kiln_argv_add(out, "kiln"))
		return -ENOMEM;
	struct json_object *v;
	if ((e = do_payload(get(cfg, "payload"), out, err, errlen)))
		return e;
	if ((v = get(cfg, "cpus")) && (e = do_cpus(v, out, err, errlen)))
		return e;
	if ((v = get(cfg, "memory")) && (e = do_memory(v, out, err, errlen)))
		return e;
	if ((v = get(cfg, "disks")) &&
	    (e = do_array(v, "disks", KILN_MAX_DISKS, do_disk, out, err, errlen)))
		return e;
	if ((v = get(cfg, "net")) &&
	    (e = do_array(v, "net", KILN_MAX_NETS, do_net, out, err, errlen)))
		return e;
	if ((v = get(cfg, "rng")) && (e = do_rng(v, out, err, errlen)))
		return e;
	if ((v = get(cfg, "serial")) && (e = do_char(v, "serial", false, out, err, errlen)))
		return e;
	if ((v = get(cfg, "console")) && (e = do_char(v, "console", true, out, err, errlen)))
		return e;
	if ((v = get(cfg, "vsock")) && (e = do_vsock(v, out, err, errlen)))
		return e;
	return 0;
}

/* ---- the other way: options to VmConfig, for vm.info ---- */

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static const char *console_mode(enum char_backend_kind k)
{
	switch (k) {
	case CHAR_BACKEND_TTY: return "Tty";
	case CHAR_BACKEND_FILE: return "File";
	case CHAR_BACKEND_SOCKET: return "Socket";
	case CHAR_BACKEND_PTY: return "Pty";
	case CHAR_BACKEND_OFF:
	case CHAR_BACKEND_FDS:
		break;
	}
	return "Off";
}

static struct json_object *disks_json(const struct kiln_options *o)
{
	struct json_object *disks = json_object_new_array();
	for (unsigned int i = 0; i < o->nr_disks; i++) {
		const struct kiln_disk *k = &o->disks[i];
		struct json_object *d = json_object_new_object();
		json_object_object_add(d, "path", json_object_new_string(k->path));
		json_object_object_add(d, "readonly", json_object_new_boolean(k->readonly));
		json_object_object_add(d, "direct", json_object_new_boolean(k->direct));
		json_object_object_add(d, "num_queues", json_object_new_int((int)k->num_queues));
		json_object_object_add(d, "packed", json_object_new_boolean(k->packed));
		json_object_object_add(d, "id", str_or_null(k->id));
		json_object_array_add(disks, d);
	}
	return disks;
}

static struct json_object *nets_json(const struct kiln_options *o)
{
	struct json_object *nets = json_object_new_array();
	for (unsigned int i = 0; i < o->nr_nets; i++) {
		const struct kiln_net *n = &o->nets[i];
		struct json_object *d = json_object_new_object();
		char mac[18];
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0],
			 n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
		json_object_object_add(d, "tap", json_object_new_string(n->tap));
		/* null: Kiln picks a random one */
		json_object_object_add(d, "mac", n->has_mac ? json_object_new_string(mac) : NULL);
		json_object_object_add(d, "num_queues", json_object_new_int((int)n->num_queues));
		json_object_object_add(d, "vhost", json_object_new_boolean(n->vhost));
		json_object_object_add(d, "mtu", n->mtu ? json_object_new_int((int)n->mtu) : NULL);
		json_object_object_add(d, "packed", json_object_new_boolean(n->packed));
		json_object_object_add(d, "id", str_or_null(n->id));
		json_object_array_add(nets, d);
	}
	return nets;
}

struct json_object *vmconfig_from_options(const struct kiln_options *o)
{
	struct json_object *cfg = json_object_new_object();

	struct json_object *cpus = json_object_new_object();
	json_object_object_add(cpus, "boot_vcpus", json_object_new_int((int)o->boot_cpus));
	json_object_object_add(cpus, "max_vcpus", json_object_new_int((int)o->boot_cpus));
	json_object_object_add(cfg, "cpus", cpus);

	struct json_object *mem = json_object_new_object();
	json_object_object_add(mem, "size", json_object_new_int64((int64_t)o->memory_size));
	json_object_object_add(mem, "hugepages", json_object_new_boolean(o->hugepages));
	json_object_object_add(mem, "shared", json_object_new_boolean(o->shared_memory));
	json_object_object_add(cfg, "memory", mem);

	struct json_object *payload = json_object_new_object();
	json_object_object_add(payload, "kernel", str_or_null(o->kernel));
	json_object_object_add(payload, "initramfs", str_or_null(o->initramfs));
	json_object_object_add(payload, "cmdline", str_or_null(o->cmdline));
	json_object_object_add(cfg, "payload", payload);

	json_object_object_add(cfg, "disks", disks_json(o));
	json_object_object_add(cfg, "net", nets_json(o));

	if (o->rng) {
		struct json_object *rng = json_object_new_object();
		json_object_object_add(rng, "src", json_object_new_string("getrandom"));
		json_object_object_add(cfg, "rng", rng);
	}
	struct json_object *serial = json_object_new_object();
	json_object_object_add(serial, "mode", json_object_new_string(
		o->serial == SERIAL_TTY ? "Tty" : o->serial == SERIAL_FILE ? "File" : "Off"));
	json_object_object_add(serial, "file", str_or_null(o->serial_path));
	json_object_object_add(cfg, "serial", serial);

	struct json_object *con = json_object_new_object();
	json_object_object_add(con, "mode", json_object_new_string(console_mode(o->console)));
	json_object_object_add(con, "file", str_or_null(
		o->console == CHAR_BACKEND_FILE ? o->console_path : NULL));
	json_object_object_add(con, "socket", str_or_null(
		o->console == CHAR_BACKEND_SOCKET ? o->console_path : NULL));
	json_object_object_add(cfg, "console", con);

	if (o->vsock) {
		struct json_object *vs = json_object_new_object();
		json_object_object_add(vs, "cid", json_object_new_int64((int64_t)o->vsock_cid));
		json_object_object_add(vs, "id", str_or_null(o->vsock_id[0] ? o->vsock_id : NULL));
		json_object_object_add(cfg, "vsock", vs);
	}
	return cfg;
}
