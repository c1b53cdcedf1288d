#!/bin/bash
# Integration tests: boot the default guest and check what
# it reports from inside, how Kiln exits, and the errors Kiln gives.
#
# Checks that need no KVM run here; the guest-booting ones run in one boot
# of the emulated host (tools/emuhost.sh), or directly where /dev/kvm works.
# Ends with one line: "N passed, N failed".
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
kiln=$root/build/kiln
guest=$root/build/guest
work=$root/build/itest
rm -rf "$work"
mkdir -p "$work/share"

. tests/integration/lib.sh

# ---- checks on this machine: bad input never needs a guest -------------
expect_error "bad kernel path" "--kernel /nonexistent/vmlinuz.*No such file" \
	"$kiln" --kernel /nonexistent/vmlinuz
head -c 100000 /dev/urandom > "$work/random.bin"
expect_error "non-kernel file" "--kernel .*random.bin: not a Linux kernel" \
	"$kiln" --kernel "$work/random.bin"
head -c 300000 "$guest/vmlinuz" > "$work/truncated-vmlinuz"
expect_error "truncated bzImage" "--kernel .*truncated" \
	"$kiln" --kernel "$work/truncated-vmlinuz"
expect_error "bad --cpus" "--cpus" "$kiln" --kernel "$guest/vmlinuz" --cpus boot=0
expect_error "kernel bigger than RAM" "--kernel .*does not fit" \
	"$kiln" --kernel "$guest/vmlinux" --memory size=32M
# Here /dev/kvm is either missing or (in a PVM sandbox) has no VT-x/AMD-V
# behind it; either way Kiln must say so in one line. The emulated host
# checks the missing case too.
if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
	expect_error "no usable /dev/kvm here" "KVM is not available on this host" \
		"$kiln" --accel kvm --kernel "$guest/vmlinuz" --serial off
fi
expect_error "missing disk image" "--disk: /nonexistent/disk.img: .*No such file" \
	"$kiln" --kernel "$guest/vmlinux" --disk path=/nonexistent/disk.img
head -c 1000 /dev/zero >"$work/odd.img"
expect_error "disk not a multiple of 512" "--disk: .*512" \
	"$kiln" --kernel "$guest/vmlinux" --disk path="$work/odd.img"
expect_error "duplicate disk id" "--disk: id=a is used twice" \
	"$kiln" --kernel "$guest/vmlinux" --disk path=x,id=a --disk path=y,id=a
expect_error "disk num_queues=0" "--disk: num_queues=0: must be 1 to 16" \
	"$kiln" --kernel "$guest/vmlinux" --disk path="$work/odd.img",num_queues=0
expect_error "disk num_queues=17" "--disk: num_queues=17: must be 1 to 16" \
	"$kiln" --kernel "$guest/vmlinux" --disk path="$work/odd.img",num_queues=17
expect_error "bad --net mac" "--net: mac=01:00:5e:00:00:01: not a unicast MAC" \
	"$kiln" --kernel "$guest/vmlinux" --net tap=kt0,mac=01:00:5e:00:00:01
expect_error "odd --net num_queues" "--net: num_queues=3: must be an even number" \
	"$kiln" --kernel "$guest/vmlinux" --net tap=kt0,num_queues=3
expect_error "--net packed=on with vhost=on" "--net: packed=on cannot go with vhost=on" \
	"$kiln" --kernel "$guest/vmlinux" --net tap=kt0,vhost=on,packed=on
expect_error "vsock cid below 3" "--vsock: cid=2: must be a number from 3" \
	"$kiln" --kernel "$guest/vmlinux" --vsock cid=2
expect_error "vsock cid too big" "--vsock: cid=4294967295: must be a number" \
	"$kiln" --kernel "$guest/vmlinux" --vsock cid=4294967295
expect_error "console file in a missing directory" "--console file=/nonexistent/hvc.log: No such file" \
	"$kiln" --kernel "$guest/vmlinux" --console file=/nonexistent/hvc.log
expect_error "console socket over a regular file" "--console socket=.*odd.img: exists and is not a socket" \
	"$kiln" --kernel "$guest/vmlinux" --console socket="$work/odd.img"
expect_error "console and serial both on the terminal" "--console tty: the terminal is already --serial tty" \
	"$kiln" --kernel "$guest/vmlinux" --console tty --serial tty
out=$("$kiln" --help) && grep -q "Exit status" <<<"$out" && pass "--help" || fail "--help"

# ---- the software CPU (--accel soft) runs right here, no KVM needed -----
expect_error "bad --accel" "--accel: wants kvm, soft or auto" \
	"$kiln" --accel tcg --kernel "$guest/vmlinux"
cpu_tests=$root/build/cpu-tests
if [ -f "$cpu_tests/modes.elf" ]; then
	expect_error "soft CPU runs one vCPU" "--cpus boot=2: the soft accelerator runs one vCPU" \
		"$kiln" --accel soft --kernel "$cpu_tests/modes.elf" --cpus boot=2 --serial off
	# A PVH test guest boots on the soft CPU, prints on the polled UART
	# and powers off through ACPI: Kiln exits 0.
	timeout 60 "$kiln" --accel soft --kernel "$cpu_tests/modes.elf" --memory size=64M \
		--serial file="$work/soft-modes.out" 2>"$work/soft-modes.err"
	rc=$?
	[ $rc -eq 0 ] && grep -qx "KILN_CPU_END modes ok" "$work/soft-modes.out" &&
		pass "soft CPU: test guest boots, prints, powers off (status 0)" ||
		fail "soft CPU: modes guest status $rc: $(tail -c 300 "$work/soft-modes.out" "$work/soft-modes.err" | tr '\n' ' ')"
	# Without a usable /dev/kvm the default (auto) falls back to the soft
	# CPU with one notice line.
	if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
		timeout 60 "$kiln" --kernel "$cpu_tests/modes.elf" --memory size=64M \
			--serial file="$work/auto-modes.out" 2>"$work/auto-modes.err"
		rc=$?
		[ $rc -eq 0 ] && [ "$(wc -l <"$work/auto-modes.err")" -eq 1 ] &&
			grep -q "running on the software CPU" "$work/auto-modes.err" &&
			grep -qx "KILN_CPU_END modes ok" "$work/auto-modes.out" &&
			pass "--accel auto without KVM: soft CPU with one notice" ||
			fail "--accel auto without KVM: status $rc: $(cat "$work/auto-modes.err")"
	fi
	# The whole corpus on the soft CPU against the native runs
	# (tests/cpu/run.sh).
	soft_set=(alu string sse x87 modes paging exceptions interrupts)
	for f in "$cpu_tests"/gen/seed-*.elf; do
		[ -f "$f" ] && f=${f##*/seed-} && soft_set+=("gen-${f%.elf}")
	done
	tests/cpu/run.sh --kiln-arg --accel --kiln-arg soft --timeout 60 \
		--out "$work/cpu-soft" "${soft_set[@]}" >"$work/cpu-soft.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] &&
		pass "soft CPU corpus: $(tail -n 1 "$work/cpu-soft.log") (${soft_set[*]})" ||
		fail "soft CPU corpus: $(grep -E '^FAIL|passed' "$work/cpu-soft.log" | tr '\n' ' ')"
else
	fail "soft CPU: no test guests in $cpu_tests (make cpu-tests)"
fi

# ---- guest boots, batched into one emulated-host run ------------------
for t in tests/integration/guest/*.sh; do
	t=${t##*/}
	make_test_initramfs "tests/integration/guest/$t" "$work/${t%.sh}.img"
done
# Debian's kernel on the soft CPU, right here: LAPIC timer, IOAPIC, the
# paravirtual clock, and virtio-rng over MSI-X to the guest's /init. About
# 30 s with the translator (2-7 minutes with KILN_SOFT_JIT=0 on a loaded
# 2-core machine); the limit leaves room for the interpreter alone.
if [ -z "${KILN_ITEST_ONLY:-}" ] || [[ soft-boot == *"$KILN_ITEST_ONLY"* ]]; then
	start=$SECONDS
	timeout 900 "$kiln" --accel soft --kernel "$guest/vmlinux" --initramfs "$work/rng.img" \
		--cmdline "console=ttyS0 panic=0" --memory size=256M --rng \
		--serial file="$work/soft-rng.out" </dev/null 2>"$work/soft-rng.err"
	rc=$?
	rng=$(grep -a '^KILN_RNG_CURRENT=' "$work/soft-rng.out" | tail -1 | cut -d= -f2- | tr -d '\r')
	[ $rc -eq 0 ] && [ "$rng" = virtio_rng.0 ] &&
		pass "soft CPU: Debian's kernel boots to /init, virtio-rng over MSI-X ($((SECONDS - start)) s)" ||
		fail "soft CPU: Debian boot status $rc, rng '$rng': $(tail -c 400 "$work/soft-rng.out" "$work/soft-rng.err" | tr '\n' ' ')"
fi

# One CPU in the emulated host (KILN_ITEST_SMP to change it): with two,
# QEMU's multi-threaded TCG now and then broke 2-vCPU guests (a triple
# fault or a hang on the second vCPU during PCI enumeration); one TCG
# thread has run them clean. About 15 minutes of guests on an idle
# machine; more when other emulated work shares its cores.
KILN_EMU_ENV="KILN_ITEST_DIR KILN_ITEST_ONLY" KILN_ITEST_DIR=$work \
	tools/emuhost.sh --timeout 1800 --smp "${KILN_ITEST_SMP:-1}" --share "$work/share" -- \
	tests/integration/in-host.sh "$work/share/results"
rc=$?
if [ $rc -ne 0 ]; then
	fail "emulated host run (status $rc)"
fi
# in-host.sh writes "pass NAME" / "fail NAME: why" lines.
if [ -f "$work/share/results" ]; then
	while read -r verdict rest; do
		case $verdict in
		pass) pass "$rest" ;;
		fail) fail "$rest" ;;
		esac
	done <"$work/share/results"
else
	fail "no results from the emulated host"
fi

# Boots that did not power off cleanly (some are meant to): the end of
# each one's log, so a failure on CI explains itself.
if [ "$failed" -gt 0 ] && [ -f "$work/share/unclean-boots" ]; then
	while read -r name status; do
		echo "---- $name (status $status): last lines of its log"
		tail -n 25 "$work/share/$name.log" 2>/dev/null | tr -d '\r' | cut -c1-200
	done <"$work/share/unclean-boots"
fi
for t in "$work"/share/*.trace; do
	[ -e "$t" ] || continue
	echo "---- ${t##*/}: KVM's last events before a triple fault"
	cut -c1-220 "$t"
done
summary
