#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Check the reference series (reference-kernel/patches/series):
#
#  1. checkpatch: scripts/checkpatch.pl --strict on every patch. Any ERROR,
#     WARNING or CHECK fails. The only message ignored is FILE_PATH_CHANGES
#     ("added, moved or deleted file(s), does MAINTAINERS need updating?"),
#     which checkpatch prints for every new file even when MAINTAINERS
#     already covers its directory (drivers/dma-buf/ does).
#  2. bisectability: the patches are applied one by one to a hard-linked
#     copy of the pristine tree and every prefix is built (bzImage + modules,
#     same config as build.sh: tinyconfig + config/*.config), incrementally
#     in one O= directory, with ccache. The out-of-tree reference modules
#     (reference-kernel/modules) are then built against the full series.
#
# Usage: check-series.sh [--checkpatch-only] [--build-only]
#
# Environment: PFN_CACHE, KERNEL_SRC, KERNEL_JOBS as for build.sh.  Holds
# the kernel cache lock (lib/cache-lock.sh) for the whole run.
#
# Time on the 2-core build machine (measured, 8 patches): checkpatch 3 s.
# Build, first run (cold O= directory in $PFN_CACHE/check): 12 min 40 s =
# 9 min 20 s for the first prefix + 23-39 s for each further prefix. Later
# runs only rebuild what the series touches (every file it changes is
# re-touched, so no stale object survives), a few minutes in all. Series v2
# (17 patches), warm O= directory: 11 min 2 s = checkpatch 6 s + 3 min 36 s
# for the first prefix + 13-45 s for each further one + the modules.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${PFN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfnsuite}
jobs=${KERNEL_JOBS:-$(($(nproc) + 1))}
do_checkpatch=1 do_build=1

die() { echo "check-series: error: $*" >&2; exit 1; }
log() { echo "check-series: $*" >&2; }

for a in "$@"; do
	case $a in
	--checkpatch-only) do_build=0 ;;
	--build-only) do_checkpatch=0 ;;
	-h|--help) sed -n '3,/^set /{/^set /d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
	*) die "unknown argument $a (see --help)" ;;
	esac
done

# One lock for the fetch, the unpack and the builds, shared with build.sh
# and fetch-source.sh (their trees and ccache are in the same cache).
# shellcheck source=lib/cache-lock.sh
. "$here/lib/cache-lock.sh"
cache_lock "$cache" check-series || die "cannot take the cache lock in $cache"

# ---------------------------------------------------------------- source
if [ -n "${KERNEL_SRC:-}" ]; then
	[ -d "$KERNEL_SRC" ] || die "KERNEL_SRC must be a directory for check-series.sh"
	src=$(cd "$KERNEL_SRC" && pwd)
else
	out=$("$here/fetch-source.sh" "$cache")
	src=$(sed -n 's/^TREE=//p' <<<"$out")
fi
[ -x "$src/scripts/checkpatch.pl" ] || die "$src has no scripts/checkpatch.pl"

patches=()
while read -r p _; do
	case $p in ''|'#'*) continue ;; esac
	[ -f "$here/patches/$p" ] || die "patches/series names $p, which does not exist"
	patches+=("$here/patches/$p")
done <"$here/patches/series"
[ ${#patches[@]} -gt 0 ] || die "patches/series is empty"

fail=0
start=$SECONDS

# ---------------------------------------------------------------- checkpatch
if [ $do_checkpatch = 1 ]; then
	for p in "${patches[@]}"; do
		if outp=$("$src/scripts/checkpatch.pl" --strict --no-tree --terse \
			--ignore FILE_PATH_CHANGES "$p" 2>&1); then
			log "checkpatch ok: ${p##*/}"
		else
			echo "$outp" >&2
			log "checkpatch FAILED: ${p##*/}"
			fail=1
		fi
	done
fi

# ---------------------------------------------------------------- build
if [ $do_build = 1 ]; then
	tree=$cache/check/tree
	obj=$cache/check/build
	mkdir -p "$cache/check" "$obj"
	rm -rf "$tree"
	cp -al "$src" "$tree" 2>/dev/null || cp -a "$src" "$tree"
	# Files the series touches get a fresh mtime so the persistent O=
	# directory never keeps objects built from another version of them.
	(cd "$tree" && sed -n 's|^+++ b/||p' "${patches[@]}" | sort -u | while read -r f; do
		[ -e "$f" ] && { cp -p "$f" "$f.new" && mv "$f.new" "$f" && touch "$f"; } || true
	done)

	cc=gcc
	command -v ccache >/dev/null && cc="ccache gcc"
	export KBUILD_BUILD_TIMESTAMP="2026-01-01" KBUILD_BUILD_USER=pfnsuite KBUILD_BUILD_HOST=pfnsuite
	export CCACHE_DIR=${CCACHE_DIR:-$cache/ccache} CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
	kmake=(make -C "$tree" O="$obj" ARCH=x86_64 CC="$cc" HOSTCC=gcc)
	fragments=("$here"/config/*.config)
	# Configured again for every prefix: a patch may add the options a
	# fragment sets (e.g. its KUnit test). Kbuild only rebuilds what
	# depends on options that changed.
	configure() {
		"${kmake[@]}" -s tinyconfig >"$obj/config.log" 2>&1 &&
		(cd "$obj" && "$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}") \
			>>"$obj/config.log" 2>&1 &&
		"${kmake[@]}" -s olddefconfig >>"$obj/config.log" 2>&1
	}

	i=0
	for p in "${patches[@]}"; do
		i=$((i + 1))
		patch -d "$tree" -p1 --quiet --forward --no-backup-if-mismatch <"$p" >"$obj/patch.log" 2>&1 ||
			{ cat "$obj/patch.log" >&2; die "patch $i ${p##*/} does not apply on top of the previous ones"; }
		t=$SECONDS
		configure || die "configuring failed ($obj/config.log)"
		if "${kmake[@]}" -j"$jobs" bzImage modules >"$obj/build-$i.log" 2>&1; then
			w=$(grep -c ': warning:' "$obj/build-$i.log" || true)
			log "build ok ($((SECONDS - t))s, $w warnings): $i/${#patches[@]} ${p##*/}"
			[ "$w" = 0 ] || { grep ': warning:' "$obj/build-$i.log" | head -n 20 >&2; fail=1; }
		else
			tail -n 30 "$obj/build-$i.log" >&2
			log "build FAILED: $i/${#patches[@]} ${p##*/} (log: $obj/build-$i.log)"
			fail=1
			break
		fi
	done

	if [ $fail = 0 ] && [ -f "$here/modules/Makefile" ]; then
		mtmp=$(mktemp -d)
		cp "$here"/modules/{Kbuild,*.c,*.h} "$mtmp"/
		if make -C "$obj" M="$mtmp" modules >"$obj/modules.log" 2>&1 &&
		   ! grep -q ': warning:' "$obj/modules.log"; then
			log "reference modules build ok"
		else
			tail -n 30 "$obj/modules.log" >&2
			log "reference modules build FAILED (log: $obj/modules.log)"
			fail=1
		fi
		rm -rf "$mtmp"
	fi
fi

if [ $fail = 0 ]; then
	log "PASS: ${#patches[@]} patches in $((SECONDS - start))s"
else
	log "FAIL after $((SECONDS - start))s"
fi
exit $fail
