/* ACPI sleep/reset register and pvpanic. See power.h for the contract.
 *
 * Both only translate a guest write into a vm_event; the VMM decides what
 * powering off, rebooting or a panic means.
 */
#include "devices/power.h"

#include "core/log.h"

#include <stdatomic.h>
#include <stdint.h>

static uint64_t acpi_sleep_read(void *opaque, uint64_t offset,
				unsigned int size)
{
	/* Sleep status: the guest never wakes from a sleep we support, so
	 * WAK_STS is never set. */
	return 0;
}

static void acpi_sleep_write(void *opaque, uint64_t offset, uint64_t value,
			     unsigned int size)
{
	const struct vm_event_sink *sink = opaque;
	uint8_t v = (uint8_t)value;

	/* The FADT's reset value has no SLP_EN, so it cannot be mistaken for
	 * a sleep request. */
	pr_guest(LOG_DEBUG, "acpi: guest wrote 0x%02x to the sleep/reset register", v);
	if (v == ACPI_RESET_VALUE) {
		vm_event_raise(sink, VM_EVENT_REBOOT);
		return;
	}
	if (!(v & ACPI_SLP_EN))
		return; /* e.g. clearing WAK_STS through the status register */
	unsigned int typ = (v >> ACPI_SLP_TYP_SHIFT) & 7;
	if (typ == ACPI_S5_SLP_TYP) {
		vm_event_raise(sink, VM_EVENT_POWEROFF);
		return;
	}
	/* Our DSDT offers only \_S5, so another type is a confused guest;
	 * it stays running, as real hardware without that state would. */
	static atomic_flag warned = ATOMIC_FLAG_INIT;
	if (!atomic_flag_test_and_set(&warned))
		pr_warn("acpi: guest asked for unsupported sleep type %u, ignored",
			typ);
}

const struct io_ops acpi_sleep_io_ops = {
	.read = acpi_sleep_read,
	.write = acpi_sleep_write,
};

static uint64_t pvpanic_read(void *opaque, uint64_t offset, unsigned int size)
{
	/* The events we understand; the guest driver only uses these. */
	return PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
}

static void pvpanic_write(void *opaque, uint64_t offset, uint64_t value,
			  unsigned int size)
{
	const struct vm_event_sink *sink = opaque;

	if (value & PVPANIC_PANICKED)
		vm_event_raise(sink, VM_EVENT_PANIC);
	else if (value & PVPANIC_CRASH_LOADED)
		/* The guest will reboot into its kdump kernel by itself. */
		pr_guest(LOG_INFO, "guest loaded a crash kernel");
}

const struct io_ops pvpanic_io_ops = {
	.read = pvpanic_read,
	.write = pvpanic_write,
};
