#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make run`: boot the emulated target with the built kernel, run the suite
# inside it, and write results/runs/<UTC timestamp>/.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
die() { echo "run: error: $*" >&2; exit 1; }

kdir=$(readlink -f reference-kernel/out/current 2>/dev/null) || true
[ -n "$kdir" ] && [ -e "$kdir/bzImage" ] || die "no kernel has been built: run 'make kernel'"
[ -x suite/build/pfnsuite ] || die "suite/build/pfnsuite is missing: run 'make suite'"

# A new directory for every run: mkdir without -p fails if the name exists
# (two runs in one second), then a suffix makes it unique.
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p results/runs
base=$stamp n=1
until mkdir "results/runs/$stamp" 2>/dev/null; do
	n=$((n + 1))
	stamp=$base-$n
	[ "$n" -lt 100 ] || die "cannot create a new directory under results/runs"
done
run=results/runs/$stamp
suite/host/metadata.sh "$kdir" qemu "$run/metadata.json"
echo "run: kernel $(cat "$kdir/kernel.release") ($(cat "$kdir/series") series), results in $run"
echo "run: booting the emulated target under QEMU TCG; this takes a minute or more"
echo "run: steps in the guest: probe, kunit, bench, kvm-bench, kvm-revoke, conform (progress below)"

rc=0
suite/runner/run-vm.sh --results "$run" --timeout "${PFN_RUN_TIMEOUT:-3600}" \
	-- suite/guest/run-suites.sh || rc=$?
ln -sfn "$stamp" results/runs/latest

echo
echo "==== summary ($run)"
outcome=$(jq -r '.outcome // "unknown"' "$run/vm-outcome.json" 2>/dev/null || echo unknown)
echo "target: QEMU TCG; outcome: $outcome, exit $rc"
if [ -f "$run/probe.json" ]; then
	printf '%-13s %-10s %-5s %10s  %-15s %-12s %s\n' device id bar size \
		"dma-buf export" "iommufd map" "type1 map (VMA)"
	jq -r '.devices[] | . as $d | .bars[] |
		def v(f): if f.tried then (if f.supported then "yes" else "no (errno \(f.errno))" end) else "-" end;
		[$d.bdf, $d.id, "BAR\(.index)", (.size | tostring),
		 v(.dmabuf_export), v(.iommufd_map_file), v(.type1_map_vma)] | @tsv' \
		"$run/probe.json" |
	while IFS=$'\t' read -r bdf id bar size e m t; do
		printf '%-13s %-10s %-5s %10s  %-15s %-12s %s\n' "$bdf" "$id" "$bar" "$size" "$e" "$m" "$t"
	done
fi
if [ -f "$run/kunit.ktap" ]; then
	echo "KUnit at boot: $(grep -cE '^ok [0-9]+ [^#]*$' "$run/kunit.ktap") passed," \
		"$(grep -cE '^not ok ' "$run/kunit.ktap") failed, $(grep -cE '^ok .*# SKIP' "$run/kunit.ktap") skipped"
fi
if [ -f "$run/conformance.json" ]; then
	jq -r '.totals | "conformance: \(.pass) pass, \(.fail) fail, \(.skip) skip, \(.findings) findings (\(.seconds | round) s)"' \
		"$run/conformance.json"
	jq -r '.tests[] | select(.result == "fail" or .result == "xfail") |
		"  \(.result) \(.id) \(.name): \(.reason)"' "$run/conformance.json"
fi
if [ -f "$run/bench.json" ]; then
	echo "benchmarks (median per path; QEMU TCG timings are not hardware timings):"
	/usr/bin/python3 results/tools/report "$run/bench.json" | sed 's/^/  /' || rc=1
fi
if [ -f "$run/kvm-bench.json" ]; then
	echo "KVM guest access (pfn-kvm bench, medians; nested KVM under TCG):"
	printf '  %-7s %-5s %12s %10s %12s %12s  %s\n' path align "MiB/s warm" "NPT faults" \
		"setup us" "1st access us" status
	jq -r '.configs[] | (.metrics // [] | map({(.name): .median}) | add // {}) as $m |
		def n(k): ($m[k] // null) | if . == null then "-" else (. * 10 | round / 10 | tostring) end;
		def mib(k): ($m[k] // null) | if . == null then "-" else (. / 1048576 * 10 | round / 10 | tostring) end;
		def sz: if . >= 1073741824 then "\(. / 1073741824)G" elif . >= 1048576 then "\(. / 1048576)M"
			else "\(. / 1024)K" end;
		[.path, (.align | sz), mib("guest_bytes_per_s_warm"), n("npt_faults_cold_pass"),
		 n("memslot_setup_time"), n("time_to_first_access"),
		 (if .status == "ok" then "ok" else "\(.status): \(.reason)" end)] | @tsv' \
		"$run/kvm-bench.json" |
	while IFS=$'\t' read -r p a b f su fa st; do
		printf '  %-7s %-5s %12s %10s %12s %12s  %s\n' "$p" "$a" "$b" "$f" "$su" "$fa" "$st"
	done
fi
if [ -f "$run/kvm-revoke.json" ]; then
	echo "KVM revoke under a running guest (pfn-kvm revoke):"
	jq -r '.experiments[] | "  \(.path) \(.trigger): " +
		(if .status == "ok" then .summary else "\(.status): \(.reason)" end)' "$run/kvm-revoke.json"
fi
# Every JSON file of the run against results/schema/ (one line per file).
echo "schema (results/tools/validate $run):"
/usr/bin/python3 results/tools/validate "$run" 2>&1 | sed "s|^$run/|  |" || rc=1
if [ -f "$run/kernel-health.ktap" ]; then
	bad=$(sed -nE 's/^not ok [0-9]+ kernel_health_after_//p' "$run/kernel-health.ktap")
	if [ -n "$bad" ]; then
		echo "kernel health: NOT healthy:"
		sed 's/^/  after /' <<<"$bad"
		rc=1
	else
		echo "kernel health: no WARN, BUG, Oops, lockdep, sanitizer, stall or hung-task report, no unexpected taint"
	fi
fi
[ -f "$run/steps.txt" ] && awk '{ printf "step: %-11s exit %s%s\n", $1, $2, ($3 != "" ? " after " $3 " s" : "") }' "$run/steps.txt"
echo "files:"
(cd "$run" && find . -type f | sort | sed 's|^\./|  |')
exit $rc
