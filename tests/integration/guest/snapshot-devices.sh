# needs: guest-tools
# Runs as /test.sh for the snapshot test of virtio-net, virtio-console and
# virtio-vsock: two NICs (MAC ..:73:01 on the host's 169.254.101.1/24,
# ..:73:02 on 169.254.102.1/24), hvc0 and vsock. It keeps a vsock
# connection to the host open (the host sends one line, then nothing) and
# says when it ends, serves a vsock echo on port 1234, and twice a second
# pings the host on both NICs and writes a tick to hvc0; lines read from
# hvc0 are printed. The host snapshots it and restores it meanwhile.
echo 1 >/proc/sys/kernel/printk
ip link set lo up
for dev in /sys/class/net/eth*; do
	case $(cat "$dev/address") in
	52:54:00:6b:73:01) nu=${dev##*/} ;;
	52:54:00:6b:73:02) nv=${dev##*/} ;;
	esac
done
ip link set "$nu" up && ip addr add 169.254.101.2/24 dev "$nu"
ip link set "$nv" up && ip addr add 169.254.102.2/24 dev "$nv"
echo "KILN_SNAP_NICS=$nu,$nv rx queues $(ls -d /sys/class/net/$nv/queues/rx-* | wc -l)"

socat VSOCK-LISTEN:1234,fork EXEC:cat 2>/dev/null &
(
	while [ ! -e /tmp/held ]; do
		socat -u VSOCK-CONNECT:2:5680 - 2>/dev/null | while read -r l; do
			echo "KILN_VSOCK_HELD=$l"
			: >/tmp/held
		done
		[ -e /tmp/held ] || sleep 1
	done
	echo "KILN_VSOCK_OLD_CONN_ENDED=1"
) &

exec 3<>/dev/hvc0
stty -echo -onlcr <&3
(while read -r l <&3; do echo "KILN_HVC_IN=$l"; done) &
i=0
while :; do
	i=$((i + 1))
	pu=fail
	pv=fail
	ping -c 1 -W 1 169.254.101.1 >/dev/null 2>&1 && pu=ok
	ping -c 1 -W 1 169.254.102.1 >/dev/null 2>&1 && pv=ok
	echo "KILN_SNAP_TICK=$i user=$pu vhost=$pv"
	echo "hvc-tick-$i" >&3
	sleep 0.5
done
