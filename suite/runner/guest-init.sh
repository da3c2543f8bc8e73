#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# guest-init.sh - PID 1 of the VM started by run-vm.sh (init= on the kernel
# command line, read from the host's root shared read-only over 9p).
#
# Mounts the pseudo filesystems and the results share, maps guest BDFs to
# QEMU device ids ($RES/devices.tsv, from QEMU's query-pci asked through the
# host-request bridge), binds the devices named by pfnvm_bind= to vfio-pci,
# runs $RES/vm-command.sh (written by run-vm.sh), records its exit status in
# $RES/vm-status, saves dmesg and powers the VM off.
#
# Kernel command line (set by run-vm.sh):
#   pfnvm_bind=SPEC[,SPEC...]  bind to vfio-pci: QEMU id, BDF or vendor:device;
#                              0 = bind nothing
#   pfnvm_test=panic-after-status  test-only: crash the kernel (sysrq c) after
#                              the status is written, to prove the runner
#                              reports that as a crash
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

# ---- QEMU ids: devices.tsv ---------------------------------------------------
# The host knows the ids, the guest the BDFs: ask QEMU (query-pci, through
# the runner's host-request bridge) where each id sits, after the firmware
# and the kernel numbered the buses, and check each against sysfs.
declare -A qid_of
pause() { read -r -t "$1" <>/run/.pause-fifo; } # sleep without an exec
map_qemu_ids() {
	local req=$RES/.host-requests/pci-map i bus slot fn id ven dev bdf vd
	[[ -d $RES/.host-requests ]] || { log "warning: no host-request bridge: QEMU ids unknown"; return 1; }
	echo '{"execute":"query-pci"}' >"$req.req.tmp" && mv "$req.req.tmp" "$req.req"
	for ((i = 0; i < 150; i++)); do
		[[ -e $req.resp ]] && break
		pause 0.2
	done
	if [[ ! -e $req.resp ]]; then
		log "warning: the host did not answer query-pci within 30 s: QEMU ids unknown"
		return 1
	fi
	mv "$req.resp" "$RES/qemu-pci.json"
	while read -r bus slot fn id ven dev; do
		printf -v bdf '0000:%02x:%02x.%x' "$bus" "$slot" "$fn"
		printf -v vd '%04x:%04x' "$ven" "$dev"
		[[ $id != - ]] || continue
		if [[ ! -e /sys/bus/pci/devices/$bdf ]]; then
			log "warning: QEMU places $id ($vd) at $bdf, which the guest does not have"
			continue
		fi
		pci_uevent "/sys/bus/pci/devices/$bdf"
		if [[ ${pci_id,,} != "$vd" ]]; then
			log "warning: QEMU places $id ($vd) at $bdf, where the guest sees ${pci_id,,}"
			continue
		fi
		qid_of[$bdf]=$id
	done < <(jq -r 'def devs: .[] | ., (.pci_bridge.devices // [] | devs);
		.return[].devices | devs
		| "\(.bus) \(.slot) \(.function) \(if (.qdev_id // "") == "" then "-" else .qdev_id end) \(.id.vendor) \(.id.device)"' \
		"$RES/qemu-pci.json" 2>/dev/null)
}
map_qemu_ids
{
	printf '# bdf\tqemu_id\tvendor:device\n'
	for dev in /sys/bus/pci/devices/*; do
		pci_uevent "$dev"
		bdf=${dev##*/}
		printf '%s\t%s\t%s\n' "$bdf" "${qid_of[$bdf]:--}" "${pci_id,,}"
	done
} >"$RES/devices.tsv.tmp" && mv "$RES/devices.tsv.tmp" "$RES/devices.tsv"

# ---- bind the named devices to vfio-pci ---------------------------------------
bind_specs=() test_mode=
read -r -a kargs </proc/cmdline
for arg in "${kargs[@]}"; do
	case $arg in
	pfnvm_bind=0) bind_specs=() ;;
	pfnvm_bind=*) IFS=, read -r -a bind_specs <<<"${arg#pfnvm_bind=}" ;;
	pfnvm_test=*) test_mode=${arg#pfnvm_test=} ;;
	esac
done
declare -A spec_used
# bind_wanted BDF: does a pfnvm_bind= spec name this device?
bind_wanted() {
	local spec hit=1
	for spec in "${bind_specs[@]}"; do
		case ${spec,,} in
		"$1" | "${1#0000:}" | "${pci_id,,}") ;;
		*) [[ $spec == "${qid_of[$1]:-}" ]] || continue ;;
		esac
		spec_used[$spec]=1 hit=0
	done
	return $hit
}
for dev in /sys/bus/pci/devices/*; do
	pci_uevent "$dev"
	bdf=${dev##*/}
	bind_wanted "$bdf" || continue
	[[ $drv == vfio-pci ]] && continue
	echo vfio-pci >"$dev/driver_override"
	if [[ $drv != - ]]; then
		echo "$bdf" >"$dev/driver/unbind"
	fi
	echo "$bdf" >/sys/bus/pci/drivers_probe
	pci_uevent "$dev"
	[[ $drv == vfio-pci ]] || log "warning: $bdf ($pci_id) not bound to vfio-pci (driver: $drv)"
done
for spec in "${bind_specs[@]}"; do
	[[ -n ${spec_used[$spec]:-} ]] || log "warning: --bind $spec matched no PCI device (see devices.tsv)"
done

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
if [[ $test_mode == panic-after-status ]]; then
	sync
	echo c >/proc/sysrq-trigger
fi
sync
umount "$RES" 2>/dev/null || umount -l "$RES"
poweroff_now
