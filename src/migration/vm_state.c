/* A paused VM's state (all but RAM) to stream records and back. */
#include "migration/vm_state.h"

#include "arch/x86/cpu_state.h"
#include "core/log.h"
#include "devices/cmos_rtc.h"
#include "devices/i8042.h"
#include "devices/pci_host.h"
#include "devices/uart16550.h"
#include "virtio/virtio_pci.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAM_LAYOUT_VERSION 1
#define ACCEL_RECORD "accel-kvm"

struct ram_layout {
	uint32_t nr_regions;
	uint32_t reserved;
	struct {
		uint64_t gpa, size;
	} region[GUEST_MEM_MAX_REGIONS];
};

static int put(struct mig_writer *w, const char *name, uint32_t version,
	       uint32_t instance, const void *p, size_t len, char *err,
	       size_t errlen)
{
	int e = mig_write_record(w, name, version, instance, p, len);
	if (e)
		snprintf(err, errlen, "writing %s: %s", name, mig_writer_error(w));
	return e;
}

int vm_devices_pause(struct vm *vm, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < vm->nr_virtio; i++) {
		struct virtio_pci *t = vm->virtio[i].transport;
		int e = virtio_pci_pause(t);
		if (!e)
			continue;
		snprintf(err, errlen, "%s: %s", virtio_pci_name(t),
			 e == -EOPNOTSUPP ? "this device's state cannot be saved yet"
					  : strerror(-e));
		while (i-- > 0)
			if (virtio_pci_resume(vm->virtio[i].transport))
				pr_warn("%s: did not resume", virtio_pci_name(vm->virtio[i].transport));
		return e;
	}
	return 0;
}

void vm_devices_resume(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_virtio; i++)
		if (virtio_pci_resume(vm->virtio[i].transport))
			pr_warn("%s: did not resume after the save",
				virtio_pci_name(vm->virtio[i].transport));
}

/* One virtio device: its transport state, then the device's own bytes. */
#define VIRTIO_DEV_BYTES_MAX (64 * 1024)
static int save_virtio(struct vm *vm, struct mig_writer *w, unsigned int slot,
		       char *err, size_t errlen)
{
	struct virtio_pci *t = vm->virtio[slot].transport;
	size_t cap = sizeof(struct virtio_pci_state) + VIRTIO_DEV_BYTES_MAX;
	uint8_t *buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int e = virtio_pci_save(t, (struct virtio_pci_state *)buf);
	ssize_t dev_len = 0;
	if (!e) {
		dev_len = virtio_pci_save_device(t, buf + sizeof(struct virtio_pci_state),
						 VIRTIO_DEV_BYTES_MAX);
		if (dev_len < 0)
			e = (int)dev_len;
	}
	if (e)
		snprintf(err, errlen, "saving %s: %s", virtio_pci_name(t), strerror(-e));
	else
		e = put(w, "virtio", VIRTIO_PCI_STATE_VERSION, slot, buf,
			sizeof(struct virtio_pci_state) + (size_t)dev_len, err, errlen);
	free(buf);
	return e;
}

/* A backend without a VM-state blob (the soft CPU, for now) cannot take
 * part in snapshots or migration; say so before anything is written. */
int vm_state_supported(struct vm *vm, char *err, size_t errlen)
{
	if (vm->accel_ops->vm_state_size && vm->accel_ops->vm_save &&
	    vm->accel_ops->vm_restore)
		return 0;
	snprintf(err, errlen,
		 "the %s accelerator cannot save or restore a VM (snapshot, migration): use --accel kvm",
		 vm->accel_ops->name);
	return -ENOTSUP;
}

int vm_state_save(struct vm *vm, struct mig_writer *w, char *err, size_t errlen)
{
	int e;
	if ((e = vm_state_supported(vm, err, errlen)))
		return e;
	struct ram_layout lay = { .nr_regions = vm->mem.nr_regions };
	for (unsigned int i = 0; i < vm->mem.nr_regions; i++) {
		lay.region[i].gpa = vm->mem.regions[i].gpa;
		lay.region[i].size = vm->mem.regions[i].size;
	}
	if ((e = put(w, "ram-layout", RAM_LAYOUT_VERSION, 0, &lay, sizeof(lay), err, errlen)))
		return e;

	size_t cap = vm->accel_ops->vm_state_size(), len = 0;
	void *blob = malloc(cap);
	if (!blob) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e = vm->accel_ops->vm_save(vm->accel, blob, cap, &len);
	if (e)
		snprintf(err, errlen, "saving the accelerator's state: %s", strerror(-e));
	else
		e = put(w, ACCEL_RECORD, 1, 0, blob, len, err, errlen);
	free(blob);
	if (e)
		return e;

	struct x86_vcpu_state *cpu = malloc(sizeof(*cpu));
	if (!cpu) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < vm->nr_vcpus && !e; i++) {
		e = vm->accel_ops->vcpu_save(vm->vcpus[i]->accel, cpu);
		if (e)
			snprintf(err, errlen, "saving vCPU %u: %s", i, strerror(-e));
		else
			e = put(w, "vcpu", X86_VCPU_STATE_VERSION, i, cpu, sizeof(*cpu),
				err, errlen);
	}
	free(cpu);
	if (e)
		return e;

	struct uart_state us;
	struct cmos_rtc_state rs;
	struct i8042_state ks;
	uart_save(vm->com1, &us);
	cmos_rtc_save(vm->rtc, &rs);
	i8042_save(vm->kbd, &ks);
	uint32_t nr_pci = vm->nr_virtio;
	if ((e = put(w, "uart", UART_STATE_VERSION, 0, &us, sizeof(us), err, errlen)) ||
	    (e = put(w, "rtc", CMOS_RTC_STATE_VERSION, 0, &rs, sizeof(rs), err, errlen)) ||
	    (e = put(w, "i8042", I8042_STATE_VERSION, 0, &ks, sizeof(ks), err, errlen)) ||
	    (e = put(w, "pci-devices", 1, 0, &nr_pci, sizeof(nr_pci), err, errlen)))
		return e;
	struct pci_device_state *host = malloc(sizeof(*host));
	if (!host) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pci_device_save(&vm->pci_host->dev, host);
	e = put(w, "pci-host", PCI_DEVICE_STATE_VERSION, 0, host, sizeof(*host), err, errlen);
	free(host);
	for (unsigned int i = 0; i < vm->nr_virtio && !e; i++)
		e = save_virtio(vm, w, i, err, errlen);
	return e;
}

/* ---- loading ------------------------------------------------------------ */

enum { R_LAYOUT, R_ACCEL, R_UART, R_RTC, R_I8042, R_PCI, R_PCI_HOST, R_FIXED };

struct loader {
	struct vm *vm;
	struct mig_reader *r;
	bool seen[R_FIXED];
	bool *vcpu_seen;
	bool virtio_seen[sizeof(((struct vm *)0)->virtio) / sizeof(((struct vm *)0)->virtio[0])];
	char *err;
	size_t errlen;
};

/* Read the current record's whole payload, of exactly `len` bytes. */
static int take(struct loader *l, const struct mig_record_info *info,
		const char *name, uint32_t version, void *buf, size_t len)
{
	int e = mig_check_record(l->r, info, name, version, len, len);
	if (!e)
		e = mig_read_payload(l->r, buf, len);
	if (e)
		snprintf(l->err, l->errlen, "%s", mig_error(l->r));
	else if (info->version != version) {
		snprintf(l->err, l->errlen, "%s: section version %u, this Kiln reads %u",
			 name, info->version, version);
		e = -EPROTONOSUPPORT;
	}
	return e;
}

static int once(struct loader *l, unsigned int which, const char *name)
{
	if (l->seen[which]) {
		snprintf(l->err, l->errlen, "the stream has two %s sections", name);
		return -EPROTO;
	}
	l->seen[which] = true;
	return 0;
}

static int load_layout(struct loader *l, const struct mig_record_info *info)
{
	struct ram_layout lay;
	int e = take(l, info, "ram-layout", RAM_LAYOUT_VERSION, &lay, sizeof(lay));
	if (e)
		return e;
	const struct guest_mem *m = &l->vm->mem;
	bool same = lay.nr_regions == m->nr_regions && !lay.reserved;
	for (unsigned int i = 0; same && i < m->nr_regions; i++)
		same = lay.region[i].gpa == m->regions[i].gpa &&
		       lay.region[i].size == m->regions[i].size;
	if (!same) {
		snprintf(l->err, l->errlen, "the stream's RAM layout differs from this VM's");
		return -EPROTO;
	}
	return 0;
}

static int load_accel(struct loader *l, const struct mig_record_info *info)
{
	struct vm *vm = l->vm;
	size_t cap = vm->accel_ops->vm_state_size();
	int e = mig_check_record(l->r, info, ACCEL_RECORD, 1, 1, cap);
	if (e) {
		snprintf(l->err, l->errlen, "%s", mig_error(l->r));
		return e;
	}
	void *blob = malloc(cap);
	if (!blob) {
		snprintf(l->err, l->errlen, "out of memory");
		return -ENOMEM;
	}
	e = mig_read_payload(l->r, blob, cap);
	if (e)
		snprintf(l->err, l->errlen, "%s", mig_error(l->r));
	else
		e = vm->accel_ops->vm_restore(vm->accel, blob, info->len, l->err, l->errlen);
	free(blob);
	return e;
}

static int load_vcpu(struct loader *l, const struct mig_record_info *info)
{
	struct vm *vm = l->vm;
	if (info->instance >= vm->nr_vcpus || l->vcpu_seen[info->instance]) {
		snprintf(l->err, l->errlen, "vcpu section for vCPU %u: %s", info->instance,
			 info->instance >= vm->nr_vcpus ? "no such vCPU" : "twice");
		return -EPROTO;
	}
	l->vcpu_seen[info->instance] = true;
	struct x86_vcpu_state *s = malloc(sizeof(*s));
	if (!s) {
		snprintf(l->err, l->errlen, "out of memory");
		return -ENOMEM;
	}
	int e = take(l, info, "vcpu", X86_VCPU_STATE_VERSION, s, sizeof(*s));
	if (!e)
		e = vm->accel_ops->vcpu_restore(vm->vcpus[info->instance]->accel, s,
						l->err, l->errlen);
	free(s);
	return e;
}

static int load_virtio(struct loader *l, const struct mig_record_info *info)
{
	struct vm *vm = l->vm;
	if (!l->seen[R_PCI] || info->instance >= vm->nr_virtio ||
	    l->virtio_seen[info->instance]) {
		snprintf(l->err, l->errlen, "virtio section for device %u: %s", info->instance,
			 !l->seen[R_PCI] ? "before pci-devices"
			 : info->instance >= vm->nr_virtio ? "no such device" : "twice");
		return -EPROTO;
	}
	l->virtio_seen[info->instance] = true;
	size_t min = sizeof(struct virtio_pci_state);
	int e = mig_check_record(l->r, info, "virtio", VIRTIO_PCI_STATE_VERSION, min,
				 min + VIRTIO_DEV_BYTES_MAX);
	if (e) {
		snprintf(l->err, l->errlen, "%s", mig_error(l->r));
		return e;
	}
	uint8_t *buf = malloc(info->len);
	if (!buf) {
		snprintf(l->err, l->errlen, "out of memory");
		return -ENOMEM;
	}
	e = mig_read_payload(l->r, buf, info->len);
	if (e) {
		snprintf(l->err, l->errlen, "%s", mig_error(l->r));
	} else {
		struct virtio_pci *t = vm->virtio[info->instance].transport;
		char why[256];
		e = virtio_pci_restore(t, (const struct virtio_pci_state *)buf, buf + min,
				       info->len - min, why, sizeof(why));
		if (e)
			snprintf(l->err, l->errlen, "%s: %s", virtio_pci_name(t), why);
	}
	free(buf);
	return e;
}

static int load_pci_host(struct loader *l, const struct mig_record_info *info)
{
	struct pci_device_state *s = malloc(sizeof(*s));
	if (!s) {
		snprintf(l->err, l->errlen, "out of memory");
		return -ENOMEM;
	}
	int e = take(l, info, "pci-host", PCI_DEVICE_STATE_VERSION, s, sizeof(*s));
	if (!e) {
		char why[256];
		e = pci_device_restore(&l->vm->pci_host->dev, s, why, sizeof(why));
		if (e)
			snprintf(l->err, l->errlen, "pci-host: %s", why);
	}
	free(s);
	return e;
}

static int load_record(struct loader *l, const struct mig_record_info *info)
{
	struct vm *vm = l->vm;
	const char *n = info->name;
	int e;
	if (!strcmp(n, "vcpu"))
		return load_vcpu(l, info);
	if (!strcmp(n, "virtio"))
		return load_virtio(l, info);
	if (!strcmp(n, "pci-host"))
		return (e = once(l, R_PCI_HOST, n)) ? e : load_pci_host(l, info);
	if (!strcmp(n, "ram-layout"))
		return (e = once(l, R_LAYOUT, n)) ? e : load_layout(l, info);
	if (!strcmp(n, ACCEL_RECORD))
		return (e = once(l, R_ACCEL, n)) ? e : load_accel(l, info);
	if (!strcmp(n, "uart")) {
		struct uart_state s;
		if ((e = once(l, R_UART, n)) || (e = take(l, info, n, UART_STATE_VERSION, &s, sizeof(s))))
			return e;
		if ((e = uart_restore(vm->com1, &s)))
			snprintf(l->err, l->errlen, "uart: state refused");
		return e;
	}
	if (!strcmp(n, "rtc")) {
		struct cmos_rtc_state s;
		if ((e = once(l, R_RTC, n)) || (e = take(l, info, n, CMOS_RTC_STATE_VERSION, &s, sizeof(s))))
			return e;
		if ((e = cmos_rtc_restore(vm->rtc, &s)))
			snprintf(l->err, l->errlen, "rtc: state refused");
		return e;
	}
	if (!strcmp(n, "i8042")) {
		struct i8042_state s;
		if ((e = once(l, R_I8042, n)) || (e = take(l, info, n, I8042_STATE_VERSION, &s, sizeof(s))))
			return e;
		if ((e = i8042_restore(vm->kbd, &s)))
			snprintf(l->err, l->errlen, "i8042: state refused");
		return e;
	}
	if (!strcmp(n, "pci-devices")) {
		uint32_t nr;
		if ((e = once(l, R_PCI, n)) || (e = take(l, info, n, 1, &nr, sizeof(nr))))
			return e;
		if (nr != vm->nr_virtio) {
			snprintf(l->err, l->errlen, "the stream has %u PCI devices, this VM %u",
				 nr, vm->nr_virtio);
			return -EPROTO;
		}
		return 0;
	}
	snprintf(l->err, l->errlen, "unknown section '%s' in the stream", n);
	return -EPROTO;
}

static const char *const fixed_names[R_FIXED] = {
	"ram-layout", ACCEL_RECORD, "uart", "rtc", "i8042", "pci-devices", "pci-host",
};

int vm_state_load(struct vm *vm, struct mig_reader *r, char *err, size_t errlen)
{
	if (vm_state_supported(vm, err, errlen))
		return -ENOTSUP;
	struct loader l = { .vm = vm, .r = r, .err = err, .errlen = errlen };
	l.vcpu_seen = calloc(vm->nr_vcpus ? vm->nr_vcpus : 1, sizeof(bool));
	if (!l.vcpu_seen) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int e;
	for (;;) {
		struct mig_record_info info;
		bool end;
		e = mig_next_record(r, &info, &end);
		if (e) {
			snprintf(err, errlen, "%s", mig_error(r));
			break;
		}
		if (end)
			break;
		if ((e = load_record(&l, &info)))
			break;
	}
	for (unsigned int i = 0; !e && i < R_FIXED; i++) {
		if (!l.seen[i]) {
			snprintf(err, errlen, "the stream has no %s section", fixed_names[i]);
			e = -EPROTO;
		}
	}
	for (unsigned int i = 0; !e && i < vm->nr_virtio; i++) {
		if (!l.virtio_seen[i]) {
			snprintf(err, errlen, "the stream has no state for virtio device %u", i);
			e = -EPROTO;
		}
	}
	for (unsigned int i = 0; !e && i < vm->nr_vcpus; i++) {
		if (!l.vcpu_seen[i]) {
			snprintf(err, errlen, "the stream has no state for vCPU %u", i);
			e = -EPROTO;
		}
	}
	free(l.vcpu_seen);
	return e;
}
