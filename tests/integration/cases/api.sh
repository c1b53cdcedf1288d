# The management API (--api-socket): ping, info, pause/resume of a guest
# that counts, counters, refused requests, and shutdown through the API.
# Not under $out: a 9p share cannot hold a Unix socket (bind gives ENXIO).
api_sock=/tmp/kiln-api-$$.sock
api() { # METHOD ENDPOINT [BODY]: prints the body, then the status on its own line
	local m=$1 ep=$2
	shift 2
	curl -s --max-time 20 --unix-socket "$api_sock" -X "$m" \
		-w '\n%{http_code}\n' ${1:+-H 'Content-Type: application/json' -d "$1"} \
		"http://localhost/api/v1/$ep"
}
status_of() { tail -1; }
last_tick() { console_ticks "$out/api.log" | tail -1; }

timeout 300 "$kiln" --kernel "$guest/vmlinux" --initramfs "$imgs/api.img" \
	--cmdline "console=ttyS0" --memory size=256M --cpus boot=2 \
	--api-socket path="$api_sock" </dev/null >"$out/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 120); do
	kill -0 $api_pid 2>/dev/null || break
	[ -n "$(last_tick)" ] && [ "$(last_tick)" -ge 3 ] && break
	sleep 1
done

r=$(api GET vmm.ping)
if [ "$(status_of <<<"$r")" = 200 ] && grep -q '"version"' <<<"$r"; then
	pass "api: vmm.ping answers 200 with a version"
else
	fail "api: vmm.ping: $r"
fi
r=$(api GET vm.info)
if [ "$(status_of <<<"$r")" = 200 ] && grep -q '"state":"Running"' <<<"$r" &&
	grep -q '"boot_vcpus":2' <<<"$r" && grep -q "\"memory_actual_size\":$((256 << 20))" <<<"$r"; then
	pass "api: vm.info shows the running VM's config"
else
	fail "api: vm.info: $r"
fi

r=$(api PUT vm.pause)
t1=$(last_tick)
sleep 3
t2=$(last_tick)
r2=$(api PUT vm.pause)
info=$(api GET vm.info)
if [ "$(status_of <<<"$r")" = 204 ] && [ -n "$t1" ] && [ "$t1" = "$t2" ] &&
	[ "$(status_of <<<"$r2")" = 409 ] && grep -q '"state":"Paused"' <<<"$info"; then
	pass "api: vm.pause stops the guest (counter stayed at $t1 for 3 s; a second pause is 409)"
else
	fail "api: pause: status $(status_of <<<"$r"), ticks $t1 -> $t2, second pause $r2"
fi
r=$(api PUT vm.resume)
for _ in $(seq 1 30); do
	[ "$(last_tick)" -gt "${t2:-0}" ] 2>/dev/null && break
	sleep 1
done
t3=$(last_tick)
if [ "$(status_of <<<"$r")" = 204 ] && [ "${t3:-0}" -gt "${t2:-0}" ]; then
	pass "api: vm.resume lets the guest go on (counter $t2 -> $t3)"
else
	fail "api: resume: status $(status_of <<<"$r"), ticks $t2 -> $t3"
fi
[ "$(status_of <<<"$(api PUT vm.resume)")" = 409 ] &&
	pass "api: resuming a running VM is 409" || fail "api: resume when running is not 409"

r=$(tools/kiln-remote --api-socket "$api_sock" counters)
grep -q '"exits"' <<<"$r" && pass "api: vm.counters through kiln-remote" ||
	fail "api: kiln-remote counters: $r"
tools/kiln-remote --api-socket "$api_sock" resume 2>"$out/kr.err" &&
	fail "api: kiln-remote resume of a running VM succeeded" ||
	{ grep -q "HTTP 409" "$out/kr.err" && pass "api: kiln-remote reports the 409" ||
		fail "api: kiln-remote error: $(cat "$out/kr.err")"; }

# Refused requests: a JSON error each, and the server keeps serving.
bad=0
[ "$(status_of <<<"$(api GET vm.nosuch)")" = 404 ] || bad=1
[ "$(status_of <<<"$(api GET vm.pause)")" = 405 ] || bad=2
[ "$(status_of <<<"$(api PUT vm.pause '{"broken":')")" = 400 ] || bad=3
grep -q '"error"' <<<"$(api GET vm.nosuch)" || bad=4
raw=$(printf '\001\002garbage\r\n\r\n' | timeout 10 socat - UNIX-CONNECT:"$api_sock" 2>/dev/null | head -1 | tr -d '\r')
[[ $raw == "HTTP/1.1 400"* ]] || bad=5
big=$(head -c 70000 /dev/zero | tr '\0' 'a')
[ "$(status_of <<<"$(api PUT vm.pause "$big")")" = 413 ] || bad=6
[ "$(status_of <<<"$(api GET vmm.ping)")" = 200 ] || bad=7
[ $bad = 0 ] && pass "api: unknown endpoint 404, wrong method 405, bad JSON 400, garbage 400, big body 413; still serving" ||
	fail "api: refused requests (check $bad)"

r=$(api PUT vm.shutdown)
wait $api_pid
rc=$?
if [ "$(status_of <<<"$r")" = 204 ] && [ $rc = 0 ] && [ ! -e "$api_sock" ]; then
	pass "api: vm.shutdown ends Kiln with status 0 and removes the socket"
else
	fail "api: shutdown: status $(status_of <<<"$r"), Kiln exit $rc, socket $(ls "$api_sock" 2>&1)"
fi
