#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian packages the suite needs, only those missing
# (idempotent: a second run installs nothing and prints nothing).
set -euo pipefail

packages=(
	build-essential g++ flex bison bc libelf-dev libssl-dev cpio kmod xz-utils
	rsync ccache dpkg-dev debian-archive-keyring ca-certificates
	qemu-system-x86 qemu-utils jq
	libbenchmark-dev
	python3 python3-jsonschema
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
