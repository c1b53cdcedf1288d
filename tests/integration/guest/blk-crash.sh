# Runs as /test.sh with vda (read-write, zeroed) and vdb (read-only, 1 MiB
# of random data from the host). Copies vdb to the start of vda and flushes
# (dd conv=fsync), prints the md5, then keeps writing elsewhere on vda
# without flushing until the host kills Kiln with SIGKILL. The flushed
# copy must be in the image byte for byte.
dd if=/dev/vdb of=/dev/vda bs=65536 count=16 conv=fsync 2>/dev/null
echo "KILN_CRASH_FLUSHED_MD5=$(dd if=/dev/vda bs=65536 count=16 2>/dev/null | md5sum | cut -c1-32)"
i=0
while :; do
	dd if=/dev/urandom of=/dev/vda bs=65536 seek=$((32 + i % 16)) count=1 2>/dev/null
	i=$((i + 1))
done
