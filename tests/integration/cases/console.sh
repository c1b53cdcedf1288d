# virtio-console (hvc0). Sourced by tests/integration/in-host.sh.

# socket=PATH: the host connects to Kiln's socket, waits for the guest's
# ready line, sends a random word and must get it back reversed.
console_socket() {
	# $out is a 9p share: no sockets or fifos there.
	local sock=/tmp/kiln-hvc.sock log=$out/console-sock.log
	rm -f "$sock"
	boot console-sock "$guest/vmlinux" "$imgs/console.img" 120 --memory size=256M \
		--console socket="$sock" &
	local pid=$!
	local i
	for i in $(seq 1 100); do
		[ -S "$sock" ] && break
		sleep 0.1
	done
	local word reply= ready=
	word=kiln$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
	coproc HVC { timeout 100 socat - UNIX-CONNECT:"$sock" 2>/dev/null; }
	local line
	while IFS= read -r -t 90 line <&"${HVC[0]}"; do
		line=${line%$'\r'}
		if [ -z "$ready" ] && [ "$line" = kiln-hvc-ready ]; then
			ready=1
			echo "$word" >&"${HVC[1]}"
		fi
		case $line in reply:*) reply=${line#reply:}; break ;; esac
	done
	kill "$HVC_PID" 2>/dev/null
	wait "$pid"
	local rc=$?
	[ $rc -eq 0 ] && pass "virtio-console guest powers off" || fail "virtio-console boot: status $rc"
	[ "$(value KILN_HVC "$log")" = present ] && pass "guest has /dev/hvc0" ||
		fail "/dev/hvc0: '$(value KILN_HVC "$log")'"
	[ -n "$ready" ] && pass "hvc0 ready line reached the socket client" ||
		fail "no ready line from hvc0 on $sock"
	if [ "$reply" = "$(echo "$word" | rev)" ] && [ "$(value KILN_HVC_GOT "$log")" = "$word" ]; then
		pass "socket -> hvc0 -> socket: $word came back reversed"
	else
		fail "hvc0 round trip: sent '$word', guest got '$(value KILN_HVC_GOT "$log")', reply '$reply'"
	fi
	[ ! -e "$sock" ] && pass "console socket removed on exit" || fail "$sock left behind"
}
console_socket

# console=hvc0 with file=PATH and no serial: the kernel's messages and
# init's output land in the file. (The log from before virtio_console
# loaded is not there: the guest's driver registers the console before its
# port is ready and drops the replay.) The guest logs a line of its own
# through /dev/kmsg to have a kernel message for certain.
: >"$out/hvc.log"
echo "before" >"$out/hvc.log"
boot console-file "$guest/vmlinux" "$guest/initramfs.cpio.gz" 120 --memory size=256M \
	--serial off --console file="$out/hvc.log" \
	--cmdline 'console=hvc0 panic=0 kiln_run="echo kiln-kmsg-check >/dev/kmsg; echo KILN_HVC_RUN=$((6*7))"'
rc=$?
log=$out/hvc.log
[ $rc -eq 0 ] && pass "console=hvc0 guest powers off" || fail "console=hvc0 boot: status $rc"
if grep -aEq '^\[ *[0-9]+\.[0-9]+\] kiln-kmsg-check' "$log" &&
	grep -aq "kiln-guest: init started" "$log" &&
	[ "$(value KILN_HVC_RUN "$log")" = 42 ] && grep -aq "kiln-guest: exit status 0" "$log"; then
	pass "kernel log and init output land in the --console file"
else
	fail "hvc.log: $(grep -ac . "$log") lines, no kernel log / init lines ($(tail -c 300 "$log" | tr '\n\r' '  '))"
fi
[ "$(head -1 "$log")" = before ] && pass "--console file appends" || fail "--console file truncated"
[ ! -s "$out/console-file.log" ] || ! grep -aq "Linux version" "$out/console-file.log" &&
	pass "--serial off: nothing on stdout" || fail "guest output on stdout with --serial off"

# --console tty (stdin a pipe): the serial defaults to off, and Ctrl-A x
# typed into the console quits Kiln.
console_tty_quit() {
	local fifo=/tmp/kiln-hvc.in log=$out/console-tty.log slog=$out/console-tty-serial.log
	rm -f "$fifo"
	mkfifo "$fifo"
	timeout 120 "$kiln" --kernel "$guest/vmlinux" --initramfs "$guest/initramfs.cpio.gz" \
		--memory size=256M --console tty --serial file="$slog" \
		--cmdline 'console=ttyS0 kiln_run="echo KILN_TTY_UP; sleep 300"' \
		<"$fifo" >"$log" 2>&1 &
	local pid=$!
	exec 3>"$fifo"
	local i
	for i in $(seq 1 90); do
		grep -aq KILN_TTY_UP "$slog" 2>/dev/null && break
		sleep 1
	done
	local start=$SECONDS
	printf '\001x' >&3
	wait $pid
	local rc=$?
	exec 3>&-
	if [ $rc -eq 0 ] && [ $((SECONDS - start)) -lt 10 ] && grep -aq KILN_TTY_UP "$slog"; then
		pass "Ctrl-A x quits Kiln with --console tty (status 0)"
	else
		fail "--console tty Ctrl-A x: status $rc after $((SECONDS - start)) s"
	fi
}
console_tty_quit
