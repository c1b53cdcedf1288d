/* virtio-net's kernel data path (vhost=on): one /dev/vhost-net per queue
 * pair moves packets between the pair's rings and its tap queue inside
 * the kernel. Kicks reach vhost through the transport's kick eventfds,
 * completions leave it through the queues' irqfds (or the call relay when
 * a queue has none), a ring the kernel refuses through the relay's error
 * eventfds (NEEDS_RESET). The control queue stays in Kiln. */
#include "devices/virtio_net_internal.h"

#include "core/log.h"

#include <errno.h>
#include <linux/vhost.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#define VHOST_NET_PATH "/dev/vhost-net"

int net_vhost_open(struct virtio_net *net, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < net->max_pairs; i++) {
		char why[160];
		int e = vhost_kernel_open(&net->pair[i].vhost, VHOST_NET_PATH, why,
					  sizeof(why));
		if (e) {
			snprintf(err, errlen, "vhost=on: %s", why);
			while (i-- > 0)
				vhost_kernel_close(&net->pair[i].vhost);
			return e;
		}
	}
	return 0;
}

void net_vhost_close(struct virtio_net *net)
{
	for (unsigned int i = 0; i < net->max_pairs; i++)
		vhost_kernel_close(&net->pair[i].vhost);
}

static int set_backend(struct vhost_kernel *v, unsigned int index, int fd)
{
	struct vhost_vring_file f = { .index = index, .fd = fd };
	return ioctl(v->fd, VHOST_NET_SET_BACKEND, &f) < 0 ? -errno : 0;
}

static int start_pair(struct virtio_net *net, struct net_pair *p)
{
	struct virtio_device *vdev = net->vdev;
	struct vhost_kernel *v = &p->vhost;
	int e;
	/* vhost knows the ring bits and MRG_RXBUF; offloads are the tap's. */
	if ((e = vhost_kernel_setup(v, vdev->features & v->features, net->mem)))
		return e;
	for (unsigned int j = 0; j < 2; j++) {
		unsigned int q = 2 * p->index + j;
		if (!vdev->vqs[q].enabled)
			return -EINVAL;
		e = vhost_kernel_start_queue(v, j, &vdev->vqs[q], vdev->kick_fd[q],
					     net->relay.call_fd[q]);
		if (!e)
			e = vhost_kernel_set_vring_err(v, j, net->relay.err_fd[q]);
		if (e)
			return e;
	}
	p->vhost_started = true;
	for (unsigned int j = 0; j < 2; j++)
		if ((e = set_backend(v, j, p->fd)))
			return e;
	return 0;
}

int net_vhost_start(struct virtio_net *net)
{
	int e = vhost_call_relay_start(&net->relay, net->vdev,
				       2 * net->usable_pairs);
	if (e)
		return e;
	for (unsigned int i = 0; i < net->usable_pairs; i++) {
		if ((e = start_pair(net, &net->pair[i]))) {
			pr_warn("%s: vhost for queue pair %u: %s", net->name, i,
				strerror(-e));
			net_vhost_stop(net);
			return e;
		}
	}
	/* A completion the kernel signalled to a relay that was stopped (a
	 * pause, or the Kiln a snapshot came from) reached nobody: interrupt
	 * relayed queues once, which costs the guest a look at its rings. */
	for (unsigned int q = 0; q < net->relay.nr_queues; q++)
		if (net->relay.relayed[q])
			net->vdev->tops->notify_queue(net->vdev->transport, q);
	return 0;
}

void net_vhost_stop(struct virtio_net *net)
{
	for (unsigned int i = 0; i < net->max_pairs; i++) {
		struct net_pair *p = &net->pair[i];
		if (!p->vhost_started)
			continue;
		for (unsigned int j = 0; j < 2; j++) {
			uint16_t idx;
			int e = set_backend(&p->vhost, j, -1);
			if (!e)
				e = vhost_kernel_stop_queue(&p->vhost, j, &idx);
			if (e)
				pr_warn("%s: vhost queue %u of pair %u: %s", net->name,
					j, i, strerror(-e));
			else
				virtqueue_take_position(&net->vdev->vqs[2 * i + j], idx);
		}
		p->vhost_started = false;
	}
	vhost_call_relay_stop(&net->relay);
}
