#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Everything `make test` runs inside the emulated target, in one boot: the
# smoke test, the reference series' KUnit results from the boot log, the
# NVMe peer-to-peer DMA proof, the quick benchmark profile and the proof that
# it sees an injected regression, the KVM payload tests against a nested
# guest, the negative control (the revoke proofs fail when the kernel skips
# invalidation), then the conformance suite (whose last case hot-unplugs the
# target, so it comes last).
#
# Each stage runs under its time budget and writes its KTAP to
# $PFN_RESULTS/<stage>.ktap; $PFN_RESULTS/stages.txt records "start NAME" and
# "end NAME STATUS SECONDS" (STATUS 124: over budget), so the host knows which
# stage ran when the guest died.  After boot and after every stage the kernel
# log and taint flags are checked (kernel_health in suite/guest/lib.sh):
# $PFN_RESULTS/kernel-health.ktap has one result per check.  Exit 1 if
# anything failed.
#
#   all.sh --list    print "NAME BUDGET-SECONDS" per stage (the host reads it)
#
# Test-only switches (to show the harness catches each breakage):
#   PFN_TEST_STAGES=a,b        run only these stages (the others are reported
#                              as not selected)
#   PFN_TEST_BREAK=KIND[:STAGE][,...] break STAGE (default smoke) on purpose:
#     warn     a kernel WARNING in the log and the W taint flag
#     taint    set the U taint flag (only negative-control may)
#     crash    panic the guest (sysrq c) while the stage runs
#     die      SIGKILL the stage's process 3 s after it starts
#     hang     the stage sleeps past its budget
#     missing  drop the stage's last two KTAP results (its plan stays)
set -uo pipefail
cd "$(dirname "$0")/../../.."
. suite/guest/lib.sh

declare -a STAGES=()
declare -A BUDGET=() TAINT_OK=() KIND=() CMD=()
# stage NAME BUDGET-SECONDS ALLOWED-TAINT-LETTERS|- ktap|exit COMMAND...: one
# stage.  "ktap": COMMAND prints KTAP; "exit": COMMAND's output becomes
# diagnostics and its exit status the stage's one result.
stage() {
	local name=$1
	STAGES+=("$name") BUDGET[$name]=$2 TAINT_OK[$name]=$3 KIND[$name]=$4
	shift 4
	CMD[$name]=$(printf '%q ' "$@")
}

out=${PFN_RESULTS:-}
# Allowed taint: after boot N (TAINT_TEST: the built-in KUnit tests ran).
# The negative control sets a module parameter marked unsafe (U, TAINT_USER).
# MODEL cases load reference-kernel/modules, built out of tree (O,
# TAINT_OOT_MODULE); the negative control runs some of them first.
TAINT_OK[boot]=N
stage smoke 120 - ktap suite/tests/vm/smoke.sh
stage kunit 60 - ktap suite/tests/vm/kunit.sh
stage dma 90 - ktap suite/tests/vm/dma.sh
stage bench 240 - exit suite/build/pfnsuite bench --quick --results "$out"
# The kernel-side regression proof sets the series' debug map delays
# (module_param_unsafe: taint U); it runs before the negative control, which
# checks that its own knob taints.
stage kernel-regression 300 U ktap suite/tests/vm/kernel-regression.sh
stage kvm-payload 90 - ktap workloads/kvm/build/tests/test_vm
# fio with the pfn engine (quick profile: every placement x path, the kernel
# baselines, revoke under I/O); writes fio.json and fio/.
stage fio 150 - ktap suite/tests/vm/fio.sh
stage negative-control 180 UO ktap suite/tests/vm/negative-control.sh
# The expected outcomes of the kernel this guest booted, when it is one the
# suite knows (Debian's 7.3 with or without the reference series): any
# deviation, a silent SKIP included, fails the conform stage.
expect_args=()
kdir=reference-kernel/out/current
if [ "$(uname -r)" = "$(cat "$kdir/kernel.release" 2>/dev/null)" ]; then
	case "$(cat "$kdir/series" 2>/dev/null)/$(cat "$kdir/source.id" 2>/dev/null)" in
	reference/debian:*) expect_args=(--expect suite/conform/expect/reference.expect) ;;
	none/debian:*) expect_args=(--expect suite/conform/expect/stock-7.3.expect) ;;
	esac
fi
stage conform 300 O ktap suite/build/pfnsuite conform --results "$out" "${expect_args[@]}" \
	--stress-seconds "${PFN_STRESS_SECONDS:-10}" --stress-iterations "${PFN_STRESS_ITERATIONS:-100}"

if [ "${1:-}" = --list ]; then
	for s in "${STAGES[@]}"; do echo "$s ${BUDGET[$s]}"; done
	exit 0
fi
[ -n "$out" ] || { echo "all.sh: PFN_RESULTS is not set: run this through suite/runner/run-vm.sh" >&2; exit 2; }

break_parse "${PFN_TEST_BREAK:-}" || exit 2
selected=",${PFN_TEST_STAGES:-${STAGES[*]}},"
selected=${selected// /,}

# break_now KIND: the deliberate breakage, inside the stage's budget.
break_now() {
	echo "# PFN_TEST_BREAK: $1 in stage $s, on purpose" >&2
	case $1 in
	warn)
		if [ -w /sys/kernel/debug/provoke-crash/DIRECT ]; then
			echo WARNING >/sys/kernel/debug/provoke-crash/DIRECT
		else
			# No LKDTM in this kernel: write a WARN's two signatures,
			# its log line and its taint flag W, from userspace.
			echo "<4>WARNING: CPU: 0 PID: $$ at pfn_test_break (PFN_TEST_BREAK=warn, written to /dev/kmsg)" >/dev/kmsg
			echo $((1 << 9)) >/proc/sys/kernel/tainted
		fi ;;
	taint) echo $((1 << 6)) >/proc/sys/kernel/tainted ;;
	crash) sync; echo c >/proc/sysrq-trigger ;;
	esac
}

health_plan=1
for s in "${STAGES[@]}"; do [[ $selected == *",$s,"* ]] && health_plan=$((health_plan + 1)); done

status=0 t_start=$SECONDS k=0 total=$((health_plan - 1))
results_fresh "$out"
: >"$out/stages.txt"
health_begin "$health_plan"
health_check boot "${TAINT_OK[boot]}" || status=1
for s in "${STAGES[@]}"; do
	[[ $selected == *",$s,"* ]] || { echo "skip $s not selected (PFN_TEST_STAGES=${PFN_TEST_STAGES:-})" >>"$out/stages.txt"; continue; }
	k=$((k + 1))
	echo "# ==== [$k/$total] $s (budget ${BUDGET[$s]} s, $((SECONDS - t_start)) s elapsed)"
	echo "start $s" >>"$out/stages.txt"
	sync
	t0=$SECONDS
	kind=${BREAK[$s]:-}
	cmd=${CMD[$s]}
	case $kind in
	hang) cmd+="; sleep $((BUDGET[$s] * 10))" ;;
	die) cmd="timeout -s KILL 3 $cmd" ;;
	esac
	case $kind in warn | taint | crash) break_now "$kind" ;; esac
	if [ "${KIND[$s]}" = exit ]; then
		{
			echo "KTAP version 1"
			echo "1..1"
			timeout -k 10 "${BUDGET[$s]}" bash -c "$cmd" 2>&1 | sed 's/^/# /'
			rc=${PIPESTATUS[0]}
			case $rc in
			0) echo "ok 1 ${s//-/_}" ;;
			124) echo "not ok 1 ${s//-/_} # over its budget of ${BUDGET[$s]} s" ;;
			*) echo "not ok 1 ${s//-/_} # exit $rc" ;;
			esac
			exit "$rc"
		} | tee "$out/$s.ktap.tmp"
	else
		timeout -k 10 "${BUDGET[$s]}" bash -c "$cmd" | tee "$out/$s.ktap.tmp"
	fi
	rc=${PIPESTATUS[0]}
	if [ "$kind" = missing ]; then
		ktap_drop_results 2 "$out/$s.ktap.tmp"
	fi
	mv "$out/$s.ktap.tmp" "$out/$s.ktap"
	[ "$rc" -eq 0 ] || status=1
	[ "$rc" -ne 124 ] || echo "# ==== $s: over its budget of ${BUDGET[$s]} s, stopped"
	echo "end $s $rc $((SECONDS - t0))" >>"$out/stages.txt"
	echo "# ==== $s: exit $rc after $((SECONDS - t0)) s"
	health_check "$s" "${TAINT_OK[$s]}" || status=1
done
exit $status
