#!/bin/bash
# Run the CPU test corpus (tests/cpu/) and compare outputs.
#
# usage: tests/cpu/run.sh [options] [TEST...]
#
# TESTs are class names (alu string sse x87 modes paging exceptions
# interrupts) and generated seeds (gen-N); default: every class, and every
# generated seed `make cpu-tests` built (the regression seeds in
# tests/cpu/gen/seeds.txt and a smoke set).
#
# For the classes with a native twin (alu, string, sse, x87, gen-N) the
# guest's KILN_CPU lines must equal the native program's, line for line.
# The guest-only classes check themselves (KILN_CPU_END ... ok). One line
# per test, "ok   NAME" or "FAIL NAME: why", then "N passed, N failed";
# exit status 1 if anything failed.
#
#   --vmm kiln|qemu  run guests under Kiln (default; needs a usable
#                    /dev/kvm: on a machine without one, run this inside
#                    tools/emuhost.sh) or under QEMU's TCG here (a quick
#                    check while writing tests; QEMU 7.2's TCG has known
#                    divergences from real CPUs, see README.md)
#   --kiln-arg ARG   one more argument for Kiln (repeatable). This is the
#                    accelerator hook: once Kiln has an --accel flag, the
#                    software CPU runs the same corpus with
#                    `--kiln-arg --accel --kiln-arg soft`.
#   --reference DIR  compare guests against DIR/NAME.native.out saved by an
#                    earlier run (on another machine) instead of running the
#                    native programs here
#   --quick          smaller operand tables (8 of 16 edge values) in the
#                    classes and their native twins: for slow CPUs
#   --cross          the outputs come from different CPU models: ignore the
#                    ".undef" keys (what the SDM leaves undefined)
#   --known FILE     accept the self-check failures FILE lists (the
#                    emulated host's deviations: tests/cpu/known-emulated-host.txt)
#   --gen N          also run N fresh generated seeds starting at --seed-base,
#                    built here unless already built (the emulated host's
#                    build directory is read-only: build them first with
#                    --build-only, then run the same --gen/--seed-base there)
#   --seed-base S    first fresh seed (default: from the clock)
#   --build-only     with --gen: build the seeds and stop
#   --out DIR        outputs (default build/cpu-tests/run)
#   --timeout S      per guest (default 120)
#
# A generated seed whose guest and native outputs differ is appended to
# tests/cpu/gen/seeds.txt (when writable): seeds that ever diverged stay
# as regression cases.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build/cpu-tests
kiln=$root/build/kiln
vmm=kiln
kiln_args=()
reference=''
cross=0
known=''
gen_fresh=0
quick=0
seed_base=''
build_only=0
out=$build/run
timeout_s=120
tests=()

while (($#)); do
	case $1 in
	--vmm) vmm=${2:?}; shift 2 ;;
	--kiln-arg) kiln_args+=("${2:?}"); shift 2 ;;
	--reference) reference=${2:?}; shift 2 ;;
	--cross) cross=1; shift ;;
	--quick) quick=1; shift ;;
	--known) known=${2:?}; shift 2 ;;
	--gen) gen_fresh=${2:?}; shift 2 ;;
	--seed-base) seed_base=${2:?}; shift 2 ;;
	--build-only) build_only=1; shift ;;
	--out) out=${2:?}; shift 2 ;;
	--timeout) timeout_s=${2:?}; shift 2 ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) tests+=("$1"); shift ;;
	esac
done
case $vmm in kiln | qemu) ;; *) echo "run.sh: --vmm kiln|qemu" >&2; exit 2 ;; esac
mkdir -p "$out" || exit 2

shared_classes="alu string sse x87"
guest_classes="modes paging exceptions interrupts"

if [ "$gen_fresh" -gt 0 ]; then
	[ -n "$seed_base" ] || seed_base=$(( $(date +%s) % 1000000 * 100 ))
	for ((i = 0; i < gen_fresh; i++)); do
		s=$((seed_base + i))
		if [ ! -e "$build/gen/seed-$s.elf" ] || [ ! -e "$build/gen/seed-$s.native" ]; then
			if ! make -s -C "$root" "build/cpu-tests/gen/seed-$s.elf" \
				"build/cpu-tests/gen/seed-$s.native" >"$out/build-$s.log" 2>&1; then
				echo "run.sh: cannot build seed $s (see $out/build-$s.log)" >&2
				exit 2
			fi
		fi
		tests+=("gen-$s")
	done
	if [ $build_only -eq 1 ]; then
		echo "run.sh: built seeds $seed_base to $((seed_base + gen_fresh - 1))"
		exit 0
	fi
fi
if [ ${#tests[@]} -eq 0 ]; then
	for c in $shared_classes $guest_classes; do tests+=("$c"); done
	for f in "$build"/gen/seed-*.elf; do
		[ -e "$f" ] || continue
		f=${f##*/seed-}
		tests+=("gen-${f%.elf}")
	done
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

elf_of() {
	case $1 in
	gen-*) echo "$build/gen/seed-${1#gen-}.elf" ;;
	*) echo "$build/$1.elf" ;;
	esac
}
native_of() {
	case $1 in
	gen-*) echo "$build/gen/seed-${1#gen-}.native" ;;
	*) echo "$build/$1.native" ;;
	esac
}

# run_guest NAME OUTFILE [CMDLINE]: boot the test guest; 0 when it powered
# off cleanly. Its serial output (CRs dropped) lands in OUTFILE.
run_guest() {
	local elf out_file=$2 cmdline=${3:-} rc
	elf=$(elf_of "$1")
	[ $quick -eq 0 ] || cmdline="quick=1${cmdline:+ $cmdline}"
	case $vmm in
	kiln)
		timeout "$timeout_s" "$kiln" --kernel "$elf" --memory size=256M \
			--serial file="$out_file.raw" --cmdline "$cmdline" \
			${kiln_args[@]+"${kiln_args[@]}"} </dev/null >"$out_file.kiln" 2>&1
		rc=$?
		;;
	qemu)
		timeout "$timeout_s" qemu-system-x86_64 -machine q35 -accel tcg \
			-cpu "${KILN_CPU_QEMU_CPU:-qemu64}" -m 256 -nodefaults -no-user-config \
			-display none -no-reboot -kernel "$elf" -append "$cmdline" \
			-serial file:"$out_file.raw" -device isa-debug-exit,iobase=0xf4,iosize=1 \
			</dev/null >"$out_file.kiln" 2>&1
		rc=$?
		# isa-debug-exit: status (value << 1) | 1; the guest writes 0.
		[ $rc -eq 1 ] && rc=0
		;;
	esac
	tr -d '\r' <"$out_file.raw" >"$out_file"
	rm -f "$out_file.raw"
	return $rc
}

# run_native NAME OUTFILE [VERBOSE]
run_native() {
	local native
	native=$(native_of "$1")
	CT_QUICK=$quick CT_VERBOSE=${3:-} timeout "$timeout_s" "$native" >"$2" 2>&1
}

# results FILE: the comparable lines (KILN_CPU and the END line) in
# FILE.cmp. (Files, not process substitution: the emulated host's chroot
# has no /dev/fd.)
results() {
	if [ $cross -eq 1 ]; then
		grep -a -E '^KILN_CPU(_END)? ' "$1" | grep -av '\.undef=' >"$1.cmp"
	else
		grep -a -E '^KILN_CPU(_END)? ' "$1" >"$1.cmp"
	fi
}

# known_only NAME FILE: FILE has KILN_CPU_FAIL lines, and the --known file
# lists each of them for NAME (lines "NAME REGEX", # comments).
known_only() {
	local name=$1 file=$2 line t pat ok
	[ -n "$known" ] || return 1
	grep -a '^KILN_CPU_FAIL ' "$file" >"$file.fails"
	[ -s "$file.fails" ] || return 1
	while IFS= read -r line; do
		ok=0
		while read -r t pat; do
			case $t in '' | \#*) continue ;; esac
			[ "$t" = "$name" ] || continue
			if grep -qE -- "$pat" <<<"$line"; then ok=1; break; fi
		done <"$known"
		[ $ok -eq 1 ] || return 1
	done <"$file.fails"
	return 0
}

end_status() { grep -a "^KILN_CPU_END " "$1" | tail -1 | awk '{print $3}'; }

# Narrow a differing CRC down: rerun both sides verbosely for that key.
detail_diff() {
	local name=$1 key=$2 g=$out/$1.guest.verbose n=$out/$1.native.verbose
	run_guest "$name" "$g" "verbose=$key" || return 0
	[ -z "$reference" ] || return 0
	run_native "$name" "$n" "$key" || true
	grep -a '^KILN_CPU_DETAIL' "$n" >"$n.detail"
	grep -a '^KILN_CPU_DETAIL' "$g" >"$g.detail"
	awk 'NR == FNR { a[FNR] = $0; next }
	     a[FNR] != $0 { print "    native: " a[FNR]; print "    guest:  " $0; if (++n == 2) exit }' \
		"$n.detail" "$g.detail"
}

remember_seed() {
	local seed=${1#gen-} list=$root/tests/cpu/gen/seeds.txt
	grep -qx "$seed" "$list" 2>/dev/null && return 0
	if [ -w "$list" ] || [ -w "$(dirname "$list")" ]; then
		echo "$seed" >>"$list"
		echo "     (seed $seed added to tests/cpu/gen/seeds.txt as a regression case)"
	else
		echo "     (add seed $seed to tests/cpu/gen/seeds.txt: it diverged)"
	fi
}

for t in "${tests[@]}"; do
	elf=$(elf_of "$t")
	if [ ! -e "$elf" ]; then
		fail "$t: $elf not built (make cpu-tests)"
		continue
	fi
	g=$out/$t.guest.out
	start=$(date +%s%N)
	run_guest "$t" "$g"
	grc=$?
	tenths=$((($(date +%s%N) - start) / 100000000))
	secs=$((tenths / 10)).$((tenths % 10))
	if [ $grc -ne 0 ]; then
		fail "$t: guest exit status $grc (${secs} s): $(tail -c 300 "$out/$t.guest.out.kiln" "$g" 2>/dev/null | tr '\n' ' ' | cut -c1-300)"
		continue
	fi
	status=$(end_status "$g")
	case " $shared_classes " in
	*" $t "*) native=1 ;;
	*) case $t in gen-*) native=1 ;; *) native=0 ;; esac ;;
	esac
	if [ $native -eq 0 ]; then
		if [ "$status" = ok ]; then
			pass "$t (${secs} s)"
		elif [ "$status" = fail ] && known_only "$t" "$g"; then
			pass "$t (${secs} s; $(grep -ac '^KILN_CPU_FAIL' "$g") known TCG deviation(s), see $known)"
		else
			fail "$t: $(grep -a -m3 '^KILN_CPU_FAIL' "$g" | cut -d' ' -f3- | tr '\n' ';')${status:+ }${status:-no KILN_CPU_END line}"
		fi
		continue
	fi
	nsecs=-
	if [ -n "$reference" ]; then
		n=$reference/$t.native.out
		if [ ! -e "$n" ]; then
			fail "$t: no reference output $n"
			continue
		fi
	else
		n=$out/$t.native.out
		start=$(date +%s%N)
		run_native "$t" "$n"
		tenths=$((($(date +%s%N) - start) / 100000000))
		nsecs=$((tenths / 10)).$((tenths % 10))
	fi
	if [ "$(end_status "$n")" = "" ]; then
		fail "$t: the native program did not finish: $(tail -c 200 "$n")"
		continue
	fi
	if [ "$status" = "" ]; then
		fail "$t: no KILN_CPU_END line from the guest"
		continue
	fi
	results "$n"
	results "$g"
	if cmp -s "$n.cmp" "$g.cmp"; then
		pass "$t ($(grep -c '^KILN_CPU ' "$g.cmp") results equal; guest ${secs} s, native ${nsecs} s)"
		continue
	fi
	diff "$n.cmp" "$g.cmp" >"$g.diff"
	ndiff=$(grep -c '^<' "$g.diff")
	line=$(grep -m1 '^[<>]' "$g.diff" | cut -c3-)
	fail "$t: $ndiff result(s) differ from the native run; first: $line"
	key=${line#KILN_CPU * }
	key=${key%%=*}
	key=${key%.undef}
	[ -n "$key" ] && detail_diff "$t" "$key"
	# QEMU's TCG diverges from real CPUs in known ways (README.md): only
	# a divergence between Kiln's backends and the host CPU is kept.
	case $t in gen-*) [ $vmm = kiln ] && remember_seed "$t" ;; esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
