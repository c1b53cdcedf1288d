/* The serial console: COM1's output to the terminal (or a file), the
 * terminal's keystrokes to COM1, and the escape key that quits.
 *
 * Input is read on the main thread, which also waits for guest events, so
 * no extra thread is needed. With --console tty the keystrokes go to the
 * virtio-console through a pipe instead (the escape key works the same). When the UART's FIFO is full, input waits in
 * a small buffer and stdin is not read until the guest drains the FIFO.
 */
#ifndef KILN_CONSOLE_CONSOLE_H
#define KILN_CONSOLE_CONSOLE_H

#include "cli/options.h"
#include "devices/uart16550.h"

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#define CONSOLE_ESCAPE 0x01 /* Ctrl-A, as in QEMU */
#define CONSOLE_QUIT 'x'

struct console {
	int in_fd;   /* -1 when input is off */
	int out_fd;  /* -1 when output is off */
	bool owns_out_fd;
	bool raw;    /* the terminal was put in raw mode and must be restored */
	struct termios saved;
	int space_fd; /* eventfd: the UART has room again */
	bool escape;  /* the previous byte was the escape key */
	struct uart *uart;
	uint8_t pending[512];
	size_t pending_len, pending_off;
	bool input_eof;
	const bool *stopping; /* the VM's flag: output stops blocking once set */
	int hvc_fd; /* --console tty: input goes into this pipe, not COM1 */
};

int console_open(struct console *c, enum serial_mode mode, const char *path,
		 char *err, size_t errlen) __attribute__((warn_unused_result));
void console_close(struct console *c);

/* --console tty: keystrokes (escapes handled here, as for COM1) go to a
 * virtio-console instead of COM1. Takes stdin (raw, if a terminal) and
 * returns in *read_fd the non-blocking read end of a pipe the device reads
 * them from; a full pipe stops reading stdin until the guest takes more.
 * 0, or -errno with a message in err. */
int console_open_hvc_input(struct console *c, int *read_fd, char *err,
			   size_t errlen) __attribute__((warn_unused_result));

/* The callbacks to hand to uart_create(). */
struct uart_callbacks console_uart_callbacks(struct console *c);

/* Process raw input bytes: escapes handled, the rest queued for the UART.
 * Returns true when the user asked to quit. Exposed for unit tests. */
bool console_input(struct console *c, const uint8_t *buf, size_t len);

/* Main loop: serve console input until `event_fd` becomes readable (the
 * guest raised an event) or the user quits. Returns true on quit. */
bool console_run(struct console *c, int event_fd);

#endif
