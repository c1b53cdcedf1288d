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
		"$kiln" --kernel "$guest/vmlinuz" --serial off
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

# ---- guest boots, batched into one emulated-host run ------------------
for t in tests/integration/guest/*.sh; do
	t=${t##*/}
	make_test_initramfs "tests/integration/guest/$t" "$work/${t%.sh}.img"
done
KILN_EMU_ENV="KILN_ITEST_DIR KILN_ITEST_ONLY" KILN_ITEST_DIR=$work \
	tools/emuhost.sh --timeout 1500 --share "$work/share" -- \
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
