/* virtio-net receive filtering (virtio 1.2, 5.1.6.5.1-2): which frames the
 * guest gets, as its driver set it over the control queue with CTRL_RX
 * (promiscuous, all-multicast, and with CTRL_RX_EXTRA all-unicast, no
 * multicast, no unicast, no broadcast), MAC_TABLE_SET (a unicast and a
 * multicast table) and, with CTRL_VLAN, VLAN_ADD/VLAN_DEL: once the driver
 * negotiated CTRL_VLAN, an 802.1Q-tagged frame passes only if its VLAN id
 * was added (untagged frames are not affected; promiscuous mode lets
 * every frame through, as QEMU's does). Pure data and functions: the device keeps one
 * filter, the userspace data path asks net_filter_accepts for each frame,
 * and net_filter_tap_list turns it into the tap's own filter for vhost.
 *
 * Until the driver sets anything the filter is promiscuous, as QEMU's is
 * after a reset: a driver that never negotiated CTRL_RX gets every frame.
 * Linux's driver turns promiscuous mode off as soon as the link is up and
 * gives its address lists. A table longer than NET_FILTER_MACS is not
 * kept: it "overflows", and every address of that kind is let through.
 */
#ifndef KILN_DEVICES_VIRTIO_NET_FILTER_H
#define KILN_DEVICES_VIRTIO_NET_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_FILTER_MACS 64 /* per table (QEMU keeps 64 in all) */
#define NET_FILTER_VLANS 4096 /* 802.1Q's 12-bit ids */

struct net_rx_filter {
	bool promisc, allmulti;
	bool alluni, nomulti, nouni, nobcast; /* CTRL_RX_EXTRA */
	bool uni_overflow, multi_overflow;
	uint8_t mac[6];                       /* the NIC's own address */
	unsigned int n_uni, n_multi;
	uint8_t uni[NET_FILTER_MACS][6];
	uint8_t multi[NET_FILTER_MACS][6];
	bool vlan_on;                         /* CTRL_VLAN negotiated */
	uint32_t vlans[NET_FILTER_VLANS / 32]; /* bit n: id n added */
};

/* Promiscuous, no tables, no VLAN filtering, `mac` as the NIC's address. */
void net_filter_init(struct net_rx_filter *f, const uint8_t mac[6]);

/* Whether the guest gets a frame of `len` bytes (from its destination
 * address on). Frames too short to have a destination are not judged
 * here: they pass; a VLAN tag is looked at only in a frame that holds
 * one (16 bytes). */
bool net_filter_accepts(const struct net_rx_filter *f, const uint8_t *frame,
			size_t len);

/* Turn VLAN filtering on with no id added (CTRL_VLAN negotiated), or
 * off; and add or remove one id (< NET_FILTER_VLANS). */
void net_filter_vlan_enable(struct net_rx_filter *f, bool on);
void net_filter_vlan_set(struct net_rx_filter *f, unsigned int vid, bool on);

/* The tap's filter for this one (VLANs are not part of it: the tap has
 * no VLAN filter, so with vhost the guest's own stack drops them) (tap_set_rx_filter): addresses into
 * macs[cap], *allmulti. Returns how many; 0 means "no filter" (everything
 * passes), which is also the answer whenever the tap cannot express the
 * filter tightly enough. Never narrower than net_filter_accepts. */
unsigned int net_filter_tap_list(const struct net_rx_filter *f,
				 uint8_t (*macs)[6], unsigned int cap,
				 bool *allmulti);

#endif
