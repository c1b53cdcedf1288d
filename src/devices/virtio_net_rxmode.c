/* virtio-net's receive filter in the device: the control queue's rx-mode,
 * MAC table and MAC address commands change it, the userspace rx path
 * checks each frame against its own copy, and the tap gets the same
 * filter (TUNSETTXFILTER) so that with vhost - where no frame passes
 * through Kiln - the kernel drops what the guest did not ask for. The
 * tap's filter can be wider than the guest's (it has 8 exact entries and
 * a hash for multicast), never narrower. */
#include "devices/virtio_net_internal.h"

#include "backends/tap.h"
#include "core/log.h"

#include <errno.h>
#include <string.h>

/* Give the tap the current filter (control thread, or a reset). */
static void tap_apply(struct virtio_net *net, const struct net_rx_filter *f)
{
	if (!net->tap)
		return;
	uint8_t macs[TAP_FILTER_MAX][6];
	bool allmulti;
	unsigned int n = net_filter_tap_list(f, macs, TAP_FILTER_MAX, &allmulti);
	int e = tap_set_rx_filter(net->pair[0].fd, macs, n, allmulti);
	if (e)
		pr_warn("%s: cannot set the tap's receive filter: %s (the guest's "
			"own stack filters instead)", net->name, strerror(-e));
}

/* Change the filter under the lock, tell the rx threads, update the tap. */
static void publish(struct virtio_net *net, struct net_rx_filter *f)
{
	pthread_mutex_lock(&net->filter_lock);
	net->filter = *f;
	memcpy(net->config.mac, f->mac, sizeof(net->config.mac));
	atomic_fetch_add_explicit(&net->filter_gen, 1, memory_order_release);
	pthread_mutex_unlock(&net->filter_lock);
	tap_apply(net, f);
}

static bool has(struct virtio_net *net, unsigned int bit)
{
	return virtio_has_feature(net->vdev, bit);
}

uint8_t net_rxmode_command(struct virtio_net *net, struct net_ctrl_cmd *cmd)
{
	struct net_rx_filter f;
	pthread_mutex_lock(&net->filter_lock);
	f = net->filter;
	pthread_mutex_unlock(&net->filter_lock);

	switch (cmd->kind) {
	case NET_CTRL_RX_MODE: {
		if (!has(net, VIRTIO_NET_F_CTRL_RX)) {
			cmd->why = "CTRL_RX not negotiated";
			return VIRTIO_NET_ERR;
		}
		if (cmd->cmd > VIRTIO_NET_CTRL_RX_ALLMULTI &&
		    !has(net, VIRTIO_NET_F_CTRL_RX_EXTRA)) {
			cmd->why = "CTRL_RX_EXTRA not negotiated";
			return VIRTIO_NET_ERR;
		}
		bool *flag[] = {
			[VIRTIO_NET_CTRL_RX_PROMISC] = &f.promisc,
			[VIRTIO_NET_CTRL_RX_ALLMULTI] = &f.allmulti,
			[VIRTIO_NET_CTRL_RX_ALLUNI] = &f.alluni,
			[VIRTIO_NET_CTRL_RX_NOMULTI] = &f.nomulti,
			[VIRTIO_NET_CTRL_RX_NOUNI] = &f.nouni,
			[VIRTIO_NET_CTRL_RX_NOBCAST] = &f.nobcast,
		};
		*flag[cmd->cmd] = cmd->on;
		break;
	}
	case NET_CTRL_MAC_TABLE:
		if (!has(net, VIRTIO_NET_F_CTRL_RX)) {
			cmd->why = "CTRL_RX not negotiated";
			return VIRTIO_NET_ERR;
		}
		f.n_uni = cmd->n_uni;
		f.n_multi = cmd->n_multi;
		f.uni_overflow = cmd->uni_overflow;
		f.multi_overflow = cmd->multi_overflow;
		memcpy(f.uni, cmd->uni, 6ull * cmd->n_uni);
		memcpy(f.multi, cmd->multi, 6ull * cmd->n_multi);
		break;
	case NET_CTRL_VLAN:
		if (!has(net, VIRTIO_NET_F_CTRL_VLAN)) {
			cmd->why = "CTRL_VLAN not negotiated";
			return VIRTIO_NET_ERR;
		}
		net_filter_vlan_set(&f, cmd->vid, cmd->on);
		break;
	case NET_CTRL_MAC_ADDR:
		if (!has(net, VIRTIO_NET_F_CTRL_MAC_ADDR)) {
			cmd->why = "CTRL_MAC_ADDR not negotiated";
			return VIRTIO_NET_ERR;
		}
		memcpy(f.mac, cmd->mac, sizeof(f.mac));
		break;
	default:
		cmd->why = "not a receive filter command";
		return VIRTIO_NET_ERR;
	}
	publish(net, &f);
	return VIRTIO_NET_OK;
}

void net_rxmode_reset(struct virtio_net *net)
{
	struct net_rx_filter f;
	net_filter_init(&f, net->mac);
	publish(net, &f);
}

void net_rxmode_activate(struct virtio_net *net, bool vlan)
{
	struct net_rx_filter f;
	pthread_mutex_lock(&net->filter_lock);
	f = net->filter;
	pthread_mutex_unlock(&net->filter_lock);
	net_filter_vlan_enable(&f, vlan);
	publish(net, &f);
}

void net_rxmode_sync_tap(struct virtio_net *net)
{
	struct net_rx_filter f;
	pthread_mutex_lock(&net->filter_lock);
	f = net->filter;
	pthread_mutex_unlock(&net->filter_lock);
	tap_apply(net, &f);
}

bool net_rxmode_accepts(struct net_pair *p, const uint8_t *frame, size_t len)
{
	struct virtio_net *net = p->net;
	unsigned int gen = atomic_load_explicit(&net->filter_gen,
						memory_order_acquire);
	if (gen != p->rx_filter_gen) {
		pthread_mutex_lock(&net->filter_lock);
		*p->rx_filter = net->filter;
		p->rx_filter_gen = atomic_load(&net->filter_gen);
		pthread_mutex_unlock(&net->filter_lock);
	}
	return net_filter_accepts(p->rx_filter, frame, len);
}
