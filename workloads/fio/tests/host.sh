#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host tests of the fio workload, no device needed (make -C workloads/fio
# check): the engine exports only its entry point, refuses bad input and a
# mismatched fio with one line and a non-zero exit, and fold.py judges runs
# (a verify error, a revoke whose DMA landed) and writes valid results.
# Prints KTAP.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../../.."
. suite/guest/lib.sh
so=workloads/fio/build/pfn-fio.so
bad_so=workloads/fio/build/test/pfn-fio-mismatch.so
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ktap_begin

# fio_refuses NAME PATTERN ARGS...: fio exits non-zero and says PATTERN, no traceback.
fio_refuses() {
	local name=$1 pattern=$2 rc
	shift 2
	fio --output-format=normal --name=t --filename=pfn --size=1M "$@" >"$tmp/$name.out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && grep -q -- "$pattern" "$tmp/$name.out"; then
		ktap_result ok "$name"
	else
		echo "# $name: exit $rc, output: $(tr '\n' ' ' <"$tmp/$name.out" | head -c 300)"
		ktap_result fail "$name" "fio did not refuse with '$pattern' (exit $rc)"
	fi
}

exports=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ { print $3 }' | sort | tr '\n' ' ')
ktap_check exports_only_get_ioengine "exports: $exports" test "$exports" = "get_ioengine "

E=--ioengine=external:$so
fio_refuses no_device_refused "pfn: no controller: set pfn_device" "$E" --thread
fio_refuses no_thread_refused "add thread=1" "$E" --pfn_device=0000:01:00.0
fio_refuses bad_mem_refused "pfn_mem=gpu is not one of: host, memfd, udmabuf, peer, cmb" \
	"$E" --thread --pfn_device=0000:01:00.0 --pfn_mem=gpu
fio_refuses bad_bdf_refused "pfn: pfn_device" "$E" --thread --pfn_device=zz:zz
fio_refuses peer_needs_bdf_refused "pfn_mem=peer needs pfn_peer=BDF" \
	"$E" --thread --pfn_device=0000:01:00.0 --pfn_mem=peer
fio_refuses revoke_needs_bar_refused "pfn_revoke revokes a BAR" \
	"$E" --thread --pfn_device=0000:01:00.0 --pfn_revoke=memory
# An absent controller: the first step that needs it names what is missing.
fio_refuses absent_device_refused "err=" "$E" --thread --pfn_device=0000:ff:1f.7
fio_refuses version_mismatch_refused "built against fio-0.0-mismatch" \
	--ioengine=external:"$bad_so" --thread --pfn_device=0000:01:00.0

# fold.py on made-up runs.
fold() { # DIR: exit status of fold.py on DIR/raw
	/usr/bin/python3 workloads/fio/fold.py --profile quick --raw "$1/raw" --out "$1/fio.json" \
		--device 0000:01:00.0 --peer 0000:02:00.0 --kernel-nvme "" --series reference >"$1/fold.out" 2>&1
}
mkraw() { # DIR ROWS...: a raw directory with runs.tsv made of ROWS (tab-separated)
	mkdir -p "$1/raw"
	local d=$1
	shift
	printf '%s\n' "$@" >"$d/raw/runs.tsv"
}
report() { # FILE MEM MAP IOMMU AFTER MAP_AFTER
	printf '{"job":"r","device":"0000:01:00.0","iommu":"%s","mem":"%s","map":"%s","peer":"0000:02:00.0","buf_bytes":1114112,"setup_ns":120000,"map_ns":30000,"faults_minor":5,"faults_major":0,"io_errors":12,"first_error":"pfn: revoked","revoke":{"kind":"memory","done":true,"rc":0,"control_before":0,"after":"%s","after_status":0,"control_after":0,"map_after_rc":%s,"first_error_after_ns":2000000,"msg":"m"}}\n' \
		"$4" "$2" "$3" "$5" "$6" >"$1"
}
T=$'\t'
d=$tmp/ok
mkraw "$d" "host_va_iommufd${T}0${T}3.5${T}12${T}" "udmabuf_file${T}skip${T}0${T}-1${T}no udmabuf" \
	"revoke_dmabuf${T}1${T}2.5${T}4${T}pfn: revoked" "revoke_type1${T}1${T}2.5${T}4${T}pfn: revoked"
cp workloads/fio/tests/data/fio-ok.output "$d/raw/host_va_iommufd.output"
printf '{"job":"a","device":"0000:01:00.0","iommu":"iommufd","mem":"host","map":"va","peer":"","buf_bytes":1114112,"setup_ns":120000,"map_ns":30000,"faults_minor":5,"faults_major":0,"io_errors":0,"first_error":"","revoke":{"kind":"none","done":false,"rc":0,"control_before":0,"after":"not_judged","after_status":0,"control_after":0,"map_after_rc":0,"first_error_after_ns":-1,"msg":""}}\n' >"$d/raw/host_va_iommufd.report.jsonl"
report "$d/raw/revoke_dmabuf.report.jsonl" peer file iommufd canary -19
report "$d/raw/revoke_type1.report.jsonl" peer va type1 landed 0
fold "$d"
rc=$?
ktap_check fold_good_runs_pass "fold.py exit $rc: $(tail -n3 "$d/fold.out" | tr '\n' ' ')" test $rc -eq 0
ktap_check fold_output_valid "fio.json is not valid" /usr/bin/python3 results/tools/validate -q "$d/fio.json" "$d/raw"
ktap_check fold_keeps_fio_json "fio-host_va_iommufd.json missing" test -s "$d/raw/fio-host_va_iommufd.json"
ktap_check fold_type1_landed_is_finding "no FIND-010 xfail for type1" \
	grep -q '"FINDING: FIND-010' "$d/fio.json"
ktap_check fold_table_has_ratio "the table has no ratio column" grep -q 'ratio' "$d/fold.out"

# fold_exits NAME WANT WHY DIR: fold.py on DIR exits WANT.
fold_exits() {
	local rc
	fold "$4"
	rc=$?
	ktap_check "$1" "$3 (exit $rc)" test $rc -eq "$2"
}
d=$tmp/badverify
mkraw "$d" "host_va_iommufd${T}0${T}3.5${T}12${T}"
cp workloads/fio/tests/data/fio-badverify.output "$d/raw/host_va_iommufd.output"
fold_exits fold_verify_error_fails 1 "a verify error passed" "$d"

d=$tmp/landed
mkraw "$d" "revoke_dmabuf${T}1${T}2.5${T}4${T}pfn: revoked"
report "$d/raw/revoke_dmabuf.report.jsonl" peer file iommufd landed -19
fold_exits fold_dmabuf_landed_fails 1 "a dma-buf revoke whose DMA landed passed" "$d"

d=$tmp/hang
mkraw "$d" "revoke_dmabuf${T}124${T}300${T}4${T}"
report "$d/raw/revoke_dmabuf.report.jsonl" peer file iommufd canary -19
fold_exits fold_slow_revoke_fails 1 "a revoke fio took 300 s to notice passed" "$d"

d=$tmp/norun
mkdir -p "$d/raw"
fold_exits fold_no_runs_is_bad_input 2 "no runs.tsv was not bad input" "$d"

ktap_end
