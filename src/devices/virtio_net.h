/* virtio-net (virtio 1.2, section 5.1): a NIC whose packets go to and come
 * from one packet fd per queue pair - a tap queue in Kiln, a datagram
 * socket in the unit tests. Every packet on the fd starts with the 12-byte
 * virtio-net header (struct virtio_net_hdr_v1), exactly as the guest's
 * buffers do, so frames pass through without conversion.
 *
 * Queues: rx0, tx0, rx1, tx1, ..., then the control queue (2 * pairs + 1
 * in all). Data path, chosen at creation:
 *  - userspace (the default): one thread per queue pair (virtio_net_rxtx.c)
 *    serving both of its queues and its fd;
 *  - vhost: /dev/vhost-net per pair moves the packets in the kernel
 *    (virtio_net_vhost.c).
 * The control queue is always served by Kiln (virtio_net_ctrl.c parses).
 *
 * Wiring (the machine):
 *	struct virtio_net_params p = { .mac = ..., .pairs = 2, .fds = fds,
 *				       .tap = true, .name = "net0" };
 *	if (virtio_net_create(&net, &p, err, sizeof(err)) < 0) die(...);
 *	virtio_pci_create(&t, bus, -1, &virtio_net_ops, net, mem, &hops, vm);
 *	...
 *	virtio_pci_destroy(t);   (resets the device: joins its threads)
 *	virtio_net_destroy(net); (closes the fds)
 */
#ifndef KILN_DEVICES_VIRTIO_NET_H
#define KILN_DEVICES_VIRTIO_NET_H

#include "core/guest_mem.h"
#include "virtio/virtio_device.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_NET_QUEUE_SIZE 256
#define VIRTIO_NET_MAX_PAIRS 8
#define VIRTIO_NET_HDR_LEN 12 /* struct virtio_net_hdr_v1 */

extern const struct virtio_device_ops virtio_net_ops;

struct virtio_net;

struct virtio_net_params {
	uint8_t mac[6];
	unsigned int pairs;   /* 1..VIRTIO_NET_MAX_PAIRS */
	const int *fds;       /* [pairs] packet fds, non-blocking; the device
			       * owns them from a successful create on */
	bool tap;             /* fds are tap queues: offloads, queue attach */
	bool vhost;           /* kernel data path (needs tap) */
	struct guest_mem *mem; /* for vhost's memory table */
	const char *name;     /* "net0", for log lines */
};

struct virtio_net_stats {
	uint64_t tx_packets, tx_bytes; /* reached the fd (bytes after the header) */
	uint64_t tx_errors;    /* the fd refused a packet (the guest's is answered) */
	uint64_t rx_packets, rx_bytes;
	uint64_t rx_too_big;   /* dropped: larger than the guest's buffers */
	uint64_t rx_errors;    /* runts and read errors on the fd */
	uint64_t bad_chains;   /* malformed guest chains, answered */
	uint64_t ctrl_ok, ctrl_err;
};

/* 0 and *out, or -errno with a one-line reason in err (for vhost: the
 * /dev/vhost-net that cannot be opened). On failure the fds stay the
 * caller's. */
int virtio_net_create(struct virtio_net **out, const struct virtio_net_params *p,
		      char *err, size_t errlen) __attribute__((warn_unused_result));
/* The transport must have been destroyed (or reset) first; NULL is a no-op. */
void virtio_net_destroy(struct virtio_net *net);

void virtio_net_get_stats(struct virtio_net *net, struct virtio_net_stats *s);
/* Queue pairs carrying traffic now (VQ_PAIRS_SET; 1 until then). */
unsigned int virtio_net_active_pairs(struct virtio_net *net);

#endif
