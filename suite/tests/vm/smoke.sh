#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In-VM smoke test (run by the VM runner inside the emulated target):
# devices visible, bound to vfio-pci, in IOMMU groups, and `pfnsuite probe`
# finds dma-buf export and iommufd map on the NVMe CMB and the ivshmem BAR.
# Prints KTAP; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../../.."
. suite/guest/lib.sh
pfnsuite=suite/build/pfnsuite
out=${PFN_RESULTS:-/tmp}
probe_json=$out/smoke-probe.json

ktap_begin
echo "# smoke: $(uname -r) on $(cat /sys/class/dmi/id/product_name 2>/dev/null || echo unknown)"

nvme=$(pci_find 1b36 0010 | head -n1)
ivshmem=$(pci_find 1af4 1110 | head -n1)
ktap_check nvme_present "no QEMU NVMe (1b36:0010) on the PCI bus" test -n "$nvme"
ktap_check ivshmem_present "no ivshmem (1af4:1110) on the PCI bus" test -n "$ivshmem"

for pair in "nvme:$nvme" "ivshmem:$ivshmem"; do
	name=${pair%%:*} bdf=${pair#*:}
	if [ -z "$bdf" ]; then
		ktap_result fail "${name}_bound_to_vfio" "device absent"
		ktap_result fail "${name}_own_iommu_group" "device absent"
		continue
	fi
	drv=$(pci_driver "$bdf")
	ktap_check "${name}_bound_to_vfio" "$bdf is bound to $drv" test "$drv" = vfio-pci
	grp=$(pci_group "$bdf")
	members=$(ls "/sys/kernel/iommu_groups/$grp/devices" 2>/dev/null | wc -l)
	ktap_check "${name}_own_iommu_group" "$bdf group '$grp' has $members devices" \
		test "$grp" != none -a "$members" -eq 1
done

ktap_check iommufd_node "/dev/iommu missing" test -c /dev/iommu
ktap_check vfio_cdev_nodes "/dev/vfio/devices/ empty" \
	sh -c 'ls /dev/vfio/devices/vfio* >/dev/null 2>&1'

echo "# pfnsuite probe"
"$pfnsuite" probe --json "$probe_json" | sed 's/^/# /'
rc=${PIPESTATUS[0]}
ktap_check probe_exits_zero "pfnsuite probe exited $rc" test "$rc" -eq 0

# bar_supports BDF FIELD: the largest mmap BAR of BDF has FIELD supported.
bar_supports() {
	jq -e --arg bdf "$1" --arg f "$2" '
		[.devices[] | select(.bdf == $bdf) | .bars[] | select(.mmap)]
		| max_by(.size) | .[$f].supported' "$probe_json" >/dev/null 2>&1
}
for pair in "nvme_cmb:$nvme" "ivshmem_bar:$ivshmem"; do
	name=${pair%%:*} bdf=${pair#*:}
	for f in dmabuf_export iommufd_map_file type1_map_vma; do
		detail=$(jq -r --arg bdf "$bdf" --arg f "$f" '
			[.devices[] | select(.bdf == $bdf) | .bars[] | select(.mmap)]
			| max_by(.size) | "BAR\(.index): \(.[$f].detail)"' "$probe_json" 2>/dev/null)
		ktap_check "${name}_${f}" "${detail:-no probe result for $bdf}" bar_supports "$bdf" "$f"
	done
done

# Bad input must fail with a clear message and a non-zero exit.
msg=$("$pfnsuite" probe --device 0000:99:00.0 2>&1)
rc=$?
ktap_check bad_bdf_absent_device "exit $rc, said: $msg" \
	sh -c "[ $rc -ne 0 ] && echo \"\$1\" | grep -q 'no PCI device 0000:99:00.0'" _ "$msg"
other=$(for d in /sys/bus/pci/devices/*; do
	drv=$(pci_driver "${d##*/}")
	[ "$drv" != vfio-pci ] && [ "$drv" != none ] && [ "$drv" != pcieport ] && echo "${d##*/}"
done | head -n1)
if [ -n "$other" ]; then
	msg=$("$pfnsuite" probe --device "$other" 2>&1)
	rc=$?
	ktap_check bad_bdf_not_vfio "exit $rc, said: $msg" \
		sh -c "[ $rc -ne 0 ] && echo \"\$1\" | grep -q 'not vfio-pci'" _ "$msg"
else
	ktap_result skip bad_bdf_not_vfio "no device bound to a driver other than vfio-pci"
fi

ktap_end
