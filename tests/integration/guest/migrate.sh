# Runs as /test.sh for the live migration test: a counter on the console,
# a 16 MiB file of random bytes in the initramfs's RAM-backed root whose
# md5 is printed now and again (it must not change across the migration),
# a writer that keeps dirtying 1 MiB of memory, and a reader of the
# virtio-rng device (so a virtio device works across it too).
dd if=/dev/urandom of=/pattern bs=1M count=16 2>/dev/null
echo "KILN_MD5=$(md5sum </pattern | cut -d' ' -f1)"
while :; do
	dd if=/dev/urandom of=/churn bs=64k count=16 2>/dev/null
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
	[ $((i % 25)) = 0 ] && echo "KILN_MD5=$(md5sum </pattern | cut -d' ' -f1)"
	sleep 0.2
done
