# Runs as /test.sh: reboot the guest; Kiln must exit with its reboot status.
echo "KILN_REBOOTING"
reboot -f
