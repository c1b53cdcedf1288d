# needs: guest-tools
# Runs as /test.sh with a virtio-net NIC whose tap on the host is
# 169.254.100.1/24. Reports what the guest sees, pings the host, then moves
# 3 MiB of random data to the host (port 5001) and back (port 5002).
# Kernel messages (link up, ...) on the console would break KEY=value lines.
echo 1 >/proc/sys/kernel/printk
# The NIC under test has a MAC starting 52:54:00:6b:69; any other NIC
# (Kiln gave it a random MAC) is only reported.
nic=
for dev in /sys/class/net/eth*; do
	mac=$(cat "$dev/address")
	case $mac in
	52:54:00:6b:69:*) nic=${dev##*/} ;;
	*) echo "KILN_NET_OTHER_MAC=$mac" ;;
	esac
done
echo "KILN_NET_NICS=$(ls -d /sys/class/net/eth* | wc -l)"
ip link set lo up
ip link set "$nic" up
ip addr add 169.254.100.2/24 dev "$nic"
echo "KILN_NET_MAC=$(cat /sys/class/net/$nic/address)"
echo "KILN_NET_DRIVER=$(basename "$(readlink /sys/class/net/$nic/device/driver)")"
echo "KILN_NET_RXQ=$(ls -d /sys/class/net/$nic/queues/rx-* | wc -l)"
echo "KILN_NET_TXQ=$(ls -d /sys/class/net/$nic/queues/tx-* | wc -l)"
# negotiated feature bits, bit 0 first (bit 34: VIRTIO_F_RING_PACKED)
echo "KILN_NET_FEATURES=$(cat /sys/class/net/$nic/device/features)"
if ping -c 3 -W 5 169.254.100.1 >/tmp/ping 2>&1; then
	echo "KILN_NET_PING=ok"
else
	echo "KILN_NET_PING=failed"
	cat /tmp/ping
fi
mtu=$(cat /sys/class/net/$nic/mtu)
echo "KILN_NET_MTU=$mtu"
if [ "$mtu" -gt 1500 ]; then
	ping -c 2 -W 5 -s $((mtu - 100)) 169.254.100.1 >/tmp/ping 2>&1 &&
		echo "KILN_NET_BIG_PING=ok" || echo "KILN_NET_BIG_PING=failed"
fi
# The receive filter: the host sends about 20 frames a second to
# 02:00:00:00:00:99, which is not this NIC's address. With promiscuous
# mode off (Linux's driver turns it off when the link comes up) the device
# drops them; with it on the guest gets them.
rx() { cat /sys/class/net/$nic/statistics/rx_packets; }
a=$(rx); sleep 2; b=$(rx)
echo "KILN_NET_RX_OTHER_FILTERED=$((b - a))"
ip link set "$nic" promisc on
sleep 1
a=$(rx); sleep 2; b=$(rx)
echo "KILN_NET_RX_OTHER_PROMISC=$((b - a))"
ip link set "$nic" promisc off
# VLANs: with CTRL_VLAN negotiated Kiln passes a tagged frame only for an
# id the driver added. A VLAN interface (id 7) adds its id: the host's
# end of VLAN 7 answers pings. The host also sends about 20 frames a
# second to this NIC on VLAN 8, which nothing here added: on Kiln's
# userspace path they never reach the NIC's counters.
vlan_up() {
	while read -r m; do
		insmod "/lib/modules/$(uname -r)/$m" 2>/dev/null
	done </etc/kiln-modules-vlan
	ip link add link "$nic" name vl7 type vlan id 7 &&
		ip addr add 169.254.107.2/24 dev vl7 && ip link set vl7 up
}
if vlan_up; then
	ping -c 3 -W 5 169.254.107.1 >/tmp/ping 2>&1 &&
		echo "KILN_NET_VLAN_PING=ok" || echo "KILN_NET_VLAN_PING=failed"
	a=$(rx); sleep 2; b=$(rx)
	echo "KILN_NET_RX_VLAN8=$((b - a))"
	ip link del vl7
else
	echo "KILN_NET_VLAN_PING=no VLAN interface"
fi
head -c $((3 << 20)) /dev/urandom >/tmp/up
echo "KILN_NET_UP_MD5=$(md5sum </tmp/up | cut -c1-32)"
socat -u FILE:/tmp/up TCP:169.254.100.1:5001,connect-timeout=20 ||
	echo "KILN_NET_UP_ERROR=socat status $?"
socat -u TCP:169.254.100.1:5002,connect-timeout=20 CREATE:/tmp/down ||
	echo "KILN_NET_DOWN_ERROR=socat status $?"
echo "KILN_NET_DOWN_MD5=$(md5sum </tmp/down | cut -c1-32)"
# A device reset: unbind and bind the driver (Kiln stops and restarts the
# data path), then the NIC must work again.
vdev=$(basename "$(readlink /sys/class/net/$nic/device)")
echo "$vdev" >/sys/bus/virtio/drivers/virtio_net/unbind
echo "$vdev" >/sys/bus/virtio/drivers/virtio_net/bind
nic=$(ls /sys/bus/virtio/devices/$vdev/net/ 2>/dev/null)
if [ -n "$nic" ] && ip link set "$nic" up && ip addr add 169.254.100.2/24 dev "$nic" &&
	ping -c 2 -W 5 169.254.100.1 >/tmp/ping 2>&1; then
	echo "KILN_NET_PING_AFTER_RESET=ok"
else
	echo "KILN_NET_PING_AFTER_RESET=failed ($nic)"
fi
# interrupts per queue, for the log
grep virtio /proc/interrupts | grep -E "input|output" | sed 's/^/KILN_NET_IRQ: /'
