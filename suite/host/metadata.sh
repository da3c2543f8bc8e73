#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Write a run's metadata JSON: suite git sha, kernel release, config hash,
# cache key and compiler, QEMU version and accelerator, host CPU.
# Usage: metadata.sh KERNEL_DIR TARGET OUT.json  (written whole: temp + rename)
set -euo pipefail
kdir=${1:?usage: metadata.sh KERNEL_DIR TARGET OUT.json}
target=${2:?}
out=${3:?}
top=$(cd "$(dirname "$0")/../.." && pwd)

sha=$(git -C "$top" rev-parse HEAD 2>/dev/null || echo unknown)
dirty=false
[ -n "$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null)" ] && dirty=true
qemu=$(qemu-system-x86_64 --version 2>/dev/null | head -n1 | sed 's/^QEMU emulator version //')
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
# build.sh names the artifact directory after its cache key and records the
# key's inputs (key.txt: "cc <gcc --version>", ...); older artifacts lack it.
kkey=$(basename "$(readlink -f "$kdir")")
kcc=$(sed -n 's/^cc //p' "$kdir/key.txt" 2>/dev/null || true)

jq -n \
	--arg sha "$sha" --argjson dirty "$dirty" \
	--arg started "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg target "$target" --arg accel tcg \
	--arg krel "$(cat "$kdir/kernel.release")" \
	--arg ksrc "$(cat "$kdir/source.id")" \
	--arg kver "$(cat "$kdir/source.version")" \
	--arg kseries "$(cat "$kdir/series")" \
	--arg kpatches "$(cat "$kdir/patches")" \
	--arg kcfg "$(cat "$kdir/config.sha")" \
	--arg kkey "$kkey" --arg kcc "$kcc" \
	--arg qemu "$qemu" --arg cpu "$cpu" --arg host "$(uname -r)" \
	--argjson ncpu "$(nproc)" \
	'{
	  schema: "pfnsuite-run/1",
	  suite: {git_sha: $sha, dirty: $dirty},
	  started: $started,
	  target: {kind: $target, accel: $accel, qemu_version: $qemu,
		   timings: (if $accel == "tcg" then "emulated (TCG): compare ratios, not absolute times" else "hardware" end)},
	  kernel: {release: $krel, source: $ksrc, source_version: $kver, series: $kseries,
		   patches: ($kpatches | split("\n") | map(select(length > 0))),
		   config_sha256_16: $kcfg, cache_key: $kkey,
		   compiler: (if $kcc == "" then null else $kcc end)},
	  host: {cpu: $cpu, cpus: $ncpu, kernel: $host}
	}' >"$out.tmp"
mv "$out.tmp" "$out"
