# Live migration of a guest with two NICs - the userspace data path on tap
# km0, vhost=on on tap km1 - while it downloads 32 MiB from the host over
# each (TCP, paced so the bytes flow through the whole migration): the
# files arrive intact on the destination (what vhost wrote into guest
# memory during the copy reached it: the dirty log), the guest pings the
# host on both NICs again and announced itself. Both Kilns run on this
# host at once, so the taps are multi_queue (each Kiln attaches its own
# queues: num_queues=4) and the source's go when it exits.
ip link set lo up 2>/dev/null
mn_sock=/tmp/kiln-mn-src-$$.sock
mn_dsock=/tmp/kiln-mn-dst-$$.sock
mn_port=48$((RANDOM % 900 + 100))
mnapi() { # SOCKET ENDPOINT [BODY]
	curl -s --max-time 120 --unix-socket "$1" -X PUT -o /dev/null -w '%{http_code}' \
		${3:+-H 'Content-Type: application/json' -d "$3"} "http://localhost/api/v1/$2"
}
mn_ticks() { grep -a '^KILN_MN_TICK=' "$1" | sed 's/^KILN_MN_TICK=//' | tr -d '\r'; }
mn_both_ok() { mn_ticks "$1" | grep -q 'user=ok vhost=ok'; }
mn_md5() { grep -a "^KILN_MN_MD5_$1=" "$2" | tail -1 | cut -d= -f2 | tr -d '\r'; }
# mn_wait PID SECONDS COMMAND...
mn_wait() {
	local pid=$1 n=$2
	shift 2
	for _ in $(seq 1 "$n"); do
		kill -0 "$pid" 2>/dev/null || return 1
		"$@" && return 0
		sleep 1
	done
	return 1
}
# mn_serve PORT ADDR FILE: one client gets FILE, 1 MiB every 0.15 s.
mn_serve() {
	{ for i in $(seq 0 31); do
		dd if="$3" bs=1M skip="$i" count=1 2>/dev/null
		sleep 0.15
	done; } | timeout 200 socat -u - TCP-LISTEN:"$1",bind="$2",reuseaddr 2>/dev/null
}

ip link del km0 2>/dev/null
ip link del km1 2>/dev/null
if ! { ip tuntap add dev km0 mode tap multi_queue && ip addr add 169.254.103.1/24 dev km0 &&
	ip link set km0 up && ip tuntap add dev km1 mode tap multi_queue &&
	ip addr add 169.254.104.1/24 dev km1 && ip link set km1 up; }; then
	fail "migration with net: cannot create taps km0, km1"
else
	head -c $((32 << 20)) /dev/urandom >/tmp/kiln-mn-user.bin
	head -c $((32 << 20)) /dev/urandom >/tmp/kiln-mn-vhost.bin
	want_user=$(md5sum </tmp/kiln-mn-user.bin | cut -c1-32)
	want_vhost=$(md5sum </tmp/kiln-mn-vhost.bin | cut -c1-32)
	# One vCPU, as in migrate.sh (docs/STATUS.md: the 2-vCPU triple fault).
	timeout 300 "$kiln" -v --kernel "$guest/vmlinux" --initramfs "$imgs/migrate-net.img" \
		--cmdline "console=ttyS0" --memory size=384M --cpus boot=1 \
		--net tap=km0,mac=52:54:00:6b:6d:01,num_queues=4 \
		--net tap=km1,mac=52:54:00:6b:6d:02,num_queues=4,vhost=on \
		--api-socket "$mn_sock" </dev/null >"$out/mn-src.log" 2>"$out/mn-src.err" &
	mn_src=$!
	timeout 300 "$kiln" -v --migrate-from "tcp:127.0.0.1:$mn_port" --api-socket "$mn_dsock" \
		</dev/null >"$out/mn-dst.log" 2>"$out/mn-dst.err" &
	mn_dst=$!
	mn_wait $mn_src 150 mn_both_ok "$out/mn-src.log"
	mn_serve 5011 169.254.103.1 /tmp/kiln-mn-user.bin &
	mn_s1=$!
	mn_serve 5012 169.254.104.1 /tmp/kiln-mn-vhost.bin &
	mn_s2=$!
	# The guest retries its connections once a second: both are flowing
	# by now, and go on for seconds.
	sleep 2.5
	s=$(mnapi "$mn_sock" vm.send-migration '{"destination_url":"tcp:127.0.0.1:'"$mn_port"'","downtime_ms":100}')
	last=$(mn_ticks "$out/mn-src.log" | tail -1 | cut -d' ' -f1)
	[ "$s" != 204 ] && kill $mn_src $mn_dst 2>/dev/null
	timeout 30 tail --pid=$mn_src -f /dev/null
	kill $mn_src 2>/dev/null
	wait $mn_src
	rc=$?
	trace_if_triple mn-src "$out/mn-src.err"
	stats=$(grep -ao 'migration to .*: total.*' "$out/mn-src.err" | head -1)
	early=$(mn_md5 vhost "$out/mn-src.log")$(mn_md5 user "$out/mn-src.log")
	if [ "$s" = 204 ] && [ $rc = 0 ] && [ -z "$early" ]; then
		pass "migration with net: the source handed over mid-download and exited 0 ($stats)"
	else
		fail "migration with net: status $s, source exit $rc, finished before: '$early'; $(grep -a 'error\|warn' "$out/mn-src.err" | head -3)"
	fi
	mn_wait $mn_dst 120 eval '[ -n "$(mn_md5 user "$out/mn-dst.log")" ] && [ -n "$(mn_md5 vhost "$out/mn-dst.log")" ]'
	mn_wait $mn_dst 30 mn_both_ok "$out/mn-dst.log"
	got_user=$(mn_md5 user "$out/mn-dst.log" | cut -d' ' -f1)
	got_vhost=$(mn_md5 vhost "$out/mn-dst.log" | cut -d' ' -f1)
	if [ "$got_user" = "$want_user" ] && [ "$got_vhost" = "$want_vhost" ]; then
		pass "migration with net: 32 MiB downloads over the userspace and the vhost NIC across the migration arrived intact"
	else
		fail "migration with net: md5 userspace '$(mn_md5 user "$out/mn-dst.log")' (want $want_user), vhost '$(mn_md5 vhost "$out/mn-dst.log")' (want $want_vhost)"
	fi
	first=$(mn_ticks "$out/mn-dst.log" | head -1 | cut -d' ' -f1)
	if [ -n "$first" ] && [ -n "$last" ] && [ "$first" -gt "$last" ] && mn_both_ok "$out/mn-dst.log"; then
		pass "migration with net: the guest counts on from tick $last and pings the host on both NICs"
	else
		fail "migration with net: ticks $last -> '$first', $(mn_ticks "$out/mn-dst.log" | tail -2 | tr '\n' ';') $(grep -a 'error\|warn' "$out/mn-dst.err" | head -3)"
	fi
	ann=$(grep -ac 'net[01]: the guest announced itself' "$out/mn-dst.err")
	[ "$ann" = 2 ] && pass "migration with net: the guest announced itself on both NICs" ||
		fail "migration with net: $ann announcements"
	r=$(mnapi "$mn_dsock" vm.shutdown)
	timeout 30 tail --pid=$mn_dst -f /dev/null
	kill $mn_dst $mn_s1 $mn_s2 2>/dev/null
	wait $mn_dst
	rc=$?
	wait $mn_s1 $mn_s2 2>/dev/null
	trace_if_triple mn-dst "$out/mn-dst.err"
	[ "$r" = 204 ] && [ $rc = 0 ] && pass "migration with net: the destination shuts down (status 0)" ||
		fail "migration with net: destination shutdown $r, status $rc"
	rm -f /tmp/kiln-mn-user.bin /tmp/kiln-mn-vhost.bin "$mn_sock" "$mn_dsock"
	ip link del km0
	ip link del km1
fi
