#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# guest-init.sh - PID 1 of the VM started by run-vm.sh (init= on the kernel
# command line, read from the host's root shared read-only over 9p).
#
# Mounts the pseudo filesystems and the results share, binds the test
# devices to vfio-pci, runs $RES/vm-command.sh (written by run-vm.sh), records
# its exit status in $RES/vm-status, saves dmesg and powers the VM off.
# Must never exit early: if PID 1 exits the kernel panics (panic=-1 and
# QEMU's -no-reboot then end the VM, which the host reports as a crash).
#
# Every exec of a host binary goes through 9p under TCG and costs tens to
# hundreds of milliseconds, so this script uses bash builtins wherever it can.

RES=/run/results
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

log() { echo "pfn-vm: $*"; }

mnt() { # mnt TYPE SOURCE DIR [OPTIONS]
	[[ -d $3 ]] || mkdir -p "$3"
	mount -t "$1" ${4:+-o "$4"} "$2" "$3" || log "warning: cannot mount $1 on $3"
}

# Through the 9p root the host's /proc, /sys and /dev are visible as
# directories on other devices, so mountpoint(1) cannot be trusted: mount
# proc and sysfs unconditionally, then ask the guest's own mount table.
is_mounted() {
	local _src dir _rest
	while read -r _src dir _rest; do
		[[ $dir == "$1" ]] && return 0
	done </proc/self/mounts
	return 1
}

have_fs() {
	local line
	while read -r line; do
		[[ ${line##*[[:space:]]} == "$1" ]] && return 0
	done </proc/filesystems
	return 1
}

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	# Wait without exec'ing anything: the 9p root goes away during
	# poweroff and a freshly loaded binary would die of SIGBUS.
	exec 2>/dev/null
	read -r -t 30 <>"/run/.pause-fifo" || true
	# Still here: exiting PID 1 panics the kernel, and panic=-1 with
	# QEMU's -no-reboot ends the VM.
	exit 1
}

mnt proc proc /proc
mnt sysfs sysfs /sys
is_mounted /dev || mnt devtmpfs devtmpfs /dev
mnt tmpfs tmpfs /run mode=0755
mkfifo /run/.pause-fifo

# The host's /tmp is visible but read-only; replace it with a tmpfs, but keep
# the repository (cwd of the command) visible if it lives under /tmp.
# run-vm.sh passes init= as an absolute path: <repo>/suite/runner/guest-init.sh
repo=${0%/suite/runner/*}
case $repo/ in
/tmp/*)
	mkdir -p /run/.host-tmp
	mount --bind /tmp /run/.host-tmp
	mnt tmpfs tmpfs /tmp mode=1777
	mkdir -p "$repo"
	mount --bind "/run/.host-tmp/${repo#/tmp/}" "$repo"
	;;
*)
	mnt tmpfs tmpfs /tmp mode=1777
	;;
esac
mkdir -p /dev/shm /dev/pts /dev/hugepages "$RES"
mnt tmpfs tmpfs /dev/shm mode=1777
have_fs devpts && mnt devpts devpts /dev/pts gid=5,mode=0620,ptmxmode=0666
mnt debugfs debugfs /sys/kernel/debug
mnt hugetlbfs hugetlbfs /dev/hugepages
[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
mnt 9p results "$RES" trans=virtio,version=9p2000.L,msize=262144,rw
if ! is_mounted "$RES"; then
	log "FATAL: results share not mounted; cannot report a status"
	poweroff_now
fi
echo pfn-vm >/proc/sys/kernel/hostname
command -v ip >/dev/null && ip link set lo up 2>/dev/null

# uevent holds DRIVER= (when bound) and PCI_ID=VVVV:DDDD.
pci_uevent() { # pci_uevent DEVDIR -> sets drv, pci_id
	local line
	drv=- pci_id=
	while read -r line; do
		case $line in
		DRIVER=*) drv=${line#DRIVER=} ;;
		PCI_ID=*) pci_id=${line#PCI_ID=} ;;
		esac
	done <"$1/uevent"
}

# ---- bind the test devices to vfio-pci --------------------------------------
bind=1
read -r -a kargs </proc/cmdline
for arg in "${kargs[@]}"; do
	[[ $arg == pfnvm_bind=0 ]] && bind=0
done
if ((bind)); then
	for dev in /sys/bus/pci/devices/*; do
		pci_uevent "$dev"
		case ${pci_id,,} in
		1b36:0010 | 1af4:1110 | 8086:10d3) ;; # nvme, ivshmem, e1000e
		*) continue ;;
		esac
		bdf=${dev##*/}
		echo vfio-pci >"$dev/driver_override"
		if [[ $drv != - ]]; then
			echo "$bdf" >"$dev/driver/unbind"
		fi
		echo "$bdf" >/sys/bus/pci/drivers_probe
		pci_uevent "$dev"
		[[ $drv == vfio-pci ]] || log "warning: $bdf ($pci_id) not bound to vfio-pci (driver: $drv)"
	done
fi

# ---- one-line device summary --------------------------------------------------
declare -A group
for g in /sys/kernel/iommu_groups/*/devices/*; do
	[[ -e $g ]] || continue
	gnum=${g%/devices/*}
	group[${g##*/}]=${gnum##*/}
done
summary=
: >"$RES/devices.txt"
for dev in /sys/bus/pci/devices/*; do
	pci_uevent "$dev"
	bdf=${dev##*/}
	entry="${bdf#0000:} ${pci_id,,} $drv g${group[$bdf]:--}"
	summary+="${summary:+; }$entry"
	echo "$entry" >>"$RES/devices.txt"
done
log "devices: $summary"
read -r osrelease </proc/sys/kernel/osrelease
echo "$osrelease" >"$RES/vm-guest-uname.txt"

# ---- run the command ------------------------------------------------------------
read -r up _ </proc/uptime
log "command-start uptime=$up"
echo "$up" >"$RES/vm-guest-timing.txt"
env -i \
	PATH="$PATH" HOME=/tmp TERM=dumb LANG=C.UTF-8 \
	PFN_RESULTS="$RES" PFN_IN_VM=1 \
	/bin/bash "$RES/vm-command.sh" </dev/null 2>&1 | tee "$RES/guest-output.log"
rc=${PIPESTATUS[0]}
read -r up _ </proc/uptime
log "command-exit status=$rc uptime=$up"

echo "$rc" >"$RES/vm-status.tmp" && mv "$RES/vm-status.tmp" "$RES/vm-status"
dmesg >"$RES/dmesg.txt" 2>&1
sync
umount "$RES" 2>/dev/null || umount -l "$RES"
poweroff_now
