/* virtio-net's receive filter as data: which destination addresses pass
 * for each rx mode and MAC table, and the tap filter made from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backends/tap.h"
#include "devices/virtio_net_filter.h"

#include <string.h>

static const uint8_t own[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x99, 0x99, 0x99 };
static const uint8_t table_uni[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x33, 0x33, 0xff, 0x12, 0x34, 0x56 }; /* IPv6 ND */
static const uint8_t mcast2[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb }; /* mDNS */

/* A 60-byte frame to dst. */
static bool passes(const struct net_rx_filter *f, const uint8_t dst[6])
{
	uint8_t frame[60];
	memset(frame, 0xab, sizeof(frame));
	memcpy(frame, dst, 6);
	return net_filter_accepts(f, frame, sizeof(frame));
}

/* The state Linux's driver sets when the link comes up: promiscuous off,
 * its multicast list in the table. */
static void linux_up(struct net_rx_filter *f)
{
	net_filter_init(f, own);
	f->promisc = false;
	f->n_multi = 1;
	memcpy(f->multi[0], mcast, 6);
}

static void test_initially_promiscuous(void **state)
{
	struct net_rx_filter f;
	net_filter_init(&f, own);
	assert_true(passes(&f, own));
	assert_true(passes(&f, other));
	assert_true(passes(&f, mcast2));
	uint8_t macs[TAP_FILTER_MAX][6];
	bool allmulti = true;
	assert_int_equal(net_filter_tap_list(&f, macs, TAP_FILTER_MAX, &allmulti), 0);
	assert_false(allmulti);
}

static void test_unicast(void **state)
{
	struct net_rx_filter f;
	linux_up(&f);
	assert_true(passes(&f, own));
	assert_false(passes(&f, other));
	assert_false(passes(&f, table_uni));
	f.n_uni = 1;
	memcpy(f.uni[0], table_uni, 6);
	assert_true(passes(&f, table_uni));
	assert_false(passes(&f, other));
	f.alluni = true;
	assert_true(passes(&f, other));
	f.alluni = false;
	f.uni_overflow = true;
	assert_true(passes(&f, other));
	f.uni_overflow = false;
	f.nouni = true;
	assert_false(passes(&f, own));
	assert_true(passes(&f, bcast));
	f.promisc = true; /* promiscuous wins over everything */
	assert_true(passes(&f, own));
	assert_true(passes(&f, other));
}

static void test_multicast_and_broadcast(void **state)
{
	struct net_rx_filter f;
	linux_up(&f);
	assert_true(passes(&f, bcast));
	assert_true(passes(&f, mcast));
	assert_false(passes(&f, mcast2));
	f.allmulti = true;
	assert_true(passes(&f, mcast2));
	f.allmulti = false;
	f.multi_overflow = true;
	assert_true(passes(&f, mcast2));
	f.nomulti = true; /* no multicast at all, broadcast still */
	assert_false(passes(&f, mcast));
	assert_true(passes(&f, bcast));
	f.nobcast = true;
	assert_false(passes(&f, bcast));
	assert_true(passes(&f, own));
}

/* A runt without a whole destination is not judged. */
static void test_short_frame(void **state)
{
	struct net_rx_filter f;
	linux_up(&f);
	uint8_t five[5] = { 1, 2, 3, 4, 5 };
	assert_true(net_filter_accepts(&f, five, sizeof(five)));
}

/* A 60-byte frame to dst tagged with 802.1Q TCI tci; or with the tag's
 * TPID and no room left for its TCI (len 14 or 15). */
static bool passes_tagged(const struct net_rx_filter *f, const uint8_t dst[6],
			  uint16_t tci, size_t len)
{
	uint8_t frame[60];
	memset(frame, 0xab, sizeof(frame));
	memcpy(frame, dst, 6);
	frame[12] = 0x81;
	frame[13] = 0x00;
	frame[14] = (uint8_t)(tci >> 8);
	frame[15] = (uint8_t)tci;
	return net_filter_accepts(f, frame, len);
}

static void test_vlan(void **state)
{
	struct net_rx_filter f;
	linux_up(&f);
	/* CTRL_VLAN not negotiated: tags are not looked at */
	assert_true(passes_tagged(&f, own, 5, 60));
	net_filter_vlan_enable(&f, true);
	assert_false(passes_tagged(&f, own, 5, 60));
	assert_true(passes(&f, own)); /* untagged */
	net_filter_vlan_set(&f, 5, true);
	assert_true(passes_tagged(&f, own, 5, 60));
	assert_true(passes_tagged(&f, own, 0xf005, 60)); /* priority and DEI bits */
	assert_false(passes_tagged(&f, own, 6, 60));
	assert_false(passes_tagged(&f, own, 4, 60));
	/* the address filter still applies to tagged frames */
	assert_false(passes_tagged(&f, other, 5, 60));
	net_filter_vlan_set(&f, 4095, true);
	net_filter_vlan_set(&f, 0, true);
	assert_true(passes_tagged(&f, own, 4095, 60));
	assert_true(passes_tagged(&f, own, 0, 60));
	net_filter_vlan_set(&f, 4096, true); /* not an id: nothing changes */
	net_filter_vlan_set(&f, 5, false);
	assert_false(passes_tagged(&f, own, 5, 60));
	assert_true(passes_tagged(&f, own, 4095, 60));
	/* a frame cut before the TCI is not judged by its tag */
	assert_true(passes_tagged(&f, own, 5, 15));
	/* promiscuous: everything */
	f.promisc = true;
	assert_true(passes_tagged(&f, other, 6, 60));
	/* the tap's list does not change with VLANs */
	f.promisc = false;
	uint8_t macs[TAP_FILTER_MAX][6], macs2[TAP_FILTER_MAX][6];
	bool am, am2;
	unsigned int n = net_filter_tap_list(&f, macs, TAP_FILTER_MAX, &am);
	net_filter_vlan_enable(&f, false);
	assert_true(passes_tagged(&f, own, 5, 60));
	assert_int_equal(net_filter_tap_list(&f, macs2, TAP_FILTER_MAX, &am2), n);
	assert_memory_equal(macs, macs2, 6ull * n);
	assert_int_equal(am, am2);
}

static bool listed(uint8_t (*macs)[6], unsigned int n, const uint8_t *a)
{
	for (unsigned int i = 0; i < n; i++)
		if (!memcmp(macs[i], a, 6))
			return true;
	return false;
}

static void test_tap_list(void **state)
{
	struct net_rx_filter f;
	uint8_t macs[TAP_FILTER_MAX][6];
	bool allmulti;
	linux_up(&f);
	f.n_uni = 1;
	memcpy(f.uni[0], table_uni, 6);
	unsigned int n = net_filter_tap_list(&f, macs, TAP_FILTER_MAX, &allmulti);
	/* unicast first (the tap's exact entries), then broadcast, multicast */
	assert_int_equal(n, 4);
	assert_memory_equal(macs[0], own, 6);
	assert_memory_equal(macs[1], table_uni, 6);
	assert_memory_equal(macs[2], bcast, 6);
	assert_memory_equal(macs[3], mcast, 6);
	assert_false(allmulti);

	f.allmulti = true;
	n = net_filter_tap_list(&f, macs, TAP_FILTER_MAX, &allmulti);
	assert_int_equal(n, 3);
	assert_true(allmulti);
	assert_false(listed(macs, n, mcast));

	f.nobcast = true;
	f.nomulti = true;
	n = net_filter_tap_list(&f, macs, TAP_FILTER_MAX, &allmulti);
	assert_int_equal(n, 2);
	assert_false(allmulti);
	assert_false(listed(macs, n, bcast));

	/* what the tap cannot hold exactly: no filter rather than a narrower one */
	linux_up(&f);
	f.n_uni = 8; /* 9 unicast addresses with the NIC's own */
	for (unsigned int i = 0; i < 8; i++) {
		memcpy(f.uni[i], table_uni, 6);
		f.uni[i][5] = (uint8_t)i;
	}
	assert_int_equal(net_filter_tap_list(&f, macs, TAP_FILTER_MAX, &allmulti), 0);
	linux_up(&f);
	f.alluni = true;
	assert_int_equal(net_filter_tap_list(&f, macs, TAP_FILTER_MAX, &allmulti), 0);
	linux_up(&f);
	f.uni_overflow = true;
	assert_int_equal(net_filter_tap_list(&f, macs, TAP_FILTER_MAX, &allmulti), 0);
	/* a full multicast table fits (the tap hashes what is not exact) */
	linux_up(&f);
	f.n_multi = NET_FILTER_MACS;
	for (unsigned int i = 0; i < NET_FILTER_MACS; i++) {
		memcpy(f.multi[i], mcast2, 6);
		f.multi[i][5] = (uint8_t)i;
	}
	n = net_filter_tap_list(&f, macs, TAP_FILTER_MAX, &allmulti);
	assert_int_equal(n, 2 + NET_FILTER_MACS);
	assert_true(listed(macs, n, f.multi[NET_FILTER_MACS - 1]));
	/* and a too small array gives no filter */
	assert_int_equal(net_filter_tap_list(&f, macs, 10, &allmulti), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initially_promiscuous),
		cmocka_unit_test(test_unicast),
		cmocka_unit_test(test_multicast_and_broadcast),
		cmocka_unit_test(test_short_frame),
		cmocka_unit_test(test_tap_list),
		cmocka_unit_test(test_vlan),
	};
	return cmocka_run_group_tests_name("virtio-net filter", tests, NULL, NULL);
}
