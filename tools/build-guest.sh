#!/usr/bin/env bash
# Build Kiln's default guest from Debian's packages.
#
# usage: tools/build-guest.sh [OUTDIR]        (default: build/guest)
#
# Outputs:
#   OUTDIR/vmlinuz            newest /boot/vmlinuz-*-amd64 (bzImage)
#   OUTDIR/vmlinux            its uncompressed ELF (has a PVH note)
#   OUTDIR/initramfs.cpio.gz  busybox-static + modules + tools/guest/init
#   OUTDIR/tools.cpio.gz      mke2fs, e2fsck, socat, blkdiscard, fallocate and their libraries, for
#                             tests to append to the initramfs
#
# Needs: linux-image-amd64 busybox-static kmod cpio xz-utils gzip grep
# e2fsprogs socat.
# Re-running is cheap: each output is rebuilt only when an input is newer.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/initramfs.sh
. "$here/lib/initramfs.sh"

out=${1:-$(cd "$here/.." && pwd)/build/guest}
mkdir -p "$out"

kernel=$(kiln_newest_kernel)
kver=$(kiln_kver "$kernel")

# Modules the guest may need; dependencies are added automatically.
# pvpanic(-mmio): the ACPI device QEMU0001 at port 0x505 tells the VMM about a
# panic (pvpanic-mmio also binds the ACPI/port form despite its name).
modules=(
	pvpanic pvpanic-mmio
	virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_mmio
	virtio_blk virtio_net virtio_console virtio-rng
	vmw_vsock_virtio_transport
	crc16 crc32c mbcache jbd2 ext4
)

if ! kiln_newer_than "$out/vmlinuz" "$kernel"; then
	cp -f "$kernel" "$out/vmlinuz"
fi

if ! kiln_newer_than "$out/vmlinux" "$kernel"; then
	kiln_extract_vmlinux "$kernel" "$out/vmlinux"
fi

inputs=("$kernel" /bin/busybox "$here/guest/init" "$here/lib/initramfs.sh" "$0" "/lib/modules/$kver/modules.dep")
if ! kiln_newer_than "$out/initramfs.cpio.gz" "${inputs[@]}"; then
	stage=$(mktemp -d "${TMPDIR:-/tmp}/kiln-guest.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	kiln_stage_busybox "$stage"
	kiln_stage_modules "$stage" "$kver" "${modules[@]}"
	install -m 0755 "$here/guest/init" "$stage/init"
	kiln_pack_initramfs "$stage" "$out/initramfs.cpio.gz"
fi

# Debian's own tools for the I/O tests, as a separate archive that a test
# appends to the initramfs (the default guest stays small, so boots stay
# fast): ext4 (mke2fs, e2fsck), sockets of every family (socat: vsock,
# TCP, unix) and util-linux's blkdiscard (-z: BLKZEROOUT) and fallocate
# (-p on a block device: write-zeroes with unmap); and the 802.1Q module
# for VLAN interfaces, not loaded at boot (its load order in
# /etc/kiln-modules-vlan, for the test to insmod).
guest_tools=(/sbin/mke2fs /sbin/e2fsck socat /usr/sbin/blkdiscard /usr/bin/fallocate)
tool_paths=()
for t in "${guest_tools[@]}"; do
	p=$(command -v "$t") || { echo "error: $t not found" >&2; exit 1; }
	tool_paths+=("$p")
done
if ! kiln_newer_than "$out/tools.cpio.gz" "${tool_paths[@]}" "$here/lib/initramfs.sh" "$0" \
	"/lib/modules/$kver/modules.dep"; then
	tstage=$(mktemp -d "${TMPDIR:-/tmp}/kiln-tools.XXXXXX")
	kiln_stage_binaries "$tstage" "${tool_paths[@]}"
	mkdir -p "$tstage/etc"
	kiln_stage_modules "$tstage" "$kver" 8021q
	mv "$tstage/etc/kiln-modules" "$tstage/etc/kiln-modules-vlan"
	(cd "$tstage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -6 -n >"$out/tools.cpio.gz.tmp"
	mv -f "$out/tools.cpio.gz.tmp" "$out/tools.cpio.gz"
	rm -rf "$tstage"
fi

echo "guest ($kver): $out/vmlinuz $out/vmlinux $out/initramfs.cpio.gz $out/tools.cpio.gz"
