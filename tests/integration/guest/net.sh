# needs: guest-tools
# Runs as /test.sh with one virtio-net NIC (eth0) whose tap on the host is
# 169.254.100.1/24. Reports what the guest sees, pings the host, then moves
# 3 MiB of random data to the host (port 5001) and back (port 5002).
ip link set lo up
ip link set eth0 up
ip addr add 169.254.100.2/24 dev eth0
echo "KILN_NET_MAC=$(cat /sys/class/net/eth0/address)"
echo "KILN_NET_DRIVER=$(basename "$(readlink /sys/class/net/eth0/device/driver)")"
echo "KILN_NET_RXQ=$(ls -d /sys/class/net/eth0/queues/rx-* | wc -l)"
echo "KILN_NET_TXQ=$(ls -d /sys/class/net/eth0/queues/tx-* | wc -l)"
if ping -c 3 -W 5 169.254.100.1 >/tmp/ping 2>&1; then
	echo "KILN_NET_PING=ok"
else
	echo "KILN_NET_PING=failed"
	cat /tmp/ping
fi
head -c $((3 << 20)) /dev/urandom >/tmp/up
echo "KILN_NET_UP_MD5=$(md5sum </tmp/up | cut -c1-32)"
socat -u FILE:/tmp/up TCP:169.254.100.1:5001,connect-timeout=20 ||
	echo "KILN_NET_UP_ERROR=socat status $?"
socat -u TCP:169.254.100.1:5002,connect-timeout=20 CREATE:/tmp/down ||
	echo "KILN_NET_DOWN_ERROR=socat status $?"
echo "KILN_NET_DOWN_MD5=$(md5sum </tmp/down | cut -c1-32)"
# interrupts per queue, for the log
grep virtio /proc/interrupts | grep -E "input|output" | sed 's/^/KILN_NET_IRQ: /'
