# needs: guest-tools
# Runs as /test.sh with two empty disks: vda (num_queues=2, 2 vCPUs) and
# vdb (direct=on). Each gets an ext4 file system with a few files of random
# data; their md5s are printed, the file systems synced and unmounted. The
# host checks the images with e2fsck and reads the files back with debugfs.
echo "KILN_VDA_MQ=$(ls /sys/block/vda/mq 2>/dev/null | wc -l)"
echo "KILN_VDB_MQ=$(ls /sys/block/vdb/mq 2>/dev/null | wc -l)"
echo "KILN_VDB_BLOCK=$(cat /sys/block/vdb/queue/logical_block_size)"
# The negotiated feature bits of each disk's virtio device, bit 0 first
# (vda has packed=on: bit 34, VIRTIO_F_RING_PACKED).
echo "KILN_VDA_FEATURES=$(cat /sys/block/vda/device/features)"
echo "KILN_VDB_FEATURES=$(cat /sys/block/vdb/device/features)"
mkdir -p /mnt
# e2fsprogs' mke2fs (guest-tools), not busybox's ext2-only one in /sbin
for d in vda vdb; do
	if ! /usr/bin/mke2fs -q -F -t ext4 /dev/$d >/tmp/mkfs.log 2>&1; then
		echo "KILN_EXT4_${d}=mkfs-failed: $(tr '\n' ' ' </tmp/mkfs.log)"
		continue
	fi
	mount -t ext4 /dev/$d /mnt || { echo "KILN_EXT4_${d}=mount-failed"; continue; }
	head -c 3145728 /dev/urandom >/mnt/big
	head -c 1048576 /dev/urandom >/mnt/medium
	mkdir /mnt/dir
	head -c 70000 /dev/urandom >/mnt/dir/small
	for f in big medium dir/small; do
		echo "KILN_MD5_${d}_$(echo $f | tr / _)=$(md5sum </mnt/$f | cut -c1-32)"
	done
	sync
	umount /mnt && echo "KILN_EXT4_${d}=ok" || echo "KILN_EXT4_${d}=umount-failed"
done
