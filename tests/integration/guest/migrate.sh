# Runs as /test.sh for the live migration test: a counter on the console,
# a 16 MiB file of random bytes in the initramfs's RAM-backed root whose
# md5 is printed now and again (it must not change across the migration),
# also written to the start of the virtio-blk disk and read back from the
# device (page cache dropped) with the same md5, a writer that keeps
# dirtying 1 MiB of memory and writing to the disk's second half, and a
# reader of the virtio-rng device.
dd if=/dev/urandom of=/pattern bs=1M count=16 2>/dev/null
echo "KILN_MD5=$(md5sum </pattern | cut -d' ' -f1)"
dd if=/pattern of=/dev/vda bs=1M conv=fsync 2>/dev/null
while :; do
	dd if=/dev/urandom of=/churn bs=64k count=16 2>/dev/null
	dd if=/churn of=/dev/vda bs=64k seek=512 conv=fsync 2>/dev/null
	sleep 0.1
done &
while :; do
	echo "KILN_RNG=$(timeout 10 head -c 8 /dev/hwrng | od -An -tx1 | tr -d ' \n')"
	sleep 1
done &
i=0
while :; do
	i=$((i + 1))
	echo "KILN_TICK=$i"
	if [ $((i % 25)) = 0 ]; then
		echo "KILN_MD5=$(md5sum </pattern | cut -d' ' -f1)"
		sync
		echo 3 >/proc/sys/vm/drop_caches
		echo "KILN_DISK_MD5=$(head -c 16777216 /dev/vda | md5sum | cut -d' ' -f1)"
	fi
	sleep 0.2
done
