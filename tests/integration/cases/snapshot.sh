# Snapshot and restore (issue 5): a guest counting on its serial console is
# paused and saved through the API, the first Kiln goes away, and a new
# Kiln started with --restore carries on counting from the very next number.
snap_sock=/tmp/kiln-snap-$$.sock
# In the emulated host's tmpfs: RAM is mapped from this file on restore.
snap_dir=/tmp/kiln-snap-$$
sapi() {
	curl -s --max-time 60 --unix-socket "$snap_sock" -X PUT -o /dev/null -w '%{http_code}' \
		${2:+-H 'Content-Type: application/json' -d "$2"} "http://localhost/api/v1/$1"
}
ticks() { grep -a '^KILN_TICK=' "$1" | cut -d= -f2 | tr -d '\r'; }

timeout 300 "$kiln" --kernel "$guest/vmlinux" --initramfs "$imgs/api.img" \
	--cmdline "console=ttyS0" --memory size=256M --cpus boot=2 \
	--api-socket "$snap_sock" </dev/null >"$out/snap-before.log" 2>&1 &
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
if [ "$p" = 204 ] && [ "$s1" = 204 ] && [ -s "$snap_dir/state.kiln" ] && [ -f "$snap_dir/memory.bin" ]; then
	pass "snapshot: paused guest saved to $snap_dir ($(du -k "$snap_dir/memory.bin" | cut -f1) KiB of 256 MiB RAM on disk)"
else
	fail "snapshot: pause $p, snapshot $s1, files: $(ls "$snap_dir" 2>&1 | tr '\n' ' ')"
fi

start_ms=$(date +%s%3N)
timeout 120 "$kiln" -v --restore source_url=file://"$snap_dir" --api-socket "$snap_sock" \
	</dev/null >"$out/snap-after.log" 2>&1 &
snap_pid=$!
for _ in $(seq 1 60); do
	kill -0 $snap_pid 2>/dev/null || break
	[ "$(ticks "$out/snap-after.log" | wc -l)" -ge 5 ] && break
	sleep 1
done
first=$(ticks "$out/snap-after.log" | head -1)
n_after=$(ticks "$out/snap-after.log" | wc -l)
restored=$(grep -ao 'restored from .* in [0-9.]* ms' "$out/snap-after.log" | head -1)
if [ -n "$last" ] && [ "$first" = $((last + 1)) ] && [ "$n_after" -ge 5 ]; then
	pass "restore: the guest counts on from $last to $first and beyond ($restored)"
else
	fail "restore: last tick before $last, first after '$first', $n_after ticks after; $(grep -a 'error' "$out/snap-after.log" | head -2)"
fi
r=$(sapi vm.shutdown)
wait $snap_pid
rc=$?
[ "$r" = 204 ] && [ $rc = 0 ] && pass "restore: the restored VM's API works (shutdown, status 0)" ||
	fail "restore: shutdown $r, status $rc"

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
