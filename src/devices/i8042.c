/* i8042 keyboard controller and port 0x61. See i8042.h for the contract.
 *
 * The controller answers its own commands (self-tests, configuration byte,
 * output port, the internal loopback commands) as real hardware does; no
 * keyboard or mouse is attached, so bytes sent to them get no answer, which
 * Linux's atkbd/psmouse probes treat as "no device". Commands are executed
 * the moment they are written, so the input buffer is never full.
 *
 * No interrupt lines are wired: replies are polled, as Linux does while
 * probing. One consequence: Linux's AUX IRQ test (after the loopback test
 * succeeds) waits 250 ms for IRQ 12 and then decides there is no AUX port,
 * which is the right answer; boot with i8042.noaux to skip the wait.
 */
#include "devices/i8042.h"

#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define STR_OBF 0x01
#define STR_IBF 0x02
#define STR_SYS 0x04
#define STR_CMD 0x08     /* last write went to the command port */
#define STR_KEYLOCK 0x10 /* 1 = keyboard not inhibited by the key lock */
#define STR_AUXDATA 0x20
#define STR_TIMEOUT 0x40
#define STR_PARITY 0x80

#define CTR_KBDINT 0x01
#define CTR_AUXINT 0x02
#define CTR_SYS 0x04
#define CTR_KBDDIS 0x10
#define CTR_AUXDIS 0x20
#define CTR_XLATE 0x40
#define CTR_RESERVED 0x80

#define CMD_READ_CTR 0x20
#define CMD_WRITE_CTR 0x60
#define CMD_AUX_DISABLE 0xa7
#define CMD_AUX_ENABLE 0xa8
#define CMD_AUX_TEST 0xa9
#define CMD_CTL_TEST 0xaa
#define CMD_KBD_TEST 0xab
#define CMD_KBD_DISABLE 0xad
#define CMD_KBD_ENABLE 0xae
#define CMD_READ_OUTPUT 0xd0
#define CMD_WRITE_OUTPUT 0xd1
#define CMD_KBD_LOOP 0xd2
#define CMD_AUX_LOOP 0xd3
#define CMD_AUX_SEND 0xd4
#define CMD_PULSE_FIRST 0xf0

#define OUTPUT_RESET 0x01 /* active low: 0 holds the CPU in reset */
#define OUTPUT_A20 0x02

#define PORT_B_WRITABLE 0x0f /* timer 2 gate, speaker, parity/IOCHK enables */
#define PORT_B_REFRESH 0x10
#define PORT_B_OUT2 0x20

/* Layout the header promises for the opaque of each port range. */
struct i8042_port {
	struct i8042 *kbd;
	uint16_t port;
};

struct i8042 {
	pthread_mutex_t lock;
	struct vm_event_sink events;
	struct i8042_port ports[3];

	uint8_t status;
	uint8_t config;
	uint8_t pending_cmd;
	uint8_t outbuf;
	bool outbuf_full;
	uint8_t port_b;

	uint64_t dropped_bytes; /* sent to the absent keyboard or mouse */
};

/* Place a reply in the output buffer; a newer byte replaces an unread one
 * (the controller has a single output register). */
static void put_output(struct i8042 *kbd, uint8_t byte, bool aux)
{
	kbd->outbuf = byte;
	kbd->outbuf_full = true;
	kbd->status |= STR_OBF;
	if (aux)
		kbd->status |= STR_AUXDATA;
	else
		kbd->status &= (uint8_t)~STR_AUXDATA;
}

static void set_config(struct i8042 *kbd, uint8_t val)
{
	kbd->config = val & (uint8_t)~CTR_RESERVED;
	/* The status register's system flag mirrors the CTR's. */
	if (kbd->config & CTR_SYS)
		kbd->status |= STR_SYS;
	else
		kbd->status &= (uint8_t)~STR_SYS;
}

/* Returns the event to raise once the lock is dropped. */
static enum vm_event write_command(struct i8042 *kbd, uint8_t cmd)
{
	kbd->status |= STR_CMD;
	kbd->pending_cmd = 0; /* a new command abandons a pending one */

	if (cmd >= CMD_PULSE_FIRST) {
		/* Bits 0-3 low = pulse those output lines; line 0 is reset.
		 * 0xfe is the classic reboot. */
		return (cmd & OUTPUT_RESET) ? VM_EVENT_NONE : VM_EVENT_REBOOT;
	}
	switch (cmd) {
	case CMD_READ_CTR:
		put_output(kbd, kbd->config, false);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPUT:
	case CMD_KBD_LOOP:
	case CMD_AUX_LOOP:
	case CMD_AUX_SEND:
		kbd->pending_cmd = cmd;
		break;
	case CMD_AUX_DISABLE:
		kbd->config |= CTR_AUXDIS;
		break;
	case CMD_AUX_ENABLE:
		kbd->config &= (uint8_t)~CTR_AUXDIS;
		break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		put_output(kbd, 0x00, false); /* interface lines OK */
		break;
	case CMD_CTL_TEST:
		kbd->status |= STR_SYS;
		put_output(kbd, 0x55, false);
		break;
	case CMD_KBD_DISABLE:
		kbd->config |= CTR_KBDDIS;
		break;
	case CMD_KBD_ENABLE:
		kbd->config &= (uint8_t)~CTR_KBDDIS;
		break;
	case CMD_READ_OUTPUT:
		/* Not in reset, A20 on (it cannot be turned off here). */
		put_output(kbd, OUTPUT_RESET | OUTPUT_A20, false);
		break;
	default:
		pr_guest(LOG_DEBUG, "i8042: unsupported command 0x%02x ignored", cmd);
		break;
	}
	return VM_EVENT_NONE;
}

static enum vm_event write_data(struct i8042 *kbd, uint8_t val)
{
	uint8_t cmd = kbd->pending_cmd;

	kbd->status &= (uint8_t)~STR_CMD;
	kbd->pending_cmd = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		set_config(kbd, val);
		break;
	case CMD_WRITE_OUTPUT:
		if (!(val & OUTPUT_RESET))
			return VM_EVENT_REBOOT;
		break;
	case CMD_KBD_LOOP:
		/* Internal to the controller: works without a keyboard. */
		put_output(kbd, val, false);
		break;
	case CMD_AUX_LOOP:
		put_output(kbd, val, true);
		break;
	case CMD_AUX_SEND:
	default:
		/* To the absent mouse or keyboard: no reply; the guest's
		 * driver times out waiting for an ACK. */
		kbd->dropped_bytes++;
		break;
	}
	return VM_EVENT_NONE;
}

static uint8_t read_data(struct i8042 *kbd)
{
	/* An empty output register still reads its last byte. */
	kbd->outbuf_full = false;
	kbd->status &= (uint8_t)~(STR_OBF | STR_AUXDATA);
	return kbd->outbuf;
}

static uint8_t read_port_b(struct i8042 *kbd)
{
	/* Refresh toggles every 15 us on a PC and code polls for the flip;
	 * OUT2 toggles too, so loops waiting on the PIT (without an in-kernel
	 * PIT to answer this port) end instead of spinning forever. */
	kbd->port_b ^= PORT_B_REFRESH | PORT_B_OUT2;
	return kbd->port_b;
}

static uint64_t i8042_io_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct i8042_port *p = opaque;
	struct i8042 *kbd = p->kbd;
	uint8_t v = 0xff;

	pthread_mutex_lock(&kbd->lock);
	switch (p->port) {
	case I8042_DATA_PORT:
		v = read_data(kbd);
		break;
	case I8042_PORT_B:
		v = read_port_b(kbd);
		break;
	case I8042_CMD_PORT:
		v = kbd->status;
		break;
	}
	pthread_mutex_unlock(&kbd->lock);
	return v;
}

static void i8042_io_write(void *opaque, uint64_t offset, uint64_t value,
			   unsigned int size)
{
	struct i8042_port *p = opaque;
	struct i8042 *kbd = p->kbd;
	uint8_t v = (uint8_t)value;
	enum vm_event ev = VM_EVENT_NONE;

	pthread_mutex_lock(&kbd->lock);
	switch (p->port) {
	case I8042_DATA_PORT:
		ev = write_data(kbd, v);
		break;
	case I8042_PORT_B:
		kbd->port_b = (uint8_t)((kbd->port_b & ~PORT_B_WRITABLE) |
					(v & PORT_B_WRITABLE));
		break;
	case I8042_CMD_PORT:
		ev = write_command(kbd, v);
		break;
	}
	pthread_mutex_unlock(&kbd->lock);
	/* The sink may stop vCPUs; never call it with our lock held. */
	if (ev != VM_EVENT_NONE)
		vm_event_raise(&kbd->events, ev);
}

const struct io_ops i8042_io_ops = {
	.read = i8042_io_read,
	.write = i8042_io_write,
};

struct i8042 *i8042_create(const struct vm_event_sink *events)
{
	struct i8042 *kbd = calloc(1, sizeof(*kbd));
	if (!kbd)
		return NULL;
	if (pthread_mutex_init(&kbd->lock, NULL)) {
		free(kbd);
		return NULL;
	}
	if (events)
		kbd->events = *events;
	static const uint16_t ports[3] = { I8042_DATA_PORT, I8042_PORT_B,
					   I8042_CMD_PORT };
	for (int i = 0; i < 3; i++) {
		kbd->ports[i].kbd = kbd;
		kbd->ports[i].port = ports[i];
	}
	/* As a BIOS leaves it after POST: self-test passed, keyboard
	 * interrupt and scan-code translation on, mouse port disabled. */
	kbd->status = STR_KEYLOCK;
	set_config(kbd, CTR_KBDINT | CTR_SYS | CTR_AUXDIS | CTR_XLATE);
	return kbd;
}

void i8042_destroy(struct i8042 *kbd)
{
	if (!kbd)
		return;
	pthread_mutex_destroy(&kbd->lock);
	free(kbd);
}

void *i8042_port(struct i8042 *kbd, uint16_t port)
{
	if (!kbd)
		return NULL;
	for (int i = 0; i < 3; i++)
		if (kbd->ports[i].port == port)
			return &kbd->ports[i];
	return NULL;
}

void i8042_save(struct i8042 *kbd, struct i8042_state *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&kbd->lock);
	out->version = I8042_STATE_VERSION;
	out->status = kbd->status;
	out->config = kbd->config;
	out->pending_cmd = kbd->pending_cmd;
	out->outbuf = kbd->outbuf;
	out->outbuf_full = kbd->outbuf_full;
	out->port_b = kbd->port_b;
	pthread_mutex_unlock(&kbd->lock);
}

static bool state_valid(const struct i8042_state *s)
{
	if (s->version != I8042_STATE_VERSION)
		return false;
	for (size_t i = 0; i < sizeof(s->pad); i++)
		if (s->pad[i])
			return false;
	if (s->outbuf_full > 1 || !!(s->status & STR_OBF) != s->outbuf_full)
		return false;
	if ((s->status & STR_AUXDATA) && !s->outbuf_full)
		return false;
	/* Never set by this model: input buffer, timeout and parity errors;
	 * the key lock is never engaged. */
	if (s->status & (STR_IBF | STR_TIMEOUT | STR_PARITY))
		return false;
	if (!(s->status & STR_KEYLOCK))
		return false;
	if (s->config & CTR_RESERVED)
		return false;
	switch (s->pending_cmd) {
	case 0:
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPUT:
	case CMD_KBD_LOOP:
	case CMD_AUX_LOOP:
	case CMD_AUX_SEND:
		break;
	default:
		return false;
	}
	if (s->port_b & ~(PORT_B_WRITABLE | PORT_B_REFRESH | PORT_B_OUT2))
		return false;
	return true;
}

int i8042_restore(struct i8042 *kbd, const struct i8042_state *in)
{
	if (!state_valid(in))
		return -EINVAL;
	pthread_mutex_lock(&kbd->lock);
	kbd->status = in->status;
	kbd->config = in->config;
	kbd->pending_cmd = in->pending_cmd;
	kbd->outbuf = in->outbuf;
	kbd->outbuf_full = in->outbuf_full;
	kbd->port_b = in->port_b;
	pthread_mutex_unlock(&kbd->lock);
	return 0;
}
