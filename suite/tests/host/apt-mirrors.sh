#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host test (KTAP, no network): suite/host/apt-private.sh finds the Debian
# archive in the system's apt sources (one-line .list and deb822 .sources
# files, written here as fixtures), leaves out the security archive, other
# vendors' repositories and disabled entries, honours PFN_DEBIAN_MIRROR, and
# says what to do when there is no archive to use.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pfn-apt-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=../../host/apt-private.sh
. "$top/suite/host/apt-private.sh"
unset PFN_DEBIAN_MIRROR
export APT_PRIVATE_CODENAME=bookworm

n=0 failed=0
echo "KTAP version 1"
echo "1..6"
# check NAME EXPECTED ACTUAL
check() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		printf '# %s: expected [%s], got [%s]\n' "$1" "${2//$'\n'/ }" "${3//$'\n'/ }"
		echo "not ok $n $1"
		failed=$((failed + 1))
	fi
}

root=$tmp/a
mkdir -p "$root/sources.list.d"
cat >"$root/sources.list" <<'L'
# a comment
deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian/ bookworm main contrib
deb http://mirror.example/debian-security bookworm-security main
deb-src http://src-only.example/debian bookworm main
deb http://vendor.example/apt bookworm stable
L
cat >"$root/sources.list.d/extra.sources" <<'L'
Types: deb
# a comment inside
URIs: http://proxy.example:3142/debian
  http://second.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main
L
echo 'deb http://ignored.example/debian bookworm main' >"$root/sources.list.d/x.list.disabled"

export APT_PRIVATE_SOURCES_ROOT=$root
check list_and_deb822_archives "$(printf '%s\n' http://mirror.example/debian http://proxy.example:3142/debian http://second.example/debian)" \
	"$(apt_private_mirrors 2>&1)"
check override_wins "http://override.example/debian" "$(PFN_DEBIAN_MIRROR=http://override.example/debian apt_private_mirrors 2>&1)"

# Only deb822, in the system's format (one paragraph for the release, one
# for security).
root=$tmp/b
mkdir -p "$root/sources.list.d"
printf 'Types: deb\nURIs: http://only.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://only.example/debian-security\nSuites: bookworm-security\nComponents: main\n' \
	>"$root/sources.list.d/debian.sources"
check deb822_only "http://only.example/debian" "$(APT_PRIVATE_SOURCES_ROOT=$root apt_private_mirrors 2>&1)"

# Nothing usable: one line naming what to do, non-zero.
root=$tmp/c
mkdir -p "$root/sources.list.d"
echo 'deb http://vendor.example/apt bookworm stable' >"$root/sources.list"
out=$(APT_PRIVATE_SOURCES_ROOT=$root apt_private_mirrors 2>&1); rc=$?
check no_archive_fails "1 1" "$( [ $rc -ne 0 ] && echo 1) $(grep -c 'PFN_DEBIAN_MIRROR' <<<"$out")"
echo 'ID=debian' >"$tmp/os-release"
out=$(APT_PRIVATE_CODENAME='' APT_PRIVATE_OS_RELEASE=$tmp/os-release APT_PRIVATE_SOURCES_ROOT=$tmp/a apt_private_mirrors 2>&1); rc=$?
check no_codename_fails "1 1" "$( [ $rc -ne 0 ] && echo 1) $(grep -c 'PFN_DEBIAN_MIRROR' <<<"$out")"

# The private list apt_private_init writes: every mirror x suite, signed.
root=$tmp/a
export APT_PRIVATE_SOURCES_ROOT=$root
apt-get() { return 0; }	# no network: the list is what is checked
mkdir -p "$tmp/state"
apt_private_init "$tmp/state" trixie-backports sid 2>/dev/null
unset -f apt-get
check private_list "$(for m in http://mirror.example/debian http://proxy.example:3142/debian http://second.example/debian; do
	for s in trixie-backports sid; do echo "deb [signed-by=$apt_private_keyring] $m $s main"; done; done)" \
	"$(cat "$tmp/state/sources.list" 2>&1)"

echo "# Totals: pass:$((n - failed)) fail:$failed xfail:0 xpass:0 skip:0 error:0"
[ $failed -eq 0 ]
