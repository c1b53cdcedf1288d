# VMM mode (issue 5): `kiln --api-socket` alone is a VMM without a VM, to
# which the API gives one. Kiln A: refused requests change nothing; a VM
# whose kernel is missing is refused at vm.boot and A serves on; a guest
# made with vm.create (disk, rng) runs and powers off, leaving the VM
# Shutdown and A serving; then a counting guest is snapshotted through the
# API, deleted, restored (paused, as Cloud Hypervisor) and resumed in the
# same Kiln, and live-migrated to a second VMM-mode Kiln (B) through
# vm.receive-migration. Two guest boots in all.
# Sockets and the snapshot in /tmp: a 9p share cannot hold a Unix socket.
vm_sock=/tmp/kiln-vmm-a-$$.sock
vm_bsock=/tmp/kiln-vmm-b-$$.sock
vm_snap=/tmp/kiln-vmm-snap-$$
vm_mig=/tmp/kiln-vmm-$$.mig
vapi() { # SOCKET METHOD ENDPOINT [BODY]: the body, then the status on its own line
	local s=$1 m=$2 ep=$3
	shift 3
	curl -s --max-time 150 --unix-socket "$s" -X "$m" -w '\n%{http_code}\n' \
		${1:+-H 'Content-Type: application/json' -d "$1"} "http://localhost/api/v1/$ep"
}
vstatus() { tail -1; }
vstate() { vapi "$1" GET vm.info | grep -o '"state":"[A-Za-z]*"' | cut -d'"' -f4; }
vticks() { console_ticks "$@"; }
# No tick lost or repeated: the consoles joined count 1, 2, 3, ...
vgap() { vticks "$@" | awk '$1 != NR { print "tick " NR " is \"" $1 "\""; exit } END { if (NR == 0) print "no ticks" }'; }
vwait_state() { # SOCKET STATE SECONDS
	for _ in $(seq 1 $(($3 * 2))); do
		[ "$(vstate "$1")" = "$2" ] && return 0
		sleep 0.5
	done
	return 1
}
vwait_ticks() { # LOG PID N
	for _ in $(seq 1 240); do
		kill -0 "$2" 2>/dev/null || break
		[ "$(vticks "$1" | wc -l)" -ge "$3" ] && break
		sleep 0.5
	done
}
vwait_sock() {
	for _ in $(seq 1 40); do
		[ -S "$1" ] && break
		sleep 0.25
	done
}

# Kiln's stdout is the guests' serial console, its stderr its own messages.
timeout 900 "$kiln" -v --api-socket "$vm_sock" </dev/null >"$out/vmm-a.log" 2>"$out/vmm-a.err" &
vm_a=$!
vwait_sock "$vm_sock"
r=$(vapi "$vm_sock" GET vm.info)
p=$(vapi "$vm_sock" GET vmm.ping)
if [ "$(vstatus <<<"$r")" = 404 ] && grep -q '"error":"no VM' <<<"$r" && [ "$(vstatus <<<"$p")" = 200 ]; then
	pass "vmm: kiln --api-socket alone serves the API with no VM (vm.info 404 \"no VM\", vmm.ping 200)"
else
	fail "vmm: no VM: vm.info $(tr '\n' ' ' <<<"$r"), ping $(vstatus <<<"$p"); $(head -3 "$out/vmm-a.err")"
fi

# Refused requests: a JSON error each, nothing changes, Kiln serves on.
bad=
for body in '{"payload":{}}' '{"payload":{"kernel":"/k"},"balloon":{"size":1}}' \
	'{"payload":{"kernel":"/k"},"cpus":{"boot_vcpus":"2"}}' \
	'{"payload":{"kernel":"/k"},"memory":{"size":-1}}' '{"payload":'; do
	r=$(vapi "$vm_sock" PUT vm.create "$body")
	[ "$(vstatus <<<"$r")" = 400 ] && grep -q '"error"' <<<"$r" || bad="$bad create:$body"
done
[ "$(vapi "$vm_sock" PUT vm.boot | vstatus)" = 404 ] || bad="$bad boot"
[ "$(vapi "$vm_sock" PUT vm.pause | vstatus)" = 404 ] || bad="$bad pause"
[ "$(vapi "$vm_sock" PUT vm.restore '{"source_url":"nope"}' | vstatus)" = 400 ] || bad="$bad restore"
[ "$(vapi "$vm_sock" GET vm.info | vstatus)" = 404 ] || bad="$bad info"
[ "$(vapi "$vm_sock" GET vmm.ping | vstatus)" = 200 ] || bad="$bad ping"
[ -z "$bad" ] && pass "vmm: bad vm.create bodies 400 (no kernel, unknown member, wrong type, negative size, broken JSON), boot/pause without a VM 404; still no VM, still serving" ||
	fail "vmm: refused requests:$bad"

# A VM that cannot be built: vm.boot answers 500 with the one line, the VM
# stays Created, and Kiln serves on.
printf '{"payload":{"kernel":"/nonexistent/vmlinux"},"memory":{"size":268435456}}\n' >"$out/vmm-missing.json"
tools/kiln-remote --api-socket "$vm_sock" create "$out/vmm-missing.json" >/dev/null 2>"$out/vmm-kr.err"
c=$?
r=$(vapi "$vm_sock" PUT vm.boot)
st=$(vstate "$vm_sock")
if [ $c = 0 ] && [ "$(vstatus <<<"$r")" = 500 ] &&
	grep -q '"error":"--kernel /nonexistent/vmlinux: No such file or directory"' <<<"$r" &&
	[ "$st" = Created ] && kill -0 $vm_a 2>/dev/null; then
	pass "vmm: vm.boot of a VM whose kernel is missing: 500 '--kernel /nonexistent/vmlinux: No such file or directory', the VM stays Created, Kiln serves on"
else
	fail "vmm: failed boot: create $c $(cat "$out/vmm-kr.err"), boot $(tr '\n' ' ' <<<"$r"), state '$st'"
fi
tools/kiln-remote --api-socket "$vm_sock" delete >/dev/null &&
	[ "$(vapi "$vm_sock" GET vm.info | vstatus)" = 404 ] &&
	pass "vmm: vm.delete (kiln-remote) removes the configured VM" || fail "vmm: delete of a Created VM"

# The guest vm.create describes runs, uses its disk and rng, and powers off:
# the VM is Shutdown and Kiln serves on.
vm_disk=$out/vmm-disk.img
head -c $((4 << 20)) /dev/zero >"$vm_disk"
cat >"$out/vmm-guest.json" <<EOF
{"cpus":{"boot_vcpus":1,"max_vcpus":1},"memory":{"size":268435456},
 "payload":{"kernel":"$guest/vmlinux","initramfs":"$imgs/vmm.img",
	    "cmdline":"console=ttyS0 panic=0 kiln_vmm=1"},
 "disks":[{"path":"$vm_disk","id":"vmmdisk"}],"rng":{"src":"/dev/urandom"},
 "serial":{"mode":"Tty"}}
EOF
tools/kiln-remote --api-socket "$vm_sock" create "$out/vmm-guest.json" >/dev/null 2>"$out/vmm-kr.err"
c=$?
st1=$(vstate "$vm_sock")
again=$(vapi "$vm_sock" PUT vm.create "$(cat "$out/vmm-guest.json")" | vstatus)
start=$SECONDS
b=$(vapi "$vm_sock" PUT vm.boot | vstatus)
vwait_state "$vm_sock" Shutdown 240
st2=$(vstate "$vm_sock")
echo "  (vmm guest: boot $b, $st2 after $((SECONDS - start)) s)"
trace_if_triple vmm-a "$out/vmm-a.err"
if [ $c = 0 ] && [ "$st1" = Created ] && [ "$again" = 409 ] && [ "$b" = 204 ] && [ "$st2" = Shutdown ] &&
	kill -0 $vm_a 2>/dev/null && [ "$(vapi "$vm_sock" GET vmm.ping | vstatus)" = 200 ]; then
	pass "vmm: vm.create (Created; a second create 409), vm.boot 204, the guest powered off: the VM is Shutdown and Kiln serves on"
else
	fail "vmm: create $c ($(cat "$out/vmm-kr.err")), state '$st1', second create $again, boot $b, state after '$st2'; $(grep -a 'error\|warn' "$out/vmm-a.err" | head -3)"
fi
n=$(value KILN_VMM_NPROC "$out/vmm-a.log")
rng=$(value KILN_VMM_RNG "$out/vmm-a.log")
disk=$(value KILN_VMM_DISK "$out/vmm-a.log")
host_disk=$(head -c 30 "$vm_disk")
if [ "$n" = 1 ] && [ ${#rng} = 16 ] && [ "$disk" = "written by the vm.create guest" ] &&
	[ "$host_disk" = "$disk" ] && grep -aq '^KILN_VMM_CMDLINE=.*kiln_vmm=1' "$out/vmm-a.log"; then
	pass "vmm: the created guest had its 1 vCPU, command line, virtio-rng ($rng) and virtio-blk disk (its write is in the image)"
else
	fail "vmm: created guest saw nproc '$n', rng '$rng', disk '$disk' (image '$host_disk')"
fi
r=$(vapi "$vm_sock" PUT vm.pause)
[ "$(vstatus <<<"$r")" = 409 ] && grep -q 'Shutdown' <<<"$r" &&
	pass "vmm: vm.pause of a Shutdown VM is 409" || fail "vmm: pause when Shutdown: $(tr '\n' ' ' <<<"$r")"
[ "$(vapi "$vm_sock" PUT vm.delete | vstatus)" = 204 ] && [ "$(vapi "$vm_sock" GET vm.info | vstatus)" = 404 ] &&
	pass "vmm: vm.delete of the Shutdown VM leaves none" || fail "vmm: delete after shutdown"

# A counting guest (disk, rng) in the same Kiln: snapshot through the API,
# delete, restore (paused), resume: it counts on from the next number.
vm_disk2=$out/vmm-disk2.img
head -c $((1 << 20)) /dev/zero >"$vm_disk2"
count_cfg='{"cpus":{"boot_vcpus":1},"memory":{"size":268435456},"payload":{"kernel":"'"$guest/vmlinux"'","initramfs":"'"$imgs/api.img"'","cmdline":"console=ttyS0"},"disks":[{"path":"'"$vm_disk2"'"}],"rng":{}}'
c=$(vapi "$vm_sock" PUT vm.create "$count_cfg" | vstatus)
b=$(vapi "$vm_sock" PUT vm.boot | vstatus)
vwait_ticks "$out/vmm-a.log" $vm_a 5
p=$(vapi "$vm_sock" PUT vm.pause | vstatus)
s=$(vapi "$vm_sock" PUT vm.snapshot '{"destination_url":"file://'"$vm_snap"'"}' | vstatus)
last=$(vticks "$out/vmm-a.log" | tail -1)
d=$(vapi "$vm_sock" PUT vm.delete | vstatus)
gone=$(vapi "$vm_sock" GET vm.info | vstatus)
r=$(vapi "$vm_sock" PUT vm.restore '{"source_url":"file://'"$vm_snap"'"}' | vstatus)
st=$(vstate "$vm_sock")
n0=$(vticks "$out/vmm-a.log" | wc -l)
sleep 2
n1=$(vticks "$out/vmm-a.log" | wc -l)
u=$(vapi "$vm_sock" PUT vm.resume | vstatus)
vwait_ticks "$out/vmm-a.log" $vm_a $((n1 + 5))
gap=$(vgap "$out/vmm-a.log")
n2=$(vticks "$out/vmm-a.log" | wc -l)
if [ "$c$b$p$s$d" = 204204204204204 ] && [ "$gone" = 404 ] && [ "$r" = 204 ] && [ "$st" = Paused ] &&
	[ "$n0" = "$n1" ] && [ "$u" = 204 ] && [ -z "$gap" ] && [ "$n2" -ge $((n1 + 5)) ] && [ -n "$last" ]; then
	pass "vmm: snapshot through the API, vm.delete, vm.restore (Paused, no tick for 2 s), vm.resume: the guest counts on from $last to $n2, none lost or repeated"
else
	fail "vmm: create $c boot $b pause $p snapshot $s delete $d (then info $gone), restore $r state '$st', ticks $n0 -> $n1 while paused, resume $u, ${gap:-no gap}, $n2 ticks; $(grep -a 'error\|warn' "$out/vmm-a.err" | tail -3)"
fi

# Live migration into a second VMM-mode Kiln: vm.receive-migration answers
# once the guest runs there; the source has no VM afterwards.
timeout 600 "$kiln" -v --api-socket "$vm_bsock" </dev/null >"$out/vmm-b.log" 2>"$out/vmm-b.err" &
vm_b=$!
vwait_sock "$vm_bsock"
vapi "$vm_bsock" PUT vm.receive-migration '{"receiver_url":"unix:'"$vm_mig"'"}' >"$out/vmm-recv.out" &
vm_recv=$!
for _ in $(seq 1 40); do
	grep -q 'waiting for a migration' "$out/vmm-b.err" && break
	sleep 0.25
done
s=$(vapi "$vm_sock" PUT vm.send-migration '{"destination_url":"unix:'"$vm_mig"'"}' | vstatus)
last=$(vticks "$out/vmm-a.log" | tail -1)
wait $vm_recv
rs=$(vstatus <"$out/vmm-recv.out")
a_info=$(vapi "$vm_sock" GET vm.info | vstatus)
b_state=$(vstate "$vm_bsock")
vwait_ticks "$out/vmm-b.log" $vm_b 10
gap=$(vgap "$out/vmm-a.log" "$out/vmm-b.log")
nb=$(vticks "$out/vmm-b.log" | wc -l)
stats=$(grep -ao 'migration to .*: total.*' "$out/vmm-a.err" | head -1)
if [ "$s" = 204 ] && [ "$rs" = 204 ] && [ "$a_info" = 404 ] && [ "$b_state" = Running ] &&
	[ -z "$gap" ] && [ "$nb" -ge 10 ] && kill -0 $vm_a 2>/dev/null; then
	pass "vmm: vm.receive-migration 204 once the guest ran in Kiln B, which counts on from $last ($nb ticks, none lost); Kiln A serves on with no VM ($stats)"
else
	fail "vmm: migration: send $s, receive $(tr '\n' ' ' <"$out/vmm-recv.out"), A's vm.info $a_info, B's state '$b_state', ${gap:-no gap}, $nb ticks on B; $(grep -a 'error\|warn' "$out/vmm-a.err" "$out/vmm-b.err" | tail -3)"
fi

# B: vm.shutdown leaves the VM Shutdown (answered once it is), vmm.shutdown
# ends Kiln with 0. A ends on SIGTERM with 0. Both sockets go.
s=$(vapi "$vm_bsock" PUT vm.shutdown | vstatus)
st=$(vstate "$vm_bsock")
q=$(vapi "$vm_bsock" PUT vmm.shutdown | vstatus)
timeout 30 tail --pid=$vm_b -f /dev/null
kill $vm_b 2>/dev/null
wait $vm_b
rc_b=$?
kill -TERM $vm_a
timeout 30 tail --pid=$vm_a -f /dev/null
kill -9 $vm_a 2>/dev/null
wait $vm_a
rc_a=$?
trace_if_triple vmm-b "$out/vmm-b.err"
if [ "$s" = 204 ] && [ "$st" = Shutdown ] && [ "$q" = 204 ] && [ $rc_b = 0 ] && [ $rc_a = 0 ] &&
	[ ! -e "$vm_sock" ] && [ ! -e "$vm_bsock" ]; then
	pass "vmm: vm.shutdown leaves the VM Shutdown; vmm.shutdown and SIGTERM end the VMMs with status 0 and remove their sockets"
else
	fail "vmm: end: B's shutdown $s state '$st', vmm.shutdown $q, exit B $rc_b, A $rc_a, sockets $(ls "$vm_sock" "$vm_bsock" 2>&1 | tr '\n' ' ')"
fi
rm -rf "$vm_snap" "$vm_mig" "$vm_sock" "$vm_bsock"
