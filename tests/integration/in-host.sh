#!/bin/bash
# Runs where /dev/kvm works (the emulated host): boots the default guest
# with Kiln several times and writes one "pass NAME" or "fail NAME: why"
# line per check to $1.
set -uo pipefail
results=$1
: >"$results"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
kiln=$root/build/kiln
guest=$root/build/guest
imgs=${KILN_ITEST_DIR:?}
out=$(dirname "$results")

# Verdicts go to $results only; run.sh prints them, once.
pass() { echo "pass $*" >>"$results"; }
fail() { echo "fail $*" >>"$results"; }

# KVM's own trace of the last exits and injections, kept in a small ring
# and copied out when a guest triple-faults: on AMD, KVM resets the vCPU
# before Kiln sees the shutdown, so the trace alone says where it was.
trace=/sys/kernel/tracing
if mount -t tracefs nodev "$trace" 2>/dev/null || [ -e "$trace/trace" ]; then
	echo 2048 >"$trace/buffer_size_kb"
	for ev in kvm_exit kvm_inj_exception kvm_inj_virq kvm_page_fault kvm_userspace_exit; do
		echo 1 >"$trace/events/kvm/$ev/enable" 2>/dev/null
	done
	echo 1 >"$trace/tracing_on"
fi
# trace_if_triple NAME LOG...: after a Kiln exited, keep KVM's last trace
# lines as $out/NAME.trace when one of the logs reports a triple fault.
trace_if_triple() {
	local name=$1
	shift
	grep -aqs 'triple fault' "$@" || return 0
	[ -e "$trace/trace" ] || return 0
	tail -n 60 "$trace/trace" >"$out/$name.trace"
}

# boot NAME KERNEL IMAGE TIMEOUT KILN-ARGS...: run Kiln, output to $out/NAME.log
boot() {
	local name=$1 kernel=$2 img=$3 t=$4
	shift 4
	local start=$SECONDS
	timeout "$t" "$kiln" --kernel "$kernel" --initramfs "$img" \
		--cmdline "console=ttyS0 panic=0" "$@" </dev/null >"$out/$name.log" 2>&1
	local rc=$?
	echo "  ($name: status $rc after $((SECONDS - start)) s)"
	# run.sh shows the end of these logs when a check failed, so a CI
	# failure says why without the logs themselves.
	[ $rc -eq 0 ] || echo "$name $rc" >>"$out/unclean-boots"
	trace_if_triple "$name" "$out/$name.log"
	return $rc
}

value() { grep -a "^$1=" "$2" | tail -1 | cut -d= -f2- | tr -d '\r'; }
# console_ticks LOG...: the KILN_TICK values of guest consoles joined in
# order, from complete lines only: a log may be read while the guest is
# mid-line (a half-written "KILN_TICK=12" was once read as tick 1), and a
# migration can fall in the middle of a line.
console_ticks() { cat "$@" | perl -ne 'next unless /\n\z/; s/\r//g; print "$1\n" if /^KILN_TICK=(.*)$/'; }

# run_cases [PATTERN]: source each tests/integration/cases/*.sh (all, or
# those whose name contains PATTERN).
run_cases() {
	local case
	for case in "$root"/tests/integration/cases/*.sh; do
		[ -e "$case" ] || continue
		case ${case##*/} in *"${1:-}"*) ;; *) continue ;; esac
		echo "== ${case##*/}"
		. "$case"
	done
}

# KILN_ITEST_ONLY=PATTERN (tests/integration/run.sh passes it on): only
# the matching case files, none of the checks below. For working on one
# device without waiting for every boot.
if [ -n "${KILN_ITEST_ONLY:-}" ]; then
	run_cases "$KILN_ITEST_ONLY"
	exit 0
fi

# check_report NAME CPUS MEM_BYTES: the guest saw what it was given.
check_report() {
	local name=$1 cpus=$2 mem=$3 log=$out/$1.log
	local n e820 memtotal date
	n=$(value KILN_NPROC "$log")
	[ "$n" = "$cpus" ] && pass "$name: guest sees $cpus CPU(s)" ||
		fail "$name: guest sees '$n' CPUs, wanted $cpus"
	[ "$(value KILN_ONLINE "$log")" = "$([ "$cpus" = 1 ] && echo 0 || echo "0-$((cpus - 1))")" ] &&
		pass "$name: all CPUs online" || fail "$name: online CPUs '$(value KILN_ONLINE "$log")'"
	# e820 RAM is everything asked for except the 385 KiB legacy hole
	# (EBDA, VGA, BIOS area) below 1 MiB.
	e820=$(value KILN_E820_RAM "$log")
	want=$((mem - 0x100000 + 0x9fc00))
	[ "$e820" = "$want" ] && pass "$name: firmware map has $e820 bytes of RAM" ||
		fail "$name: firmware map RAM '$e820', wanted $want"
	memtotal=$(value KILN_MEMTOTAL_KB "$log")
	if [ -n "$memtotal" ] && [ "$memtotal" -le $((mem / 1024)) ] &&
		[ "$memtotal" -ge $((mem / 1024 - mem / 1024 / 16 - 64 * 1024)) ]; then
		pass "$name: MemTotal $memtotal kB"
	else
		fail "$name: MemTotal '$memtotal' kB for $((mem >> 20)) MiB"
	fi
	date=$(value KILN_RTC_DATE "$log")
	if [ "$date" = "$(date -u +%F)" ] || [ "$date" = "$(date -u -d '-1 min' +%F)" ]; then
		pass "$name: RTC date $date"
	else
		fail "$name: RTC date '$date', host says $(date -u +%F)"
	fi
	[ "$(value KILN_ACPI "$log")" = yes ] && pass "$name: ACPI tables found" ||
		fail "$name: no ACPI FADT in the guest"
	grep -aq "kiln-guest: init started" "$log" && pass "$name: /init ran" ||
		fail "$name: /init never started"
	[ "$(value KILN_PCI_HOST "$log")" = "0x8086:0x29c0:0x060000" ] &&
		pass "$name: PCI host bridge at 00:00.0" ||
		fail "$name: PCI 00:00.0 is '$(value KILN_PCI_HOST "$log")'"
	# The alarm fired (an interrupt arrived, and rtc-cmos cleared it).
	local alarm
	alarm=$(value KILN_RTC_ALARM_IRQS "$log")
	if [ -n "$alarm" ] && [ "$alarm" -ge 1 ] && [ -z "$(value KILN_RTC_ALARM_LEFT "$log")" ]; then
		pass "$name: RTC alarm interrupt ($alarm)"
	else
		fail "$name: RTC alarm: '$alarm' interrupts, wakealarm left '$(value KILN_RTC_ALARM_LEFT "$log")'"
	fi
}

boot report-1cpu "$guest/vmlinux" "$imgs/report.img" 300 --cpus boot=1 --memory size=256M
rc=$?
[ $rc -eq 0 ] && pass "poweroff exits 0 (PVH, 1 vCPU)" || fail "poweroff: status $rc (PVH, 1 vCPU)"
check_report report-1cpu 1 $((256 << 20))
[ "$(value KILN_UART "$out/report-1cpu.log")" = "uart:16550A" ] &&
	pass "ttyS0 is a 16550A" || fail "ttyS0 type: '$(value KILN_UART "$out/report-1cpu.log")'"
intr=$(value KILN_SERIAL_INTR "$out/report-1cpu.log")
if [ "${intr% *}" = "4-edge" ] && [ "${intr#* }" -gt 0 ] 2>/dev/null; then
	pass "ttyS0 interrupt-driven on pin 4 ($intr interrupts)"
else
	fail "ttyS0 interrupts: '$intr'"
fi
[ "$(value KILN_PVPANIC "$out/report-1cpu.log")" = 1 ] &&
	pass "pvpanic driver bound" || fail "pvpanic driver not bound"

# 4 GiB: RAM below the 32-bit PCI hole (3 GiB) and 1 GiB above 4 GiB. Only
# the pages the guest touches cost the emulated host memory.
boot report-2cpu "$guest/vmlinuz" "$imgs/report.img" 300 --cpus boot=2 --memory size=4G
rc=$?
[ $rc -eq 0 ] && pass "poweroff exits 0 (bzImage, 2 vCPUs, 4 GiB)" || fail "poweroff: status $rc (bzImage, 2 vCPUs, 4 GiB)"
check_report report-2cpu 2 $((4 << 30))

boot reboot "$guest/vmlinux" "$imgs/reboot.img" 300 --memory size=256M,shared=on
rc=$?
[ $rc -eq 3 ] && pass "reboot exits 3 (memfd-backed RAM)" || fail "reboot: status $rc, wanted 3"

# Guest RAM on 2 MiB hugetlbfs pages: reserve them first.
echo 160 >/proc/sys/vm/nr_hugepages
boot panic "$guest/vmlinux" "$imgs/panic.img" 300 --memory size=256M,hugepages=on
rc=$?
if [ $rc -eq 4 ] && grep -aq "guest kernel panicked" "$out/panic.log"; then
	pass "panic reported, exits 4 (hugepage-backed RAM)"
else
	fail "panic: status $rc, wanted 4 and a message"
fi
# virtio-rng over virtio-pci with MSI-X: the guest's own driver binds and
# /dev/hwrng yields random bytes.
boot rng "$guest/vmlinux" "$imgs/rng.img" 300 --rng --memory size=256M
rc=$?
log=$out/rng.log
[ $rc -eq 0 ] && pass "virtio-rng guest powers off" || fail "virtio-rng boot: status $rc"
[ "$(value KILN_RNG_CURRENT "$log")" = "virtio_rng.0" ] &&
	pass "virtio-rng driver bound (hw_random uses virtio_rng.0)" ||
	fail "virtio-rng: rng_current '$(value KILN_RNG_CURRENT "$log")'"
bytes=$(value KILN_RNG_BYTES "$log")
distinct=$(value KILN_RNG_DISTINCT "$log")
if [ "$bytes" = 4096 ] && [ "${distinct:-0}" -ge 200 ]; then
	pass "/dev/hwrng gave 4096 bytes, $distinct distinct values"
else
	fail "/dev/hwrng: '$bytes' bytes, '$distinct' distinct values"
fi
irqs=$(grep -a "KILN_RNG_IRQ_AFTER:.*virtio0-input" "$log" | awk '{n=0; for (i=3;i<=NF;i++) if ($i ~ /^[0-9]+$/) n+=$i; print n}')
[ "${irqs:-0}" -gt 0 ] && pass "virtio-rng completions arrive as MSI-X interrupts ($irqs)" ||
	fail "virtio-rng: no MSI-X interrupts on the request queue"

# The console both ways, with stdin not a terminal: type a command into the
# guest's shell and read its answer, then quit with the escape key. Bytes
# sent before the guest's driver opens ttyS0 may be flushed by it, so the
# command is retyped until its answer shows.
interactive() {
	local fifo=/tmp/console.in log=$out/interactive.log
	rm -f "$fifo"
	mkfifo "$fifo"
	timeout 300 "$kiln" --kernel "$guest/vmlinux" --initramfs "$guest/initramfs.cpio.gz" \
		--cmdline "console=ttyS0" --memory size=256M <"$fifo" >"$log" 2>&1 &
	local pid=$!
	exec 3>"$fifo"
	local i
	for i in $(seq 1 100); do
		grep -aq "hello-42" "$log" && break
		grep -aq "kiln-guest: init started" "$log" && printf 'echo hello-$((6*7))\n' >&3
		sleep 3
	done
	grep -aq "hello-42" "$log" && pass "console input reaches the guest shell" ||
		fail "console input: no answer from the guest shell"
	local start=$SECONDS
	printf '\001x' >&3
	wait $pid
	local rc=$?
	exec 3>&-
	if [ $rc -eq 0 ] && [ $((SECONDS - start)) -lt 10 ]; then
		pass "Ctrl-A x quits Kiln (status 0)"
	else
		fail "Ctrl-A x: status $rc after $((SECONDS - start)) s"
	fi
}
interactive

# Hide /dev/kvm in a private mount namespace: --accel kvm must say so in
# one line (auto would fall back to the soft CPU).
err=$(unshare --mount sh -c "mount -t tmpfs none /dev && exec $kiln --accel kvm --kernel $guest/vmlinux --serial off" 2>&1 </dev/null)
rc=$?
if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
	grep -q "cannot open /dev/kvm: No such file or directory" <<<"$err"; then
	pass "missing /dev/kvm: $err"
else
	fail "missing /dev/kvm: status $rc: $err"
fi

# One file per device family, each a block of boots and checks using the
# helpers above (boot, value, pass, fail; $out, $imgs, $guest, $kiln).
run_cases
exit 0
