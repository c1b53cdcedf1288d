#include "backends/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int open_queue(const char *name, bool multi, char *err, size_t errlen)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open /dev/net/tun: %s", strerror(e));
		return -e;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (multi)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	int hdr = TAP_VNET_HDR_LEN;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		snprintf(err, errlen, "tap %s: cannot attach%s: %s%s", name,
			 multi ? " a multi-queue tap" : "", strerror(e),
			 e == EINVAL && multi ? " (is it a multi_queue tap?)"
			 : e == EINVAL ? " (a multi_queue tap needs num_queues=4 or more)"
			 : e == EBUSY ? " (in use by another process)" : "");
		close(fd);
		return -e;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		int e = errno;
		snprintf(err, errlen, "tap %s: TUNSETVNETHDRSZ: %s", name, strerror(e));
		close(fd);
		return -e;
	}
	/* As QEMU does: no send buffer limit, so a burst of large GSO frames
	 * from the guest (or from vhost) is never held back by the tap's
	 * accounting. A fresh tun fd already has INT_MAX; a tap another
	 * program configured may not. */
	int sndbuf = INT_MAX;
	if (ioctl(fd, TUNSETSNDBUF, &sndbuf) < 0) {
		int e = errno;
		snprintf(err, errlen, "tap %s: TUNSETSNDBUF: %s", name, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

int tap_open(const char *name, unsigned int nfds, int *fds, char *err,
	     size_t errlen)
{
	if (!name || !*name || strlen(name) >= IFNAMSIZ || !nfds) {
		snprintf(err, errlen, "tap '%s': not a valid interface name",
			 name ? name : "");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < nfds; i++) {
		int fd = open_queue(name, nfds > 1, err, errlen);
		if (fd < 0) {
			while (i-- > 0)
				close(fds[i]);
			return fd;
		}
		fds[i] = fd;
	}
	/* A persistent tap keeps the receive filter of the last program that
	 * set one (a Kiln that was killed): start with none. */
	int e = tap_set_rx_filter(fds[0], NULL, 0, false);
	if (e) {
		snprintf(err, errlen, "tap %s: TUNSETTXFILTER: %s", name, strerror(-e));
		for (unsigned int i = 0; i < nfds; i++)
			close(fds[i]);
		return e;
	}
	return 0;
}

int tap_set_offload(int fd, uint64_t f)
{
	unsigned int off = 0;
	if (f & (1ull << VIRTIO_NET_F_GUEST_CSUM)) {
		off |= TUN_F_CSUM;
		if (f & (1ull << VIRTIO_NET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (f & (1ull << VIRTIO_NET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
		if ((f & (1ull << VIRTIO_NET_F_GUEST_ECN)) &&
		    (off & (TUN_F_TSO4 | TUN_F_TSO6)))
			off |= TUN_F_TSO_ECN;
		if (f & (1ull << VIRTIO_NET_F_GUEST_UFO))
			off |= TUN_F_UFO;
	}
	if (ioctl(fd, TUNSETOFFLOAD, off) == 0)
		return 0;
	/* Kernels without UFO refuse the bit: keep the rest. */
	if (errno == EINVAL && (off & TUN_F_UFO) &&
	    ioctl(fd, TUNSETOFFLOAD, off & ~TUN_F_UFO) == 0)
		return 0;
	return -errno;
}

int tap_set_queue_enabled(int fd, bool enabled)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = enabled ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	return ioctl(fd, TUNSETQUEUE, &ifr) < 0 ? -errno : 0;
}

int tap_set_mtu(const char *name, unsigned int mtu)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = (int)mtu;
	int e = ioctl(s, SIOCSIFMTU, &ifr) < 0 ? -errno : 0;
	close(s);
	return e;
}

int tap_set_rx_filter(int fd, const uint8_t (*macs)[6], unsigned int n,
		      bool allmulti)
{
	struct {
		struct tun_filter f;
		uint8_t addr[TAP_FILTER_MAX][6];
	} arg;
	if (n > TAP_FILTER_MAX)
		return -EINVAL;
	memset(&arg, 0, sizeof(arg));
	arg.f.flags = allmulti ? TUN_FLT_ALLMULTI : 0;
	arg.f.count = (uint16_t)n;
	if (n)
		memcpy(arg.addr, macs, 6ull * n);
	return ioctl(fd, TUNSETTXFILTER, &arg) < 0 ? -errno : 0;
}
