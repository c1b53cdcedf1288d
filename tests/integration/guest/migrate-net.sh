# needs: guest-tools
# Runs as /test.sh for the live migration test of virtio-net: two NICs
# (MAC ..:6d:01 on the host's 169.254.103.1/24, the userspace path;
# ..:6d:02 on 169.254.104.1/24, vhost). Each downloads a file from the host
# over TCP (retrying until the host listens) into RAM and prints its md5;
# the host migrates the guest while the bytes flow. Twice a second the
# guest pings the host on both NICs.
echo 1 >/proc/sys/kernel/printk
ip link set lo up
for dev in /sys/class/net/eth*; do
	case $(cat "$dev/address") in
	52:54:00:6b:6d:01) nu=${dev##*/} ;;
	52:54:00:6b:6d:02) nv=${dev##*/} ;;
	esac
done
ip link set "$nu" up && ip addr add 169.254.103.2/24 dev "$nu"
ip link set "$nv" up && ip addr add 169.254.104.2/24 dev "$nv"
# download PORT HOST NAME
download() {
	for _ in $(seq 1 120); do
		socat -u TCP:"$2":"$1",connect-timeout=5 CREATE:/tmp/"$3" 2>/dev/null &&
			[ -s /tmp/"$3" ] && break
		sleep 1
	done
	echo "KILN_MN_MD5_$3=$(md5sum </tmp/"$3" | cut -c1-32) $(wc -c </tmp/"$3")"
}
download 5011 169.254.103.1 user &
download 5012 169.254.104.1 vhost &
i=0
while :; do
	i=$((i + 1))
	pu=fail
	pv=fail
	ping -c 1 -W 1 169.254.103.1 >/dev/null 2>&1 && pu=ok
	ping -c 1 -W 1 169.254.104.1 >/dev/null 2>&1 && pv=ok
	echo "KILN_MN_TICK=$i user=$pu vhost=$pv"
	sleep 0.5
done
