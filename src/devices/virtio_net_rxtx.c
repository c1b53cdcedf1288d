/* virtio-net's userspace data path: one thread per queue pair moves
 * packets between the pair's two virtqueues and its packet fd.
 *
 * TX: each chain's readable part (virtio-net header + frame) is written to
 * the fd with one writev. If the fd is full the chain waits for EPOLLOUT.
 * RX: virtio_net_rx.c (guest buffers are held first, then a packet is read
 * straight into them).
 *
 * Both directions work in batches with the guest's notifications off and
 * turn them back on only when the ring is empty (virtqueue.h's pattern).
 */
#include "devices/virtio_net_internal.h"

#include "core/log.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>


enum { EV_CTL, EV_TX_KICK, EV_RX_KICK, EV_FD };

static unsigned int rx_index(const struct net_pair *p)
{
	return 2 * p->index;
}

static unsigned int tx_index(const struct net_pair *p)
{
	return 2 * p->index + 1;
}

/* ---- tx ------------------------------------------------------------------ */

/* Send one chain's packet. false: the fd is full, try again later. */
static bool tx_send(struct net_pair *p, const struct vq_chain *c)
{
	struct virtio_net *net = p->net;
	if (c->read_len < VIRTIO_NET_HDR_LEN) {
		atomic_fetch_add(&net->bad_chains, 1);
		pr_guest(LOG_WARN, "%s: tx chain of %u bytes has no header",
			 net->name, c->read_len);
		return true;
	}
	int n = vq_chain_iov(c, false, 0, c->read_len, p->iov, VQ_CHAIN_MAX_SEGS);
	if (n < 0) {
		atomic_fetch_add(&net->bad_chains, 1);
		return true;
	}
	for (;;) {
		ssize_t w = writev(p->fd, p->iov, n);
		if (w >= 0) {
			atomic_fetch_add(&net->tx_packets, 1);
			atomic_fetch_add(&net->tx_bytes, c->read_len - VIRTIO_NET_HDR_LEN);
			return true;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return false;
		/* The tap refuses bad headers and sizes: the guest's problem,
		 * its chain is still completed. */
		atomic_fetch_add(&net->tx_errors, 1);
		pr_guest(LOG_WARN, "%s: tx packet of %u bytes refused: %s",
			 net->name, c->read_len, strerror(errno));
		return true;
	}
}

static enum net_io_state tx_process(struct net_pair *p)
{
	struct virtio_net *net = p->net;
	struct virtqueue *vq = &net->vdev->vqs[tx_index(p)];
	struct vq_chain *c = p->tx_chain;
	enum net_io_state st = NET_IO_MORE;
	unsigned int pushed = 0;
	if (!vq->enabled)
		return NET_IO_IDLE;
	virtqueue_disable_notify(vq);
	for (unsigned int n = 0; n < NET_BUDGET; n++) {
		if (!p->tx_pending) {
			int r = net_pop_or_arm(vq, c);
			if (r <= 0) {
				st = r ? NET_IO_BROKEN : NET_IO_IDLE;
				break;
			}
			p->tx_pending = true;
		}
		if (!tx_send(p, c)) {
			st = NET_IO_WAIT_FD;
			break;
		}
		p->tx_pending = false;
		net_push(vq, c->head, 0, &pushed);
	}
	if (pushed)
		virtio_notify_queue(net->vdev, tx_index(p));
	if (st == NET_IO_BROKEN)
		pr_guest(LOG_WARN, "%s: tx queue %u broken: %s", net->name,
			 p->index, vq->broken_reason);
	return st;
}

/* ---- the pair's thread ------------------------------------------------------ */

/* Watch the fd for exactly `events` (none: not at all, so a hung-up test
 * socket does not wake us for nothing). */
static void watch_fd(struct net_pair *p, uint32_t *cur, uint32_t events)
{
	if (*cur == events)
		return;
	struct epoll_event ev = { .events = events, .data.u32 = EV_FD };
	int op = !events ? EPOLL_CTL_DEL : *cur ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(p->epfd, op, p->fd, &ev) == 0)
		*cur = events;
	else
		pr_warn("%s: epoll_ctl on queue pair %u: %s", p->net->name,
			p->index, strerror(errno));
}

static void drain(int fd)
{
	eventfd_t v;
	(void)eventfd_read(fd, &v);
}

static void *pair_thread(void *arg)
{
	struct net_pair *p = arg;
	struct virtio_net *net = p->net;
	struct virtio_device *vdev = net->vdev;
	/* Buffers and packets may be waiting already. */
	enum net_io_state tx = NET_IO_MORE, rx = NET_IO_MORE;
	uint32_t watching = 0;
	bool reported = false;

	while (!atomic_load(&p->stop)) {
		bool active = p->index < atomic_load(&net->active_pairs);
		if (tx == NET_IO_MORE)
			tx = tx_process(p);
		if (active && rx == NET_IO_MORE)
			rx = net_rx_process(p);
		if ((tx == NET_IO_BROKEN || rx == NET_IO_BROKEN) && !reported) {
			virtio_set_needs_reset(vdev);
			reported = true;
		}
		watch_fd(p, &watching,
			 (active && rx == NET_IO_WAIT_FD ? EPOLLIN : 0u) |
			 (tx == NET_IO_WAIT_FD ? EPOLLOUT : 0u));
		int timeout = tx == NET_IO_MORE || (active && rx == NET_IO_MORE)
			    ? 0 : -1;
		struct epoll_event ev[4];
		int n = epoll_wait(p->epfd, ev, 4, timeout);
		if (n < 0 && errno != EINTR) {
			pr_err("%s: epoll_wait: %s", net->name, strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			switch (ev[i].data.u32) {
			case EV_CTL:
				drain(p->ctl_fd);
				/* the active pair count changed: look again */
				if (rx == NET_IO_IDLE || rx == NET_IO_WAIT_FD)
					rx = NET_IO_MORE;
				break;
			case EV_TX_KICK:
				drain(vdev->kick_fd[tx_index(p)]);
				if (tx == NET_IO_IDLE)
					tx = NET_IO_MORE;
				break;
			case EV_RX_KICK:
				drain(vdev->kick_fd[rx_index(p)]);
				if (rx == NET_IO_IDLE)
					rx = NET_IO_MORE;
				break;
			case EV_FD:
				if ((ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) &&
				    rx == NET_IO_WAIT_FD)
					rx = NET_IO_MORE;
				if ((ev[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) &&
				    tx == NET_IO_WAIT_FD)
					tx = NET_IO_MORE;
				break;
			}
		}
	}
	if (watching)
		watch_fd(p, &watching, 0);
	return NULL;
}

int net_pair_alloc(struct net_pair *p)
{
	p->ctl_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->tx_chain = malloc(sizeof(*p->tx_chain));
	p->rx_pool = calloc(NET_RX_POOL, sizeof(*p->rx_pool));
	p->rx_iov = calloc(NET_RX_IOV, sizeof(*p->rx_iov));
	p->pkt = malloc(NET_PKT_MAX + 1);
	p->iov = calloc(VQ_CHAIN_MAX_SEGS, sizeof(*p->iov));
	p->rx_filter = malloc(sizeof(*p->rx_filter));
	bool ok = p->ctl_fd >= 0 && p->tx_chain && p->rx_pool && p->rx_iov &&
		  p->pkt && p->iov && p->rx_filter;
	/* (about 24 KiB each, touched only as far as their segments go) */
	for (unsigned int i = 0; ok && i < NET_RX_POOL; i++)
		ok = (p->rx_pool[i] = malloc(sizeof(struct vq_chain))) != NULL;
	if (!ok) {
		int e = p->ctl_fd < 0 ? -errno : -ENOMEM;
		net_pair_free(p);
		return e;
	}
	return 0;
}

void net_pair_free(struct net_pair *p)
{
	net_pair_stop(p);
	if (p->ctl_fd >= 0)
		close(p->ctl_fd);
	p->ctl_fd = -1;
	for (unsigned int i = 0; p->rx_pool && i < NET_RX_POOL; i++)
		free(p->rx_pool[i]);
	free(p->rx_pool);
	free(p->rx_iov);
	free(p->tx_chain);
	free(p->pkt);
	free(p->iov);
	free(p->rx_filter);
	p->rx_filter = NULL;
	p->rx_pool = NULL;
	p->rx_iov = NULL;
	p->tx_chain = NULL;
	p->pkt = NULL;
	p->iov = NULL;
}

static int watch(int epfd, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* Start the thread on the pair's current state. */
static int spawn(struct net_pair *p)
{
	struct virtio_device *vdev = p->net->vdev;
	if (p->running)
		return -EBUSY;
	if (!vdev || tx_index(p) >= vdev->num_queues || p->ctl_fd < 0)
		return -EINVAL;
	drain(p->ctl_fd);
	atomic_store(&p->stop, false);
	/* the first packet takes a fresh copy of the filter */
	p->rx_filter_gen = atomic_load(&p->net->filter_gen) - 1;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0)
		return -errno;
	int e;
	if ((e = watch(p->epfd, p->ctl_fd, EV_CTL)) ||
	    (e = watch(p->epfd, vdev->kick_fd[tx_index(p)], EV_TX_KICK)) ||
	    (e = watch(p->epfd, vdev->kick_fd[rx_index(p)], EV_RX_KICK)) ||
	    (e = -pthread_create(&p->thread, NULL, pair_thread, p))) {
		close(p->epfd);
		p->epfd = -1;
		return e;
	}
	p->running = true;
	return 0;
}

int net_pair_start(struct net_pair *p)
{
	if (p->running)
		return -EBUSY;
	net_rx_release(p, false);
	p->have_pkt = false;
	p->tx_pending = false;
	p->paused = false;
	return spawn(p);
}

static void join(struct net_pair *p)
{
	if (!p->running)
		return;
	atomic_store(&p->stop, true);
	(void)eventfd_write(p->ctl_fd, 1);
	pthread_join(p->thread, NULL);
	p->running = false;
	close(p->epfd);
	p->epfd = -1;
}

void net_pair_stop(struct net_pair *p)
{
	join(p);
	/* Chains still held belong to a queue the transport resets next. */
	net_rx_release(p, false);
	p->have_pkt = false;
	p->tx_pending = false;
	p->paused = false;
}

/* Chains the device holds go back to the avail ring as if never popped.
 * That fails only if the guest rewrote its avail ring under them (or a
 * malformed chain was answered between two held ones): then they are
 * answered empty, which the driver takes as a runt or a sent packet. */
void net_give_back(struct net_pair *p, unsigned int q, const uint16_t *heads,
		   unsigned int n)
{
	struct virtio_device *vdev = p->net->vdev;
	struct virtqueue *vq = &vdev->vqs[q];
	if (!n || virtqueue_unpop(vq, heads, n) == 0)
		return;
	unsigned int pushed = 0;
	for (unsigned int i = 0; i < n; i++)
		net_push(vq, heads[i], 0, &pushed);
	if (pushed)
		virtio_notify_queue(vdev, q);
}

void net_pair_pause(struct net_pair *p)
{
	if (!p->running)
		return;
	join(p);
	net_rx_release(p, true); /* a packet in `pkt` is kept */
	if (p->tx_pending)
		net_give_back(p, tx_index(p), &p->tx_chain->head, 1);
	p->tx_pending = false;
	p->paused = true;
}

int net_pair_resume(struct net_pair *p)
{
	if (!p->paused)
		return 0;
	p->paused = false;
	return spawn(p);
}

void net_pair_wake(struct net_pair *p)
{
	if (p->running)
		(void)eventfd_write(p->ctl_fd, 1);
}
