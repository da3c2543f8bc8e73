#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the reference kernel: Debian's linux-source-7.3 (or KERNEL_SRC) plus
# reference-kernel/patches/series, configured from tinyconfig plus
# reference-kernel/config/*.config.  The result is cached outside the repo,
# keyed by (source identity, series content, config, recipe version), so a
# repeat with nothing changed takes seconds.
#
# Environment:
#   PFN_CACHE     cache directory (default: $XDG_CACHE_HOME/pfnsuite or ~/.cache/pfnsuite)
#   KERNEL_SRC    a kernel tree (directory) or tarball to build instead of Debian's
#   KERNEL_SERIES reference (default: apply patches/series) or none (stock kernel)
#   KERNEL_JOBS   make -j value (default: nproc + 1)
#
# On success prints KERNEL_DIR=<artifact dir> as the last line of stdout and
# points reference-kernel/out/<series> and reference-kernel/out/current at it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${PFN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfnsuite}
series_mode=${KERNEL_SERIES:-reference}
jobs=${KERNEL_JOBS:-$(($(nproc) + 1))}
recipe=3	# bump when this script changes what it produces

die() { echo "kernel: error: $*" >&2; exit 1; }
log() { echo "kernel: $*" >&2; }

case $series_mode in
reference|none) ;;
*) die "KERNEL_SERIES=$series_mode: use 'reference' or 'none'" ;;
esac
mkdir -p "$cache"
exec 9>"$cache/.build.lock"
flock 9

# ---------------------------------------------------------------- source
src_kind= src_tree= src_version= src_id=
if [ -n "${KERNEL_SRC:-}" ]; then
	if [ -d "$KERNEL_SRC" ]; then
		[ -f "$KERNEL_SRC/Makefile" ] && [ -d "$KERNEL_SRC/arch/x86" ] ||
			die "KERNEL_SRC=$KERNEL_SRC is a directory but not a Linux source tree (no Makefile or arch/x86)"
		src_kind=dir
		src_tree=$(cd "$KERNEL_SRC" && pwd)
		src_version=$(make -s -C "$src_tree" kernelversion 2>/dev/null) ||
			die "KERNEL_SRC=$KERNEL_SRC: 'make kernelversion' failed; is it a complete tree?"
		src_id="dir:$src_tree"
	elif [ -f "$KERNEL_SRC" ]; then
		sum=$(sha256sum "$KERNEL_SRC" | cut -c1-16)
		src_kind=tarball
		src_id="tarball:$sum"
		dest=$cache/src/tarball-$sum
		if [ ! -e "$dest/.unpacked" ]; then
			log "unpacking $KERNEL_SRC"
			rm -rf "$dest" && mkdir -p "$dest/x"
			tar -xf "$KERNEL_SRC" -C "$dest/x" ||
				die "KERNEL_SRC=$KERNEL_SRC: not a tarball tar can read"
			top=$(find "$dest/x" -mindepth 1 -maxdepth 2 -name Makefile -path '*/Makefile' -printf '%h\n' | head -n1)
			[ -n "$top" ] && [ -d "$top/arch/x86" ] ||
				die "KERNEL_SRC=$KERNEL_SRC: no Linux source tree inside the tarball"
			mv "$top" "$dest/linux" && rm -rf "$dest/x"
			touch "$dest/.unpacked"
		fi
		src_tree=$dest/linux
		src_version=$(make -s -C "$src_tree" kernelversion)
	else
		die "KERNEL_SRC=$KERNEL_SRC does not exist; give a Linux source directory or tarball, or unset it to use Debian's linux-source-7.3"
	fi
else
	out=$("$here/fetch-source.sh" "$cache")
	src_version=$(sed -n 's/^VERSION=//p' <<<"$out")
	src_tree=$(sed -n 's/^TREE=//p' <<<"$out")
	src_kind=debian
	src_id="debian:linux-source-7.3=$src_version"
fi

# ---------------------------------------------------------------- key
patches=()
if [ "$series_mode" = reference ] && [ -f "$here/patches/series" ]; then
	while read -r p _; do
		case $p in ''|'#'*) continue ;; esac
		[ -f "$here/patches/$p" ] || die "patches/series names $p, which does not exist"
		patches+=("$here/patches/$p")
	done <"$here/patches/series"
fi
fragments=("$here"/config/*.config)
key=$( {
	echo "recipe=$recipe src=$src_id"
	for p in "${patches[@]}"; do echo "patch ${p##*/}"; cat "$p"; done
	for f in "${fragments[@]}" "$here/config/required.txt"; do echo "config ${f##*/}"; cat "$f"; done
} | sha256sum | cut -c1-16)

art=$cache/kernels/$key
link_out() {
	mkdir -p "$here/out"
	ln -sfn "$art" "$here/out/$series_mode"
	ln -sfn "$art" "$here/out/current"
	# The reference exporter/importer modules (MODEL cases) need the series;
	# make decides whether they are stale (a new kernel build, a changed source).
	if [ "$series_mode" = reference ]; then
		make -s -C "$here/modules" KDIR="$(cat "$art/build.dir")" >&2 ||
			die "building reference-kernel/modules against $art failed"
	fi
	echo "KERNEL_DIR=$art"
}

# A directory source can change under us: always let make decide.
if [ "$src_kind" != dir ] && [ -e "$art/.complete" ]; then
	log "cached: $(cat "$art/kernel.release") ($series_mode series, key $key)"
	link_out
	exit 0
fi

# ---------------------------------------------------------------- tree
tree=$cache/trees/$key
if [ ${#patches[@]} -eq 0 ] && [ "$src_kind" != dir ]; then
	tree=$src_tree	# pristine, built out of tree with O=
elif [ ${#patches[@]} -eq 0 ]; then
	tree=$src_tree
elif [ ! -e "$tree/.patched" ]; then
	log "preparing a patched tree ($series_mode series, ${#patches[@]} patches)"
	rm -rf "$tree"
	mkdir -p "$cache/trees"
	# Hard links are cheap; patch(1) writes a new file and breaks the link
	# for every file it touches, so the pristine tree stays pristine.
	cp -al "$src_tree" "$tree" 2>/dev/null || cp -a "$src_tree" "$tree"
	for p in "${patches[@]}"; do
		patch -d "$tree" -p1 --quiet --forward --no-backup-if-mismatch <"$p" >"$tree.patch.log" 2>&1 ||
			die "patch ${p##*/} does not apply to $src_id (see $tree.patch.log)"
	done
	touch "$tree/.patched"
fi

# ---------------------------------------------------------------- config
obj=$cache/build/$key
mkdir -p "$obj"
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
export KBUILD_BUILD_TIMESTAMP="2026-01-01" KBUILD_BUILD_USER=pfnsuite KBUILD_BUILD_HOST=pfnsuite
export CCACHE_DIR=${CCACHE_DIR:-$cache/ccache} CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
kmake=(make -C "$tree" O="$obj" ARCH=x86_64 CC="$cc" HOSTCC=gcc)

log "configuring $src_version: tinyconfig + ${fragments[*]##*/}"
"${kmake[@]}" -s tinyconfig >"$obj/config.log" 2>&1 || die "make tinyconfig failed (see $obj/config.log)"
(cd "$obj" && "$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}") \
	>>"$obj/config.log" 2>&1 || die "merging config fragments failed (see $obj/config.log)"
"${kmake[@]}" -s olddefconfig >>"$obj/config.log" 2>&1 || die "make olddefconfig failed (see $obj/config.log)"

missing=()
while read -r opt _; do
	case $opt in ''|'#'*) continue ;; esac
	grep -qx "CONFIG_$opt=y" "$obj/.config" || missing+=("CONFIG_$opt")
done <"$here/config/required.txt"
[ ${#missing[@]} -eq 0 ] ||
	die "required option(s) did not survive olddefconfig: ${missing[*]} (check their dependencies in $src_tree and reference-kernel/config/)"

# ---------------------------------------------------------------- build
targets=(bzImage)
grep -qx 'CONFIG_MODULES=y' "$obj/.config" && targets+=(modules)
log "building ${targets[*]} with -j$jobs ($cc); log: $obj/build.log"
start=$SECONDS
# make runs in its own process group (set -m) so that a build.sh that is
# interrupted or killed takes the whole compile down with it.
set -m
"${kmake[@]}" -j"$jobs" "${targets[@]}" >"$obj/build.log" 2>&1 &
pid=$!
set +m
trap 'kill -TERM -- -$pid 2>/dev/null' EXIT
trap 'exit 130' INT TERM
while kill -0 $pid 2>/dev/null; do
	for _ in $(seq 30); do kill -0 $pid 2>/dev/null && sleep 1; done
	kill -0 $pid 2>/dev/null &&
		log "  ... $((SECONDS - start))s, $(grep -c '^  CC ' "$obj/build.log" || true) objects compiled"
done
wait $pid || { tail -n 30 "$obj/build.log" >&2; die "kernel build failed (full log: $obj/build.log)"; }
trap - EXIT INT TERM
if grep -q ': warning:' "$obj/build.log"; then
	grep ': warning:' "$obj/build.log" | head -n 20 >&2
	log "the build has warnings (above)"
fi
log "built in $((SECONDS - start))s"

# ---------------------------------------------------------------- artifacts
rm -rf "$art.tmp" && mkdir -p "$art.tmp"
cp "$obj/arch/x86/boot/bzImage" "$art.tmp/bzImage"
cp "$obj/.config" "$art.tmp/config"
"${kmake[@]}" -s kernelrelease >"$art.tmp/kernel.release"
echo "$src_version" >"$art.tmp/source.version"
echo "$src_id" >"$art.tmp/source.id"
echo "$series_mode" >"$art.tmp/series"
for p in "${patches[@]}"; do echo "${p##*/}"; done >"$art.tmp/patches"
echo "$obj" >"$art.tmp/build.dir"
echo "$tree" >"$art.tmp/source.dir"
sha256sum "$obj/.config" | cut -c1-16 >"$art.tmp/config.sha"
echo "$((SECONDS - start))" >"$art.tmp/build.seconds"
touch "$art.tmp/.complete"
rm -rf "$art" && mv "$art.tmp" "$art"
log "done: $(cat "$art/kernel.release") -> $art"
link_out
