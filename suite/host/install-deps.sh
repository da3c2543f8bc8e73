#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian packages the suite needs, only those missing
# (idempotent: a second run installs nothing and prints nothing).
#
# The table below is what the scripts call and where it comes from;
# suite/tests/host/deps-check reads every script of the repository and fails
# when one calls a command (or imports a Python module) this table does not
# list.  Essential packages (coreutils, util-linux, ...) are listed too: they
# are always installed, so listing them costs nothing and keeps the table
# complete.
#   cmd NAME PACKAGE    a command a script, Makefile or tool runs
#   py  MODULE PACKAGE  a Python module a tool imports
#   lib WHAT PACKAGE    needed by a command above (kernel build, headers)
set -euo pipefail

table=$(cat <<'EOF'
cmd apt-cache apt
cmd apt-get apt
cmd ar binutils
cmd awk mawk
cmd basename coreutils
cmd bash bash
cmd cat coreutils
cmd ccache ccache
cmd chmod coreutils
cmd cmp diffutils
cmd cp coreutils
cmd cut coreutils
cmd date coreutils
cmd dd coreutils
cmd dirname coreutils
cmd dmesg util-linux
cmd dpkg dpkg
cmd dpkg-deb dpkg
cmd dpkg-query dpkg
cmd dpkg-source dpkg-dev
cmd env coreutils
cmd find findutils
cmd fio fio
cmd flock util-linux
cmd g++ g++
cmd gcc gcc
cmd git git
cmd grep grep
cmd head coreutils
cmd id coreutils
cmd ip iproute2
cmd jq jq
cmd ld binutils
cmd ln coreutils
cmd ls coreutils
cmd make make
cmd mkdir coreutils
cmd mkfifo coreutils
cmd mktemp coreutils
cmd mount mount
cmd mv coreutils
cmd nm binutils
cmd nice coreutils
cmd nohup coreutils
cmd nproc coreutils
cmd od coreutils
cmd paste coreutils
cmd patch patch
cmd python3 python3
cmd qemu-system-x86_64 qemu-system-x86
cmd qemu-img qemu-utils
cmd readlink coreutils
cmd realpath coreutils
cmd rm coreutils
cmd rmdir coreutils
cmd sed sed
cmd seq coreutils
cmd setsid util-linux
cmd sha256sum coreutils
cmd sleep coreutils
cmd sort coreutils
cmd stdbuf coreutils
cmd sync coreutils
cmd tac coreutils
cmd tail coreutils
cmd tar tar
cmd tee coreutils
cmd timeout coreutils
cmd touch coreutils
cmd tr coreutils
cmd truncate coreutils
cmd umount mount
cmd uname coreutils
cmd wc coreutils
cmd xargs findutils
cmd xz xz-utils
py jsonschema python3-jsonschema
lib kernel-build build-essential
lib kernel-build flex
lib kernel-build bison
lib kernel-build bc
lib kernel-build libelf-dev
lib kernel-build libssl-dev
lib kernel-build cpio
lib kernel-build kmod
lib kernel-build perl
lib kernel-build rsync
lib kernel-source-signature debian-archive-keyring
lib https-mirrors ca-certificates
lib suite-benchmarks libbenchmark-dev
EOF
)

if [ "${1:-}" = --list ]; then	# the packages, one per line
	awk '{print $3}' <<<"$table" | sort -u
	exit 0
fi
[ $# -eq 0 ] || { echo "deps: unknown argument '$1' (usage: install-deps.sh [--list])" >&2; exit 2; }

mapfile -t packages < <(awk '{print $3}' <<<"$table" | sort -u)
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
