# Runs as /test.sh: a counter the host watches through the API's pause and
# resume (it must stop while paused and go on afterwards).
i=0
while :; do
	i=$((i + 1))
	echo "KILN_TICK=$i"
	sleep 0.2
done
