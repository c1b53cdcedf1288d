/* 16550A UART (the PC's COM1 at 0x3f8, IRQ 4).
 *
 * Models the registers Linux's 8250 driver uses, with a 16-byte receive
 * FIFO and the interrupt identification priorities of the real chip, so the
 * guest can run the port interrupt-driven. Transmit is instantaneous: each
 * byte the guest writes goes straight to the output callback, and THR-empty
 * interrupts follow as on an idle line.
 *
 * Thread safety: the vCPU thread (register accesses) and the console thread
 * (uart_receive) may call in concurrently; the model has its own lock.
 * Callbacks are invoked without that lock held.
 */
#ifndef KILN_DEVICES_UART16550_H
#define KILN_DEVICES_UART16550_H

#include "bus/io_bus.h"
#include "bus/irq.h"

#include <stddef.h>
#include <stdint.h>

#define UART_COM1_BASE 0x3f8
#define UART_COM1_IRQ 4
#define UART_IO_LEN 8
#define UART_FIFO_SIZE 16

struct uart_callbacks {
	/* Bytes the guest transmitted. */
	void (*output)(void *ctx, const uint8_t *buf, size_t len);
	/* The receive FIFO has room again after being full (the console
	 * thread may feed more input). May be NULL. */
	void (*rx_space)(void *ctx);
	void *ctx;
};

/* Complete device state as data: snapshot, migration and the software CPU
 * rebuild a UART from this alone. */
#define UART_STATE_VERSION 1
struct uart_state {
	uint32_t version;
	uint8_t rbr_fifo[UART_FIFO_SIZE]; /* receive FIFO, oldest first */
	uint8_t rx_count;                 /* bytes in rbr_fifo */
	uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	uint8_t thr_interrupt; /* THR-empty interrupt pending (cleared by IIR read/THR write) */
	uint8_t pad[5];
};

struct uart;

/* Returns NULL on allocation failure. `irq` and `cb` are copied. */
struct uart *uart_create(const struct irq_line *irq,
			 const struct uart_callbacks *cb);
void uart_destroy(struct uart *uart);

/* For io_bus_register(bus, base, UART_IO_LEN, IO_WIDTH_1, &uart_io_ops, uart, ...) */
extern const struct io_ops uart_io_ops;

/* Feed received bytes; returns how many fit into the FIFO (may be 0). */
size_t uart_receive(struct uart *uart, const uint8_t *buf, size_t len);

void uart_save(struct uart *uart, struct uart_state *out);
/* Validates `in` (version, counts, reserved bits); -EINVAL leaves the UART
 * unchanged. Re-evaluates the interrupt line. */
int uart_restore(struct uart *uart, const struct uart_state *in)
	__attribute__((warn_unused_result));

#endif
