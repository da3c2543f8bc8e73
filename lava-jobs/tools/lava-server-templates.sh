#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lava-server-templates.sh - print the folder of lava-server's device-type
# templates (qemu.jinja2, x86.jinja2, base.jinja2, ...), the ones matching
# the installed lava-dispatcher's version.  lava-server is never installed:
# its .deb is fetched with `apt-get download` (the system's own apt
# sources) and unpacked with `dpkg -x` into the cache,
# ${PFN_CACHE:-~/.cache/pfnsuite}/lava-server/VERSION/, once per version.
# Exit 3 (one line on stderr) when lava-dispatcher is not installed or the
# package cannot be fetched.
set -euo pipefail
cache=${PFN_CACHE:-$HOME/.cache/pfnsuite}/lava-server
err() { echo "lava-server-templates: $*" >&2; exit 3; }
ver=$(dpkg-query -W -f '${Version}' lava-dispatcher 2>/dev/null) ||
	err "lava-dispatcher is not installed: run suite/host/install-deps.sh (or apt-get install lava-dispatcher)"
dir=$cache/$ver
types=$dir/usr/share/lava-server/device-types
if [ ! -f "$types/qemu.jinja2" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q "lava-server=$ver" >download.log 2>&1) ||
		err "apt-get download lava-server=$ver failed: $(grep -E '^(E|W):' "$tmp/download.log" | head -n 1)"
	dpkg -x "$tmp"/lava-server_*.deb "$tmp/x" || err "dpkg -x of lava-server_$ver failed"
	[ -f "$tmp/x/usr/share/lava-server/device-types/qemu.jinja2" ] ||
		err "lava-server $ver has no usr/share/lava-server/device-types/qemu.jinja2"
	rm -rf "$dir"
	mv "$tmp/x" "$dir"
fi
echo "$types"
