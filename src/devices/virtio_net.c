/* virtio-net: the device model - features, config space, the control
 * queue, and starting/stopping whichever data path the NIC uses. */
#include "devices/virtio_net_internal.h"

#include "backends/tap.h"
#include "core/log.h"

#include <endian.h>
#include <errno.h>
#include <linux/virtio_ids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NET_FEATURES                                                           \
	(1ull << VIRTIO_NET_F_CSUM | 1ull << VIRTIO_NET_F_GUEST_CSUM |         \
	 1ull << VIRTIO_NET_F_GUEST_TSO4 | 1ull << VIRTIO_NET_F_GUEST_TSO6 |   \
	 1ull << VIRTIO_NET_F_GUEST_ECN | 1ull << VIRTIO_NET_F_GUEST_UFO |     \
	 1ull << VIRTIO_NET_F_HOST_TSO4 | 1ull << VIRTIO_NET_F_HOST_TSO6 |     \
	 1ull << VIRTIO_NET_F_HOST_ECN | 1ull << VIRTIO_NET_F_HOST_UFO |       \
	 1ull << VIRTIO_NET_F_MRG_RXBUF | 1ull << VIRTIO_NET_F_MAC |           \
	 1ull << VIRTIO_NET_F_STATUS | 1ull << VIRTIO_NET_F_CTRL_VQ |          \
	 1ull << VIRTIO_NET_F_CTRL_RX | 1ull << VIRTIO_NET_F_CTRL_RX_EXTRA |   \
	 1ull << VIRTIO_NET_F_CTRL_MAC_ADDR | 1ull << VIRTIO_NET_F_CTRL_VLAN | \
	 1ull << VIRTIO_NET_F_CTRL_GUEST_OFFLOADS |                            \
	 1ull << VIRTIO_NET_F_GUEST_ANNOUNCE)

/* What GUEST_OFFLOADS_SET may turn on and off (virtio 1.2, 5.1.6.5.6.1). */
#define GUEST_OFFLOADS                                                         \
	(1ull << VIRTIO_NET_F_GUEST_CSUM | 1ull << VIRTIO_NET_F_GUEST_TSO4 |   \
	 1ull << VIRTIO_NET_F_GUEST_TSO6 | 1ull << VIRTIO_NET_F_GUEST_ECN |    \
	 1ull << VIRTIO_NET_F_GUEST_UFO)

/* Attach the tap queues of pairs [0, n), detach the rest, so the kernel
 * spreads incoming packets only over queues the guest uses. Pair 0 always
 * stays attached (a tap with no queue drops everything). */
static void attach_tap_queues(struct virtio_net *net, unsigned int n)
{
	if (!net->tap || net->max_pairs < 2)
		return;
	for (unsigned int i = 1; i < net->max_pairs; i++) {
		struct net_pair *p = &net->pair[i];
		bool want = i < n;
		if (p->attached == want)
			continue;
		int e = tap_set_queue_enabled(p->fd, want);
		if (e)
			pr_warn("%s: cannot %s tap queue %u: %s", net->name,
				want ? "attach" : "detach", i, strerror(-e));
		else
			p->attached = want;
	}
}

static void set_active_pairs(struct virtio_net *net, unsigned int n)
{
	attach_tap_queues(net, n);
	atomic_store(&net->active_pairs, n);
	if (!net->vhost)
		for (unsigned int i = 0; i < net->usable_pairs; i++)
			net_pair_wake(&net->pair[i]);
}

/* GUEST_OFFLOADS_SET: the offloads the tap may use on packets for the
 * guest, a subset of those negotiated (the driver turns them off for
 * XDP, for instance). */
static uint8_t set_guest_offloads(struct virtio_net *net, struct net_ctrl_cmd *cmd)
{
	uint64_t negotiated = net->vdev->features & GUEST_OFFLOADS;
	if (!virtio_has_feature(net->vdev, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS)) {
		cmd->why = "CTRL_GUEST_OFFLOADS not negotiated";
		return VIRTIO_NET_ERR;
	}
	if (cmd->offloads & ~negotiated) {
		cmd->why = "offloads that were not negotiated";
		return VIRTIO_NET_ERR;
	}
	int e = net->tap ? tap_set_offload(net->pair[0].fd, cmd->offloads) : 0;
	if (e) {
		pr_warn("%s: TUNSETOFFLOAD: %s", net->name, strerror(-e));
		cmd->why = "the tap refused them";
		return VIRTIO_NET_ERR;
	}
	net->guest_offloads = cmd->offloads;
	return VIRTIO_NET_OK;
}

/* Serve one control chain (on the control worker's thread). */
static uint32_t ctrl_handle(void *opaque, const struct vq_chain *c)
{
	struct virtio_net *net = opaque;
	if (!c->write_len) {
		atomic_fetch_add(&net->bad_chains, 1);
		pr_guest(LOG_WARN, "%s: control request without an ack byte",
			 net->name);
		return 0;
	}
	struct net_ctrl_cmd cmd;
	net_ctrl_parse(c, &cmd);
	uint8_t ack = VIRTIO_NET_OK;
	switch (cmd.kind) {
	case NET_CTRL_RX_MODE:
	case NET_CTRL_MAC_TABLE:
	case NET_CTRL_MAC_ADDR:
	case NET_CTRL_VLAN:
		ack = net_rxmode_command(net, &cmd);
		break;
	case NET_CTRL_GUEST_OFFLOADS:
		ack = set_guest_offloads(net, &cmd);
		break;
	case NET_CTRL_MQ_PAIRS:
		if (!virtio_has_feature(net->vdev, VIRTIO_NET_F_MQ)) {
			cmd.why = "MQ not negotiated";
			ack = VIRTIO_NET_ERR;
		} else if (cmd.pairs < VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN ||
			   cmd.pairs > net->max_pairs) {
			cmd.why = "queue pair count out of range";
			ack = VIRTIO_NET_ERR;
		} else {
			set_active_pairs(net, cmd.pairs);
		}
		break;
	case NET_CTRL_ANNOUNCE_ACK:
		/* Only an announcement Kiln asked for is acknowledged. */
		if (!(atomic_fetch_and(&net->status, (uint16_t)~VIRTIO_NET_S_ANNOUNCE) &
		      VIRTIO_NET_S_ANNOUNCE)) {
			cmd.why = "no announcement pending";
			ack = VIRTIO_NET_ERR;
		} else {
			atomic_fetch_add(&net->announces, 1);
			pr_info("%s: the guest announced itself to the network",
				net->name);
		}
		break;
	case NET_CTRL_BAD:
		ack = VIRTIO_NET_ERR;
		break;
	}
	if (ack == VIRTIO_NET_OK) {
		atomic_fetch_add(&net->ctrl_ok, 1);
	} else {
		atomic_fetch_add(&net->ctrl_err, 1);
		pr_guest(LOG_WARN, "%s: control command %u.%u refused: %s",
			 net->name, cmd.class, cmd.cmd, cmd.why);
	}
	vq_chain_write(c, 0, &ack, 1);
	return 1;
}

static unsigned int net_num_queues(void *dev)
{
	struct virtio_net *net = dev;
	return 2 * net->max_pairs + 1;
}

static uint64_t net_device_features(void *dev)
{
	struct virtio_net *net = dev;
	uint64_t f = NET_FEATURES;
	if (net->max_pairs > 1)
		f |= 1ull << VIRTIO_NET_F_MQ;
	if (net->mtu)
		f |= 1ull << VIRTIO_NET_F_MTU;
	if (net->packed)
		f |= 1ull << VIRTIO_F_RING_PACKED;
	return f;
}

static void net_config_read(void *dev, uint32_t off, void *buf, uint32_t len)
{
	struct virtio_net *net = dev;
	struct virtio_net_config cfg;
	pthread_mutex_lock(&net->filter_lock); /* MAC_ADDR_SET changes the MAC */
	cfg = net->config;
	pthread_mutex_unlock(&net->filter_lock);
	cfg.status = htole16(atomic_load(&net->status));
	virtio_config_copy(buf, off, len, &cfg, sizeof(cfg));
}

static void net_config_write(void *dev, uint32_t off, const void *buf,
			     uint32_t len)
{
	/* The MAC is read-only in virtio 1.x: ignored. */
}

static void net_reset(void *dev)
{
	struct virtio_net *net = dev;
	virtio_worker_stop(&net->ctrl);
	if (net->vhost)
		net_vhost_stop(net);
	else
		for (unsigned int i = 0; i < net->max_pairs; i++)
			net_pair_stop(&net->pair[i]);
	/* Packets the tap queues from now on must suit whatever the next
	 * driver negotiates: no offloads until then. */
	if (net->tap && net->activated && tap_set_offload(net->pair[0].fd, 0))
		pr_debug("%s: cannot clear the tap's offloads", net->name);
	net->activated = false;
	net->vdev = NULL;
	net->restored = false;
	net_rxmode_reset(net);
	atomic_fetch_and(&net->status, (uint16_t)~VIRTIO_NET_S_ANNOUNCE);
	atomic_store(&net->active_pairs, 1);
}

/* After a restore: the guest's network may be somewhere else now. With
 * GUEST_ANNOUNCE the driver sends gratuitous ARPs (and acks on the
 * control queue) when it sees S_ANNOUNCE after a config interrupt. */
static void ask_announce(struct virtio_net *net)
{
	if (!virtio_has_feature(net->vdev, VIRTIO_NET_F_GUEST_ANNOUNCE))
		return;
	atomic_fetch_or(&net->status, VIRTIO_NET_S_ANNOUNCE);
	virtio_config_changed(net->vdev);
}

static int net_activate(void *dev, struct virtio_device *vdev)
{
	struct virtio_net *net = dev;
	if (net->activated)
		return -EBUSY;
	net->vdev = vdev;
	net->usable_pairs = virtio_has_feature(vdev, VIRTIO_NET_F_MQ)
			  ? net->max_pairs : 1;
	net->mrg_rxbuf = virtio_has_feature(vdev, VIRTIO_NET_F_MRG_RXBUF);
	/* Offloads are the tap device's, not a queue's: set them through
	 * pair 0, which is never detached. */
	net->guest_offloads = vdev->features & GUEST_OFFLOADS;
	if (net->tap) {
		int e = tap_set_offload(net->pair[0].fd, vdev->features);
		if (e)
			pr_warn("%s: TUNSETOFFLOAD: %s (the guest gets no offloads)",
				net->name, strerror(-e));
	}
	/* A restored filter (net_restore) goes to the tap now that the
	 * features are known; otherwise the filter is the promiscuous one of
	 * the last reset, filtering VLANs if the driver asked for that. */
	if (net->restored)
		net_rxmode_sync_tap(net);
	else
		net_rxmode_activate(net, virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_VLAN));
	/* Until VQ_PAIRS_SET only the first pair carries traffic; a restored
	 * device goes on with the pairs the driver had set (restore checked
	 * them against MQ). */
	unsigned int pairs = net->restored ? net->restored_pairs : 1;
	if (pairs > net->usable_pairs)
		pairs = net->usable_pairs;
	atomic_store(&net->active_pairs, pairs);
	attach_tap_queues(net, pairs);
	int e = 0;
	if (virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_VQ)) {
		/* controlq is 2N with MQ, else 2 (virtio 1.2, 5.1.2) */
		net->ctrl.queue = 2 * net->usable_pairs;
		e = virtio_worker_start(&net->ctrl, vdev);
	}
	if (!e && net->vhost)
		e = net_vhost_start(net);
	for (unsigned int i = 0; !e && !net->vhost && i < net->usable_pairs; i++)
		e = net_pair_start(&net->pair[i]);
	if (e) {
		pr_warn("%s: cannot start: %s", net->name, strerror(-e));
		net_reset(net);
		return e;
	}
	net->activated = true;
	if (net->restored)
		ask_announce(net);
	net->restored = false;
	return 0;
}

/* Snapshot quiescing: the control worker and the data path stop between
 * chains with nothing in flight; the queues stay as they are. */
static void net_pause(void *dev)
{
	struct virtio_net *net = dev;
	virtio_worker_pause(&net->ctrl);
	if (net->vhost)
		net_vhost_stop(net);
	else
		for (unsigned int i = 0; i < net->max_pairs; i++)
			net_pair_pause(&net->pair[i]);
}

static int net_resume(void *dev)
{
	struct virtio_net *net = dev;
	int e = virtio_worker_resume(&net->ctrl);
	if (!e && net->vhost)
		e = net_vhost_start(net);
	for (unsigned int i = 0; !e && !net->vhost && i < net->max_pairs; i++)
		e = net_pair_resume(&net->pair[i]);
	if (e)
		pr_warn("%s: cannot resume: %s", net->name, strerror(-e));
	return e;
}

const struct virtio_device_ops virtio_net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.num_queues = 3,
	.max_queue_size = VIRTIO_NET_QUEUE_SIZE,
	.device_features = NET_FEATURES,
	.event_idx = true,
	.config_size = sizeof(struct virtio_net_config),
	.config_read = net_config_read,
	.config_write = net_config_write,
	.activate = net_activate,
	.reset = net_reset,
	.pause = net_pause,
	.resume = net_resume,
	.save = net_save,
	.restore = net_restore,
	.get_num_queues = net_num_queues,
	.get_device_features = net_device_features,
};

static void build_config(struct virtio_net *net)
{
	struct virtio_net_config *cfg = &net->config;
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->mac, net->mac, sizeof(cfg->mac));
	atomic_store(&net->status, VIRTIO_NET_S_LINK_UP);
	cfg->max_virtqueue_pairs = htole16((uint16_t)net->max_pairs);
	cfg->mtu = htole16(net->mtu);
}

int virtio_net_create(struct virtio_net **out, const struct virtio_net_params *p,
		      char *err, size_t errlen)
{
	char dummy[1];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	if (!p || !p->fds || p->pairs < 1 || p->pairs > VIRTIO_NET_MAX_PAIRS ||
	    (p->vhost && (!p->tap || !p->mem))) {
		snprintf(err, errlen, "virtio-net: invalid parameters");
		return -EINVAL;
	}
	if (p->packed && p->vhost) {
		snprintf(err, errlen, "virtio-net: packed rings cannot go with "
			 "vhost (vhost-net serves split rings only)");
		return -EINVAL;
	}
	if (p->mtu && p->mtu < VIRTIO_NET_MIN_MTU) {
		snprintf(err, errlen, "virtio-net: mtu=%u: must be %d to 65535",
			 p->mtu, VIRTIO_NET_MIN_MTU);
		return -EINVAL;
	}
	struct virtio_net *net = calloc(1, sizeof(*net));
	if (!net) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(net->name, sizeof(net->name), "%s", p->name ? p->name : "net");
	memcpy(net->mac, p->mac, sizeof(net->mac));
	net->max_pairs = p->pairs;
	net->tap = p->tap;
	net->vhost = p->vhost;
	net->packed = p->packed;
	net->mem = p->mem;
	net->mtu = p->mtu;
	atomic_store(&net->active_pairs, 1);
	build_config(net);
	pthread_mutex_init(&net->filter_lock, NULL);
	net_filter_init(&net->filter, net->mac);
	int e = virtio_worker_init(&net->ctrl, "virtio-net ctrl", 0, ctrl_handle, net);
	for (unsigned int i = 0; i < net->max_pairs; i++) {
		struct net_pair *q = &net->pair[i];
		q->net = net;
		q->index = i;
		q->fd = p->fds[i];
		q->attached = true;
		q->ctl_fd = -1;
		q->epfd = -1;
		q->vhost.fd = -1;
		if (!e && !net->vhost)
			e = net_pair_alloc(q);
	}
	if (e) {
		snprintf(err, errlen, "virtio-net: %s", strerror(-e));
		goto fail;
	}
	if (net->vhost && (e = net_vhost_open(net, err, errlen)))
		goto fail;
	*out = net;
	return 0;
fail:
	virtio_worker_destroy(&net->ctrl);
	for (unsigned int i = 0; i < net->max_pairs; i++)
		net_pair_free(&net->pair[i]);
	pthread_mutex_destroy(&net->filter_lock);
	free(net);
	return e;
}

void virtio_net_destroy(struct virtio_net *net)
{
	if (!net)
		return;
	net_reset(net);
	virtio_worker_destroy(&net->ctrl);
	if (net->vhost)
		net_vhost_close(net);
	for (unsigned int i = 0; i < net->max_pairs; i++) {
		net_pair_free(&net->pair[i]);
		close(net->pair[i].fd);
	}
	pthread_mutex_destroy(&net->filter_lock);
	free(net);
}

void virtio_net_get_stats(struct virtio_net *net, struct virtio_net_stats *s)
{
	s->tx_packets = atomic_load(&net->tx_packets);
	s->tx_bytes = atomic_load(&net->tx_bytes);
	s->tx_errors = atomic_load(&net->tx_errors);
	s->rx_packets = atomic_load(&net->rx_packets);
	s->rx_bytes = atomic_load(&net->rx_bytes);
	s->rx_too_big = atomic_load(&net->rx_too_big);
	s->rx_errors = atomic_load(&net->rx_errors);
	s->rx_filtered = atomic_load(&net->rx_filtered);
	s->bad_chains = atomic_load(&net->bad_chains);
	s->ctrl_ok = atomic_load(&net->ctrl_ok);
	s->ctrl_err = atomic_load(&net->ctrl_err);
	s->announces = atomic_load(&net->announces);
}

unsigned int virtio_net_active_pairs(struct virtio_net *net)
{
	return atomic_load(&net->active_pairs);
}
