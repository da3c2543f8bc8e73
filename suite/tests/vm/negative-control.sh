#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In-VM negative controls: the DMA-proven verdicts can fail, and fail for
# the right reason.  Each control below requires a case to FAIL with one
# specific reason code (conformance.json "reason_code"); a pass, a skip, or
# a failure for another reason fails the control.
#
# 1. Invalidation skipped.  The reference series' debug-only vfio-pci knob
#    dmabuf_unsafe_skip_revoke_invalidate (CONFIG_VFIO_PCI_DMABUF_DEBUG_KNOBS,
#    tainting) makes a revoke update the dma-buf's state without invalidating
#    its importers, so old IOMMU and KVM mappings survive.  Every revoke proof
#    must then FAIL: landed (a device DMA reached the BAR), no_callback (the
#    reference importer was not told) or guest_ran (a KVM guest kept
#    writing); the `dma` stage's after-revoke DMA must land too.  The knob
#    never applies when the device is closed or removed, so REV-005 must
#    still PASS with it set (and UNPLUG-001, which removes the target for the
#    rest of the boot, is covered by control 2 instead).
# 2. Dead DMA engine.  `--test-dma-fault silent` makes the engine report
#    success and move nothing: every DMA-proven case (the ones `conform
#    --list` marks "dma") must FAIL rig_broken, never PASS; and `hang` (no
#    completion) must FAIL engine_timeout, after which the next case passes.
# 3. Isolation.  The runner's self-tests (SIGBUS from a zapped BAR mmap, a
#    hang) must each FAIL (crashed, timeout) in their own process while the
#    run goes on: the case after them passes.
#
# On a kernel without the knob (stock 7.3) control 1 is one SKIP saying so;
# on the reference kernel a missing knob is a failure, never a SKIP.
# KTAP on stdout; exit 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. suite/guest/lib.sh
pfnsuite=suite/build/pfnsuite
knob=/sys/module/vfio_pci_core/parameters/dmabuf_unsafe_skip_revoke_invalidate
out=${PFN_RESULTS:-/tmp}/negative-control
log=$out/negative-control.log
rm -rf "$out" && mkdir -p "$out"
: >"$log"

# Case -> required reason code with the knob set ("pass": must still pass).
knob_cases=(REV-002:landed REV-003:landed REV-004:landed REV-005:pass MODEL-009:no_callback
	MODEL-011:landed RACE-001:landed KVM-008:guest_ran KVM-009:guest_ran)

# The DMA-proven cases, as the suite itself lists them.
mapfile -t dma_cases < <("$pfnsuite" conform --list | awk '$4 ~ /(^|,)dma(,|$)/ { print $1 }')

results=()	# "ok|fail|skip<TAB>name<TAB>reason", printed once the count is known
add() { results+=("$1"$'\t'"$2"$'\t'"${3:-}"); }

# conform_json NAME ARGS...: run conform into $out/NAME/, log its output.
conform_json() {
	local name=$1
	shift
	mkdir -p "$out/$name"
	{
		echo "==== conform $*"
		"$pfnsuite" conform --results "$out/$name" --case-timeout "${PFN_CASE_TIMEOUT:-60}" "$@" 2>&1
	} >>"$log"
	[ -s "$out/$name/conformance.json" ]
}

# dma_stage LOGNAME ARGS...: the dma stage on the devices conform would use;
# its output in $dout (empty when there is no DMA engine or target).
dma_stage() {
	local what=$1 devs dma_dev target bar
	shift
	devs=$("$pfnsuite" conform --dry-run 2>>"$log")
	dma_dev=$(awk '$1 == "dma" { print $2 }' <<<"$devs")
	target=$(awk '$1 == "target" { print $2 }' <<<"$devs")
	bar=$(awk '$1 == "target" { print $3 }' <<<"$devs")
	dout=
	[ -n "$dma_dev" ] && [ -n "$target" ] && [ "$dma_dev" != none ] || return 1
	dout=$("$pfnsuite" dma --device "$dma_dev" --target "$target" --bar "${bar#BAR}" "$@" 2>&1)
	printf '==== dma %s\n%s\n' "$what" "$dout" >>"$log"
}

# require_dma_line NAME RESULT WANT WHAT: the dma stage's (in $dout) result
# line for test RESULT must be a failure containing WANT.
require_dma_line() {
	local name=$1 result=$2 want=$3 what=$4 line
	line=$(grep -E "^(not )?ok [0-9]+ $result( |\$)" <<<"$dout")
	echo "# dma stage $what: ${line:-no result line}"
	case $line in
	"not ok "*"$want"*) add ok "$name" ;;
	*) add fail "$name" "the dma stage's $result must fail ($want) $what: ${line:-no result}" ;;
	esac
}

# require NAME JSONDIR ID WANT: the case must have result fail + reason_code WANT
# (or result pass when WANT is "pass").
require() {
	local name=$1 dir=$2 id=$3 want=$4 got
	got=$(jq -r --arg id "$id" '.tests[] | select(.id == $id) |
		"\(.result) \(.reason_code // "-") \(.reason)"' "$out/$dir/conformance.json" 2>/dev/null)
	if [ -z "$got" ]; then
		add fail "$name" "$id did not run (see $log)"
		return
	fi
	local result=${got%% *} rest=${got#* }
	local code=${rest%% *} reason=${rest#* }
	echo "# $id ($dir): $result [$code] $reason"
	if [ "$want" = pass ]; then
		[ "$result" = pass ] && add ok "$name" ||
			add fail "$name" "$id must still pass, got $result [$code]: $reason"
	elif [ "$result" = fail ] && [ "$code" = "$want" ]; then
		add ok "$name"
	elif [ "$result" = fail ]; then
		add fail "$name" "$id failed for the wrong reason: [$code], required [$want]: $reason"
	else
		add fail "$name" "$id: result $result, required to fail [$want]: the proof cannot see it"
	fi
}

# ---- 1. invalidation skipped ------------------------------------------------
kdir=reference-kernel/out/current
if [ ! -w "$knob" ] && [ "$(uname -r)" = "$(cat "$kdir/kernel.release" 2>/dev/null)" ] &&
	[ "$(cat "$kdir/series" 2>/dev/null)" = reference ]; then
	# The reference kernel must have it: a missing control is a failure.
	add fail invalidate_skip_control "no $knob on the reference kernel: is CONFIG_VFIO_PCI_DMABUF_DEBUG_KNOBS off?"
elif [ ! -w "$knob" ]; then
	add skip invalidate_skip_control "no $knob: the kernel lacks the reference series' debug knob"
else
	trap 'echo 0 >"$knob" 2>/dev/null' EXIT
	taint_lines() { dmesg 2>/dev/null | grep -c 'dmabuf_unsafe_skip_revoke_invalidate.*taint' || true; }
	taint_before=$(taint_lines)
	if echo 1 >"$knob"; then
		taint_after=$(taint_lines)
		# The kernel says so each time an unsafe parameter is set (an earlier
		# stage may have set the U flag already, so the flag alone proves nothing).
		echo "# 'Setting dangerous option ... tainting kernel' lines for the knob: $taint_before -> $taint_after; tainted=$(cat /proc/sys/kernel/tainted)"
		if [ "$taint_after" -gt "$taint_before" ] && (( ($(cat /proc/sys/kernel/tainted) & 64) != 0 )); then
			add ok knob_taints_kernel
		else
			add fail knob_taints_kernel "setting the knob did not taint the kernel (no 'tainting kernel' line, or TAINT_USER clear)"
		fi
		ids=$(printf '%s\n' "${knob_cases[@]}" | cut -d: -f1 | paste -sd,)
		if conform_json knob --filter "$ids" --stress-seconds 10 --stress-iterations 100; then
			for kc in "${knob_cases[@]}"; do
				require "${kc%%:*}_under_knob_${kc#*:}" knob "${kc%%:*}" "${kc#*:}"
			done
		else
			add fail invalidate_skip_control "conform under the knob wrote no results (see $log)"
		fi
		if dma_stage "under the knob"; then
			require_dma_line dma_stage_under_knob_landed p2p_dma_after_revoke_does_not_land \
				"[landed]" "under the knob"
		else
			add fail dma_stage_under_knob_landed "no DMA device or target for the dma stage"
		fi
	else
		add fail invalidate_skip_control "cannot set $knob"
	fi
	echo 0 >"$knob"
	v=$(cat "$knob")
	[ "$v" = N ] || [ "$v" = 0 ] && add ok knob_cleared || add fail knob_cleared "$knob still set"
fi

# ---- 2. dead DMA engine -------------------------------------------------------
if [ ${#dma_cases[@]} -eq 0 ]; then
	add fail dead_engine_control "pfnsuite conform --list marks no case as DMA-proven"
elif conform_json dead --filter "$(IFS=,; echo "${dma_cases[*]}")" --test-dma-fault silent \
	--stress-seconds 5 --stress-iterations 20; then
	for id in "${dma_cases[@]}"; do
		require "${id}_dead_engine_rig_broken" dead "$id" rig_broken
	done
else
	add fail dead_engine_control "conform with a dead engine wrote no results (see $log)"
fi
dma_stage "with a dead engine" --test-dma-fault silent
require_dma_line dma_stage_dead_engine_rig_broken p2p_dma_into_bar "nothing landed" \
	"with a dead engine"
if grep -qE '^ok [0-9]+ p2p_dma_(after|while)_' <<<"$dout"; then
	add fail dma_stage_dead_engine_no_pass "an after-revoke proof passed with a dead engine"
else
	add ok dma_stage_dead_engine_no_pass
fi
if conform_json hang --filter REV-001 --test-dma-fault hang &&
	conform_json after-hang --filter REV-001; then
	require REV-001_hung_engine_timeout hang REV-001 engine_timeout
	require REV-001_after_a_hang_passes after-hang REV-001 pass
else
	add fail hung_engine_control "conform with a hung engine wrote no results (see $log)"
fi

# ---- 3. isolation ---------------------------------------------------------------
if conform_json isolation --selftest --filter 'SELF-*,REV-006'; then
	require SELF-001_sigbus_contained isolation SELF-001 crashed
	require SELF-002_hang_contained isolation SELF-002 timeout
	require REV-006_runs_after_them isolation REV-006 pass
else
	add fail isolation_control "conform --selftest wrote no results (see $log)"
fi

ktap_begin
for r in "${results[@]}"; do
	IFS=$'\t' read -r res name reason <<<"$r"
	ktap_result "$res" "$name" "$reason"
done
ktap_end
