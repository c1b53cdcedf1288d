/* Shared between the virtio-net files: the device model (virtio_net.c),
 * the control-queue parser (virtio_net_ctrl.c), the userspace data path
 * (virtio_net_rxtx.c) and the vhost data path (virtio_net_vhost.c). */
#ifndef KILN_DEVICES_VIRTIO_NET_INTERNAL_H
#define KILN_DEVICES_VIRTIO_NET_INTERNAL_H

#include "devices/virtio_net.h"
#include "devices/virtio_net_filter.h"
#include "virtio/vhost_kernel.h"
#include "virtio/virtio_worker.h"

#include <linux/virtio_net.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/uio.h>

/* Largest packet read from the fd: header + a 64 KiB GSO frame + its
 * link-layer headers. One more byte is read so a longer one is noticed. */
#define NET_PKT_MAX (VIRTIO_NET_HDR_LEN + 65536 + 256)

/* Buffers a pair holds ahead for one packet: enough for the largest of
 * Linux's smallest mergeable buffers (1536 bytes). A packet that needs
 * more of the guest's buffers is dropped. */
#define NET_RX_POOL 64
#define NET_RX_IOV VQ_CHAIN_MAX_SEGS /* readv's limit, UIO_MAXIOV, too */
#define NET_BUDGET 256 /* chains per queue before the other gets a turn */

/* ---- control queue (virtio_net_ctrl.c) ----------------------------------- */

enum net_ctrl_kind {
	NET_CTRL_BAD,      /* unknown class/command or malformed: VIRTIO_NET_ERR */
	NET_CTRL_RX_MODE,  /* one rx mode flag (cmd: VIRTIO_NET_CTRL_RX_*) on/off */
	NET_CTRL_MAC_TABLE,
	NET_CTRL_MAC_ADDR,
	NET_CTRL_MQ_PAIRS,
	NET_CTRL_GUEST_OFFLOADS,
	NET_CTRL_ANNOUNCE_ACK, /* the guest announced itself (GUEST_ANNOUNCE) */
	NET_CTRL_VLAN,     /* add (on) or remove a VLAN id */
};

struct net_ctrl_cmd {
	enum net_ctrl_kind kind;
	uint8_t class, cmd;
	uint16_t pairs;    /* NET_CTRL_MQ_PAIRS */
	uint16_t vid;      /* NET_CTRL_VLAN: below NET_FILTER_VLANS */
	uint8_t on;        /* NET_CTRL_RX_MODE: 0/1 (any non-zero byte is on);
			    * NET_CTRL_VLAN: 1 add, 0 remove */
	uint8_t mac[6];    /* NET_CTRL_MAC_ADDR: a unicast address */
	uint64_t offloads; /* NET_CTRL_GUEST_OFFLOADS: feature bits */
	/* NET_CTRL_MAC_TABLE: a table longer than NET_FILTER_MACS is not
	 * copied, only marked overflowed. */
	unsigned int n_uni, n_multi;
	bool uni_overflow, multi_overflow;
	uint8_t uni[NET_FILTER_MACS][6], multi[NET_FILTER_MACS][6];
	const char *why;   /* NET_CTRL_BAD: for the log line */
};

/* Parse the readable part of a control chain (class, command, data); the
 * chain's writable part is not looked at, nor whether the command's
 * feature was negotiated. Pure: copies what it reads. */
void net_ctrl_parse(const struct vq_chain *c, struct net_ctrl_cmd *cmd);

/* ---- device ---------------------------------------------------------------- */

enum net_io_state {
	NET_IO_IDLE,    /* ring empty: wait for the queue's kick */
	NET_IO_MORE,    /* budget used up: run again */
	NET_IO_WAIT_FD, /* rx: no packet / tx: fd full - wait for the fd */
	NET_IO_DEAD,    /* the fd reached its end (a closed test socket) */
	NET_IO_BROKEN,  /* the queue broke: NEEDS_RESET, no more service */
};

struct net_pair {
	struct virtio_net *net;
	unsigned int index;
	int fd;          /* tap queue or test socket */
	bool attached;   /* tap queue attached (TUNSETQUEUE) */

	/* userspace data path */
	int ctl_fd;      /* eventfd: stop, or the active pair count changed */
	int epfd;        /* ctl_fd, both kick fds, fd */
	_Atomic bool stop;
	pthread_t thread;
	bool running;
	bool paused;     /* stopped by net_pair_pause, state kept */

	/* rx, thread only (virtio_net_rx.c): the guest's buffers held ahead,
	 * rx_pool[(rx_start + i) % NET_RX_POOL] for i < rx_n, in the order
	 * they were popped, rx_cap writable bytes in all; a packet read
	 * into `pkt` while they could not hold the largest one */
	struct vq_chain **rx_pool;  /* [NET_RX_POOL] */
	unsigned int rx_start, rx_n;
	uint64_t rx_cap;
	struct iovec *rx_iov;       /* [NET_RX_IOV] */
	uint8_t *pkt;               /* [NET_PKT_MAX + 1] */
	size_t pkt_len;
	bool have_pkt;

	/* tx, thread only */
	struct vq_chain *tx_chain;
	bool tx_pending;           /* tx_chain waits for room on the fd */
	struct iovec *iov;         /* [VQ_CHAIN_MAX_SEGS] */

	/* rx filter, thread only: a copy of the device's, taken again
	 * whenever filter_gen moves on */
	struct net_rx_filter *rx_filter;
	unsigned int rx_filter_gen;

	/* vhost data path */
	struct vhost_kernel vhost;
	bool vhost_started;
};

struct virtio_net {
	char name[16];
	uint8_t mac[6];            /* the address the NIC starts with */
	uint16_t mtu;              /* 0: no VIRTIO_NET_F_MTU */
	unsigned int max_pairs;
	bool tap, vhost;
	bool packed;               /* offers VIRTIO_F_RING_PACKED (never with vhost) */
	struct guest_mem *mem;
	struct virtio_net_config config; /* little-endian, built at create;
					  * the status field is `status` */
	_Atomic uint16_t status;         /* VIRTIO_NET_S_*, host order */
	struct net_pair pair[VIRTIO_NET_MAX_PAIRS];
	struct virtio_worker ctrl;       /* serves the control queue */
	struct vhost_call_relay relay;   /* vhost: queues without an irqfd */

	/* set by activate, stable until reset */
	struct virtio_device *vdev;
	unsigned int usable_pairs;       /* MQ negotiated ? max_pairs : 1 */
	bool mrg_rxbuf;
	bool activated;
	_Atomic unsigned int active_pairs;

	/* What the driver set through the control queue: the receive filter
	 * (applied by the userspace rx path and, as far as it can, by the
	 * tap) and the config MAC (MAC_ADDR_SET), both under filter_lock;
	 * filter_gen moves on with every change. The guest offloads the
	 * tap may hand over (GUEST_OFFLOADS_SET), control thread only. */
	pthread_mutex_t filter_lock;
	struct net_rx_filter filter;
	_Atomic unsigned int filter_gen;
	uint64_t guest_offloads;
	/* Set by a restore: the next activate starts with these pairs and,
	 * with GUEST_ANNOUNCE, asks the guest to announce itself. */
	bool restored;
	unsigned int restored_pairs;

	_Atomic uint64_t tx_packets, tx_bytes, tx_errors, rx_packets, rx_bytes,
		rx_too_big, rx_errors, rx_filtered, bad_chains, ctrl_ok, ctrl_err,
		announces;
};

/* Control queue side of the receive filter (virtio_net_rxmode.c): execute
 * an rx-mode, MAC table or MAC address command on net->filter and hand
 * the result to the tap. The ack: VIRTIO_NET_OK or VIRTIO_NET_ERR (with
 * cmd->why set). */
uint8_t net_rxmode_command(struct virtio_net *net, struct net_ctrl_cmd *cmd);
/* Back to promiscuous with the NIC's own address (reset, create), the
 * tap's filter off. */
void net_rxmode_reset(struct virtio_net *net);
/* At activation: VLAN filtering on, no id added, if the driver
 * negotiated CTRL_VLAN (as after QEMU's set_features). */
void net_rxmode_activate(struct virtio_net *net, bool vlan);
/* Give the tap net->filter as it is now (after a restore). */
void net_rxmode_sync_tap(struct virtio_net *net);
/* The userspace rx path: whether a frame of len bytes starting with
 * `frame` (at least its destination, when len >= 6) passes the filter. */
bool net_rxmode_accepts(struct net_pair *p, const uint8_t *frame, size_t len);

/* Userspace data path, shared by rx and tx. Pop; on an empty ring turn
 * the guest's kicks back on and look once more, so buffers added meanwhile
 * are not left waiting for a kick. */
static inline int net_pop_or_arm(struct virtqueue *vq, struct vq_chain *c)
{
	for (;;) {
		int r = virtqueue_pop(vq, c);
		if (r != 0)
			return r;
		if (!virtqueue_enable_notify(vq))
			return 0;
		virtqueue_disable_notify(vq);
	}
}

static inline void net_push(struct virtqueue *vq, uint16_t head, uint32_t len,
			    unsigned int *pushed)
{
	if (virtqueue_push(vq, head, len) == 0)
		(*pushed)++;
}

/* Chains the pair holds go back to queue q's avail ring as if never
 * popped (virtqueue_unpop), or, if that cannot be, are answered empty. */
void net_give_back(struct net_pair *p, unsigned int q, const uint16_t *heads,
		   unsigned int n);

/* The receive side (virtio_net_rx.c): move packets from the fd into the
 * guest's buffers until the budget, the ring or the fd runs out. */
enum net_io_state net_rx_process(struct net_pair *p);
/* Drop the held buffers: back to the ring (give_back, a pause) or just
 * forgotten (a reset, which resets the queue too). */
void net_rx_release(struct net_pair *p, bool give_back);

/* Userspace data path (virtio_net_rxtx.c). */
int net_pair_alloc(struct net_pair *p) __attribute__((warn_unused_result));
void net_pair_free(struct net_pair *p);
int net_pair_start(struct net_pair *p) __attribute__((warn_unused_result));
void net_pair_stop(struct net_pair *p);
/* Wake the pair's thread to look at active_pairs again. */
void net_pair_wake(struct net_pair *p);
/* Snapshot: stop the thread between chains and give the chains it holds
 * unused back to the rings (rx buffers waiting for a packet, a tx chain
 * waiting for room on the fd), so nothing is in flight. A packet read
 * from the fd but not placed yet is kept for net_pair_resume. No-op if
 * not running. */
void net_pair_pause(struct net_pair *p);
/* Run a paused pair again: 0 (also if not paused) or -errno. */
int net_pair_resume(struct net_pair *p) __attribute__((warn_unused_result));

/* vhost data path (virtio_net_vhost.c). */
int net_vhost_open(struct virtio_net *net, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void net_vhost_close(struct virtio_net *net);
int net_vhost_start(struct virtio_net *net) __attribute__((warn_unused_result));
/* Take the queues back from the kernel; each virtqueue goes on from where
 * vhost stopped (its avail position and used index), so a pause is
 * net_vhost_stop and a resume net_vhost_start. */
void net_vhost_stop(struct virtio_net *net);

/* Saved state (virtio_net_state.c). */
ssize_t net_save(void *dev, void *buf, size_t cap);
int net_restore(void *dev, const void *buf, size_t len, uint64_t features,
		char *err, size_t errlen);

#endif
