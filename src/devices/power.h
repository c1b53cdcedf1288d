/* The two small devices through which a guest ends its life:
 *
 * - the ACPI sleep/reset register (hardware-reduced ACPI: the FADT's
 *   SLEEP_CONTROL_REG, SLEEP_STATUS_REG and RESET_REG all point at one I/O
 *   port). Writing SLP_EN with SLP_TYP 5 (the DSDT's \_S5) powers off;
 *   writing the FADT's reset value reboots.
 * - pvpanic (ACPI device QEMU0001, one I/O port): the guest's pvpanic
 *   driver writes bit 0 when its kernel panics. Reading returns the
 *   supported events.
 */
#ifndef KILN_DEVICES_POWER_H
#define KILN_DEVICES_POWER_H

#include "bus/io_bus.h"
#include "core/vm_event.h"

#define ACPI_SLEEP_PORT 0x600
#define ACPI_SLEEP_IO_LEN 1
#define ACPI_RESET_VALUE 0x01
#define ACPI_S5_SLP_TYP 5
#define ACPI_SLP_TYP_SHIFT 2
#define ACPI_SLP_EN (1u << 5)

#define PVPANIC_PORT 0x505
#define PVPANIC_IO_LEN 1
#define PVPANIC_PANICKED (1u << 0)
#define PVPANIC_CRASH_LOADED (1u << 1)

/* opaque for both: a struct vm_event_sink * that outlives the range. */
extern const struct io_ops acpi_sleep_io_ops; /* IO_WIDTH_1 */
extern const struct io_ops pvpanic_io_ops;    /* IO_WIDTH_1 */

#endif
