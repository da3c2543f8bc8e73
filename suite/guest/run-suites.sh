#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the emulated target for `make run`: probe, the benchmarks (full
# profile), the KVM workload, then the conformance suite, each writing into
# $PFN_RESULTS; steps.txt records each step's exit status.  Exit status: 0
# when every step passed (or pfn-kvm skipped, saying why), 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/../.."
pfnsuite=suite/build/pfnsuite
out=${PFN_RESULTS:?PFN_RESULTS is not set: run this through suite/runner/run-vm.sh}
status=0

step() {
	local name=$1
	shift
	echo "=== $name: $*"
	"$@"
	local rc=$?
	echo "=== $name: exit $rc"
	echo "$name $rc" >>"$out/steps.txt"
	case $rc in
	0) ;;
	4) [[ $name == kvm-* ]] || status=1 ;;
	*) status=1 ;;
	esac
}

: >"$out/steps.txt"
step probe "$pfnsuite" probe --json "$out/probe.json"
# The reference series' KUnit results from the boot log, as KTAP.
step kunit bash -c 'suite/tests/vm/kunit.sh | tee "$1"; exit "${PIPESTATUS[0]}"' _ "$out/kunit.ktap"
step bench "$pfnsuite" bench --results "$out"
# The KVM guest-access workload: the BAR (at most 1 GiB) in a nested guest,
# VMA path against dma-buf memslot, and revoke under the running guest.
# pfn-kvm exits 4 when it skipped (no /dev/kvm, no device), saying why.
kvm=workloads/kvm/build/pfn-kvm
if [ -x "$kvm" ]; then
	step kvm-bench "$kvm" bench --json "$out/kvm-bench.json"
	step kvm-revoke "$kvm" revoke --json "$out/kvm-revoke.json"
fi
# Last: the conformance suite ends by hot-unplugging the target.
step conform "$pfnsuite" conform --results "$out"
exit $status
