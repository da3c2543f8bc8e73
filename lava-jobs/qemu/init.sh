#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# init.sh - PID 1 of the LAVA QEMU job (init= on the kernel command line;
# the root is the host's / shared read-only over 9p, as suite/runner's).
#
# LAVA puts its test overlay (/lava-<job id>/: the test definitions and its
# lava-test-* helpers) into the job's "pfnroot" tarball (deploy to tmpfs,
# format: tar, overlays: lava: true); the reference kernel has no initramfs
# support, so this script builds the guest's root from that tarball
# instead: a tmpfs holding the tarball's files, the host's /usr and /etc
# read-only (so every host binary runs unchanged), the suite's directory,
# the results share (9p tag "results", read-write, at /run/results) and the
# pseudo filesystems.  Then it starts an interactive bash on the serial
# console with the prompt "pfn-lava# " in that root, for LAVA to drive,
# and powers the VM off when the shell ends.
#
# Kernel command line:
#   pfnlava.rootfs=PATH  the tarball, as a path on the host (LAVA's copy,
#                        with its overlay added, under
#                        /var/lib/lava/dispatcher/tmp/<job id>/)
#   pfnlava.suite=DIR    the suite's directory, bound at the same path
# Must never exit: if PID 1 exits the kernel panics.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
log() { echo "pfn-lava: $*"; }
fail() {
	log "FATAL: $*"
	echo o >/proc/sysrq-trigger
	sleep 30
	exit 1
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
grep -q ' /dev ' /proc/self/mounts || mount -t devtmpfs devtmpfs /dev
rootfs= suite=
read -r -a kargs </proc/cmdline
for a in "${kargs[@]}"; do
	case $a in
	pfnlava.rootfs=*) rootfs=${a#*=} ;;
	pfnlava.suite=*) suite=${a#*=} ;;
	esac
done
[ -n "$rootfs" ] && [ -r "$rootfs" ] || fail "pfnlava.rootfs='$rootfs' is not readable through the 9p root"
[ -n "$suite" ] && [ -d "$suite" ] || fail "pfnlava.suite='$suite' is not a directory through the 9p root"

mount -t tmpfs -o mode=0755 pfnroot /run || fail "cannot mount a tmpfs on /run"
new=/run/root
mkdir -p "$new"
tar -xf "$rootfs" -C "$new" || fail "cannot unpack $rootfs"
for d in proc sys dev usr etc tmp run root var/tmp "$suite"; do mkdir -p "$new/$d"; done
chmod 1777 "$new/tmp" "$new/var/tmp"
# Debian's merged /usr: /bin, /lib, ... are links into it.
for l in bin sbin lib lib32 lib64 libx32; do
	[ -L "/$l" ] && ln -sfn "$(readlink "/$l")" "$new/$l"
done
mount --bind /usr "$new/usr"
mount --bind /etc "$new/etc"
mount --bind "$suite" "$new$suite"
mount -t proc proc "$new/proc"
mount --rbind /sys "$new/sys"
mount --bind /dev "$new/dev"
mkdir -p "$new/dev/pts" "$new/dev/shm" "$new/dev/hugepages" "$new/run/results"
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts "$new/dev/pts" 2>/dev/null
mount -t tmpfs -o mode=1777 shm "$new/dev/shm"
mount -t hugetlbfs hugetlbfs "$new/dev/hugepages" 2>/dev/null
mount -t debugfs debugfs "$new/sys/kernel/debug" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,rw results "$new/run/results" ||
	log "warning: no results share (9p tag results): results stay in the guest"
echo pfn-lava >/proc/sys/kernel/hostname
lava=$(cd "$new" && echo lava-*)
log "root ready: $(wc -c <"$rootfs") byte tarball with ${lava:-no LAVA overlay}; suite $suite"

# The shell LAVA drives: a login-less interactive bash with the serial
# line as its controlling terminal.
setsid -c -w chroot "$new" /usr/bin/env -i PATH="$PATH" HOME=/root TERM=dumb LANG=C.UTF-8 \
	PS1='pfn-lava# ' /bin/bash --norc --noprofile -i <"$new/dev/ttyS0" >"$new/dev/ttyS0" 2>&1
log "shell ended: powering off"
sync
echo o >/proc/sysrq-trigger
sleep 30
exit 1
