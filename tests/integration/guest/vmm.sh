# Runs as /test.sh in a VM that the API created and booted (cases/vmm.sh):
# it reports what it was given, uses its virtio-blk disk and virtio-rng,
# and powers off (the /init does), which must leave the VMM serving.
echo "KILN_VMM_NPROC=$(nproc)"
echo "KILN_VMM_CMDLINE=$(cat /proc/cmdline)"
echo "KILN_VMM_RNG=$(timeout 10 head -c 8 /dev/hwrng | od -An -tx1 | tr -d ' \n')"
printf 'written by the vm.create guest\n' | dd of=/dev/vda bs=512 count=1 conv=sync,fsync 2>/dev/null
echo 3 >/proc/sys/vm/drop_caches
echo "KILN_VMM_DISK=$(head -c 30 /dev/vda)"
