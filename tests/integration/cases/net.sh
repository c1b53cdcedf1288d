# virtio-net on a tap device, three boots: the userspace data path, vhost
# (/dev/vhost-net), and two queue pairs on a multi_queue tap with 2 vCPUs.
# The host side of the tap is 169.254.100.1/24, the guest 169.254.100.2.
# Each boot: the guest pings the host, counts the datagrams the host keeps
# sending to a MAC that is not the guest's (dropped by the receive filter
# while promisc is off, received with it on), then 3 MiB of random data
# goes to the host and 3 MiB back over TCP (socat at both ends; the md5s
# must match), then the driver is rebound (a device reset) and the guest
# pings again. The vhost boot has mtu=9000: the guest and the tap have it,
# and a ping of 8900 bytes goes through. The multi-queue boot has
# packed=on: the guest's driver negotiates packed virtqueues.

# The host's ends of the guest's VLANs (the emulated host's kernel cannot
# load modules by itself: its root is not the chroot's).
modprobe 8021q || echo "net.sh: modprobe 8021q failed"

# net_tap NAME [multi_queue]: a fresh tap with the host's address, up.
net_tap() {
	ip link del "$1" 2>/dev/null
	ip tuntap add dev "$1" mode tap ${2:+multi_queue} &&
		ip addr add 169.254.100.1/24 dev "$1" &&
		ip link set "$1" up
}

md5_of() { md5sum <"$1" | cut -c1-32; }

# net_boot NAME WHAT CPUS QUEUES NET-ARG [KILN-ARGS...]
net_boot() {
	local name=$1 what=$2 cpus=$3 queues=$4 netarg=$5 log=$out/$1.log
	shift 5
	local mac=52:54:00:6b:69:${cpus}${queues}
	head -c $((3 << 20)) /dev/urandom >"$out/$name-down.bin"
	rm -f "$out/$name-up.bin"
	socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$out/$name-up.bin",creat,trunc &
	local up=$!
	socat -u FILE:"$out/$name-down.bin" TCP-LISTEN:5002,reuseaddr &
	local down=$!
	# vhost's worker shows up as a "vhost-PID" task while the guest runs
	rm -f "$out/$name.vhost-seen"
	(
		while sleep 1; do
			if grep -qs '^vhost-' /proc/[0-9]*/comm /proc/[0-9]*/task/*/comm; then
				touch "$out/$name.vhost-seen"
				break
			fi
		done
	) &
	local watcher=$!
	# UDP datagrams to a neighbour whose MAC is not the guest's, about 20 a
	# second all along (the guest counts what reaches it), and - on the
	# userspace path, which filters VLANs - as many to the guest's MAC on
	# VLAN 8, which the guest never joins; bash's own /dev/udp, so that
	# nothing stops on the errors of a tap without carrier. VLAN 7 is the
	# one the guest joins and pings over.
	local vlan8_to=169.254.108.2
	[ "$what" = vhost ] && vlan8_to=
	ip neigh replace 169.254.100.9 lladdr 02:00:00:00:00:99 dev kt0 nud permanent
	ip link add link kt0 name kt0.7 type vlan id 7 &&
		ip addr add 169.254.107.1/24 dev kt0.7 && ip link set kt0.7 up
	ip link add link kt0 name kt0.8 type vlan id 8 &&
		ip addr add 169.254.108.1/24 dev kt0.8 && ip link set kt0.8 up &&
		ip neigh replace 169.254.108.2 lladdr "$mac" dev kt0.8 nud permanent
	(while :; do
		echo x 2>/dev/null >/dev/udp/169.254.100.9/9
		[ -z "$vlan8_to" ] || echo x 2>/dev/null >/dev/udp/$vlan8_to/9
		sleep 0.05
	done) &
	local other=$!
	boot "$name" "$guest/vmlinux" "$imgs/net.img" 150 --cpus boot="$cpus" \
		--memory size=256M --net "$netarg,mac=$mac" "$@"
	local rc=$?
	local tap_mtu
	tap_mtu=$(cat /sys/class/net/kt0/mtu)
	kill "$watcher" "$up" "$down" "$other" 2>/dev/null
	wait "$watcher" "$up" "$down" "$other" 2>/dev/null
	[ $rc -eq 0 ] && pass "virtio-net ($what): guest powers off" ||
		fail "virtio-net ($what): boot status $rc"
	[ "$(value KILN_NET_DRIVER "$log")" = virtio_net ] &&
	[ "$(value KILN_NET_MAC "$log")" = "$mac" ] &&
		pass "virtio-net ($what): eth0 bound, MAC $mac" ||
		fail "virtio-net ($what): driver '$(value KILN_NET_DRIVER "$log")', MAC '$(value KILN_NET_MAC "$log")'"
	local rxq txq
	rxq=$(value KILN_NET_RXQ "$log")
	txq=$(value KILN_NET_TXQ "$log")
	[ "$rxq" = "$queues" ] && [ "$txq" = "$queues" ] &&
		pass "virtio-net ($what): $queues rx/tx queue pair(s) in the guest" ||
		fail "virtio-net ($what): guest has $rxq rx and $txq tx queues, wanted $queues"
	local feat want_packed=0
	feat=$(value KILN_NET_FEATURES "$log")
	[[ $netarg == *packed=on* ]] && want_packed=1
	[ "${feat:34:1}" = $want_packed ] &&
		pass "virtio-net ($what): VIRTIO_F_RING_PACKED negotiated: $want_packed" ||
		fail "virtio-net ($what): features '$feat', wanted bit 34 = $want_packed"
	[ "$(value KILN_NET_PING "$log")" = ok ] &&
		pass "virtio-net ($what): guest pings the host" ||
		fail "virtio-net ($what): ping '$(value KILN_NET_PING "$log")'"
	local mtu=1500 gmtu
	[[ $netarg =~ mtu=([0-9]+) ]] && mtu=${BASH_REMATCH[1]}
	gmtu=$(value KILN_NET_MTU "$log")
	if ((mtu != 1500)); then
		[ "$gmtu" = "$mtu" ] && [ "$tap_mtu" = "$mtu" ] &&
			[ "$(value KILN_NET_BIG_PING "$log")" = ok ] &&
			pass "virtio-net ($what): mtu=$mtu: the guest's and the tap's MTU, a $((mtu - 100))-byte ping" ||
			fail "virtio-net ($what): mtu=$mtu: guest MTU '$gmtu', tap MTU '$tap_mtu', big ping '$(value KILN_NET_BIG_PING "$log")'"
	else
		[ "$gmtu" = 1500 ] && pass "virtio-net ($what): guest MTU 1500" ||
			fail "virtio-net ($what): guest MTU '$gmtu', wanted 1500"
	fi
	local filtered promisc
	filtered=$(value KILN_NET_RX_OTHER_FILTERED "$log")
	promisc=$(value KILN_NET_RX_OTHER_PROMISC "$log")
	[ -n "$filtered" ] && [ -n "$promisc" ] && ((filtered <= 3 && promisc >= 5)) &&
		pass "virtio-net ($what): frames to another MAC dropped while promisc is off ($filtered in 2 s), received with promisc on ($promisc)" ||
		fail "virtio-net ($what): frames to another MAC: '$filtered' in 2 s with promisc off (want <= 3), '$promisc' with it on (want >= 5)"
	# VLANs: the guest's VLAN 7 works (its driver added the id); VLAN 8's
	# frames are dropped by Kiln's userspace path (with vhost the tap has
	# no VLAN filter: the guest's stack drops them instead, uncounted here)
	local vping vlan8
	vping=$(value KILN_NET_VLAN_PING "$log")
	vlan8=$(value KILN_NET_RX_VLAN8 "$log")
	if [ "$what" = vhost ]; then
		[ "$vping" = ok ] && pass "virtio-net ($what): ping over the guest's VLAN 7" ||
			fail "virtio-net ($what): VLAN 7 ping '$vping'"
	else
		[ "$vping" = ok ] && [ -n "$vlan8" ] && ((vlan8 <= 3)) &&
			pass "virtio-net ($what): ping over the guest's VLAN 7; frames on VLAN 8 (not joined) dropped ($vlan8 in 2 s)" ||
			fail "virtio-net ($what): VLAN 7 ping '$vping', VLAN 8 frames '$vlan8' in 2 s (want <= 3)"
	fi
	local sent got
	sent=$(value KILN_NET_UP_MD5 "$log")
	got=$([ -f "$out/$name-up.bin" ] && md5_of "$out/$name-up.bin")
	[ -n "$sent" ] && [ "$sent" = "$got" ] &&
		pass "virtio-net ($what): 3 MiB guest -> host over TCP, md5 $got" ||
		fail "virtio-net ($what): guest sent md5 '$sent', host got '$got' $(value KILN_NET_UP_ERROR "$log")"
	sent=$(md5_of "$out/$name-down.bin")
	got=$(value KILN_NET_DOWN_MD5 "$log")
	[ "$sent" = "$got" ] &&
		pass "virtio-net ($what): 3 MiB host -> guest over TCP, md5 $got" ||
		fail "virtio-net ($what): host sent md5 '$sent', guest got '$got' $(value KILN_NET_DOWN_ERROR "$log")"
	[ "$(value KILN_NET_PING_AFTER_RESET "$log")" = ok ] &&
		pass "virtio-net ($what): works again after a device reset (driver rebind)" ||
		fail "virtio-net ($what): after a reset: ping '$(value KILN_NET_PING_AFTER_RESET "$log")'"
	if [ "$what" = vhost ]; then
		[ -e "$out/$name.vhost-seen" ] && pass "virtio-net (vhost): a vhost worker ran" ||
			fail "virtio-net (vhost): no vhost worker seen"
	else
		[ ! -e "$out/$name.vhost-seen" ] && pass "virtio-net ($what): no vhost worker" ||
			fail "virtio-net ($what): a vhost worker ran without vhost=on"
	fi
	rm -f "$out/$name-up.bin" "$out/$name-down.bin"
}

if net_tap kt0; then
	net_boot net-user userspace 1 1 tap=kt0
	# a single-queue tap cannot serve two queue pairs: one line, before the guest
	err=$("$kiln" --kernel "$guest/vmlinux" --serial off --net tap=kt0,num_queues=4 2>&1 </dev/null)
	rc=$?
	[ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
		grep -q -- "--net: tap kt0: cannot attach a multi-queue tap" <<<"$err" &&
		pass "--net num_queues=4 on a single-queue tap: $err" ||
		fail "--net num_queues=4 on a single-queue tap: status $rc: $err"
	# an MTU the tap cannot have: one line, before the guest
	err=$("$kiln" --kernel "$guest/vmlinux" --serial off --net tap=kt0,mtu=65522 2>&1 </dev/null)
	rc=$?
	[ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
		grep -q -- "--net: mtu=65522: must be 68 to 65521" <<<"$err" &&
		pass "--net mtu=65522: $err" ||
		fail "--net mtu=65522: status $rc: $err"
	net_tap kt0 && net_boot net-vhost vhost 1 1 tap=kt0,vhost=on,mtu=9000
	# with a second NIC (its own tap, no mac=: a random local address)
	ip tuntap add dev kt1 mode tap
	net_tap kt0 multi_queue &&
		net_boot net-mq "2 queue pairs, packed" 2 2 tap=kt0,num_queues=4,packed=on \
			--net tap=kt1,id=second
	other=$(value KILN_NET_OTHER_MAC "$out/net-mq.log")
	# locally administered (bit 1 of the first octet) and unicast (bit 0 clear)
	if [ "$(value KILN_NET_NICS "$out/net-mq.log")" = 2 ] &&
		[[ $other =~ ^[0-9a-f][26ae](:[0-9a-f]{2}){5}$ ]]; then
		pass "virtio-net: a second NIC got a random local MAC ($other)"
	else
		fail "virtio-net: $(value KILN_NET_NICS "$out/net-mq.log") NICs, second MAC '$other'"
	fi
	ip link del kt0
	ip link del kt1
else
	fail "virtio-net: cannot create tap kt0"
fi
