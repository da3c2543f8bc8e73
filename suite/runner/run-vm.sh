#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run-vm.sh - boot the reference kernel under QEMU (TCG) with the default
# emulated device model and run one command inside the guest.
#
# The guest's root is the host's / shared read-only over 9p, so every host
# binary runs inside unchanged; the results directory is shared read-write
# (mount_tag=results, mounted at /run/results in the guest).  See README.md.
#
# Exit status: the guest command's status; 124 = hang (timeout),
# 125 = crash (guest ended without reporting a status), 2 = bad usage.

# QEMU options are comma lists inside single array elements:
# shellcheck disable=SC2054
set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)

usage() {
	cat <<EOF
Usage: $prog --results DIR [options] -- COMMAND [ARGS...]

Boot the reference kernel under QEMU TCG (q35, intel-iommu, NVMe with CMB,
ivshmem-plain, e1000e behind PCIe root ports), bind the test devices to
vfio-pci and run COMMAND inside the guest with the repository as cwd.

Options:
  --results DIR        results directory (required; created; shared rw with
                       the guest, which sees it as \$PFN_RESULTS)
  --kernel PATH        kernel image (default: reference-kernel/out/current/bzImage)
  --timeout SECS       hard timeout for the whole VM run (default: 900)
  --devices LIST       comma list of nvme,ivshmem,e1000e, or "none"
                       (default: nvme,ivshmem,e1000e)
  --ivshmem-size SIZE  ivshmem BAR size, power of two, e.g. 64M, 1G, 16G
                       (default: 1G)
  --nvme-cmb-mb N      NVMe controller memory buffer in MiB, 0 = none
                       (default: 64)
  --mem SIZE           guest RAM, e.g. 4G or 2048M (default: 4G)
  --smp N              guest CPUs (default: 2)
  --qmp PATH           QMP unix socket to create (default: in a temp dir);
                       its path is written to DIR/qmp.path
  --append ARGS        extra kernel command line
  --no-vfio-bind       leave the test devices on their native drivers
  --verbose            mirror the guest serial console to the terminal
  -h, --help           this text

Exit status: the guest command's exit status; 124 = hang (timeout expired),
125 = crash (the guest ended without reporting a status), 2 = bad usage.
Files in DIR: serial.log, guest-output.log, dmesg.txt, devices.txt,
vm-outcome.json, qemu-cmdline.txt, qemu-stderr.log, qmp.path.
EOF
}

die_usage() {
	echo "$prog: error: $*" >&2
	exit 2
}

# Parse a size like 512M, 1G, 16G, 1073741824 into bytes.
size_to_bytes() {
	local s=$1 n unit
	[[ $s =~ ^([0-9]+)([KkMmGgTt]?)$ ]] || return 1
	n=${BASH_REMATCH[1]}
	unit=${BASH_REMATCH[2]^^}
	case $unit in
	K) n=$((n << 10)) ;;
	M) n=$((n << 20)) ;;
	G) n=$((n << 30)) ;;
	T) n=$((n << 40)) ;;
	esac
	echo "$n"
}

# QEMU option values: a comma is written as ",,".
qesc() { printf '%s' "${1//,/,,}"; }

kernel="$repo/reference-kernel/out/current/bzImage"
results=
timeout_s=900
devices=nvme,ivshmem,e1000e
ivshmem_size=1G
nvme_cmb_mb=64
mem=4G
smp=2
qmp=
append=
vfio_bind=1
verbose=0

need_arg() { [[ $# -ge 2 ]] || die_usage "option $1 needs a value (see --help)"; }

while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) need_arg "$@"; kernel=$2; shift 2 ;;
	--results) need_arg "$@"; results=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift 2 ;;
	--devices) need_arg "$@"; devices=$2; shift 2 ;;
	--ivshmem-size) need_arg "$@"; ivshmem_size=$2; shift 2 ;;
	--nvme-cmb-mb) need_arg "$@"; nvme_cmb_mb=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--smp) need_arg "$@"; smp=$2; shift 2 ;;
	--qmp) need_arg "$@"; qmp=$2; shift 2 ;;
	--append) need_arg "$@"; append=$2; shift 2 ;;
	--kernel=* | --results=* | --timeout=* | --devices=* | --ivshmem-size=* | \
	--nvme-cmb-mb=* | --mem=* | --smp=* | --qmp=* | --append=*)
		opt=${1%%=*}
		set -- "$opt" "${1#*=}" "${@:2}"
		;;
	--no-vfio-bind) vfio_bind=0; shift ;;
	--verbose | -v) verbose=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) die_usage "unknown option '$1' (see --help; put the guest command after --)" ;;
	esac
done

# ---- validate input -------------------------------------------------------
[[ $# -gt 0 ]] || die_usage "no guest command given; use: $prog --results DIR -- COMMAND [ARGS...]"
[[ -n $results ]] || die_usage "--results DIR is required"
[[ -f $kernel ]] || die_usage "kernel '$kernel' not found; build it with reference-kernel/build.sh or pass --kernel PATH"
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die_usage "--timeout must be a positive number of seconds, got '$timeout_s'"
[[ $smp =~ ^[1-9][0-9]*$ ]] || die_usage "--smp must be a positive integer, got '$smp'"
[[ $mem =~ ^[1-9][0-9]*[MG]$ ]] || die_usage "--mem must look like 4G or 2048M, got '$mem'"
[[ $nvme_cmb_mb =~ ^[0-9]+$ ]] || die_usage "--nvme-cmb-mb must be a whole number of MiB (0 = no CMB), got '$nvme_cmb_mb'"
ivshmem_bytes=$(size_to_bytes "$ivshmem_size") ||
	die_usage "--ivshmem-size must look like 64M, 1G or 16G, got '$ivshmem_size'"
((ivshmem_bytes >= (1 << 20) && (ivshmem_bytes & (ivshmem_bytes - 1)) == 0)) ||
	die_usage "--ivshmem-size must be a power of two of at least 1M, got '$ivshmem_size'"

want_nvme=0 want_ivshmem=0 want_nic=0
if [[ $devices != none && -n $devices ]]; then
	IFS=, read -r -a devlist <<<"$devices"
	for d in "${devlist[@]}"; do
		case $d in
		nvme) want_nvme=1 ;;
		ivshmem) want_ivshmem=1 ;;
		e1000e) want_nic=1 ;;
		*) die_usage "unknown device '$d' in --devices; choose from nvme,ivshmem,e1000e (or none)" ;;
		esac
	done
fi

init="$here/guest-init.sh"
[[ -x $init ]] || die_usage "$init is missing or not executable"
[[ $init != *[[:space:]]* ]] || die_usage "the repository path must not contain whitespace (kernel command line): $init"
case $repo/ in
/proc/* | /sys/* | /dev/* | /run/*)
	die_usage "the repository must not live under /proc, /sys, /dev or /run (the guest mounts over them): $repo" ;;
esac
command -v qemu-system-x86_64 >/dev/null ||
	die_usage "qemu-system-x86_64 not found; install qemu-system-x86"
command -v jq >/dev/null || die_usage "jq not found; install jq"

mkdir -p "$results" || die_usage "cannot create results directory '$results'"
results=$(cd "$results" && pwd -P)
# "kernel" is recorded as given (made absolute); QEMU gets the resolved file,
# so a rebuild that moves out/current during the run cannot mix kernels.
kernel=$(cd "$(dirname "$kernel")" && pwd)/$(basename "$kernel")
kernel_real=$(realpath "$kernel")

tmpdir=
qmp_created=
qemu_pid=
tail_pid=
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill -TERM "$qemu_pid" 2>/dev/null || true
		sleep 1
		kill -KILL "$qemu_pid" 2>/dev/null || true
	fi
	if [[ -n $tail_pid ]]; then
		kill "$tail_pid" 2>/dev/null || true
	fi
	[[ -z $tmpdir ]] || rm -rf "$tmpdir"
	if [[ -n $qmp_created && $qmp != "$tmpdir"/* ]]; then
		rm -f "$qmp"
	fi
}
trap cleanup EXIT
trap 'echo "vm: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/pfn-vm.XXXXXX")
[[ -n $qmp ]] || qmp="$tmpdir/qmp.sock"
case $qmp in /*) ;; *) qmp="$PWD/$qmp" ;; esac
((${#qmp} < 108)) || die_usage "--qmp path is too long for a unix socket (max 107 bytes): $qmp"
[[ -d $(dirname "$qmp") ]] || die_usage "directory of --qmp path does not exist: $qmp"

serial_log="$results/serial.log"
status_file="$results/vm-status"
cmd_script="$results/vm-command.sh"


# Stale outputs of an earlier run would be mistaken for this one's.
rm -f "$status_file" "$serial_log" "$results/guest-output.log" "$results/dmesg.txt" \
	"$results/devices.txt" "$results/vm-outcome.json" "$results/qemu-cmdline.txt" \
	"$results/qemu-stderr.log" "$results/vm-guest-uname.txt" "$results/vm-guest-timing.txt"

# ---- the guest command, quoted for bash -----------------------------------
{
	echo '#!/bin/bash'
	echo '# Generated by run-vm.sh; run by guest-init.sh inside the VM.'
	printf 'export PATH=%q\n' "$PATH"
	printf 'cd %q || exit 126\n' "$repo"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$cmd_script"
echo "$qmp" >"$results/qmp.path"
qmp_created=1

# ---- QEMU command line ----------------------------------------------------
cmdline="console=ttyS0 root=root ro rootfstype=9p"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=262144"
cmdline+=" init=$init intel_iommu=on panic=-1"
((vfio_bind)) || cmdline+=" pfnvm_bind=0"
[[ -z $append ]] || cmdline+=" $append"

qemu=(qemu-system-x86_64
	-machine q35 -accel tcg -cpu max -smp "$smp" -m "$mem"
	-nographic -no-reboot -nodefaults
	-chardev "file,id=ser0,path=$(qesc "$serial_log")" -serial chardev:ser0
	-qmp "unix:$(qesc "$qmp"),server=on,wait=off"
	-kernel "$kernel_real" -append "$cmdline"
	-device intel-iommu,intremap=on
	-virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap
	-virtfs "local,path=$(qesc "$results"),mount_tag=results,security_model=none,multidevs=remap"
)
if ((ivshmem_bytes > (1 << 30))); then
	qemu+=(-global q35-pcihost.pci-hole64-size=128G)
fi
# Each test device sits alone behind a PCIe root port (hot-unpluggable with
# QMP device_del; root ports have ACS, so each gets its own IOMMU group).
if ((want_nvme)); then
	truncate -s 64M "$tmpdir/nvme.img"
	nvme="nvme,id=nvme0,bus=rp1,serial=pfn0,drive=nv0"
	((nvme_cmb_mb == 0)) || nvme+=",cmb_size_mb=$nvme_cmb_mb"
	qemu+=(-device pcie-root-port,id=rp1,chassis=1,slot=1
		-drive "file=$(qesc "$tmpdir/nvme.img"),if=none,id=nv0,format=raw"
		-device "$nvme")
fi
if ((want_ivshmem)); then
	qemu+=(-device pcie-root-port,id=rp2,chassis=2,slot=2
		-object "memory-backend-ram,id=shm0,size=$ivshmem_bytes,prealloc=off"
		-device ivshmem-plain,id=ivshmem0,bus=rp2,memdev=shm0)
fi
if ((want_nic)); then
	qemu+=(-device pcie-root-port,id=rp3,chassis=3,slot=3
		-netdev user,id=n0,restrict=on
		-device e1000e,id=nic0,bus=rp3,netdev=n0,romfile=)
fi

# Shell-quote for humans: bare when safe, else in single quotes.
shq() {
	local a=$1 q="'\\''"
	if [[ $a =~ ^[-A-Za-z0-9_,./=:+@%]+$ ]]; then
		printf '%s' "$a"
	else
		printf "'%s'" "${a//\'/$q}"
	fi
}
{
	sep=
	for a in "${qemu[@]}"; do
		printf '%s' "$sep"
		shq "$a"
		sep=' '
	done
	echo
} >"$results/qemu-cmdline.txt"

qemu_version=$(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version //p')
# The release string is in the bzImage setup header (kernel_version field).
kernel_release=
if kv_off=$(od -An -tu2 -j $((0x20e)) -N2 "$kernel_real" 2>/dev/null) && [[ $kv_off =~ [0-9]+ ]] &&
	((kv_off > 0)); then
	kernel_release=$(dd if="$kernel_real" bs=1 skip=$((kv_off + 0x200)) count=256 status=none |
		tr '\0' '\n' | head -n1 | cut -d' ' -f1) || kernel_release=
fi

# ---- run --------------------------------------------------------------------
devdesc=$devices
[[ -n $devdesc ]] || devdesc=none
echo "vm: booting ${kernel_release:-$kernel} (tcg, smp $smp, $mem, devices $devdesc); serial log: $serial_log" >&2
: >"$serial_log"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(now_ms)
"${qemu[@]}" </dev/null >"$results/qemu-stderr.log" 2>&1 &
qemu_pid=$!
if ((verbose)); then
	tail -n +1 -f --pid="$qemu_pid" "$serial_log" &
	tail_pid=$!
fi

# Host requests: the guest writes DIR/.host-requests/N.req holding one QMP
# command (device_del or query-*); the answer goes to N.resp, written whole.
requests="$results/.host-requests"
rm -rf "$requests" && mkdir -p "$requests"
serve_requests() {
	local req resp cmd answer
	for req in "$requests"/*.req; do
		[[ -e $req ]] || return 0
		resp=${req%.req}.resp
		cmd=$(cat "$req")
		"$here/qmp-request.py" "$qmp" "$cmd" >"$resp.tmp" 2>&1 || true
		# Read the answer before publishing it: the guest deletes it once read.
		answer=$(head -c 200 "$resp.tmp")
		mv "$resp.tmp" "$resp"
		rm -f "$req"
		echo "vm: served host request $(basename "$req") ($cmd): $answer" >&2
	done
}

outcome=
boot_ms=
deadline=$((t0 + timeout_s * 1000))
# Progress without --verbose: the guest scripts' step markers ("=== step: ..."
# from suite/guest, "# ==== stage" from suite/tests/vm), as they appear.
marks_shown=0 next_progress=0
show_progress() {
	local marks k
	mapfile -t marks < <(grep -aE '^(=== |# ==== )' "$serial_log" 2>/dev/null | tr -d '\r')
	for ((k = marks_shown; k < ${#marks[@]}; k++)); do
		printf 'vm: [%4d s] %s\n' $((($(now_ms) - t0) / 1000)) "${marks[k]}" >&2
	done
	marks_shown=${#marks[@]}
}
while kill -0 "$qemu_pid" 2>/dev/null; do
	serve_requests
	if ((!verbose)) && (($(now_ms) >= next_progress)); then
		show_progress
		next_progress=$(($(now_ms) + 2000))
	fi
	if [[ -z $boot_ms ]] && grep -q 'pfn-vm: command-start' "$serial_log" 2>/dev/null; then
		boot_ms=$(($(now_ms) - t0))
		((verbose)) || printf 'vm: guest up after %d.%01d s, running: %s\n' \
			$((boot_ms / 1000)) $((boot_ms % 1000 / 100)) "$*" >&2
	fi
	if (($(now_ms) >= deadline)); then
		outcome=hang
		kill -TERM "$qemu_pid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$qemu_pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -KILL "$qemu_pid" 2>/dev/null || true
		break
	fi
	sleep 0.25
done
qemu_rc=0
wait "$qemu_pid" 2>/dev/null || qemu_rc=$?
qemu_pid=
((verbose)) || show_progress
t1=$(now_ms)
if [[ -n $tail_pid ]]; then
	wait "$tail_pid" 2>/dev/null || true
	tail_pid=
fi
elapsed_ms=$((t1 - t0))
seconds=$(printf '%d.%03d' $((elapsed_ms / 1000)) $((elapsed_ms % 1000)))

if [[ $outcome == hang ]]; then
	exit_code=124
	echo "vm: HANG: guest did not finish within $timeout_s s (see $serial_log)" >&2
elif status=$(cat "$status_file" 2>/dev/null) && [[ $status =~ ^[0-9]+$ ]]; then
	outcome=exited
	exit_code=$status
	echo "vm: guest command exited with status $exit_code after $seconds s" >&2
else
	outcome=crash
	exit_code=125
	if [[ $qemu_rc -ne 0 && -s $results/qemu-stderr.log ]]; then
		echo "vm: qemu exited with status $qemu_rc:" >&2
		tail -n 5 "$results/qemu-stderr.log" | sed 's/^/vm:   /' >&2
	fi
	echo "vm: CRASH: guest ended without reporting a status (see $serial_log)" >&2
fi

boot_json=null
[[ -z $boot_ms ]] || boot_json=$(printf '%d.%03d' $((boot_ms / 1000)) $((boot_ms % 1000)))
# jq 1.6 reads "-machine" after --args as its own option and splits raw input
# at NUL, so pass the QEMU argv as named arguments q0..qN.
qargs=()
for i in "${!qemu[@]}"; do
	qargs+=(--arg "q$i" "${qemu[i]}")
done
jq -n "${qargs[@]}" \
	--arg outcome "$outcome" \
	--argjson exit_code "$exit_code" \
	--argjson seconds "$seconds" \
	--argjson boot_seconds "$boot_json" \
	--argjson timeout "$timeout_s" \
	--argjson qemu_exit "$qemu_rc" \
	--arg qemu_version "$qemu_version" \
	--arg kernel "$kernel" \
	--arg kernel_resolved "$kernel_real" \
	--arg kernel_release "$kernel_release" \
	--arg kernel_cmdline "$cmdline" \
	--arg devices "$devdesc" \
	'{outcome: $outcome, exit_code: $exit_code, seconds: $seconds,
	  boot_seconds: $boot_seconds, timeout: $timeout, qemu_exit: $qemu_exit,
	  qemu_version: $qemu_version, accel: "tcg", kernel: $kernel, kernel_resolved: $kernel_resolved,
	  kernel_release: $kernel_release, kernel_cmdline: $kernel_cmdline,
	  devices: $devices,
	  cmdline: ([$ARGS.named | to_entries[] | select(.key | test("^q[0-9]+$"))
	             | {i: (.key[1:] | tonumber), v: .value}] | sort_by(.i) | map(.v))}' \
	>"$results/vm-outcome.json"

exit "$exit_code"
