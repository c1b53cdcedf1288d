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
