# shellcheck shell=bash
# Shared helpers for tools/build-guest.sh and tools/emuhost.sh (sourced, not run).
#
# Both scripts boot Debian's own kernel (package linux-image-amd64) with a small
# busybox initramfs. The helpers here find that kernel, unpack its ELF vmlinux,
# and stage/pack an initramfs tree with busybox and a chosen set of modules.

# Print the newest /boot/vmlinuz-*-amd64 (version sort, so 6.1.0-10 > 6.1.0-9).
kiln_newest_kernel() {
	local k
	k=$(printf '%s\n' /boot/vmlinuz-*-amd64 | sort -V | tail -n 1)
	if [[ ! -f $k ]]; then
		echo "error: no /boot/vmlinuz-*-amd64; install linux-image-amd64" >&2
		return 1
	fi
	printf '%s\n' "$k"
}

# kiln_kver /boot/vmlinuz-6.1.0-56-amd64 -> 6.1.0-56-amd64
kiln_kver() {
	local base=${1##*/}
	printf '%s\n' "${base#vmlinuz-}"
}

# True when the file starts with the ELF magic.
kiln_is_elf() {
	[[ $(head -c 4 "$1" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]
}

# kiln_extract_vmlinux BZIMAGE OUT
# Debian compresses the kernel with xz; the payload is an xz stream somewhere
# inside the bzImage, followed by more setup data. Booting this ELF directly
# (QEMU -kernel takes a PVH ELF; Debian has CONFIG_PVH=y) skips the in-guest
# decompression, which costs seconds under TCG.
kiln_extract_vmlinux() {
	local bz=$1 out=$2 off
	# Byte offset of the first xz magic (FD '7zXZ' 00).
	off=$(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' "$bz" | head -n 1 | cut -d: -f1)
	if [[ -z $off ]]; then
		echo "error: no xz payload in $bz (kernel not xz-compressed?)" >&2
		return 1
	fi
	# --single-stream stops after the first stream and ignores what follows
	# (the bzImage's trailing data), so xz does not fail on "garbage".
	# The exit status is not trusted either way: the ELF check below is.
	tail -c +"$((off + 1))" "$bz" | xz -dc --single-stream >"$out.$$.tmp" 2>/dev/null || true
	if ! kiln_is_elf "$out.$$.tmp"; then
		rm -f "$out.$$.tmp"
		echo "error: xz payload of $bz did not decompress to an ELF" >&2
		return 1
	fi
	mv -f "$out.$$.tmp" "$out"
}

# kiln_stage_busybox DIR
# A minimal root: busybox-static with a symlink per applet, and the usual
# directories. /dev/console is added by kiln_pack_initramfs (no mknod needed).
kiln_stage_busybox() {
	local dir=$1 applet
	mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,mnt,etc,root,lib/modules}
	cp /bin/busybox "$dir/bin/busybox"
	for applet in $(/bin/busybox --list-full); do
		[[ -e $dir/$applet ]] || ln -s /bin/busybox "$dir/$applet"
	done
}

# kiln_stage_binaries DIR PROGRAM...
# Copies each program (a path, or a name looked up in PATH) to DIR/usr/bin
# with every shared library ldd names (at the same paths, plus the dynamic
# loader), so Debian's own tools run in the busybox guest unchanged.
kiln_stage_binaries() {
	local dir=$1 p path lib
	shift
	mkdir -p "$dir/usr/bin"
	for p in "$@"; do
		path=$(command -v "$p") || { echo "error: $p not found" >&2; return 1; }
		cp -L "$path" "$dir/usr/bin/${path##*/}"
		for lib in $(ldd "$path" | awk '/=> \//{print $3} /^\t\//{print $1}'); do
			[[ -e $dir$lib ]] && continue
			mkdir -p "$dir${lib%/*}"
			cp -L "$lib" "$dir$lib"
		done
	done
}

# kiln_stage_modules DIR KVER MODULE...
# Copies each module and everything it depends on (modprobe --show-depends
# resolves modules.dep, in load order) to DIR/lib/modules/KVER/, decompressing
# .ko.xz/.ko.zst/.ko.gz because busybox insmod only loads plain .ko files.
# Writes the load order to DIR/etc/kiln-modules (paths relative to the module
# dir). Built-in modules are skipped; an unknown module is a warning only.
kiln_stage_modules() {
	local dir=$1 kver=$2 m line path rel dst
	shift 2
	local moddir=/lib/modules/$kver
	local order=$dir/etc/kiln-modules
	: >"$order"
	for m in "$@"; do
		if ! line=$(modprobe -S "$kver" --show-depends "$m" 2>/dev/null); then
			echo "warning: module $m not found for $kver, skipped" >&2
			continue
		fi
		while read -r kind path _; do
			[[ $kind == insmod ]] || continue # "builtin NAME": nothing to load
			rel=${path#"$moddir"/}
			rel=${rel%.xz}
			rel=${rel%.zst}
			rel=${rel%.gz}
			grep -qxF "$rel" "$order" && continue
			dst=$dir/lib/modules/$kver/$rel
			mkdir -p "${dst%/*}"
			case $path in
			*.xz) xz -dc "$path" >"$dst" ;;
			*.zst) zstd -qdc "$path" >"$dst" ;;
			*.gz) gzip -dc "$path" >"$dst" ;;
			*) cp "$path" "$dst" ;;
			esac
			printf '%s\n' "$rel" >>"$order"
		done <<<"$line"
	done
}

# Emit a one-entry newc cpio archive holding the character device dev/console
# (5,1). The kernel opens /dev/console for init's stdin/stdout before init
# runs, so it must exist in the initramfs; writing the header by hand avoids
# needing root for mknod.
kiln_console_cpio() {
	local name=dev/console
	# Fields: ino mode uid gid nlink mtime filesize devmajor devminor
	#         rdevmajor rdevminor namesize check
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 $((0020600)) 0 0 1 0 0 0 0 5 1 $((${#name} + 1)) 0
	printf '%s\0' "$name"    # 110-byte header + 12-byte name = 122,
	printf '\0\0'            # padded to a multiple of 4
	local t=TRAILER!!!
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 0 0 0 1 0 0 0 0 0 0 $((${#t} + 1)) 0
	printf '%s\0' "$t"       # 110 + 11 = 121, padded to 124
	printf '\0\0\0'
}

# kiln_pack_initramfs DIR OUT.cpio.gz
# Files owned by root, sorted, then the /dev/console archive; gzip'd as one
# stream (the kernel reads concatenated cpio archives).
kiln_pack_initramfs() {
	local dir=$1 out=$2
	(
		cd "$dir" || exit 1
		find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible
		kiln_console_cpio
	) | gzip -6 -n >"$out.$$.tmp"
	# Write then rename: a concurrent user never sees half a file.
	mv -f "$out.$$.tmp" "$out"
}

# kiln_newer_than OUT INPUT... : true when OUT exists and is newer than every
# INPUT (a cheap make-style check so re-runs skip work).
kiln_newer_than() {
	local out=$1 f
	shift
	[[ -e $out ]] || return 1
	for f in "$@"; do
		[[ $out -nt $f ]] || return 1
	done
}
