#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh - the DPDK workload's entry point inside a target (the emulated one
# of suite/runner/run-vm.sh --nic-peer e1000e, a LAVA job, or a real host):
# runs pfn-dpdk over what this kernel's VFIO container allows (--cases
# auto: type1 maps the peer BAR by its VMA; iommufd's compat container maps
# it by dma-buf and must refuse the VMA), with the hugepage baseline and a
# revoke under traffic, writes OUT/dpdk.json, checks it against the results
# schema and prints the table.
#
# Usage: workloads/dpdk/run.sh --quick|--full [--out DIR]
#                              [--tx BDF --rx BDF --peer BDF] [--no-revoke]
#                              [--no-validate]
#   --quick   64- and 1518-byte frames, 0.5 s each, one sample (make test)
#   --full    the same sizes, 2 s each, three samples (make run)
#   --out     where dpdk.json goes (default: $PFN_RESULTS)
#   --no-validate  leave the schema check to the caller (make test's host
#             side validates every results file; python under TCG takes ~10 s)
#   --tx/--rx/--peer  the ports and the BAR's device by BDF (default, in the
#             emulated target: QEMU ids nic0, nic1 and ivshmem0)
# Exit status: pfn-dpdk's (0 ok, 1 a case failed, 2 bad input, 3 missing
# infrastructure), or 1 when the results file does not validate.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
die() { echo "dpdk: error: $*" >&2; exit 2; }

profile= out=${PFN_RESULTS:-} tx= rx= peer= revoke=--revoke validate=1
while [ $# -gt 0 ]; do
	case $1 in
	--quick | --full) profile=${1#--}; shift ;;
	--out | --tx | --rx | --peer)
		[ $# -ge 2 ] || die "$1 needs a value"
		case $1 in --out) out=$2 ;; --tx) tx=$2 ;; --rx) rx=$2 ;; --peer) peer=$2 ;; esac
		shift 2 ;;
	--no-revoke) revoke=; shift ;;
	--no-validate) validate=0; shift ;;
	-h | --help) sed -n '3,/^set /{/^set /d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (usage: run.sh --quick|--full [--out DIR] [--tx BDF --rx BDF --peer BDF])" ;;
	esac
done
[ -n "$profile" ] || die "give --quick or --full"
[ -n "$out" ] || die "no output directory: pass --out DIR (or run inside suite/runner/run-vm.sh, which sets PFN_RESULTS)"
mkdir -p "$out" || die "cannot create $out"
app=$here/build/pfn-dpdk
[ -x "$app" ] || die "$app is not built: run make -C suite && make -C workloads/dpdk"

# by_id ID: a device of the emulated target, by QEMU id.
by_id() {
	"$top/suite/runner/bdf-of" "$1" 2>/dev/null ||
		die "no --$2 given and no device '$1' in the emulated target (boot it with suite/runner/run-vm.sh --nic-peer e1000e, or pass --tx, --rx and --peer)"
}
[ -n "$tx" ] || tx=$(by_id nic0 tx) || exit 2
[ -n "$rx" ] || rx=$(by_id nic1 rx) || exit 2
[ -n "$peer" ] || peer=$(by_id ivshmem0 peer) || exit 2

case $profile in
quick) args=(--frames 64,1518 --seconds 0.5 --reps 1) ;;
full) args=(--frames 64,1518 --seconds 2 --reps 3) ;;
esac
json=$out/dpdk.json
echo "dpdk: $profile profile, $tx -> $rx, peer BAR on $peer, kernel $(uname -r)" >&2
"$app" run --tx "$tx" --rx "$rx" --peer "$peer" --cases auto $revoke --hugepages 96 \
	"${args[@]}" --json "$json"
rc=$?
if [ "$validate" = 1 ] && [ -f "$json" ]; then
	/usr/bin/python3 "$top/results/tools/validate" "$json" >&2 || rc=1
fi
exit $rc
