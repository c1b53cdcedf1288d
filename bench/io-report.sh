# shellcheck shell=bash
# bench/io's markdown report (sourced by bench/io): io_report DIR prints the
# section for the raw results in DIR (see bench/io-run.sh for their shape).
# Needs $guest (build/guest) for the guest kernel's version.

# medians FILE: "CONFIG KEY MEDIAN" for each configuration and key, over runs.
io_medians() {
	awk '
	$4 ~ /^[0-9.]+$/ { k = $1 " " $3; v[k] = v[k] " " $4 }
	END {
		for (k in v) {
			n = split(v[k], a, " ")
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
			print k, (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
		}
	}' "$1"
}

# io_table MEDIANS ROWS COLUMNS RATIOS: one markdown table.
#   ROWS     "KEY|label;..."   COLUMNS "CONFIG|header;..."
#   RATIOS   "CONFIG/CONFIG|header;..." (numerator / denominator)
io_table() {
	awk -v rows="$2" -v cols="$3" -v ratios="$4" '
	{ m[$1 " " $2] = $3 }
	function cell(c, k) { return (c " " k) in m ? m[c " " k] : "" }
	END {
		nr = split(rows, R, ";"); nc = split(cols, C, ";"); nq = split(ratios, Q, ";")
		h = "| |"; s = "|---|"
		for (i = 1; i <= nc; i++) { split(C[i], p, "|"); h = h " " p[2] " |"; s = s "---:|" }
		for (i = 1; i <= nq; i++) { split(Q[i], p, "|"); h = h " " p[2] " |"; s = s "---:|" }
		print h; print s
		for (r = 1; r <= nr; r++) {
			split(R[r], rk, "|"); line = "| " rk[2] " |"
			for (i = 1; i <= nc; i++) {
				split(C[i], p, "|"); x = cell(p[1], rk[1])
				line = line " " (x == "" ? "–" : sprintf("%.0f", x)) " |"
			}
			for (i = 1; i <= nq; i++) {
				split(Q[i], p, "|"); split(p[1], d, "/")
				a = cell(d[1], rk[1]); b = cell(d[2], rk[1])
				line = line " " (a == "" || b == "" || b + 0 == 0 ? "–" : sprintf("%.2f", a / b)) " |"
			}
			print line
		}
	}' "$1"
}

io_report() {
	local dir=$1
	info() { grep -m1 "^$1=" "$dir/info" | cut -d= -f2-; }
	local emulated elapsed commit machine where host_cpu_here guest_kernel
	emulated=$(sed -n 's/^emulated=//p' "$dir/meta")
	elapsed=$(sed -n 's/^elapsed=//p' "$dir/meta")
	commit=$(sed -n 's/^commit=//p' "$dir/meta")
	host_cpu_here=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
	if ((emulated)); then
		machine="emulated host: QEMU TCG qemu64,+svm,+npt on $host_cpu_here, nested KVM (host kernel $(info host_kernel), $(info host_cpus) vCPUs)"
		where='emulated host'
	else
		machine="$(info host_cpu), $(info host_cpus) CPUs, kernel $(info host_kernel)"
		where=$(info host_cpu)
	fi
	# The bzImage names its version at 0x200 + the setup header's kernel_version.
	# shellcheck disable=SC2154 # $guest: set by bench/io
	guest_kernel=$(off=$(od -An -tu2 -j526 -N2 "$guest/vmlinuz" | tr -d ' ') &&
		dd if="$guest/vmlinuz" bs=1 skip=$((off + 512)) count=200 status=none |
		tr '\0' '\n' | head -1 | cut -d' ' -f1)

	echo "### $(date -u '+%Y-%m-%d %H:%M UTC') — I/O, $where"
	echo
	echo "- Machine: $machine"
	echo "- Kiln commit: $commit"
	echo "- QEMU: $(info qemu); $(info fio); $(info iperf3)"
	echo "- Guest: kernel $guest_kernel (PVH vmlinux), $(info cpus) vCPU(s), $(info mem) MiB, build/guest/initramfs.cpio.gz + fio + iperf3"
	echo "- $(info runs) round(s), configurations interleaved, medians; each fio job and iperf3 run $(info runtime) s after $(info ramp) s of warm-up; full run took $((elapsed / 60)) min $((elapsed % 60)) s"

	local med
	if [[ " $(info parts) " == *" blk "* ]]; then
		med=$(io_medians "$dir/blk.txt")
		echo
		echo "virtio-blk: fio (libaio, direct=1) in the guest on /dev/vda; \"host\" runs the same jobs on the image file. Image: $(info image_size) raw, fallocate'd and written through once; $(info backing)."
		echo "Kiln: \`--disk $(info kiln_disk)\`. QEMU: \`-M q35 -accel kvm -cpu host -object iothread,id=io0 -drive file=IMG,format=raw,if=none,id=d0,cache=none,aio=io_uring -device virtio-blk-pci,drive=d0,iothread=io0\`."
		echo
		io_table <(echo "$med") \
			"FIO_randread_qd1_iops|4 KiB random read, QD1 (IOPS);FIO_randread_qd32_iops|4 KiB random read, QD32 (IOPS);FIO_randwrite_qd1_iops|4 KiB random write, QD1 (IOPS);FIO_randwrite_qd32_iops|4 KiB random write, QD32 (IOPS);FIO_seqread_mibs|1 MiB sequential read, QD8 (MiB/s);FIO_seqwrite_mibs|1 MiB sequential write, QD8 (MiB/s)" \
			"host|host;kiln|Kiln;qemu|QEMU" \
			"kiln/host|Kiln / host;kiln/qemu|Kiln / QEMU"
	fi
	if [[ " $(info parts) " == *" net "* ]]; then
		med=$(io_medians "$dir/net.txt")
		echo
		echo "virtio-net: iperf3 TCP, one stream, receiver's Mbit/s; the guest (169.254.200.2) against the host on the tap (169.254.200.1); \"loopback\" is iperf3 over the host's lo."
		echo "Kiln: \`--net tap=NAME,vhost=off|on$(info kiln_net_opts | sed 's/^./,&/')\`. QEMU: \`-netdev tap,ifname=NAME,script=no,downscript=no,vhost=off|on -device virtio-net-pci\`."
		if [[ $(info kiln_net) != 1 ]]; then
			echo "**Kiln not measured: this build/kiln has no --net.**"
		fi
		echo
		io_table <(echo "$med") \
			"NET_TX_MBITS|guest -> host (Mbit/s);NET_RX_MBITS|host -> guest (Mbit/s)" \
			"loopback|loopback;kiln-vhost-off|Kiln vhost=off;qemu-vhost-off|QEMU vhost=off;kiln-vhost-on|Kiln vhost=on;qemu-vhost-on|QEMU vhost=on" \
			"kiln-vhost-off/qemu-vhost-off|Kiln off / QEMU off;kiln-vhost-on/qemu-vhost-on|Kiln on / QEMU on;kiln-vhost-off/qemu-vhost-on|Kiln off / QEMU on;kiln-vhost-on/loopback|Kiln on / loopback"
	fi

	# What did not work, from the raw results.
	local notes
	notes=$(
		awk '$3 != 0 { printf "- %s run %s: the VMM exited with status %s after %s s (build/bench/io-last/logs)\n", $1, $2, $3, $4 }' "$dir/guests.txt"
		grep -h '_error ' "$dir/blk.txt" "$dir/net.txt" 2>/dev/null | sed 's/^/- fio error: /'
		[[ -f $dir/complete ]] || echo "- The run did not complete (status $(sed -n 's/^status=//p' "$dir/meta"))."
	)
	if [[ -n $notes ]]; then
		echo
		echo "$notes"
	fi
	if ((emulated)); then
		echo
		echo "Emulated host: every number above comes from KVM nested inside QEMU TCG, far slower than"
		echo "real hardware in absolute terms. Only the ratios, measured side by side in the same run,"
		echo "mean anything."
	fi
}
