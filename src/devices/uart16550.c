/* 16550A UART model. See uart16550.h for the contract.
 *
 * Only what Linux's 8250 driver can observe is modelled: no baud-rate
 * timing (transmit is instant), no parity/framing/break errors, no
 * character-timeout interrupt (received data is reported as "data
 * available" as soon as the FIFO is non-empty, whatever the trigger level).
 */
#include "devices/uart16550.h"

#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Register offsets; DLAB (LCR bit 7) turns 0/1 into the divisor latch. */
#define REG_RBR 0 /* read: receive buffer; write: THR */
#define REG_IER 1
#define REG_IIR 2 /* read: IIR; write: FCR */
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7

#define IER_RDI 0x01  /* received data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI 0x08  /* modem status */
#define IER_MASK 0x0f /* the 16550A has no bits above these */

#define IIR_NO_INT 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_FIFO_ENABLED 0xc0

#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_DMA 0x08
#define FCR_TRIGGER 0xc0
#define FCR_STORED (FCR_ENABLE | FCR_DMA | FCR_TRIGGER)

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_PE 0x04
#define LSR_FE 0x08
#define LSR_BI 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_DELTAS 0x0f
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

struct uart {
	pthread_mutex_t lock;
	struct irq_line irq;
	struct uart_callbacks cb;

	uint8_t fifo[UART_FIFO_SIZE]; /* ring: rx_head is the oldest byte */
	unsigned int rx_head, rx_count;
	uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	bool thr_interrupt;
	int irq_level; /* what we last told the interrupt controller */

	uint64_t tx_bytes, rx_bytes, overruns; /* counters, for debugging */
};

/* What a register access must do once the lock is dropped. */
struct uart_effects {
	bool have_output;
	uint8_t output;
	bool rx_space;
};

/* Without the FIFO the 16550A is a 16450 with a one-byte holding register. */
static unsigned int rx_capacity(uint8_t fcr)
{
	return (fcr & FCR_ENABLE) ? UART_FIFO_SIZE : 1;
}

static bool rx_full(const struct uart *u)
{
	return u->rx_count >= rx_capacity(u->fcr);
}

/* Modem status inputs: in loopback the MCR outputs are wired back to them;
 * otherwise report a connected, ready peer (Linux's serial core wants DCD
 * to consider the line up, and CTS for hardware flow control). */
static uint8_t msr_lines(uint8_t mcr)
{
	if (!(mcr & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;
	uint8_t v = 0;
	if (mcr & MCR_RTS)
		v |= MSR_CTS;
	if (mcr & MCR_DTR)
		v |= MSR_DSR;
	if (mcr & MCR_OUT1)
		v |= MSR_RI;
	if (mcr & MCR_OUT2)
		v |= MSR_DCD;
	return v;
}

/* The highest-priority enabled source, as IIR bits 0-3 report it. */
static uint8_t iir_source(const struct uart *u)
{
	if ((u->ier & IER_RLSI) && (u->lsr & LSR_ERRORS))
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_interrupt)
		return IIR_THRI;
	if ((u->ier & IER_MSI) && (u->msr & MSR_DELTAS))
		return IIR_MSI;
	return IIR_NO_INT;
}

/* On a PC the UART's INTR pin reaches the interrupt controller through a
 * buffer enabled by OUT2; Linux sets OUT2 only once it wants interrupts.
 * The ISA line is edge-triggered, so each change is forwarded exactly once.
 * This is called with the lock held so that level changes reach the
 * controller in the order the state changed; set_level must not call back
 * into the UART. */
static void update_irq(struct uart *u)
{
	int level = iir_source(u) != IIR_NO_INT && (u->mcr & MCR_OUT2);
	if (level != u->irq_level) {
		u->irq_level = level;
		irq_line_set(&u->irq, level);
	}
}

static void rx_clear(struct uart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->lsr &= (uint8_t)~LSR_DR;
}

/* A byte arrived on the (possibly looped-back) serial input. Returns false
 * if it overran the receiver. */
static bool rx_push(struct uart *u, uint8_t byte)
{
	if (rx_full(u)) {
		/* The 16450 holding register is overwritten; a full FIFO
		 * keeps its contents and the new character is lost. */
		if (!(u->fcr & FCR_ENABLE))
			u->fifo[u->rx_head] = byte;
		u->lsr |= LSR_OE;
		u->overruns++;
		return false;
	}
	u->fifo[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
	u->rx_bytes++;
	u->lsr |= LSR_DR;
	return true;
}

static uint8_t rx_pop(struct uart *u, struct uart_effects *fx)
{
	if (!u->rx_count)
		return 0;
	bool was_full = rx_full(u);
	uint8_t byte = u->fifo[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	if (!--u->rx_count) {
		u->rx_head = 0;
		u->lsr &= (uint8_t)~LSR_DR;
	}
	/* rx_space fires on the full -> not full transition only: a console
	 * that got a short count from uart_receive is waiting for exactly
	 * this, and one that is not waiting needs no wake-up per byte. */
	if (was_full)
		fx->rx_space = true;
	return byte;
}

static void transmit(struct uart *u, uint8_t byte, struct uart_effects *fx)
{
	/* Writing THR clears the THR-empty interrupt; the byte leaves at
	 * once and THR is empty again. Forwarding the drop before the new
	 * rise gives the edge-triggered line one edge per byte, as a real
	 * (slower) UART would. */
	u->thr_interrupt = false;
	update_irq(u);
	if (u->mcr & MCR_LOOP) {
		/* Loopback disconnects the serial output. */
		rx_push(u, byte);
	} else {
		fx->have_output = true;
		fx->output = byte;
		u->tx_bytes++;
	}
	u->thr_interrupt = true;
}

static void write_fcr(struct uart *u, uint8_t val, struct uart_effects *fx)
{
	bool was_full = rx_full(u);
	/* The other bits are only writable while the enable bit is set. */
	uint8_t fcr = (val & FCR_ENABLE) ? (val & FCR_STORED) : 0;

	/* Switching the FIFOs on or off empties them. */
	if ((fcr ^ u->fcr) & FCR_ENABLE)
		rx_clear(u);
	else if ((fcr & FCR_ENABLE) && (val & FCR_CLEAR_RX))
		rx_clear(u);
	/* FCR_CLEAR_TX: the transmitter is always empty. */
	u->fcr = fcr;
	if (was_full && !rx_full(u))
		fx->rx_space = true;
}

static void write_mcr(struct uart *u, uint8_t val)
{
	uint8_t old = msr_lines(u->mcr);
	u->mcr = val & MCR_MASK;
	uint8_t now = msr_lines(u->mcr);
	uint8_t deltas = 0;

	if ((old ^ now) & MSR_CTS)
		deltas |= MSR_DCTS;
	if ((old ^ now) & MSR_DSR)
		deltas |= MSR_DDSR;
	if ((old & MSR_RI) && !(now & MSR_RI)) /* trailing edge only */
		deltas |= MSR_TERI;
	if ((old ^ now) & MSR_DCD)
		deltas |= MSR_DDCD;
	u->msr = now | (u->msr & MSR_DELTAS) | deltas;
}

static void write_ier(struct uart *u, uint8_t val)
{
	uint8_t changed = (u->ier ^ val) & IER_THRI;
	u->ier = val & IER_MASK;
	/* Enabling the THR-empty interrupt while THR is empty (always, here)
	 * raises it at once, even if an IIR read had cleared it before:
	 * Linux's UART_BUG_THRE test toggles IER to check exactly this. */
	if (changed)
		u->thr_interrupt = (u->ier & IER_THRI) != 0;
}

static uint8_t reg_read(struct uart *u, unsigned int reg,
			struct uart_effects *fx)
{
	uint8_t v = 0;

	switch (reg) {
	case REG_RBR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		return rx_pop(u, fx);
	case REG_IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case REG_IIR:
		v = iir_source(u);
		/* Reading IIR acknowledges a THR-empty interrupt, but only
		 * when that is what it reports. */
		if (v == IIR_THRI)
			u->thr_interrupt = false;
		if (u->fcr & FCR_ENABLE)
			v |= IIR_FIFO_ENABLED;
		return v;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		v = u->lsr;
		u->lsr &= (uint8_t)~LSR_ERRORS;
		return v;
	case REG_MSR:
		v = u->msr;
		u->msr &= (uint8_t)~MSR_DELTAS;
		return v;
	case REG_SCR:
		return u->scr;
	}
	return 0xff;
}

static void reg_write(struct uart *u, unsigned int reg, uint8_t val,
		      struct uart_effects *fx)
{
	switch (reg) {
	case REG_RBR:
		if (u->lcr & LCR_DLAB)
			u->dll = val;
		else
			transmit(u, val, fx);
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB)
			u->dlm = val;
		else
			write_ier(u, val);
		break;
	case REG_IIR:
		write_fcr(u, val, fx);
		break;
	case REG_LCR:
		u->lcr = val;
		break;
	case REG_MCR:
		write_mcr(u, val);
		break;
	case REG_LSR:
	case REG_MSR:
		/* Read-only on the 16550A (LSR writes are a factory test). */
		pr_guest(LOG_DEBUG, "uart: write 0x%02x to read-only register %u ignored",
			 val, reg);
		break;
	case REG_SCR:
		u->scr = val;
		break;
	}
}

/* Run the deferred callbacks once the lock is released, so that they may
 * call back into the UART (uart_receive from an rx_space handler). */
static void run_effects(struct uart *u, const struct uart_effects *fx)
{
	if (fx->have_output && u->cb.output)
		u->cb.output(u->cb.ctx, &fx->output, 1);
	if (fx->rx_space && u->cb.rx_space)
		u->cb.rx_space(u->cb.ctx);
}

static uint64_t uart_io_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct uart *u = opaque;
	struct uart_effects fx = { 0 };

	if (offset >= UART_IO_LEN)
		return 0xff;
	pthread_mutex_lock(&u->lock);
	uint8_t v = reg_read(u, (unsigned int)offset, &fx);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	run_effects(u, &fx);
	return v;
}

static void uart_io_write(void *opaque, uint64_t offset, uint64_t value,
			  unsigned int size)
{
	struct uart *u = opaque;
	struct uart_effects fx = { 0 };

	if (offset >= UART_IO_LEN)
		return;
	pthread_mutex_lock(&u->lock);
	reg_write(u, (unsigned int)offset, (uint8_t)value, &fx);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	run_effects(u, &fx);
}

const struct io_ops uart_io_ops = {
	.read = uart_io_read,
	.write = uart_io_write,
};

static void uart_reset(struct uart *u)
{
	rx_clear(u);
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr = LSR_THRE | LSR_TEMT;
	u->msr = msr_lines(0);
	u->scr = 0;
	u->dll = 0x0c; /* 9600 baud, what a PC BIOS leaves behind */
	u->dlm = 0;
	u->fcr = 0;
	u->thr_interrupt = false;
	u->irq_level = 0;
}

struct uart *uart_create(const struct irq_line *irq,
			 const struct uart_callbacks *cb)
{
	struct uart *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	if (pthread_mutex_init(&u->lock, NULL)) {
		free(u);
		return NULL;
	}
	if (irq)
		u->irq = *irq;
	if (cb)
		u->cb = *cb;
	uart_reset(u);
	return u;
}

void uart_destroy(struct uart *uart)
{
	if (!uart)
		return;
	pthread_mutex_destroy(&uart->lock);
	free(uart);
}

size_t uart_receive(struct uart *uart, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&uart->lock);
	if (uart->mcr & MCR_LOOP) {
		/* Loopback disconnects the serial input: what arrives now is
		 * lost on real hardware too. Report it consumed so the console
		 * does not wait for an rx_space that may never come. */
		n = len;
	} else {
		/* Never overrun from here: the caller keeps what does not
		 * fit and waits for rx_space. */
		while (n < len && !rx_full(uart))
			rx_push(uart, buf[n++]);
	}
	update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
	return n;
}

void uart_save(struct uart *uart, struct uart_state *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&uart->lock);
	out->version = UART_STATE_VERSION;
	for (unsigned int i = 0; i < uart->rx_count; i++)
		out->rbr_fifo[i] =
			uart->fifo[(uart->rx_head + i) % UART_FIFO_SIZE];
	out->rx_count = (uint8_t)uart->rx_count;
	out->ier = uart->ier;
	out->lcr = uart->lcr;
	out->mcr = uart->mcr;
	out->lsr = uart->lsr;
	out->msr = uart->msr;
	out->scr = uart->scr;
	out->dll = uart->dll;
	out->dlm = uart->dlm;
	out->fcr = uart->fcr;
	out->thr_interrupt = uart->thr_interrupt;
	pthread_mutex_unlock(&uart->lock);
}

/* The state comes from a file or the network: accept only what the model
 * itself can reach. */
static bool state_valid(const struct uart_state *s)
{
	if (s->version != UART_STATE_VERSION)
		return false;
	for (size_t i = 0; i < sizeof(s->pad); i++)
		if (s->pad[i])
			return false;
	if ((s->fcr & FCR_ENABLE) ? (s->fcr & ~FCR_STORED) : s->fcr)
		return false;
	if (s->rx_count > rx_capacity(s->fcr))
		return false;
	if (s->ier & ~IER_MASK)
		return false;
	if (s->mcr & ~MCR_MASK)
		return false;
	/* No parity/framing/break errors are modelled; the transmitter is
	 * always empty; DR says exactly whether the FIFO holds data. */
	if (s->lsr & ~(LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT))
		return false;
	if ((s->lsr & (LSR_THRE | LSR_TEMT)) != (LSR_THRE | LSR_TEMT))
		return false;
	if (!!(s->lsr & LSR_DR) != (s->rx_count > 0))
		return false;
	if ((s->msr & ~MSR_DELTAS) != msr_lines(s->mcr))
		return false;
	if (s->thr_interrupt > 1)
		return false;
	return true;
}

int uart_restore(struct uart *uart, const struct uart_state *in)
{
	struct uart_effects fx = { 0 };

	if (!state_valid(in))
		return -EINVAL;
	pthread_mutex_lock(&uart->lock);
	bool was_full = rx_full(uart);
	memcpy(uart->fifo, in->rbr_fifo, sizeof(uart->fifo));
	uart->rx_head = 0;
	uart->rx_count = in->rx_count;
	uart->ier = in->ier;
	uart->lcr = in->lcr;
	uart->mcr = in->mcr;
	uart->lsr = in->lsr;
	uart->msr = in->msr;
	uart->scr = in->scr;
	uart->dll = in->dll;
	uart->dlm = in->dlm;
	uart->fcr = in->fcr;
	uart->thr_interrupt = in->thr_interrupt;
	update_irq(uart);
	/* A console blocked on the old, full FIFO must hear about room. */
	if (was_full && !rx_full(uart))
		fx.rx_space = true;
	pthread_mutex_unlock(&uart->lock);
	run_effects(uart, &fx);
	return 0;
}
