#include "machine/pc.h"

#include "arch/x86/acpi.h"
#include "arch/x86/layout.h"
#include "arch/x86/reset_vector.h"
#include "core/log.h"
#include "devices/cmos_rtc.h"
#include "devices/i8042.h"
#include "devices/power.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POST_PORT 0x80 /* Linux's io_delay writes here constantly */

static void pc_set_irq(void *ctx, uint32_t gsi, int level)
{
	struct vm *vm = ctx;
	if (vm->accel && vm->accel_ops->set_irq_line)
		vm->accel_ops->set_irq_line(vm->accel, gsi, level);
}

static uint64_t post_read(void *opaque, uint64_t off, unsigned int size)
{
	return 0xff;
}
static void post_write(void *opaque, uint64_t off, uint64_t v, unsigned int size)
{
}
static const struct io_ops post_io_ops = { .read = post_read, .write = post_write };

static int add_pio(struct vm *vm, uint64_t base, uint64_t len,
		   const struct io_ops *ops, void *opaque, const char *name,
		   char *err, size_t errlen)
{
	int e = io_bus_register(&vm->pio, base, len, IO_WIDTH_1, ops, opaque, name);
	if (e)
		snprintf(err, errlen, "cannot place %s at port 0x%llx: %s", name,
			 (unsigned long long)base, strerror(-e));
	return e;
}

static int add_legacy_devices(struct vm *vm, const struct pc_config *cfg,
			      char *err, size_t errlen)
{
	struct irq_line com1_irq = { pc_set_irq, vm, UART_COM1_IRQ };
	struct irq_line rtc_irq = { pc_set_irq, vm, CMOS_RTC_IRQ };

	vm->com1 = uart_create(&com1_irq, cfg->serial);
	vm->rtc = cmos_rtc_create(&rtc_irq, NULL);
	vm->kbd = i8042_create(&vm->events);
	if (!vm->com1 || !vm->rtc || !vm->kbd) {
		snprintf(err, errlen, "out of memory creating devices");
		return -ENOMEM;
	}
	uint64_t low = guest_mem_low_end(&vm->mem);
	cmos_rtc_set_memory(vm->rtc, low, vm->mem.ram_size - low);

	int e;
	if ((e = add_pio(vm, UART_COM1_BASE, UART_IO_LEN, &uart_io_ops, vm->com1,
			 "com1", err, errlen)) ||
	    (e = add_pio(vm, CMOS_RTC_BASE, CMOS_RTC_IO_LEN, &cmos_rtc_io_ops,
			 vm->rtc, "rtc", err, errlen)) ||
	    (e = add_pio(vm, I8042_DATA_PORT, 1, &i8042_io_ops,
			 i8042_port(vm->kbd, I8042_DATA_PORT), "i8042", err, errlen)) ||
	    (e = add_pio(vm, I8042_PORT_B, 1, &i8042_io_ops,
			 i8042_port(vm->kbd, I8042_PORT_B), "port-b", err, errlen)) ||
	    (e = add_pio(vm, I8042_CMD_PORT, 1, &i8042_io_ops,
			 i8042_port(vm->kbd, I8042_CMD_PORT), "i8042", err, errlen)) ||
	    (e = add_pio(vm, ACPI_SLEEP_PORT, ACPI_SLEEP_IO_LEN, &acpi_sleep_io_ops,
			 &vm->events, "acpi-sleep", err, errlen)) ||
	    (e = add_pio(vm, PVPANIC_PORT, PVPANIC_IO_LEN, &pvpanic_io_ops,
			 &vm->events, "pvpanic", err, errlen)) ||
	    (e = add_pio(vm, POST_PORT, 1, &post_io_ops, NULL, "post", err,
			 errlen)))
		return e;
	return 0;
}

static int create_vcpus(struct vm *vm, const struct pc_config *cfg,
			const struct x86_boot_cpu *boot, char *err,
			size_t errlen)
{
	for (unsigned int i = 0; i < cfg->nr_cpus; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));
		if (!v) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		v->vm = vm;
		v->index = i;
		vm->vcpus[i] = v;
		vm->nr_vcpus = i + 1;
		int e = vm->accel_ops->vcpu_create(vm->accel, i, cfg->nr_cpus,
						   &v->accel, err, errlen);
		if (e)
			return e;
	}
	if (!boot)
		return 0; /* restoring: the snapshot brings every register */
	/* Only the bootstrap processor gets the kernel's entry state; the
	 * others wait for INIT/SIPI from it, as on a real PC. */
	int e = vm->accel_ops->vcpu_set_boot_state(vm->vcpus[0]->accel, boot);
	if (e)
		snprintf(err, errlen, "cannot set the boot vCPU's registers: %s",
			 strerror(-e));
	return e;
}

static int build(struct vm *vm, const struct accel_ops *accel,
		 const struct pc_config *cfg, bool *tty_in_taken, char *err,
		 size_t errlen)
{
	int e;
	vm->accel_ops = accel;
	if (cfg->nr_cpus < 1 || cfg->nr_cpus > VM_MAX_VCPUS) {
		snprintf(err, errlen, "%u vCPUs: must be 1 to %d", cfg->nr_cpus,
			 VM_MAX_VCPUS);
		return -EINVAL;
	}

	e = guest_mem_init(&vm->mem, cfg->ram_size, X86_PCI_HOLE_START,
			   cfg->backing);
	if (e) {
		snprintf(err, errlen, "cannot allocate %llu MiB of guest memory%s: %s",
			 (unsigned long long)(cfg->ram_size >> 20),
			 cfg->backing == GUEST_MEM_HUGETLB ? " on hugepages" : "",
			 strerror(-e));
		return e;
	}
	if ((e = add_legacy_devices(vm, cfg, err, errlen)) ||
	    (e = pc_add_pci(vm, err, errlen)))
		return e;
	if (cfg->rng && (e = pc_add_virtio_rng(vm, err, errlen)))
		return e;
	for (unsigned int i = 0; i < cfg->nr_disks; i++)
		if ((e = pc_add_virtio_blk(vm, &cfg->disks[i], err, errlen)))
			return e;
	for (unsigned int i = 0; i < cfg->nr_nets; i++)
		if ((e = pc_add_virtio_net(vm, &cfg->nets[i], i, err, errlen)))
			return e;
	if (cfg->vsock_cid && (e = pc_add_virtio_vsock(vm, cfg->vsock_cid, err, errlen)))
		return e;
	*tty_in_taken = cfg->console != CHAR_BACKEND_OFF;
	if (cfg->console != CHAR_BACKEND_OFF &&
	    (e = pc_add_virtio_console(vm, cfg->console, cfg->console_path,
				       cfg->console_tty_in, err, errlen)))
		return e;

	/* Virtio devices interrupt by MSI-X only; a backend without MSIs
	 * would leave their drivers waiting forever. Checked after the
	 * devices opened their files, whose errors come first. */
	const char *virtio_flag = cfg->rng ? "--rng" : cfg->nr_disks ? "--disk"
				: cfg->nr_nets ? "--net" : cfg->vsock_cid ? "--vsock"
				: cfg->console != CHAR_BACKEND_OFF ? "--console" : NULL;
	if (virtio_flag && !accel->signal_msi) {
		snprintf(err, errlen,
			 "%s: virtio devices need MSI interrupts, which the %s accelerator does not have yet (use --accel kvm)",
			 virtio_flag, accel->name);
		return -ENOTSUP;
	}

	struct acpi_config acpi = { .nr_cpus = cfg->nr_cpus,
				    .max_cpus = cfg->nr_cpus,
				    .oem_id = "KILN  " };
	uint64_t rsdp = 0;
	if ((e = acpi_build(&vm->mem, &acpi, &rsdp))) {
		snprintf(err, errlen, "cannot build ACPI tables: %s", strerror(-e));
		return e;
	}

	if ((e = x86_write_reset_vector(&vm->mem))) {
		snprintf(err, errlen, "cannot write the reset vector: %s",
			 strerror(-e));
		return e;
	}

	struct boot_request req = {
		.kernel = cfg->kernel, .kernel_len = cfg->kernel_len,
		.info = cfg->kernel_info, .initrd = cfg->initrd,
		.initrd_len = cfg->initrd_len, .cmdline = cfg->cmdline,
		.rsdp_addr = rsdp,
	};
	struct x86_boot_cpu boot;
	if (!cfg->restoring &&
	    (e = x86_boot_load(&vm->mem, &req, &boot, err, errlen)))
		return e;

	if ((e = accel->create(&vm->accel, &vm->mem, err, errlen)))
		return e;
	if (accel->attach_buses)
		accel->attach_buses(vm->accel, &vm->pio, &vm->mmio);
	/* The RTC's interrupts need the interrupt controller, so its clock
	 * starts ticking only now. */
	if ((e = cmos_rtc_start_timer(vm->rtc))) {
		snprintf(err, errlen, "cannot start the RTC timer: %s", strerror(-e));
		return e;
	}
	return create_vcpus(vm, cfg, cfg->restoring ? NULL : &boot, err, errlen);
}

int pc_build(struct vm *vm, const struct accel_ops *accel,
	     const struct pc_config *cfg, char *err, size_t errlen)
{
	bool taken = false;
	int e = build(vm, accel, cfg, &taken, err, errlen);
	/* A failure before the console device took its input leaves it to
	 * us: a VMM that serves on must not leak it. */
	if (e && !taken && cfg->console == CHAR_BACKEND_TTY && cfg->console_tty_in >= 0)
		close(cfg->console_tty_in);
	return e;
}
