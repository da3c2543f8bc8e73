#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In-VM negative control: proves that the DMA-proven revoke cases can fail.
# The reference series has a debug-only vfio-pci knob,
# dmabuf_unsafe_skip_revoke_invalidate, that makes a revoke update the
# dma-buf's state without invalidating its importers, so their old IOMMU
# mappings survive.  With it set, each case below must FAIL (a device DMA
# or a guest write after the revoke lands, or the guest runs on); this
# stage passes when it does, and fails when a case still passes (the proof
# would be blind).  The knob never applies on device close (REV-005), so
# that case must still pass with it set.  The knob is always cleared again.  On a kernel without the knob (stock 7.3) the stage is one SKIP.
# KTAP on stdout; exit 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. suite/guest/lib.sh
pfnsuite=suite/build/pfnsuite
knob=/sys/module/vfio_pci_core/parameters/dmabuf_unsafe_skip_revoke_invalidate
cases=(REV-002 REV-003 REV-004 MODEL-009 MODEL-011 KVM-008)
log=${PFN_RESULTS:-/tmp}/negative-control.log

ktap_begin
if [ ! -w "$knob" ]; then
	ktap_result skip negative_control "no $knob: the kernel lacks the reference series' debug knob"
	ktap_end
	exit
fi
trap 'echo 0 >"$knob"' EXIT
echo 1 >"$knob" || { ktap_result fail negative_control "cannot set $knob"; ktap_end; exit; }
: >"$log"
for id in "${cases[@]}"; do
	out=$("$pfnsuite" conform --filter "$id" 2>&1)
	printf '%s\n' "$out" >>"$log"
	line=$(grep -E "^(not )?ok [0-9]+ ${id}_" <<<"$out")
	case $line in
	"not ok "*)
		echo "# $id with the knob set: ${line#*# }"
		ktap_result ok "${id}_fails_without_invalidation" ;;
	*"# SKIP"*) ktap_result skip "${id}_fails_without_invalidation" "the case skipped: ${line#*# SKIP }" ;;
	"ok "*) ktap_result fail "${id}_fails_without_invalidation" \
		"still passes with invalidation skipped: the proof cannot see a surviving mapping" ;;
	*) ktap_result fail "${id}_fails_without_invalidation" "no result line for $id (see $log)" ;;
	esac
done
# The knob never applies on device close/unbind (the cleanup path always
# drains), so with it set REV-005 must still pass.
out=$("$pfnsuite" conform --filter REV-005 2>&1)
printf '%s\n' "$out" >>"$log"
line=$(grep -E "^(not )?ok [0-9]+ REV-005_" <<<"$out")
case $line in
*"# SKIP"*) ktap_result skip REV-005_close_drains_despite_knob "the case skipped: ${line#*# SKIP }" ;;
"ok "*) ktap_result ok REV-005_close_drains_despite_knob ;;
"not ok "*) ktap_result fail REV-005_close_drains_despite_knob "the knob applied on device close: ${line#*# }" ;;
*) ktap_result fail REV-005_close_drains_despite_knob "no result line for REV-005 (see $log)" ;;
esac
echo 0 >"$knob"
ktap_check knob_cleared "$knob still set" test "$(cat "$knob")" = N -o "$(cat "$knob")" = 0
ktap_end
