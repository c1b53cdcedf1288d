#include "console/console.h"

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

static void make_raw(struct console *c)
{
	if (c->raw || !isatty(STDIN_FILENO) ||
	    tcgetattr(STDIN_FILENO, &c->saved) != 0)
		return;
	/* Raw input so Ctrl-C and friends reach the guest; output
	 * processing stays on for Kiln's own messages. */
	struct termios raw = c->saved;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
		c->raw = true;
}

int console_open(struct console *c, enum serial_mode mode, const char *path,
		 char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->in_fd = -1;
	c->out_fd = -1;
	c->hvc_fd = -1;
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
	make_raw(c);
	return 0;
}

int console_open_hvc_input(struct console *c, int *read_fd, char *err,
			   size_t errlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		int e = errno;
		snprintf(err, errlen, "--console tty: pipe: %s", strerror(e));
		return -e;
	}
	c->hvc_fd = p[1];
	c->in_fd = STDIN_FILENO;
	make_raw(c);
	*read_fd = p[0];
	return 0;
}

void console_close(struct console *c)
{
	if (c->hvc_fd >= 0)
		close(c->hvc_fd);
	c->hvc_fd = -1;
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

static void queue_byte(struct console *c, uint8_t b)
{
	if (c->pending_len < sizeof(c->pending))
		c->pending[c->pending_len++] = b;
}

bool console_input(struct console *c, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t b = buf[i];
		if (c->escape) {
			c->escape = false;
			if (b == CONSOLE_QUIT)
				return true;
			if (b == CONSOLE_ESCAPE)
				queue_byte(c, b);
			/* Any other key after the escape is dropped. */
			continue;
		}
		if (b == CONSOLE_ESCAPE) {
			c->escape = true;
			continue;
		}
		queue_byte(c, b);
	}
	return false;
}

/* Push queued input into the UART as far as its FIFO allows (or into the
 * virtio-console's pipe as far as it has room). */
static void flush_pending(struct console *c)
{
	size_t n = 0;
	if (c->hvc_fd >= 0) {
		ssize_t w = write(c->hvc_fd, c->pending + c->pending_off,
				  c->pending_len - c->pending_off);
		if (w > 0)
			n = (size_t)w;
		else if (w < 0 && errno != EAGAIN && errno != EINTR)
			n = c->pending_len - c->pending_off; /* device gone */
	} else if (c->uart) {
		n = uart_receive(c->uart, c->pending + c->pending_off,
				 c->pending_len - c->pending_off);
	}
	c->pending_off += n;
	if (c->pending_off == c->pending_len)
		c->pending_off = c->pending_len = 0;
}

bool console_run(struct console *c, int event_fd)
{
	for (;;) {
		bool want_input = c->in_fd >= 0 && !c->input_eof &&
				  c->pending_len == 0;
		struct pollfd p[4] = {
			{ .fd = event_fd, .events = POLLIN },
			{ .fd = c->space_fd, .events = POLLIN },
			{ .fd = want_input ? c->in_fd : -1, .events = POLLIN },
			{ .fd = c->pending_len ? c->hvc_fd : -1, .events = POLLOUT },
		};
		/* Poll the UART now and then too: an rx_space wake-up can race
		 * with a FIFO that filled in between. */
		int n = poll(p, 4, c->pending_len && c->hvc_fd < 0 ? 50 : -1);
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
