/* The PC's virtio-console: hvc0 on the back end --console names. */
#include "machine/pc.h"

#include "backends/char_backend.h"
#include "devices/virtio_console.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void destroy_console(void *device)
{
	virtio_console_destroy(device);
}

int pc_add_virtio_console(struct vm *vm, enum char_backend_kind kind,
			  const char *path, int tty_in_fd, char *err, size_t errlen)
{
	struct char_backend *be = calloc(1, sizeof(*be));
	if (!be) {
		if (kind == CHAR_BACKEND_TTY && tty_in_fd >= 0)
			close(tty_in_fd);
		snprintf(err, errlen, "--console: out of memory");
		return -ENOMEM;
	}
	int e = char_backend_open(be, kind, path, tty_in_fd, "--console", err,
				  errlen);
	if (e) {
		free(be);
		return e;
	}
	if (kind == CHAR_BACKEND_PTY) {
		/* Said once, whatever the log level: it is how to reach hvc0. */
		fprintf(stderr, "kiln: console on %s\n", be->path);
	}
	struct virtio_console *con;
	e = virtio_console_create(&con, be); /* takes be, also on failure */
	if (e) {
		snprintf(err, errlen, "--console: cannot create the device: %s",
			 strerror(-e));
		return e;
	}
	return pc_add_virtio_device(vm, &virtio_console_ops, con, destroy_console,
				    err, errlen);
}
