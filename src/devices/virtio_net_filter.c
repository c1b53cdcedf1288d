/* virtio-net receive filtering: the rules QEMU's virtio-net applies
 * (receive_filter). */
#include "devices/virtio_net_filter.h"

#include <string.h>

/* The tap matches this many addresses exactly; more unicast ones turn its
 * filter off (drivers/net/tun.c, FLT_EXACT_COUNT). */
#define TAP_EXACT 8

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void net_filter_init(struct net_rx_filter *f, const uint8_t mac[6])
{
	memset(f, 0, sizeof(*f));
	f->promisc = true;
	memcpy(f->mac, mac, sizeof(f->mac));
}

static bool in_table(const uint8_t (*t)[6], unsigned int n, const uint8_t *a)
{
	for (unsigned int i = 0; i < n; i++)
		if (!memcmp(t[i], a, 6))
			return true;
	return false;
}

void net_filter_vlan_enable(struct net_rx_filter *f, bool on)
{
	f->vlan_on = on;
	memset(f->vlans, 0, sizeof(f->vlans));
}

void net_filter_vlan_set(struct net_rx_filter *f, unsigned int vid, bool on)
{
	if (vid >= NET_FILTER_VLANS)
		return;
	if (on)
		f->vlans[vid / 32] |= 1u << (vid % 32);
	else
		f->vlans[vid / 32] &= ~(1u << (vid % 32));
}

bool net_filter_accepts(const struct net_rx_filter *f, const uint8_t *frame,
			size_t len)
{
	if (f->promisc || len < 6)
		return true;
	/* An 802.1Q tag (TPID 0x8100 after the two addresses) names its
	 * VLAN in the low 12 bits of the TCI. */
	if (f->vlan_on && len >= 16 && frame[12] == 0x81 && frame[13] == 0x00) {
		unsigned int vid = (frame[14] & 0x0fu) << 8 | frame[15];
		if (!(f->vlans[vid / 32] & (1u << (vid % 32))))
			return false;
	}
	const uint8_t *dst = frame;
	if (dst[0] & 1) {
		if (!memcmp(dst, broadcast, 6))
			return !f->nobcast;
		if (f->nomulti)
			return false;
		if (f->allmulti || f->multi_overflow)
			return true;
		return in_table(f->multi, f->n_multi, dst);
	}
	if (f->nouni)
		return false;
	if (f->alluni || f->uni_overflow || !memcmp(dst, f->mac, 6))
		return true;
	return in_table(f->uni, f->n_uni, dst);
}

unsigned int net_filter_tap_list(const struct net_rx_filter *f,
				 uint8_t (*macs)[6], unsigned int cap,
				 bool *allmulti)
{
	*allmulti = false;
	if (f->promisc || f->alluni || f->uni_overflow)
		return 0;
	unsigned int n = 0;
	/* Unicast first: only the first TAP_EXACT entries are exact. */
	if (!f->nouni) {
		if (1 + f->n_uni > TAP_EXACT || 1 + f->n_uni > cap)
			return 0;
		memcpy(macs[n++], f->mac, 6);
		for (unsigned int i = 0; i < f->n_uni; i++)
			memcpy(macs[n++], f->uni[i], 6);
	}
	if (!f->nobcast) {
		if (n >= cap)
			return 0;
		memcpy(macs[n++], broadcast, 6);
	}
	if (!f->nomulti) {
		if (f->allmulti || f->multi_overflow) {
			*allmulti = true;
		} else {
			if (n + f->n_multi > cap)
				return 0;
			for (unsigned int i = 0; i < f->n_multi; i++)
				memcpy(macs[n++], f->multi[i], 6);
		}
	}
	/* Nothing listed: the tap would take that as "no filter" anyway. */
	if (!n)
		*allmulti = false;
	return n;
}
