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
 * Snapshot and migration: pause stops the data path between chains (the
 * userspace threads give the buffers they hold back to the rings; vhost
 * is stopped and each ring goes on from the position the kernel reports),
 * save/restore carry struct virtio_net_state. After a restore the guest is
 * asked to announce itself (VIRTIO_NET_S_ANNOUNCE and a config interrupt,
 * when it negotiated GUEST_ANNOUNCE): its gratuitous ARPs tell the network
 * where it now is. The tap is the one the command line names, opened again
 * by the restoring Kiln.
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
	bool packed;          /* offer VIRTIO_F_RING_PACKED (not with vhost) */
	struct guest_mem *mem; /* for vhost's memory table */
	const char *name;     /* "net0", for log lines */
	uint16_t mtu;         /* 0, or 68..65535: VIRTIO_NET_F_MTU with this
			       * in the config (the caller sets the tap's) */
};

#define VIRTIO_NET_MIN_MTU 68

struct virtio_net_stats {
	uint64_t tx_packets, tx_bytes; /* reached the fd (bytes after the header) */
	uint64_t tx_errors;    /* the fd refused a packet (the guest's is answered) */
	uint64_t rx_packets, rx_bytes;
	uint64_t rx_too_big;   /* dropped: larger than the guest's buffers */
	uint64_t rx_errors;    /* runts and read errors on the fd */
	uint64_t rx_filtered;  /* dropped: not for the guest's rx filter */
	uint64_t bad_chains;   /* malformed guest chains, answered */
	uint64_t ctrl_ok, ctrl_err;
	uint64_t announces;    /* the guest announced itself (ANNOUNCE_ACK) */
};

/* The device's own saved state (snapshot, migration) beyond its queues and
 * transport, which virtio-pci saves: what the driver set through the
 * control queue and the config space it reads. Restore takes it as
 * untrusted input and checks every field (virtio_net_state.c). */
#define VIRTIO_NET_STATE_MACS 64 /* = NET_FILTER_MACS */
#define VIRTIO_NET_STATE_VERSION 2
struct virtio_net_state {
	uint32_t version;       /* 2; version 1 (Kiln before 2026-11-27) ended
				 * after promisc/allmulti, with 6 zero bytes */
	uint16_t max_pairs;     /* the NIC's queue pairs: must be this one's */
	uint16_t active_pairs;  /* 1..max_pairs, above 1 only with MQ */
	uint8_t mac[6];         /* config MAC: unicast, not zero */
	uint16_t status;        /* VIRTIO_NET_S_LINK_UP, + S_ANNOUNCE only
				 * with GUEST_ANNOUNCE negotiated */
	/* The receive filter the driver set (net_rx_filter): flags 0/1 */
	uint8_t promisc, allmulti;
	uint8_t alluni, nomulti, nouni, nobcast;
	uint8_t uni_overflow, multi_overflow; /* then that table is empty */
	uint8_t n_uni, n_multi; /* entries in use, <= VIRTIO_NET_STATE_MACS */
	uint8_t vlan_on;        /* VLAN filtering: 1 only with CTRL_VLAN */
	uint8_t reserved[5];    /* 0 */
	uint8_t uni[VIRTIO_NET_STATE_MACS][6];   /* unused entries 0 */
	uint8_t multi[VIRTIO_NET_STATE_MACS][6];
	uint32_t vlans[4096 / 32]; /* le32; bit n: VLAN id n added; all 0
				    * when vlan_on is 0 */
};
/* The size of a version 1 state (its first 24 bytes, the rest absent). */
#define VIRTIO_NET_STATE_V1_SIZE 24

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
