#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The fio workload, inside the target (the emulated one or a real host):
# fio with the pfn engine driving an NVMe controller bound to vfio-pci, once
# per buffer placement x mapping path, then the kernel's own stack on a
# second NVMe controller (io_uring and libaio on the block device,
# io_uring_cmd on its char device), then revoke under I/O on the dma-buf
# and the type1 path.  Writes DIR/fio.json (pfnsuite-fio/1, validated
# against results/schema) with fio's own JSON kept under DIR/fio/, and
# prints the side-by-side table.
#
# Usage: workloads/fio/run.sh --quick|--full [options]
#   --results DIR       where to write (default: $PFN_RESULTS)
#   --device BDF        the NVMe controller bound to vfio-pci (default: QEMU id nvme0)
#   --peer BDF          device whose BAR holds peer buffers (default: QEMU id ivshmem0;
#                       "none" skips the peer placements)
#   --peer-bar N        its BAR (default 2)
#   --kernel-nvme BDF   NVMe controller on the kernel's nvme driver for the baselines
#                       (default: QEMU id nvmek0; "none" skips them)
#   --configs LIST      only these configurations (comma list; see --list)
#   --allow-destructive the namespaces may hold data (it is overwritten)
#   --ktap              print KTAP (one result per configuration and revoke check)
#   --list              print the configurations and exit
# The first 2 MiB and the next 32 MiB of the vfio controller's namespace, and
# the first 32 MiB of the kernel controller's, are overwritten.
# Exit: 0 all passed, 1 something failed, 2 bad usage, 3 missing tools/devices.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
prog=workloads/fio/run.sh

die() { echo "$prog: $2" >&2; exit "$1"; }

profile= out=${PFN_RESULTS:-} device= peer= peer_bar=2 knvme= only= destructive=0 ktap=0 list=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) profile=quick; shift ;;
	--full) profile=full; shift ;;
	--results) out=${2:?}; shift 2 ;;
	--device) device=${2:?}; shift 2 ;;
	--peer) peer=${2:?}; shift 2 ;;
	--peer-bar) peer_bar=${2:?}; shift 2 ;;
	--kernel-nvme) knvme=${2:?}; shift 2 ;;
	--configs) only=${2:?}; shift 2 ;;
	--allow-destructive) destructive=1; shift ;;
	--ktap) ktap=1; shift ;;
	--list) list=1; shift ;;
	-h | --help) sed -n '3,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die 2 "unknown option '$1' (see --help)" ;;
	esac
done

# NAME KIND MEM MAP IOMMU: the configurations, in table order.  KIND: pfn
# (our engine on the vfio controller), kernel (an engine of fio's own on the
# kernel's controller).
CONFIGS="host_va_iommufd pfn host va iommufd
host_va_type1 pfn host va type1
memfd_file pfn memfd file iommufd
udmabuf_file pfn udmabuf file iommufd
peer_vma_type1 pfn peer va type1
peer_dmabuf pfn peer file iommufd
cmb_vma_type1 pfn cmb va type1
cmb_dmabuf pfn cmb file iommufd
kernel_io_uring kernel io_uring - -
kernel_libaio kernel libaio - -
kernel_io_uring_cmd kernel io_uring_cmd - -"
if [ $list = 1 ]; then
	echo "$CONFIGS" | awk '{ print $1 }'
	exit 0
fi
[ -n "$profile" ] || die 2 "say --quick or --full"
[ -n "$out" ] || die 2 "no results directory: pass --results DIR (or run inside suite/runner/run-vm.sh)"
command -v fio >/dev/null || die 3 "fio is not installed: apt-get install fio"
engine=workloads/fio/build/pfn-fio.so
[ -r "$engine" ] || die 3 "$engine is missing: build it with 'make suite' (or make -C workloads/fio) on the host"

# Defaults: the emulated target's devices by QEMU id.
qemu_bdf() { suite/runner/bdf-of "$1" 2>/dev/null || true; }
[ -n "$device" ] || device=$(qemu_bdf nvme0)
[ -n "$peer" ] || peer=$(qemu_bdf ivshmem0)
[ -n "$knvme" ] || knvme=$(qemu_bdf nvmek0)
[ -n "$device" ] || die 3 "no NVMe controller: pass --device BDF (an NVMe controller bound to vfio-pci)"
[ "$peer" != none ] || peer=
[ "$knvme" != none ] || knvme=

# The kernel controller's block and char devices (nvmeXnY, ngXnY).
kblock= kchar=
if [ -n "$knvme" ]; then
	for ns in /sys/bus/pci/devices/"$knvme"/nvme/nvme*/nvme*n1; do
		[ -e "$ns" ] && kblock=/dev/$(basename "$ns")
	done
	for ns in /sys/bus/pci/devices/"$knvme"/nvme/nvme*/ng*n1; do
		[ -e "$ns" ] && kchar=/dev/$(basename "$ns")
	done
	[ -z "$kchar" ] && [ -n "$kblock" ] && kchar=${kblock/nvme/ng}
	[ -n "$kblock" ] && [ -b "$kblock" ] ||
		die 3 "--kernel-nvme $knvme has no namespace block device: is it bound to the kernel's nvme driver?"
fi

raw=$out/fio
mkdir -p "$raw" || die 3 "cannot create $raw"
rm -f "$raw"/*.json "$raw"/*.log "$raw"/*.output "$raw"/*.report.jsonl "$raw"/runs.tsv "$raw"/refusals.tsv
runs=$raw/runs.tsv
: >"$runs"

# The IOMMU map calls a run makes (the iommu:map tracepoint; the guest does
# nothing else meanwhile): entries + overruns of every CPU's buffer.
tracefs=/sys/kernel/tracing
[ -d $tracefs/events ] || mount -t tracefs nodev $tracefs 2>/dev/null || true
trace_on() {
	[ -w $tracefs/events/iommu/map/enable ] || return 0
	echo 0 >$tracefs/tracing_on
	echo >$tracefs/trace
	echo 1 >$tracefs/events/iommu/map/enable
	echo 1 >$tracefs/tracing_on
}
trace_off() { # prints the count, or -1
	[ -w $tracefs/events/iommu/map/enable ] || { echo -1; return; }
	echo 0 >$tracefs/tracing_on
	echo 0 >$tracefs/events/iommu/map/enable
	cat $tracefs/per_cpu/cpu*/stats | awk '/^(entries|overrun):/ { n += $2 } END { print n + 0 }'
}

selected() { [ -z "$only" ] || [[ ,$only, == *",$1,"* ]]; }

common=(--output-format=json)
pfn_args() { # NAME MEM MAP IOMMU
	local a=(--ioengine=external:"$engine" --thread --filename=pfn --pfn_device="$device"
		--pfn_mem="$2" --pfn_map="$3" --pfn_iommu="$4" --pfn_report="$raw/$1.report.jsonl")
	shift
	[ "$1" != peer ] || a+=(--pfn_peer="$peer" --pfn_peer_bar="$peer_bar")
	[ $destructive = 0 ] || a+=(--pfn_allow_destructive=1)
	printf '%s\n' "${a[@]}"
}

# run_fio NAME JOBFILE ARGS...: one fio run; a line in runs.tsv.
run_fio() {
	local name=$1 job=$2 t0 t1 rc maps
	shift 2
	echo "# fio: $name ($(basename "$job" .fio))" >&2
	trace_on
	t0=$(date +%s.%N)
	# fio's --output may hold error lines before its JSON: fold.py keeps the
	# JSON as fio-NAME.json.
	timeout -k 5 300 fio "${common[@]}" --output="$raw/$name.output" "$@" "$job" \
		>>"$raw/$name.log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	maps=$(trace_off)
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$rc" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" "$maps" \
		"$(grep -m1 -E '^pfn|^fio: ' "$raw/$name.log" | head -c 400)" >>"$runs"
}

while read -r name kind mem map iommu; do
	selected "$name" || continue
	case $kind in
	pfn)
		if [ "$mem" = peer ] && [ -z "$peer" ]; then
			printf '%s\tskip\t0\t-1\t%s\n' "$name" "no peer device (--peer)" >>"$runs"
			continue
		fi
		mapfile -t args < <(pfn_args "$name" "$mem" "$map" "$iommu")
		run_fio "$name" "workloads/fio/jobs/$profile.fio" "${args[@]}" ;;
	kernel)
		if [ -z "$kblock" ]; then
			printf '%s\tskip\t0\t-1\t%s\n' "$name" "no kernel-driven NVMe controller (--kernel-nvme)" >>"$runs"
			continue
		fi
		case $mem in
		# The char device has no page cache (and refuses O_DIRECT).
		io_uring_cmd) args=(--ioengine=io_uring_cmd --cmd_type=nvme --filename="$kchar") ;;
		*) args=(--ioengine="$mem" --filename="$kblock" --direct=1) ;;
		esac
		run_fio "$name" "workloads/fio/jobs/$profile.fio" "${args[@]}" ;;
	esac
done <<<"$CONFIGS"

# Revoke under I/O, both paths, then the controller must still work.
if [ -n "$peer" ] && selected revoke; then
	for r in "revoke_dmabuf peer file iommufd" "revoke_type1 peer va type1"; do
		read -r name mem map iommu <<<"$r"
		mapfile -t args < <(pfn_args "$name" "$mem" "$map" "$iommu")
		run_fio "$name" workloads/fio/jobs/revoke.fio "${args[@]}" --pfn_revoke=memory --pfn_revoke_ms=1000
	done
	mapfile -t args < <(pfn_args after_revoke_verify host va iommufd)
	run_fio after_revoke_verify workloads/fio/jobs/quick.fio "${args[@]}" --section=verify_4k_randwrite
fi

# Bad input on the target itself: each must fail at init with its one line.
# refuse NAME PATTERN ARGS...: a line in refusals.tsv (name, exit, matched).
refuse() {
	local name=$1 pattern=$2 rc
	shift 2
	echo "# fio: $name (must be refused)" >&2
	timeout -k 5 60 fio --output-format=normal --name="$name" --filename=pfn --size=1M \
		--ioengine=external:"$engine" --thread "$@" >"$raw/$name.log" 2>&1
	rc=$?
	printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$(grep -qF -- "$pattern" "$raw/$name.log" && echo yes || echo no)" \
		"$(grep -m1 -E '^pfn|^NVMe|^fio: ' "$raw/$name.log" | head -c 300)" >>"$raw/refusals.tsv"
}
: >"$raw/refusals.tsv"
if selected refusals; then
	refuse refuse_iodepth "use a smaller iodepth" --pfn_device="$device" --iodepth=4096
	refuse refuse_absent_device "0000:ff:1f.7" --pfn_device=0000:ff:1f.7
	[ -z "$knvme" ] || refuse refuse_not_vfio "$knvme" --pfn_device="$knvme"
fi

kernel_release=$(uname -r)
series=none
kdir=reference-kernel/out/current
if [ "$kernel_release" = "$(cat "$kdir/kernel.release" 2>/dev/null)" ]; then
	series=$(cat "$kdir/series" 2>/dev/null || echo none)
fi
fold=(/usr/bin/python3 workloads/fio/fold.py --profile "$profile" --raw "$raw" --out "$out/fio.json"
	--device "$device" --peer "${peer:-}" --kernel-nvme "${knvme:-}" --series "$series")
[ $ktap = 0 ] || fold+=(--ktap)
"${fold[@]}"
rc=$?
if [ $rc -le 1 ]; then
	/usr/bin/python3 results/tools/validate "$out/fio.json" >&2 || rc=1
fi
exit $rc
