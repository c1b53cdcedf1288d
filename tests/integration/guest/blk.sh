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
