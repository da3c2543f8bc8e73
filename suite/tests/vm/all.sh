#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Everything `make test` runs inside the emulated target, in one boot: the
# smoke test, the reference series' KUnit results from the boot log, the
# NVMe peer-to-peer DMA proof, the quick benchmark profile and the proof that
# it sees an injected regression, the KVM payload tests against a nested
# guest, the negative control (the revoke proofs fail when the kernel skips
# invalidation), then the conformance suite (whose last case hot-unplugs the
# target, so it comes last).  Each stage writes its KTAP to
# $PFN_RESULTS/<stage>.ktap (the host totals them); exit 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/../../.."
out=${PFN_RESULTS:?PFN_RESULTS is not set: run this through suite/runner/run-vm.sh}
status=0

stage() {
	local name=$1
	shift
	echo "# ==== $name"
	"$@" | tee "$out/$name.ktap"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}

stage smoke suite/tests/vm/smoke.sh
stage kunit suite/tests/vm/kunit.sh
stage dma suite/tests/vm/dma.sh
stage bench suite/build/pfnsuite bench --quick --results "$out"
stage bench-regression results/tools/regression-check --results "$out"
stage kvm-payload workloads/kvm/build/tests/test_vm
stage negative-control suite/tests/vm/negative-control.sh
stage conform suite/build/pfnsuite conform --results "$out" \
	--stress-seconds "${PFN_STRESS_SECONDS:-10}" --stress-iterations "${PFN_STRESS_ITERATIONS:-100}"
exit $status
