/* Unit tests for the i8042 controller, port 0x61, the ACPI sleep/reset
 * register and pvpanic, through their io_ops tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "devices/i8042.h"
#include "devices/power.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fake_sink {
	enum vm_event events[16];
	unsigned int nr;
};

static void fake_raise(void *ctx, enum vm_event ev)
{
	struct fake_sink *f = ctx;
	if (f->nr < 16)
		f->events[f->nr++] = ev;
}

struct fixture {
	struct fake_sink sink;
	struct vm_event_sink events;
	struct i8042 *kbd;
	void *data, *cmd, *portb;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->events = (struct vm_event_sink){ fake_raise, &fx->sink };
	fx->kbd = i8042_create(&fx->events);
	assert_non_null(fx->kbd);
	fx->data = i8042_port(fx->kbd, I8042_DATA_PORT);
	fx->cmd = i8042_port(fx->kbd, I8042_CMD_PORT);
	fx->portb = i8042_port(fx->kbd, I8042_PORT_B);
	assert_non_null(fx->data);
	assert_non_null(fx->cmd);
	assert_non_null(fx->portb);
	assert_null(i8042_port(fx->kbd, 0x62));
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	i8042_destroy(fx->kbd);
	free(fx);
	return 0;
}

static uint8_t status(struct fixture *fx)
{
	return (uint8_t)i8042_io_ops.read(fx->cmd, 0, 1);
}

static void command(struct fixture *fx, uint8_t c)
{
	i8042_io_ops.write(fx->cmd, 0, c, 1);
}

static void data_out(struct fixture *fx, uint8_t v)
{
	i8042_io_ops.write(fx->data, 0, v, 1);
}

static uint8_t data_in(struct fixture *fx)
{
	return (uint8_t)i8042_io_ops.read(fx->data, 0, 1);
}

/* Linux's __i8042_command: returns -1 where it would time out. */
static int linux_command(struct fixture *fx, uint8_t *param, int command_)
{
	assert_false(status(fx) & 0x02);
	command(fx, (uint8_t)command_);
	for (int i = 0; i < ((command_ >> 12) & 0xf); i++) {
		assert_false(status(fx) & 0x02);
		data_out(fx, param[i]);
	}
	for (int i = 0; i < ((command_ >> 8) & 0xf); i++) {
		uint8_t str = status(fx);
		if (!(str & 0x01))
			return -1;
		if (command_ == 0x11d3 && !(str & 0x20))
			return -1;
		param[i] = data_in(fx);
	}
	return 0;
}

static void test_initial_status(void **state)
{
	struct fixture *fx = *state;
	uint8_t s = status(fx);
	assert_int_equal(s & 0x01, 0); /* nothing to read: flush is quick */
	assert_int_equal(s & 0x02, 0);
	assert_int_equal(s & 0x04, 0x04); /* POST done */
	assert_int_equal(s & 0x10, 0x10); /* no key lock warning */
	assert_int_equal(fx->sink.nr, 0);
}

static void test_self_tests(void **state)
{
	struct fixture *fx = *state;
	uint8_t p;
	assert_int_equal(linux_command(fx, &p, 0x01aa), 0);
	assert_int_equal(p, 0x55);
	assert_int_equal(linux_command(fx, &p, 0x01ab), 0);
	assert_int_equal(p, 0x00);
	assert_int_equal(linux_command(fx, &p, 0x01a9), 0);
	assert_int_equal(p, 0x00);
	assert_int_equal(status(fx) & 0x01, 0);
	assert_int_equal(fx->sink.nr, 0);
}

static void test_config_byte(void **state)
{
	struct fixture *fx = *state;
	uint8_t p, ctr[2];
	/* i8042_controller_init: two identical reads, then write back. */
	assert_int_equal(linux_command(fx, &ctr[0], 0x0120), 0);
	assert_int_equal(linux_command(fx, &ctr[1], 0x0120), 0);
	assert_int_equal(ctr[0], ctr[1]);
	assert_int_equal(ctr[0] & 0x04, 0x04);
	p = (uint8_t)((ctr[0] | 0x10) & ~0x01);
	assert_int_equal(linux_command(fx, &p, 0x1060), 0);
	assert_int_equal(status(fx) & 0x08, 0); /* last write was data */
	assert_int_equal(linux_command(fx, &p, 0x0120), 0);
	assert_int_equal(p, (ctr[0] | 0x10) & ~0x01);
	assert_int_equal(status(fx) & 0x08, 0x08);

	/* Port enable commands flip the disable bits. */
	command(fx, 0xae);
	command(fx, 0xa8);
	assert_int_equal(linux_command(fx, &p, 0x0120), 0);
	assert_int_equal(p & 0x30, 0x00);
	command(fx, 0xad);
	command(fx, 0xa7);
	assert_int_equal(linux_command(fx, &p, 0x0120), 0);
	assert_int_equal(p & 0x30, 0x30);

	/* The system flag follows the CTR. */
	p = 0x00;
	assert_int_equal(linux_command(fx, &p, 0x1060), 0);
	assert_int_equal(status(fx) & 0x04, 0);
	p = 0xff; /* reserved bit 7 reads as zero */
	assert_int_equal(linux_command(fx, &p, 0x1060), 0);
	assert_int_equal(linux_command(fx, &p, 0x0120), 0);
	assert_int_equal(p, 0x7f);
	assert_int_equal(status(fx) & 0x04, 0x04);
}

static void test_output_buffer(void **state)
{
	struct fixture *fx = *state;
	command(fx, 0x20);
	assert_int_equal(status(fx) & 0x01, 0x01);
	uint8_t ctr = data_in(fx);
	assert_int_equal(status(fx) & 0x01, 0);
	/* Re-reading an empty buffer gives the old byte, harmlessly. */
	assert_int_equal(data_in(fx), ctr);
	/* A newer reply replaces an unread one. */
	command(fx, 0x20);
	command(fx, 0xaa);
	assert_int_equal(data_in(fx), 0x55);
	assert_int_equal(status(fx) & 0x01, 0);
}

static void test_loop_commands(void **state)
{
	struct fixture *fx = *state;
	uint8_t p = 0x5a;
	assert_int_equal(linux_command(fx, &p, 0x11d3), 0);
	assert_int_equal(p, 0x5a);
	assert_int_equal(status(fx) & 0x21, 0);
	p = 0xa5;
	assert_int_equal(linux_command(fx, &p, 0x11d2), 0);
	assert_int_equal(p, 0xa5);
}

static void test_absent_devices(void **state)
{
	struct fixture *fx = *state;
	uint8_t p = 0xf2; /* GETID to the mouse */
	assert_int_equal(linux_command(fx, &p, 0x10d4), 0);
	assert_int_equal(status(fx) & 0x01, 0); /* no answer */
	data_out(fx, 0xff); /* reset to the keyboard */
	assert_int_equal(status(fx) & 0x01, 0);
	/* Linux's i8042_check_aux concludes quickly enough. */
	p = 0x5a;
	assert_int_equal(linux_command(fx, &p, 0x11d3), 0);
	assert_int_equal(p, 0x5a);
	assert_int_equal(fx->sink.nr, 0);
}

static void test_reset_via_fe(void **state)
{
	struct fixture *fx = *state;
	command(fx, 0xfe);
	assert_int_equal(fx->sink.nr, 1);
	assert_int_equal(fx->sink.events[0], VM_EVENT_REBOOT);
}

static void test_pulse_lines(void **state)
{
	struct fixture *fx = *state;
	command(fx, 0xff); /* pulse nothing */
	command(fx, 0xfd); /* pulse A20 only */
	command(fx, 0xf1);
	assert_int_equal(fx->sink.nr, 0);
	command(fx, 0xf0); /* all four, reset among them */
	assert_int_equal(fx->sink.nr, 1);
	assert_int_equal(fx->sink.events[0], VM_EVENT_REBOOT);
}

static void test_reset_via_output_port(void **state)
{
	struct fixture *fx = *state;
	uint8_t p;
	assert_int_equal(linux_command(fx, &p, 0x01d0), 0);
	assert_int_equal(p & 0x03, 0x03);
	/* Writing with the reset line high does nothing. */
	p = 0x03;
	assert_int_equal(linux_command(fx, &p, 0x10d1), 0);
	assert_int_equal(fx->sink.nr, 0);
	p = 0x02;
	assert_int_equal(linux_command(fx, &p, 0x10d1), 0);
	assert_int_equal(fx->sink.nr, 1);
	assert_int_equal(fx->sink.events[0], VM_EVENT_REBOOT);
	/* The data byte after that is plain keyboard data again. */
	data_out(fx, 0x00);
	assert_int_equal(fx->sink.nr, 1);
}

static void test_command_abandons_pending(void **state)
{
	struct fixture *fx = *state;
	command(fx, 0xd1);
	command(fx, 0x20); /* a new command: the D1 is dropped */
	uint8_t ctr = data_in(fx);
	data_out(fx, 0x00);
	assert_int_equal(fx->sink.nr, 0);
	uint8_t p;
	assert_int_equal(linux_command(fx, &p, 0x0120), 0);
	assert_int_equal(p, ctr);
}

static void test_port_b(void **state)
{
	struct fixture *fx = *state;
	uint8_t a = (uint8_t)i8042_io_ops.read(fx->portb, 0, 1);
	uint8_t b = (uint8_t)i8042_io_ops.read(fx->portb, 0, 1);
	assert_int_equal((a ^ b) & 0x10, 0x10); /* refresh toggles */
	assert_int_equal((a ^ b) & 0x20, 0x20); /* OUT2 too: no endless wait */
	i8042_io_ops.write(fx->portb, 0, 0xff, 1);
	a = (uint8_t)i8042_io_ops.read(fx->portb, 0, 1);
	assert_int_equal(a & 0x0f, 0x0f);
	assert_int_equal(a & 0xc0, 0);
	i8042_io_ops.write(fx->portb, 0, 0x01, 1);
	a = (uint8_t)i8042_io_ops.read(fx->portb, 0, 1);
	assert_int_equal(a & 0x0f, 0x01);
	assert_int_equal(fx->sink.nr, 0);
}

static void test_save_restore(void **state)
{
	struct fixture *fx = *state;
	command(fx, 0xd3);
	data_out(fx, 0x42); /* aux byte waiting */
	command(fx, 0x60);  /* a write pending */
	i8042_io_ops.write(fx->portb, 0, 0x03, 1);

	struct i8042_state s;
	i8042_save(fx->kbd, &s);
	assert_int_equal(s.version, I8042_STATE_VERSION);
	assert_int_equal(s.pending_cmd, 0x60);
	assert_int_equal(s.outbuf_full, 1);
	assert_int_equal(s.outbuf, 0x42);

	struct fake_sink sink2 = { 0 };
	struct vm_event_sink ev2 = { fake_raise, &sink2 };
	struct i8042 *k2 = i8042_create(&ev2);
	assert_non_null(k2);
	assert_int_equal(i8042_restore(k2, &s), 0);
	struct i8042_state s2;
	i8042_save(k2, &s2);
	assert_memory_equal(&s, &s2, sizeof(s));
	void *d2 = i8042_port(k2, I8042_DATA_PORT);
	void *c2 = i8042_port(k2, I8042_CMD_PORT);
	assert_int_equal(i8042_io_ops.read(c2, 0, 1) & 0x21, 0x21);
	assert_int_equal(i8042_io_ops.read(d2, 0, 1), 0x42);
	i8042_io_ops.write(d2, 0, 0x45, 1); /* completes the pending 0x60 */
	i8042_io_ops.write(c2, 0, 0x20, 1);
	assert_int_equal(i8042_io_ops.read(d2, 0, 1), 0x45);
	i8042_destroy(k2);

	struct i8042_state bad[16], before, after;
	int n = 0;
	i8042_save(fx->kbd, &before);
#define BAD(stmt) do { bad[n] = s; bad[n].config = 0x01; stmt; n++; } while (0)
	BAD(bad[n].version = 0);
	BAD(bad[n].version = 2);
	BAD(bad[n].pad[0] = 1);
	BAD(bad[n].outbuf_full = 2);
	BAD(bad[n].outbuf_full = 0);            /* OBF set in status */
	BAD(bad[n].status &= (uint8_t)~0x01);   /* OBF clear, buffer full */
	BAD(bad[n].status |= 0x02);
	BAD(bad[n].status |= 0x40);
	BAD(bad[n].status |= 0x80);
	BAD(bad[n].status &= (uint8_t)~0x10);
	BAD(bad[n].config = 0x80);
	BAD(bad[n].pending_cmd = 0x20);
	BAD(bad[n].pending_cmd = 0xfe);
	BAD(bad[n].port_b = 0x40);
	BAD((bad[n].outbuf_full = 0, bad[n].status &= (uint8_t)~0x01)); /* AUXDATA */
#undef BAD
	for (int i = 0; i < n; i++) {
		assert_int_equal(i8042_restore(fx->kbd, &bad[i]), -EINVAL);
		i8042_save(fx->kbd, &after);
		assert_memory_equal(&before, &after, sizeof(before));
	}
}

static void test_i8042_fuzz(void **state)
{
	struct fixture *fx = *state;
	void *ports[3] = { fx->data, fx->portb, fx->cmd };
	uint32_t x = 0xc0ffee;
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		void *p = ports[(x >> 1) % 3];
		uint8_t v = (uint8_t)(x >> 16);
		if (v >= 0xf0 && !(v & 1))
			v |= 1; /* keep the event log small */
		if (v == 0xd1)
			v = 0xd2;
		if (x & 1)
			i8042_io_ops.write(p, 0, v, 1);
		else
			(void)i8042_io_ops.read(p, 0, 1);
	}
	struct i8042_state s;
	i8042_save(fx->kbd, &s);
	assert_int_equal(i8042_restore(fx->kbd, &s), 0);
}

static void test_create_without_sink(void **state)
{
	struct i8042 *k = i8042_create(NULL);
	assert_non_null(k);
	i8042_io_ops.write(i8042_port(k, I8042_CMD_PORT), 0, 0xfe, 1);
	i8042_destroy(k);
	i8042_destroy(NULL);
	assert_null(i8042_port(NULL, I8042_DATA_PORT));
}

/* ---- ACPI sleep/reset register and pvpanic ---- */

static void test_acpi_s5_powers_off(void **state)
{
	struct fake_sink f = { 0 };
	struct vm_event_sink sink = { fake_raise, &f };
	uint8_t v = ACPI_SLP_EN | ACPI_S5_SLP_TYP << ACPI_SLP_TYP_SHIFT;
	assert_int_equal(v, 0x34);
	acpi_sleep_io_ops.write(&sink, 0, v, 1);
	assert_int_equal(f.nr, 1);
	assert_int_equal(f.events[0], VM_EVENT_POWEROFF);
	/* Bits outside SLP_TYP/SLP_EN do not matter. */
	acpi_sleep_io_ops.write(&sink, 0, v | 0x80 | 0x01 | 0x02, 1);
	assert_int_equal(f.nr, 2);
	assert_int_equal(f.events[1], VM_EVENT_POWEROFF);
}

static void test_acpi_reset(void **state)
{
	struct fake_sink f = { 0 };
	struct vm_event_sink sink = { fake_raise, &f };
	acpi_sleep_io_ops.write(&sink, 0, ACPI_RESET_VALUE, 1);
	assert_int_equal(f.nr, 1);
	assert_int_equal(f.events[0], VM_EVENT_REBOOT);
}

static void test_acpi_other_writes_ignored(void **state)
{
	struct fake_sink f = { 0 };
	struct vm_event_sink sink = { fake_raise, &f };
	log_set_level(LOG_ERROR);
	/* S5 type without SLP_EN, WAK_STS clear, other sleep types. */
	acpi_sleep_io_ops.write(&sink, 0, ACPI_S5_SLP_TYP << ACPI_SLP_TYP_SHIFT, 1);
	acpi_sleep_io_ops.write(&sink, 0, 0x80, 1);
	acpi_sleep_io_ops.write(&sink, 0, 0x00, 1);
	for (unsigned int typ = 0; typ < 8; typ++) {
		if (typ == ACPI_S5_SLP_TYP)
			continue;
		acpi_sleep_io_ops.write(&sink, 0,
					ACPI_SLP_EN | typ << ACPI_SLP_TYP_SHIFT, 1);
	}
	log_set_level(LOG_WARN);
	assert_int_equal(f.nr, 0);
	assert_int_equal(acpi_sleep_io_ops.read(&sink, 0, 1), 0);
	/* A NULL sink is tolerated. */
	acpi_sleep_io_ops.write(NULL, 0, ACPI_RESET_VALUE, 1);
}

static void test_pvpanic(void **state)
{
	struct fake_sink f = { 0 };
	struct vm_event_sink sink = { fake_raise, &f };
	assert_int_equal(pvpanic_io_ops.read(&sink, 0, 1),
			 PVPANIC_PANICKED | PVPANIC_CRASH_LOADED);
	log_set_level(LOG_ERROR);
	pvpanic_io_ops.write(&sink, 0, PVPANIC_CRASH_LOADED, 1);
	log_set_level(LOG_WARN);
	pvpanic_io_ops.write(&sink, 0, 0, 1);
	pvpanic_io_ops.write(&sink, 0, 0xfc, 1);
	assert_int_equal(f.nr, 0);
	pvpanic_io_ops.write(&sink, 0, PVPANIC_PANICKED, 1);
	assert_int_equal(f.nr, 1);
	assert_int_equal(f.events[0], VM_EVENT_PANIC);
	pvpanic_io_ops.write(&sink, 0, PVPANIC_PANICKED | PVPANIC_CRASH_LOADED, 1);
	assert_int_equal(f.nr, 2);
	assert_int_equal(f.events[1], VM_EVENT_PANIC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_initial_status),
		T(test_self_tests),
		T(test_config_byte),
		T(test_output_buffer),
		T(test_loop_commands),
		T(test_absent_devices),
		T(test_reset_via_fe),
		T(test_pulse_lines),
		T(test_reset_via_output_port),
		T(test_command_abandons_pending),
		T(test_port_b),
		T(test_save_restore),
		T(test_i8042_fuzz),
#undef T
		cmocka_unit_test(test_create_without_sink),
		cmocka_unit_test(test_acpi_s5_powers_off),
		cmocka_unit_test(test_acpi_reset),
		cmocka_unit_test(test_acpi_other_writes_ignored),
		cmocka_unit_test(test_pvpanic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
