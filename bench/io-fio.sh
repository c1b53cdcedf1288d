# shellcheck shell=sh
# The fio jobs of bench/io, sourced both by the guest's /test.sh (busybox sh,
# against /dev/vda) and by bench/io on the host (against the image file the
# guest's disk is backed by), so both run exactly the same jobs.
#
# bench_fio TARGET RUNTIME RAMP
#   Runs each job for RUNTIME seconds after RAMP seconds of warm-up, one after
#   the other, with libaio and O_DIRECT (direct=1: no page cache in the way,
#   neither the guest's nor the host's), and prints one line per number:
#     FIO_randread_qd1_iops=N    4 KiB random reads, 1 in flight
#     FIO_randread_qd32_iops=N   4 KiB random reads, 32 in flight
#     FIO_randwrite_qd1_iops=N   4 KiB random writes, 1 in flight
#     FIO_randwrite_qd32_iops=N  4 KiB random writes, 32 in flight
#     FIO_seqread_mibs=N         1 MiB sequential reads, 8 in flight: MiB/s
#     FIO_seqwrite_mibs=N        1 MiB sequential writes, 8 in flight: MiB/s
#   A job that fails prints FIO_<job>_error=<fio's message> instead.
#   On /dev/vda (in the guest, a virtio request queue) each job also
#   prints BENCH_<job>_irqs=N, the disk's interrupts during the job, and
#   BENCH_<job>_ios=N, the disk's completed reads and writes (both with
#   the warm-up).

# The interrupts of virtio request queues so far (0 where there are none).
bench_irqs() {
	awk '/virtio[0-9]+-req/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i } END { print n + 0 }' /proc/interrupts
}

# Reads and writes /dev/vda completed so far.
bench_ios() {
	awk '{ print $1 + $5 }' /sys/block/vda/stat 2>/dev/null || echo 0
}

bench_fio() {
	_target=$1 _runtime=$2 _ramp=$3
	for _job in randread_qd1 randread_qd32 randwrite_qd1 randwrite_qd32 seqread seqwrite; do
		case $_job in
		randread_qd1) _rw=randread _bs=4k _qd=1 ;;
		randread_qd32) _rw=randread _bs=4k _qd=32 ;;
		randwrite_qd1) _rw=randwrite _bs=4k _qd=1 ;;
		randwrite_qd32) _rw=randwrite _bs=4k _qd=32 ;;
		seqread) _rw=read _bs=1m _qd=8 ;;
		seqwrite) _rw=write _bs=1m _qd=8 ;;
		esac
		# Terse format version 3: ';'-separated; field 5 is the error
		# number, 7/8 the read bandwidth (KiB/s) and IOPS, 48/49 the
		# write ones.
		_irq0=$(bench_irqs) _ios0=$(bench_ios)
		_line=$(fio --name="$_job" --filename="$_target" --rw="$_rw" \
			--bs="$_bs" --iodepth="$_qd" --ioengine=libaio --direct=1 \
			--runtime="$_runtime" --ramp_time="$_ramp" --time_based \
			--randrepeat=0 --norandommap --thread \
			--output-format=terse --terse-version=3 2>/tmp/bench-fio.err)
		_rc=$?
		_irq1=$(bench_irqs) _ios1=$(bench_ios)
		_err=$(echo "$_line" | cut -d';' -f5)
		if [ $_rc -ne 0 ] || [ "${_err:-1}" != 0 ]; then
			echo "FIO_${_job}_error=status $_rc: $(tr '\n' ' ' </tmp/bench-fio.err | cut -c1-200)"
			continue
		fi
		case $_job in
		randread_*) echo "FIO_${_job}_iops=$(echo "$_line" | cut -d';' -f8)" ;;
		randwrite_*) echo "FIO_${_job}_iops=$(echo "$_line" | cut -d';' -f49)" ;;
		seqread) echo "FIO_seqread_mibs=$(($(echo "$_line" | cut -d';' -f7) / 1024))" ;;
		seqwrite) echo "FIO_seqwrite_mibs=$(($(echo "$_line" | cut -d';' -f48) / 1024))" ;;
		esac
		if [ "$_target" = /dev/vda ] && [ "$_irq1" != 0 ]; then
			echo "BENCH_${_job}_irqs=$((_irq1 - _irq0))"
			echo "BENCH_${_job}_ios=$((_ios1 - _ios0))"
		fi
	done
}
