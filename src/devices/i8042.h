/* i8042 keyboard controller, enough for a PC guest: Linux probes it at
 * 0x60/0x64, and writing 0xfe (pulse reset line) to the command port is
 * the classic way to reset the machine. No keyboard or mouse is attached;
 * controller self-test, configuration byte and output port commands answer
 * as real hardware does. Port 0x61 (system control port B, PIT gate/speaker,
 * refresh toggle) is modelled here too since Linux polls its refresh bit.
 */
#ifndef KILN_DEVICES_I8042_H
#define KILN_DEVICES_I8042_H

#include "bus/io_bus.h"
#include "core/vm_event.h"

#include <stdint.h>

#define I8042_DATA_PORT 0x60
#define I8042_PORT_B 0x61
#define I8042_CMD_PORT 0x64

#define I8042_STATE_VERSION 1
struct i8042_state {
	uint32_t version;
	uint8_t status;
	uint8_t config;      /* controller configuration byte */
	uint8_t pending_cmd; /* command awaiting a data byte, or 0 */
	uint8_t outbuf;      /* byte waiting in the output buffer */
	uint8_t outbuf_full;
	uint8_t port_b;
	uint8_t pad[2];
};

struct i8042;

struct i8042 *i8042_create(const struct vm_event_sink *events);
void i8042_destroy(struct i8042 *kbd);

/* Register each port (0x60, 0x61, 0x64) as a 1-byte range with this ops
 * table; the offset passed in is 0 and the opaque is a
 * struct i8042_port { struct i8042 *kbd; uint16_t port; } from
 * i8042_port(kbd, port). */
extern const struct io_ops i8042_io_ops;
void *i8042_port(struct i8042 *kbd, uint16_t port);

void i8042_save(struct i8042 *kbd, struct i8042_state *out);
int i8042_restore(struct i8042 *kbd, const struct i8042_state *in)
	__attribute__((warn_unused_result));

#endif
