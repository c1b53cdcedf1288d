/* virtio-console (virtio 1.2, section 5.3): one console port, the guest's
 * /dev/hvc0, over a character back end (src/backends/char_backend.h).
 *
 * Queues: 0 receiveq0 (host to guest), 1 transmitq0 (guest to host). No
 * MULTIPORT, no EMERG_WRITE; VIRTIO_CONSOLE_F_SIZE (cols, rows in the
 * config) only when the back end is a terminal with a size, which then
 * follows the terminal's resizes (a config change interrupt).
 *
 * The data path is one device thread, started on activate, polling: a stop
 * eventfd, both queues' kick eventfds, the back end's input fd (only while
 * the guest has receive buffers: backpressure instead of buffering), its
 * output fd for POLLOUT (only while a transmit chain is waiting because the
 * output said EAGAIN: the chain is kept, and the rest of it written later,
 * so no byte is lost) and, for a socket, the listening fd while no client
 * is connected, and the back end's resize eventfd.
 *
 * Hostile chains: a transmit chain with device-writable buffers, or a
 * receive chain with device-readable ones or no writable bytes, is returned
 * unused (0 bytes) and counted; an empty transmit chain is returned as is.
 * A broken ring sets DEVICE_NEEDS_RESET and the thread ignores the queues
 * until the device is reset.
 *
 * Wiring (the machine):
 *	struct virtio_console *con;
 *	virtio_console_create(&con, backend);   (takes the back end)
 *	virtio_pci_create(&t, bus, -1, &virtio_console_ops, con, mem, &hops, vm);
 *	...
 *	virtio_pci_destroy(t);   (resets the device: joins its thread)
 *	virtio_console_destroy(con);   (closes the back end)
 */
#ifndef KILN_DEVICES_VIRTIO_CONSOLE_H
#define KILN_DEVICES_VIRTIO_CONSOLE_H

#include "backends/char_backend.h"
#include "virtio/virtio_device.h"

#include <stdint.h>

#define VIRTIO_CONSOLE_QUEUE_SIZE 256
#define VIRTIO_CONSOLE_RXQ 0
#define VIRTIO_CONSOLE_TXQ 1

extern const struct virtio_device_ops virtio_console_ops;

struct virtio_console;

struct virtio_console_stats {
	uint64_t tx_chains;     /* transmit chains returned */
	uint64_t rx_chains;     /* receive chains returned */
	uint64_t bad_chains;    /* returned unused: wrong direction or empty */
	uint64_t rx_starved;    /* input waited for receive buffers */
	struct char_backend_stats backend;
};

/* Takes ownership of `backend` (heap-allocated, already open): it is
 * closed and freed by virtio_console_destroy, or here on failure. 0 and
 * *out, or -ENOMEM / -errno. */
int virtio_console_create(struct virtio_console **out,
			  struct char_backend *backend)
	__attribute__((warn_unused_result));
/* The transport must have been destroyed (or reset) first; NULL is a no-op. */
void virtio_console_destroy(struct virtio_console *con);
void virtio_console_get_stats(struct virtio_console *con,
			      struct virtio_console_stats *s);

#endif
