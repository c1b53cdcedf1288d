/* virtio-net NICs on the PC: each --net opens its tap (one queue per queue
 * pair) and puts a virtio-net device on PCI. */
#include "machine/pc.h"

#include "backends/tap.h"
#include "core/log.h"
#include "devices/virtio_net.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static void destroy_net(void *device)
{
	virtio_net_destroy(device);
}

/* A random locally administered unicast address. */
static int random_mac(uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6)
		return errno ? -errno : -EIO;
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
	return 0;
}

int pc_add_virtio_net(struct vm *vm, const struct kiln_net *n,
		      unsigned int index, char *err, size_t errlen)
{
	unsigned int pairs = n->num_queues / 2;
	int fds[VIRTIO_NET_MAX_PAIRS];
	char why[256], name[16];
	if (pairs < 1 || pairs > VIRTIO_NET_MAX_PAIRS) {
		snprintf(err, errlen, "--net: num_queues=%u: must be 2 to %d",
			 n->num_queues, 2 * VIRTIO_NET_MAX_PAIRS);
		return -EINVAL;
	}
	struct virtio_net_params p = {
		.pairs = pairs, .fds = fds, .tap = true, .vhost = n->vhost, .packed = n->packed,
		.mem = &vm->mem, .name = name, .mtu = (uint16_t)n->mtu,
	};
	snprintf(name, sizeof(name), "net%u", index);
	int e = n->has_mac ? 0 : random_mac(p.mac);
	if (e) {
		snprintf(err, errlen, "--net: cannot pick a random MAC: %s", strerror(-e));
		return e;
	}
	if (n->has_mac)
		memcpy(p.mac, n->mac, sizeof(p.mac));
	if ((e = tap_open(n->tap, pairs, fds, why, sizeof(why)))) {
		snprintf(err, errlen, "--net: %s", why);
		return e;
	}
	/* The tap's MTU matches what the guest is told, so that frames of
	 * that size pass both ways. */
	if (n->mtu && (e = tap_set_mtu(n->tap, n->mtu))) {
		for (unsigned int i = 0; i < pairs; i++)
			close(fds[i]);
		snprintf(err, errlen, "--net: tap=%s: mtu=%u: cannot set the tap's MTU: %s",
			 n->tap, n->mtu, strerror(-e));
		return e;
	}
	struct virtio_net *net;
	if ((e = virtio_net_create(&net, &p, why, sizeof(why)))) {
		for (unsigned int i = 0; i < pairs; i++)
			close(fds[i]);
		snprintf(err, errlen, "--net: tap=%s: %s", n->tap, why);
		return e;
	}
	pr_debug("%s: tap %s, %u queue pair(s), %s, MAC %02x:%02x:%02x:%02x:%02x:%02x",
		 name, n->tap, pairs, n->vhost ? "vhost" : "userspace", p.mac[0],
		 p.mac[1], p.mac[2], p.mac[3], p.mac[4], p.mac[5]);
	return pc_add_virtio_device(vm, &virtio_net_ops, net, destroy_net, err,
				    errlen);
}
