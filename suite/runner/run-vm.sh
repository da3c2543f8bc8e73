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
# 125 = crash (guest ended without reporting a status, or its kernel
# panicked after it did), 2 = bad usage.

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
ivshmem-plain, e1000e and QEMU's edu device behind PCIe root ports, plus the
devices you add), bind the test devices to vfio-pci and run COMMAND inside
the guest with the repository as cwd.

Options:
  --results DIR        results directory (required; created; shared rw with
                       the guest, which sees it as \$PFN_RESULTS)
  --kernel PATH        kernel image (default: reference-kernel/out/current/bzImage)
  --timeout SECS       hard timeout for the whole VM run (default: 900)
  --devices LIST       the built-in devices: comma list of nvme,ivshmem,
                       e1000e,edu,nvme-kernel, or "none" (default: all five).
                       nvme-kernel (id nvmek0) is a second NVMe controller
                       left on the kernel's nvme driver (the fio baselines);
                       its root port comes after the --device ones, so it
                       moves no other device's BDF
  --device OPTS        add a PCI(e) device, QEMU -device syntax, e.g.
                       virtio-rng-pci or nvme,serial=x,drive=d1 (repeatable).
                       Without bus= it gets a PCIe root port of its own (own
                       IOMMU group, hot-unpluggable); without id= it gets
                       id=devN.  Not bound to vfio-pci unless --bind names it
  --object OPTS        add a QEMU -object, e.g. a memory backend (repeatable)
  --qemu-arg ARG       pass ARG to QEMU unchanged (repeatable; for anything
                       else, e.g. --qemu-arg -drive --qemu-arg file=...)
  --bind DEV           also bind DEV to vfio-pci in the guest: a QEMU id
                       (nvme0, dev1), a BDF (0000:05:00.0 or 05:00.0) or a
                       vendor:device (1af4:1044) (repeatable).  The built-in
                       devices are always bound (unless --no-vfio-bind)
  --ivshmem-size SIZE  ivshmem BAR size, power of two, e.g. 64M, 1G, 16G
                       (default: 1G)
  --nvme-cmb-mb N      NVMe controller memory buffer in MiB, 0 = none
                       (default: 64)
  --mem SIZE           guest RAM, e.g. 4G or 2048M (default: 4G)
  --smp N              guest CPUs (default: 2)
  --qmp PATH           QMP unix socket to create (default: in a temp dir);
                       its path is written to DIR/qmp.path
  --append ARGS        extra kernel command line
  --no-vfio-bind       leave every device on its native driver
  --verbose            mirror the guest serial console to the terminal
  -h, --help           this text

Exit status: the guest command's exit status; 124 = hang (timeout expired),
125 = crash (the guest ended without reporting a status), 2 = bad usage.
A kernel panic, BUG or Oops on the console after the command's status is a
crash (125), not an exit.
Files in DIR: serial.log, guest-output.log, dmesg.txt, devices.txt,
devices.tsv (guest BDF, QEMU id, vendor:device), qemu-pci.json,
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
devices=nvme,ivshmem,e1000e,edu,nvme-kernel
user_devices=()
user_objects=()
user_args=()
bind_specs=()
ivshmem_size=1G
nvme_cmb_mb=64
mem=4G
smp=2
qmp=
append=
vfio_bind=1
verbose=0

need_arg() { [[ $# -ge 2 && $2 != -- ]] || die_usage "option $1 needs a value (see --help)"; }

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
	--device) need_arg "$@"; user_devices+=("$2"); shift 2 ;;
	--object) need_arg "$@"; user_objects+=("$2"); shift 2 ;;
	--qemu-arg) need_arg "$@"; user_args+=("$2"); shift 2 ;;
	--bind) need_arg "$@"; bind_specs+=("$2"); shift 2 ;;
	--kernel=* | --results=* | --timeout=* | --devices=* | --ivshmem-size=* | \
	--nvme-cmb-mb=* | --mem=* | --smp=* | --qmp=* | --append=* | \
	--device=* | --object=* | --qemu-arg=* | --bind=*)
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

want_nvme=0 want_ivshmem=0 want_nic=0 want_edu=0 want_nvmek=0
if [[ $devices != none && -n $devices ]]; then
	IFS=, read -r -a devlist <<<"$devices"
	for d in "${devlist[@]}"; do
		case $d in
		nvme) want_nvme=1 ;;
		ivshmem) want_ivshmem=1 ;;
		e1000e) want_nic=1 ;;
		edu) want_edu=1 ;;
		nvme-kernel) want_nvmek=1 ;;
		*) die_usage "unknown device '$d' in --devices; choose from nvme,ivshmem,e1000e,edu,nvme-kernel (or none); add others with --device" ;;
		esac
	done
fi
for d in "${user_devices[@]}"; do
	[[ -n $d && $d != -* && $d != *[[:space:]]* ]] ||
		die_usage "--device '$d' is not a QEMU device option list (e.g. virtio-rng-pci,id=rng0)"
done
for o in "${user_objects[@]}"; do
	[[ -n $o && $o != -* && $o == *id=* ]] ||
		die_usage "--object '$o' is not a QEMU object option list with an id= (e.g. memory-backend-ram,id=m1,size=64M)"
done
# A 15-slot range of pcie.0 holds the root ports (see below).
((${#user_devices[@]} + want_nvmek <= 11)) ||
	die_usage "at most $((11 - want_nvmek)) --device options (one PCIe root port each; nvme-kernel takes one: --devices without it frees it)"
for b in "${bind_specs[@]}"; do
	[[ $b =~ ^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$ ||
	   $b =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$ || $b =~ ^[A-Za-z][A-Za-z0-9_.-]*$ ]] ||
		die_usage "--bind '$b' is neither a QEMU id, a BDF (0000:05:00.0) nor a vendor:device (1af4:1044)"
done
((vfio_bind || ${#bind_specs[@]} == 0)) || die_usage "--bind and --no-vfio-bind contradict each other"

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
requests="$results/.host-requests"
status_file="$results/vm-status"
cmd_script="$results/vm-command.sh"


# Stale outputs of an earlier run would be mistaken for this one's.
rm -f "$status_file" "$serial_log" "$results/guest-output.log" "$results/dmesg.txt" \
	"$results/devices.txt" "$results/vm-outcome.json" "$results/qemu-cmdline.txt" \
	"$results/qemu-stderr.log" "$results/vm-guest-uname.txt" "$results/vm-guest-timing.txt" \
	"$results/devices.tsv" "$results/qemu-pci.json"
# The host-request bridge exists before the guest can look for it.
rm -rf "$requests" && mkdir -p "$requests"

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
# The guest binds these to vfio-pci: the built-in test devices by QEMU id,
# then whatever --bind names.
bind_list=()
cmdline="console=ttyS0 root=root ro rootfstype=9p"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=262144"
cmdline+=" init=$init intel_iommu=on panic=-1"

qemu=(qemu-system-x86_64
	-machine q35 -accel tcg -cpu max -smp "$smp" -m "$mem"
	-nographic -no-reboot -nodefaults
	-chardev "file,id=ser0,path=$(qesc "$serial_log")" -serial chardev:ser0
	-qmp "unix:$(qesc "$qmp"),server=on,wait=off"
	-kernel "$kernel_real"
	-device intel-iommu,intremap=on
	-virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap
	-virtfs "local,path=$(qesc "$results"),mount_tag=results,security_model=none,multidevs=remap"
)
if ((ivshmem_bytes > (1 << 30))); then
	qemu+=(-global q35-pcihost.pci-hole64-size=128G)
fi
# Each test device sits alone behind a PCIe root port rpN (hot-unpluggable
# with QMP device_del; root ports have ACS, so each gets its own IOMMU group).
# rpN is at slot 0x0f+N of pcie.0 (0x10-0x1e; the 9p devices and anything
# added with bus=pcie.0 take the low slots), so the order of the buses the
# firmware numbers is fixed: rp1 nvme0, rp2 ivshmem0, rp3 nic0, rp4 edu0,
# rp5... the --device options in order.
root_port() { # root_port N
	qemu+=(-device "pcie-root-port,id=rp$1,chassis=$1,slot=$1,bus=pcie.0,addr=$(printf '0x%x' $((0x0f + $1)))")
}
if ((want_nvme)); then
	truncate -s 64M "$tmpdir/nvme.img"
	nvme="nvme,id=nvme0,bus=rp1,serial=pfn0,drive=nv0"
	((nvme_cmb_mb == 0)) || nvme+=",cmb_size_mb=$nvme_cmb_mb"
	root_port 1
	qemu+=(-drive "file=$(qesc "$tmpdir/nvme.img"),if=none,id=nv0,format=raw"
		-device "$nvme")
	bind_list+=(nvme0)
fi
if ((want_ivshmem)); then
	root_port 2
	qemu+=(-object "memory-backend-ram,id=shm0,size=$ivshmem_bytes,prealloc=off"
		-device ivshmem-plain,id=ivshmem0,bus=rp2,memdev=shm0)
	bind_list+=(ivshmem0)
fi
if ((want_nic)); then
	root_port 3
	qemu+=(-netdev user,id=n0,restrict=on
		-device e1000e,id=nic0,bus=rp3,netdev=n0,romfile=)
	bind_list+=(nic0)
fi
if ((want_edu)); then
	# QEMU's educational device (1234:11e8): a DMA engine the proofs drive.
	root_port 4
	qemu+=(-device edu,id=edu0,bus=rp4,dma_mask=0xffffffffffffffff)
	bind_list+=(edu0)
fi
for o in "${user_objects[@]}"; do
	qemu+=(-object "$o")
done
n=0 rp=4 added_devices=()
for d in "${user_devices[@]}"; do
	n=$((n + 1))
	[[ ,$d, == *,id=* ]] || d+=",id=dev$n"
	if [[ ,$d, != *,bus=* ]]; then
		rp=$((rp + 1))
		root_port $rp
		d+=",bus=rp$rp"
	fi
	qemu+=(-device "$d")
	added_devices+=("$d")
done
if ((want_nvmek)); then
	# The kernel-driven NVMe controller (the fio baselines: io_uring, libaio,
	# io_uring_cmd): last root port, so no other bus number moves.
	rp=$((rp + 1))
	root_port $rp
	truncate -s 256M "$tmpdir/nvmek.img"
	qemu+=(-drive "file=$(qesc "$tmpdir/nvmek.img"),if=none,id=nvk0,format=raw"
		-device "nvme,id=nvmek0,bus=rp$rp,serial=pfnk0,drive=nvk0")
fi
qemu+=("${user_args[@]}")
bind_list+=("${bind_specs[@]}")
if ((vfio_bind)); then
	bind_arg=$(IFS=,; echo "${bind_list[*]}")
	cmdline+=" pfnvm_bind=${bind_arg:-0}"
else
	cmdline+=" pfnvm_bind=0"
fi
[[ -z $append ]] || cmdline+=" $append"
qemu+=(-append "$cmdline")

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
devmsg=$devdesc
((${#added_devices[@]} == 0)) || devmsg+=" + ${added_devices[*]}"
echo "vm: booting ${kernel_release:-$kernel} (tcg, smp $smp, $mem, devices $devmsg); serial log: $serial_log" >&2
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
# guest-init.sh's own query-pci at boot (pci-map.req) is served quietly.
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
		[[ $req == */pci-map.req ]] ||
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

# after_status_splat: the first panic, BUG or Oops line the console shows
# after the guest reported the command's status (empty if none).
after_status_splat() {
	awk '/pfn-vm: command-exit/ { after = 1; next }
	     after && /Kernel panic|BUG:|Oops/ { sub(/\r$/, ""); sub(/^\[[ 0-9.]*\] /, ""); print; exit }' \
		"$serial_log" 2>/dev/null
}
# Lines guest-init.sh flagged (a --bind that matched nothing, a device left
# on its driver, no QEMU id map): repeated here so they are not missed.
grep -a '^pfn-vm: warning:' "$serial_log" 2>/dev/null | tr -d '\r' | sed 's/^pfn-vm: /vm: guest /' >&2 || true

command_status=
if [[ $outcome == hang ]]; then
	exit_code=124
	echo "vm: HANG: guest did not finish within $timeout_s s (see $serial_log)" >&2
elif status=$(cat "$status_file" 2>/dev/null) && [[ $status =~ ^[0-9]+$ ]] &&
	splat=$(after_status_splat) && [[ -n $splat ]]; then
	# The command finished, then the kernel died (e.g. while powering off).
	outcome=crash
	command_status=$status
	exit_code=125
	echo "vm: CRASH: the guest kernel failed after the command exited with status $status: $splat (see $serial_log)" >&2
elif [[ -n ${status:-} && $status =~ ^[0-9]+$ ]]; then
	outcome=exited
	command_status=$status
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
# json_array STRING...: a JSON array of the strings.  jq 1.6 reads "-machine"
# after --args as its own option and splits raw input at NUL, so the strings
# go in as named arguments a0..aN.
json_array() {
	local a=() i=0 v
	for v in "$@"; do a+=(--arg "a$i" "$v"); i=$((i + 1)); done
	jq -nc "${a[@]}" '[$ARGS.named | to_entries[] | {i: (.key[1:] | tonumber), v: .value}]
		| sort_by(.i) | map(.v)'
}
bind_json='[]'
((!vfio_bind)) || bind_json=$(json_array "${bind_list[@]}")
jq -n \
	--argjson cmdline "$(json_array "${qemu[@]}")" \
	--argjson added_devices "$(json_array "${added_devices[@]}")" \
	--argjson added_objects "$(json_array "${user_objects[@]}")" \
	--argjson added_args "$(json_array "${user_args[@]}")" \
	--argjson bind "$bind_json" \
	--argjson command_status "${command_status:-null}" \
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
	'{outcome: $outcome, exit_code: $exit_code, command_status: $command_status, seconds: $seconds,
	  boot_seconds: $boot_seconds, timeout: $timeout, qemu_exit: $qemu_exit,
	  qemu_version: $qemu_version, accel: "tcg", kernel: $kernel, kernel_resolved: $kernel_resolved,
	  kernel_release: $kernel_release, kernel_cmdline: $kernel_cmdline,
	  devices: $devices,
	  added: {devices: $added_devices, objects: $added_objects, qemu_args: $added_args},
	  vfio_bind: $bind,
	  cmdline: $cmdline}' \
	>"$results/vm-outcome.json"

exit "$exit_code"
