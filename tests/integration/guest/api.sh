# Runs as /test.sh: a counter the host watches through the API's pause and
# resume (it must stop while paused and go on afterwards). With a disk, each
# tick is also written to sector N of vda and flushed, so the host can check
# that none went missing or came twice across a snapshot and restore.
i=0
while :; do
	i=$((i + 1))
	if [ -b /dev/vda ]; then
		printf 'tick %08d\n' $i | dd of=/dev/vda bs=512 seek=$i conv=fsync 2>/dev/null
	fi
	echo "KILN_TICK=$i"
	sleep 0.2
done
