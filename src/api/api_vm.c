/* The API's view of a running VM: struct api_vm_ops over struct vm and the
 * options it was started with. */
#include "api/api_vm.h"

#include "core/log.h"
#include "migration/migrate_send.h"
#include "migration/snapshot.h"
#include "virtio/virtio_pci.h"

#include <errno.h>
#include <stdio.h>

static int vm_api_pause(void *ctx)
{
	struct api_vm *a = ctx;
	return vm_pause(a->vm);
}

static int vm_api_resume(void *ctx)
{
	struct api_vm *a = ctx;
	return vm_resume(a->vm);
}

static void vm_api_shutdown(void *ctx)
{
	struct api_vm *a = ctx;
	vm_raise_event(a->vm, VM_EVENT_POWEROFF);
}

static void vm_api_reboot(void *ctx)
{
	struct api_vm *a = ctx;
	vm_raise_event(a->vm, VM_EVENT_REBOOT);
}

static bool vm_api_paused(void *ctx)
{
	struct api_vm *a = ctx;
	return vm_is_paused(a->vm);
}

static uint64_t vm_api_memory_size(void *ctx)
{
	struct api_vm *a = ctx;
	return a->vm->mem.ram_size;
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* Cloud Hypervisor's VmConfig shape, for what Kiln has. */
static struct json_object *vm_api_config(void *ctx)
{
	struct api_vm *a = ctx;
	const struct kiln_options *o = a->opts;
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

	struct json_object *disks = json_object_new_array();
	for (unsigned int i = 0; i < o->nr_disks; i++) {
		struct json_object *d = json_object_new_object();
		json_object_object_add(d, "path", json_object_new_string(o->disks[i].path));
		json_object_object_add(d, "readonly", json_object_new_boolean(o->disks[i].readonly));
		json_object_object_add(d, "id", str_or_null(o->disks[i].id));
		json_object_array_add(disks, d);
	}
	json_object_object_add(cfg, "disks", disks);

	struct json_object *nets = json_object_new_array();
	for (unsigned int i = 0; i < o->nr_nets; i++) {
		const struct kiln_net *n = &o->nets[i];
		struct json_object *d = json_object_new_object();
		char mac[18];
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0],
			 n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
		json_object_object_add(d, "tap", json_object_new_string(n->tap));
		/* null: Kiln picked a random one */
		json_object_object_add(d, "mac", n->has_mac ? json_object_new_string(mac) : NULL);
		json_object_object_add(d, "num_queues", json_object_new_int((int)n->num_queues));
		json_object_object_add(d, "vhost", json_object_new_boolean(n->vhost));
		json_object_object_add(d, "id", str_or_null(n->id));
		json_object_array_add(nets, d);
	}
	json_object_object_add(cfg, "net", nets);

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
	return cfg;
}

/* Per device: its transport's counters; plus the vCPUs' exits. */
static struct json_object *vm_api_counters(void *ctx)
{
	struct api_vm *a = ctx;
	struct vm *vm = a->vm;
	struct json_object *all = json_object_new_object();
	for (unsigned int i = 0; i < vm->nr_virtio; i++) {
		struct virtio_pci *t = vm->virtio[i].transport;
		if (!t)
			continue;
		struct virtio_pci_stats st;
		virtio_pci_get_stats(t, &st);
		struct json_object *d = json_object_new_object();
		json_object_object_add(d, "notifications_via_exit", json_object_new_int64((int64_t)st.kicks));
		json_object_object_add(d, "interrupts", json_object_new_int64((int64_t)st.interrupts));
		json_object_object_add(d, "guest_errors", json_object_new_int64((int64_t)st.guest_errors));
		char name[48];
		snprintf(name, sizeof(name), "%s%u", virtio_pci_name(t), i);
		json_object_object_add(all, name, d);
	}
	struct json_object *cpus = json_object_new_object();
	uint64_t exits = 0;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i])
			exits += __atomic_load_n(&vm->vcpus[i]->exits, __ATOMIC_RELAXED);
	json_object_object_add(cpus, "exits", json_object_new_int64((int64_t)exits));
	json_object_object_add(all, "vcpus", cpus);
	return all;
}

static int vm_api_snapshot(void *ctx, const char *dir, char *err, size_t errlen)
{
	struct api_vm *a = ctx;
	return snapshot_save(a->vm, a->opts, dir, err, errlen);
}

static int vm_api_send_migration(void *ctx, const char *url,
				 unsigned int downtime_ms,
				 unsigned int bandwidth_mbps, char *err,
				 size_t errlen)
{
	struct api_vm *a = ctx;
	struct migrate_result r;
	struct migrate_params p = { .downtime_ms = downtime_ms,
				    .bandwidth_mbps = bandwidth_mbps };
	int e = migrate_send(a->vm, a->opts, url, &p, &r, err, errlen);
	if (e) {
		pr_warn("migration to %s failed, the guest runs on here: %s", url, err);
		return e;
	}
	char limit[48] = "none";
	if (bandwidth_mbps)
		snprintf(limit, sizeof(limit), "%u Mbit/s", bandwidth_mbps);
	/* paused at: CLOCK_REALTIME, to set against the destination's
	 * "first vCPU entry at" on the same host (bench/migrate). */
	pr_info("migration to %s: total %.1f ms, downtime %.1f ms (target %u), "
		"%llu bytes sent (%.1f Mbit/s, limit %s), %u RAM passes, "
		"%llu pages (%llu zero), vCPU throttle %u%%, paused at %lld.%06ld",
		url, r.total_ms, r.downtime_ms, downtime_ms,
		(unsigned long long)r.bytes,
		r.total_ms > 0 ? (double)r.bytes * 8 / 1000 / r.total_ms : 0.0, limit,
		r.passes, (unsigned long long)r.pages, (unsigned long long)r.zero_pages,
		r.throttle_pct, (long long)r.paused_at.tv_sec, r.paused_at.tv_nsec / 1000);
	/* The guest runs on the destination: this Kiln is done. */
	vm_raise_event(a->vm, VM_EVENT_MIGRATED);
	return 0;
}

const struct api_vm_ops api_vm_ops = {
	.send_migration = vm_api_send_migration,
	.snapshot = vm_api_snapshot,
	.pause = vm_api_pause,
	.resume = vm_api_resume,
	.shutdown = vm_api_shutdown,
	.reboot = vm_api_reboot,
	.paused = vm_api_paused,
	.config = vm_api_config,
	.counters = vm_api_counters,
	.memory_size = vm_api_memory_size,
};
