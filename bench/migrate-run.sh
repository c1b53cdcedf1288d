# shellcheck shell=bash
# bench/migrate's measurements (sourced by bench/migrate). `inside DIR` runs
# where /dev/kvm works (here, or in the emulated host) and writes into DIR:
#   info         key=value lines: the host, the versions, the setup
#   migrate.txt  one line per live migration, key=value pairs:
#                vmm= load= limit= run= status= and the figures (below)
#   restore.txt  one line per snapshot restore, the same way
#   logs/        every VMM's console, stderr and control-client output
#   complete     written last, when everything ran
# Needs $root, $guest, $initrd and $ctl (bench/migrate sets them).
#
# Figures, all times from one host's CLOCK_REALTIME where two processes are
# involved:
#   migrate: start_rt  the request (Kiln: the HTTP PUT; QEMU: `migrate`)
#            paused_rt the source's vCPUs stopped (Kiln's log; QEMU's STOP)
#            run_rt    the destination's guest runs (Kiln: its first vCPU
#                      entry, logged; QEMU: the destination's RESUME event)
#            wire_bytes what crossed the loopback meanwhile (lo's rx_bytes:
#                      the stream plus TCP/IP headers, both VMMs alike)
#            vmm_total_ms vmm_downtime_ms vmm_bytes passes: the VMM's own
#   restore: first_ms  process start -> the restored guest's first whole
#                      console tick line; vmm_ms: Kiln's own "restored in";
#                      save_ms: pause+snapshot (Kiln) / migrate to file (QEMU)

mig_cmdline() { # LOAD TICK_MS: the guest command line
	local mibps=0 set=0
	if [[ $1 == dirty ]]; then
		mibps=$mig_dirty_mibps
		set=$mig_dirty_set
	fi
	echo "console=ttyS0 quiet kiln_tick_ms=$2 kiln_dirty_mibps=$mibps kiln_dirty_set_mib=$set"
}

# vmm_cmd VMM MEM_MIB CMDLINE SERIAL: sets cmd=(...). SERIAL: a file for the
# console, or "stdio". Same kernel, initramfs, vCPU, RAM, command line and
# virtio-rng for both; no disk, no network.
vmm_cmd() {
	local vmm=$1 mem=$2 cmdline=$3 serial=${4:-stdio}
	if [[ $vmm == kiln ]]; then
		cmd=("$root/build/kiln" -vv --kernel "$guest/vmlinux" --initramfs "$initrd"
			--cmdline "$cmdline" --cpus boot=1 --memory "size=${mem}M" --rng)
	else
		cmd=("$mig_qemu" -M q35 -accel kvm -cpu host -smp 1 -m "${mem}M"
			-nodefaults -no-user-config -display none -no-reboot
			-kernel "$guest/vmlinux" -initrd "$initrd" -append "$cmdline"
			-device virtio-rng-pci)
		if [[ $serial == stdio ]]; then
			cmd+=(-serial stdio)
		else
			cmd+=(-serial "file:$serial")
		fi
	fi
}

# wait_for FILE PATTERN PID SECONDS: until FILE holds PATTERN (0), PID is
# gone or the time is up (1).
wait_for() {
	local file=$1 pat=$2 pid=$3 end=$((SECONDS + $4))
	while ((SECONDS < end)); do
		grep -aq -- "$pat" "$file" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

ticks() { grep -ac '^KILN_TICK=' "$1" 2>/dev/null; }

lo_bytes() { cat /sys/class/net/lo/statistics/rx_bytes 2>/dev/null || echo 0; }

# stop_pid PID: SIGTERM, then SIGKILL after 20 s.
stop_pid() {
	kill "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
	local i
	for ((i = 0; i < 200; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

kv() { sed -n "s/^$1=//p" "$2" | head -1; } # KEY FILE

mig_port() { echo $((47000 + RANDOM % 900)); }

# kiln_migrate LOAD RUN
kiln_migrate() {
	local load=$1 run=$2 tag="kiln-$1-$2" l=$mig_out/logs port
	local src_sock=/tmp/kiln-bench-src.sock status=ok src dst
	port=$(mig_port)
	rm -f "$src_sock"
	vmm_cmd kiln "$mig_mem" "$(mig_cmdline "$load" 100)"
	"${cmd[@]}" --api-socket "$src_sock" </dev/null \
		>"$l/$tag-src.log" 2>"$l/$tag-src.err" &
	src=$!
	if ! wait_for "$l/$tag-src.log" KILN_READY $src "$mig_tmo"; then
		echo "vmm=kiln load=$load limit=100 run=$run status=no-boot" >>"$mig_out/migrate.txt"
		stop_pid $src
		return 1
	fi
	sleep "$mig_settle"
	"$root/build/kiln" -vv --migrate-from "tcp:127.0.0.1:$port" </dev/null \
		>"$l/$tag-dst.log" 2>"$l/$tag-dst.err" &
	dst=$!
	wait_for "$l/$tag-dst.err" 'waiting for a migration' $dst 30
	local r0 r1
	r0=$(lo_bytes)
	python3 "$ctl" http-put "$src_sock" vm.send-migration \
		'{"destination_url":"tcp:127.0.0.1:'"$port"'","downtime_ms":100}' \
		>"$l/$tag-api.txt" 2>&1 || status=failed
	# The destination's guest ticks on.
	local n0
	n0=$(ticks "$l/$tag-dst.log")
	local end=$((SECONDS + 60))
	while (($(ticks "$l/$tag-dst.log") <= n0 + 2)) && ((SECONDS < end)); do
		kill -0 $dst 2>/dev/null || break
		sleep 0.1
	done
	(($(ticks "$l/$tag-dst.log") > n0 + 2)) || status=no-ticks
	r1=$(lo_bytes)
	stop_pid $src
	stop_pid $dst
	local line paused run_rt
	line=$(grep -ao 'migration to .*: total.*' "$l/$tag-src.err" | head -1)
	paused=$(sed -n 's/.*paused at \([0-9.]*\).*/\1/p' <<<"$line")
	run_rt=$(grep -ao 'first vCPU entry at [0-9.]*' "$l/$tag-dst.err" | head -1 | awk '{print $NF}')
	[[ -n $line && -n $paused && -n $run_rt ]] || status=failed
	echo "vmm=kiln load=$load limit=100 run=$run status=$status" \
		"start_rt=$(kv start_rt "$l/$tag-api.txt") paused_rt=${paused:--1} run_rt=${run_rt:--1}" \
		"wire_bytes=$((r1 - r0))" \
		"vmm_total_ms=$(sed -n 's/.*total \([0-9.]*\) ms.*/\1/p' <<<"$line")" \
		"vmm_downtime_ms=$(sed -n 's/.*downtime \([0-9.]*\) ms.*/\1/p' <<<"$line")" \
		"vmm_bytes=$(sed -n 's/.* \([0-9]*\) bytes sent.*/\1/p' <<<"$line")" \
		"passes=$(sed -n 's/.* \([0-9]*\) RAM passes.*/\1/p' <<<"$line")" >>"$mig_out/migrate.txt"
	echo "bench: $tag: $status; $line" >&2
}

# qemu_migrate LOAD DOWNTIME_LIMIT RUN
qemu_migrate() {
	local load=$1 limit=$2 run=$3 tag="qemu-$1-$2-$3" l=$mig_out/logs port
	local sq=/tmp/kiln-bench-src.qmp dq=/tmp/kiln-bench-dst.qmp status=ok src dst
	port=$(mig_port)
	rm -f "$sq" "$dq"
	vmm_cmd qemu "$mig_mem" "$(mig_cmdline "$load" 100)" "$l/$tag-src.log"
	"${cmd[@]}" -qmp "unix:$sq,server=on,wait=off" </dev/null \
		>/dev/null 2>"$l/$tag-src.err" &
	src=$!
	if ! wait_for "$l/$tag-src.log" KILN_READY $src "$mig_tmo"; then
		echo "vmm=qemu load=$load limit=$limit run=$run status=no-boot" >>"$mig_out/migrate.txt"
		stop_pid $src
		return 1
	fi
	sleep "$mig_settle"
	vmm_cmd qemu "$mig_mem" "$(mig_cmdline "$load" 100)" "$l/$tag-dst.log"
	"${cmd[@]}" -qmp "unix:$dq,server=on,wait=off" \
		-incoming "tcp:127.0.0.1:$port" </dev/null >/dev/null 2>"$l/$tag-dst.err" &
	dst=$!
	local i
	for ((i = 0; i < 300; i++)); do
		[[ -S $dq ]] && break
		sleep 0.1
	done
	local r0 r1
	r0=$(lo_bytes)
	python3 "$ctl" qmp-migrate "$sq" "$dq" "tcp:127.0.0.1:$port" "$limit" "$mig_qemu_bw" \
		>"$l/$tag-qmp.txt" 2>&1 || status=failed
	local n0
	n0=$(ticks "$l/$tag-dst.log")
	local end=$((SECONDS + 60))
	while (($(ticks "$l/$tag-dst.log") <= n0 + 2)) && ((SECONDS < end)); do
		kill -0 $dst 2>/dev/null || break
		sleep 0.1
	done
	(($(ticks "$l/$tag-dst.log") > n0 + 2)) || status=no-ticks
	r1=$(lo_bytes)
	stop_pid $src
	stop_pid $dst
	local q=$l/$tag-qmp.txt
	[[ $(kv status "$q") == completed ]] || status=failed
	echo "vmm=qemu load=$load limit=$limit run=$run status=$status" \
		"start_rt=$(kv start_rt "$q") paused_rt=$(kv stop_rt "$q") run_rt=$(kv resume_rt "$q")" \
		"wire_bytes=$((r1 - r0)) vmm_total_ms=$(kv total_ms "$q")" \
		"vmm_downtime_ms=$(kv downtime_ms "$q") vmm_bytes=$(kv transferred "$q")" \
		"passes=$(kv passes "$q")" >>"$mig_out/migrate.txt"
	echo "bench: $tag: $status; $(tr '\n' ' ' <"$q")" >&2
}

# kiln_restore RUN: pause + snapshot a 256 MiB guest, then time a restore.
kiln_restore() {
	local run=$1 tag="kiln-restore-$1" l=$mig_out/logs
	local sock=/tmp/kiln-bench-snap.sock dir=/tmp/kiln-bench-snap src status=ok
	rm -rf "$sock" "$dir"
	vmm_cmd kiln "$mig_restore_mem" "$(mig_cmdline idle 20)"
	"${cmd[@]}" --api-socket "$sock" </dev/null \
		>"$l/$tag-src.log" 2>"$l/$tag-src.err" &
	src=$!
	if ! wait_for "$l/$tag-src.log" KILN_READY $src "$mig_tmo"; then
		echo "vmm=kiln run=$run status=no-boot" >>"$mig_out/restore.txt"
		stop_pid $src
		return 1
	fi
	sleep "$mig_settle"
	python3 "$ctl" http-put "$sock" vm.pause >"$l/$tag-pause.txt" 2>&1 || status=failed
	python3 "$ctl" http-put "$sock" vm.snapshot '{"destination_url":"file://'"$dir"'"}' \
		>"$l/$tag-snap.txt" 2>&1 || status=failed
	stop_pid $src
	local save_ms size_kb
	save_ms=$(awk -v a="$(kv start_rt "$l/$tag-pause.txt")" -v b="$(kv end_rt "$l/$tag-snap.txt")" \
		'BEGIN { printf "%.1f", (b - a) * 1000 }')
	size_kb=$(du -sk "$dir" | cut -f1)
	python3 "$ctl" first-line KILN_TICK= "$mig_tmo" "$l/$tag-dst.log" -- \
		"$root/build/kiln" -vv --restore "source_url=file://$dir" >"$l/$tag-first.txt" 2>&1
	local first vmm_ms entry_ms
	first=$(kv first_ms "$l/$tag-first.txt")
	[[ -n $first && $first != -1 ]] || status=failed
	vmm_ms=$(grep -ao 'restored from .* in [0-9.]* ms' "$l/$tag-dst.log" | head -1 | awk '{print $(NF-1)}')
	entry_ms=$(grep -ao 'first vCPU entry [0-9.]* ms' "$l/$tag-dst.log" | head -1 | awk '{print $(NF-1)}')
	echo "vmm=kiln run=$run status=$status first_ms=${first:--1} vmm_ms=${vmm_ms:--1}" \
		"entry_ms=${entry_ms:--1} save_ms=$save_ms size_kb=$size_kb" >>"$mig_out/restore.txt"
	echo "bench: $tag: $status, guest ticks again after ${first:-?} ms (Kiln: restored in ${vmm_ms:-?} ms, first entry ${entry_ms:-?} ms)" >&2
	rm -rf "$dir"
}

# qemu_restore RUN: migrate a 256 MiB guest to a file, then time
# `-incoming "exec:cat FILE"`.
qemu_restore() {
	local run=$1 tag="qemu-restore-$1" l=$mig_out/logs
	local sq=/tmp/kiln-bench-snap.qmp file=/tmp/kiln-bench-qemu.state src status=ok
	rm -f "$sq" "$file"
	vmm_cmd qemu "$mig_restore_mem" "$(mig_cmdline idle 20)" "$l/$tag-src.log"
	"${cmd[@]}" -qmp "unix:$sq,server=on,wait=off" </dev/null \
		>/dev/null 2>"$l/$tag-src.err" &
	src=$!
	if ! wait_for "$l/$tag-src.log" KILN_READY $src "$mig_tmo"; then
		echo "vmm=qemu run=$run status=no-boot" >>"$mig_out/restore.txt"
		stop_pid $src
		return 1
	fi
	sleep "$mig_settle"
	python3 "$ctl" qmp-migrate "$sq" - "exec:cat > $file" 300 "$mig_qemu_bw" \
		>"$l/$tag-save.txt" 2>&1 || status=failed
	stop_pid $src
	local save_ms size_kb
	save_ms=$(kv total_ms "$l/$tag-save.txt")
	size_kb=$(du -sk "$file" | cut -f1)
	vmm_cmd qemu "$mig_restore_mem" "$(mig_cmdline idle 20)" stdio
	python3 "$ctl" first-line KILN_TICK= "$mig_tmo" "$l/$tag-dst.log" -- \
		"${cmd[@]}" -incoming "exec:cat $file" >"$l/$tag-first.txt" 2>&1
	local first
	first=$(kv first_ms "$l/$tag-first.txt")
	[[ -n $first && $first != -1 ]] || status=failed
	echo "vmm=qemu run=$run status=$status first_ms=${first:--1} vmm_ms=-1 entry_ms=-1" \
		"save_ms=${save_ms:--1} size_kb=$size_kb" >>"$mig_out/restore.txt"
	echo "bench: $tag: $status, guest ticks again after ${first:-?} ms" >&2
	rm -f "$file"
}

inside() {
	local t0=$SECONDS
	mig_out=$1
	mkdir -p "$mig_out/logs" || return 1
	: >"$mig_out/migrate.txt"
	: >"$mig_out/restore.txt"
	mig_qemu=${BENCH_QEMU:-qemu-system-x86_64}
	mig_runs=${BENCH_MIG_RUNS:-3}
	mig_mem=${BENCH_MIG_MEM:-1024}
	mig_restore_mem=${BENCH_MIG_RESTORE_MEM:-256}
	mig_dirty_mibps=${BENCH_MIG_DIRTY_MIBPS:-16}
	mig_dirty_set=${BENCH_MIG_DIRTY_SET:-128}
	mig_tmo=${BENCH_TIMEOUT:-60}
	mig_settle=${BENCH_MIG_SETTLE:-2}
	# QEMU 7.2 caps a migration at 128 MiB/s by default; Kiln has no cap.
	# Both run uncapped here: QEMU's max-bandwidth is lifted to 100 GiB/s.
	mig_qemu_bw=107374182400
	# The emulated host's loopback starts down.
	ip link set lo up 2>/dev/null
	{
		echo "host_kernel=$(uname -r)"
		echo "host_cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
		echo "host_cpus=$(nproc)"
		echo "host_mem_mib=$(($(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024))"
		echo "qemu=$("$mig_qemu" --version 2>/dev/null | head -1)"
		echo "runs=$mig_runs mem_mib=$mig_mem restore_mem_mib=$mig_restore_mem"
		echo "dirty_mibps=$mig_dirty_mibps dirty_set_mib=$mig_dirty_set"
	} >"$mig_out/info"
	local have_qemu=1
	command -v "$mig_qemu" >/dev/null 2>&1 || {
		have_qemu=0
		echo "bench: $mig_qemu not found: QEMU is skipped" >&2
	}
	local run
	# Configurations interleaved run by run, so drift in the (emulated)
	# host's speed hits every one alike.
	for ((run = 1; run <= mig_runs; run++)); do
		kiln_migrate idle "$run"
		if ((have_qemu)); then
			qemu_migrate idle 300 "$run"
			qemu_migrate idle 100 "$run"
		fi
		kiln_migrate dirty "$run"
		if ((have_qemu)); then
			qemu_migrate dirty 300 "$run"
			qemu_migrate dirty 100 "$run"
		fi
		kiln_restore "$run"
		((have_qemu)) && qemu_restore "$run"
	done
	echo "inside_s=$((SECONDS - t0))" >>"$mig_out/info"
	echo finished >"$mig_out/complete"
}
