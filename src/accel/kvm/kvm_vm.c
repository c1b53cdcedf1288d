/* The KVM virtual machine: open /dev/kvm, create the VM with its in-kernel
 * interrupt controllers and PIT, and map guest RAM into it. */
#include "accel/kvm/kvm_internal.h"
#include "arch/x86/layout.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define KVM_DEVICE "/dev/kvm"

static void kvm_destroy(struct accel *a)
{
	if (!a)
		return;
	if (a->vm_fd >= 0)
		close(a->vm_fd);
	if (a->kvm_fd >= 0)
		close(a->kvm_fd);
	free(a->supported_cpuid);
	free(a->dirty_scratch);
	kvm_irq_destroy(a);
	free(a);
}

/* KVM_GET_SUPPORTED_CPUID wants a buffer big enough; grow until it fits. */
static struct kvm_cpuid2 *get_supported_cpuid(int kvm_fd)
{
	for (unsigned int n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c =
			calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

/* Some sandboxes (PVM) offer a /dev/kvm that runs only guests built for
 * it, without VT-x or AMD-V underneath. An unmodified kernel dies there
 * with an emulation error deep in its boot, so refuse up front. */
static bool host_has_hw_virt(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return true; /* cannot tell: let KVM decide */
	char line[4096];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		found = strstr(line, " vmx") || strstr(line, " svm");
		break;
	}
	fclose(f);
	return found;
}

static int map_memory(struct accel *a, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < a->mem->nr_regions; i++) {
		const struct guest_mem_region *r = &a->mem->regions[i];
		struct kvm_userspace_memory_region region = {
			.slot = i,
			.guest_phys_addr = r->gpa,
			.memory_size = r->size,
			.userspace_addr = (uint64_t)(uintptr_t)r->host,
		};
		if (ioctl(a->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
			int e = errno;
			snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION: %s",
				 strerror(e));
			return -e;
		}
	}
	return 0;
}

/* Open /dev/kvm and check that it can run Kiln's guests: 0 with *kvm_fd
 * open, or -errno with *kvm_fd -1 or open (the caller closes it) and a
 * reason in err. */
static int open_kvm(int *kvm_fd, char *err, size_t errlen)
{
	const char *dev = KVM_DEVICE;
	int e;
	*kvm_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (*kvm_fd < 0) {
		e = errno;
		snprintf(err, errlen,
			 "cannot open %s: %s (KVM is not available on this host)",
			 dev, strerror(e));
		return -e;
	}
	if (!host_has_hw_virt()) {
		e = ENODEV;
		snprintf(err, errlen,
			 "%s has no hardware virtualization behind it (no vmx or svm CPU flag; a PVM sandbox?): KVM is not available on this host",
			 dev);
		return -e;
	}
	int version = ioctl(*kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		e = EINVAL;
		snprintf(err, errlen, "%s speaks KVM API %d, Kiln needs %d", dev,
			 version, KVM_API_VERSION);
		return -e;
	}
	static const struct {
		int cap;
		const char *name;
	} needed[] = {
		{ KVM_CAP_IRQCHIP, "IRQCHIP" },
		{ KVM_CAP_USER_MEMORY, "USER_MEMORY" },
		{ KVM_CAP_EXT_CPUID, "EXT_CPUID" },
		{ KVM_CAP_PIT2, "PIT2" },
		{ KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT" },
	};
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (ioctl(*kvm_fd, KVM_CHECK_EXTENSION, needed[i].cap) <= 0) {
			e = ENOTSUP;
			snprintf(err, errlen, "KVM lacks KVM_CAP_%s",
				 needed[i].name);
			return -e;
		}
	}
	return 0;
}

bool kvm_accel_usable(char *why, size_t whylen)
{
	int fd = -1;
	int e = open_kvm(&fd, why, whylen);
	if (fd >= 0)
		close(fd);
	return e == 0;
}

static int kvm_create(struct accel **out, struct guest_mem *mem, char *err,
		      size_t errlen)
{
	struct accel *a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	a->vm_fd = -1;
	a->mem = mem;
	kvm_irq_init(a);
	int e;

	if ((e = -open_kvm(&a->kvm_fd, err, errlen)))
		goto fail;
	kvm_irq_probe(a); /* optional capabilities: -ENOTSUP later */
	a->run_size = ioctl(a->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (a->run_size < (int)sizeof(struct kvm_run)) {
		e = EINVAL;
		snprintf(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: bad size %d",
			 a->run_size);
		goto fail;
	}
	a->supported_cpuid = get_supported_cpuid(a->kvm_fd);
	if (!a->supported_cpuid) {
		e = errno ? errno : ENOMEM;
		snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(e));
		goto fail;
	}

	a->vm_fd = ioctl(a->kvm_fd, KVM_CREATE_VM, 0);
	if (a->vm_fd < 0) {
		e = errno;
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(e));
		goto fail;
	}
	/* Intel needs a TSS and an identity-map page outside RAM for
	 * real-mode emulation; harmless on AMD. */
	if (ioctl(a->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)X86_KVM_TSS_ADDR) < 0) {
		e = errno;
		snprintf(err, errlen, "KVM_SET_TSS_ADDR: %s", strerror(e));
		goto fail;
	}
	uint64_t idmap = X86_KVM_IDENTITY_MAP;
	if (ioctl(a->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		pr_debug("KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));

	/* PIC + IOAPIC + LAPICs in the kernel, and the PIT: interrupts and
	 * timers cost no trip to user space. */
	if (ioctl(a->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		e = errno;
		snprintf(err, errlen, "KVM_CREATE_IRQCHIP: %s", strerror(e));
		goto fail;
	}
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	if (ioctl(a->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		e = errno;
		snprintf(err, errlen, "KVM_CREATE_PIT2: %s", strerror(e));
		goto fail;
	}
	e = -map_memory(a, err, errlen);
	if (e)
		goto fail;
	*out = a;
	return 0;
fail:
	kvm_destroy(a);
	return -e;
}

static void kvm_set_irq_line(struct accel *a, uint32_t gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level ? 1 : 0 };
	if (ioctl(a->vm_fd, KVM_IRQ_LINE, &irq) < 0)
		pr_guest(LOG_WARN, "KVM_IRQ_LINE gsi %u: %s", gsi, strerror(errno));
}

const struct accel_ops kvm_accel_ops = {
	.name = "kvm",
	.create = kvm_create,
	.destroy = kvm_destroy,
	.set_irq_line = kvm_set_irq_line,
	.signal_msi = kvm_signal_msi,
	.msi_irqfd_add = kvm_msi_irqfd_add,
	.msi_irqfd_update = kvm_msi_irqfd_update,
	.msi_irqfd_remove = kvm_msi_irqfd_remove,
	.ioeventfd_add = kvm_ioeventfd_add,
	.ioeventfd_remove = kvm_ioeventfd_remove,
	.vcpu_create = kvm_vcpu_create,
	.vcpu_set_boot_state = kvm_vcpu_set_boot_state,
	.vcpu_run = kvm_vcpu_run,
	.vcpu_kick = kvm_vcpu_kick,
	.vm_state_size = kvm_vm_state_size,
	.vm_save = kvm_vm_save,
	.vm_restore = kvm_vm_restore,
	.vcpu_save = kvm_vcpu_save,
	.vcpu_restore = kvm_vcpu_restore,
	.dirty_log_start = kvm_dirty_log_start,
	.dirty_log_stop = kvm_dirty_log_stop,
	.dirty_log_fetch = kvm_dirty_log_fetch,
	.vcpu_dump = kvm_vcpu_dump,
	.vcpu_destroy = kvm_vcpu_destroy,
};
