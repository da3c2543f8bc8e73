#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch Debian's linux-source-7.3 (newest 7.3.y) without touching the
# system's apt configuration, and unpack it once into the cache.
#
# Usage: fetch-source.sh CACHE_DIR
# Prints two lines on stdout:  VERSION=<debian version>  TREE=<pristine tree>
# Everything else goes to stderr.
set -euo pipefail

cache=${1:?usage: fetch-source.sh CACHE_DIR}
pkg=linux-source-7.3
suites=(trixie-backports sid forky experimental)
mirror=${PFN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

die() { echo "fetch-source: $*" >&2; exit 1; }

apt_dir=$cache/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$cache/downloads" "$cache/src"
[ -r "$keyring" ] || die "$keyring missing: apt-get install debian-archive-keyring"

: >"$apt_dir/sources.list"
for s in "${suites[@]}"; do
	echo "deb [signed-by=$keyring] $mirror $s main" >>"$apt_dir/sources.list"
done
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
	  -o "Dir::Etc::SourceParts=/dev/null"
	  -o "Dir::State::Lists=$apt_dir/lists"
	  -o "Dir::Cache=$apt_dir/cache"
	  -o "Dir::Etc::Preferences=/dev/null"
	  -o "Dir::Etc::PreferencesParts=/dev/null"
	  -o "APT::Sandbox::User=root"
	  -q)

# Refresh the private package lists at most once an hour.
stamp=$apt_dir/lists/.updated
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +60)" ]; then
	echo "fetch-source: updating private package lists (${suites[*]})" >&2
	if apt-get "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1; then
		touch "$stamp"
	elif ls "$cache"/downloads/${pkg}_*.deb >/dev/null 2>&1; then
		echo "fetch-source: apt update failed (see $apt_dir/update.log); using the cached download" >&2
	else
		die "apt-get update of ${suites[*]} failed (see $apt_dir/update.log); check network access to $mirror or set KERNEL_SRC="
	fi
fi

# Newest 7.3.y across every suite we listed.
version=$(apt-cache "${apt_opts[@]}" madison "$pkg" 2>/dev/null |
	  awk -F'|' '{gsub(/ /, "", $2); print $2}' |
	  grep -E '^7\.3[.~]' | sort -V -r | { while read -r v; do
		if dpkg --compare-versions "$v" gt "${best:-0}"; then best=$v; fi
	  done; echo "${best:-}"; }) || true
if [ -z "$version" ]; then
	cached=$(ls "$cache"/downloads/${pkg}_*.deb 2>/dev/null | sort -V | tail -n1 || true)
	[ -n "$cached" ] || die "no $pkg (7.3.y) is offered by ${suites[*]} any more; bring a tree with KERNEL_SRC=DIR|TARBALL"
	version=$(dpkg-deb -f "$cached" Version)
	echo "fetch-source: $pkg not listed; using cached $version" >&2
fi

deb=$cache/downloads/${pkg}_${version//:/%3a}_all.deb
if [ ! -s "$deb" ]; then
	echo "fetch-source: downloading $pkg $version" >&2
	tmp=$(mktemp -d "$cache/downloads/.dl.XXXXXX")
	(cd "$tmp" && apt-get "${apt_opts[@]}" download "$pkg=$version" >&2) ||
		{ rm -rf "$tmp"; die "apt-get download $pkg=$version failed"; }
	mv "$tmp"/*.deb "$deb"
	rmdir "$tmp"
fi

tree=$cache/src/$version/linux
if [ ! -e "$cache/src/$version/.unpacked" ]; then
	echo "fetch-source: unpacking $pkg $version (about a minute)" >&2
	rm -rf "$cache/src/$version"
	mkdir -p "$cache/src/$version"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO ./usr/src/linux-source-7.3.tar.xz |
		tar -xJ -C "$cache/src/$version"
	mv "$cache/src/$version/linux-source-7.3" "$tree"
	touch "$cache/src/$version/.unpacked"
fi

echo "VERSION=$version"
echo "TREE=$tree"
