#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run-qemu.sh - `make lava`: the QEMU job of lava-jobs/, run by LAVA's own
# dispatcher (lava-run: no server, no database), then its results checked.
#
#   lava-jobs/run-qemu.sh [--kernel BZIMAGE] [--out DIR] [--validate-only]
#
# 1. The device configuration: lava-jobs/devices/qemu-pfnsuite.jinja2 (it
#    extends lava-server's qemu.jinja2, taken from the lava-server .deb by
#    tools/lava-server-templates.sh) rendered with the job's context, as
#    lava-server renders it (tools/render.py).
# 2. The job: qemu/pfnsuite-qemu.yaml.jinja2 with every test definition of
#    lava-jobs/tests/ for device type qemu, the kernel (default
#    reference-kernel/out/current/bzImage), the pfnroot tarball LAVA adds
#    its overlay to, and the test definitions as a tarball of this tree.
# 3. lava-run runs it, with tools/../qemu/host-bridge.sh serving the
#    hot-unplug requests over QMP.  LAVA works in its fixed
#    /var/lib/lava/dispatcher/tmp/<job id>/ (removed afterwards).
# 4. results/tools/lava-results parses LAVA's log stream (lava-run's output, DIR/lava-run.log)
#    into DIR/lava-results.json and checks that LAVA's per-case verdicts and
#    measurements agree with the same run's conformance.json, bench.json and
#    probe.json (in DIR/guest/, the guest's results share).
#
# Prints KTAP (one result per check above, plus the job's cases) and
# "lava: ..." progress; writes everything to DIR (default
# results/lava-runs/<UTC timestamp>/).  Exit 0 when every check passed, 1
# when one failed, 2 bad usage, 3 a missing tool (lava-run, the kernel, the
# suite's build).  --validate-only: render and `lava-run --validate` only.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$top"
kernel=$top/reference-kernel/out/current/bzImage
out= validate_only=0
die() { echo "lava: error: $2" >&2; exit "$1"; }
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || die 2 "--kernel needs a path"; kernel=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die 2 "--out needs a directory"; out=$2; shift 2 ;;
	--validate-only) validate_only=1; shift ;;
	-h | --help) sed -n '3,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die 2 "unknown option '$1' (see --help)" ;;
	esac
done
command -v lava-run >/dev/null || die 3 "lava-run not found: run suite/host/install-deps.sh (Debian's lava-dispatcher)"
[ -f "$kernel" ] || die 3 "kernel '$kernel' not found: make kernel, or pass --kernel"
kernel=$(realpath "$kernel")
for f in suite/build/pfnsuite workloads/kvm/build/tests/test_vm; do
	[ -x "$f" ] || die 3 "$f is not built: make suite"
done
templates=$(lava-jobs/tools/lava-server-templates.sh) || exit 3

if [ -z "$out" ]; then
	out=results/lava-runs/$(date -u +%Y%m%dT%H%M%SZ)
fi
mkdir -p "$out/guest" || die 3 "cannot create $out"
out=$(cd "$out" && pwd -P)
rm -rf "${out:?}/guest/"* "$out/lava" "$out"/*.json

# What the kernel is decides the expected outcomes, as suite/tests/vm/all.sh
# decides them: Debian's 7.3 with the reference series or without.
kdir=$(dirname "$kernel") expect=
case "$(cat "$kdir/series" 2>/dev/null)/$(cat "$kdir/source.id" 2>/dev/null)" in
reference/debian:*) expect=suite/conform/expect/reference.expect ;;
none/debian:*) expect=suite/conform/expect/stock-7.3.expect ;;
esac

# The pfnroot tarball (LAVA adds /lava-<id>/ to it) and the test definitions.
mkdir -p "$out/pfnroot/etc"
echo "pfnsuite LAVA root (lava-jobs/qemu/init.sh)" >"$out/pfnroot/etc/pfnroot"
tar -cf "$out/pfnroot.tar" -C "$out/pfnroot" . || die 3 "cannot write $out/pfnroot.tar"
tar -czf "$out/lava-tests.tar.gz" -C "$top" lava-jobs/tests || die 3 "cannot write $out/lava-tests.tar.gz"
truncate -s 64M "$out/nvme.img"
job_id=$(( $(date +%s) % 100000000 * 100 + RANDOM % 100 ))
py=/usr/bin/python3
$py lava-jobs/tools/render.py job lava-jobs/qemu/pfnsuite-qemu.yaml.jinja2 --device-type qemu \
	--var job_name="pfnsuite qemu $(git describe --always --dirty 2>/dev/null || echo unknown)" \
	--var kernel_url="file://$kernel" --var pfnroot_url="file://$out/pfnroot.tar" \
	--var tests_url="file://$out/lava-tests.tar.gz" --var suite_dir="$top" \
	--var results_dir="$out/guest" --var qmp_socket="$out/qmp.sock" --var nvme_image="$out/nvme.img" \
	--var expect="$expect" --output "$out/job.yaml" || exit 2
$py lava-jobs/tools/render.py device --templates "$templates" --device lava-jobs/devices/qemu-pfnsuite.jinja2 \
	--job "$out/job.yaml" --output "$out/device.yaml" || exit 2
echo "dispatcher_ip: 127.0.0.1" >"$out/dispatcher.yaml"
families=$($py lava-jobs/tools/render.py families --device-type qemu | awk '{print $2}' | paste -sd ' ')
echo "lava: job $job_id: $kernel, families: $families; expect: ${expect:-none}; in $out" >&2

lava_tmp=/var/lib/lava/dispatcher/tmp/$job_id
lava_run() { lava-run --job-id "$job_id" --output-dir "$out/lava" --device "$out/device.yaml" \
	--dispatcher "$out/dispatcher.yaml" "$@" "$out/job.yaml"; }
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; [ -z "${2:-}" ] || echo "# $1: $2"; }
notok() { n=$((n + 1)); failed=1; echo "not ok $n $1"; [ -z "${2:-}" ] || echo "# $1: $2"; }

echo "KTAP version 1"
if [ "$validate_only" = 1 ]; then
	echo "1..1"
	if lava_run --validate >"$out/validate.log" 2>&1; then ok lava_run_validate; else notok lava_run_validate "see $out/validate.log"; fi
	rm -rf "$lava_tmp"
	exit "$failed"
fi
echo "1..6"
t0=$SECONDS
timeout_s=$(( ($($py -c 'import sys,yaml; print(yaml.safe_load(open(sys.argv[1]))["timeouts"]["job"]["minutes"])' "$out/job.yaml") + 2) * 60 ))
lava_run >"$out/lava-run.log" 2>&1 &
lava_pid=$!
# Stopped early (make test's stage limit, ^C): lava-run cancels its job and
# stops QEMU on SIGTERM; nothing of it outlives this script.
trap 'kill -TERM "$lava_pid" 2>/dev/null; wait "$lava_pid"; rm -rf "$lava_tmp"; exit 1' TERM INT
lava-jobs/qemu/host-bridge.sh "$out/guest" "$out/qmp.sock" "$lava_pid" >"$out/host-bridge.log" 2>&1 &
# Progress: each test definition as LAVA starts it.
shown=0
while kill -0 "$lava_pid" 2>/dev/null; do
	if [ $((SECONDS - t0)) -gt "$timeout_s" ]; then
		echo "lava: lava-run ran past the job's timeout + 2 min: stopped" >&2
		kill -TERM "$lava_pid"
		break
	fi
	mapfile -t marks < <(grep -ao 'family [a-z0-9_-]*: exit [0-9]* after [0-9]* s' "$out/lava-run.log" 2>/dev/null)
	for ((k = shown; k < ${#marks[@]}; k++)); do echo "lava: [$((SECONDS - t0)) s] ${marks[k]}" >&2; done
	shown=${#marks[@]}
	sleep 2
done
wait "$lava_pid"
rc=$?
wait
secs=$((SECONDS - t0))
rm -rf "$lava_tmp"
echo "lava: lava-run exit $rc after $secs s" >&2
if [ "$rc" -eq 0 ]; then ok lava_run; else notok lava_run "exit $rc after $secs s, see $out/lava-run.log"; fi

if $py results/tools/lava-results parse "$out/lava-run.log" --output "$out/lava-results.json" 2>"$out/parse.log"; then
	ok lava_results_parsed "$(cat "$out/parse.log")"
	cat "$out/parse.log" >&2
else
	notok lava_results_parsed "$(cat "$out/parse.log")"
fi
job=$(jq -r '.job.result' "$out/lava-results.json" 2>/dev/null)
if [ "$job" = pass ]; then ok lava_job_complete; else notok lava_job_complete "LAVA's job result: ${job:-none} $(jq -r '.job.error_msg // ""' "$out/lava-results.json" 2>/dev/null)"; fi
# Every definition of the job ran to its end (LAVA's lava/N_name cases) and
# none of them failed a case, but for the documented findings the
# expected-outcomes file expects (xfail in conformance.json: LAVA has no
# expected failure, so they are LAVA fails).
want=$(echo "$families" | wc -w)
ran=$(jq '[.cases[] | select(.definition == "lava" and (.case | test("^[0-9]+_")) and .result == "pass")] | length' "$out/lava-results.json" 2>/dev/null)
findings=$(jq -c '[.tests[] | select(.result == "xfail") | .id]' "$out/guest/conformance.json" 2>/dev/null || echo '[]')
bad=$(jq -r --argjson xf "${findings:-[]}" '[.cases[] | select(.definition != "lava" and .result == "fail")
	| select((.definition | test("^[0-9]+_conformance$")) and (.case as $c | $xf | index($c)) | not)
	| "\(.definition)/\(.case)"] | join(" ")' "$out/lava-results.json" 2>/dev/null)
if [ "${ran:-0}" = "$want" ] && [ -z "$bad" ]; then
	ok lava_every_definition_passed "$want definitions; the fails are the expected findings: $(jq -r 'join(" ")' <<<"${findings:-[]}")"
else
	notok lava_every_definition_passed "${ran:-0} of $want definitions completed; unexpected failed cases: ${bad:-none}"
fi
if $py results/tools/lava-results agree "$out/lava-results.json" --probe "probe=$out/guest/probe.json" \
	--conformance "conformance=$out/guest/conformance.json" --bench "bench=$out/guest/bench.json" >"$out/agree.log" 2>&1; then
	ok lava_agrees_with_suite_files "$(tail -n 1 "$out/agree.log")"
else
	notok lava_agrees_with_suite_files "$(tail -n 1 "$out/agree.log"), see $out/agree.log"
fi
if $py results/tools/validate "$out/guest" "$out/lava-results.json" >"$out/validate-results.log" 2>&1; then
	ok results_valid
else
	notok results_valid "$(grep -v ': valid' "$out/validate-results.log" | head -n 3 | paste -sd ';')"
fi
echo "lava: $(jq '[.cases[] | select(.definition != "lava")] | length' "$out/lava-results.json" 2>/dev/null) cases, $(jq '[.cases[] | select(has("measurement"))] | length' "$out/lava-results.json" 2>/dev/null) measurements, $secs s; $out" >&2
exit "$failed"
