# Runs as /test.sh with --console socket=PATH: a line protocol with the
# host over hvc0. The guest says it is ready (again each second until the
# host answers: output with no client connected is dropped), reads one
# line, and answers with it reversed.
if [ ! -c /dev/hvc0 ]; then
	echo "KILN_HVC=missing"
	exit 1
fi
echo "KILN_HVC=present"
exec 3<>/dev/hvc0
# No echo of the host's line back to it, no CR added to ours.
stty -echo -onlcr <&3
line=
for i in $(seq 1 90); do
	echo "kiln-hvc-ready" >&3
	read -r -t 1 line <&3 && break
done
echo "reply:$(echo "$line" | rev)" >&3
echo "KILN_HVC_GOT=$line"
exec 3>&-
