# needs: guest-tools
# Runs as /test.sh with two disks: vda read-write (zeroed 4 MiB image),
# vdb read-only (a known pattern). The host checks the images afterwards.
echo "KILN_BLK_DEVS=$(ls /sys/block | grep '^vd' | tr '\n' ' ')"
echo "KILN_VDA_SECTORS=$(cat /sys/block/vda/size)"
echo "KILN_VDB_RO=$(cat /sys/block/vdb/ro)"
# 64 KiB of random data at 128 KiB into vda; conv=fsync makes dd flush, and
# Kiln completes a flush only once the data is on the host's disk.
head -c 65536 /dev/urandom >/tmp/pattern
dd if=/tmp/pattern of=/dev/vda bs=4096 seek=32 conv=fsync 2>/dev/null
echo "KILN_VDA_WRITTEN_MD5=$(md5sum </tmp/pattern | cut -c1-32)"
echo 3 >/proc/sys/vm/drop_caches
echo "KILN_VDA_READ_MD5=$(dd if=/dev/vda bs=4096 skip=32 count=16 2>/dev/null | md5sum | cut -c1-32)"
echo "KILN_VDB_MD5=$(dd if=/dev/vdb bs=4096 count=16 2>/dev/null | md5sum | cut -c1-32)"
if dd if=/tmp/pattern of=/dev/vdb bs=4096 count=1 conv=fsync 2>/dev/null; then
	echo "KILN_VDB_WRITE=accepted"
else
	echo "KILN_VDB_WRITE=refused"
fi
# Write-zeroes and discard: 384 KiB of random data at 2 MiB, flushed;
# then util-linux's blkdiscard -z zeroes its first 64 KiB (BLKZEROOUT:
# virtio WRITE_ZEROES without UNMAP), blkdiscard without -z discards its
# third (DISCARD) and util-linux's fallocate -p punches its fifth
# (WRITE_ZEROES with UNMAP). The guest reads it back past its page cache;
# the host compares.
head -c 393216 /dev/urandom >/tmp/zd
dd if=/tmp/zd of=/dev/vda bs=4096 seek=512 conv=fsync 2>/dev/null
echo "KILN_VDA_WZ_MAX=$(cat /sys/block/vda/queue/write_zeroes_max_bytes)"
/usr/bin/blkdiscard -z -o 2097152 -l 65536 /dev/vda && echo "KILN_VDA_ZEROOUT=ok"
blkdiscard -o 2228224 -l 65536 /dev/vda && echo "KILN_VDA_DISCARD=ok"
/usr/bin/fallocate -p -o 2359296 -l 65536 /dev/vda && echo "KILN_VDA_PUNCH=ok"
sync
echo "KILN_VDA_DISCARDS=$(awk '{ print $12 }' /sys/block/vda/stat)"
for i in 0 1 2 3 4 5; do
	echo "KILN_ZD_DATA_$i=$(dd if=/tmp/zd bs=65536 skip=$i count=1 2>/dev/null | md5sum | cut -c1-32)"
done
echo 3 >/proc/sys/vm/drop_caches
for i in 0 1 2 3 4 5; do
	echo "KILN_ZD_READ_$i=$(dd if=/dev/vda bs=65536 skip=$((32 + i)) count=1 2>/dev/null | md5sum | cut -c1-32)"
done
