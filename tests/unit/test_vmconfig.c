/* VmConfig JSON <-> Kiln's command line: the flags a body becomes, and
 * vm.info's output taken back by vm.create describing the same VM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/api_vmconfig.h"
#include "cli/argv.h"
#include "cli/options.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The command line for `json` joined with spaces, or the error text. */
static int translate(const char *json, char *out, size_t len)
{
	struct json_object *o = json_tokener_parse(json);
	assert_non_null(o);
	struct kiln_argv a = { 0 };
	int e = vmconfig_to_argv(o, &a, out, len);
	if (!e) {
		out[0] = 0;
		for (int i = 0; i < a.argc; i++)
			snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "",
				 a.argv[i]);
		assert_null(a.argv[a.argc]);
	}
	kiln_argv_free(&a);
	json_object_put(o);
	return e;
}

static void test_translate_everything(void **state)
{
	char out[2048];
	assert_int_equal(translate(
		"{\"cpus\":{\"boot_vcpus\":4,\"max_vcpus\":4},"
		"\"memory\":{\"size\":1073741824,\"shared\":true,\"hugepages\":false},"
		"\"payload\":{\"kernel\":\"/boot/vmlinux\",\"cmdline\":\"console=ttyS0 quiet\","
		"\"initramfs\":\"/boot/initrd.img\"},"
		"\"disks\":[{\"path\":\"/a.img\",\"readonly\":false,\"direct\":true,\"num_queues\":2,"
		"\"packed\":true,\"id\":\"root\"},{\"path\":\"/b.img\"}],"
		"\"net\":[{\"tap\":\"kt0\",\"mac\":\"52:54:00:12:34:56\",\"num_queues\":4,"
		"\"vhost\":false,\"packed\":true,\"id\":\"n0\"}],"
		"\"rng\":{},\"serial\":{\"mode\":\"Null\"},"
		"\"console\":{\"mode\":\"File\",\"file\":\"/tmp/hvc, with a comma\"},"
		"\"vsock\":{\"cid\":42,\"id\":\"v\"}}", out, sizeof(out)), 0);
	assert_string_equal(out,
		"kiln --kernel /boot/vmlinux --initramfs /boot/initrd.img "
		"--cmdline console=ttyS0 quiet --cpus boot=4 "
		"--memory size=1073741824,shared=on,hugepages=off "
		"--disk path=/a.img,readonly=off,direct=on,num_queues=2,packed=on,id=root "
		"--disk path=/b.img "
		"--net tap=kt0,mac=52:54:00:12:34:56,num_queues=4,vhost=off,packed=on,id=n0 "
		"--rng --serial off --console file=/tmp/hvc, with a comma --vsock cid=42,id=v");
	/* The smallest: a kernel. */
	assert_int_equal(translate("{\"payload\":{\"kernel\":\"/k\"}}", out, sizeof(out)), 0);
	assert_string_equal(out, "kiln --kernel /k");
	assert_int_equal(translate("{\"payload\":{\"kernel\":\"/k\"},\"console\":{\"mode\":\"Pty\"},"
				   "\"serial\":{\"mode\":\"Tty\"}}", out, sizeof(out)), 0);
	assert_string_equal(out, "kiln --kernel /k --serial tty --console pty");
	assert_int_equal(translate("{\"payload\":{\"kernel\":\"/k\"},\"console\":{\"mode\":"
				   "\"Socket\",\"socket\":\"/run/c.sock\"}}", out, sizeof(out)), 0);
	assert_string_equal(out, "kiln --kernel /k --console socket=/run/c.sock");
}

static void test_translate_refusals(void **state)
{
	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "[]", ": must be an object" },
		{ "{}", "payload: required (payload.kernel is the guest kernel)" },
		{ "{\"payload\":{\"initramfs\":\"/i\"}}", "payload.kernel: required (the guest kernel's path)" },
		{ "{\"payload\":{\"kernel\":\"/k\"},\"platform\":{}}",
		  "platform: unknown member (Kiln knows: cpus, memory, payload, disks, net, rng, "
		  "serial, console, vsock)" },
		{ "{\"payload\":{\"kernel\":\"/k\"},\"memory\":{\"size\":\"1G\"}}",
		  "memory.size: must be an integer" },
		{ "{\"payload\":{\"kernel\":\"/k\"},\"cpus\":{\"max_vcpus\":2}}",
		  "cpus.max_vcpus: must equal cpus.boot_vcpus (Kiln has no vCPU hotplug)" },
		{ "{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"readonly\":true}]}",
		  "disks[0].path: required" },
		{ "{\"payload\":{\"kernel\":\"/k\"},\"disks\":[{\"path\":\"/a\"},{\"path\":\"/b\","
		  "\"iommu\":false}]}",
		  "disks[1].iommu: unknown member (Kiln knows: path, readonly, direct, num_queues, packed, id)" },
		{ "{\"payload\":{\"kernel\":\"/k\"},\"net\":[{\"tap\":\"a,b\"}]}",
		  "net[0].tap: must not contain ','" },
		{ "{\"payload\":{\"kernel\":\"/k\"},\"net\":[{}]}",
		  "net[0].tap: required (Kiln's NICs are tap devices)" },
		{ "{\"payload\":{\"kernel\":\"/k\"},\"serial\":{\"mode\":\"Socket\",\"socket\":\"/s\"}}",
		  "serial.socket: unknown member (Kiln knows: mode, file)" },
		{ "{\"payload\":{\"kernel\":\"/k\"},\"console\":{\"mode\":\"File\"}}",
		  "console.file: required with mode File" },
		{ "{\"payload\":{\"kernel\":\"/k\"},\"console\":{\"mode\":\"Pty\",\"socket\":\"/s\"}}",
		  "console.socket: goes with mode Socket only" },
		{ "{\"payload\":{\"kernel\":\"/k\"},\"vsock\":{\"id\":\"v\"}}", "vsock.cid: required" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[512] = "";
		assert_int_equal(translate(bad[i].json, err, sizeof(err)), -EINVAL);
		if (strcmp(err, bad[i].msg))
			fail_msg("%s: got \"%s\", wanted \"%s\"", bad[i].json, err, bad[i].msg);
	}
}

/* vm.info's config for a command line, fed back through vm.create, is the
 * same VM. */
static void roundtrip(int argc, char *const argv[])
{
	struct kiln_options a, b;
	char err[512];
	if (options_parse(argc, argv, &a, err, sizeof(err)))
		fail_msg("%s", err);
	struct json_object *cfg = vmconfig_from_options(&a);
	/* through text, as a client would send it back */
	struct json_object *back = json_tokener_parse(json_object_to_json_string(cfg));
	assert_non_null(back);
	struct kiln_argv v = { 0 };
	if (vmconfig_to_argv(back, &v, err, sizeof(err)))
		fail_msg("%s: %s", json_object_to_json_string(cfg), err);
	if (options_parse(v.argc, v.argv, &b, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(a.kernel, b.kernel);
	assert_true((a.initramfs == NULL) == (b.initramfs == NULL));
	if (a.initramfs)
		assert_string_equal(a.initramfs, b.initramfs);
	assert_true((a.cmdline == NULL) == (b.cmdline == NULL));
	if (a.cmdline)
		assert_string_equal(a.cmdline, b.cmdline);
	assert_int_equal(a.boot_cpus, b.boot_cpus);
	assert_int_equal(a.memory_size, b.memory_size);
	assert_int_equal(a.hugepages, b.hugepages);
	assert_int_equal(a.shared_memory, b.shared_memory);
	assert_int_equal(a.rng, b.rng);
	assert_int_equal(a.nr_disks, b.nr_disks);
	for (unsigned int i = 0; i < a.nr_disks; i++) {
		assert_string_equal(a.disks[i].path, b.disks[i].path);
		assert_int_equal(a.disks[i].readonly, b.disks[i].readonly);
		assert_int_equal(a.disks[i].direct, b.disks[i].direct);
		assert_int_equal(a.disks[i].num_queues, b.disks[i].num_queues);
		assert_int_equal(a.disks[i].packed, b.disks[i].packed);
		assert_true((a.disks[i].id == NULL) == (b.disks[i].id == NULL));
	}
	assert_int_equal(a.nr_nets, b.nr_nets);
	for (unsigned int i = 0; i < a.nr_nets; i++) {
		assert_string_equal(a.nets[i].tap, b.nets[i].tap);
		assert_int_equal(a.nets[i].has_mac, b.nets[i].has_mac);
		assert_memory_equal(a.nets[i].mac, b.nets[i].mac, 6);
		assert_int_equal(a.nets[i].num_queues, b.nets[i].num_queues);
		assert_int_equal(a.nets[i].vhost, b.nets[i].vhost);
		assert_int_equal(a.nets[i].packed, b.nets[i].packed);
	}
	assert_int_equal(a.vsock, b.vsock);
	assert_int_equal(a.vsock_cid, b.vsock_cid);
	assert_string_equal(a.vsock_id, b.vsock_id);
	assert_int_equal(a.serial, b.serial);
	assert_true((a.serial_path == NULL) == (b.serial_path == NULL));
	if (a.serial_path)
		assert_string_equal(a.serial_path, b.serial_path);
	assert_int_equal(a.console, b.console);
	assert_true((a.console_path == NULL) == (b.console_path == NULL));
	if (a.console_path)
		assert_string_equal(a.console_path, b.console_path);
	options_free(&a);
	options_free(&b);
	kiln_argv_free(&v);
	json_object_put(cfg);
	json_object_put(back);
}

static void test_info_back_into_create(void **state)
{
	char *const small[] = { "kiln", "--kernel", "/k" };
	roundtrip(3, small);
	char *const big[] = {
		"kiln", "--kernel", "/boot/vmlinuz", "--initramfs", "/boot/initrd",
		"--cmdline", "console=ttyS0 root=/dev/vda", "--cpus", "boot=3",
		"--memory", "size=2G,hugepages=on,shared=on", "--rng",
		"--disk", "path=/a.img,readonly=on,direct=on,num_queues=4,id=a",
		"--disk", "path=/b.img,packed=on", "--net", "tap=kt0,mac=52:54:00:00:00:01,vhost=on",
		"--net", "tap=kt1,num_queues=4,id=n1", "--serial", "file=/tmp/serial.log",
		"--console", "socket=/tmp/hvc.sock", "--vsock", "cid=7,id=vs",
	};
	roundtrip((int)(sizeof(big) / sizeof(big[0])), big);
	char *const consoles[] = { "kiln", "--kernel", "/k", "--console", "tty" };
	roundtrip(5, consoles);
	char *const pty[] = { "kiln", "--kernel", "/k", "--serial", "off", "--console", "pty" };
	roundtrip(7, pty);
	char *const file[] = { "kiln", "--kernel", "/k", "--console", "file=/tmp/c" };
	roundtrip(5, file);
}

static void test_argv_copy(void **state)
{
	char *const in[] = { "kiln", "--kernel", "/k" };
	struct kiln_argv a;
	assert_int_equal(kiln_argv_copy(&a, 3, in), 0);
	assert_int_equal(a.argc, 3);
	assert_string_equal(a.argv[2], "/k");
	assert_ptr_not_equal(a.argv[2], in[2]);
	assert_null(a.argv[3]);
	for (int i = 0; i < 100; i++)
		assert_int_equal(kiln_argv_add(&a, "--disk=path=/d%d", i), 0);
	assert_int_equal(a.argc, 103);
	assert_string_equal(a.argv[102], "--disk=path=/d99");
	assert_null(a.argv[103]);
	kiln_argv_free(&a);
	assert_int_equal(a.argc, 0);
	kiln_argv_free(&a); /* twice: harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translate_everything),
		cmocka_unit_test(test_translate_refusals),
		cmocka_unit_test(test_info_back_into_create),
		cmocka_unit_test(test_argv_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
