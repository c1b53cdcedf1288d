# The CPU test corpus (tests/cpu/): each test guest under Kiln on KVM
# against the same test body run natively on this (emulated host's) CPU,
# and the guest-only classes' self-checks. Sourced by
# tests/integration/in-host.sh; `make cpu-tests` built everything before.
#
# The emulated host's CPU is QEMU's TCG, so native and KVM runs share its
# behaviour; the self-checks where it (or KVM's shadow paging there)
# departs from the SDM are accepted only as listed, with reasons, in
# tests/cpu/known-emulated-host.txt. --cross: TCG's values for what the
# SDM leaves undefined differed between the native process and the nested
# guest (AF in a generated sequence, FPREM's partial remainder), so the
# ".undef" results are not compared. --quick:
# half the edge values per table, which keeps this near a minute there.
cpu_corpus() {
	local log=$out/cpu-corpus.log line name rest
	if [ ! -e build/cpu-tests/alu.elf ]; then
		fail "cpu corpus: build/cpu-tests not built (make cpu-tests)"
		return
	fi
	local start=$SECONDS
	tests/cpu/run.sh --quick --cross --out "$out/cpu" --known tests/cpu/known-emulated-host.txt >"$log" 2>&1
	echo "  (cpu corpus: $((SECONDS - start)) s)"
	while IFS= read -r line; do
		case $line in
		"ok   "*) pass "cpu: ${line#ok   }" ;;
		"FAIL "*) fail "cpu: ${line#FAIL }" ;;
		esac
	done <"$log"
	grep -q ' passed, ' "$log" || fail "cpu corpus: run.sh did not finish: $(tail -3 "$log" | tr '\n' ' ')"
}
cpu_corpus
