#!/usr/bin/env bash
# Run a command on an "emulated host" with /dev/kvm, on machines without KVM.
#
# usage: tools/emuhost.sh [--timeout SECONDS] [--mem MiB] [--smp N] [--share DIR]
#                         [--disk FILE] [--interactive] [--force-emulated]
#                         -- COMMAND [ARGS...]
#
# QEMU (TCG, emulating AMD-V with nested paging) boots Debian's kernel with
# kvm-amd loaded, mounts this machine's whole root filesystem read-only over
# virtio-9p, chroots into it and runs COMMAND there, in the caller's working
# directory (same absolute path). See /work/shared/HOST.md (kept in the repo's
# shared notes) for what works in there and what it costs.
#
#   --share DIR   mounted WRITABLE at the same absolute path inside, so a test
#                 can write results back (default: a fresh build/emu/run.*/share).
#                 COMMAND finds its path in $KILN_EMU_SHARE.
#   --disk FILE   FILE (a raw image here) becomes a virtio-blk disk of the
#                 emulated host with serial "kilnscratch" (modprobe virtio_blk,
#                 then find it by /sys/block/vd*/serial): a real block device
#                 for what 9p cannot do (fallocate, asynchronous O_DIRECT).
#   --timeout S   default 1200. On timeout QEMU is killed and the exit status
#                 is 124.
#   --mem MiB     default 2048.   --smp N   default 2.
#   --force-emulated  use the emulated host even if /dev/kvm works here
#                 (or set KILN_EMU_FORCE=1).
#   --interactive COMMAND's stdin, stdout and stderr are a serial port of the
#                 emulated host (ttyS1) wired to our stdin/stdout by QEMU's
#                 stdio chardev, without QEMU's Ctrl-A escape (every byte,
#                 Ctrl-A and Ctrl-C included, goes to COMMAND). Inside, that
#                 port is COMMAND's controlling terminal, with our terminal's
#                 rows/cols and $TERM. When stdin is a terminal QEMU puts it in
#                 raw mode and it is restored afterwards; when it is not, the
#                 bytes are just forwarded. No resize (SIGWINCH) follows later.
#
# COMMAND's stdout and stderr (merged) are streamed to stdout; the exit status
# is COMMAND's. 125 means the emulated host failed before reporting a status
# (the kernel log's path is printed). KILN_EMU_BOOT_TIMEOUT: see below. Inside, COMMAND sees only PATH, HOME=/tmp,
# KILN_EMU_SHARE and the variables named in $KILN_EMU_ENV (space-separated).
# KILN_EMU_NPT=1: KVM inside uses nested paging (default: shadow paging,
# npt=0; see the note where kvm-amd-params is written).
# Inside, /tmp and /run are empty tmpfs; a working directory under them is
# shared read-only at its own path (other files there are not visible).
#
# When /dev/kvm is usable here (and no --force-emulated), COMMAND simply runs
# here, under the same timeout, with the whole environment.
#
# Needs: qemu-system-x86 linux-image-amd64 busybox-static kmod cpio xz-utils
# gzip grep coreutils.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/initramfs.sh
. "$here/lib/initramfs.sh"

usage() {
	sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2
	exit 2
}

timeout_s=1200 mem=2048 smp=2 share='' force=${KILN_EMU_FORCE:-0} interactive=0
disk_file=''
while (($#)); do
	case $1 in
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--share) share=${2:?}; shift 2 ;;
	--disk) disk_file=$(realpath "${2:?}"); shift 2 ;;
	--force-emulated) force=1; shift ;;
	--interactive) interactive=1; shift ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
(($#)) || usage

emu=$root/build/emu
mkdir -p "$emu"
# Runs older than a day are only clutter.
find "$emu" -maxdepth 1 -name 'run.*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
run=$(mktemp -d "$emu/run.XXXXXX")
if [[ -z $share ]]; then
	share=$run/share
	mkdir "$share"
fi
share=$(cd "$share" && pwd -P)
export KILN_EMU_SHARE=$share

# Real KVM here: nothing to emulate. `: <>` checks that we may open it r/w;
# the CPU flags rule out a PVM sandbox's /dev/kvm, which opens but runs only
# guests built for PVM (no VT-x/AMD-V underneath).
if ((!force)) && [[ -c /dev/kvm ]] && { : <>/dev/kvm; } 2>/dev/null &&
	grep -qwE 'vmx|svm' /proc/cpuinfo; then
	exec timeout --foreground -k 10 "$timeout_s" "$@"
fi

# One emulated host at a time on this machine: two TCG guests on a small
# machine starve each other (and TCG has been seen to wedge under load).
# The lock is dropped when this script and QEMU are gone.
exec 9>"${TMPDIR:-/tmp}/kiln-emuhost.lock"
if ! flock -n 9; then
	echo "emuhost: waiting for another emulated host on this machine to finish" >&2
	flock 9
fi

# --- The emulated host's kernel and initramfs, built once and cached. ---
kernel=$(kiln_newest_kernel)
kver=$(kiln_kver "$kernel")
vmlinux=$emu/vmlinux-$kver
initrd=$emu/initramfs-$kver.cpio.gz
if ! kiln_newer_than "$vmlinux" "$kernel"; then
	kiln_extract_vmlinux "$kernel" "$vmlinux"
fi
if ! kiln_newer_than "$initrd" "$kernel" /bin/busybox "$here/emu/init" \
	"$here/lib/initramfs.sh" "/lib/modules/$kver/modules.dep"; then
	stage=$(mktemp -d "$emu/stage.XXXXXX")
	kiln_stage_busybox "$stage"
	# Only what it takes to reach the 9p root; the rest (kvm-amd) is loaded
	# from there with the real modprobe.
	kiln_stage_modules "$stage" "$kver" virtio_pci 9pnet_virtio 9p virtio-rng
	install -m 0755 "$here/emu/init" "$stage/init"
	kiln_pack_initramfs "$stage" "$initrd"
	rm -rf "$stage"
fi

# --- The command, as a script the emulated host's init runs in the chroot. ---
# Single quotes survive any shell (/bin/sh is dash there): ' becomes '\''.
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
	echo "export PATH=$(q "$PATH") HOME=/tmp KILN_EMU_SHARE=$(q "$share")"
	((interactive)) && [[ -n ${TERM:-} ]] && echo "export TERM=$(q "$TERM")"
	for name in ${KILN_EMU_ENV:-}; do
		[[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "error: bad name in KILN_EMU_ENV: $name" >&2; exit 2; }
		[[ -v $name ]] && echo "export $name=$(q "${!name}")"
	done
	echo "cd $(q "$PWD") || exit 125"
	printf 'exec'
	for arg in "$@"; do printf ' %s' "$(q "$arg")"; done
	echo
} >"$run/cmd.sh"
printf '%s\n' "$share" >"$run/share-path"
# KVM in the emulated host uses shadow paging (npt=0) by default. With
# nested paging, QEMU 7.2's TCG now and then turns a nested page fault
# taken while it delivers an exception to the nested guest into a
# shutdown: the guest "triple-faults" out of nowhere (KVM's trace shows a
# SHUTDOWN exit whose exit_int_info is an ordinary #PF from user space,
# right after write-protect faults, so mostly under dirty logging). With
# shadow paging KVM walks the guest's tables itself and the guests run
# clean, and no slower here. KILN_EMU_NPT=1 brings nested paging back.
if [[ ${KILN_EMU_NPT:-0} == 1 ]]; then
	echo "npt=1" >"$run/kvm-amd-params"
else
	echo "npt=0" >"$run/kvm-amd-params"
fi
# /tmp and /run are fresh tmpfs inside, hiding the host's: a working
# directory there (a CI checkout under /tmp, say) gets its own read-only
# share at the same path.
cwd_share=()
case $PWD/ in
/tmp/* | /run/*)
	cwd_share=(-virtfs "local,path=$(printf '%s' "${PWD//,/,,}"),mount_tag=kilncwd,security_model=none,readonly=on,multidevs=remap")
	printf '%s\n' "$PWD" >"$run/cwd-path"
	;;
esac

# QEMU option values escape a comma by doubling it.
esc() { printf '%s' "${1//,/,,}"; }
log=$run/kernel.log
disk=()
if [[ -n $disk_file ]]; then
	disk=(-drive "file=$(esc "$disk_file"),format=raw,if=none,id=scratch,cache=none,aio=threads"
		-device "virtio-blk-pci,drive=scratch,serial=kilnscratch")
fi

# ttyS0: kernel console -> log file. ttyS1: the command's output -> a file
# that tail streams to our stdout (works whatever stdout is: tty, pipe,
# socket, file opened for append).
# --interactive: ttyS1 is QEMU's stdio instead. No mux=on, so QEMU has no
# Ctrl-A escape (and -nodefaults gives it no monitor); signal=off, so Ctrl-C
# is a byte for the guest rather than a SIGINT for QEMU. Init learns the port
# and our terminal's size from the kernel command line (its unknown words
# become init's environment).
append="console=ttyS0 panic=-1"
ttysave=''
if ((interactive)); then
	serial1=(-chardev "stdio,id=term,signal=off" -serial chardev:term)
	append+=" kiln_tty=ttyS1"
	if [[ -t 0 ]]; then
		ttysave=$(stty -g) # QEMU restores it itself, unless it is killed
		size=$(stty size 2>/dev/null) || size=''
		if [[ $size =~ ^([1-9][0-9]*)\ ([1-9][0-9]*)$ ]]; then
			append+=" kiln_rows=${BASH_REMATCH[1]} kiln_cols=${BASH_REMATCH[2]}"
		fi
	fi
	# QEMU sets O_NONBLOCK on its stdin/stdout while it runs, which shows
	# through the open file description shared with the caller (and sticks
	# if QEMU is killed): give it its own opens of the terminal. (Only
	# terminals: reopening a file loses its offset, a pipe's may block.)
	if [[ -t 0 ]]; then exec 3</proc/self/fd/0; else exec 3<&0; fi
	if [[ -t 1 ]]; then exec 4>/proc/self/fd/1; else exec 4>&1; fi
else
	serial1=(-serial "file:$(esc "$run/output")")
	exec 3</dev/null 4>>"$run/qemu.log"
fi
restore_tty() {
	[[ -z $ttysave ]] || stty "$ttysave" 2>/dev/null || true
}
launch() {
	timeout --foreground -k 10 "$1" \
		qemu-system-x86_64 \
		-machine q35 -accel tcg,thread=multi -cpu qemu64,+svm,+npt \
		-smp "$smp" -m "$mem" \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel "$vmlinux" -initrd "$initrd" \
		-append "$append" \
		-serial "file:$(esc "$log")" "${serial1[@]}" \
		-device virtio-rng-pci \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$(esc "$run"),mount_tag=kilnctl,security_model=none" \
		-virtfs "local,path=$(esc "$share"),mount_tag=kilnshare,security_model=none" \
		"${cwd_share[@]}" "${disk[@]}" \
		<&3 >&4 2>>"$run/qemu.log" 3<&- 4>&- &
	qemu=$!
}

# A boot normally takes seconds, but TCG has been seen (rarely, on a loaded
# machine) to hang the emulated host for good: right after kvm-amd loads, or
# later while a nested guest runs. Two watchdogs catch that:
# - init writes "started" just before COMMAND runs; a boot that has not got
#   there within $KILN_EMU_BOOT_TIMEOUT seconds (120) is a hang;
# - init then touches "heartbeat" every 5 s from a background loop; when it
#   goes stale for $KILN_EMU_STALL_TIMEOUT seconds (240) while COMMAND runs,
#   the emulated host's own clock has stopped: a hang, not a slow command.
# A hung emulated host is killed and the whole run tried once more, so
# COMMAND must be safe to run twice.
boot_limit=${KILN_EMU_BOOT_TIMEOUT:-120}
stall_limit=${KILN_EMU_STALL_TIMEOUT:-240}
deadline=$((SECONDS + timeout_s))
qemu='' tailer=''
# Ctrl-C or a kill of this script takes QEMU down with it (timeout passes
# the signal on).
trap 'kill $qemu $tailer 2>/dev/null; [[ -z $qemu ]] || wait $qemu; restore_tty; exit 130' INT TERM HUP
for attempt in 1 2; do
	: >"$run/output"
	rm -f "$run/started" "$run/heartbeat" "$run/status"
	launch "$((deadline - SECONDS))"
	if ((!interactive)); then
		tail -c +1 -s 0.2 -f --pid="$qemu" "$run/output" &
		tailer=$!
	fi
	boot_deadline=$((SECONDS + boot_limit))
	hung='' last_beat='' last_beat_at=$SECONDS
	while kill -0 "$qemu" 2>/dev/null; do
		if [[ ! -e $run/started ]]; then
			((SECONDS < boot_deadline)) || hung="did not boot within ${boot_limit}s"
		else
			# Compare with the last look, not with our clock: the
			# file's time comes from the emulated host.
			beat=$(stat -c %Y "$run/heartbeat" 2>/dev/null || echo none)
			if [[ $beat != "${last_beat:-}" ]]; then
				last_beat=$beat
				last_beat_at=$SECONDS
			fi
			age=$((SECONDS - last_beat_at))
			((age < stall_limit)) || hung="froze (no heartbeat for ${age}s)"
		fi
		if [[ -n $hung ]]; then
			kill "$qemu"
			break
		fi
		sleep 1
	done
	rc=0
	wait "$qemu" || rc=$?
	[[ -z $tailer ]] || wait "$tailer" || true
	restore_tty
	[[ -n $hung && $attempt == 1 && $SECONDS -lt $deadline ]] || break
	echo "emuhost: the emulated host $hung; running the command again (log: $log.1)" >&2
	mv -f "$log" "$log.1"
done
trap - INT TERM HUP
exec 3<&- 4>&-

if ((rc == 124 || rc == 137)); then
	echo "emuhost: TIMEOUT after ${timeout_s}s, QEMU killed (kernel log: $log)" >&2
	exit 124
fi
if [[ ! -s $run/status ]]; then
	[[ -z $hung ]] || echo "emuhost: gave up: the emulated host $hung, twice" >&2
	echo "emuhost: the emulated host reported no exit status (QEMU exit $rc)" >&2
	echo "emuhost: kernel log: $log; QEMU log: $run/qemu.log" >&2
	tail -n 5 "$log" "$run/qemu.log" >&2 || true
	exit 125
fi
status=$(<"$run/status")
((status == 0)) || echo "emuhost: exit status $status (kernel log: $log)" >&2
exit "$status"
