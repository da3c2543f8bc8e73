#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Record a baseline of the emulated target (or, with --on-host, of the
# board this runs on) under results/baselines/<kernel release>/<target>/:
#
#   <dir>/            the default BAR (1 GiB ivshmem): metadata.json,
#                     probe.json, bench.json (+ bench-gbench.json), kvm-bench.json,
#                     conformance.json, lspci-vvv.txt, qemu-cmdline.txt
#   <dir>/bar-16g/    bench.json of the whole-BAR IOMMU maps on a 16 GiB BAR
#   <dir>/bar-64g/    the same on a 64 GiB BAR
#
# One boot per BAR size, each under the shared lock of the machine
# (/tmp/pfnsuite-heavy.lock).  Usage:
#   results/baselines/record.sh [--profile quick|full] [--only 1g|16g|64g] [--out DIR]
# Labs recording a board: see results/baselines/README.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
profile=quick only="1g 16g 64g" out=""
while [ $# -gt 0 ]; do
	case $1 in
	--profile) profile=${2:?}; shift 2 ;;
	--only) only=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	*) echo "record: unknown argument '$1' (see the comment at the top of $0)" >&2; exit 2 ;;
	esac
done
kdir=$(readlink -f reference-kernel/out/current 2>/dev/null) || true
[ -n "$kdir" ] && [ -e "$kdir/bzImage" ] || { echo "record: no kernel built: run 'make kernel'" >&2; exit 3; }
[ -x suite/build/pfnsuite ] || { echo "record: suite/build/pfnsuite is missing: run 'make suite'" >&2; exit 3; }
release=$(cat "$kdir/kernel.release")
out=${out:-results/baselines/$release/qemu-tcg}
quick=""
[ "$profile" = quick ] && quick=--quick
lock=/tmp/pfnsuite-heavy.lock
mkdir -p "$out"

for size in $only; do
	case $size in
	1g) dir=$out ivs=1G vmargs=()
	    # shellcheck disable=SC2016 # expanded in the guest
	    cmd='suite/build/pfnsuite probe --json "$PFN_RESULTS/probe.json" &&
	         lspci -vvv -nn >"$PFN_RESULTS/lspci-vvv.txt" 2>&1;
	         suite/build/pfnsuite bench '"$quick"' --results "$PFN_RESULTS"; b=$?;
	         workloads/kvm/build/pfn-kvm bench --json "$PFN_RESULTS/kvm-bench.json"; k=$?;
	         suite/build/pfnsuite conform --expect suite/conform/expect/reference.expect --results "$PFN_RESULTS" >"$PFN_RESULTS/conform.ktap"; c=$?;
	         echo "bench $b kvm-bench $k conform $c" >"$PFN_RESULTS/steps.txt"; [ $b = 0 ] && [ $c = 0 ]' ;;
	16g | 64g) dir=$out/bar-$size ivs=${size^^} vmargs=()
	    # A 64 GiB RAM backend is refused by the host's overcommit heuristic
	    # ("cannot set up guest memory 'shm0'") unless it is not reserved
	    # (reserve=off, MAP_NORESERVE): bring the ivshmem device ourselves.
	    if [ "$size" = 64g ]; then
		vmargs=(--devices nvme,e1000e,edu
			--object memory-backend-ram,id=shm0,size=64G,prealloc=off,reserve=off
			--device ivshmem-plain,id=ivshmem0,memdev=shm0 --bind ivshmem0
			--qemu-arg -global --qemu-arg q35-pcihost.pci-hole64-size=256G)
	    fi
	    # The flat cost at scale: the whole BAR mapped, VMA path (2M/1G aligned) against dma-buf.
	    # shellcheck disable=SC2016
	    cmd='suite/build/pfnsuite bench --filter "^iommu_map/(dmabuf/|vma/.*/align:(2097152|1073741824)$)" --repetitions 5 --results "$PFN_RESULTS"' ;;
	*) echo "record: --only takes 1g, 16g or 64g, got '$size'" >&2; exit 2 ;;
	esac
	tmp=$(mktemp -d "$top/results/baselines/.rec.XXXXXX")
	echo "record: $size BAR: booting the emulated target (waits for $lock)"
	rc=0
	flock "$lock" suite/runner/run-vm.sh --results "$tmp" --ivshmem-size "$ivs" --timeout 3000 \
		"${vmargs[@]}" -- bash -c "$cmd" || rc=$?
	suite/host/metadata.sh "$kdir" qemu "$tmp/metadata.json"
	echo "record: $size BAR: exit $rc"
	if [ "$rc" != 0 ]; then
		echo "record: $size BAR: the run failed; $dir left as it was (see $tmp/serial.log)" >&2
		continue
	fi
	mkdir -p "$dir"
	for f in metadata.json probe.json bench.json bench-gbench.json kvm-bench.json conformance.json \
		conform.ktap lspci-vvv.txt qemu-cmdline.txt vm-outcome.json steps.txt dmesg.txt devices.tsv; do
		[ -f "$tmp/$f" ] && cp "$tmp/$f" "$dir/$f.new" && mv "$dir/$f.new" "$dir/$f"
	done
	rm -rf "$tmp"
done
results/tools/validate "$out" "$out"/bar-* 2>/dev/null || results/tools/validate "$out"
