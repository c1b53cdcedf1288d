#!/bin/bash
# Seed corpus for the kernel-image fuzzer: the real kernel's first 64 KiB
# (a bzImage header, truncated) and the vmlinux's ELF headers, so the fuzzer
# starts from valid structure rather than from nothing.
set -euo pipefail
out=${1:?usage: make-fuzz-seeds.sh DIR}
mkdir -p "$out"
[ -f build/guest/vmlinuz ] && head -c 65536 build/guest/vmlinuz >"$out/bzimage-head"
[ -f build/guest/vmlinux ] && head -c 16384 build/guest/vmlinux >"$out/vmlinux-head"
printf 'not a kernel' >"$out/text"
# virtio-blk requests for fuzz_virtio_blk: [flags] [nseg] [nread], segment
# lengths minus one (u16), then a 16-byte header and the data.
hdr() { printf "\\x$(printf %02x "$1")\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x$(printf %02x "$2")\\x00\\x00\\x00\\x00\\x00\\x00\\x00"; }
{ printf '\x00\x03\x01\x0f\x00\xff\x03\x00\x00'; hdr 0 2; } >"$out/blk-in"
{ printf '\x02\x03\x02\x0f\x00\xff\x01\x00\x00'; hdr 1 1; head -c 512 /dev/zero | tr '\0' A; } >"$out/blk-out-direct"
{ printf '\x00\x03\x02\x0f\x00\x0f\x00\x00\x00'; hdr 11 0; printf '\x08\0\0\0\0\0\0\0\x08\0\0\0\0\0\0\0'; } >"$out/blk-discard"
{ printf '\x00\x03\x02\x0f\x00\x0f\x00\x00\x00'; hdr 13 0; printf '\x10\0\0\0\0\0\0\0\x08\0\0\0\x01\0\0\0'; } >"$out/blk-write-zeroes"
{ printf '\x00\x02\x01\x0f\x00\x14\x00'; hdr 8 0; } >"$out/blk-get-id"
