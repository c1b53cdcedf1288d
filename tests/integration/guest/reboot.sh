# Runs as /test.sh: reboot the guest the way a user would (busybox reboot
# signals init, which reboots); Kiln must exit with its reboot status.
echo "KILN_REBOOTING"
reboot
