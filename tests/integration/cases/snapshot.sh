# Snapshot and restore (issue 5): a guest counting on its serial console
# and on its disk (with a virtio-rng beside it) is paused and saved through
# the API, the first Kiln goes away, and a new Kiln started with --restore
# carries on counting from the very next number, on the console and on the
# disk. The disk has packed=on: its packed virtqueue's position and wrap
# counters are saved and restored (vmm.sh snapshots a split-ring disk).
snap_sock=/tmp/kiln-snap-$$.sock
# In the emulated host's tmpfs: RAM is mapped from this file on restore.
snap_dir=/tmp/kiln-snap-$$
sapi() {
	curl -s --max-time 60 --unix-socket "$snap_sock" -X PUT -o /dev/null -w '%{http_code}' \
		${2:+-H 'Content-Type: application/json' -d "$2"} "http://localhost/api/v1/$1"
}
ticks() { console_ticks "$1"; }
# The console goes to .log, Kiln's own messages to .err: the pause can
# fall in the middle of a line, whose end then comes from the restored
# guest, so only the two consoles joined hold every line whole.

snap_img=$out/snap-disk.img
head -c $((1 << 20)) /dev/zero >"$snap_img"
timeout 300 "$kiln" --kernel "$guest/vmlinux" --initramfs "$imgs/api.img" \
	--cmdline "console=ttyS0" --memory size=256M --cpus boot=2 --rng \
	--disk path="$snap_img",packed=on --api-socket "$snap_sock" </dev/null >"$out/snap-before.log" 2>"$out/snap-before.err" &
snap_pid=$!
for _ in $(seq 1 120); do
	kill -0 $snap_pid 2>/dev/null || break
	[ "$(ticks "$out/snap-before.log" | tail -1)" -ge 5 ] 2>/dev/null && break
	sleep 1
done
p=$(sapi vm.pause)
s1=$(sapi vm.snapshot '{"destination_url":"file://'"$snap_dir"'"}')
last=$(ticks "$out/snap-before.log" | tail -1)
sapi vm.shutdown >/dev/null
wait $snap_pid
trace_if_triple snap-before "$out/snap-before.err"
if [ "$p" = 204 ] && [ "$s1" = 204 ] && [ -s "$snap_dir/state.kiln" ] && [ -f "$snap_dir/memory.bin" ]; then
	pass "snapshot: paused guest saved to $snap_dir ($(du -k "$snap_dir/memory.bin" | cut -f1) KiB of 256 MiB RAM on disk)"
else
	fail "snapshot: pause $p, snapshot $s1, files: $(ls "$snap_dir" 2>&1 | tr '\n' ' ')"
fi

start_ms=$(date +%s%3N)
timeout 120 "$kiln" -v --restore source_url=file://"$snap_dir" --api-socket "$snap_sock" \
	</dev/null >"$out/snap-after.log" 2>"$out/snap-after.err" &
snap_pid=$!
for _ in $(seq 1 60); do
	kill -0 $snap_pid 2>/dev/null || break
	[ "$(ticks "$out/snap-after.log" | wc -l)" -ge 6 ] && break
	sleep 1
done
cat "$out/snap-before.log" "$out/snap-after.log" >"$out/snap-joined.log"
# The joined console must count 1, 2, 3, ... with nothing lost or repeated.
gap=$(ticks "$out/snap-joined.log" | awk '$1 != NR { print "tick " NR " is \"" $1 "\""; exit }')
n_all=$(ticks "$out/snap-joined.log" | wc -l)
restored=$(grep -ao 'restored from .* in [0-9.]* ms' "$out/snap-after.err" | head -1)
if [ -n "$last" ] && [ -z "$gap" ] && [ "$n_all" -ge $((last + 5)) ]; then
	pass "restore: the guest counts on from $last to $n_all, no tick lost or repeated on its console ($restored)"
else
	fail "restore: last whole tick before $last, $n_all in all, ${gap:-no gap}; $(grep -a 'error' "$out/snap-after.err" | head -2)"
fi
r=$(sapi vm.shutdown)
wait $snap_pid
rc=$?
trace_if_triple snap-after "$out/snap-after.err"
[ "$r" = 204 ] && [ $rc = 0 ] && pass "restore: the restored VM's API works (shutdown, status 0)" ||
	fail "restore: shutdown $r, status $rc"
# Every tick the guest printed was on the disk before it printed it: sectors
# 1..N hold "tick 1".."tick N", before and after the restore alike.
n=$(ticks "$out/snap-joined.log" | tail -1)
bad=
for i in $(seq 1 "${n:-0}"); do
	got=$(dd if="$snap_img" bs=512 skip="$i" count=1 2>/dev/null | head -c 13)
	[ "$got" = "$(printf 'tick %08d' "$i")" ] || { bad="sector $i: '$got'"; break; }
done
if [ -n "$n" ] && [ "$n" -gt "${last:-0}" ] && [ -z "$bad" ]; then
	pass "restore: the disk holds ticks 1..$n in order across the snapshot (the restored guest's writes landed)"
else
	fail "restore: disk ticks up to '$n': $bad"
fi

# A corrupted snapshot is refused with one line, before any guest runs.
cp -r "$snap_dir" "$snap_dir-bad"
printf 'XXXX' | dd of="$snap_dir-bad/state.kiln" bs=1 seek=200 conv=notrunc 2>/dev/null
err=$(timeout 60 "$kiln" --restore source_url=file://"$snap_dir-bad" </dev/null 2>&1 >/dev/null)
rc=$?
if [ $rc = 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && grep -q -- '--restore' <<<"$err"; then
	pass "restore: a corrupted snapshot is refused: $err"
else
	fail "restore: corrupted snapshot: status $rc: $err"
fi
rm -rf "$snap_dir-bad" "$snap_dir"
