#!/bin/bash
# Install the Debian packages Kiln needs to build, test and run its default
# guest. Fast when everything is already there: it asks dpkg first and only
# calls apt-get for what is missing.
set -euo pipefail

PACKAGES=(
	gcc make pkg-config    # the build
	libcmocka-dev          # unit test framework
	acpica-tools           # iasl compiles the DSDT
	clang                  # libFuzzer targets (later issues)
	qemu-system-x86        # the emulated test host, and the peer in bench/
	busybox-static         # the default guest's userland
	linux-image-amd64      # the default guest's kernel and modules
	cpio kmod xz-utils gzip e2fsprogs  # guest image; mke2fs/e2fsck also go into it
	libjson-c-dev          # the management API's JSON
	curl                   # tests: the API over its Unix socket
	liburing-dev           # virtio-blk's io_uring data path
	socat                  # tests: vsock and console sockets (also copied into the guest)
	iproute2               # tests: tap devices (ip tuntap)
	python3                # tests/cpu/gen/gen.py (CPU test generator), bench/migrate (QMP and API client)
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
	--no-install-recommends "${missing[@]}"
