/* virtio-net's saved state: struct virtio_net_state out of a paused (or
 * never activated) device, and back into a just-created one after every
 * field was checked - it comes from a file or a socket. */
#include "devices/virtio_net_internal.h"

#include "core/util.h"

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(struct virtio_net_state) ==
	       32 + 2 * 6 * VIRTIO_NET_STATE_MACS + NET_FILTER_VLANS / 8,
	       "virtio_net_state has padding");
_Static_assert(VIRTIO_NET_STATE_MACS == NET_FILTER_MACS, "MAC table sizes differ");
_Static_assert(offsetof(struct virtio_net_state, alluni) == VIRTIO_NET_STATE_V1_SIZE - 6,
	       "version 1's reserved bytes moved");

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
	const struct net_rx_filter *f = &net->filter;
	st.promisc = f->promisc;
	st.allmulti = f->allmulti;
	st.alluni = f->alluni;
	st.nomulti = f->nomulti;
	st.nouni = f->nouni;
	st.nobcast = f->nobcast;
	st.uni_overflow = f->uni_overflow;
	st.multi_overflow = f->multi_overflow;
	st.n_uni = (uint8_t)f->n_uni;
	st.n_multi = (uint8_t)f->n_multi;
	memcpy(st.uni, f->uni, 6ull * f->n_uni);
	memcpy(st.multi, f->multi, 6ull * f->n_multi);
	st.vlan_on = f->vlan_on;
	for (size_t i = 0; i < NET_FILTER_VLANS / 32; i++)
		st.vlans[i] = htole32(f->vlans[i]);
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
	const uint8_t flags[] = { st->promisc, st->allmulti, st->alluni, st->nomulti,
				  st->nouni, st->nobcast, st->uni_overflow,
				  st->multi_overflow, st->vlan_on };
	for (size_t i = 0; i < sizeof(flags); i++)
		if (flags[i] > 1)
			return errmsg(-EINVAL, err, errlen, "rx mode flags not 0/1");
	if (st->n_uni > VIRTIO_NET_STATE_MACS || st->n_multi > VIRTIO_NET_STATE_MACS ||
	    (st->uni_overflow && st->n_uni) || (st->multi_overflow && st->n_multi))
		return errmsg(-EINVAL, err, errlen, "MAC tables of %u and %u entries%s",
			      st->n_uni, st->n_multi,
			      st->uni_overflow || st->multi_overflow
			      ? " (an overflowed table is empty)" : "");
	if (st->vlan_on && !(features & (1ull << VIRTIO_NET_F_CTRL_VLAN)))
		return errmsg(-EINVAL, err, errlen, "VLAN filtering without CTRL_VLAN "
			      "negotiated");
	if (!st->vlan_on && !all_zero((const uint8_t *)st->vlans, sizeof(st->vlans)))
		return errmsg(-EINVAL, err, errlen, "VLAN ids with VLAN filtering off");
	/* One byte string for one filter: what lies past the tables is 0. */
	if (!all_zero(st->reserved, sizeof(st->reserved)) ||
	    !all_zero(st->uni[st->n_uni], 6ull * (VIRTIO_NET_STATE_MACS - st->n_uni)) ||
	    !all_zero(st->multi[st->n_multi], 6ull * (VIRTIO_NET_STATE_MACS - st->n_multi)))
		return errmsg(-EINVAL, err, errlen, "reserved bytes or unused MAC "
			      "table entries set");
	return 0;
}

/* A version 1 state (24 bytes) as version 2: its 6 reserved bytes are
 * where version 2 keeps the CTRL_RX_EXTRA and overflow flags, and it had
 * no MAC tables. Until the driver gives them again, every address of each
 * kind passes (never fewer frames than before the move). */
static void from_v1(struct virtio_net_state *st)
{
	st->uni_overflow = st->multi_overflow = 1;
	st->version = VIRTIO_NET_STATE_VERSION;
}

int net_restore(void *dev, const void *buf, size_t len, uint64_t features,
		char *err, size_t errlen)
{
	struct virtio_net *net = dev;
	struct virtio_net_state st;
	if (net->activated)
		return errmsg(-EBUSY, err, errlen, "the device is running");
	memset(&st, 0, sizeof(st));
	uint32_t version;
	if (len < sizeof(version))
		return errmsg(-EINVAL, err, errlen, "%zu bytes of state", len);
	memcpy(&version, buf, sizeof(version));
	size_t want = version == 1 ? VIRTIO_NET_STATE_V1_SIZE : sizeof(st);
	if (version != 1 && version != VIRTIO_NET_STATE_VERSION)
		return errmsg(-EINVAL, err, errlen, "state version %u, expected 1 or %u",
			      version, VIRTIO_NET_STATE_VERSION);
	if (len != want)
		return errmsg(-EINVAL, err, errlen, "%zu bytes of state, expected %zu "
			      "for version %u", len, want, version);
	memcpy(&st, buf, len);
	if (version == 1) {
		if (!all_zero(&st.alluni, 6))
			return errmsg(-EINVAL, err, errlen, "reserved bytes set");
		from_v1(&st);
	}
	int r = check(net, &st, features, err, errlen);
	if (r)
		return r;
	/* The MAC the guest read at probe time, which may have been a random
	 * one of the Kiln the state came from. */
	memcpy(net->mac, st.mac, sizeof(net->mac));
	memcpy(net->config.mac, st.mac, sizeof(net->config.mac));
	atomic_store(&net->status, st.status);
	pthread_mutex_lock(&net->filter_lock);
	struct net_rx_filter *f = &net->filter;
	net_filter_init(f, st.mac);
	f->promisc = st.promisc;
	f->allmulti = st.allmulti;
	f->alluni = st.alluni;
	f->nomulti = st.nomulti;
	f->nouni = st.nouni;
	f->nobcast = st.nobcast;
	f->uni_overflow = st.uni_overflow;
	f->multi_overflow = st.multi_overflow;
	f->n_uni = st.n_uni;
	f->n_multi = st.n_multi;
	memcpy(f->uni, st.uni, 6ull * st.n_uni);
	memcpy(f->multi, st.multi, 6ull * st.n_multi);
	f->vlan_on = st.vlan_on;
	for (size_t i = 0; i < NET_FILTER_VLANS / 32; i++)
		f->vlans[i] = le32toh(st.vlans[i]);
	atomic_fetch_add(&net->filter_gen, 1);
	pthread_mutex_unlock(&net->filter_lock);
	net->restored_pairs = st.active_pairs;
	net->restored = true;
	return 0;
}
