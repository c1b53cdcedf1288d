#!/bin/sh
# /test.sh of bench/io's guest (busybox sh; fio, iperf3 and their libraries
# appended to the default initramfs, bench/io-fio.sh as /bench-fio.sh).
# Kernel command-line words the kernel does not know reach init, and so this
# script, as environment variables:
#   bench_mode=blk  fio on /dev/vda (bench_fio in /bench-fio.sh)
#   bench_mode=net  iperf3 against the host at 169.254.200.1 (an iperf3
#                   server listens there on the tap): guest -> host, then
#                   host -> guest (-R), printing NET_TX_MBITS / NET_RX_MBITS
#                   (the receiver's Mbit/s over the whole run)
#   bench_runtime=S, bench_ramp=S   seconds per job, seconds of warm-up
# Results are KEY=value lines on the console; bench/io reads them.
rt=${bench_runtime:-10}
ramp=${bench_ramp:-2}

case ${bench_mode:-} in
blk)
	. /bench-fio.sh
	echo "BENCH_VDA_SECTORS=$(cat /sys/block/vda/size)"
	q=/sys/block/vda/queue
	echo "BENCH_VDA_QUEUE=hw_queues=$(ls -d /sys/block/vda/mq/* | wc -l) nr_requests=$(cat $q/nr_requests) max_segments=$(cat $q/max_segments) max_sectors_kb=$(cat $q/max_sectors_kb) logical_block=$(cat $q/logical_block_size) scheduler=$(cat $q/scheduler)"
	bench_fio /dev/vda "$rt" "$ramp"
	;;
net)
	dev=
	for d in /sys/class/net/*; do
		[ "${d##*/}" = lo ] || { dev=${d##*/}; break; }
	done
	[ -n "$dev" ] || { echo "NET_ERROR=no network interface"; exit 1; }
	ip link set "$dev" up
	ip addr add 169.254.200.2/24 dev "$dev"
	i=0
	until ping -c 1 -W 1 169.254.200.1 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 30 ] || { echo "NET_ERROR=host 169.254.200.1 unreachable"; exit 1; }
	done
	# The receiver's line of iperf3's summary: "... 941 Mbits/sec  receiver".
	mbits() { awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) } END { print v }' "$1"; }
	iperf3 -c 169.254.200.1 -t "$rt" -O "$ramp" -f m >/tmp/tx.txt 2>&1
	echo "NET_TX_MBITS=$(mbits /tmp/tx.txt)"
	iperf3 -c 169.254.200.1 -t "$rt" -O "$ramp" -f m -R >/tmp/rx.txt 2>&1
	echo "NET_RX_MBITS=$(mbits /tmp/rx.txt)"
	# On failure the output says why.
	grep -q receiver /tmp/tx.txt || sed 's/^/iperf3 tx: /' /tmp/tx.txt
	grep -q receiver /tmp/rx.txt || sed 's/^/iperf3 rx: /' /tmp/rx.txt
	;;
*)
	echo "BENCH_ERROR=bench_mode '${bench_mode:-}' is neither blk nor net"
	exit 1
	;;
esac
