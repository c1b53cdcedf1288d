/* Command-line parser: good inputs land in the right fields, and every
 * bad input gives a message that names the flag it is about. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli/options.h"

static char err[256];

static int parse(struct kiln_options *o, ...)
{
	char *argv[32] = { "kiln" };
	int argc = 1;
	va_list ap;
	va_start(ap, o);
	for (char *a; (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	return options_parse(argc, argv, o, err, sizeof(err));
}

static void test_defaults(void **state)
{
	struct kiln_options o;
	assert_int_equal(parse(&o, "--kernel", "vmlinuz", NULL), 0);
	assert_string_equal(o.kernel, "vmlinuz");
	assert_null(o.initramfs);
	assert_int_equal(o.boot_cpus, 1);
	assert_int_equal(o.memory_size, 512ull << 20);
	assert_int_equal(o.serial, SERIAL_TTY);
	assert_false(o.hugepages);
	assert_false(o.shared_memory);
	assert_false(o.rng);
	assert_false(o.vsock);
}

static void test_vsock(void **state)
{
	struct kiln_options o;
	assert_int_equal(parse(&o, "--kernel", "k", "--vsock", "cid=3", NULL), 0);
	assert_true(o.vsock);
	assert_int_equal(o.vsock_cid, 3);
	assert_string_equal(o.vsock_id, "");
	assert_int_equal(parse(&o, "--kernel", "k", "--vsock=id=vs0,cid=4294967294",
			       NULL), 0);
	assert_true(o.vsock);
	assert_int_equal(o.vsock_cid, 0xfffffffeull);
	assert_string_equal(o.vsock_id, "vs0");
}

static void test_full_line(void **state)
{
	struct kiln_options o;
	assert_int_equal(parse(&o, "--kernel", "k", "--initramfs=i", "--cmdline",
			       "console=ttyS0 quiet", "--cpus", "boot=2", "--memory",
			       "size=1G,hugepages=on,shared=on", "--serial",
			       "file=/tmp/x", "--rng", "-vv", NULL), 0);
	assert_true(o.rng);
	assert_string_equal(o.initramfs, "i");
	assert_string_equal(o.cmdline, "console=ttyS0 quiet");
	assert_int_equal(o.boot_cpus, 2);
	assert_int_equal(o.memory_size, 1ull << 30);
	assert_true(o.hugepages);
	assert_true(o.shared_memory);
	assert_int_equal(o.serial, SERIAL_FILE);
	assert_string_equal(o.serial_path, "/tmp/x");
	assert_int_equal(o.verbosity, 2);
}

static void test_disks(void **state)
{
	struct kiln_options o;
	assert_int_equal(parse(&o, "--kernel", "k", "--disk", "path=/a.img",
			       "--disk", "path=/b.img,readonly=on,id=data", NULL), 0);
	assert_int_equal(o.nr_disks, 2);
	assert_string_equal(o.disks[0].path, "/a.img");
	assert_false(o.disks[0].readonly);
	assert_null(o.disks[0].id);
	assert_string_equal(o.disks[1].path, "/b.img");
	assert_true(o.disks[1].readonly);
	assert_string_equal(o.disks[1].id, "data");
	assert_false(o.disks[0].direct);
	assert_int_equal(o.disks[0].num_queues, 1);
	assert_int_equal(o.disks[1].num_queues, 1);
	options_free(&o);
	assert_int_equal(parse(&o, "--kernel", "k", "--disk",
			       "path=/c.img,direct=on,num_queues=4", "--disk",
			       "path=/d.img,num_queues=16,direct=off", NULL), 0);
	assert_true(o.disks[0].direct);
	assert_int_equal(o.disks[0].num_queues, 4);
	assert_false(o.disks[1].direct);
	assert_int_equal(o.disks[1].num_queues, 16);
	options_free(&o);
}

/* --console: each mode, and who gets the terminal. */
static void test_console(void **state)
{
	struct kiln_options o;
	assert_int_equal(parse(&o, "--kernel", "k", NULL), 0);
	assert_int_equal(o.console, CHAR_BACKEND_OFF);
	assert_int_equal(parse(&o, "--kernel", "k", "--console", "off", NULL), 0);
	assert_int_equal(o.console, CHAR_BACKEND_OFF);
	assert_int_equal(o.serial, SERIAL_TTY);
	assert_int_equal(parse(&o, "--kernel", "k", "--console=file=/tmp/hvc.log", NULL), 0);
	assert_int_equal(o.console, CHAR_BACKEND_FILE);
	assert_string_equal(o.console_path, "/tmp/hvc.log");
	assert_int_equal(o.serial, SERIAL_TTY);
	assert_int_equal(parse(&o, "--kernel", "k", "--console", "socket=/run/k.sock", NULL), 0);
	assert_int_equal(o.console, CHAR_BACKEND_SOCKET);
	assert_string_equal(o.console_path, "/run/k.sock");
	assert_int_equal(parse(&o, "--kernel", "k", "--console", "pty", NULL), 0);
	assert_int_equal(o.console, CHAR_BACKEND_PTY);
	assert_null(o.console_path);
	/* tty takes the terminal from the default serial... */
	assert_int_equal(parse(&o, "--kernel", "k", "--console", "tty", NULL), 0);
	assert_int_equal(o.console, CHAR_BACKEND_TTY);
	assert_int_equal(o.serial, SERIAL_OFF);
	/* ...but not from a serial given elsewhere, and not from --serial tty */
	assert_int_equal(parse(&o, "--kernel", "k", "--serial", "file=/tmp/s",
			       "--console", "tty", NULL), 0);
	assert_int_equal(o.serial, SERIAL_FILE);
	assert_int_equal(parse(&o, "--kernel", "k", "--console", "tty", "--serial",
			       "tty", NULL), -1);
	assert_non_null(strstr(err, "--console tty"));
	assert_null(strchr(err, '\n'));
	/* the last --console wins, as for every flag */
	assert_int_equal(parse(&o, "--kernel", "k", "--console", "tty",
			       "--console", "pty", NULL), 0);
	assert_int_equal(o.console, CHAR_BACKEND_PTY);
	assert_int_equal(o.serial, SERIAL_TTY);
}

static void test_migrate_from(void **state)
{
	struct kiln_options o;
	assert_int_equal(parse(&o, "--migrate-from", "tcp:0.0.0.0:4444", NULL), 0);
	assert_string_equal(o.migrate_from, "tcp:0.0.0.0:4444");
	assert_int_equal(parse(&o, "--migrate-from=unix:/run/m.sock", "--api-socket",
			       "/run/a.sock", "-v", NULL), 0);
	assert_string_equal(o.migrate_from, "unix:/run/m.sock");
	assert_string_equal(o.api_socket, "/run/a.sock");
	/* The machine comes from the source: no VM flag goes with it. */
	assert_int_not_equal(parse(&o, "--migrate-from", "tcp:h:1", "--kernel", "k", NULL), 0);
	assert_non_null(strstr(err, "--kernel cannot go with it"));
	assert_int_not_equal(parse(&o, "--migrate-from", "tcp:h:1", "--restore",
				   "source_url=file:///s", NULL), 0);
	static const char *const bad[] = { "tcp:h", "tcp::1", "tcp:h:x", "unix:",
					   "file:///x", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(parse(&o, "--migrate-from", bad[i], NULL), 0);
		assert_non_null(strstr(err, "--migrate-from: wants tcp:ADDR:PORT or unix:PATH"));
	}
}

/* --api-socket alone: a VMM that waits for the API to give it a VM. */
static void test_vmm_only(void **state)
{
	struct kiln_options o;
	assert_int_equal(parse(&o, "--api-socket", "path=/run/k.sock", "-v", NULL), 0);
	assert_true(o.vmm_only);
	assert_null(o.kernel);
	assert_string_equal(o.api_socket, "/run/k.sock");
	assert_int_equal(parse(&o, "--api-socket", "/run/k.sock", "--kernel", "k", NULL), 0);
	assert_false(o.vmm_only);
	assert_int_equal(parse(&o, "--api-socket", "/run/k.sock", "--restore",
			       "source_url=file:///s", NULL), 0);
	assert_false(o.vmm_only);
	/* A VM flag without a kernel is still a VM missing its kernel. */
	assert_int_not_equal(parse(&o, "--api-socket", "/run/k.sock", "--rng", NULL), 0);
	assert_string_equal(err, "--kernel: required (see kiln --help)");
	assert_int_not_equal(parse(&o, "--api-socket", "/run/k.sock", "--memory",
				   "size=1G", NULL), 0);
	assert_int_not_equal(parse(&o, NULL), 0);
	assert_string_equal(err, "--kernel: required (see kiln --help)");
	assert_non_null(strstr(kiln_usage, "vm.create"));
}

static void test_help_without_kernel(void **state)
{
	struct kiln_options o;
	assert_int_equal(parse(&o, "--help", NULL), 0);
	assert_true(o.help);
	assert_non_null(strstr(kiln_usage, "--memory"));
	assert_non_null(strstr(kiln_usage, "Exit status"));
}

static void test_nets(void **state)
{
	struct kiln_options o;
	assert_int_equal(parse(&o, "--kernel", "k", "--net", "tap=kt0",
			       "--net", "tap=kt1,mac=52:54:00:AB:cd:0e,num_queues=4,vhost=on,mtu=9000,id=lan",
			       NULL), 0);
	assert_int_equal(o.nr_nets, 2);
	assert_string_equal(o.nets[0].tap, "kt0");
	assert_false(o.nets[0].has_mac);
	assert_int_equal(o.nets[0].num_queues, 2);
	assert_false(o.nets[0].vhost);
	assert_int_equal(o.nets[0].mtu, 0);
	assert_null(o.nets[0].id);
	assert_string_equal(o.nets[1].tap, "kt1");
	assert_true(o.nets[1].has_mac);
	static const uint8_t want[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0x0e };
	assert_memory_equal(o.nets[1].mac, want, 6);
	assert_int_equal(o.nets[1].num_queues, 4);
	assert_true(o.nets[1].vhost);
	assert_int_equal(o.nets[1].mtu, 9000);
	assert_string_equal(o.nets[1].id, "lan");
	assert_false(o.nets[0].packed);
	assert_false(o.nets[1].packed);
	options_free(&o);

	/* packed rings: off by default, refused with vhost in one line */
	assert_int_equal(parse(&o, "--kernel", "k", "--net", "tap=kt0,packed=on",
			       "--disk", "path=d.img,packed=on", "--disk", "path=e.img",
			       NULL), 0);
	assert_true(o.nets[0].packed);
	assert_true(o.disks[0].packed);
	assert_false(o.disks[1].packed);
	options_free(&o);
	assert_int_not_equal(parse(&o, "--kernel", "k", "--net",
				   "tap=kt0,packed=on,vhost=on", NULL), 0);
	assert_string_equal(err, "--net: packed=on cannot go with vhost=on "
			    "(vhost-net serves split rings only)");
	options_free(&o);
	assert_non_null(strstr(kiln_usage, "packed=on"));

	/* A locally administered address is unicast too. */
	uint8_t mac[6];
	assert_int_equal(parse_mac("02:00:00:00:00:01", mac), 0);
	assert_int_equal(parse_mac("03:00:00:00:00:01", mac), -1);
	assert_int_equal(parse_mac(" 2:00:00:00:00:01", mac), -1);
	assert_int_equal(parse_mac("02:00:00:00:00:01:", mac), -1);
}

static void test_sizes(void **state)
{
	uint64_t v;
	assert_int_equal(parse_size("512M", &v), 0);
	assert_int_equal(v, 512ull << 20);
	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("2g", &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(parse_size("", &v), -1);
	assert_int_equal(parse_size("-1M", &v), -1);
	assert_int_equal(parse_size("12X", &v), -1);
	assert_int_equal(parse_size("1MB", &v), -1);
	assert_int_equal(parse_size("99999999999999999999", &v), -1);
	assert_int_equal(parse_size("99999999999T", &v), -1);
}

/* Each bad line must fail and mention the flag given as the first word. */
static void expect_error(const char *flag, const char *const *args)
{
	char *argv[32] = { "kiln" };
	int argc = 1;
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	struct kiln_options o;
	assert_int_equal(options_parse(argc, argv, &o, err, sizeof(err)), -1);
	options_free(&o);
	if (!strstr(err, flag))
		fail_msg("error '%s' does not name %s", err, flag);
}

static void test_bad_inputs(void **state)
{
#define BAD(flag, ...) expect_error(flag, (const char *const[]){ __VA_ARGS__, NULL })
	BAD("--kernel", "--cpus", "boot=1");
	BAD("--kernel", "--kernel");
	BAD("--kernel", "--kernel", "");
	BAD("--cpus", "--kernel", "k", "--cpus", "boot=0");
	BAD("--cpus", "--kernel", "k", "--cpus", "boot=256");
	BAD("--cpus", "--kernel", "k", "--cpus", "boot=two");
	BAD("--cpus", "--kernel", "k", "--cpus", "boot=");
	BAD("--cpus", "--kernel", "k", "--cpus", "4");
	BAD("--cpus", "--kernel", "k", "--cpus", "max=4");
	BAD("--cpus", "--kernel", "k", "--cpus", "");
	BAD("--memory", "--kernel", "k", "--memory", "size=1");
	BAD("--memory", "--kernel", "k", "--memory", "size=16M");
	BAD("--memory", "--kernel", "k", "--memory", "size=2T");
	BAD("--memory", "--kernel", "k", "--memory", "size=lots");
	BAD("--memory", "--kernel", "k", "--memory", "size=100001K");
	BAD("--memory", "--kernel", "k", "--memory", "size=1G,hugepages=maybe");
	BAD("--memory", "--kernel", "k", "--memory", "size=1G,color=red");
	BAD("--memory", "--kernel", "k", "--memory", "size=33M,hugepages=on");
	BAD("--memory", "--kernel", "k", "--memory");
	BAD("--serial", "--kernel", "k", "--serial", "pty");
	BAD("--serial", "--kernel", "k", "--serial", "file=");
	BAD("--frobnicate", "--kernel", "k", "--frobnicate");
	BAD("--console", "--kernel", "k", "--console", "file=");
	BAD("--console", "--kernel", "k", "--console", "socket=");
	BAD("--console", "--kernel", "k", "--console", "serial");
	BAD("--console", "--kernel", "k", "--console", "pty=/dev/x");
	BAD("--console", "--kernel", "k", "--console", "");
	BAD("--console", "--kernel", "k", "--console");
	BAD("--console", "--kernel", "k", "--serial", "tty", "--console", "tty");
	BAD("stray", "--kernel", "k", "stray");
	BAD("--disk", "--kernel", "k", "--disk", "readonly=on");
	BAD("--disk", "--kernel", "k", "--disk", "path=");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,readonly=maybe");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,cache=none");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,id=x", "--disk", "path=b,id=x");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,id=123456789012345678901");
	BAD("--disk", "--kernel", "k", "--disk", "a.img");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,num_queues=0");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,num_queues=17");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,num_queues=-1");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,num_queues=two");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,num_queues=");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,num_queues=99999999999999999999");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,direct=yes");
	BAD("--disk", "--kernel", "k", "--disk", "path=1", "--disk", "path=2",
	    "--disk", "path=3", "--disk", "path=4", "--disk", "path=5",
	    "--disk", "path=6", "--disk", "path=7", "--disk", "path=8",
	    "--disk", "path=9");
	BAD("--net", "--kernel", "k", "--net", "mac=52:54:00:00:00:01");
	BAD("--net", "--kernel", "k", "--net", "tap=");
	BAD("--net", "--kernel", "k", "--net", "tap=a-name-that-is-too-long");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,mac=52:54:00:00:00");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,mac=52:54:00:00:00:0g");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,mac=52-54-00-00-00-01");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,mac=01:00:5e:00:00:01");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,mac=ff:ff:ff:ff:ff:ff");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,mac=00:00:00:00:00:00");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,num_queues=3");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,num_queues=0");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,num_queues=18");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,num_queues=4x");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,vhost=maybe");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,packed=maybe");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,vhost=on,packed=on");
	BAD("--disk", "--kernel", "k", "--disk", "path=a,packed=yes");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,mtu=67");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,mtu=65522");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,mtu=1500x");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,queue_size=256");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,id=a", "--net", "tap=t1,id=a");
	BAD("--net", "--kernel", "k", "--net", "tap=t0", "--net", "tap=t0");
	BAD("--net", "--kernel", "k", "--net", "tap=t0,mac=52:54:00:00:00:01",
	    "--net", "tap=t1,mac=52:54:00:00:00:01");
	BAD("--net", "--kernel", "k", "--net", "t0");
	BAD("--net", "--kernel", "k", "--net", "tap=1", "--net", "tap=2",
	    "--net", "tap=3", "--net", "tap=4", "--net", "tap=5",
	    "--net", "tap=6", "--net", "tap=7", "--net", "tap=8",
	    "--net", "tap=9");
	BAD("--vsock", "--kernel", "k", "--vsock", "cid=2");
	BAD("--vsock", "--kernel", "k", "--vsock", "cid=0");
	BAD("--vsock", "--kernel", "k", "--vsock", "cid=4294967295");
	BAD("--vsock", "--kernel", "k", "--vsock", "cid=18446744073709551616");
	BAD("--vsock", "--kernel", "k", "--vsock", "cid=-5");
	BAD("--vsock", "--kernel", "k", "--vsock", "cid=0x10");
	BAD("--vsock", "--kernel", "k", "--vsock", "cid=");
	BAD("--vsock", "--kernel", "k", "--vsock", "id=a");
	BAD("--vsock", "--kernel", "k", "--vsock", "cid=3,socket=/tmp/v.sock");
	BAD("--vsock", "--kernel", "k", "--vsock", "cid=3,id=123456789012345678901");
	BAD("--vsock", "--kernel", "k", "--vsock", "cid=3", "--vsock", "cid=4");
	BAD("--vsock", "--kernel", "k", "--vsock");
#undef BAD
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_line),
		cmocka_unit_test(test_help_without_kernel),
		cmocka_unit_test(test_vmm_only),
		cmocka_unit_test(test_migrate_from),
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_nets),
		cmocka_unit_test(test_vsock),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_bad_inputs),
	};
	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
