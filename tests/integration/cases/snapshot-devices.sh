# Snapshot and restore of a guest with virtio-net (a userspace NIC on tap
# ks0 and a vhost=on NIC with two queue pairs on multi_queue tap ks1),
# virtio-console on a socket and virtio-vsock: saved through the API, the
# first Kiln goes away, a new Kiln restores it, and then the guest pings the
# host on both NICs again (and announced itself on both), hvc0 carries lines
# both ways on the restored Kiln's socket, the vsock connection the guest
# held across the snapshot ends (TRANSPORT_RESET) and a new one echoes.
sd_sock=/tmp/kiln-sd-$$.sock
sd_hvc=/tmp/kiln-sd-hvc-$$.sock
sd_dir=/tmp/kiln-sd-$$
sd_cid=43
sdapi() {
	curl -s --max-time 60 --unix-socket "$sd_sock" -X PUT -o /dev/null -w '%{http_code}' \
		${2:+-H 'Content-Type: application/json' -d "$2"} "http://localhost/api/v1/$1"
}
sd_ticks() { grep -a '^KILN_SNAP_TICK=' "$1" | sed 's/^KILN_SNAP_TICK=//' | tr -d '\r'; }
# sd_wait LOG PID SECONDS COMMAND...: until COMMAND succeeds, PID is gone,
# or the time is up.
sd_wait() {
	local log=$1 pid=$2 n=$3
	shift 3
	for _ in $(seq 1 "$n"); do
		kill -0 "$pid" 2>/dev/null || return 1
		"$@" && return 0
		sleep 1
	done
	return 1
}
sd_both_ok() { sd_ticks "$1" | tail -n +"${2:-1}" | grep -q 'user=ok vhost=ok'; }
# sd_echo: a new vsock connection to the guest's echo server; its answer.
sd_echo() {
	local i got
	for i in $(seq 1 15); do
		got=$(echo "$1" | timeout 10 socat -t 5 - VSOCK-CONNECT:$sd_cid:1234 2>/dev/null)
		[ -n "$got" ] && { echo "$got"; return 0; }
		sleep 1
	done
	return 1
}

ip link del ks0 2>/dev/null
ip link del ks1 2>/dev/null
if ! { ip tuntap add dev ks0 mode tap && ip addr add 169.254.101.1/24 dev ks0 &&
	ip link set ks0 up && ip tuntap add dev ks1 mode tap multi_queue &&
	ip addr add 169.254.102.1/24 dev ks1 && ip link set ks1 up; }; then
	fail "snapshot of net/console/vsock: cannot create taps ks0, ks1"
else
	sd_net="--net tap=ks0,mac=52:54:00:6b:73:01 --net tap=ks1,mac=52:54:00:6b:73:02,vhost=on,num_queues=4"
	# The host end of the connection the guest holds: one line, then quiet.
	timeout 300 socat -u SYSTEM:'echo held; sleep 300' VSOCK-LISTEN:5680 2>/dev/null &
	sd_holder=$!
	rm -f "$sd_hvc"
	timeout 300 "$kiln" -v --kernel "$guest/vmlinux" --initramfs "$imgs/snapshot-devices.img" \
		--cmdline "console=ttyS0" --memory size=256M --cpus boot=2 $sd_net \
		--console socket="$sd_hvc" --vsock cid=$sd_cid --api-socket "$sd_sock" \
		</dev/null >"$out/sd-before.log" 2>"$out/sd-before.err" &
	sd_pid=$!
	for _ in $(seq 1 50); do [ -S "$sd_hvc" ] && break; sleep 0.2; done
	timeout 300 socat -u UNIX-CONNECT:"$sd_hvc" - >"$out/sd-hvc-before.txt" 2>/dev/null &
	sd_hvc_pid=$!
	sd_wait "$out/sd-before.log" $sd_pid 150 sd_both_ok "$out/sd-before.log"
	sd_wait "$out/sd-before.log" $sd_pid 30 grep -aq '^KILN_VSOCK_HELD=held' "$out/sd-before.log"
	before_echo=$(sd_echo before-snapshot)
	n_before=$(sd_ticks "$out/sd-before.log" | wc -l)

	p=$(sdapi vm.pause)
	s=$(sdapi vm.snapshot '{"destination_url":"file://'"$sd_dir"'"}')
	last=$(sd_ticks "$out/sd-before.log" | tail -1 | cut -d' ' -f1)
	sdapi vm.shutdown >/dev/null
	timeout 30 tail --pid=$sd_pid -f /dev/null
	kill $sd_pid $sd_hvc_pid 2>/dev/null
	wait $sd_pid $sd_hvc_pid 2>/dev/null
	trace_if_triple sd-before "$out/sd-before.err"
	if [ "$p" = 204 ] && [ "$s" = 204 ] && [ -s "$sd_dir/state.kiln" ] &&
		[ "$before_echo" = before-snapshot ] && sd_both_ok "$out/sd-before.log"; then
		pass "snapshot with net (userspace + vhost), console, vsock: saved at tick $last (pings and a vsock echo worked before)"
	else
		fail "snapshot with net/console/vsock: pause $p, snapshot $s, echo '$before_echo', $n_before ticks: $(grep -a 'error\|warn' "$out/sd-before.err" | head -3)"
	fi

	rm -f "$sd_hvc"
	timeout 200 "$kiln" -v --restore source_url=file://"$sd_dir" --api-socket "$sd_sock" \
		</dev/null >"$out/sd-after.log" 2>"$out/sd-after.err" &
	sd_pid=$!
	for _ in $(seq 1 50); do [ -S "$sd_hvc" ] && break; sleep 0.2; done
	{ sleep 4; echo from-host-after-restore; sleep 100; } |
		timeout 120 socat - UNIX-CONNECT:"$sd_hvc" >"$out/sd-hvc-after.txt" 2>/dev/null &
	sd_hvc_pid=$!
	sd_wait "$out/sd-after.log" $sd_pid 60 sd_both_ok "$out/sd-after.log"
	sd_wait "$out/sd-after.log" $sd_pid 30 grep -aq '^KILN_HVC_IN=from-host-after-restore' "$out/sd-after.log"
	sd_wait "$out/sd-after.log" $sd_pid 20 grep -aq '^KILN_VSOCK_OLD_CONN_ENDED=1' "$out/sd-after.log"
	after_echo=$(sd_echo after-restore)

	first=$(sd_ticks "$out/sd-after.log" | head -1 | cut -d' ' -f1)
	if [ -n "$last" ] && [ -n "$first" ] && [ "$first" -gt "$last" ] && sd_both_ok "$out/sd-after.log"; then
		pass "restore: the guest counts on from tick $last and pings the host again on the userspace and the vhost NIC ($(sd_ticks "$out/sd-after.log" | grep -c 'user=ok vhost=ok') ticks with both)"
	else
		fail "restore: ticks $last -> '$first'; after: $(sd_ticks "$out/sd-after.log" | tail -2 | tr '\n' ';') $(grep -a 'error\|warn' "$out/sd-after.err" | head -3)"
	fi
	ann=$(grep -ac 'net[01]: the guest announced itself' "$out/sd-after.err")
	[ "$ann" = 2 ] && pass "restore: the guest announced itself on both NICs (GUEST_ANNOUNCE)" ||
		fail "restore: $ann announcements in $(grep -a 'announce' "$out/sd-after.err" | head -3)"
	if grep -aq 'hvc-tick-' "$out/sd-hvc-after.txt" &&
		grep -aq '^KILN_HVC_IN=from-host-after-restore' "$out/sd-after.log" &&
		grep -aq 'hvc-tick-' "$out/sd-hvc-before.txt"; then
		pass "restore: hvc0 carries lines both ways on the restored Kiln's socket ($(grep -ac 'hvc-tick-' "$out/sd-hvc-after.txt") ticks out)"
	else
		fail "restore: hvc0: $(grep -ac 'hvc-tick-' "$out/sd-hvc-before.txt") ticks before, $(grep -ac 'hvc-tick-' "$out/sd-hvc-after.txt") after, in: '$(value KILN_HVC_IN "$out/sd-after.log")'"
	fi
	if grep -aq '^KILN_VSOCK_OLD_CONN_ENDED=1' "$out/sd-after.log" &&
		! grep -aq '^KILN_VSOCK_OLD_CONN_ENDED' "$out/sd-before.log" &&
		grep -aq 'transport reset sent' "$out/sd-after.err"; then
		pass "restore: the guest got a vsock TRANSPORT_RESET and dropped the connection it held"
	else
		fail "restore: vsock connection held across the snapshot: ended '$(value KILN_VSOCK_OLD_CONN_ENDED "$out/sd-after.log")', $(grep -a 'vsock' "$out/sd-after.err" | head -2)"
	fi
	[ "$after_echo" = after-restore ] && pass "restore: a new vsock connection to cid $sd_cid echoes" ||
		fail "restore: vsock echo after restore: '$after_echo'"
	r=$(sdapi vm.shutdown)
	timeout 30 tail --pid=$sd_pid -f /dev/null
	kill $sd_pid 2>/dev/null
	wait $sd_pid
	rc=$?
	kill $sd_hvc_pid $sd_holder 2>/dev/null
	wait $sd_hvc_pid $sd_holder 2>/dev/null
	trace_if_triple sd-after "$out/sd-after.err"
	[ "$r" = 204 ] && [ $rc = 0 ] && pass "restore: the restored VM with net/console/vsock shuts down (status 0)" ||
		fail "restore: shutdown $r, status $rc"
	rm -rf "$sd_dir"
	rm -f "$sd_sock" "$sd_hvc"
	ip link del ks0
	ip link del ks1
fi
