#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host test (KTAP, no VM): suite/runner/run-vm.sh answers bad device, object
# and bind options with exit 2 and one line naming the option, before it
# starts QEMU or touches the results directory's earlier files.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pfn-runner-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/bzImage"
mkdir -p "$tmp/res"
echo keep >"$tmp/res/serial.log"

cases=(
	"bind_with_space|--bind|a b"
	"bind_short_bdf|--bind|12:34"
	"bind_bad_vendor_device|--bind|12345:1"
	"device_option_as_value|--device|-drive"
	"device_with_space|--device|virtio-rng-pci id=x"
	"object_without_id|--object|memory-backend-ram,size=1M"
	"unknown_builtin_device|--devices|nvme,gpu"
	"device_missing_value|--device|--"
	"nic_peer_unknown_model|--nic-peer|e100"
	"flavour_not_built|--flavour|no-such-flavour"
)
echo "KTAP version 1"
echo "1..$((${#cases[@]} + 2))"
n=0 failed=0
# expect NAME WANT-RC WANT-WORD ARGS...: exit WANT-RC, one stderr line naming WANT-WORD
expect() {
	local name=$1 want=$2 word=$3 rc lines
	shift 3
	"$top/suite/runner/run-vm.sh" --kernel "$tmp/bzImage" --results "$tmp/res" "$@" -- true \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	n=$((n + 1))
	if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -q -- "$word" "$tmp/err"; then
		echo "ok $n $name"
	else
		echo "# $name: exit $rc ($want wanted), $lines stderr lines: $(head -c 200 "$tmp/err")"
		echo "not ok $n $name"
		failed=$((failed + 1))
	fi
}
for c in "${cases[@]}"; do
	IFS='|' read -r name opt val <<<"$c"
	expect "$name" 2 "${opt}" "$opt" "$val"
done
expect bind_contradicts_no_vfio_bind 2 "--no-vfio-bind" --bind nvme0 --no-vfio-bind
n=$((n + 1))
if [ "$(cat "$tmp/res/serial.log")" = keep ]; then
	echo "ok $n earlier_results_untouched"
else
	echo "# earlier_results_untouched: serial.log of an earlier run was changed by a refused run"
	echo "not ok $n earlier_results_untouched"
	failed=$((failed + 1))
fi
echo "# Totals: pass:$((n - failed)) fail:$failed xfail:0 xpass:0 skip:0 error:0"
[ $failed -eq 0 ]
