# needs: guest-tools
# Runs as /test.sh with --vsock cid=N: first an echo server on vsock port
# 1234 for one connection from the host, then an upload of 256 KiB to the
# host (CID 2) at port 5678; then the driver is unbound and bound again (a
# device reset and a second activation) and the same file goes to port
# 5679. The host checks the md5s.
drv=/sys/bus/virtio/drivers/vmw_vsock_virtio_transport
echo "KILN_VSOCK_BOUND=$(ls "$drv" 2>/dev/null | grep '^virtio' | tr '\n' ' ')"
socat -t 30 VSOCK-LISTEN:1234 EXEC:cat &
echo_pid=$!
echo "KILN_VSOCK_LISTENING=1"
wait $echo_pid
echo "KILN_VSOCK_ECHO_STATUS=$?"

head -c 262144 /dev/urandom >/tmp/up
echo "KILN_VSOCK_UP_MD5=$(md5sum </tmp/up | cut -c1-32)"
# upload PORT: send /tmp/up to the host, retrying while its socat starts.
upload() {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		socat -t 30 -u OPEN:/tmp/up VSOCK-CONNECT:2:$1 && return 0
		sleep 1
	done
	return 1
}
upload 5678
echo "KILN_VSOCK_UP_STATUS=$?"

dev=$(ls "$drv" | grep '^virtio' | head -1)
echo "$dev" >"$drv/unbind" && echo "$dev" >"$drv/bind"
echo "KILN_VSOCK_REBOUND=$(ls "$drv" | grep '^virtio' | tr '\n' ' ')"
upload 5679
echo "KILN_VSOCK_UP2_STATUS=$?"
grep -E 'virtio[0-9]+-(rx|tx|event)' /proc/interrupts |
	sed 's/^/KILN_VSOCK_IRQ: /'
