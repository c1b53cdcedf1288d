# shellcheck shell=bash
# bench/io's measurements (sourced by bench/io). `inside DIR` runs where
# /dev/kvm works (here, or in the emulated host) and writes into DIR:
#   info        key=value lines: the host, the versions, the setup
#   blk.txt     "CONFIG RUN KEY VALUE" lines, CONFIG host|kiln|qemu, KEY FIO_*
#   net.txt     the same for loopback|kiln-vhost-off|kiln-vhost-on|
#               qemu-vhost-off|qemu-vhost-on,
#               KEY NET_TX_MBITS|NET_RX_MBITS
#   guests.txt  "CONFIG RUN STATUS SECONDS" for each guest run
#   logs/       every guest's console, every host-side fio/iperf3 output
#   complete    written last, when everything ran
# Needs $root, $guest and $initrd (bench/io sets them).

# run_guest NAME TIMEOUT CMD...: run a VMM, console and stderr to logs/NAME.log
run_guest() {
	local name=$1 tmo=$2 start=$SECONDS rc
	shift 2
	timeout -k 10 "$tmo" "$@" </dev/null >"$io_out/logs/$name.log" 2>&1
	rc=$?
	echo "bench: $name: status $rc after $((SECONDS - start)) s" >&2
	echo "${name%-*} ${name##*-} $rc $((SECONDS - start))" >>"$io_out/guests.txt"
	return $rc
}

# collect CONFIG RUN PREFIX LOG FILE: the log's PREFIX*=value lines (the
# guest's console has \r\n line ends) as "CONFIG RUN KEY VALUE" into FILE.
collect() {
	local config=$1 run=$2 prefix=$3 log=$4 file=$5
	tr -d '\r' <"$log" | grep -a "^${prefix}[A-Za-z0-9_]*=" |
		sed "s/^\\([^=]*\\)=\\(.*\\)/$config $run \\1 \\2/" >>"$file"
	grep -a "^$prefix" "$log" | tr -d '\r' | sed "s/^/bench:   $config: /" >&2
}

drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
}

# The VMM command lines, less the device arguments. Same kernel, initramfs,
# vCPUs, RAM and command line for both.
vmm_cmd() {
	local vmm=$1 cmdline=$2
	if [[ $vmm == kiln ]]; then
		cmd=("$root/build/kiln" --kernel "$guest/vmlinux" --initramfs "$initrd"
			--cmdline "$cmdline" --cpus "boot=$io_cpus"
			--memory "size=${io_mem}M" --serial tty)
		# e.g. -v: the device threads' batching counters when they stop
		# shellcheck disable=SC2206
		[[ -z ${BENCH_KILN_ARGS:-} ]] || cmd+=($BENCH_KILN_ARGS)
	else
		cmd=("$io_qemu" -M q35 -accel kvm -cpu host -smp "$io_cpus"
			-m "${io_mem}M" -nodefaults -no-user-config -display none
			-no-reboot -serial stdio -kernel "$guest/vmlinux"
			-initrd "$initrd" -append "$cmdline")
	fi
}

# The image's file system: in the emulated host, ext4 made on its scratch
# disk (the virtio-blk disk whose serial is $BENCH_IO_SCRATCH); otherwise
# $BENCH_IO_DIR. Sets io_data.
setup_data_dir() {
	if [[ -z ${BENCH_IO_SCRATCH:-} ]]; then
		io_data=${BENCH_IO_DIR:-$root/build/bench/io-data}
		mkdir -p "$io_data" || return 1
		echo "backing=$(stat -f -c %T "$io_data") file system at $io_data" >>"$io_out/info"
		return 0
	fi
	# The kernel's own module autoloading would run the emulated host's
	# initramfs modprobe (busybox, no module tree): load them from here.
	modprobe virtio_blk && modprobe ext4 || return 1
	local dev='' b i=0
	# The disk's probe may finish just after modprobe returns.
	while [[ -z $dev ]] && ((i++ < 50)); do
		for b in /sys/block/vd*; do
			[[ $(cat "$b/serial" 2>/dev/null) == "$BENCH_IO_SCRATCH" ]] && dev=/dev/${b##*/}
		done
		[[ -n $dev ]] || sleep 0.1
	done
	[[ -b $dev ]] || { echo "bench: no disk with serial $BENCH_IO_SCRATCH" >&2; return 1; }
	# No lazy initialisation: ext4lazyinit would write during the runs.
	mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$dev" || return 1
	io_data=/tmp/kiln-bench-io
	mkdir -p "$io_data" && mount -o noatime "$dev" "$io_data" || return 1
	echo "backing=ext4 on the emulated host's virtio-blk disk (QEMU TCG: cache=none, aio=threads, a sparse file on the real disk)" >>"$io_out/info"
}

blk_part() {
	local size bytes img run config tmo
	size=${BENCH_IO_SIZE:-1G}
	setup_data_dir || { echo "bench: no place for the image" >&2; return 1; }
	img=$io_data/kiln-bench.img
	bytes=$(numfmt --from=iec "$size") || return 1
	echo "bench: image $img: fallocate $size, then writing it through once" >&2
	rm -f "$img"
	fallocate -l "$bytes" "$img" || return 1
	dd if=/dev/zero of="$img" bs=1M count="$((bytes / 1048576))" oflag=direct \
		conv=notrunc,fsync status=none || return 1
	echo "image_size=$size" >>"$io_out/info"
	echo "kiln_disk=path=IMG${BENCH_KILN_DISK_OPTS:+,$BENCH_KILN_DISK_OPTS}" >>"$io_out/info"

	# Six jobs, each ramp + runtime, plus fio's start and the boot.
	tmo=${BENCH_TIMEOUT:-$((240 + 12 * (io_rt + io_ramp)))}
	local cmdline="console=ttyS0 quiet panic=-1 bench_mode=blk bench_runtime=$io_rt bench_ramp=$io_ramp"
	local configs=(host kiln)
	((io_have_qemu)) && configs+=(qemu)
	declare -A dead=()
	for ((run = 1; run <= io_runs; run++)); do
		for config in "${configs[@]}"; do
			[[ -z ${dead[$config]:-} ]] || continue
			drop_caches
			echo "bench: blk $config run $run" >&2
			case $config in
			host)
				(. "$root/bench/io-fio.sh" && bench_fio "$img" "$io_rt" "$io_ramp") \
					>"$io_out/logs/blk-host-$run.log" 2>&1
				;;
			kiln)
				vmm_cmd kiln "$cmdline"
				run_guest "blk-kiln-$run" "$tmo" "${cmd[@]}" \
					--disk "path=$img${BENCH_KILN_DISK_OPTS:+,$BENCH_KILN_DISK_OPTS}"
				;;
			qemu)
				vmm_cmd qemu "$cmdline"
				run_guest "blk-qemu-$run" "$tmo" "${cmd[@]}" \
					-object iothread,id=io0 \
					-drive "file=${img//,/,,},format=raw,if=none,id=d0,cache=none,aio=io_uring" \
					-device virtio-blk-pci,drive=d0,iothread=io0
				;;
			esac
			collect "$config" "$run" FIO_ "$io_out/logs/blk-$config-$run.log" "$io_out/blk.txt"
			# A configuration that produced nothing would only burn the
			# time budget again.
			grep -q "^$config $run FIO_" "$io_out/blk.txt" || dead[$config]=1
		done
	done
	rm -f "$img"
}

# iperf3 -c ... -f m: the receiver's Mbit/s from the summary.
iperf_mbits() {
	awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) } END { print v }' "$1"
}

# net_up TAP [multi_queue]: a fresh tap with the host's address, and an
# iperf3 server on it. Fresh for each guest, so that Kiln (multi_queue when
# it has more than one queue pair) and QEMU (one pair) each get the kind
# they attach to. net_down undoes it.
net_up() {
	ip link del "$1" 2>/dev/null
	if ! { ip tuntap add dev "$1" mode tap ${2:+"$2"} &&
		ip addr add 169.254.200.1/24 dev "$1" && ip link set "$1" up; }; then
		echo "bench: cannot set up tap $1" >&2
		return 1
	fi
	iperf3 -s -B 169.254.200.1 -p 5201 >>"$io_out/logs/iperf3-server-tap.log" 2>&1 &
	io_servers+=($!)
	sleep 1
}

stop_servers() {
	local pid
	for pid in "${io_servers[@]}"; do kill "$pid" 2>/dev/null; done
	wait "${io_servers[@]}" 2>/dev/null
	io_servers=()
}

net_down() {
	stop_servers
	ip link del "$1" 2>/dev/null
	return 0
}

net_part() {
	local tap=${BENCH_IO_TAP:-kbench0} have_kiln=0 run config tmo log mq=''
	if "$root/build/kiln" --help 2>&1 | grep -q -- '--net'; then
		have_kiln=1
	else
		echo "bench: build/kiln has no --net: Kiln's network is not measured" >&2
	fi
	echo "kiln_net=$have_kiln" >>"$io_out/info"
	echo "kiln_net_opts=${BENCH_KILN_NET_OPTS:-}" >>"$io_out/info"
	# Kiln's num_queues counts rx and tx queues; more than one pair needs a
	# multi_queue tap.
	if [[ ,${BENCH_KILN_NET_OPTS:-}, =~ ,num_queues=([0-9]+), ]] && ((BASH_REMATCH[1] > 2)); then
		mq=multi_queue
	fi

	ip link set lo up # down in the emulated host

	tmo=${BENCH_TIMEOUT:-$((240 + 6 * (io_rt + io_ramp)))}
	local cmdline="console=ttyS0 quiet panic=-1 bench_mode=net bench_runtime=$io_rt bench_ramp=$io_ramp"
	local configs=(loopback)
	((have_kiln)) && configs+=(kiln-vhost-off kiln-vhost-on)
	((io_have_qemu)) && configs+=(qemu-vhost-off qemu-vhost-on)
	declare -A dead=()
	local n=${#configs[@]} k order
	for ((run = 1; run <= io_runs; run++)); do
		# Each round starts one configuration later, so a load that comes
		# and goes on a shared host does not always hit the same one.
		k=$(((run - 1) % n))
		order=("${configs[@]:k}" "${configs[@]:0:k}")
		for config in "${order[@]}"; do
			[[ -z ${dead[$config]:-} ]] || continue
			echo "bench: net $config run $run" >&2
			log=$io_out/logs/net-$config-$run.log
			case $config in
			loopback)
				iperf3 -s -B 127.0.0.1 -p 5202 >>"$io_out/logs/iperf3-server-lo.log" 2>&1 &
				io_servers+=($!)
				sleep 1
				iperf3 -c 127.0.0.1 -p 5202 -t "$io_rt" -O "$io_ramp" -f m >"$log.tx" 2>&1
				iperf3 -c 127.0.0.1 -p 5202 -t "$io_rt" -O "$io_ramp" -f m -R >"$log.rx" 2>&1
				{
					echo "NET_TX_MBITS=$(iperf_mbits "$log.tx")"
					echo "NET_RX_MBITS=$(iperf_mbits "$log.rx")"
				} >"$log"
				stop_servers
				;;
			kiln-vhost-*)
				net_up "$tap" "$mq" || return 1
				vmm_cmd kiln "$cmdline"
				run_guest "net-$config-$run" "$tmo" "${cmd[@]}" \
					--net "tap=$tap,vhost=${config##*-}${BENCH_KILN_NET_OPTS:+,$BENCH_KILN_NET_OPTS}"
				net_down "$tap"
				;;
			qemu-vhost-*)
				net_up "$tap" || return 1
				vmm_cmd qemu "$cmdline"
				run_guest "net-$config-$run" "$tmo" "${cmd[@]}" \
					-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no,vhost=${config##*-}" \
					-device virtio-net-pci,netdev=n0
				net_down "$tap"
				;;
			esac
			collect "$config" "$run" NET_ "$log" "$io_out/net.txt"
			grep -q "^$config $run NET_.._MBITS [0-9]" "$io_out/net.txt" || dead[$config]=1
		done
	done
	return 0
}

inside() {
	io_out=$1
	mkdir -p "$io_out/logs" || return 1
	: >"$io_out/blk.txt"
	: >"$io_out/net.txt"
	: >"$io_out/guests.txt"
	PATH=$PATH:/usr/sbin:/sbin
	io_rt=${BENCH_IO_RUNTIME:-10} io_ramp=${BENCH_IO_RAMP:-2} io_runs=${BENCH_IO_RUNS:-3}
	io_cpus=${BENCH_IO_CPUS:-2} io_mem=${BENCH_IO_MEM:-512}
	io_qemu=${BENCH_QEMU:-qemu-system-x86_64}
	local parts=${BENCH_IO_PARTS:-blk net}
	io_have_qemu=1
	command -v "$io_qemu" >/dev/null 2>&1 || {
		io_have_qemu=0
		echo "bench: $io_qemu not found: QEMU is skipped" >&2
	}
	{
		echo "host_kernel=$(uname -r)"
		echo "host_cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
		echo "host_cpus=$(nproc)"
		if ((io_have_qemu)); then
			echo "qemu=$("$io_qemu" --version | head -1)"
		else
			echo "qemu=none"
		fi
		echo "fio=$(fio --version)"
		echo "iperf3=$(iperf3 --version | head -1)"
		echo "runs=$io_runs"
		echo "runtime=$io_rt"
		echo "ramp=$io_ramp"
		echo "cpus=$io_cpus"
		echo "mem=$io_mem"
		echo "parts=$parts"
	} >"$io_out/info"

	# Whatever happens, no iperf3 server, tap or mount is left behind.
	io_servers=()
	trap 'stop_servers; ip link del "${BENCH_IO_TAP:-kbench0}" 2>/dev/null; [[ -z ${BENCH_IO_SCRATCH:-} ]] || umount /tmp/kiln-bench-io 2>/dev/null' EXIT

	local rc=0
	if [[ " $parts " == *" blk "* ]]; then
		blk_part || { rc=1; echo "bench: the blk part failed" >&2; }
	fi
	if [[ " $parts " == *" net "* ]]; then
		net_part || { rc=1; echo "bench: the net part failed" >&2; }
	fi
	((rc == 0)) && echo finished >"$io_out/complete"
	return $rc
}
