#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host stage of `make test`: the in-VM DPDK stage (suite/tests/vm/dpdk.sh)
# on a second kernel flavour, in a boot of its own.  Builds the flavour
# (KERNEL_FLAVOUR=NAME reference-kernel/build.sh: cached, keyed by its
# inputs), boots it with the two wired NIC ports and runs the dpdk stage
# through suite/tests/vm/all.sh (so the guest kernel's health is checked
# too).  Prints its own KTAP (flavour built, VM exited, results valid) and
# then the guest's KTAP streams.  Results: $PFN_TEST_LOGS/vm-NAME/.
#
# Usage: dpdk-flavour.sh NAME   (e.g. iommufd-compat)
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
name=${1:-}
[[ $name =~ ^[a-z0-9][a-z0-9-]*$ ]] || { echo "dpdk-flavour: usage: dpdk-flavour.sh FLAVOUR (e.g. iommufd-compat)" >&2; exit 2; }
logs=${PFN_TEST_LOGS:-results/test-runs/dpdk-flavour-$(date -u +%Y%m%dT%H%M%SZ)}
res=$logs/vm-$name
mkdir -p "$res"

n=0 failed=0
result() { # result ok|fail NAME [REASON]
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n $2"; else echo "not ok $n $2 # ${3//#/ }"; failed=$((failed + 1)); fi
}
echo "KTAP version 1"
echo "1..3"
t0=$SECONDS
if KERNEL_FLAVOUR=$name reference-kernel/build.sh >"$res/kernel.log" 2>&1 &&
	make -s --no-print-directory -C suite >"$res/build.log" 2>&1 &&
	make -s --no-print-directory -C workloads/dpdk >>"$res/build.log" 2>&1; then
	result ok "flavour_${name//-/_}_built"
	echo "# $(grep -E 'kernel: (cached|built in|done)' "$res/kernel.log" | tail -n1) ($((SECONDS - t0)) s)"
else
	result fail "flavour_${name//-/_}_built" "kernel or suite build failed: see $res/kernel.log and $res/build.log"
	result fail "flavour_${name//-/_}_vm_exited" "not booted: no build"
	result fail "flavour_${name//-/_}_results_valid" "not booted: no build"
	echo "# Totals: pass:0 fail:3 xfail:0 xpass:0 skip:0 error:0"
	exit 1
fi
t1=$SECONDS
suite/runner/run-vm.sh --results "$res" --flavour "$name" --nic-peer e1000e --timeout 300 -- \
	env PFN_TEST_STAGES=dpdk suite/tests/vm/all.sh >"$res/runner.log" 2>&1
rc=$?
outcome=$(jq -r '.outcome // "unknown"' "$res/vm-outcome.json" 2>/dev/null || echo unknown)
guest=$(jq -r '.seconds // 0' "$res/vm-outcome.json" 2>/dev/null || echo 0)
echo "# the $name boot: $outcome, exit $rc, $guest s of guest time (host $((SECONDS - t1)) s)"
if [ "$outcome" = exited ]; then
	result ok "flavour_${name//-/_}_vm_exited"
else
	result fail "flavour_${name//-/_}_vm_exited" "the VM ended: $outcome (see $res/serial.log)"
fi
if /usr/bin/python3 results/tools/validate "$res" >"$res/validate.log" 2>&1; then
	result ok "flavour_${name//-/_}_results_valid"
else
	result fail "flavour_${name//-/_}_results_valid" "$(head -n1 "$res/validate.log")"
fi
# Both boots side by side (the reference kernel's from make test's own boot).
tables=()
for f in "$logs/vm/dpdk.json" "$res/dpdk.json"; do [ -f "$f" ] && tables+=("$f"); done
[ ${#tables[@]} -eq 0 ] || workloads/dpdk/table "${tables[@]}" 2>&1 | sed 's/^/# /'
echo "# Totals: pass:$((n - failed)) fail:$failed xfail:0 xpass:0 skip:0 error:0"
for f in dpdk kernel-health; do
	echo "# running $name/$f.ktap"
	if [ -f "$res/$f.ktap" ]; then
		cat "$res/$f.ktap"
	elif [ -f "$res/$f.ktap.tmp" ]; then
		cat "$res/$f.ktap.tmp"
	else
		printf 'KTAP version 1\n1..1\nnot ok 1 %s # no KTAP from the %s boot (see %s/serial.log)\n' \
			"${f//-/_}" "$name" "$res"
	fi
done
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
