#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the emulated target for `make run`: probe, then every suite
# pfnsuite offers, each writing into $PFN_RESULTS.  Exit status: 0 when every
# step passed, 1 otherwise.
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
	[ $rc -eq 0 ] || status=1
}

: >"$out/steps.txt"
step probe "$pfnsuite" probe --json "$out/probe.json"
# Suites join here as pfnsuite grows them; each is run only if it exists.
# The benchmarks go first: conformance ends by hot-unplugging the target.
for suite in bench conform; do
	if "$pfnsuite" "$suite" --help >/dev/null 2>&1; then
		step "$suite" "$pfnsuite" "$suite" --results "$out"
	fi
done
exit $status
