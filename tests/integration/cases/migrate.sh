# Live migration (issue 5): a guest counting on its serial console while it
# dirties memory and reads its virtio-rng moves between two Kiln processes
# over TCP on 127.0.0.1, capped at 200 Mbit/s (vm.send-migration's
# bandwidth_mbps: the stream must take at least as long as the cap says).
# The destination counts on from the next number with
# its 16 MiB memory pattern intact (in RAM and on its virtio-blk disk, whose
# queue is a packed ring: vmm.sh migrates a split-ring disk),
# the source exits 0; a migration to a
# dead destination, or one gone mid-stream, gets a 500 and the source keeps
# counting; the guest migrates on over a Unix socket; a garbage
# stream is refused by the destination with one line.
# The emulated host's loopback starts down.
ip link set lo up 2>/dev/null
mig_sock=/tmp/kiln-mig-src-$$.sock
mig_dsock=/tmp/kiln-mig-dst-$$.sock
mig_port=47$((RANDOM % 900 + 100))
mapi() { # SOCKET ENDPOINT [BODY]: prints the HTTP status
	curl -s --max-time 120 --unix-socket "$1" -X PUT -o /dev/null -w '%{http_code}' \
		${3:+-H 'Content-Type: application/json' -d "$3"} "http://localhost/api/v1/$2"
}
mticks() { console_ticks "$1"; }
# No tick may be lost or repeated across a migration: the consoles of the
# Kilns the guest ran in, joined in order, count 1, 2, 3, ... (a migration
# can fall in the middle of a line). Kiln's own messages go to .err files.
mgap() { console_ticks "$@" | awk '$1 != NR { print "tick " NR " is \"" $1 "\""; exit } END { if (NR == 0) print "no ticks" }'; }
# KEY's values in LOG, from whole lines only: the guest may be mid-line
# when the log is read (a KILN_RNG value was once cut to 15 digits).
mvals() {
	{ if [ -n "$(tail -c1 "$2")" ]; then sed '$d' "$2"; else cat "$2"; fi; } |
		grep -a "^$1=" | cut -d= -f2 | tr -d '\r'
}
wait_ticks() { # LOG PID N: until LOG has N ticks (or PID is gone)
	for _ in $(seq 1 120); do
		kill -0 "$2" 2>/dev/null || break
		[ "$(mticks "$1" | wc -l)" -ge "$3" ] && break
		sleep 0.5
	done
}

mig_disk=$out/mig-disk.img
rm -f "$mig_disk"
truncate -s 64M "$mig_disk"
# One vCPU: this case runs up to three Kilns at once on the emulated
# host's one CPU; the snapshot case covers saving 2 vCPUs.
timeout 300 "$kiln" -v --kernel "$guest/vmlinux" --initramfs "$imgs/migrate.img" \
	--cmdline "console=ttyS0" --memory size=256M --cpus boot=1 --rng --disk path="$mig_disk",packed=on \
	--api-socket "$mig_sock" </dev/null >"$out/mig-src.log" 2>"$out/mig-src.err" &
mig_src=$!
wait_ticks "$out/mig-src.log" $mig_src 5
md5_before=$(mvals KILN_MD5 "$out/mig-src.log" | head -1)

# Nothing listens on the destination: 500, and the guest goes on.
n0=$(mticks "$out/mig-src.log" | wc -l)
s=$(mapi "$mig_sock" vm.send-migration '{"destination_url":"tcp:127.0.0.1:'"$mig_port"'"}')
wait_ticks "$out/mig-src.log" $mig_src $((n0 + 5))
n1=$(mticks "$out/mig-src.log" | wc -l)
if [ "$s" = 500 ] && [ "$n1" -ge $((n0 + 5)) ] && kill -0 $mig_src 2>/dev/null; then
	pass "migration to a dead destination: 500, the source counts on ($n0 -> $n1 ticks)"
else
	fail "migration to a dead destination: status $s, ticks $n0 -> $n1"
fi

# A destination that goes away mid-stream (it reads 1 MB, then closes):
# 500, and the guest goes on.
timeout 60 socat -u "TCP-LISTEN:$mig_port,reuseaddr" SYSTEM:'head -c 1000000 >/dev/null' 2>/dev/null &
mig_fake=$!
sleep 1
n0=$(mticks "$out/mig-src.log" | wc -l)
s=$(mapi "$mig_sock" vm.send-migration '{"destination_url":"tcp:127.0.0.1:'"$mig_port"'"}')
kill $mig_fake 2>/dev/null
wait $mig_fake 2>/dev/null
wait_ticks "$out/mig-src.log" $mig_src $((n0 + 5))
n1=$(mticks "$out/mig-src.log" | wc -l)
why=$(grep -a 'migration to .* failed' "$out/mig-src.err" | tail -1 | sed 's/.*failed, //')
if [ "$s" = 500 ] && [ "$n1" -ge $((n0 + 5)) ] && kill -0 $mig_src 2>/dev/null; then
	pass "migration to a destination gone mid-stream: 500, the source counts on ($why)"
else
	fail "migration to a destination gone mid-stream: status $s, ticks $n0 -> $n1 ($why)"
fi

timeout 300 "$kiln" -v --migrate-from "tcp:127.0.0.1:$mig_port" --api-socket "$mig_dsock" \
	</dev/null >"$out/mig-dst.log" 2>"$out/mig-dst.err" &
mig_dst=$!
for _ in $(seq 1 40); do
	grep -q 'waiting for a migration' "$out/mig-dst.err" && break
	sleep 0.25
done
# Capped at 200 Mbit/s (25 MB/s; this loopback does ~500 Mbit/s): the
# stream may not come faster than the cap allows, bucket included.
mig_cap=200
s=$(mapi "$mig_sock" vm.send-migration '{"destination_url":"tcp:127.0.0.1:'"$mig_port"'","downtime_ms":100,"bandwidth_mbps":'$mig_cap'}')
last=$(mticks "$out/mig-src.log" | tail -1)
if [ "$s" != 204 ]; then # do not wait out the timeouts
	kill $mig_src $mig_dst 2>/dev/null
fi
timeout 30 tail --pid=$mig_src -f /dev/null
kill $mig_src 2>/dev/null
wait $mig_src
rc=$?
trace_if_triple mig-src "$out/mig-src.err"
stats=$(grep -ao 'migration to .*: total.*' "$out/mig-src.err" | head -1)
if [ "$s" = 204 ] && [ $rc = 0 ] && grep -aq 'migrated' "$out/mig-src.err"; then
	pass "migration: the source handed over and exited 0 ($stats)"
else
	fail "migration: status $s, source exit $rc; $(grep -a 'error\|warn' "$out/mig-src.err" | head -3)"
fi
# The least time the bytes sent could take at the cap: all of them but one
# bucket (50 ms of the rate) at 25 MB/s.
mig_bytes=$(sed -n 's/.* \([0-9]*\) bytes sent.*/\1/p' <<<"$stats")
mig_total=$(sed -n 's/.*total \([0-9.]*\) ms.*/\1/p' <<<"$stats")
mig_least=$(awk -v b="${mig_bytes:-0}" -v c=$mig_cap 'BEGIN { printf "%.0f", (b * 8 / (c * 1e6) - 0.05) * 1000 }')
if [ -n "$mig_bytes" ] && [ "$mig_bytes" -gt 10000000 ] &&
	awk -v t="${mig_total:-0}" -v l="$mig_least" 'BEGIN { exit !(t >= l) }'; then
	pass "migration: capped at $mig_cap Mbit/s: $mig_bytes bytes took $mig_total ms (at least $mig_least ms at the cap)"
else
	fail "migration: capped at $mig_cap Mbit/s: $mig_bytes bytes in $mig_total ms, faster than the cap allows ($mig_least ms)"
fi

wait_ticks "$out/mig-dst.log" $mig_dst 30
gap=$(mgap "$out/mig-src.log" "$out/mig-dst.log")
n_after=$(mticks "$out/mig-dst.log" | wc -l)
if [ -n "$last" ] && [ -z "$gap" ] && [ "$n_after" -ge 30 ]; then
	pass "migration: the destination counts on from $last, no tick lost or repeated ($n_after ticks)"
else
	fail "migration: last tick on the source $last, ${gap:-no gap}, $n_after ticks; $(grep -a 'error' "$out/mig-dst.err" | head -2)"
fi
md5_after=$(mvals KILN_MD5 "$out/mig-dst.log" | tail -1)
rng_after=$(mvals KILN_RNG "$out/mig-dst.log" | tail -1)
disk_after=$(mvals KILN_DISK_MD5 "$out/mig-dst.log" | tail -1)
if [ -n "$md5_before" ] && [ "$md5_after" = "$md5_before" ] && [ "$disk_after" = "$md5_before" ] &&
	[ ${#rng_after} = 16 ]; then
	pass "migration: the guest's 16 MiB pattern is intact in RAM and read back from its disk (md5 $md5_after), its virtio-rng answers ($rng_after)"
else
	fail "migration: md5 before '$md5_before', after: RAM '$md5_after' disk '$disk_after', rng after '$rng_after'"
fi

# Onwards from the destination to a third Kiln over a Unix socket: a
# migrated VM migrates again.
mig_usock=/tmp/kiln-mig-$$.mig
mig_tsock=/tmp/kiln-mig-third-$$.sock
timeout 300 "$kiln" -v --migrate-from "unix:$mig_usock" --api-socket "$mig_tsock" \
	</dev/null >"$out/mig-third.log" 2>"$out/mig-third.err" &
mig_third=$!
for _ in $(seq 1 40); do
	grep -q 'waiting for a migration' "$out/mig-third.err" && break
	sleep 0.25
done
# A 1 ms target the dirtying guest hardly meets: more passes, and the
# vCPUs are throttled from the fifth on if it still does not converge.
s=$(mapi "$mig_dsock" vm.send-migration '{"destination_url":"unix:'"$mig_usock"'","downtime_ms":1}')
last=$(mticks "$out/mig-dst.log" | tail -1)
[ "$s" != 204 ] && kill $mig_dst $mig_third 2>/dev/null
timeout 30 tail --pid=$mig_dst -f /dev/null
kill $mig_dst 2>/dev/null
wait $mig_dst
rc=$?
trace_if_triple mig-dst "$out/mig-dst.err"
wait_ticks "$out/mig-third.log" $mig_third 10
gap=$(mgap "$out/mig-src.log" "$out/mig-dst.log" "$out/mig-third.log")
n_third=$(mticks "$out/mig-third.log" | wc -l)
stats=$(grep -ao 'migration to .*: total.*' "$out/mig-dst.err" | head -1)
if [ "$s" = 204 ] && [ $rc = 0 ] && [ -n "$last" ] && [ -z "$gap" ] && [ "$n_third" -ge 10 ]; then
	pass "migration: again over a Unix socket, counting on from $last, no tick lost or repeated ($stats)"
else
	fail "migration over a Unix socket: status $s, exit $rc, last $last, ${gap:-no gap}, $n_third ticks; $(grep -a 'error\|warn' "$out/mig-dst.err" "$out/mig-third.err" | head -3)"
fi
s=$(mapi "$mig_tsock" vm.shutdown)
timeout 30 tail --pid=$mig_third -f /dev/null
kill $mig_third 2>/dev/null
wait $mig_third
rc=$?
trace_if_triple mig-third "$out/mig-third.err"
[ "$s" = 204 ] && [ $rc = 0 ] && pass "migration: the last destination's API works (shutdown, status 0)" ||
	fail "migration: last destination shutdown $s, status $rc"
disk_img=$(head -c 16777216 "$mig_disk" | md5sum | cut -d' ' -f1)
[ -n "$md5_before" ] && [ "$disk_img" = "$md5_before" ] &&
	pass "migration: the disk image holds the guest's pattern after two migrations" ||
	fail "migration: the disk image's first 16 MiB: md5 $disk_img, the guest wrote $md5_before"
rm -f "$mig_disk"

# A destination given garbage refuses it with one line and exits 1.
timeout 60 "$kiln" --migrate-from "tcp:127.0.0.1:$mig_port" </dev/null \
	>/dev/null 2>"$out/mig-bad.err" &
mig_bad=$!
sleep 1
head -c 4096 /dev/urandom | timeout 10 socat -u - "TCP:127.0.0.1:$mig_port" 2>/dev/null
timeout 20 tail --pid=$mig_bad -f /dev/null
kill $mig_bad 2>/dev/null
wait $mig_bad
rc=$?
err=$(cat "$out/mig-bad.err")
if [ $rc = 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && grep -q -- '--migrate-from' <<<"$err"; then
	pass "migration: a garbage stream is refused: $err"
else
	fail "migration: garbage stream: status $rc: $err"
fi
rm -f "$mig_sock" "$mig_dsock" "$mig_tsock" "$mig_usock"
