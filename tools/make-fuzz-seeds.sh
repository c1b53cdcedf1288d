#!/bin/bash
# Seed corpus for the fuzzers: the real kernel's first 64 KiB (a bzImage
# header, truncated) and the vmlinux's ELF headers, and a valid migration
# stream, so the fuzzers start from valid structure rather than from nothing.
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
# A migration stream as src/migration/stream_writer.c writes it: records
# "vcpu" (16 bytes), "ram" (32 bytes), "virtio-blk" (empty) and "end".
migration_stream=(
	'\x4b\x49\x4c\x4e\x53\x54\x52\x4d\x01\x00\x00\x00\x00\x00\x00\x00'
	'\x00\x00\x00\x00\x00\x00\x00\x00\x57\x5d\x7a\x74\x4b\x52\x45\x43'
	'\x76\x63\x70\x75\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
	'\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00'
	'\x10\x00\x00\x00\x00\x00\x00\x00\x87\x52\xda\x78\x00\x01\x02\x03'
	'\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\xeb\x08\xc9\xd9'
	'\x4b\x52\x45\x43\x72\x61\x6d\x00\x00\x00\x00\x00\x00\x00\x00\x00'
	'\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00'
	'\x01\x00\x00\x00\x20\x00\x00\x00\x00\x00\x00\x00\x08\x07\xaf\xcc'
	'\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff'
	'\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef'
	'\x14\xe8\x46\x08\x4b\x52\x45\x43\x76\x69\x72\x74\x69\x6f\x2d\x62'
	'\x6c\x6b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
	'\x01\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
	'\xf4\x47\xc2\x7b\x00\x00\x00\x00\x4b\x52\x45\x43\x65\x6e\x64\x00'
	'\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
	'\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
	'\x00\x00\x00\x00\xd8\x42\xb9\x4d\x00\x00\x00\x00'
)
for part in "${migration_stream[@]}"; do printf '%b' "$part"; done >"$out/migration-stream"
# VmConfig bodies for fuzz_api_vmconfig (vm.create): the smallest one, one
# with every member Kiln knows, and one options_parse refuses.
printf '{"payload":{"kernel":"/k"}}' >"$out/vmconfig-min.json"
printf '%s' '{"cpus":{"boot_vcpus":2,"max_vcpus":2},"memory":{"size":268435456,"shared":true,"hugepages":false},"payload":{"kernel":"/boot/vmlinuz","cmdline":"console=ttyS0 root=/dev/vda","initramfs":"/boot/initrd"},"disks":[{"path":"/img/a.raw","readonly":true,"direct":false,"num_queues":2,"id":"disk0"},{"path":"/img/b.raw"}],"net":[{"tap":"tap0","mac":"52:54:00:12:34:56","num_queues":2,"vhost":true,"id":"net0"}],"rng":{"src":"/dev/urandom"},"serial":{"mode":"File","file":"/tmp/serial.log"},"console":{"mode":"Socket","socket":"/tmp/con.sock"},"vsock":{"cid":3,"id":"vsock0"}}' >"$out/vmconfig-full.json"
printf '{"cpus":{"boot_vcpus":0},"memory":{"size":1},"payload":{"kernel":"/k"},"net":[{"mac":"zz"}]}' >"$out/vmconfig-refused.json"
