#include "console/console.h"

#include "backends/char_backend.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Blocks while the reader is slow (backpressure on the guest, as a real
 * line would), but gives up once the VM is stopping: the kick that stops a
 * vCPU interrupts write() with EINTR, and a reader that never drains must
 * not keep Kiln from exiting. */
static void write_all(const struct console *c, int fd, const uint8_t *buf,
		      size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (c->stopping &&
			    __atomic_load_n(c->stopping, __ATOMIC_ACQUIRE))
				return;
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };
				poll(&p, 1, 100);
				continue;
			}
			return; /* output gone (closed pipe): drop it */
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void console_output(void *ctx, const uint8_t *buf, size_t len)
{
	struct console *c = ctx;
	if (c->out_fd >= 0)
		write_all(c, c->out_fd, buf, len);
}

static void console_rx_space(void *ctx)
{
	struct console *c = ctx;
	uint64_t one = 1;
	if (write(c->space_fd, &one, sizeof(one)) < 0)
		pr_debug("console: eventfd: %s", strerror(errno));
}

struct uart_callbacks console_uart_callbacks(struct console *c)
{
	return (struct uart_callbacks){ .output = console_output,
					.rx_space = console_rx_space,
					.ctx = c };
}

int console_open(struct console *c, enum serial_mode mode, const char *path,
		 char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->in_fd = -1;
	c->out_fd = -1;
	c->space_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->space_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -errno;
	}
	switch (mode) {
	case SERIAL_OFF:
		return 0;
	case SERIAL_FILE:
		c->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->out_fd < 0) {
			int e = errno;
			snprintf(err, errlen, "--serial: cannot open %s: %s", path,
				 strerror(e));
			close(c->space_fd);
			c->space_fd = -1;
			return -e;
		}
		c->owns_out_fd = true;
		return 0;
	case SERIAL_TTY:
		break;
	}
	c->out_fd = STDOUT_FILENO;
	c->in_fd = STDIN_FILENO;
	c->raw = char_tty_make_raw(STDIN_FILENO, &c->saved);
	return 0;
}

void console_close(struct console *c)
{
	if (c->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
	c->raw = false;
	if (c->owns_out_fd && c->out_fd >= 0)
		close(c->out_fd);
	c->out_fd = -1;
	if (c->space_fd >= 0)
		close(c->space_fd);
	c->space_fd = -1;
}

bool console_input(struct console *c, const uint8_t *buf, size_t len)
{
	/* The escape filter never makes input longer; queue what fits. */
	uint8_t out[256];
	while (len) {
		size_t chunk = len < sizeof(out) ? len : sizeof(out);
		bool quit;
		size_t n = char_escape_filter(&c->escape, buf, chunk, out, &quit);
		if (n > sizeof(c->pending) - c->pending_len)
			n = sizeof(c->pending) - c->pending_len;
		memcpy(c->pending + c->pending_len, out, n);
		c->pending_len += n;
		if (quit)
			return true;
		buf += chunk;
		len -= chunk;
	}
	return false;
}

/* Push queued input into the UART as far as its FIFO allows. */
static void flush_pending(struct console *c)
{
	if (!c->uart)
		return;
	size_t n = uart_receive(c->uart, c->pending + c->pending_off,
				c->pending_len - c->pending_off);
	c->pending_off += n;
	if (c->pending_off == c->pending_len)
		c->pending_off = c->pending_len = 0;
}

bool console_run(struct console *c, int event_fd)
{
	for (;;) {
		bool want_input = c->in_fd >= 0 && !c->input_eof &&
				  c->pending_len == 0;
		struct pollfd p[3] = {
			{ .fd = event_fd, .events = POLLIN },
			{ .fd = c->space_fd, .events = POLLIN },
			{ .fd = want_input ? c->in_fd : -1, .events = POLLIN },
		};
		/* Poll the UART now and then too: an rx_space wake-up can race
		 * with a FIFO that filled in between. */
		int n = poll(p, 3, c->pending_len ? 50 : -1);
		if (n < 0 && errno != EINTR)
			return false;
		if (p[0].revents)
			return false;
		if (p[1].revents) {
			uint64_t v;
			if (read(c->space_fd, &v, sizeof(v)) < 0)
				pr_debug("console: eventfd read: %s", strerror(errno));
		}
		if (p[2].revents) {
			uint8_t buf[256];
			ssize_t r = read(c->in_fd, buf, sizeof(buf) / 2);
			if (r <= 0) {
				if (r == 0 || (errno != EINTR && errno != EAGAIN))
					c->input_eof = true; /* no more input; guest runs on */
			} else if (console_input(c, buf, (size_t)r)) {
				return true;
			}
		}
		if (c->pending_len)
			flush_pending(c);
	}
}
