/* virtio-net control queue requests (virtio 1.2, 5.1.6.5): class, command
 * and command data in the readable part, one ack byte in the writable
 * part. Parsing only; virtio_net.c executes and answers. */
#include "devices/virtio_net_internal.h"

#include <endian.h>
#include <string.h>

static void bad(struct net_ctrl_cmd *cmd, const char *why)
{
	cmd->kind = NET_CTRL_BAD;
	cmd->why = why;
}

/* A MAC table: le32 entries, then entries * 6 bytes. Two of them (unicast,
 * multicast) fill the data exactly. Up to NET_FILTER_MACS entries of each
 * are copied; a longer table is marked overflowed. */
static bool read_mac_tables(const struct vq_chain *c, uint64_t off,
			    struct net_ctrl_cmd *cmd)
{
	for (int t = 0; t < 2; t++) {
		uint32_t n;
		if (vq_chain_read(c, off, &n, sizeof(n)) != sizeof(n))
			return false;
		n = le32toh(n);
		off += sizeof(n);
		if ((uint64_t)n * 6 > c->read_len - off)
			return false;
		uint8_t (*dst)[6] = t ? cmd->multi : cmd->uni;
		if (n > NET_FILTER_MACS) {
			*(t ? &cmd->multi_overflow : &cmd->uni_overflow) = true;
		} else {
			*(t ? &cmd->n_multi : &cmd->n_uni) = n;
			if (n && vq_chain_read(c, off, dst, 6ull * n) != 6ull * n)
				return false;
		}
		off += (uint64_t)n * 6;
	}
	return off == c->read_len;
}

void net_ctrl_parse(const struct vq_chain *c, struct net_ctrl_cmd *cmd)
{
	uint8_t hdr[2];
	memset(cmd, 0, sizeof(*cmd));
	if (vq_chain_read(c, 0, hdr, sizeof(hdr)) != sizeof(hdr))
		return bad(cmd, "shorter than class and command");
	cmd->class = hdr[0];
	cmd->cmd = hdr[1];
	uint32_t data_len = c->read_len - 2;

	switch (cmd->class) {
	case VIRTIO_NET_CTRL_RX:
		/* PROMISC, ALLMULTI, then CTRL_RX_EXTRA's ALLUNI, NOMULTI,
		 * NOUNI, NOBCAST: one on/off byte each. */
		if (cmd->cmd > VIRTIO_NET_CTRL_RX_NOBCAST)
			return bad(cmd, "unknown rx-mode command");
		if (data_len != 1 ||
		    vq_chain_read(c, 2, &cmd->on, 1) != 1)
			return bad(cmd, "rx-mode data is not one byte");
		cmd->on = !!cmd->on;
		cmd->kind = NET_CTRL_RX_MODE;
		return;
	case VIRTIO_NET_CTRL_MAC:
		if (cmd->cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET) {
			if (!read_mac_tables(c, 2, cmd))
				return bad(cmd, "malformed MAC tables");
			cmd->kind = NET_CTRL_MAC_TABLE;
			return;
		}
		if (cmd->cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
			if (data_len != 6 ||
			    vq_chain_read(c, 2, cmd->mac, 6) != 6)
				return bad(cmd, "MAC address is not 6 bytes");
			if (cmd->mac[0] & 1)
				return bad(cmd, "MAC address is a multicast one");
			cmd->kind = NET_CTRL_MAC_ADDR;
			return;
		}
		return bad(cmd, "unknown MAC command");
	case VIRTIO_NET_CTRL_MQ: {
		if (cmd->cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET)
			return bad(cmd, "unknown MQ command");
		uint16_t pairs;
		if (data_len != sizeof(pairs) ||
		    vq_chain_read(c, 2, &pairs, sizeof(pairs)) != sizeof(pairs))
			return bad(cmd, "VQ_PAIRS_SET data is not 2 bytes");
		cmd->pairs = le16toh(pairs);
		cmd->kind = NET_CTRL_MQ_PAIRS;
		return;
	}
	case VIRTIO_NET_CTRL_GUEST_OFFLOADS: {
		if (cmd->cmd != VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET)
			return bad(cmd, "unknown guest offloads command");
		uint64_t v;
		if (data_len != sizeof(v) ||
		    vq_chain_read(c, 2, &v, sizeof(v)) != sizeof(v))
			return bad(cmd, "GUEST_OFFLOADS_SET data is not 8 bytes");
		cmd->offloads = le64toh(v);
		cmd->kind = NET_CTRL_GUEST_OFFLOADS;
		return;
	}
	case VIRTIO_NET_CTRL_VLAN: {
		if (cmd->cmd != VIRTIO_NET_CTRL_VLAN_ADD &&
		    cmd->cmd != VIRTIO_NET_CTRL_VLAN_DEL)
			return bad(cmd, "unknown VLAN command");
		uint16_t vid;
		if (data_len != sizeof(vid) ||
		    vq_chain_read(c, 2, &vid, sizeof(vid)) != sizeof(vid))
			return bad(cmd, "VLAN id is not 2 bytes");
		cmd->vid = le16toh(vid);
		if (cmd->vid >= NET_FILTER_VLANS)
			return bad(cmd, "VLAN id above 4095");
		cmd->on = cmd->cmd == VIRTIO_NET_CTRL_VLAN_ADD;
		cmd->kind = NET_CTRL_VLAN;
		return;
	}
	case VIRTIO_NET_CTRL_ANNOUNCE:
		if (cmd->cmd != VIRTIO_NET_CTRL_ANNOUNCE_ACK)
			return bad(cmd, "unknown announce command");
		if (data_len)
			return bad(cmd, "ANNOUNCE_ACK carries data");
		cmd->kind = NET_CTRL_ANNOUNCE_ACK;
		return;
	default:
		return bad(cmd, "unknown class");
	}
}
