#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the emulated target for `make run`: probe, the benchmarks (full
# profile), the KVM workload, then the conformance suite, each writing into
# $PFN_RESULTS; steps.txt records each step's exit status and seconds.  The
# kernel log and taint flags are checked after boot and after every step
# (kernel-health.ktap; see suite/guest/lib.sh).  Exit status: 0 when every
# step passed (or pfn-kvm skipped, saying why) and the kernel stayed healthy,
# 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/../.."
. suite/guest/lib.sh
pfnsuite=suite/build/pfnsuite
kvm=workloads/kvm/build/pfn-kvm
out=${PFN_RESULTS:?PFN_RESULTS is not set: run this through suite/runner/run-vm.sh}
status=0

# The steps, in order: NAME ALLOWED-TAINT-LETTERS|- COMMAND (one line each;
# conform last, it ends by hot-unplugging the target).  pfn-kvm exits 4 when
# it skipped (no /dev/kvm, no device), saying why.  Conform's MODEL cases
# load reference-kernel/modules, built out of tree: taint O.
declare -a NAMES=() TAINTS=() CMDS=()
step_def() {
	NAMES+=("$1") TAINTS+=("$2")
	shift 2
	CMDS+=("$(printf '%q ' "$@")")
}
step_def probe - "$pfnsuite" probe --json "$out/probe.json"
# The reference series' KUnit results from the boot log, as KTAP.
step_def kunit - bash -c 'suite/tests/vm/kunit.sh >"$1"; rc=$?; cat "$1"; exit $rc' _ "$out/kunit.ktap"
step_def bench - "$pfnsuite" bench --results "$out"
# The KVM guest-access workload: the BAR (at most 1 GiB) in a nested guest,
# VMA path against dma-buf memslot, and revoke under the running guest.
if [ -x "$kvm" ]; then
	step_def kvm-bench - "$kvm" bench --json "$out/kvm-bench.json"
	step_def kvm-revoke - "$kvm" revoke --json "$out/kvm-revoke.json"
fi
step_def conform O "$pfnsuite" conform --results "$out"

results_fresh "$out"
: >"$out/steps.txt"
health_begin $((${#NAMES[@]} + 1))
health_check boot N || status=1
t_start=$SECONDS
for ((i = 0; i < ${#NAMES[@]}; i++)); do
	name=${NAMES[i]}
	echo "=== [$((i + 1))/${#NAMES[@]}] $name ($((SECONDS - t_start)) s elapsed)"
	t0=$SECONDS
	bash -c "${CMDS[i]}"
	rc=$?
	echo "=== $name: exit $rc after $((SECONDS - t0)) s (steps left: $((${#NAMES[@]} - i - 1)))"
	echo "$name $rc $((SECONDS - t0))" >>"$out/steps.txt"
	case $rc in
	0) ;;
	4) [[ $name == kvm-* ]] || status=1 ;;
	*) status=1 ;;
	esac
	health_check "$name" "${TAINTS[i]}" || status=1
done
exit $status
