# Runs as /test.sh with --rng: the guest's virtio-rng driver must bind to
# Kiln's virtio-pci device over MSI-X, and /dev/hwrng must give bytes that
# are not all the same.
echo "KILN_RNG_CURRENT=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
echo "KILN_RNG_PCI=$(cat /sys/bus/pci/devices/*/device 2>/dev/null | tr '\n' ' ')"
grep virtio /proc/interrupts | sed 's/^/KILN_RNG_IRQ: /'
sample=$(timeout 20 head -c 4096 /dev/hwrng | od -An -v -tx1 | tr -s ' \n' '\n' | grep .)
echo "KILN_RNG_BYTES=$(printf '%s\n' "$sample" | grep -c .)"
echo "KILN_RNG_DISTINCT=$(printf '%s\n' "$sample" | sort -u | grep -c .)"
grep virtio /proc/interrupts | sed 's/^/KILN_RNG_IRQ_AFTER: /'
