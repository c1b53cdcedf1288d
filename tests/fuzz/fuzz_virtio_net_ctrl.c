/* libFuzzer target: a virtio-net control request is written by the guest.
 * The input is cut into up to 8 readable segments (the first bytes give
 * their lengths) the way a descriptor chain scatters a request; parsing it
 * must never read outside them and must classify every input. */
#include "devices/virtio_net_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vq_chain *c;
	if (!c && !(c = malloc(sizeof(*c))))
		abort();
	if (size < 1)
		return 0;
	unsigned int nseg = (data[0] & 7) + 1;
	if (size < 1 + nseg)
		return 0;
	const uint8_t *lens = data + 1;
	size_t off = 1 + nseg, left = size - off;
	/* each segment its own heap copy, so ASan sees its exact end */
	uint8_t *bufs[8] = { 0 };
	memset(c, 0, sizeof(*c));
	for (unsigned int i = 0; i < nseg && left; i++) {
		size_t len = i + 1 == nseg ? left : (size_t)lens[i] % (left + 1);
		if (!len)
			continue;
		bufs[i] = malloc(len);
		if (!bufs[i])
			abort();
		memcpy(bufs[i], data + off, len);
		c->seg[c->nr_read].host = bufs[i];
		c->seg[c->nr_read].len = (uint32_t)len;
		c->nr_read++;
		c->read_len += (uint32_t)len;
		off += len;
		left -= len;
	}
	struct net_ctrl_cmd cmd;
	net_ctrl_parse(c, &cmd);
	if (cmd.kind == NET_CTRL_BAD && !cmd.why)
		abort(); /* every refusal says why */
	if (cmd.kind == NET_CTRL_MAC_TABLE &&
	    (cmd.n_uni > NET_FILTER_MACS || cmd.n_multi > NET_FILTER_MACS ||
	     (cmd.uni_overflow && cmd.n_uni) || (cmd.multi_overflow && cmd.n_multi)))
		abort(); /* a table is either kept whole or marked overflowed */
	for (unsigned int i = 0; i < 8; i++)
		free(bufs[i]);
	return 0;
}
