#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Bad input to every command of the suite: garbage options, negative, zero
# and huge counts, absent and unbound BDFs, truncated, empty and foreign
# result files.  Each must end with the exit status it documents (2: bad
# input, or 3 where the machine itself lacks something), print exactly one
# line on stderr (what is wrong and what to do), never a Python traceback,
# and write nothing.  On the host, against a fake sysfs with an IOMMU, two
# vfio-pci devices and one on its native driver.  KTAP on stdout.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
pfn=suite/build/pfnsuite
kvm=workloads/kvm/build/pfn-kvm
tools=results/tools
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A fake sysfs: an active IOMMU, 0000:01:00.0 and 0000:03:00.0 on vfio-pci,
# 0000:04:00.0 on nvme.
sys=$tmp/sys
mkdir -p "$sys/class/iommu/dmar0" "$sys/bus/pci/drivers/vfio-pci" "$sys/bus/pci/drivers/nvme"
fake_dev() { # BDF VENDOR DEVICE DRIVER GROUP
	local d=$sys/bus/pci/devices/$1
	mkdir -p "$d" "$sys/kernel/iommu_groups/$5/devices"
	echo "$2" >"$d/vendor"
	echo "$3" >"$d/device"
	echo 0x010802 >"$d/class"
	ln -s "../../../../bus/pci/drivers/$4" "$d/driver"
	ln -s "../../../../kernel/iommu_groups/$5" "$d/iommu_group"
}
fake_dev 0000:01:00.0 0x1b36 0x0010 vfio-pci 3
fake_dev 0000:03:00.0 0x8086 0x10d3 vfio-pci 5
fake_dev 0000:04:00.0 0x1b36 0x0010 nvme 6

# Result files: truncated, empty, foreign, not JSON.
printf '{"schema": "pfnsuite-bench/1", "benchmarks": [' >"$tmp/truncated.json"
: >"$tmp/empty.json"
echo '{"hello": "world"}' >"$tmp/foreign.json"
echo 'not json at all' >"$tmp/garbage.json"
mkdir -p "$tmp/out"

n=0 status=0
declare -a CASES=()
# bad WANT-EXIT NAME COMMAND...: one case.
bad() { CASES+=("$1"$'\t'"$2"$'\t'"$(printf '%q ' "${@:3}")"); }

for c in probe dma conform bench fuzz; do
	bad 2 "${c}_garbage_option" $pfn $c --no-such-option
	bad 2 "${c}_stray_argument" $pfn $c stray
done
bad 2 unknown_command $pfn frobnicate
bad 2 probe_absent_bdf $pfn probe --sysfs "$sys" --device 0000:09:00.0
bad 2 probe_unbound_bdf $pfn probe --sysfs "$sys" --device 0000:04:00.0
bad 2 probe_not_a_bdf $pfn probe --sysfs "$sys" --device 'xyz'
bad 2 conform_absent_bdf $pfn conform --sysfs "$sys" --device 0000:09:00.0
bad 2 conform_unbound_dma_device $pfn conform --sysfs "$sys" --dma-device 0000:04:00.0
bad 2 conform_negative_iterations $pfn conform --stress-iterations -5
bad 2 conform_zero_case_timeout $pfn conform --case-timeout 0
bad 2 conform_huge_case_timeout $pfn conform --case-timeout 99999999999
bad 2 conform_bad_bar $pfn conform --bar 9
bad 2 conform_soak_negative $pfn conform --soak -1
bad 2 conform_results_not_a_dir $pfn conform --results "$tmp/nonexistent"
bad 2 conform_expect_missing $pfn conform --expect "$tmp/nonexistent.expect"
bad 2 conform_filter_matches_nothing $pfn conform --list --filter 'NOPE-*'
bad 2 bench_absent_bdf $pfn bench --sysfs "$sys" --device 0000:09:00.0
bad 2 bench_unbound_bdf $pfn bench --sysfs "$sys" --device 0000:04:00.0
bad 2 dma_absent_bdf $pfn dma --sysfs "$sys" --device 0000:09:00.0
bad 2 dma_negative_timeout $pfn dma --device 0000:01:00.0 --timeout-ms -1
bad 2 fuzz_negative_iterations $pfn fuzz --iterations -1
bad 2 fuzz_huge_iterations $pfn fuzz --iterations 99999999999999
bad 2 fuzz_garbage_seed $pfn fuzz --seed 0xnope
bad 2 fuzz_truncated_input $pfn fuzz --replay "$tmp/truncated.json"
bad 2 fuzz_absent_bdf $pfn fuzz --sysfs "$sys" --device 0000:09:00.0
for c in probe bench revoke; do
	bad 2 "kvm_${c}_garbage_option" $kvm $c --no-such-option
done
bad 2 kvm_bench_negative_passes $kvm bench --passes -2
bad 2 kvm_bench_huge_repeat $kvm bench --repeat 99999999999
bad 2 kvm_revoke_absent_bdf $kvm revoke --sysfs "$sys" --device 0000:09:00.0
for f in truncated empty foreign garbage; do
	bad 2 "validate_${f}_file" /usr/bin/python3 $tools/validate "$tmp/$f.json"
	bad 2 "report_${f}_file" /usr/bin/python3 $tools/report "$tmp/$f.json"
done
bad 2 validate_absent_file /usr/bin/python3 $tools/validate "$tmp/nonexistent.json"
bad 2 regression_check_garbage_option /usr/bin/python3 $tools/regression-check --no-such-option

echo "KTAP version 1"
echo "1..${#CASES[@]}"
for c in "${CASES[@]}"; do
	IFS=$'\t' read -r want name cmd <<<"$c"
	n=$((n + 1))
	before=$(find "$tmp" -type f ! -name stdout ! -name stderr -printf '%p %s %T@\n' | sort | md5sum)
	eval "timeout 20 $cmd" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
	rc=$?
	after=$(find "$tmp" -type f ! -name stdout ! -name stderr -printf '%p %s %T@\n' | sort | md5sum)
	lines=$(wc -l <"$tmp/stderr")
	why=
	[ "$rc" = "$want" ] || why="exit $rc, want $want"
	[ "$lines" = 1 ] || why="${why:+$why; }$lines lines on stderr, want 1"
	! grep -q 'Traceback' "$tmp/stderr" || why="${why:+$why; }a Python traceback"
	[ "$before" = "$after" ] || why="${why:+$why; }it wrote or changed a file"
	if [ -n "$why" ]; then
		sed 's/^/# stderr: /' "$tmp/stderr" | head -5
		echo "not ok $n $name # $why"
		status=1
	else
		echo "# $(head -c 200 "$tmp/stderr")"
		echo "ok $n $name"
	fi
done
exit $status
