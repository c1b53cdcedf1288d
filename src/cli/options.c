#include "cli/options.h"

#include "migration/migrate_url.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char kiln_usage[] =
"Usage: kiln --kernel PATH [options]\n"
"       kiln --api-socket [path=]PATH [-v]\n"
"\n"
"Boots a Linux guest on KVM with its serial console on this terminal. With\n"
"only --api-socket, Kiln starts without a VM and the management API gives it\n"
"one (vm.create and vm.boot, vm.restore or vm.receive-migration).\n"
"\n"
"  --accel kvm|soft|auto\n"
"                       what runs the guest's code: KVM, or Kiln's own software\n"
"                       x86-64 CPU (slow; one vCPU, no virtio devices, no\n"
"                       snapshot or migration yet); auto (default): KVM when\n"
"                       /dev/kvm can run guests, else soft with a notice\n"
"  --kernel PATH        bzImage, or uncompressed ELF vmlinux with a PVH note\n"
"  --initramfs PATH     initramfs (cpio, optionally compressed) for the guest\n"
"  --cmdline STRING     guest kernel command line (e.g. \"console=ttyS0\")\n"
"  --cpus boot=N        number of vCPUs, 1-255 (default 1)\n"
"  --memory size=SIZE[,hugepages=on|off][,shared=on|off]\n"
"                       guest RAM, e.g. 512M or 2G (default 512M, at least 32M);\n"
"                       shared=on backs it with a memfd another process can map,\n"
"                       hugepages=on with 2 MiB hugetlbfs pages (size must be a\n"
"                       multiple of 2M; the host needs free hugepages)\n"
"  --serial tty|file=PATH|off\n"
"                       where COM1 (ttyS0) goes (default tty: this terminal)\n"
"  --rng                a virtio-rng device (PCI) fed by the host's getrandom()\n"
"  --disk path=PATH[,readonly=on][,direct=on][,num_queues=N][,packed=on]\n"
"       [,id=NAME]\n"
"                       a virtio-blk disk backed by a raw image file or block\n"
"                       device (repeat for more, up to 8); flushes reach the\n"
"                       host's stable storage before the guest hears back;\n"
"                       direct=on bypasses the host page cache (O_DIRECT);\n"
"                       num_queues=N (1-16, default 1) request queues, each\n"
"                       with its own I/O thread; packed=on offers the packed\n"
"                       virtqueue layout (VIRTIO_F_RING_PACKED; default off)\n"
"  --restore source_url=file:///DIR\n"
"                       resume the VM a snapshot in DIR holds (vm.snapshot);\n"
"                       no other VM flags go with it\n"
"  --net tap=NAME[,mac=MAC][,num_queues=N][,vhost=on|off][,mtu=N][,packed=on]\n"
"       [,id=NAME]\n"
"                       a virtio-net NIC on tap device NAME (created if absent;\n"
"                       repeat for more, up to 8); num_queues counts rx and tx\n"
"                       queues (even, 2-16, default 2; above 2 the tap must be\n"
"                       multi_queue); vhost=on moves packets in the kernel\n"
"                       (/dev/vhost-net); without mac= a random local one;\n"
"                       mtu=N (68-65521) sets the tap's MTU and tells the guest;\n"
"                       packed=on offers packed virtqueues (not with vhost=on)\n"
"  --migrate-from tcp:ADDR:PORT|unix:PATH\n"
"                       receive a live migration (vm.send-migration on the\n"
"                       source): listen, take one sender, run its VM\n"
"  --api-socket [path=]PATH\n"
"                       serve the management API (Cloud Hypervisor's REST\n"
"                       endpoints under /api/v1/) on this Unix socket; alone,\n"
"                       Kiln waits for vm.create and keeps serving after the\n"
"                       guest stops (until vmm.shutdown)\n"
"  --vsock cid=N[,id=NAME]\n"
"                       a virtio-vsock device with context id N (3 to\n"
"                       4294967294) through the kernel's vhost-vsock: host\n"
"                       programs reach the guest with AF_VSOCK at CID N, the\n"
"                       guest reaches the host at CID 2\n"
"  --console off|tty|file=PATH|socket=PATH|pty\n"
"                       a virtio-console (the guest's hvc0; default off): this\n"
"                       terminal (the serial then defaults to off), output\n"
"                       appended to a file, a Unix socket Kiln listens on (one\n"
"                       client at a time; output with no client is dropped), or\n"
"                       a new pseudo-terminal (its path is printed)\n"
"  -v, --verbose        more log output (repeat for debug messages)\n"
"  -h, --help           this text\n"
"  -V, --version        print the version\n"
"\n"
"Console (--serial tty or --console tty): keystrokes go to the guest. Ctrl-A x\n"
"quits Kiln; Ctrl-A Ctrl-A sends one Ctrl-A. When stdin is not a terminal it\n"
"is read as-is, and its end just stops input.\n"
"\n"
"Exit status (started with a VM; with --api-socket alone, 0 after\n"
"vmm.shutdown, a signal or Ctrl-A x, 1 when Kiln cannot start):\n"
"  0  the guest powered off (or Ctrl-A x)\n"
"  1  Kiln failed: bad option, unusable file, no KVM (--accel kvm), host error\n"
"  3  the guest rebooted (Kiln does not restart it)\n"
"  4  the guest kernel panicked\n";

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int parse_size(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	unsigned int shift = 0;
	switch (*end) {
	case '\0': break;
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	default: return -1;
	}
	if (*end != '\0')
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_onoff(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "true")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "off") || !strcmp(v, "false")) {
		*out = false;
		return 0;
	}
	return -1;
}

/* Split "k1=v1,k2=v2" in place; calls `fn` for each pair. */
typedef int (*kv_fn)(struct kiln_options *o, const char *key, const char *val,
		     char *err, size_t errlen);

static int parse_kv_list(const char *flag, const char *arg, kv_fn fn,
			 struct kiln_options *o, char *err, size_t errlen)
{
	char buf[1024];
	if (strlen(arg) >= sizeof(buf))
		return fail(err, errlen, "%s: value too long", flag);
	if (!*arg)
		return fail(err, errlen, "%s: empty value", flag);
	strcpy(buf, arg);
	char *save = NULL;
	for (char *item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (!eq)
			return fail(err, errlen, "%s: '%s' is not key=value",
				    flag, item);
		*eq = '\0';
		if (fn(o, item, eq + 1, err, errlen))
			return -1;
	}
	return 0;
}

static int cpus_kv(struct kiln_options *o, const char *key, const char *val,
		   char *err, size_t errlen)
{
	if (strcmp(key, "boot"))
		return fail(err, errlen, "--cpus: unknown key '%s' (known: boot)",
			    key);
	char *end;
	errno = 0;
	long n = strtol(val, &end, 10);
	if (errno || end == val || *end || n < 1 || n > KILN_MAX_VCPUS)
		return fail(err, errlen,
			    "--cpus: boot=%s: must be a number from 1 to %d",
			    val, KILN_MAX_VCPUS);
	o->boot_cpus = (unsigned int)n;
	return 0;
}

static int memory_kv(struct kiln_options *o, const char *key, const char *val,
		     char *err, size_t errlen)
{
	if (!strcmp(key, "size")) {
		uint64_t sz;
		if (parse_size(val, &sz))
			return fail(err, errlen,
				    "--memory: size=%s: not a size (e.g. 512M, 2G)",
				    val);
		if (sz < KILN_MIN_MEMORY || sz > KILN_MAX_MEMORY)
			return fail(err, errlen,
				    "--memory: size=%s: must be from 32M to 1T",
				    val);
		if (sz % 4096)
			return fail(err, errlen,
				    "--memory: size=%s: must be a multiple of 4K",
				    val);
		o->memory_size = sz;
		return 0;
	}
	bool *flag = !strcmp(key, "hugepages") ? &o->hugepages
		   : !strcmp(key, "shared")    ? &o->shared_memory
					       : NULL;
	if (!flag)
		return fail(err, errlen,
			    "--memory: unknown key '%s' (known: size, hugepages, shared)",
			    key);
	if (parse_onoff(val, flag))
		return fail(err, errlen, "--memory: %s=%s: must be on or off",
			    key, val);
	return 0;
}

static int disk_kv(struct kiln_options *o, const char *key, const char *val,
		   char *err, size_t errlen)
{
	struct kiln_disk *d = &o->disks[o->nr_disks];
	if (!strcmp(key, "path")) {
		if (!*val)
			return fail(err, errlen, "--disk: empty path");
		d->path = val;
		return 0;
	}
	if (!strcmp(key, "id")) {
		if (!*val || strlen(val) > 20)
			return fail(err, errlen, "--disk: id=%s: must be 1 to 20 characters", val);
		d->id = val;
		return 0;
	}
	if (!strcmp(key, "readonly")) {
		if (parse_onoff(val, &d->readonly))
			return fail(err, errlen, "--disk: readonly=%s: must be on or off", val);
		return 0;
	}
	if (!strcmp(key, "direct")) {
		if (parse_onoff(val, &d->direct))
			return fail(err, errlen, "--disk: direct=%s: must be on or off", val);
		return 0;
	}
	if (!strcmp(key, "packed")) {
		if (parse_onoff(val, &d->packed))
			return fail(err, errlen, "--disk: packed=%s: must be on or off", val);
		return 0;
	}
	if (!strcmp(key, "num_queues")) {
		char *end;
		errno = 0;
		unsigned long n = strtoul(val, &end, 10);
		if (!*val || *end || errno || *val == '-' || *val == '+' || n < 1 ||
		    n > KILN_MAX_DISK_QUEUES)
			return fail(err, errlen, "--disk: num_queues=%s: must be 1 to %d",
				    val, KILN_MAX_DISK_QUEUES);
		d->num_queues = (unsigned int)n;
		return 0;
	}
	return fail(err, errlen,
		    "--disk: unknown key '%s' (known: path, readonly, direct, num_queues, packed, id)",
		    key);
}

/* Values are kept as pointers into argv, so the key=value list is split
 * in a copy that lives as long as the options. */
static int parse_disk(struct kiln_options *o, const char *arg, char *err,
		      size_t errlen)
{
	if (o->nr_disks >= KILN_MAX_DISKS)
		return fail(err, errlen, "--disk: at most %d disks", KILN_MAX_DISKS);
	char *copy = strdup(arg);
	if (!copy)
		return fail(err, errlen, "--disk: out of memory");
	o->disk_strings[o->nr_disks] = copy;
	struct kiln_disk *d = &o->disks[o->nr_disks];
	memset(d, 0, sizeof(*d));
	d->num_queues = 1;
	char *save = NULL;
	for (char *item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (!eq)
			return fail(err, errlen, "--disk: '%s' is not key=value", item);
		*eq = '\0';
		if (disk_kv(o, item, eq + 1, err, errlen))
			return -1;
	}
	if (!d->path)
		return fail(err, errlen, "--disk: path=PATH is required");
	for (unsigned int i = 0; d->id && i < o->nr_disks; i++)
		if (o->disks[i].id && !strcmp(o->disks[i].id, d->id))
			return fail(err, errlen, "--disk: id=%s is used twice", d->id);
	o->nr_disks++;
	return 0;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	     : c >= 'a' && c <= 'f' ? c - 'a' + 10
	     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	/* multicast (and broadcast) addresses cannot be a NIC's own */
	if (mac[0] & 1)
		return -1;
	static const uint8_t zero[6];
	return memcmp(mac, zero, 6) ? 0 : -1;
}

static int net_kv(struct kiln_net *n, const char *key, const char *val,
		  char *err, size_t errlen)
{
	if (!strcmp(key, "tap")) {
		if (!*val || strlen(val) > 15 || strchr(val, '/'))
			return fail(err, errlen,
				    "--net: tap=%s: must be an interface name of 1 to 15 characters",
				    val);
		n->tap = val;
		return 0;
	}
	if (!strcmp(key, "mac")) {
		if (parse_mac(val, n->mac))
			return fail(err, errlen,
				    "--net: mac=%s: not a unicast MAC address (like 52:54:00:12:34:56)",
				    val);
		n->has_mac = true;
		return 0;
	}
	if (!strcmp(key, "num_queues")) {
		char *end;
		errno = 0;
		long q = strtol(val, &end, 10);
		if (errno || end == val || *end || q < 2 || q > KILN_NET_MAX_QUEUES ||
		    q % 2)
			return fail(err, errlen,
				    "--net: num_queues=%s: must be an even number from 2 to %d (rx and tx queues)",
				    val, KILN_NET_MAX_QUEUES);
		n->num_queues = (unsigned int)q;
		return 0;
	}
	if (!strcmp(key, "vhost")) {
		if (parse_onoff(val, &n->vhost))
			return fail(err, errlen, "--net: vhost=%s: must be on or off", val);
		return 0;
	}
	if (!strcmp(key, "packed")) {
		if (parse_onoff(val, &n->packed))
			return fail(err, errlen, "--net: packed=%s: must be on or off", val);
		return 0;
	}
	if (!strcmp(key, "mtu")) {
		char *end;
		errno = 0;
		long m = strtol(val, &end, 10);
		/* a tap's MTU is at most 65535 less its Ethernet header */
		if (errno || end == val || *end || m < KILN_NET_MIN_MTU ||
		    m > KILN_NET_MAX_MTU)
			return fail(err, errlen, "--net: mtu=%s: must be %d to %d", val,
				    KILN_NET_MIN_MTU, KILN_NET_MAX_MTU);
		n->mtu = (unsigned int)m;
		return 0;
	}
	if (!strcmp(key, "id")) {
		if (!*val || strlen(val) > 20)
			return fail(err, errlen, "--net: id=%s: must be 1 to 20 characters", val);
		n->id = val;
		return 0;
	}
	return fail(err, errlen,
		    "--net: unknown key '%s' (known: tap, mac, num_queues, vhost, mtu, packed, id)", key);
}

static int parse_net(struct kiln_options *o, const char *arg, char *err,
		     size_t errlen)
{
	if (o->nr_nets >= KILN_MAX_NETS)
		return fail(err, errlen, "--net: at most %d NICs", KILN_MAX_NETS);
	char *copy = strdup(arg);
	if (!copy)
		return fail(err, errlen, "--net: out of memory");
	o->net_strings[o->nr_nets] = copy;
	struct kiln_net *n = &o->nets[o->nr_nets];
	memset(n, 0, sizeof(*n));
	n->num_queues = 2;
	char *save = NULL;
	for (char *item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (!eq)
			return fail(err, errlen, "--net: '%s' is not key=value", item);
		*eq = '\0';
		if (net_kv(n, item, eq + 1, err, errlen))
			return -1;
	}
	if (!n->tap)
		return fail(err, errlen, "--net: tap=NAME is required");
	/* The kernel's vhost-net serves split rings only. */
	if (n->vhost && n->packed)
		return fail(err, errlen, "--net: packed=on cannot go with vhost=on "
			    "(vhost-net serves split rings only)");
	for (unsigned int i = 0; i < o->nr_nets; i++) {
		if (n->id && o->nets[i].id && !strcmp(o->nets[i].id, n->id))
			return fail(err, errlen, "--net: id=%s is used twice", n->id);
		if (!strcmp(o->nets[i].tap, n->tap))
			return fail(err, errlen, "--net: tap=%s is used twice", n->tap);
		if (n->has_mac && o->nets[i].has_mac &&
		    !memcmp(o->nets[i].mac, n->mac, 6))
			return fail(err, errlen, "--net: the same MAC address is used twice");
	}
	o->nr_nets++;
	return 0;
}

static int vsock_kv(struct kiln_options *o, const char *key, const char *val,
		    char *err, size_t errlen)
{
	if (!strcmp(key, "cid")) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(val, &end, 10);
		if (errno || end == val || *end || *val == '-' || *val == '+' ||
		    n < 3 || n >= 0xffffffffull)
			return fail(err, errlen,
				    "--vsock: cid=%s: must be a number from 3 to 4294967294",
				    val);
		o->vsock_cid = n;
		return 0;
	}
	if (!strcmp(key, "id")) {
		if (!*val || strlen(val) >= sizeof(o->vsock_id))
			return fail(err, errlen, "--vsock: id=%s: must be 1 to 20 characters", val);
		strcpy(o->vsock_id, val);
		return 0;
	}
	return fail(err, errlen, "--vsock: unknown key '%s' (known: cid, id)", key);
}

static int parse_vsock(struct kiln_options *o, const char *arg, char *err,
		       size_t errlen)
{
	if (o->vsock)
		return fail(err, errlen, "--vsock: only one vsock device");
	if (parse_kv_list("--vsock", arg, vsock_kv, o, err, errlen))
		return -1;
	if (!o->vsock_cid)
		return fail(err, errlen, "--vsock: cid=N is required");
	o->vsock = true;
	return 0;
}

static int parse_serial(struct kiln_options *o, const char *val, char *err,
			size_t errlen)
{
	if (!strcmp(val, "tty")) {
		o->serial = SERIAL_TTY;
	} else if (!strcmp(val, "off")) {
		o->serial = SERIAL_OFF;
	} else if (!strncmp(val, "file=", 5) && val[5]) {
		o->serial = SERIAL_FILE;
		o->serial_path = val + 5;
	} else {
		return fail(err, errlen,
			    "--serial: '%s': must be tty, file=PATH or off", val);
	}
	return 0;
}

static int parse_console(struct kiln_options *o, const char *val, char *err,
			 size_t errlen)
{
	static const struct {
		const char *prefix;
		enum char_backend_kind kind;
		bool path;
	} modes[] = {
		{ "off", CHAR_BACKEND_OFF, false },
		{ "tty", CHAR_BACKEND_TTY, false },
		{ "pty", CHAR_BACKEND_PTY, false },
		{ "file=", CHAR_BACKEND_FILE, true },
		{ "socket=", CHAR_BACKEND_SOCKET, true },
	};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		size_t n = strlen(modes[i].prefix);
		if (modes[i].path ? strncmp(val, modes[i].prefix, n) || !val[n]
				  : strcmp(val, modes[i].prefix))
			continue;
		o->console = modes[i].kind;
		o->console_path = modes[i].path ? val + n : NULL;
		return 0;
	}
	return fail(err, errlen,
		    "--console: '%s': must be off, tty, file=PATH, socket=PATH or pty",
		    val);
}

/* Flags that take a value. */
enum flag_id { F_KERNEL, F_INITRAMFS, F_CMDLINE, F_CPUS, F_MEMORY, F_SERIAL, F_DISK,
	       F_API_SOCKET, F_VSOCK, F_RESTORE, F_CONSOLE, F_NET,
	       F_MIGRATE_FROM, F_ACCEL };
static const struct {
	const char *name;
	enum flag_id id;
} valued_flags[] = {
	{ "--kernel", F_KERNEL }, { "--initramfs", F_INITRAMFS },
	{ "--cmdline", F_CMDLINE }, { "--cpus", F_CPUS },
	{ "--memory", F_MEMORY }, { "--serial", F_SERIAL },
	{ "--disk", F_DISK }, { "--api-socket", F_API_SOCKET },
	{ "--vsock", F_VSOCK }, { "--restore", F_RESTORE },
	{ "--console", F_CONSOLE }, { "--net", F_NET },
	{ "--migrate-from", F_MIGRATE_FROM }, { "--accel", F_ACCEL },
};

static int apply_flag(struct kiln_options *o, enum flag_id id,
		      const char *name, const char *val, char *err,
		      size_t errlen)
{
	switch (id) {
	case F_KERNEL:
	case F_INITRAMFS:
		if (!*val)
			return fail(err, errlen, "%s: empty path", name);
		*(id == F_KERNEL ? &o->kernel : &o->initramfs) = val;
		return 0;
	case F_CMDLINE:
		o->cmdline = val;
		return 0;
	case F_CPUS:
		return parse_kv_list(name, val, cpus_kv, o, err, errlen);
	case F_MEMORY:
		return parse_kv_list(name, val, memory_kv, o, err, errlen);
	case F_SERIAL:
		o->serial_given = true;
		return parse_serial(o, val, err, errlen);
	case F_CONSOLE:
		return parse_console(o, val, err, errlen);
	case F_DISK:
		return parse_disk(o, val, err, errlen);
	case F_NET:
		return parse_net(o, val, err, errlen);
	case F_API_SOCKET:
		if (!strncmp(val, "path=", 5))
			val += 5;
		if (!*val || strchr(val, ','))
			return fail(err, errlen, "%s: wants path=PATH (a Unix socket to create)", name);
		o->api_socket = val;
		return 0;
	case F_VSOCK:
		return parse_vsock(o, val, err, errlen);
	case F_RESTORE:
		if (!strncmp(val, "source_url=", 11))
			val += 11;
		if (strncmp(val, "file://", 7) || !val[7] || strchr(val, ','))
			return fail(err, errlen,
				    "%s: wants source_url=file:///DIR (a snapshot directory)", name);
		o->restore_dir = val + 7;
		return 0;
	case F_ACCEL:
		if (!strcmp(val, "kvm"))
			o->accel = ACCEL_KVM;
		else if (!strcmp(val, "soft"))
			o->accel = ACCEL_SOFT;
		else if (!strcmp(val, "auto"))
			o->accel = ACCEL_AUTO;
		else
			return fail(err, errlen, "%s: wants kvm, soft or auto", name);
		return 0;
	case F_MIGRATE_FROM:
		if (!migrate_url_valid(val))
			return fail(err, errlen,
				    "%s: wants tcp:ADDR:PORT or unix:PATH", name);
		o->migrate_from = val;
		return 0;
	}
	return fail(err, errlen, "%s: internal error", name);
}

void options_free(struct kiln_options *o)
{
	for (unsigned int i = 0; i < KILN_MAX_DISKS; i++) {
		free(o->disk_strings[i]);
		o->disk_strings[i] = NULL;
	}
	for (unsigned int i = 0; i < KILN_MAX_NETS; i++) {
		free(o->net_strings[i]);
		o->net_strings[i] = NULL;
	}
}

int options_parse(int argc, char *const argv[], struct kiln_options *o,
		  char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->boot_cpus = 1;
	o->memory_size = 512ull << 20;
	o->serial = SERIAL_TTY;
	if (errlen)
		err[0] = '\0';
	const char *config_flag = NULL; /* the first flag that shapes the VM */

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			o->help = true;
			continue;
		}
		if (!strcmp(arg, "--rng")) {
			o->rng = true;
			config_flag = config_flag ? config_flag : "--rng";
			continue;
		}
		if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
			o->version = true;
			continue;
		}
		if (!strcmp(arg, "--verbose") || (arg[0] == '-' && arg[1] == 'v' &&
						   strspn(arg + 1, "v") == strlen(arg + 1))) {
			o->verbosity += arg[1] == 'v' ? (int)strlen(arg + 1) : 1;
			continue;
		}
		size_t k;
		const char *val = NULL;
		for (k = 0; k < sizeof(valued_flags) / sizeof(valued_flags[0]); k++) {
			size_t n = strlen(valued_flags[k].name);
			if (strncmp(arg, valued_flags[k].name, n))
				continue;
			if (arg[n] == '=') {
				val = arg + n + 1;
				break;
			}
			if (arg[n] == '\0') {
				if (i + 1 >= argc)
					return fail(err, errlen, "%s: missing value",
						    valued_flags[k].name);
				val = argv[++i];
				break;
			}
		}
		if (!val) {
			if (arg[0] == '-')
				return fail(err, errlen,
					    "%s: unknown option (see kiln --help)", arg);
			return fail(err, errlen,
				    "'%s': unexpected argument (see kiln --help)", arg);
		}
		if (apply_flag(o, valued_flags[k].id, valued_flags[k].name, val,
			       err, errlen))
			return -1;
		enum flag_id id = valued_flags[k].id;
		/* --accel picks who runs the VM, not what it is. */
		if (id != F_API_SOCKET && id != F_RESTORE && id != F_MIGRATE_FROM &&
		    id != F_ACCEL && !config_flag)
			config_flag = valued_flags[k].name;
	}
	o->argc = argc;
	o->argv = argv;

	if (o->help || o->version)
		return 0;
	if (o->restore_dir && o->migrate_from)
		return fail(err, errlen, "--migrate-from: cannot go with --restore");
	if (o->migrate_from) {
		if (config_flag)
			return fail(err, errlen,
				    "--migrate-from: the source sends the VM's configuration; "
				    "%s cannot go with it", config_flag);
		return 0;
	}
	if (o->restore_dir) {
		if (config_flag)
			return fail(err, errlen,
				    "--restore: the snapshot brings the VM's configuration; "
				    "%s cannot go with it", config_flag);
		return 0;
	}
	if (!o->kernel && o->api_socket && !config_flag) {
		o->vmm_only = true;
		return 0;
	}
	if (!o->kernel)
		return fail(err, errlen, "--kernel: required (see kiln --help)");
	/* One terminal, one console on it. */
	if (o->console == CHAR_BACKEND_TTY && o->serial == SERIAL_TTY) {
		if (o->serial_given)
			return fail(err, errlen,
				    "--console tty: the terminal is already --serial tty "
				    "(give --serial off or file=PATH)");
		o->serial = SERIAL_OFF;
	}
	if (o->hugepages && o->memory_size % (2ull << 20))
		return fail(err, errlen,
			    "--memory: hugepages=on needs a size that is a multiple of 2M");
	return 0;
}
