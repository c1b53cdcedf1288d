#!/usr/bin/env bash
# Boot the default guest (build/guest: Debian's kernel as a PVH vmlinux and
# the busybox initramfs) on Kiln with its serial console on this terminal.
# `make run` builds Kiln and the guest, then runs this.
#
# usage: tools/run-default-guest.sh [KILN-OPTIONS...]   (appended to Kiln's)
#
# Where /dev/kvm is usable here, Kiln runs directly. Elsewhere (no /dev/kvm,
# or a PVM sandbox's, which cannot run normal guests) it runs inside the
# emulated host of tools/emuhost.sh --interactive, with this terminal wired
# through. Either way Ctrl-A x quits Kiln, as do `poweroff` and `exit` in
# the guest's shell, and the exit status is Kiln's.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kiln=(
	"$root/build/kiln"
	--kernel "$root/build/guest/vmlinux"
	--initramfs "$root/build/guest/initramfs.cpio.gz"
	--cmdline "console=ttyS0"
	--cpus boot=2 --memory size=512M
	"$@"
)
for f in "$root/build/kiln" "$root/build/guest/vmlinux" "$root/build/guest/initramfs.cpio.gz"; do
	if [[ ! -e $f ]]; then
		echo "run-default-guest: ${f#"$root"/} is missing; build it with: make build/kiln guest" >&2
		exit 1
	fi
done

# The same test as tools/emuhost.sh: openable r/w, and VT-x/AMD-V underneath.
if [[ -c /dev/kvm ]] && { : <>/dev/kvm; } 2>/dev/null && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	exec "${kiln[@]}"
fi

echo "run-default-guest: no usable /dev/kvm on this machine, so the guest boots inside the emulated host (slower: ~30 s to a shell; quit with 'poweroff' or Ctrl-A x)" >&2
# The emulated host mounts / read-only and makes /tmp and /run empty: a
# working directory there would not exist inside, so run from the checkout.
case $PWD/ in /tmp/* | /run/*) cd "$root" ;; esac
exec "$root/tools/emuhost.sh" --interactive --timeout 86400 -- "${kiln[@]}"
