#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch Debian's linux-source-7.3 (newest 7.3.y offered by trixie-backports,
# sid, forky or experimental) without touching the system's apt
# configuration, and unpack it once into the cache.  The archive is the one
# the system's apt sources name (suite/host/apt-private.sh); override it with
# PFN_DEBIAN_MIRROR=URL.
#
# Usage: fetch-source.sh CACHE_DIR
# Prints two lines on stdout:  VERSION=<debian version>  TREE=<pristine tree>
# Everything else goes to stderr.  Holds the kernel cache lock
# (lib/cache-lock.sh) while it fetches and unpacks.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${1:?usage: fetch-source.sh CACHE_DIR}
pkg=linux-source-7.3
suites=(trixie-backports sid forky experimental)

die() { echo "fetch-source: $*" >&2; exit 1; }

# shellcheck source=lib/cache-lock.sh
. "$here/lib/cache-lock.sh"
# shellcheck source=../suite/host/apt-private.sh
. "$here/../suite/host/apt-private.sh"

cache_lock "$cache" fetch-source || die "cannot take the cache lock in $cache"
mkdir -p "$cache/downloads" "$cache/src"

cached_deb() { ls "$cache"/downloads/${pkg}_*.deb 2>/dev/null | sort -V | tail -n1 || true; }

version=
if apt_private_init "$cache/apt" "${suites[@]}"; then
	# Newest 7.3.y across every suite listed.
	version=$(apt_private_newest "$pkg" '^7\.3[.~]') || true
	if [ -z "$version" ]; then
		[ -n "$(cached_deb)" ] ||
			die "no $pkg (7.3.y) is offered by ${suites[*]} any more; bring a tree with KERNEL_SRC=DIR|TARBALL"
		echo "fetch-source: $pkg not listed by ${suites[*]}; using the cached download" >&2
	fi
elif [ -n "$(cached_deb)" ]; then
	echo "fetch-source: using the cached download of $pkg" >&2
else
	die "cannot list ${suites[*]} (above) and nothing is cached; fix the archive access or set KERNEL_SRC=DIR|TARBALL"
fi
if [ -z "$version" ]; then
	version=$(dpkg-deb -f "$(cached_deb)" Version)
fi

deb=$cache/downloads/${pkg}_${version//:/%3a}_all.deb
if [ ! -s "$deb" ]; then
	echo "fetch-source: downloading $pkg $version" >&2
	apt_private_download "$pkg" "$version" "$deb" || die "downloading $pkg $version failed"
fi

tree=$cache/src/$version/linux
if [ ! -e "$cache/src/$version/.unpacked" ]; then
	echo "fetch-source: unpacking $pkg $version (about a minute)" >&2
	rm -rf "$cache/src/$version"
	mkdir -p "$cache/src/$version"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO ./usr/src/linux-source-7.3.tar.xz |
		tar -xJ -C "$cache/src/$version" ||
		die "unpacking $deb failed"
	mv "$cache/src/$version/linux-source-7.3" "$tree"
	touch "$cache/src/$version/.unpacked"
fi

echo "VERSION=$version"
echo "TREE=$tree"
