#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host test (KTAP, no kernel build): the kernel cache key of
# reference-kernel/build.sh --print-key follows its inputs.  With a stand-in
# source directory (a Makefile answering `make kernelversion`) it checks that
# the key is stable when nothing changed and changes when a file of the tree
# changes (plain directory and git work tree, including a second edit of an
# already modified file and an untracked file), when the compiler's version
# string changes, and when build.sh, fetch-source.sh or a config fragment
# changes, and when a kernel flavour or its fragment changes (an unknown
# flavour is refused).  Runs on a copy of reference-kernel/ in a temporary directory.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pfn-key-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/rk" "$tmp/bin"
cp -a "$top/reference-kernel/build.sh" "$top/reference-kernel/fetch-source.sh" \
	"$top/reference-kernel/lib" "$top/reference-kernel/config" "$top/reference-kernel/patches" "$tmp/rk/"
export PFN_CACHE=$tmp/cache

# key [DIR]: the key for KERNEL_SRC=DIR (default: the plain tree).
key() { KERNEL_SRC=${1:-$tmp/tree} "$tmp/rk/build.sh" --print-key 2>"$tmp/err" || echo "ERROR: $(cat "$tmp/err")"; }

mktree() {
	mkdir -p "$1/arch/x86" "$1/kernel"
	printf 'kernelversion:\n\t@echo 7.3.0\n' >"$1/Makefile"
	echo 'int x;' >"$1/kernel/a.c"
	echo 'int y;' >"$1/kernel/b.c"
}

n=0 failed=0 skipped=0
echo "KTAP version 1"
echo "1..15"
# result NAME BEFORE AFTER same|differ
result() {
	local name=$1 a=$2 b=$3 want=$4 ok=0
	n=$((n + 1))
	case $a$b in *ERROR*) echo "# $name: build.sh --print-key failed: $a $b" ;; esac
	if [[ $a != *ERROR* && $b != *ERROR* && $a =~ ^[0-9a-f]{16}$ ]]; then
		if [ "$want" = same ]; then [ "$a" = "$b" ] && ok=1; else [ "$a" != "$b" ] && ok=1; fi
	fi
	if [ $ok = 1 ]; then
		echo "ok $n $name"
	else
		echo "# $name: keys $a and $b, expected them to $want"
		echo "not ok $n $name"
		failed=$((failed + 1))
	fi
}
skip() { n=$((n + 1)) skipped=$((skipped + 1)); echo "ok $n $1 # SKIP $2"; }

# ---- a plain directory (path, size, mtime of every file)
mktree "$tmp/tree"
k0=$(key)
result key_stable_without_change "$k0" "$(key)" same
echo 'int x = 1;' >"$tmp/tree/kernel/a.c"
k1=$(key)
result dir_file_edit_changes_key "$k0" "$k1" differ
touch -d '2001-01-01' "$tmp/tree/kernel/b.c"
result dir_mtime_changes_key "$k1" "$(key)" differ

# ---- a git work tree (tree of HEAD + content of what git status lists)
if command -v git >/dev/null; then
	g=$tmp/gtree
	mktree "$g"
	git -C "$g" init -q && git -C "$g" add -A &&
		git -C "$g" -c user.name=t -c user.email=t@t commit -qm base
	g0=$(key "$g")
	echo 'int x = 2;' >"$g/kernel/a.c"
	g1=$(key "$g")
	result git_modified_file_changes_key "$g0" "$g1" differ
	echo 'int x = 3;' >"$g/kernel/a.c"	# same `git status`, other content
	g2=$(key "$g")
	result git_second_edit_changes_key "$g1" "$g2" differ
	echo 'int z;' >"$g/kernel/new.c"
	result git_untracked_file_changes_key "$g2" "$(key "$g")" differ
	rm "$g/kernel/new.c" && git -C "$g" checkout -q -- kernel/a.c
	result git_clean_again_same_key "$g0" "$(key "$g")" same
else
	for t in git_modified_file_changes_key git_second_edit_changes_key \
		git_untracked_file_changes_key git_clean_again_same_key; do
		skip "$t" "git is not installed (suite/host/install-deps.sh installs it)"
	done
fi

# ---- the compiler: a gcc whose version line differs
k=$(key)
real_gcc=$(command -v gcc)
printf '#!/bin/sh\n[ "$1" = --version ] && { echo "gcc (pfnsuite test) 99.0.0"; exit 0; }\nexec %s "$@"\n' \
	"$real_gcc" >"$tmp/bin/gcc"
chmod +x "$tmp/bin/gcc"
result compiler_version_changes_key "$k" "$(PATH=$tmp/bin:$PATH key)" differ

# ---- the recipe and the config
echo '# a change to the recipe' >>"$tmp/rk/build.sh"
k2=$(key)
result build_sh_changes_key "$k" "$k2" differ
echo '# a change to the fetch' >>"$tmp/rk/fetch-source.sh"
k3=$(key)
result fetch_source_changes_key "$k2" "$k3" differ
frag=$(ls "$tmp"/rk/config/*.config | head -n1)
echo '# CONFIG_PFN_TEST_KEY is not set' >>"$frag"
k4=$(key)
result config_fragment_changes_key "$k3" "$k4" differ
result series_none_changes_key "$k4" "$(KERNEL_SERIES=none key)" differ

# ---- a flavour: its own key, following its fragment; an unknown one refused
kf=$(KERNEL_FLAVOUR=iommufd-compat key)
result flavour_changes_key "$k4" "$kf" differ
echo '# CONFIG_PFN_TEST_KEY is not set' >>"$tmp/rk/config/flavours/iommufd-compat.config"
result flavour_fragment_changes_key "$kf" "$(KERNEL_FLAVOUR=iommufd-compat key)" differ
n=$((n + 1))
msg=$(KERNEL_FLAVOUR=no-such "$tmp/rk/build.sh" --print-key 2>&1 >/dev/null)
rc=$?
if [ $rc -ne 0 ] && [ "$(printf '%s\n' "$msg" | wc -l)" = 1 ] && [[ $msg == *"flavours: "*"iommufd-compat"* ]]; then
	echo "ok $n unknown_flavour_refused"
else
	echo "# unknown_flavour_refused: exit $rc: $msg"
	echo "not ok $n unknown_flavour_refused"
	failed=$((failed + 1))
fi

echo "# Totals: pass:$((n - failed - skipped)) fail:$failed xfail:0 xpass:0 skip:$skipped error:0"
[ $failed -eq 0 ]
