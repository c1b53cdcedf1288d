/* virtio-net's saved state: struct virtio_net_state out of a paused (or
 * never activated) device, and back into a just-created one after every
 * field was checked - it comes from a file or a socket. */
#include "devices/virtio_net_internal.h"

#include "core/util.h"

#include <errno.h>
#include <string.h>

_Static_assert(sizeof(struct virtio_net_state) == 24, "virtio_net_state has padding");

ssize_t net_save(void *dev, void *buf, size_t cap)
{
	struct virtio_net *net = dev;
	struct virtio_net_state st;
	if (cap < sizeof(st))
		return -ENOSPC;
	memset(&st, 0, sizeof(st));
	st.version = VIRTIO_NET_STATE_VERSION;
	st.max_pairs = (uint16_t)net->max_pairs;
	/* Restored and not started yet: what the next activate starts with. */
	st.active_pairs = (uint16_t)(net->restored ? net->restored_pairs
					    : atomic_load(&net->active_pairs));
	st.status = atomic_load(&net->status);
	pthread_mutex_lock(&net->filter_lock);
	memcpy(st.mac, net->config.mac, sizeof(st.mac));
	st.promisc = net->filter.promisc;
	st.allmulti = net->filter.allmulti;
	pthread_mutex_unlock(&net->filter_lock);
	memcpy(buf, &st, sizeof(st));
	return (ssize_t)sizeof(st);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static int check(const struct virtio_net *net, const struct virtio_net_state *st,
		 uint64_t features, char *err, size_t errlen)
{
	if (st->version != VIRTIO_NET_STATE_VERSION)
		return errmsg(-EINVAL, err, errlen, "state version %u, expected %u",
			      st->version, VIRTIO_NET_STATE_VERSION);
	if (st->max_pairs != net->max_pairs)
		return errmsg(-EINVAL, err, errlen, "saved from a NIC with %u queue "
			      "pairs, this one has %u", st->max_pairs, net->max_pairs);
	bool mq = features & (1ull << VIRTIO_NET_F_MQ);
	if (st->active_pairs < 1 || st->active_pairs > st->max_pairs ||
	    (st->active_pairs > 1 && !mq))
		return errmsg(-EINVAL, err, errlen, "%u queue pairs in use of %u%s",
			      st->active_pairs, st->max_pairs,
			      mq ? "" : " without MQ negotiated");
	if ((st->mac[0] & 1) || all_zero(st->mac, sizeof(st->mac)))
		return errmsg(-EINVAL, err, errlen, "MAC %02x:%02x:%02x:%02x:%02x:%02x "
			      "is not a unicast address", st->mac[0], st->mac[1],
			      st->mac[2], st->mac[3], st->mac[4], st->mac[5]);
	uint16_t known = VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE;
	if (!(st->status & VIRTIO_NET_S_LINK_UP) || (st->status & ~known))
		return errmsg(-EINVAL, err, errlen, "link status 0x%x", st->status);
	if ((st->status & VIRTIO_NET_S_ANNOUNCE) &&
	    !(features & (1ull << VIRTIO_NET_F_GUEST_ANNOUNCE)))
		return errmsg(-EINVAL, err, errlen, "an announcement pending "
			      "without GUEST_ANNOUNCE negotiated");
	if (st->promisc > 1 || st->allmulti > 1)
		return errmsg(-EINVAL, err, errlen, "rx mode flags not 0/1");
	if (!all_zero(st->reserved, sizeof(st->reserved)))
		return errmsg(-EINVAL, err, errlen, "reserved bytes set");
	return 0;
}

int net_restore(void *dev, const void *buf, size_t len, uint64_t features,
		char *err, size_t errlen)
{
	struct virtio_net *net = dev;
	struct virtio_net_state st;
	if (net->activated)
		return errmsg(-EBUSY, err, errlen, "the device is running");
	if (len != sizeof(st))
		return errmsg(-EINVAL, err, errlen, "%zu bytes of state, expected %zu",
			      len, sizeof(st));
	memcpy(&st, buf, sizeof(st));
	int r = check(net, &st, features, err, errlen);
	if (r)
		return r;
	/* The MAC the guest read at probe time, which may have been a random
	 * one of the Kiln the state came from. */
	memcpy(net->mac, st.mac, sizeof(net->mac));
	memcpy(net->config.mac, st.mac, sizeof(net->config.mac));
	atomic_store(&net->status, st.status);
	/* The rx mode flags are saved, the MAC tables are not: until the
	 * driver gives them again, every address of each kind passes (never
	 * fewer frames than before the move). */
	pthread_mutex_lock(&net->filter_lock);
	net_filter_init(&net->filter, st.mac);
	net->filter.promisc = st.promisc;
	net->filter.allmulti = st.allmulti;
	net->filter.uni_overflow = net->filter.multi_overflow = true;
	atomic_fetch_add(&net->filter_gen, 1);
	pthread_mutex_unlock(&net->filter_lock);
	net->restored_pairs = st.active_pairs;
	net->restored = true;
	return 0;
}
