/* A Linux tap device as a virtio-net back end.
 *
 * Kiln opens /dev/net/tun once per queue pair and attaches each fd to the
 * named tap (created if it does not exist): IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR, plus IFF_MULTI_QUEUE when there is more than one pair.
 * Every packet read or written carries a 12-byte virtio-net header (the
 * virtio 1.x layout with num_buffers, TUNSETVNETHDRSZ), so guest frames
 * pass through without conversion. The fds are non-blocking, with an
 * unlimited send buffer (TUNSETSNDBUF INT_MAX, as QEMU sets it).
 */
#ifndef KILN_BACKENDS_TAP_H
#define KILN_BACKENDS_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TAP_VNET_HDR_LEN 12

/* Open `nfds` queues of tap `name` into fds[]. 0, or -errno with a reason
 * (without the flag name) in err; nothing stays open on failure. */
int tap_open(const char *name, unsigned int nfds, int *fds, char *err,
	     size_t errlen) __attribute__((warn_unused_result));

/* TUNSETOFFLOAD from the guest's negotiated virtio-net features: what the
 * guest accepts (GUEST_CSUM, GUEST_TSO4/6, GUEST_ECN, GUEST_UFO) is what
 * the tap may hand us. 0 or -errno. */
int tap_set_offload(int fd, uint64_t guest_features)
	__attribute__((warn_unused_result));

/* Attach (true) or detach one queue of a multi-queue tap (TUNSETQUEUE), so
 * the kernel spreads received packets only over the queues in use. */
int tap_set_queue_enabled(int fd, bool enabled)
	__attribute__((warn_unused_result));

/* The tap's MTU (SIOCSIFMTU on the interface `name`): 0 or -errno. */
int tap_set_mtu(const char *name, unsigned int mtu)
	__attribute__((warn_unused_result));

/* Which frames the tap hands to Kiln (TUNSETTXFILTER, the tap's transmit
 * side is the guest's receive side): only those sent to one of macs[]
 * (the first 8 matched exactly, further multicast ones by a hash) and,
 * with allmulti, any multicast frame. n == 0 lets every frame through.
 * The kernel may let a few more through than asked (hash collisions, or
 * more than 8 unicast addresses: the filter is then off), never fewer.
 * 0 or -errno. */
#define TAP_FILTER_MAX 160
int tap_set_rx_filter(int fd, const uint8_t (*macs)[6], unsigned int n,
		      bool allmulti) __attribute__((warn_unused_result));

#endif
