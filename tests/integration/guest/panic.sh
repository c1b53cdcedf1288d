# Runs as /test.sh: crash the guest kernel; pvpanic must tell Kiln.
echo "KILN_PANICKING"
echo c > /proc/sysrq-trigger
