# virtio-vsock through the kernel's vhost-vsock (sourced by in-host.sh).
# The host reaches the guest with AF_VSOCK at its CID (an echo of 256 KiB
# of random data), the guest reaches the host at CID 2 (an upload, and
# another after its driver reset the device), and a second Kiln asking for
# the same CID is refused in one line.
vsock_cid=42
vsock_log=$out/vsock.log
head -c 262144 /dev/urandom >"$out/vsock-echo.in"
rm -f "$out/vsock-up.bin" "$out/vsock-up2.bin" "$out/vsock.rc"
timeout 150 socat -u VSOCK-LISTEN:5678 CREATE:"$out/vsock-up.bin" &
vsock_up_pid=$!
timeout 150 socat -u VSOCK-LISTEN:5679 CREATE:"$out/vsock-up2.bin" &
vsock_up2_pid=$!
{ boot vsock "$guest/vmlinux" "$imgs/vsock.img" 150 --memory size=256M \
	--vsock cid=$vsock_cid -vv; echo $? >"$out/vsock.rc"; } &
vsock_boot_pid=$!
for i in $(seq 1 120); do
	grep -aq "^KILN_VSOCK_LISTENING=1" "$vsock_log" 2>/dev/null && break
	[ -f "$out/vsock.rc" ] && break
	sleep 1
done

# While that guest holds the CID, nobody else gets it.
err=$("$kiln" --kernel "$guest/vmlinux" --serial off --vsock cid=$vsock_cid 2>&1 </dev/null)
rc=$?
if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
	grep -q -- "--vsock: cid=$vsock_cid is already in use by another VM" <<<"$err"; then
	pass "vsock: a CID in use is refused: $err"
else
	fail "vsock: second VM with cid=$vsock_cid: status $rc: $err"
fi

# The guest listens once it printed the line; retry while its socat starts.
echoed=
for i in $(seq 1 20); do
	if timeout 60 socat -t 30 - VSOCK-CONNECT:$vsock_cid:1234 \
		<"$out/vsock-echo.in" >"$out/vsock-echo.out" 2>"$out/vsock-echo.err"; then
		echoed=$(md5sum <"$out/vsock-echo.out" | cut -c1-32)
		break
	fi
	sleep 1
done
wait $vsock_boot_pid
wait $vsock_up_pid $vsock_up2_pid
rc=$(cat "$out/vsock.rc" 2>/dev/null)
[ "$rc" = 0 ] && pass "virtio-vsock guest powers off" ||
	fail "virtio-vsock boot: status '$rc'"
[ -n "$(value KILN_VSOCK_BOUND "$vsock_log")" ] &&
	pass "virtio-vsock driver bound ($(value KILN_VSOCK_BOUND "$vsock_log"))" ||
	fail "virtio-vsock: no device bound to the vsock transport"
want=$(md5sum <"$out/vsock-echo.in" | cut -c1-32)
if [ "$echoed" = "$want" ] && [ "$(value KILN_VSOCK_ECHO_STATUS "$vsock_log")" = 0 ]; then
	pass "vsock host -> guest cid $vsock_cid: 256 KiB echoed intact ($want)"
else
	fail "vsock echo: sent $want, got '$echoed' ($(stat -c %s "$out/vsock-echo.out" 2>/dev/null) bytes; $(head -c 200 "$out/vsock-echo.err" 2>/dev/null))"
fi
up=$(value KILN_VSOCK_UP_MD5 "$vsock_log")
got=$(md5sum <"$out/vsock-up.bin" 2>/dev/null | cut -c1-32)
if [ -n "$up" ] && [ "$up" = "$got" ] && [ "$(value KILN_VSOCK_UP_STATUS "$vsock_log")" = 0 ]; then
	pass "vsock guest -> host cid 2: 256 KiB uploaded intact ($up)"
else
	fail "vsock upload: guest sent '$up', host got '$got' ($(stat -c %s "$out/vsock-up.bin" 2>/dev/null) bytes)"
fi
got=$(md5sum <"$out/vsock-up2.bin" 2>/dev/null | cut -c1-32)
if [ -n "$up" ] && [ "$up" = "$got" ] && [ "$(value KILN_VSOCK_UP2_STATUS "$vsock_log")" = 0 ] &&
	[ -n "$(value KILN_VSOCK_REBOUND "$vsock_log")" ]; then
	pass "vsock after a device reset (driver rebound): upload intact"
else
	fail "vsock after rebind: bound '$(value KILN_VSOCK_REBOUND "$vsock_log")', host got '$got' ($(stat -c %s "$out/vsock-up2.bin" 2>/dev/null) bytes)"
fi
# -vv: Kiln logs each activation; the rebind made a second one, and both
# gave vhost the queues' MSI-X irqfds (no interrupt relayed through Kiln).
runs=$(grep -ac "virtio-vsock: cid $vsock_cid running .*irqfds" "$vsock_log")
[ "$runs" = 2 ] && pass "vsock: activated twice, vhost signals KVM irqfds directly" ||
	fail "vsock: '$runs' activations with irqfds, wanted 2: $(grep -a 'virtio-vsock' "$vsock_log" | head -5)"
irqs=$(grep -a "KILN_VSOCK_IRQ:.*-rx" "$vsock_log" | awk '{n=0; for (i=3;i<=NF;i++) if ($i ~ /^[0-9]+$/) n+=$i; print n}')
[ "${irqs:-0}" -gt 0 ] && pass "vsock rx completions arrive as MSI-X interrupts ($irqs)" ||
	fail "vsock: no interrupts on the rx queue"
