#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# validate-baremetal.sh [--out DIR] - render the bare-metal jobs (the TDX
# host and the stock-upstream host, lava-jobs/baremetal/pfnsuite-x86.yaml.jinja2)
# with stand-in artifacts and example BDFs, render the example x86 device
# dictionary (lava-jobs/devices/x86-example.jinja2, over lava-server's
# x86.jinja2) with each job's context, and check each job with LAVA's own
# `lava-run --validate`.  A lab's worker runs tftpd-hpa, whose
# /etc/default/tftpd-hpa lava-dispatcher reads for its TFTP folder; this
# machine need not have it, so lava-run runs in a private mount namespace
# (unshare -m) where /etc/default is a copy with that file added, pointing at
# DIR/tftp: the system's own files are never changed.  lava-run also checks
# that the worker's commands exist (in.tftpd, exportfs, telnet, pduclient):
# they are stand-ins on PATH here (DIR/worker-bin, each exits 1 if run), so
# what is validated is the job and the device configuration, not this
# machine as a lab worker.  KTAP on stdout, one result per job; the rendered
# jobs stay in DIR (default results/lava-runs/baremetal/).  A third result
# is the control: the TDX job with its boot method misspelt must NOT
# validate (the check can fail).  Exit 0 when both validate and the control
# does not, 1 when one does not, 3 when lava-run or the templates are missing.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$top"
out=results/lava-runs/baremetal
[ "${1:-}" != --out ] || out=$2
command -v lava-run >/dev/null || { echo "lava: error: lava-run not found: run suite/host/install-deps.sh" >&2; exit 3; }
templates=$(lava-jobs/tools/lava-server-templates.sh) || exit 3
mkdir -p "$out" && out=$(cd "$out" && pwd -P)
py=/usr/bin/python3
echo "dispatcher_ip: 127.0.0.1" >"$out/dispatcher.yaml"
mkdir -p "$out/worker-bin"
for c in in.tftpd exportfs rpc.mountd telnet pduclient; do
	printf '#!/bin/sh\necho "%s: a stand-in for lava-run --validate (validate-baremetal.sh), not a server" >&2\nexit 1\n' "$c" \
		>"$out/worker-bin/$c" && chmod +x "$out/worker-bin/$c"
done
rm -rf "$out/etc-default" && cp -a /etc/default "$out/etc-default" && mkdir -p "$out/tftp" &&
	printf 'TFTP_USERNAME="tftp"\nTFTP_DIRECTORY="%s"\nTFTP_ADDRESS=":69"\nTFTP_OPTIONS="--secure"\n' "$out/tftp" \
		>"$out/etc-default/tftpd-hpa" || { echo "lava: error: cannot write $out/etc-default" >&2; exit 3; }
# What the suite needs of any board's kernel, and a TDX host's on top.
suite_needs="CONFIG_VFIO_PCI CONFIG_IOMMUFD CONFIG_VFIO_DEVICE_CDEV CONFIG_DMA_SHARED_BUFFER"
tdx_needs=$(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=[ym]$/\1/p' lava-jobs/baremetal/tdx-host.config | paste -sd ' ')
# lava-run --validate checks that every URL answers: the artifacts are
# stand-ins here (a lab's are its own build's), the test definitions this
# repository.
art=file://$out/artifacts
mkdir -p "$out/artifacts/tdx" "$out/artifacts/stock"
for f in tdx/bzImage tdx/initrd.img.gz stock/bzImage stock/initrd.img.gz debian-12-pfnsuite.tar.xz; do
	echo "stand-in for the lab's $f" >"$out/artifacts/$f"
done
echo "KTAP version 1"
echo "1..3"
# validate ID VARIANT JOB: lava-run --validate of JOB against VARIANT's device.
validate() {
	PATH=$PATH:$out/worker-bin unshare -m bash -c 'mount --bind "$1" /etc/default && shift && exec "$@"' - "$out/etc-default" \
		lava-run --validate --job-id "$1" --output-dir "$out/lava-$2" --device "$out/x86-example-$2.yaml" \
		--dispatcher "$out/dispatcher.yaml" "$3" >"$out/validate-${3##*/}.log" 2>&1
	local rc=$?
	rm -rf "/var/lib/lava/dispatcher/tmp/$1"
	return $rc
}
n=0 failed=0
for variant in tdx stock; do
	n=$((n + 1))
	need=$suite_needs
	[ "$variant" = stock ] || need="$suite_needs $tdx_needs"
	job=$out/pfnsuite-x86-$variant.yaml
	if ! $py lava-jobs/tools/render.py job lava-jobs/baremetal/pfnsuite-x86.yaml.jinja2 --device-type x86 \
		--var job_name="pfnsuite x86 $variant host" --var variant=$variant \
		--var kernel_url=$art/$variant/bzImage --var ramdisk_url=$art/$variant/initrd.img.gz \
		--var nfsrootfs_url=$art/debian-12-pfnsuite.tar.xz --var suite_dir=/opt/pfnsuite \
		--var tests_repo="$top" --var tests_branch="$(git rev-parse --abbrev-ref HEAD)" \
		--var device=0000:65:00.0 --var dma_device=0000:66:00.0 --var expect= \
		--var kconfig_required="$need" --output "$job" 2>"$out/render-$variant.log" ||
		! $py lava-jobs/tools/render.py device --templates "$templates" --device lava-jobs/devices/x86-example.jinja2 \
			--job "$job" --output "$out/x86-example-$variant.yaml" 2>>"$out/render-$variant.log"; then
		echo "not ok $n validate_x86_$variant"
		echo "# validate_x86_$variant: $(head -n 1 "$out/render-$variant.log")"
		failed=1
		continue
	fi
	id=$(( $(date +%s) % 100000000 * 100 + n ))
	if validate "$id" "$variant" "$job"; then
		echo "ok $n validate_x86_$variant"
	else
		echo "not ok $n validate_x86_$variant"
		grep -aE '"lvl": "(error|exception)"|Invalid|invalid' "$out/validate-${job##*/}.log" | head -n 5 | sed 's/^/# /'
		failed=1
	fi
done
sed 's/method: ipxe$/method: ipxe-misspelt/' "$out/pfnsuite-x86-tdx.yaml" >"$out/broken-x86-tdx.yaml"
if validate $(( $(date +%s) % 100000000 * 100 + 9 )) tdx "$out/broken-x86-tdx.yaml"; then
	echo "not ok 3 validate_rejects_a_broken_job"
	echo "# validate_rejects_a_broken_job: lava-run --validate accepted $out/broken-x86-tdx.yaml (boot method ipxe-misspelt)"
	failed=1
else
	echo "ok 3 validate_rejects_a_broken_job"
fi
exit "$failed"
