# shellcheck shell=bash
# bench/migrate's markdown report (sourced by bench/migrate): migrate_report
# DIR prints the section for the raw results in DIR (bench/migrate-run.sh
# describes them). Needs $guest (build/guest) for the guest kernel's version.

# The awk helpers both tables use: key=value parsing, medians.
mig_awk_lib='
function kv(s,   i, n, a, p) { delete F; n = split(s, a, " ");
	for (i = 1; i <= n; i++) { p = index(a[i], "="); F[substr(a[i], 1, p - 1)] = substr(a[i], p + 1) } }
function med(list,   n, a, i, j, t) { n = split(list, a, " ");
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	if (n == 0) return ""; return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function add(k, name, v) { if (v != "" && v + 0 >= 0) S[k, name] = S[k, name] " " v }
function fmt(v, f) { return v == "" ? "–" : sprintf(f, v) }
function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "–" : sprintf("%.2f", a / b) }
'

mig_table() {
	awk "$mig_awk_lib"'
	{ kv($0); k = F["vmm"] " " F["load"] " " F["limit"]
	  if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	  total[k]++
	  if (F["status"] != "ok") { bad[k] = bad[k] " " F["status"]; next }
	  ok[k]++
	  if (F["run_rt"] + 0 > 0 && F["start_rt"] + 0 > 0) add(k, "tot", (F["run_rt"] - F["start_rt"]) * 1000)
	  if (F["run_rt"] + 0 > 0 && F["paused_rt"] + 0 > 0) add(k, "down", (F["run_rt"] - F["paused_rt"]) * 1000)
	  # QEMU 7.2 can report "completed" with its times still 0: not a time.
	  if (F["vmm_total_ms"] + 0 > 0) { add(k, "vtot", F["vmm_total_ms"]); add(k, "vdown", F["vmm_downtime_ms"]) }
	  add(k, "wire", F["wire_bytes"] / 1048576); add(k, "vbytes", F["vmm_bytes"] / 1048576)
	  add(k, "passes", F["passes"])
	}
	END {
	  print "| VMM | guest | downtime target (ms) | total: request → guest runs on the destination (ms) | downtime: last source vCPU stops → first destination vCPU runs (ms) | VMM'"'"'s own total (ms) | VMM'"'"'s own downtime (ms) | over the loopback (MiB) | VMM'"'"'s own byte count (MiB) | RAM passes | runs |"
	  print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	  for (i = 1; i <= nk; i++) { k = order[i]; split(k, p, " ")
	    note = ok[k] + 0 "/" total[k] (bad[k] != "" ? " (" substr(bad[k], 2) ")" : "")
	    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
	      p[1] == "kiln" ? "Kiln" : "QEMU", p[2], p[3],
	      fmt(med(S[k, "tot"]), "%.0f"), fmt(med(S[k, "down"]), "%.1f"),
	      fmt(med(S[k, "vtot"]), "%.0f"), fmt(med(S[k, "vdown"]), "%.1f"),
	      fmt(med(S[k, "wire"]), "%.1f"), fmt(med(S[k, "vbytes"]), "%.1f"),
	      fmt(med(S[k, "passes"]), "%.0f"), note
	  }
	  # Kiln against each QEMU setting, per load.
	  print ""
	  print "| Kiln / QEMU (below 1.00: Kiln better) | total | downtime | bytes over the loopback |"
	  print "|---|---:|---:|---:|"
	  split("idle dirty", loads, " "); split("300 100", lims, " ")
	  for (l = 1; l <= 2; l++) for (q = 1; q <= 2; q++) {
	    a = "kiln " loads[l] " 100"; b = "qemu " loads[l] " " lims[q]
	    if (!(a in seen) || !(b in seen)) continue
	    printf "| %s guest, QEMU with a %s ms target | %s | %s | %s |\n", loads[l], lims[q],
	      ratio(med(S[a, "tot"]), med(S[b, "tot"])), ratio(med(S[a, "down"]), med(S[b, "down"])),
	      ratio(med(S[a, "wire"]), med(S[b, "wire"]))
	  }
	}' "$1"
}

restore_table() {
	awk "$mig_awk_lib"'
	{ kv($0); k = F["vmm"]
	  if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	  total[k]++
	  if (F["status"] != "ok") { bad[k] = bad[k] " " F["status"]; next }
	  ok[k]++
	  add(k, "first", F["first_ms"]); add(k, "vmm", F["vmm_ms"]); add(k, "entry", F["entry_ms"])
	  add(k, "save", F["save_ms"]); add(k, "size", F["size_kb"] / 1024)
	}
	END {
	  print "| VMM | process start → restored guest'"'"'s first console line (ms) | Kiln'"'"'s own: state loaded / first vCPU entry (ms) | save: pause + snapshot / migrate to file (ms) | saved on tmpfs (MiB) | runs |"
	  print "|---|---:|---:|---:|---:|---|"
	  for (i = 1; i <= nk; i++) { k = order[i]
	    note = ok[k] + 0 "/" total[k] (bad[k] != "" ? " (" substr(bad[k], 2) ")" : "")
	    own = k == "kiln" ? fmt(med(S[k, "vmm"]), "%.1f") " / " fmt(med(S[k, "entry"]), "%.1f") : "–"
	    printf "| %s | %s | %s | %s | %s | %s |\n", k == "kiln" ? "Kiln" : "QEMU",
	      fmt(med(S[k, "first"]), "%.0f"), own, fmt(med(S[k, "save"]), "%.0f"),
	      fmt(med(S[k, "size"]), "%.1f"), note
	  }
	  if (("kiln" in seen) && ("qemu" in seen)) {
	    print ""
	    printf "Restore, Kiln / QEMU: %s (start to the guest running again; below 1.00: Kiln faster); save: %s.\n",
	      ratio(med(S["kiln", "first"]), med(S["qemu", "first"])),
	      ratio(med(S["kiln", "save"]), med(S["qemu", "save"]))
	  }
	}' "$1"
}

migrate_report() {
	local dir=$1 meta=$1/meta
	info() { grep -m1 "^$1=" "$dir/info" | cut -d= -f2-; }
	local emulated elapsed commit machine where kver
	emulated=$(sed -n 's/^emulated=//p' "$meta")
	elapsed=$(sed -n 's/^elapsed=//p' "$meta")
	commit=$(sed -n 's/^commit=//p' "$meta")
	local here_cpu
	here_cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
	if ((emulated)); then
		machine="emulated host: QEMU TCG qemu64,+svm,+npt on $here_cpu, nested KVM with npt=0 (host kernel $(info host_kernel), $(info host_cpus) vCPUs, $(info host_mem_mib) MiB)"
		where='emulated host'
	else
		machine="$(info host_cpu), $(info host_cpus) CPUs, kernel $(info host_kernel)"
		where=$(info host_cpu)
	fi
	kver=$(off=$(od -An -tu2 -j526 -N2 "$guest/vmlinuz" 2>/dev/null | tr -d ' ') &&
		dd if="$guest/vmlinuz" bs=1 skip=$((off + 512)) count=200 status=none |
		tr '\0' '\n' | head -1 | cut -d' ' -f1)
	local runs mem rmem mibps set
	read -r runs mem rmem <<<"$(info runs | sed 's/[a-z_]*=//g')"
	read -r mibps set <<<"$(info dirty_mibps | sed 's/[a-z_]*=//g')"
	echo "### $(date -u -r "$meta" '+%Y-%m-%d %H:%M UTC') — live migration and restore, $where"
	echo
	echo "- Machine: $machine"
	echo "- Kiln commit: $commit"
	echo "- QEMU: $(info qemu)"
	echo "- Guest: kernel ${kver:-?} (PVH vmlinux), 1 vCPU, virtio-rng, build/guest/initramfs.cpio.gz + bench/mig_guest.c"
	local inside_s
	inside_s=$(info inside_s)
	echo "- $runs round(s), configurations interleaved, medians; the measurements took" \
		"$((${inside_s:-0} / 60)) min $((${inside_s:-0} % 60)) s (the whole run, with any wait for the" \
		"emulated host, $((elapsed / 60)) min $((elapsed % 60)) s)"
	echo
	echo "Live migration of a ${mem} MiB guest over TCP on 127.0.0.1 between two processes of the same VMM."
	echo "idle: the guest prints a console line every 100 ms; dirty: it also writes $mibps MiB/s of pages"
	echo "round-robin over a $set MiB set. Kiln: vm.send-migration with \`downtime_ms\` 100, no bandwidth"
	echo "limit. QEMU: \`-M q35\`, \`migrate-set-parameters\` downtime-limit 300 (its default) or 100,"
	echo "max-bandwidth lifted to 100 GiB/s (7.2's default cap is 128 MiB/s)."
	echo
	mig_table "$dir/migrate.txt"
	echo
	echo "Snapshot restore of a ${rmem} MiB idle guest (console line every 20 ms), the state on tmpfs. Kiln:"
	echo "vm.pause + vm.snapshot, then \`kiln --restore\` (maps memory.bin, pages load on first touch)."
	echo "QEMU: \`migrate \"exec:cat > FILE\"\` of the running guest, then \`-incoming \"exec:cat FILE\"\`."
	echo
	restore_table "$dir/restore.txt"
	if ((emulated)); then
		echo
		echo "Emulated host: every number above comes from KVM nested inside QEMU TCG, far slower than"
		echo "real hardware in absolute terms (its loopback moves tens of MB/s, not GB/s). Only the"
		echo "ratios, measured side by side in the same run, mean anything."
	fi
}
