/* The API's view of the VMM: struct api_vm_ops over struct vmm. Calls on
 * the running VM hold the VMM's lock, so the main thread cannot tear the VM
 * down under them. */
#include "api/api_vmconfig.h"
#include "core/log.h"
#include "migration/migrate_send.h"
#include "migration/snapshot.h"
#include "virtio/virtio_pci.h"
#include "vmm/vmm.h"

#include <errno.h>
#include <stdio.h>

static bool active(struct vmm *v)
{
	return __atomic_load_n(&v->active, __ATOMIC_ACQUIRE);
}

/* The running VM with the lock held, or NULL (and unlocked) when none. */
static struct vm *lock_live_vm(struct vmm *v)
{
	pthread_mutex_lock(&v->lock);
	if (active(v))
		return &v->session.vm;
	pthread_mutex_unlock(&v->lock);
	return NULL;
}

static enum api_vm_state op_state(void *ctx)
{
	struct vmm *v = ctx;
	pthread_mutex_lock(&v->lock);
	enum api_vm_state st = !v->has_config ? API_VM_NONE
			     : active(v) ? (vm_is_paused(&v->session.vm) ? API_VM_PAUSED
									 : API_VM_RUNNING)
			     : v->shut_down ? API_VM_SHUTDOWN : API_VM_CREATED;
	pthread_mutex_unlock(&v->lock);
	return st;
}

static int op_create(void *ctx, int argc, char *const argv[], char *err, size_t errlen)
{
	int e = vmm_create(ctx, argc, argv, err, errlen);
	if (!e)
		pr_info("vm.create: a VM is configured");
	return e;
}

static int op_boot(void *ctx, char *err, size_t errlen)
{
	int e = vmm_boot(ctx, err, errlen);
	if (e)
		pr_warn("vm.boot: %s", err);
	return e;
}

static void op_delete(void *ctx)
{
	vmm_delete(ctx);
	pr_info("vm.delete: no VM now");
}

static int op_restore(void *ctx, const char *dir, char *err, size_t errlen)
{
	int e = vmm_restore(ctx, dir, true, err, errlen);
	if (e)
		pr_warn("vm.restore: %s", err);
	return e;
}

static int op_receive_migration(void *ctx, const char *url, char *err, size_t errlen)
{
	int e = vmm_receive_migration(ctx, url, err, errlen);
	if (e)
		pr_warn("vm.receive-migration: %s", err);
	return e;
}

static void op_vmm_shutdown(void *ctx)
{
	vmm_request_quit(ctx);
}

static int op_pause(void *ctx)
{
	struct vmm *v = ctx;
	struct vm *vm = lock_live_vm(v);
	if (!vm)
		return -ESHUTDOWN;
	int e = vm_pause(vm);
	pthread_mutex_unlock(&v->lock);
	return e;
}

static int op_resume(void *ctx)
{
	struct vmm *v = ctx;
	struct vm *vm = lock_live_vm(v);
	if (!vm)
		return -ESHUTDOWN;
	int e = vm_resume(vm);
	pthread_mutex_unlock(&v->lock);
	return e;
}

static void op_shutdown(void *ctx)
{
	struct vmm *v = ctx;
	pthread_mutex_lock(&v->lock);
	vmm_stop_vm_locked(v, VM_EVENT_POWEROFF);
	pthread_mutex_unlock(&v->lock);
}

static void op_reboot(void *ctx)
{
	struct vmm *v = ctx;
	pthread_mutex_lock(&v->lock);
	vmm_stop_vm_locked(v, VM_EVENT_REBOOT);
	pthread_mutex_unlock(&v->lock);
}

static uint64_t op_memory_size(void *ctx)
{
	struct vmm *v = ctx;
	pthread_mutex_lock(&v->lock);
	uint64_t n = active(v) ? v->session.vm.mem.ram_size
		   : v->has_config ? v->opts.memory_size : 0;
	pthread_mutex_unlock(&v->lock);
	return n;
}

static struct json_object *op_config(void *ctx)
{
	struct vmm *v = ctx;
	pthread_mutex_lock(&v->lock);
	struct json_object *cfg = v->has_config ? vmconfig_from_options(&v->opts)
						: json_object_new_object();
	pthread_mutex_unlock(&v->lock);
	return cfg;
}

/* Per device: its transport's counters; plus the vCPUs' exits. */
static struct json_object *op_counters(void *ctx)
{
	struct vmm *v = ctx;
	struct json_object *all = json_object_new_object();
	struct vm *vm = lock_live_vm(v);
	if (!vm)
		return all;
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
	pthread_mutex_unlock(&v->lock);
	json_object_object_add(cpus, "exits", json_object_new_int64((int64_t)exits));
	json_object_object_add(all, "vcpus", cpus);
	return all;
}

static int op_snapshot(void *ctx, const char *dir, char *err, size_t errlen)
{
	struct vmm *v = ctx;
	struct vm *vm = lock_live_vm(v);
	if (!vm) {
		snprintf(err, errlen, "the VM is not running");
		return -EBUSY;
	}
	int e = snapshot_save(vm, &v->opts, dir, err, errlen);
	pthread_mutex_unlock(&v->lock);
	return e;
}

static int op_send_migration(void *ctx, const char *url, unsigned int downtime_ms,
			     unsigned int bandwidth_mbps, char *err, size_t errlen)
{
	struct vmm *v = ctx;
	struct vm *vm = lock_live_vm(v);
	if (!vm) {
		snprintf(err, errlen, "the VM is not running");
		return -EBUSY;
	}
	struct migrate_result r;
	struct migrate_params p = { .downtime_ms = downtime_ms,
				    .bandwidth_mbps = bandwidth_mbps };
	int e = migrate_send(vm, &v->opts, url, &p, &r, err, errlen);
	if (e) {
		pthread_mutex_unlock(&v->lock);
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
	/* The guest runs on the destination: this copy goes (and, in a Kiln
	 * that serves on, is gone before the answer). */
	vmm_stop_vm_locked(v, VM_EVENT_MIGRATED);
	pthread_mutex_unlock(&v->lock);
	return 0;
}

const struct api_vm_ops vmm_api_ops = {
	.state = op_state,
	.create = op_create,
	.boot = op_boot,
	.delete_vm = op_delete,
	.restore = op_restore,
	.receive_migration = op_receive_migration,
	.vmm_shutdown = op_vmm_shutdown,
	.pause = op_pause,
	.resume = op_resume,
	.shutdown = op_shutdown,
	.reboot = op_reboot,
	.config = op_config,
	.counters = op_counters,
	.memory_size = op_memory_size,
	.snapshot = op_snapshot,
	.send_migration = op_send_migration,
};
