/* virtio-net's userspace receive path: packets from the pair's fd into the
 * guest's rx buffers.
 *
 * The pair holds a few of the guest's buffers ahead (the "pool", popped in
 * ring order, up to NET_RX_POOL, or one without MRG_RXBUF). When they can
 * hold the largest packet the fd can give, the packet is read straight
 * into them with one readv - no copy in Kiln - and the buffers it filled
 * are completed, the header's num_buffers saying how many; the rest stay
 * held for the next packet. When they cannot (the ring has fewer or
 * smaller buffers), the packet is read into the pair's own buffer and
 * copied once enough buffers are held. Nothing is read while the guest
 * has no buffers, so the fd (the tap's queue) holds the backlog.
 *
 * A packet the guest's buffers cannot hold is dropped and counted, never
 * truncated: without MRG_RXBUF the buffer stays for the next packet; with
 * it, once every buffer the pair may hold is held, they go back empty.
 */
#include "devices/virtio_net_internal.h"

#include "core/log.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define NUM_BUFFERS_OFF 10 /* offsetof(struct virtio_net_hdr_v1, num_buffers) */

static unsigned int rx_index(const struct net_pair *p)
{
	return 2 * p->index;
}

/* The i-th held buffer, i < rx_n. */
static struct vq_chain *held(struct net_pair *p, unsigned int i)
{
	return p->rx_pool[(p->rx_start + i) % NET_RX_POOL];
}

/* Hold one more buffer. 1: held; 0: the ring is empty (the guest's kicks
 * are on again); -EIO: the queue broke. A buffer without room for a header
 * is answered at once, empty. */
static int take(struct net_pair *p, struct virtqueue *vq, unsigned int *pushed)
{
	struct virtio_net *net = p->net;
	for (;;) {
		struct vq_chain *c = p->rx_pool[(p->rx_start + p->rx_n) % NET_RX_POOL];
		int r = net_pop_or_arm(vq, c);
		if (r <= 0)
			return r;
		if (c->write_len < VIRTIO_NET_HDR_LEN) {
			atomic_fetch_add(&net->bad_chains, 1);
			pr_guest(LOG_WARN, "%s: rx chain of %u writable bytes has no room for a header",
				 net->name, c->write_len);
			net_push(vq, c->head, 0, pushed);
			continue;
		}
		p->rx_n++;
		p->rx_cap += c->write_len;
		return 1;
	}
}

/* How many of the first `max` held buffers a packet of len bytes needs;
 * 0 if they cannot hold it. */
static unsigned int buffers_for(struct net_pair *p, unsigned int max, uint64_t len)
{
	uint64_t have = 0;
	for (unsigned int i = 0; i < p->rx_n && i < max; i++) {
		have += held(p, i)->write_len;
		if (have >= len)
			return i + 1;
	}
	return 0;
}

/* The first n held buffers hold a packet of len bytes (all full but the
 * last): num_buffers into its header, complete them together - the
 * driver reads num_buffers and takes the rest at once, so it must never
 * see the first buffer without the others. */
static void complete(struct net_pair *p, struct virtqueue *vq, unsigned int n,
		     size_t len, unsigned int *pushed)
{
	struct virtio_net *net = p->net;
	uint16_t nb = htole16((uint16_t)n);
	vq_chain_write(held(p, 0), NUM_BUFFERS_OFF, &nb, sizeof(nb));
	atomic_fetch_add(&net->rx_packets, 1);
	atomic_fetch_add(&net->rx_bytes, len - VIRTIO_NET_HDR_LEN);
	uint16_t heads[NET_RX_POOL];
	uint32_t lens[NET_RX_POOL];
	for (unsigned int i = 0; i < n; i++) {
		struct vq_chain *c = held(p, i);
		uint32_t l = len < c->write_len ? (uint32_t)len : c->write_len;
		heads[i] = c->head;
		lens[i] = l;
		len -= l;
		p->rx_cap -= c->write_len;
	}
	if (virtqueue_push_n(vq, heads, lens, n) == 0)
		*pushed += n;
	p->rx_start = (p->rx_start + n) % NET_RX_POOL;
	p->rx_n -= n;
}

/* Every held buffer back to the guest, empty. */
static void return_all(struct net_pair *p, struct virtqueue *vq, unsigned int *pushed)
{
	for (unsigned int i = 0; i < p->rx_n; i++)
		net_push(vq, held(p, i)->head, 0, pushed);
	p->rx_start = p->rx_n = 0;
	p->rx_cap = 0;
}

/* Copy the packet in p->pkt into the first n held buffers. */
static void copy_in(struct net_pair *p, unsigned int n)
{
	size_t off = 0;
	for (unsigned int i = 0; i < n && off < p->pkt_len; i++) {
		struct vq_chain *c = held(p, i);
		size_t l = p->pkt_len - off < c->write_len ? p->pkt_len - off
							   : c->write_len;
		vq_chain_write(c, 0, p->pkt + off, l);
		off += l;
	}
}

/* Up to len bytes from `off` into a chain's writable part (what the
 * device wrote there). */
static size_t read_written(const struct vq_chain *c, size_t off, uint8_t *dst,
			   size_t len)
{
	size_t got = 0;
	for (unsigned int i = c->nr_read; i < c->nr_read + c->nr_write && got < len; i++) {
		const struct vq_seg *s = &c->seg[i];
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		size_t l = s->len - off < len - got ? s->len - off : len - got;
		memcpy(dst + got, (const uint8_t *)s->host + off, l);
		got += l;
		off = 0;
	}
	return got;
}

/* Bytes [off, off + len) of what was read into the held buffers. */
static void peek(struct net_pair *p, size_t off, void *dst, size_t len)
{
	uint8_t *d = dst;
	for (unsigned int i = 0; i < p->rx_n && len; i++) {
		struct vq_chain *c = held(p, i);
		if (off >= c->write_len) {
			off -= c->write_len;
			continue;
		}
		size_t got = read_written(c, off, d, len);
		d += got;
		len -= got;
		off = 0;
	}
}

/* iovecs over the first `max` held buffers, enough for the largest
 * packet: their number, or -1 (too few bytes held, or too many pieces). */
static int direct_iov(struct net_pair *p, unsigned int max)
{
	if (p->rx_cap < NET_PKT_MAX + 1)
		return -1;
	int n = 0;
	uint64_t have = 0;
	for (unsigned int i = 0; i < p->rx_n && i < max && have <= NET_PKT_MAX; i++) {
		struct vq_chain *c = held(p, i);
		int k = vq_chain_iov(c, true, 0, c->write_len, p->rx_iov + n,
				     NET_RX_IOV - n);
		if (k < 0)
			return -1;
		n += k;
		have += c->write_len;
	}
	return n;
}

enum read_result { READ_GOT, READ_NONE, READ_DROPPED, READ_END };

/* One readv of the fd; drops runts and oversized packets (counted). */
static enum read_result read_packet(struct net_pair *p, const struct iovec *iov,
				    int n, size_t *len)
{
	struct virtio_net *net = p->net;
	ssize_t r;
	do {
		r = readv(p->fd, iov, n);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return READ_NONE;
		atomic_fetch_add(&net->rx_errors, 1);
		pr_guest(LOG_WARN, "%s: rx read: %s", net->name, strerror(errno));
		return READ_NONE;
	}
	if (r == 0)
		return READ_END;
	if (r > NET_PKT_MAX || r < VIRTIO_NET_HDR_LEN) {
		atomic_fetch_add(r > NET_PKT_MAX ? &net->rx_too_big : &net->rx_errors, 1);
		return READ_DROPPED;
	}
	*len = (size_t)r;
	return READ_GOT;
}

/* Whether the guest's receive filter takes the packet of len bytes
 * (header included) whose frame starts with `frame` (its first 16 bytes
 * at least, or all of a shorter one). Counted if not. */
static bool wanted(struct net_pair *p, const uint8_t *frame, size_t len)
{
	if (net_rxmode_accepts(p, frame, len - VIRTIO_NET_HDR_LEN))
		return true;
	atomic_fetch_add(&p->net->rx_filtered, 1);
	return false;
}

/* A packet waits in p->pkt: place it, drop it, or wait for buffers.
 * false: wait (the ring is empty). */
static bool place_copy(struct net_pair *p, struct virtqueue *vq, unsigned int max,
		       bool ring_empty, unsigned int *pushed)
{
	struct virtio_net *net = p->net;
	unsigned int n = buffers_for(p, max, p->pkt_len);
	if (n) {
		copy_in(p, n);
		complete(p, vq, n, p->pkt_len, pushed);
		p->have_pkt = false;
		return true;
	}
	if (p->rx_n < max && ring_empty)
		return false;
	/* every buffer it may use is held and the packet does not fit */
	atomic_fetch_add(&net->rx_too_big, 1);
	pr_guest(LOG_WARN, "%s: rx packet of %zu bytes dropped: the guest's buffers hold %llu",
		 net->name, p->pkt_len, (unsigned long long)p->rx_cap);
	if (net->mrg_rxbuf)
		return_all(p, vq, pushed);
	p->have_pkt = false;
	return true;
}

enum net_io_state net_rx_process(struct net_pair *p)
{
	struct virtio_net *net = p->net;
	struct virtqueue *vq = &net->vdev->vqs[rx_index(p)];
	enum net_io_state st = NET_IO_MORE;
	unsigned int pushed = 0;
	if (!vq->enabled)
		return NET_IO_IDLE;
	/* without MRG_RXBUF a packet goes into one buffer */
	unsigned int max = net->mrg_rxbuf ? NET_RX_POOL : 1;
	if (max > vq->size)
		max = vq->size;
	virtqueue_disable_notify(vq);
	for (unsigned int n = 0; n < NET_BUDGET; n++) {
		/* Hold enough buffers for the packet waiting, or for the
		 * largest one, or as many as there are. */
		uint64_t want = p->have_pkt ? p->pkt_len : NET_PKT_MAX + 1;
		int r = 1;
		/* (rx_n never exceeds max: rx_cap is what the held can take) */
		while (r == 1 && p->rx_n < max && p->rx_cap < want)
			r = take(p, vq, &pushed);
		if (r < 0) {
			st = NET_IO_BROKEN;
			break;
		}
		if (!p->rx_n) {
			st = NET_IO_IDLE;
			break;
		}
		if (p->have_pkt) {
			if (!place_copy(p, vq, max, r == 0, &pushed)) {
				st = NET_IO_IDLE;
				break;
			}
			continue;
		}
		size_t len = 0;
		int niov = direct_iov(p, max);
		enum read_result rr = niov > 0
			? read_packet(p, p->rx_iov, niov, &len)
			: read_packet(p, &(struct iovec){ p->pkt, NET_PKT_MAX + 1 }, 1, &len);
		if (rr == READ_NONE || rr == READ_END) {
			st = rr == READ_NONE ? NET_IO_WAIT_FD : NET_IO_DEAD;
			break;
		}
		if (rr == READ_DROPPED)
			continue;
		if (niov > 0) {
			/* in the guest's buffers already: the filter needs
			 * the addresses and a VLAN tag, if any */
			uint8_t head[16];
			size_t d = len - VIRTIO_NET_HDR_LEN < sizeof(head)
				 ? len - VIRTIO_NET_HDR_LEN : sizeof(head);
			peek(p, VIRTIO_NET_HDR_LEN, head, d);
			if (wanted(p, head, len))
				complete(p, vq, buffers_for(p, max, len), len, &pushed);
			continue;
		}
		p->pkt_len = len;
		p->have_pkt = wanted(p, p->pkt + VIRTIO_NET_HDR_LEN, len);
	}
	if (pushed)
		virtio_notify_queue(net->vdev, rx_index(p));
	if (st == NET_IO_BROKEN)
		pr_guest(LOG_WARN, "%s: rx queue %u broken: %s", net->name,
			 p->index, vq->broken_reason);
	return st;
}

void net_rx_release(struct net_pair *p, bool give_back)
{
	if (give_back && p->rx_n) {
		uint16_t heads[NET_RX_POOL];
		for (unsigned int i = 0; i < p->rx_n; i++)
			heads[i] = held(p, i)->head;
		net_give_back(p, rx_index(p), heads, p->rx_n);
	}
	p->rx_start = p->rx_n = 0;
	p->rx_cap = 0;
}
