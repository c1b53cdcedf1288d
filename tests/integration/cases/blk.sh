# virtio-blk (sourced by in-host.sh; helpers boot, value, pass, fail).
#
# 1. Two disks, one read-only: raw reads and flushed writes; write-zeroes
#    and discard.
# 2. ext4 made by the guest's mke2fs on a 2-queue disk with packed
#    virtqueues (packed=on; 2 vCPUs) and on an O_DIRECT disk with split
#    ones; the host checks the file systems with e2fsck and every file's
#    md5 with debugfs.
# 3. SIGKILL after a flush: the flushed data is in the image.

# virtio-blk: a read-write and a read-only disk. What the guest wrote and
# flushed must be in the image file, byte for byte; the read-only image
# must be untouched.
# vda on a file system that punches holes where there is one (the emulated
# host's /tmp is tmpfs; $out, its 9p share, cannot), so that discard and
# unmapping write-zeroes really free blocks: see the checks below.
vda_dir=$(mktemp -d /tmp/kiln-blk.XXXXXX 2>/dev/null) || vda_dir=$out
vda=$vda_dir/vda.img
head -c $((4 << 20)) /dev/zero >"$vda"
head -c $((1 << 20)) /dev/urandom >"$out/vdb.img"
vdb_before=$(md5sum <"$out/vdb.img" | cut -c1-32)
boot blk "$guest/vmlinux" "$imgs/blk.img" 300 --memory size=256M \
	--disk path="$vda" --disk path="$out/vdb.img",readonly=on,id=ro-disk
rc=$?
log=$out/blk.log
[ $rc -eq 0 ] && pass "virtio-blk guest powers off" || fail "virtio-blk boot: status $rc"
[ "$(value KILN_BLK_DEVS "$log")" = "vda vdb " ] && pass "guest sees vda and vdb" ||
	fail "virtio-blk devices: '$(value KILN_BLK_DEVS "$log")'"
[ "$(value KILN_VDA_SECTORS "$log")" = 8192 ] && pass "vda has 8192 sectors" ||
	fail "vda size: '$(value KILN_VDA_SECTORS "$log")' sectors"
written=$(value KILN_VDA_WRITTEN_MD5 "$log")
on_host=$(dd if="$vda" bs=4096 skip=32 count=16 2>/dev/null | md5sum | cut -c1-32)
if [ -n "$written" ] && [ "$written" = "$on_host" ] &&
	[ "$(value KILN_VDA_READ_MD5 "$log")" = "$written" ]; then
	pass "flushed guest write is in the image ($written)"
else
	fail "vda: guest wrote '$written', read back '$(value KILN_VDA_READ_MD5 "$log")', image has '$on_host'"
fi
[ "$(value KILN_VDB_MD5 "$log")" = "$(head -c 65536 "$out/vdb.img" | md5sum | cut -c1-32)" ] &&
	pass "read-only disk reads back the host's bytes" || fail "vdb contents differ"
if [ "$(value KILN_VDB_RO "$log")" = 1 ] && [ "$(value KILN_VDB_WRITE "$log")" = refused ] &&
	[ "$(md5sum <"$out/vdb.img" | cut -c1-32)" = "$vdb_before" ]; then
	pass "read-only disk: guest sees ro, write refused, image unchanged"
else
	fail "vdb: ro=$(value KILN_VDB_RO "$log") write=$(value KILN_VDB_WRITE "$log")"
fi
# Write-zeroes and discard (fallocate on Kiln's io_uring): of 384 KiB of
# flushed data, 64 KiB pieces zeroed (0: BLKZEROOUT, no unmap; 4: punched,
# write-zeroes with unmap) and discarded (2); the others intact. A discard
# is advisory: it reads back as zeroes where the image's file system
# punches holes, else the data stays.
zero64=$(head -c 65536 /dev/zero | md5sum | cut -c1-32)
punch=$vda_dir/punch-probe
head -c 8192 /dev/urandom >"$punch"
if fallocate -p -o 0 -l 4096 "$punch" 2>/dev/null; then discarded=zero; else discarded=data; fi
rm -f "$punch"
blocks_now=$(stat -c %b "$vda")
zd_bad=
for i in 0 1 2 3 4 5; do
	case $i in
	0 | 4) want=$zero64 ;;
	2) [ $discarded = zero ] && want=$zero64 || want=$(value KILN_ZD_DATA_2 "$log") ;;
	*) want=$(value "KILN_ZD_DATA_$i" "$log") ;;
	esac
	img_md5=$(dd if="$vda" bs=65536 skip=$((32 + i)) count=1 2>/dev/null | md5sum | cut -c1-32)
	[ -n "$want" ] && [ "$img_md5" = "$want" ] && [ "$(value "KILN_ZD_READ_$i" "$log")" = "$want" ] ||
		zd_bad="$zd_bad $i(want $want, image $img_md5, guest $(value "KILN_ZD_READ_$i" "$log"))"
done
# Where holes can be punched, the discarded and the punched piece freed
# their blocks: the image (4 MiB written in full) has fewer.
if [ $discarded = zero ] && [ "$blocks_now" -gt $(((4 << 20) / 512 - 2 * 65536 / 512)) ]; then
	zd_bad="$zd_bad blocks($blocks_now: no hole)"
fi
if [ "$(value KILN_VDA_ZEROOUT "$log")" = ok ] && [ "$(value KILN_VDA_DISCARD "$log")" = ok ] &&
	[ "$(value KILN_VDA_PUNCH "$log")" = ok ] &&
	[ "$(value KILN_VDA_WZ_MAX "$log")" -gt 0 ] 2>/dev/null &&
	[ "$(value KILN_VDA_DISCARDS "$log")" -gt 0 ] 2>/dev/null && [ -z "$zd_bad" ] &&
	! grep -aq "virtio-blk: \(write-zeroes\|discard\) at byte" "$log"; then
	pass "write-zeroes and discard: image and guest agree (zeroed, discarded: $discarded, data intact)"
else
	fail "write-zeroes/discard: $(grep -a "virtio-blk: .* at byte" "$log" | head -2 | tr '\n' ' ')zeroout=$(value KILN_VDA_ZEROOUT "$log") discard=$(value KILN_VDA_DISCARD "$log") punch=$(value KILN_VDA_PUNCH "$log") wz_max=$(value KILN_VDA_WZ_MAX "$log") discards=$(value KILN_VDA_DISCARDS "$log");$zd_bad"
fi
[ "$vda_dir" = "$out" ] || rm -rf "$vda_dir"

# ---- ext4, multiqueue, O_DIRECT ------------------------------------------
# O_DIRECT needs a file system that takes it: $out (9p here) may, tmpfs
# (before Linux 6.6) does not; else the image goes behind a loop device,
# which always does.
truncate -s 64M "$out/ext4-mq.img"
truncate -s 64M "$out/ext4-direct.img"
direct_dev=$out/ext4-direct.img
if ! dd if=/dev/zero of="$direct_dev" bs=4096 count=1 conv=notrunc oflag=direct 2>/dev/null; then
	modprobe loop 2>/dev/null
	direct_dev=$(losetup -f --show "$out/ext4-direct.img") ||
		fail "direct=on: neither $out nor a loop device takes O_DIRECT here"
fi
boot blk-ext4 "$guest/vmlinux" "$imgs/blk-ext4.img" 300 --cpus boot=2 --memory size=256M -v \
	--disk path="$out/ext4-mq.img",num_queues=2,packed=on \
	--disk path="$direct_dev",direct=on
rc=$?
log=$out/blk-ext4.log
[ $rc -eq 0 ] && pass "virtio-blk ext4 guest powers off" || fail "virtio-blk ext4 boot: status $rc"
# -v: Kiln says how each disk is served (io_uring unless the kernel refuses)
grep -aq "ext4-mq.img: .* 2 queue(s), io_uring I/O" "$log" &&
	grep -aq "ext4-direct.img: .* io_uring I/O with O_DIRECT" "$log" &&
	pass "both disks served by io_uring (2 queues; O_DIRECT)" ||
	fail "disk backends: $(grep -a 'virtio-blk:' "$log" | tr '\n' ' ')"
[ "$(value KILN_VDA_MQ "$log")" = 2 ] && pass "guest sees 2 queues on the num_queues=2 disk" ||
	fail "vda queues in /sys/block/vda/mq: '$(value KILN_VDA_MQ "$log")'"
# /sys/.../features is one 0/1 per bit from bit 0: bit 34 is character 35
vda_feat=$(value KILN_VDA_FEATURES "$log")
vdb_feat=$(value KILN_VDB_FEATURES "$log")
[ "${vda_feat:34:1}" = 1 ] && [ "${vdb_feat:34:1}" = 0 ] &&
	pass "packed=on disk negotiated VIRTIO_F_RING_PACKED (bit 34), the other did not" ||
	fail "RING_PACKED: vda features '$vda_feat', vdb '$vdb_feat'"
check_ext4() { # DISK IMAGE WHAT
	local d=$1 img=$2 what=$3 f want got bad=
	if [ "$(value "KILN_EXT4_$d" "$log")" != ok ]; then
		fail "$what: guest says '$(value "KILN_EXT4_$d" "$log")'"
		return
	fi
	if e2fsck -fn "$img" >"$out/e2fsck-$d.log" 2>&1; then
		pass "$what: e2fsck -fn finds the file system clean"
	else
		fail "$what: e2fsck -fn: $(tail -3 "$out/e2fsck-$d.log" | tr '\n' ' ')"
	fi
	for f in big medium dir/small; do
		want=$(value "KILN_MD5_${d}_$(echo $f | tr / _)" "$log")
		got=$(debugfs -R "cat /$f" "$img" 2>/dev/null | md5sum | cut -c1-32)
		[ -n "$want" ] && [ "$want" = "$got" ] || bad="$bad $f($want/$got)"
	done
	[ -z "$bad" ] && pass "$what: every file reads back on the host with the guest's md5" ||
		fail "$what: md5 differs:$bad"
}
check_ext4 vda "$out/ext4-mq.img" "ext4 on a 2-queue packed-ring disk"
[ "$direct_dev" = "$out/ext4-direct.img" ] || losetup -d "$direct_dev"
check_ext4 vdb "$out/ext4-direct.img" "ext4 on a direct=on disk ($direct_dev)"
rm -f "$out/ext4-mq.img" "$out/ext4-direct.img"

# ---- durability across SIGKILL -------------------------------------------
head -c $((4 << 20)) /dev/zero >"$out/crash.img"
head -c $((1 << 20)) /dev/urandom >"$out/crash-pattern.img"
"$kiln" --kernel "$guest/vmlinux" --initramfs "$imgs/blk-crash.img" \
	--cmdline "console=ttyS0 panic=0" --memory size=256M \
	--disk path="$out/crash.img" --disk path="$out/crash-pattern.img",readonly=on \
	</dev/null >"$out/blk-crash.log" 2>&1 &
crash_pid=$!
crash_start=$SECONDS
for _ in $(seq 1 360); do
	grep -aq "^KILN_CRASH_FLUSHED_MD5=" "$out/blk-crash.log" && break
	kill -0 $crash_pid 2>/dev/null || break
	sleep 0.5
done
sleep 2 # the unflushed writes run a while
kill -9 $crash_pid 2>/dev/null
wait $crash_pid 2>/dev/null
echo "  (blk-crash: killed after $((SECONDS - crash_start)) s)"
flushed=$(value KILN_CRASH_FLUSHED_MD5 "$out/blk-crash.log")
if [ -z "$flushed" ]; then
	fail "SIGKILL durability: the guest never reported its flush"
elif [ "$flushed" = "$(md5sum <"$out/crash-pattern.img" | cut -c1-32)" ] &&
	cmp -n $((1 << 20)) "$out/crash.img" "$out/crash-pattern.img" >/dev/null; then
	pass "SIGKILL after a flush: the flushed 1 MiB is in the image byte for byte"
else
	fail "SIGKILL durability: image differs from what the guest flushed ($(cmp -n $((1 << 20)) "$out/crash.img" "$out/crash-pattern.img" 2>&1))"
fi
