/* Unit tests for the 16550A model, driven through its io_ops table as the
 * port I/O bus would drive it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/uart16550.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define EFR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

struct fake {
	int levels[256]; /* every level change, in order */
	unsigned int nr_levels;
	uint32_t gsi;
	uint8_t out[512];
	size_t out_len;
	unsigned int rx_space_calls;
};

struct fixture {
	struct fake fake;
	struct uart *u;
};

static void fake_set_level(void *ctx, uint32_t gsi, int level)
{
	struct fake *f = ctx;
	f->gsi = gsi;
	if (f->nr_levels < 256)
		f->levels[f->nr_levels++] = level;
}

static void fake_output(void *ctx, const uint8_t *buf, size_t len)
{
	struct fake *f = ctx;
	for (size_t i = 0; i < len && f->out_len < sizeof(f->out); i++)
		f->out[f->out_len++] = buf[i];
}

static void fake_rx_space(void *ctx)
{
	struct fake *f = ctx;
	f->rx_space_calls++;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	struct irq_line irq = { fake_set_level, &fx->fake, UART_COM1_IRQ };
	struct uart_callbacks cb = { fake_output, fake_rx_space, &fx->fake };
	fx->u = uart_create(&irq, &cb);
	assert_non_null(fx->u);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	uart_destroy(fx->u);
	free(fx);
	return 0;
}

static uint8_t in(struct fixture *fx, unsigned int reg)
{
	uint64_t v = uart_io_ops.read(fx->u, reg, 1);
	assert_true(v <= 0xff);
	return (uint8_t)v;
}

static void out(struct fixture *fx, unsigned int reg, uint8_t v)
{
	uart_io_ops.write(fx->u, reg, v, 1);
}

static int level(struct fixture *fx)
{
	return fx->fake.nr_levels ? fx->fake.levels[fx->fake.nr_levels - 1] : 0;
}

static void test_reset_values(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(in(fx, IER), 0);
	assert_int_equal(in(fx, IIR), 0x01);
	assert_int_equal(in(fx, LCR), 0);
	assert_int_equal(in(fx, MCR), 0);
	assert_int_equal(in(fx, LSR), 0x60);
	assert_int_equal(in(fx, MSR), 0xb0); /* CTS | DSR | DCD */
	assert_int_equal(in(fx, SCR), 0);
	assert_int_equal(in(fx, RBR), 0);
	assert_int_equal(fx->fake.nr_levels, 0);
}

static void test_dlab_switches_divisor(void **state)
{
	struct fixture *fx = *state;
	out(fx, LCR, 0x83);
	out(fx, DLL, 0x01);
	out(fx, DLM, 0x02);
	assert_int_equal(in(fx, DLL), 0x01);
	assert_int_equal(in(fx, DLM), 0x02);
	assert_int_equal(in(fx, LCR), 0x83);
	/* Divisor writes neither transmit nor touch IER. */
	assert_int_equal(fx->fake.out_len, 0);
	out(fx, LCR, 0x03);
	assert_int_equal(in(fx, IER), 0);
	out(fx, IER, 0x05);
	assert_int_equal(in(fx, IER), 0x05);
	out(fx, LCR, 0x80);
	assert_int_equal(in(fx, DLL), 0x01);
	assert_int_equal(in(fx, DLM), 0x02);
	out(fx, LCR, 0x00);
	assert_int_equal(in(fx, IER), 0x05);
	/* IER bits 4-7 do not exist on a 16550A. */
	out(fx, IER, 0xff);
	assert_int_equal(in(fx, IER), 0x0f);
}

static void test_scratch(void **state)
{
	struct fixture *fx = *state;
	for (unsigned int v = 0; v < 256; v += 0x11) {
		out(fx, SCR, (uint8_t)v);
		assert_int_equal(in(fx, SCR), v);
	}
}

static void test_transmit_output(void **state)
{
	struct fixture *fx = *state;
	out(fx, THR, 'h');
	out(fx, THR, 'i');
	assert_int_equal(fx->fake.out_len, 2);
	assert_memory_equal(fx->fake.out, "hi", 2);
	assert_int_equal(in(fx, LSR) & 0x60, 0x60);
}

static void test_fifo_bits_in_iir(void **state)
{
	struct fixture *fx = *state;
	out(fx, FCR, 0x01);
	assert_int_equal(in(fx, IIR), 0xc1);
	out(fx, FCR, 0xc7); /* trigger 14, clear both */
	assert_int_equal(in(fx, IIR), 0xc1);
	out(fx, FCR, 0x00);
	assert_int_equal(in(fx, IIR), 0x01);
	/* The 16750's 64-byte bit must not show up. */
	out(fx, FCR, 0x21);
	assert_int_equal(in(fx, IIR) & 0x20, 0);
}

static void test_thre_interrupt_rules(void **state)
{
	struct fixture *fx = *state;
	out(fx, MCR, 0x08); /* OUT2 */
	assert_int_equal(fx->fake.nr_levels, 0);

	/* Enabling ETBEI with THR empty raises it at once. */
	out(fx, IER, 0x02);
	assert_int_equal(fx->fake.nr_levels, 1);
	assert_int_equal(level(fx), 1);
	assert_int_equal(fx->fake.gsi, UART_COM1_IRQ);
	/* IIR read reporting THRI clears it. */
	assert_int_equal(in(fx, IIR), 0x02);
	assert_int_equal(level(fx), 0);
	assert_int_equal(in(fx, IIR), 0x01);
	/* Rewriting IER with ETBEI still set does not re-arm it. */
	out(fx, IER, 0x02);
	assert_int_equal(in(fx, IIR), 0x01);
	/* Each transmit re-arms it, with one falling and one rising edge
	 * only if the line was high. Here it was low: one rising edge. */
	unsigned int before = fx->fake.nr_levels;
	out(fx, THR, 'x');
	assert_int_equal(fx->fake.nr_levels, before + 1);
	assert_int_equal(level(fx), 1);
	/* Writing THR while pending: drop then rise. */
	out(fx, THR, 'y');
	assert_int_equal(fx->fake.nr_levels, before + 3);
	assert_int_equal(fx->fake.levels[before + 1], 0);
	assert_int_equal(fx->fake.levels[before + 2], 1);
	/* Toggling ETBEI off and on re-raises it (UART_BUG_THRE test). */
	out(fx, IER, 0x00);
	assert_int_equal(level(fx), 0);
	assert_int_equal(in(fx, IIR), 0x01);
	out(fx, IER, 0x02);
	assert_int_equal(level(fx), 1);
	assert_int_equal(in(fx, IIR), 0x02);
	assert_int_equal(level(fx), 0);
}

static void test_thre_not_reported_when_masked(void **state)
{
	struct fixture *fx = *state;
	out(fx, MCR, 0x08);
	out(fx, THR, 'a'); /* pending internally, but ETBEI is off */
	assert_int_equal(in(fx, IIR), 0x01);
	assert_int_equal(fx->fake.nr_levels, 0);
}

static void test_out2_gates_irq(void **state)
{
	struct fixture *fx = *state;
	out(fx, IER, 0x02);
	assert_int_equal(fx->fake.nr_levels, 0); /* pending, OUT2 clear */
	out(fx, MCR, 0x08);
	assert_int_equal(fx->fake.nr_levels, 1);
	assert_int_equal(level(fx), 1);
	out(fx, MCR, 0x0b); /* DTR|RTS|OUT2: no change */
	assert_int_equal(fx->fake.nr_levels, 1);
	out(fx, MCR, 0x03);
	assert_int_equal(fx->fake.nr_levels, 2);
	assert_int_equal(level(fx), 0);
	/* The pending source is still reported in IIR. */
	assert_int_equal(in(fx, IIR), 0x02);
	out(fx, MCR, 0x0b);
	assert_int_equal(fx->fake.nr_levels, 2);
}

static void test_iir_priorities(void **state)
{
	struct fixture *fx = *state;
	out(fx, FCR, 0x01);
	out(fx, MCR, 0x18); /* loopback + OUT2 */
	(void)in(fx, MSR);  /* drop the deltas entering loopback made */
	out(fx, IER, 0x0f);
	/* THRE alone. */
	assert_int_equal(in(fx, IIR), 0xc2);
	/* Modem status below THRE: raise a delta via loopback RTS. */
	out(fx, MCR, 0x1a);
	assert_int_equal(in(fx, IIR), 0xc0);
	assert_int_equal(in(fx, MSR) & 0x0f, 0x01); /* DCTS */
	assert_int_equal(in(fx, IIR), 0xc1);

	/* Data available beats THRE and modem status. */
	out(fx, THR, 0x55);
	out(fx, MCR, 0x18); /* RTS drop: DCTS again */
	assert_int_equal(in(fx, IIR), 0xc4);
	/* Overrun: line status beats everything. */
	for (int i = 0; i < 17; i++)
		out(fx, THR, (uint8_t)i);
	assert_int_equal(in(fx, IIR), 0xc6);
	uint8_t lsr = in(fx, LSR);
	assert_int_equal(lsr & 0x03, 0x03);
	assert_int_equal(in(fx, IIR), 0xc4);
	while (in(fx, LSR) & 0x01)
		(void)in(fx, RBR);
	assert_int_equal(in(fx, IIR), 0xc2);
	assert_int_equal(in(fx, IIR), 0xc0);
	(void)in(fx, MSR);
	assert_int_equal(in(fx, IIR), 0xc1);
}

static void test_rx_fifo_fill_and_overflow(void **state)
{
	struct fixture *fx = *state;
	uint8_t buf[20];
	for (int i = 0; i < 20; i++)
		buf[i] = (uint8_t)(0x40 + i);

	out(fx, FCR, 0x07);
	out(fx, MCR, 0x08);
	out(fx, IER, 0x01);
	assert_int_equal(fx->fake.nr_levels, 0);
	assert_int_equal(uart_receive(fx->u, buf, 20), 16);
	assert_int_equal(fx->fake.nr_levels, 1);
	assert_int_equal(level(fx), 1);
	/* The receive path never overruns: it refuses. */
	assert_int_equal(uart_receive(fx->u, buf + 16, 4), 0);
	assert_int_equal(in(fx, LSR), 0x61);
	assert_int_equal(in(fx, IIR), 0xc4);

	/* Draining one byte from a full FIFO announces room. */
	assert_int_equal(in(fx, RBR), 0x40);
	assert_int_equal(fx->fake.rx_space_calls, 1);
	assert_int_equal(uart_receive(fx->u, buf + 16, 4), 1);
	for (int i = 1; i < 17; i++)
		assert_int_equal(in(fx, RBR), 0x40 + i);
	assert_int_equal(fx->fake.rx_space_calls, 2);
	assert_int_equal(in(fx, LSR), 0x60);
	assert_int_equal(level(fx), 0);
	assert_int_equal(in(fx, IIR), 0xc1);
	/* Reading an empty RBR is harmless. */
	assert_int_equal(in(fx, RBR), 0);
	assert_int_equal(in(fx, LSR), 0x60);

	/* Overflow through loopback sets OE, which LSR reads clear. */
	out(fx, MCR, 0x18);
	for (int i = 0; i < 20; i++)
		out(fx, THR, (uint8_t)i);
	assert_int_equal(in(fx, LSR), 0x63);
	assert_int_equal(in(fx, LSR), 0x61);
	/* The FIFO kept the first 16 bytes. */
	for (int i = 0; i < 16; i++)
		assert_int_equal(in(fx, RBR), i);
	assert_int_equal(in(fx, LSR), 0x60);
	assert_int_equal(fx->fake.out_len, 0);
}

static void test_fifo_clear(void **state)
{
	struct fixture *fx = *state;
	uint8_t buf[16] = { 0 };
	out(fx, FCR, 0x01);
	assert_int_equal(uart_receive(fx->u, buf, 16), 16);
	out(fx, FCR, 0x03);
	assert_int_equal(in(fx, LSR), 0x60);
	assert_int_equal(fx->fake.rx_space_calls, 1);
	/* Without FIFO the holding register takes one byte. */
	out(fx, FCR, 0x00);
	assert_int_equal(uart_receive(fx->u, buf, 16), 1);
	assert_int_equal(in(fx, LSR), 0x61);
	/* Enabling the FIFO empties it. */
	out(fx, FCR, 0x01);
	assert_int_equal(in(fx, LSR), 0x60);
	assert_int_equal(fx->fake.rx_space_calls, 2);
}

static void test_loopback(void **state)
{
	struct fixture *fx = *state;
	out(fx, FCR, 0x01);
	out(fx, MCR, 0x10);
	/* All modem inputs follow MCR outputs, starting from none. */
	assert_int_equal(in(fx, MSR), 0x0b); /* DCTS|DDSR|DDCD, lines low */
	out(fx, MCR, 0x1f);
	assert_int_equal(in(fx, MSR), 0xfb);
	out(fx, MCR, 0x1b); /* OUT1 drop: trailing edge of RI */
	assert_int_equal(in(fx, MSR), 0xb4);
	out(fx, THR, 0xa5);
	assert_int_equal(fx->fake.out_len, 0);
	assert_int_equal(in(fx, LSR) & 0x01, 0x01);
	assert_int_equal(in(fx, RBR), 0xa5);
	/* External input is disconnected in loopback. */
	uint8_t b = 'z';
	assert_int_equal(uart_receive(fx->u, &b, 1), 1);
	assert_int_equal(in(fx, LSR) & 0x01, 0);
	out(fx, MCR, 0x00);
	assert_int_equal(in(fx, MSR) & 0xf0, 0xb0);
	out(fx, THR, 'o');
	assert_int_equal(fx->fake.out_len, 1);
}

/* Linux's drivers/tty/serial/8250/8250_port.c probe, step by step. */
enum port_type { PORT_UNKNOWN, PORT_8250, PORT_16450, PORT_16550,
		 PORT_16550A, PORT_16650, PORT_16750, PORT_NS, PORT_XSCALE,
		 PORT_U6_16550A, PORT_FSL64 };

static int size_fifo(struct fixture *fx)
{
	uint8_t old_lcr = in(fx, LCR);
	out(fx, LCR, 0);
	uint8_t old_fcr = in(fx, FCR);
	uint8_t old_mcr = in(fx, MCR);
	out(fx, FCR, 0x07);
	out(fx, MCR, 0x10);
	out(fx, LCR, 0x80);
	uint16_t old_dl = (uint16_t)(in(fx, DLL) | in(fx, DLM) << 8);
	out(fx, DLL, 1);
	out(fx, DLM, 0);
	out(fx, LCR, 0x03);
	for (int i = 0; i < 256; i++)
		out(fx, THR, (uint8_t)i);
	int count;
	for (count = 0; (in(fx, LSR) & 0x01) && count < 256; count++)
		(void)in(fx, RBR);
	out(fx, FCR, old_fcr);
	out(fx, MCR, old_mcr);
	out(fx, LCR, 0x80);
	out(fx, DLL, (uint8_t)old_dl);
	out(fx, DLM, (uint8_t)(old_dl >> 8));
	out(fx, LCR, old_lcr);
	return count;
}

static enum port_type autoconfig_16550a(struct fixture *fx)
{
	enum port_type type = PORT_16550A;

	out(fx, LCR, 0x80);
	if (in(fx, EFR) == 0) {
		out(fx, EFR, 0xa8);
		if (in(fx, EFR) != 0) {
			type = PORT_16650;
		} else {
			out(fx, LCR, 0);
			out(fx, FCR, 0x21);
			uint8_t s = in(fx, IIR) & 0xe0;
			out(fx, FCR, 0);
			out(fx, LCR, 0);
			type = s == 0xe0 ? PORT_FSL64 : PORT_16550A;
		}
		out(fx, EFR, 0);
		return type;
	}
	out(fx, LCR, 0xbf);
	if (in(fx, EFR) == 0)
		return PORT_16650;

	out(fx, LCR, 0);
	uint8_t status1 = in(fx, MCR);
	out(fx, LCR, 0xe0);
	uint8_t status2 = in(fx, 0x02);
	if (!((status2 ^ status1) & 0x10)) {
		out(fx, LCR, 0);
		out(fx, MCR, status1 ^ 0x10);
		out(fx, LCR, 0xe0);
		status2 = in(fx, 0x02);
		out(fx, LCR, 0);
		out(fx, MCR, status1);
		if ((status2 ^ status1) & 0x10)
			return PORT_NS;
	}

	out(fx, LCR, 0);
	out(fx, FCR, 0x21);
	status1 = in(fx, IIR) & 0xe0;
	out(fx, FCR, 0);
	out(fx, LCR, 0x80);
	out(fx, FCR, 0x21);
	status2 = in(fx, IIR) & 0xe0;
	out(fx, FCR, 0);
	out(fx, LCR, 0);
	if (status1 == 0xc0 && status2 == 0xe0)
		return PORT_16750;

	out(fx, LCR, 0);
	uint8_t iersave = in(fx, IER);
	out(fx, IER, iersave & ~0x40);
	if (!(in(fx, IER) & 0x40)) {
		out(fx, IER, iersave | 0x40);
		if (in(fx, IER) & 0x40)
			type = PORT_XSCALE;
	}
	out(fx, IER, iersave);

	if (type == PORT_16550A && size_fifo(fx) == 64)
		type = PORT_U6_16550A;
	return type;
}

static enum port_type linux_autoconfig(struct fixture *fx)
{
	uint8_t scratch = in(fx, IER);
	out(fx, IER, 0);
	uint8_t scratch2 = in(fx, IER) & 0x0f;
	out(fx, IER, 0x0f);
	uint8_t scratch3 = in(fx, IER) & 0x0f;
	out(fx, IER, scratch);
	if (scratch2 != 0 || scratch3 != 0x0f)
		return PORT_UNKNOWN;

	uint8_t save_mcr = in(fx, MCR);
	uint8_t save_lcr = in(fx, LCR);

	out(fx, MCR, 0x10 | 0x08 | 0x02);
	uint8_t status1 = in(fx, MSR) & 0xf0;
	out(fx, MCR, save_mcr);
	if (status1 != 0x90)
		return PORT_UNKNOWN;

	out(fx, LCR, 0xbf);
	out(fx, EFR, 0);
	out(fx, LCR, 0);
	out(fx, FCR, 0x01);
	uint8_t iir = in(fx, IIR);

	enum port_type type;
	switch (iir >> 6) {
	case 0: type = PORT_16450; break; /* (8250 vs 16450 by scratch) */
	case 1: type = PORT_UNKNOWN; break;
	case 2: type = PORT_16550; break;
	default: type = autoconfig_16550a(fx); break;
	}
	out(fx, LCR, save_lcr);
	out(fx, MCR, save_mcr);
	out(fx, FCR, 0x01);
	out(fx, FCR, 0x07);
	out(fx, FCR, 0);
	(void)in(fx, RBR);
	out(fx, IER, 0);
	return type;
}

static void test_linux_autoconfig_finds_16550a(void **state)
{
	struct fixture *fx = *state;
	out(fx, MCR, 0x0b); /* as the firmware/earlycon might leave it */
	assert_int_equal(linux_autoconfig(fx), PORT_16550A);
	assert_int_equal(size_fifo(fx), 16);
	assert_int_equal(fx->fake.out_len, 0); /* nothing escaped in loopback */
	assert_int_equal(in(fx, MCR), 0x0b);
	assert_int_equal(in(fx, IIR) & 0x0f, 0x01);
	assert_int_equal(level(fx), 0);
}

static void test_linux_thre_test(void **state)
{
	struct fixture *fx = *state;
	/* serial8250_do_startup: a working UART re-asserts THRE. */
	out(fx, IER, 0x02);
	uint8_t iir1 = in(fx, IIR);
	out(fx, IER, 0);
	out(fx, IER, 0x02);
	uint8_t iir = in(fx, IIR);
	out(fx, IER, 0);
	assert_false(iir1 & 0x01);
	assert_false(iir & 0x01);
}

static void test_linux_interrupt_driven_tx(void **state)
{
	struct fixture *fx = *state;
	/* After startup: FIFO on, 8N1, OUT2|RTS|DTR, RX interrupts on. */
	out(fx, FCR, 0x07);
	out(fx, LCR, 0x03);
	out(fx, MCR, 0x0b);
	out(fx, IER, 0x05);
	(void)in(fx, LSR);
	(void)in(fx, RBR);
	(void)in(fx, IIR);
	(void)in(fx, MSR);
	assert_int_equal(level(fx), 0);
	/* start_tx: enable THRI, interrupt fires, ISR writes then stops. */
	out(fx, IER, 0x07);
	assert_int_equal(level(fx), 1);
	assert_int_equal(in(fx, IIR), 0xc2);
	assert_int_equal(level(fx), 0);
	for (const char *p = "ok\r\n"; *p; p++)
		out(fx, THR, (uint8_t)*p);
	assert_int_equal(level(fx), 1);
	assert_int_equal(in(fx, IIR), 0xc2);
	out(fx, IER, 0x05); /* nothing left: stop_tx */
	assert_int_equal(in(fx, IIR), 0xc1);
	assert_int_equal(level(fx), 0);
	assert_int_equal(fx->fake.out_len, 4);
	/* Received input interrupts. */
	uint8_t b = 'k';
	assert_int_equal(uart_receive(fx->u, &b, 1), 1);
	assert_int_equal(level(fx), 1);
	assert_int_equal(in(fx, IIR), 0xc4);
	assert_int_equal(in(fx, RBR), 'k');
	assert_int_equal(level(fx), 0);
	/* Only level changes were ever reported. */
	for (unsigned int i = 1; i < fx->fake.nr_levels; i++)
		assert_int_not_equal(fx->fake.levels[i], fx->fake.levels[i - 1]);
}

static void test_msr_deltas_and_interrupt(void **state)
{
	struct fixture *fx = *state;
	out(fx, MCR, 0x08);
	out(fx, IER, 0x08);
	assert_int_equal(in(fx, IIR), 0x01);
	out(fx, MCR, 0x18); /* enter loopback: DCD stays (OUT2), CTS/DSR drop */
	assert_int_equal(in(fx, IIR), 0x00);
	assert_int_equal(level(fx), 1);
	assert_int_equal(in(fx, MSR), 0x83);
	assert_int_equal(level(fx), 0);
	assert_int_equal(in(fx, IIR), 0x01);
}

static void test_read_only_writes_ignored(void **state)
{
	struct fixture *fx = *state;
	out(fx, LSR, 0xff);
	out(fx, MSR, 0x00);
	assert_int_equal(in(fx, LSR), 0x60);
	assert_int_equal(in(fx, MSR), 0xb0);
	/* Out-of-range offsets (a misregistered range) do nothing. */
	assert_int_equal(uart_io_ops.read(fx->u, 8, 1), 0xff);
	uart_io_ops.write(fx->u, 9, 0x12, 1);
}

static void test_save_restore_round_trip(void **state)
{
	struct fixture *fx = *state;
	uint8_t buf[5] = { 1, 2, 3, 4, 5 };
	out(fx, FCR, 0x81);
	out(fx, LCR, 0x83);
	out(fx, DLL, 0x03);
	out(fx, DLM, 0x00);
	out(fx, LCR, 0x1b);
	out(fx, SCR, 0x5a);
	out(fx, MCR, 0x0b);
	out(fx, IER, 0x07);
	assert_int_equal(uart_receive(fx->u, buf, 5), 5);
	(void)in(fx, RBR); /* move the ring head */

	struct uart_state s;
	uart_save(fx->u, &s);
	assert_int_equal(s.version, UART_STATE_VERSION);
	assert_int_equal(s.rx_count, 4);
	assert_memory_equal(s.rbr_fifo, buf + 1, 4);
	assert_int_equal(s.fcr, 0x81);
	assert_int_equal(s.thr_interrupt, 1);

	struct fake f2 = { 0 };
	struct irq_line irq = { fake_set_level, &f2, 4 };
	struct uart_callbacks cb = { fake_output, NULL, &f2 };
	struct uart *u2 = uart_create(&irq, &cb);
	assert_non_null(u2);
	assert_int_equal(uart_restore(u2, &s), 0);
	/* The line is re-evaluated: data pending with OUT2 set. */
	assert_int_equal(f2.nr_levels, 1);
	assert_int_equal(f2.levels[0], 1);

	struct uart_state s2;
	uart_save(u2, &s2);
	assert_memory_equal(&s, &s2, sizeof(s));
	for (int i = 1; i < 5; i++)
		assert_int_equal(uart_io_ops.read(u2, RBR, 1), buf[i]);
	assert_int_equal(uart_io_ops.read(u2, SCR, 1), 0x5a);
	assert_int_equal(uart_io_ops.read(u2, IIR, 1), 0xc2);
	uart_destroy(u2);
}

static void test_restore_rejects_invalid(void **state)
{
	struct fixture *fx = *state;
	uint8_t b = 0x33;
	out(fx, FCR, 0x01);
	out(fx, SCR, 0x77);
	assert_int_equal(uart_receive(fx->u, &b, 1), 1);
	struct uart_state good, before, after;
	uart_save(fx->u, &good);
	before = good;

	struct uart_state bad[32];
	int n = 0;
#define BAD(stmt) do { bad[n] = good; bad[n].scr = 0x11; stmt; n++; } while (0)
	BAD(bad[n].version = 0);
	BAD(bad[n].version = 2);
	BAD(bad[n].rx_count = 17);
	BAD(bad[n].rx_count = 255);
	BAD((bad[n].fcr = 0, bad[n].rx_count = 2)); /* 16450 mode holds one */
	BAD(bad[n].fcr = 0x02);                      /* bits without enable */
	BAD(bad[n].fcr = 0x07);                      /* self-clearing bits */
	BAD(bad[n].fcr = 0x21);                      /* 64-byte mode */
	BAD(bad[n].ier = 0x10);
	BAD(bad[n].mcr = 0x20);
	BAD(bad[n].lsr = 0x01);                      /* THRE/TEMT missing */
	BAD(bad[n].lsr = 0x61 | 0x04);               /* parity error */
	BAD(bad[n].lsr = 0x61 | 0x80);
	BAD(bad[n].lsr = 0x60);                      /* DR without... */
	BAD((bad[n].rx_count = 0, bad[n].lsr = 0x61)); /* DR, empty */
	BAD(bad[n].msr = 0x30);                      /* lines vs MCR */
	BAD((bad[n].mcr = 0x10, bad[n].msr = 0xb0)); /* loopback lines */
	BAD(bad[n].thr_interrupt = 2);
	BAD(bad[n].pad[0] = 1);
	BAD(bad[n].pad[4] = 0x80);
#undef BAD
	for (int i = 0; i < n; i++) {
		assert_int_equal(uart_restore(fx->u, &bad[i]), -EINVAL);
		uart_save(fx->u, &after);
		assert_memory_equal(&before, &after, sizeof(before));
	}
	assert_int_equal(in(fx, SCR), 0x77);
	assert_int_equal(in(fx, RBR), 0x33);

	/* A valid loopback state with matching MSR is accepted. */
	struct uart_state ok = good;
	ok.mcr = 0x1a;
	ok.msr = 0x90 | 0x01;
	assert_int_equal(uart_restore(fx->u, &ok), 0);
	assert_int_equal(in(fx, MSR), 0x91);
}

static void test_create_without_callbacks(void **state)
{
	struct uart *u = uart_create(NULL, NULL);
	assert_non_null(u);
	uart_io_ops.write(u, MCR, 0x08, 1);
	uart_io_ops.write(u, IER, 0x0f, 1);
	uart_io_ops.write(u, THR, 'x', 1);
	uint8_t buf[32] = { 0 };
	assert_int_equal(uart_receive(u, buf, sizeof(buf)), 1); /* no FIFO */
	assert_int_equal(uart_io_ops.read(u, RBR, 1), 0);
	uart_destroy(u);
	uart_destroy(NULL);
}

/* The guest must not be able to take the model down whatever it writes. */
static void test_register_fuzz(void **state)
{
	struct fixture *fx = *state;
	uint32_t x = 0x12345678;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		unsigned int reg = x & 7;
		if (x & 0x100) {
			out(fx, reg, (uint8_t)(x >> 16));
		} else if (x & 0x200) {
			uint8_t b[3] = { (uint8_t)x, 1, 2 };
			uart_receive(fx->u, b, (x >> 20) & 3);
		} else {
			(void)in(fx, reg);
		}
	}
	struct uart_state s;
	uart_save(fx->u, &s);
	assert_int_equal(uart_restore(fx->u, &s), 0);
	for (unsigned int i = 1; i < fx->fake.nr_levels; i++)
		assert_int_not_equal(fx->fake.levels[i], fx->fake.levels[i - 1]);
}

struct feeder {
	struct uart *u;
	unsigned int total;
};

static void *feed_thread(void *arg)
{
	struct feeder *f = arg;
	unsigned int sent = 0;
	while (sent < f->total) {
		uint8_t b[7];
		size_t n = f->total - sent < 7 ? f->total - sent : 7;
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)(sent + i);
		sent += (unsigned int)uart_receive(f->u, b, n);
		sched_yield();
	}
	return NULL;
}

/* The console thread feeds while a vCPU drains: nothing lost or reordered. */
static void test_concurrent_receive(void **state)
{
	struct fixture *fx = *state;
	struct feeder f = { fx->u, 5000 };
	pthread_t t;
	out(fx, FCR, 0x01);
	out(fx, MCR, 0x08);
	out(fx, IER, 0x01);
	assert_int_equal(pthread_create(&t, NULL, feed_thread, &f), 0);
	for (unsigned int got = 0; got < f.total;) {
		if (in(fx, LSR) & 0x01) {
			assert_int_equal(in(fx, RBR), (uint8_t)got);
			got++;
		} else {
			sched_yield();
		}
	}
	pthread_join(t, NULL);
	assert_int_equal(in(fx, LSR) & 0x03, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_reset_values),
		T(test_dlab_switches_divisor),
		T(test_scratch),
		T(test_transmit_output),
		T(test_fifo_bits_in_iir),
		T(test_thre_interrupt_rules),
		T(test_thre_not_reported_when_masked),
		T(test_out2_gates_irq),
		T(test_iir_priorities),
		T(test_rx_fifo_fill_and_overflow),
		T(test_fifo_clear),
		T(test_loopback),
		T(test_linux_autoconfig_finds_16550a),
		T(test_linux_thre_test),
		T(test_linux_interrupt_driven_tx),
		T(test_msr_deltas_and_interrupt),
		T(test_read_only_writes_ignored),
		T(test_save_restore_round_trip),
		T(test_restore_rejects_invalid),
		T(test_register_fuzz),
		T(test_concurrent_receive),
		cmocka_unit_test(test_create_without_callbacks),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
