#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the reference kernel: Debian's linux-source-7.3 (or KERNEL_SRC) plus
# reference-kernel/patches/series, configured from tinyconfig plus
# reference-kernel/config/*.config.  The result is cached outside the repo,
# keyed by its inputs (see "key" below), so a repeat with nothing changed
# takes seconds.
#
# Usage: build.sh [--print-key]
#   --print-key  print the cache key of the current inputs and exit: no lock,
#                no fetch of a tarball's unpack, no build (the Debian source
#                is still fetched: its version is part of the key)
#
# Environment:
#   PFN_CACHE     cache directory (default: $XDG_CACHE_HOME/pfnsuite or ~/.cache/pfnsuite)
#   KERNEL_SRC    a kernel tree (directory) or tarball to build instead of Debian's
#   KERNEL_SERIES reference (default: apply patches/series) or none (stock kernel)
#   KERNEL_JOBS   make -j value (default: nproc + 1)
#   KERNEL_FLAVOUR  a kernel variant: config/flavours/NAME.config merged last
#                 over the base fragments, built from the same patched tree,
#                 cached under its own key and linked as out/<series>-NAME
#                 (out/current stays the base kernel; the reference modules
#                 are built only for the base kernel).  Options the flavour
#                 turns off ("# CONFIG_X is not set") leave required.txt's
#                 check; options it sets =y join it
#
# The key covers: the source (Debian version; tarball sha256; for a directory
# its content: git tree of HEAD plus the content of every file `git status`
# lists, or without git a hash over every file's path, size and mtime), the
# patches and config fragments, the compiler and linker (first line of
# `gcc --version` and `ld --version`) and the recipe (this script and
# fetch-source.sh, by content).  A directory source keeps one build directory
# per path, so an edit rebuilds incrementally.  The patched tree is named by
# source and patches only, so the compiler command lines (absolute -I paths
# into the tree) stay the same when the recipe, compiler or config changes
# and ccache ($PFN_CACHE/ccache) turns such a rebuild into a few minutes.
#
# Fetch, unpack and build run under the kernel cache lock shared with
# fetch-source.sh and check-series.sh (lib/cache-lock.sh).
#
# On success prints KERNEL_DIR=<artifact dir> as the last line of stdout and
# points reference-kernel/out/<series> and reference-kernel/out/current at it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${PFN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfnsuite}
series_mode=${KERNEL_SERIES:-reference}
jobs=${KERNEL_JOBS:-$(($(nproc) + 1))}

die() { echo "kernel: error: $*" >&2; exit 1; }
log() { echo "kernel: $*" >&2; }

print_key=0
case ${1:-} in
'') ;;
--print-key) print_key=1 ;;
-h|--help) sed -n '3,/^set /{/^set /d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
*) die "unknown argument '$1' (usage: build.sh [--print-key])" ;;
esac
[ $# -le 1 ] || die "too many arguments (usage: build.sh [--print-key])"

case $series_mode in
reference|none) ;;
*) die "KERNEL_SERIES=$series_mode: use 'reference' or 'none'" ;;
esac
flavour=${KERNEL_FLAVOUR:-}
flavour_frag=
if [ -n "$flavour" ]; then
	flavour_frag=$here/config/flavours/$flavour.config
	if [[ ! $flavour =~ ^[a-z0-9][a-z0-9-]*$ ]] || [ ! -f "$flavour_frag" ]; then
		known=$(cd "$here/config/flavours" 2>/dev/null && ls -- *.config 2>/dev/null | sed 's/\.config$//' | paste -sd ' ')
		die "KERNEL_FLAVOUR=$flavour: no reference-kernel/config/flavours/$flavour.config (flavours: ${known:-none}); unset it for the base kernel"
	fi
fi
# shellcheck source=lib/cache-lock.sh
. "$here/lib/cache-lock.sh"
[ $print_key = 1 ] || cache_lock "$cache" kernel || die "cannot take the cache lock in $cache"

# The content of a source directory: for a git work tree the tree of HEAD
# (this directory's part of it) plus path and content of every changed or
# untracked file; otherwise path, size and mtime of every file.
tree_content_id() {
	local d=$1 top tree entry st path
	if command -v git >/dev/null && top=$(git -C "$d" rev-parse --show-toplevel 2>/dev/null) &&
	   tree=$(git -C "$d" rev-parse 'HEAD:./' 2>/dev/null); then
		{
			echo "git-tree $tree"
			git -C "$d" status --porcelain -z --untracked-files=all -- . |
			while IFS= read -r -d '' entry; do
				st=${entry:0:2} path=${entry:3}
				# A rename's or copy's origin follows as its own entry.
				case $st in R*|C*) IFS= read -r -d '' _ ;; esac
				if [ -f "$top/$path" ]; then
					echo "$st $path $(sha256sum <"$top/$path" | cut -c1-64)"
				else
					echo "$st $path"
				fi
			done
		} | sha256sum | cut -c1-16 | sed 's/^/git-/'
	else
		find "$d" -path "$d/.git" -prune -o -type f -printf '%P\t%s\t%T@\n' |
			LC_ALL=C sort | sha256sum | cut -c1-16 | sed 's/^/files-/'
	fi
}

# ---------------------------------------------------------------- source
src_kind= src_tree= src_version= src_id= src_where=
if [ -n "${KERNEL_SRC:-}" ]; then
	if [ -d "$KERNEL_SRC" ]; then
		[ -f "$KERNEL_SRC/Makefile" ] && [ -d "$KERNEL_SRC/arch/x86" ] ||
			die "KERNEL_SRC=$KERNEL_SRC is a directory but not a Linux source tree (no Makefile or arch/x86)"
		src_kind=dir
		src_tree=$(cd "$KERNEL_SRC" && pwd)
		src_version=$(make -s -C "$src_tree" kernelversion 2>/dev/null) ||
			die "KERNEL_SRC=$KERNEL_SRC: 'make kernelversion' failed; is it a complete tree?"
		src_id="dir:$src_tree:$(tree_content_id "$src_tree")"
		src_where="dir:$src_tree"
	elif [ -f "$KERNEL_SRC" ]; then
		sum=$(sha256sum "$KERNEL_SRC" | cut -c1-16)
		src_kind=tarball
		src_id="tarball:$sum"
		dest=$cache/src/tarball-$sum
		if [ $print_key = 0 ] && [ ! -e "$dest/.unpacked" ]; then
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
		[ $print_key = 1 ] || src_version=$(make -s -C "$src_tree" kernelversion)
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
src_where=${src_where:-$src_id}

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
[ -z "$flavour_frag" ] || fragments+=("$flavour_frag")
command -v gcc >/dev/null || die "gcc not found: run suite/host/install-deps.sh"

# key_inputs SOURCE: one line per input, in a fixed order.
key_inputs() {
	local f
	echo "recipe $(cat "$here/build.sh" "$here/fetch-source.sh" | sha256sum | cut -c1-16)"
	echo "source $1"
	echo "series $series_mode"
	[ -z "$flavour" ] || echo "flavour $flavour"
	echo "cc $(gcc --version | head -n1)"
	echo "ld $(ld --version | head -n1)"
	for f in "${patches[@]}"; do echo "patch ${f##*/} $(sha256sum <"$f" | cut -c1-16)"; done
	for f in "${fragments[@]}" "$here/config/required.txt"; do
		echo "config ${f##*/} $(sha256sum <"$f" | cut -c1-16)"
	done
}
key_of() { key_inputs "$1" | sha256sum | cut -c1-16; }
key=$(key_of "$src_id")
if [ $print_key = 1 ]; then
	echo "$key"
	exit 0
fi
# The build directory: per key, but per path for a directory source (make
# rebuilds what an edit touched).  The patched tree: per source (path for a
# directory) and patches, whatever the rest of the key.
objkey=$key
[ "$src_kind" != dir ] || objkey=$(key_of "$src_where")
tree_inputs() {
	local f
	echo "source $1"
	for f in "${patches[@]}"; do echo "patch ${f##*/} $(sha256sum <"$f" | cut -c1-16)"; done
}
treekey=$(tree_inputs "$src_where" | sha256sum | cut -c1-16)
treestamp=$(tree_inputs "$src_id" | sha256sum | cut -c1-16)

art=$cache/kernels/$key
link_out() {
	mkdir -p "$here/out"
	if [ -n "$flavour" ]; then
		ln -sfn "$art" "$here/out/$series_mode-$flavour"
		echo "KERNEL_DIR=$art"
		return
	fi
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

if [ -e "$art/.complete" ]; then
	log "cached: $(cat "$art/kernel.release") ($series_mode series${flavour:+, flavour $flavour}, key $key)"
	link_out
	exit 0
fi

# ---------------------------------------------------------------- tree
tree=$cache/trees/$treekey
if [ ${#patches[@]} -eq 0 ]; then
	tree=$src_tree	# pristine, built out of tree with O=
elif [ "$(cat "$tree/.patched" 2>/dev/null)" != "$treestamp" ]; then
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
	echo "$treestamp" >"$tree/.patched"
fi

# ---------------------------------------------------------------- config
obj=$cache/build/$objkey
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

# required_options: required.txt, adjusted by the flavour's fragment.
required_options() {
	local opt
	while read -r opt _; do
		case $opt in ''|'#'*) continue ;; esac
		[ -n "$flavour_frag" ] && grep -qx "# CONFIG_$opt is not set" "$flavour_frag" && continue
		echo "$opt"
	done <"$here/config/required.txt"
	[ -z "$flavour_frag" ] || sed -n 's/^CONFIG_\([A-Za-z0-9_]*\)=y$/\1/p' "$flavour_frag"
}
missing=()
while read -r opt; do
	grep -qx "CONFIG_$opt=y" "$obj/.config" || missing+=("CONFIG_$opt")
done < <(required_options)
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
key_inputs "$src_id" >"$art.tmp/key.txt"
echo "$series_mode" >"$art.tmp/series"
echo "${flavour:-base}" >"$art.tmp/flavour"
for p in "${patches[@]}"; do echo "${p##*/}"; done >"$art.tmp/patches"
echo "$obj" >"$art.tmp/build.dir"
echo "$tree" >"$art.tmp/source.dir"
sha256sum "$obj/.config" | cut -c1-16 >"$art.tmp/config.sha"
echo "$((SECONDS - start))" >"$art.tmp/build.seconds"
touch "$art.tmp/.complete"
rm -rf "$art" && mv "$art.tmp" "$art"
log "done: $(cat "$art/kernel.release") -> $art"
link_out
