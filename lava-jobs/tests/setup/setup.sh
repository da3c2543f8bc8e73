#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# setup.sh RESULTS-DIR [--kconfig "CONFIG_A CONFIG_B ..."] [BDF[=QEMU_ID] ...]
# - prepare a board (or the QEMU guest) for the suite, as KTAP: the results
# directory is writable, the IOMMU is on, each --kconfig option is =y or =m
# in the running kernel's config (/proc/config.gz, else
# /boot/config-$(uname -r); SKIP, saying so, when neither is readable), and
# each device named by BDF is bound to vfio-pci (every
# device of the families' --device and --dma-device must be).  BDF=ID also
# writes "BDF ID vendor:device" to RESULTS-DIR/devices.tsv, the QEMU id the
# hot-unplug cases ask the host to unplug (suite/runner/README.md); on a
# board give plain BDFs.  A BDF the machine does not have fails its case
# and says so.
set -u
results=${1:?usage: setup.sh RESULTS-DIR [--kconfig LIST] [BDF[=QEMU_ID] ...]}
shift
kconfig=()
if [ "${1:-}" = --kconfig ]; then
	read -r -a kconfig <<<"${2:-}"
	shift 2
fi
echo "KTAP version 1"
echo "1..$((2 + ${#kconfig[@]} + $#))"
n=0
ok() { n=$((n + 1)); echo "ok $n $1${2:+ # SKIP $2}"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; echo "# $1: $2"; }

if mkdir -p "$results" && touch "$results/.setup-write-test" && rm -f "$results/.setup-write-test"; then
	ok results_dir_writable
else
	notok results_dir_writable "cannot write to $results"
fi
groups=(/sys/kernel/iommu_groups/*)
if [ -e "${groups[0]}" ]; then
	ok iommu_on
else
	notok iommu_on "no IOMMU groups: boot with intel_iommu=on (or amd_iommu=on) and an IOMMU in the machine"
fi

if [ ${#kconfig[@]} -gt 0 ]; then
	config= where=
	if [ -r /proc/config.gz ]; then
		config=$(zcat /proc/config.gz) where=/proc/config.gz
	elif [ -r "/boot/config-$(uname -r)" ]; then
		config=$(cat "/boot/config-$(uname -r)") where=/boot/config-$(uname -r)
	fi
	for opt in "${kconfig[@]}"; do
		if [ -z "$where" ]; then
			ok "kconfig_$opt" "the kernel's config is not readable (no /proc/config.gz: CONFIG_IKCONFIG_PROC; no /boot/config-$(uname -r))"
		elif grep -qE "^$opt=(y|m)$" <<<"$config"; then
			ok "kconfig_$opt"
		else
			notok "kconfig_$opt" "$opt is not set in $where: the board's kernel lacks a required option (rebuild it with the job's config fragment)"
		fi
	done
fi

tsv=
for spec in "$@"; do
	bdf=${spec%%=*} id=
	[ "$spec" = "$bdf" ] || id=${spec#*=}
	case $bdf in ????:??:??.?) ;; *) bdf=0000:$bdf ;; esac
	name=bind_${bdf//[:.]/_}
	dev=/sys/bus/pci/devices/$bdf
	if [ ! -e "$dev" ]; then
		notok "$name" "no PCI device $bdf on this machine (see lspci -D): fix the job's BDF parameter"
		continue
	fi
	vd=$(printf '%04x:%04x' "$(cat "$dev/vendor")" "$(cat "$dev/device")")
	[ -z "$id" ] || tsv+="$bdf	$id	$vd"$'\n'
	drv=$(basename "$(readlink "$dev/driver" 2>/dev/null)" 2>/dev/null)
	if [ "$drv" != vfio-pci ]; then
		echo vfio-pci >"$dev/driver_override"
		[ -z "$drv" ] || echo "$bdf" >"$dev/driver/unbind"
		echo "$bdf" >/sys/bus/pci/drivers_probe 2>/dev/null
		drv=$(basename "$(readlink "$dev/driver" 2>/dev/null)" 2>/dev/null)
	fi
	if [ "$drv" = vfio-pci ]; then
		ok "$name"
	else
		notok "$name" "$bdf ($vd) is not bound to vfio-pci (driver: ${drv:-none}): is vfio-pci built in or loaded?"
	fi
done
if [ -n "$tsv" ]; then
	printf '# bdf\tqemu_id\tvendor:device\n%s' "$tsv" >"$results/devices.tsv.tmp" &&
		mv "$results/devices.tsv.tmp" "$results/devices.tsv"
fi
exit 0
