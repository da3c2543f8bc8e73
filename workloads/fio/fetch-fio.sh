#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The source of the fio that is installed, configured, for building the
# pfn ioengine against: Debian ships no fio headers, so the fio source
# package of the installed version is fetched through a private source list
# (suite/host/apt-private.sh; the system's apt configuration is never
# changed), unpacked and `./configure`d once for config-host.h.  Cached
# outside the repository, keyed by the installed fio package version:
#   ${PFN_CACHE:-~/.cache/pfnsuite}/fio-<version>/src
# so a new fio (an upgrade) gets a new tree and the engine is rebuilt.
#
# Usage: fetch-fio.sh            prints three lines on stdout:
#   FIO_SRC=<configured tree>  FIO_DEB_VERSION=<3.33-3>  FIO_VERSION=<fio-3.33>
# Everything else goes to stderr.  FIO_SRC=DIR (a configured fio tree of the
# same version) skips the fetch.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "fetch-fio: $*" >&2; exit 1; }

command -v fio >/dev/null || die "fio is not installed: apt-get install fio (or run suite/host/install-deps.sh)"
fio_version=$(fio --version 2>/dev/null) || die "'fio --version' failed"
deb_version=$(dpkg-query -W -f '${Version}' fio 2>/dev/null) ||
	die "fio is not a Debian package here (dpkg knows no 'fio'); build it yourself and pass FIO_SRC=DIR, a configured tree of $fio_version"

if [ -n "${FIO_SRC:-}" ]; then
	[ -r "$FIO_SRC/config-host.h" ] && [ -r "$FIO_SRC/fio.h" ] ||
		die "FIO_SRC=$FIO_SRC is not a configured fio tree (no fio.h or config-host.h): run ./configure there"
	printf 'FIO_SRC=%s\nFIO_DEB_VERSION=%s\nFIO_VERSION=%s\n' "$FIO_SRC" "$deb_version" "$fio_version"
	exit 0
fi

cache=${PFN_CACHE:-$HOME/.cache/pfnsuite}/fio-${deb_version//:/%3a}
src=$cache/src
if [ ! -e "$cache/.configured" ]; then
	# shellcheck source=../../suite/host/apt-private.sh
	. "$here/../../suite/host/apt-private.sh"
	mkdir -p "$cache" || die "cannot create $cache"
	exec 9>"$cache/.lock"
	flock 9
	if [ ! -e "$cache/.configured" ]; then
		codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')
		suites=("$codename" "$codename-updates" "$codename-backports")
		apt_private_init "$cache/apt" --src "${suites[@]}" ||
			die "cannot list the fio source package (above); fix the archive access or pass FIO_SRC=DIR"
		echo "fetch-fio: downloading the source of fio $deb_version" >&2
		rm -rf "$cache/dl" "$src" "$src.tmp"
		apt_private_source fio "$deb_version" "$cache/dl" ||
			die "the source of fio $deb_version is not offered by ${suites[*]}; pass FIO_SRC=DIR (a configured tree of $fio_version)"
		dsc=$(ls "$cache"/dl/fio_*.dsc | head -n1)
		(cd "$cache/dl" && dpkg-source --no-check -x "$dsc" "$src.tmp" >&2) ||
			die "dpkg-source -x $dsc failed"
		echo "fetch-fio: configuring fio $deb_version (config-host.h)" >&2
		(cd "$src.tmp" && ./configure --disable-native --prefix=/usr >configure.log 2>&1) ||
			die "fio's ./configure failed: see $src.tmp/configure.log"
		mv "$src.tmp" "$src"
		touch "$cache/.configured"
	fi
fi
got=$(sed -n 's/^FIO_VERSION *:= *\(.*\)/\1/p' "$src/FIO-VERSION-FILE" 2>/dev/null || true)
[ -z "$got" ] || [ "$got" = "$fio_version" ] || [ "${got%-*}" = "$fio_version" ] ||
	echo "fetch-fio: note: the source says $got, the binary $fio_version" >&2
printf 'FIO_SRC=%s\nFIO_DEB_VERSION=%s\nFIO_VERSION=%s\n' "$src" "$deb_version" "$fio_version"
