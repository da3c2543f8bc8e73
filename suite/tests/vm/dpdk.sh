#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In-VM DPDK stage (the emulated target booted with run-vm.sh --nic-peer
# e1000e: nic0 and nic1 wired to each other): bad input first, on the type1
# kernel (each gets one line and a non-zero exit, the devices stay bound),
# then the quick
# profile of workloads/dpdk/run.sh, judged from its dpdk.json: every case
# this kernel's VFIO container allows forwards verified frames (type1:
# hugepage and bar_vma; iommufd's compat container: hugepage and
# bar_dmabuf, and bar_vma refused), and the revoke under traffic (dma-buf:
# nothing lands, the application notices and recovers; type1: frames land,
# the finding FIND-020, KTAP XFAIL).  Prints KTAP.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. suite/guest/lib.sh
out=${PFN_RESULTS:-/tmp}
app=workloads/dpdk/build/pfn-dpdk
json=$out/dpdk.json
hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

# ktap_xfail NAME REASON: a documented finding (counted on its own).
ktap_xfail() {
	KTAP_N=$((KTAP_N + 1))
	echo "not ok $KTAP_N $1 # XFAIL ${2//#/ }"
}
# bad_input NAME RC WORDS ARGS...: pfn-dpdk exits RC with one stderr line holding WORDS.
bad_input() {
	local name=$1 want=$2 words=$3 rc lines msg
	shift 3
	msg=$("$app" run --quiet "$@" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$msg" | grep -c .)
	echo "# $name: exit $rc: $msg"
	ktap_check "$name" "exit $rc (wanted $want), $lines lines: $msg" \
		test "$rc" = "$want" -a "$lines" = 1 -a -n "$(printf '%s' "$msg" | grep -F -- "$words")"
}

ktap_begin
tx=$(suite/runner/bdf-of nic0 2>/dev/null)
rx=$(suite/runner/bdf-of nic1 2>/dev/null)
peer=$(suite/runner/bdf-of ivshmem0 2>/dev/null)
edu=$(suite/runner/bdf-of edu0 2>/dev/null)
nvme=$(suite/runner/bdf-of nvme0 2>/dev/null)
container=none
[ -e /dev/vfio/vfio ] && container=iommufd-compat
[ -d /sys/module/vfio_iommu_type1/parameters ] && container=type1
echo "# dpdk: kernel $(uname -r), VFIO container $container; ports nic0 ${tx:-absent}, nic1 ${rx:-absent}, peer ivshmem0 ${peer:-absent}"
ready=1
for d in "$tx" "$rx" "$peer"; do
	[ -n "$d" ] && [ "$(pci_driver "$d")" = vfio-pci ] || ready=0
done
ktap_check dpdk_ports_ready \
	"nic0, nic1 and ivshmem0 must be present and on vfio-pci (boot with suite/runner/run-vm.sh --nic-peer e1000e)" \
	test "$ready" = 1 -a -x "$app"
if [ "$ready" = 0 ]; then
	ktap_end
	exit 1
fi

# ---- bad input: one line, non-zero exit, nothing left unbound.  It does not
# depend on the container: the type1 boot (make test's own) runs it, the
# flavour's boot does not repeat it.
t0=$SECONDS
if [ "$container" = type1 ]; then
	other=$(for d in /sys/bus/pci/devices/*; do
		drv=$(pci_driver "${d##*/}")
		[ "$drv" != vfio-pci ] && [ "$drv" != none ] && echo "${d##*/}"
	done | head -n1)
	bad_input dpdk_bad_port_not_vfio 2 "not vfio-pci" --tx "$other" --rx "$rx"
	nr=$(cat "$hp")
	echo 0 >"$hp"
	bad_input dpdk_bad_no_hugepages 3 "hugepages" --tx "$tx" --rx "$rx"
	echo "$nr" >"$hp"
	bad_input dpdk_bad_bar_too_small 2 "pass fewer --mbufs" --tx "$tx" --rx "$rx" --peer "$nvme" \
		--cases bar_vma --mbufs 32768 --hugepages 96
	bad_input dpdk_bad_dmabuf_needs_compat_container 3 "CONFIG_IOMMUFD_VFIO_CONTAINER=y" \
		--tx "$tx" --rx "$rx" --peer "$peer" --cases bar_dmabuf --hugepages 96
	bad_input dpdk_bad_no_pmd 2 "no DPDK poll-mode driver" --tx "$tx" --rx "$edu" --hugepages 96
	bound=1
	for d in "$tx" "$rx" "$peer" "$edu"; do [ "$(pci_driver "$d")" = vfio-pci ] || bound=0; done
	ktap_check dpdk_bad_input_leaves_devices_bound "a device left vfio-pci after the bad input" test "$bound" = 1
	echo "# bad input: $((SECONDS - t0)) s"
fi
t0=$SECONDS

# ---- the quick profile
rm -f "$json"
echo "# workloads/dpdk/run.sh --quick"
# The host validates every results file of the boot (make test's
# results-schema stage, the flavour stage's own check).
workloads/dpdk/run.sh --quick --no-validate --out "$out" 2>&1 | sed 's/^/# /'
rc=${PIPESTATUS[0]}
echo "# quick profile: $((SECONDS - t0)) s"
ktap_check dpdk_quick_profile "run.sh --quick exited $rc" test "$rc" = 0
ktap_check dpdk_results_written "$json missing or not a pfnsuite-dpdk/1 file" \
	sh -c 'jq -e ".schema == \"pfnsuite-dpdk/1\"" "$1" >/dev/null 2>&1' _ "$json"

# case_is CASE STATUS: dpdk.json has CASE with STATUS.
case_is() {
	jq -e --arg c "$1" --arg s "$2" '[.cases[] | select(.case == $c and .status == $s)] | length == 1' \
		"$json" >/dev/null 2>&1
}
case_reason() {
	jq -r --arg c "$1" '[.cases[] | select(.case == $c)][0] // {} | "\(.status // "absent"): \(.reason // "")"' \
		"$json" 2>/dev/null
}
if [ "$container" = type1 ]; then
	want=(hugepage:ok bar_vma:ok)
	revoked=bar_vma
else
	want=(hugepage:ok bar_vma:refused bar_dmabuf:ok)
	revoked=bar_dmabuf
fi
for w in "${want[@]}"; do
	c=${w%%:*} s=${w#*:}
	name=dpdk_${c}_frames_verified
	[ "$s" = refused ] && name=dpdk_${c}_refused_by_${container//-/_}
	ktap_check "$name" "$(case_reason "$c")" case_is "$c" "$s"
done
rev=$(jq -r --arg c "$revoked" '[.revoke[] | select(.case == $c)][0] // {} |
	"\(.status // "absent")\t\(.finding // "")\t\(.reason // "no revoke result")"' "$json" 2>/dev/null)
IFS=$'\t' read -r rstatus rfinding rreason <<<"${rev:-absent}"
name=dpdk_revoke_under_traffic_$revoked
case $rstatus in
pass) ktap_result ok "$name" ;;
finding) ktap_xfail "$name" "FINDING: [$rfinding] $rreason" ;;
*) ktap_result fail "$name" "${rstatus:-absent}: $rreason" ;;
esac
ktap_end
