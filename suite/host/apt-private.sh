# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# apt-private.sh - fetch Debian packages from suites the system does not use
# (e.g. linux-source-7.3 from trixie-backports/sid) without touching the
# system's apt configuration.  Sourced by reference-kernel/fetch-source.sh
# (and any other script that needs a package from another suite).
#
# The archive is the system's own: the URIs of the Debian archive entries in
# /etc/apt/sources.list, /etc/apt/sources.list.d/*.list and *.sources
# (deb822), i.e. the entries for the system's release (its codename, and
# CODENAME-updates / -backports; not -security, which is another archive),
# so a local mirror or proxy the system uses is used here too.  apt.conf
# (proxies, Acquire options) still applies.  Override with
# PFN_DEBIAN_MIRROR=URL (one or more URLs, blank-separated).
#
# API (every function returns non-zero with one message on stderr):
#   apt_private_mirrors                  print the archive URIs, one per line
#   apt_private_init DIR [--src] SUITE...  private apt state in DIR for
#                                        SUITE... (main); --src adds deb-src;
#                                        refreshes the lists at most hourly
#   apt_private_versions PKG             every version of binary PKG offered,
#                                        newest first
#   apt_private_newest PKG REGEX         newest version matching REGEX
#   apt_private_download PKG VERSION DEST  the .deb, written to DEST (renamed
#                                        into place once complete)
#   apt_private_source PKG VERSION DIR   download (not unpack) the source
#                                        package into DIR (needs --src)
# The private lists live in DIR/lists; apt_private_opts holds the apt-get
# options after apt_private_init.
#
# Test hooks: APT_PRIVATE_SOURCES_ROOT (default /etc/apt) is the directory
# read for the system's sources; APT_PRIVATE_CODENAME overrides the release
# codename from /etc/os-release (APT_PRIVATE_OS_RELEASE: another file).

apt_private_keyring=/usr/share/keyrings/debian-archive-keyring.gpg
apt_private_opts=()

_apt_private_err() { echo "apt-private: $*" >&2; }

_apt_private_codename() {
	local c=${APT_PRIVATE_CODENAME:-}
	local f=${APT_PRIVATE_OS_RELEASE:-/etc/os-release}
	if [ -z "$c" ] && [ -r "$f" ]; then
		c=$(sed -n 's/^VERSION_CODENAME=//p' "$f" | tr -d '"')
	fi
	printf '%s\n' "$c"
}

# Print "URI SUITE COMPONENTS..." for every deb entry of the system's sources.
_apt_private_entries() {
	local root=${APT_PRIVATE_SOURCES_ROOT:-/etc/apt} f
	for f in "$root/sources.list" "$root"/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		# One-line format: deb [opts] URI SUITE COMPONENT...
		sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
			awk '$1 == "deb" && NF >= 3 { $1 = ""; sub(/^ /, ""); print }'
	done
	for f in "$root"/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		# deb822: paragraphs of Field: value; one entry per URI x suite.
		awk '
		function flush(   i, j, nu, ns, u, s) {
			if (types ~ /(^| )deb( |$)/ && enabled !~ /^(no|false)$/) {
				nu = split(uris, u, " "); ns = split(suites, s, " ")
				for (i = 1; i <= nu; i++)
					for (j = 1; j <= ns; j++)
						print u[i], s[j], comps
			}
			types = uris = suites = comps = enabled = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{
			line = $0; sub(/#.*/, "", line)
			if (match(line, /^[A-Za-z-]+:/)) {
				field = tolower(substr(line, 1, RLENGTH - 1))
				val = substr(line, RLENGTH + 1)
			} else {
				val = line	# continuation of a multi-line field
			}
			gsub(/^[ \t]+|[ \t]+$/, "", val)
			if (field == "types") types = types " " val
			else if (field == "uris") uris = uris " " val
			else if (field == "suites") suites = suites " " val
			else if (field == "components") comps = comps " " val
			else if (field == "enabled") enabled = val
		}
		END { flush() }' "$f"
	done
}

apt_private_mirrors() {
	local codename uri suite comps seen=" " found=0
	if [ -n "${PFN_DEBIAN_MIRROR:-}" ]; then
		# shellcheck disable=SC2086 # one or more URLs, blank-separated
		printf '%s\n' $PFN_DEBIAN_MIRROR
		return 0
	fi
	codename=$(_apt_private_codename)
	if [ -z "$codename" ]; then
		_apt_private_err "cannot tell the system's Debian release (no VERSION_CODENAME in ${APT_PRIVATE_OS_RELEASE:-/etc/os-release}); set PFN_DEBIAN_MIRROR=URL of a Debian archive"
		return 1
	fi
	while read -r uri suite comps; do
		case $suite in
		"$codename" | "$codename"-updates | "$codename"-backports | "$codename"-proposed-updates) ;;
		*) continue ;;
		esac
		case " $comps " in *" main "*) ;; *) continue ;; esac
		case $uri in cdrom:*) continue ;; esac
		uri=${uri%/}
		case $seen in *" $uri "*) continue ;; esac
		seen+="$uri "
		printf '%s\n' "$uri"
		found=1
	done < <(_apt_private_entries)
	if [ $found = 0 ]; then
		_apt_private_err "no Debian archive for $codename (main) in ${APT_PRIVATE_SOURCES_ROOT:-/etc/apt}/sources.list{,.d/*.list,.d/*.sources}; set PFN_DEBIAN_MIRROR=URL of a Debian archive (or mirror)"
		return 1
	fi
}

apt_private_init() {
	local dir=${1:?apt_private_init DIR [--src] SUITE...} src=0 mirrors where m s t types list stamp
	shift
	[ "${1:-}" = --src ] && { src=1; shift; }
	[ $# -gt 0 ] || { _apt_private_err "apt_private_init: no suite given"; return 1; }
	[ -r "$apt_private_keyring" ] ||
		{ _apt_private_err "$apt_private_keyring missing: apt-get install debian-archive-keyring"; return 1; }
	mirrors=$(apt_private_mirrors) || return 1
	where=$(tr '\n' ' ' <<<"$mirrors")
	where=${where% }
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" || return 1
	types=deb
	[ $src = 1 ] && types="deb deb-src"
	list=$(for t in $types; do for m in $mirrors; do for s in "$@"; do
		echo "$t [signed-by=$apt_private_keyring] $m $s main"
	done; done; done)
	# A changed list (new mirror, other suites) invalidates the stamp.
	if [ "$(cat "$dir/sources.list" 2>/dev/null)" != "$list" ]; then
		printf '%s\n' "$list" >"$dir/sources.list.tmp" && mv "$dir/sources.list.tmp" "$dir/sources.list"
		rm -f "$dir/lists/.updated"
	fi
	apt_private_opts=(-o "Dir::Etc::SourceList=$dir/sources.list"
		-o "Dir::Etc::SourceParts=/dev/null"
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::Cache=$dir/cache"
		-o "Dir::Etc::Preferences=/dev/null"
		-o "Dir::Etc::PreferencesParts=/dev/null"
		-o "APT::Sandbox::User=root"
		-q)
	stamp=$dir/lists/.updated
	if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +60)" ]; then
		echo "apt-private: updating private package lists ($* from $where)" >&2
		if apt-get "${apt_private_opts[@]}" update >"$dir/update.log" 2>&1; then
			touch "$stamp"
		else
			_apt_private_err "apt-get update of $* from $where failed (see $dir/update.log); check network access, or set PFN_DEBIAN_MIRROR=URL"
			return 1
		fi
	fi
}

apt_private_versions() {
	local pkg=${1:?apt_private_versions PKG}
	apt-cache "${apt_private_opts[@]}" madison "$pkg" 2>/dev/null |
		awk -F'|' '{gsub(/ /, "", $1); gsub(/ /, "", $2); if ($1 == "'"$pkg"'") print $2}' |
		sort -u | _apt_private_sort_versions
}

# Sort Debian versions newest first (dpkg's order, not sort -V's).
_apt_private_sort_versions() {
	local v out=() i j t
	while read -r v; do [ -n "$v" ] && out+=("$v"); done
	for ((i = 1; i < ${#out[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			dpkg --compare-versions "${out[j]}" gt "${out[j - 1]}" || break
			t=${out[j]} out[j]=${out[j - 1]} out[j - 1]=$t
		done
	done
	[ ${#out[@]} -eq 0 ] || printf '%s\n' "${out[@]}"
}

apt_private_newest() {
	local pkg=${1:?apt_private_newest PKG REGEX} re=${2:?apt_private_newest PKG REGEX}
	apt_private_versions "$pkg" | grep -E -- "$re" | head -n1
}

apt_private_download() {
	local pkg=${1:?apt_private_download PKG VERSION DEST} version=${2:?} dest=${3:?} tmp
	tmp=$(mktemp -d "$(dirname "$dest")/.dl.XXXXXX") || return 1
	if ! (cd "$tmp" && apt-get "${apt_private_opts[@]}" download "$pkg=$version" >&2); then
		rm -rf "$tmp"
		_apt_private_err "apt-get download $pkg=$version failed"
		return 1
	fi
	mv "$tmp"/*.deb "$dest" && rmdir "$tmp"
}

apt_private_source() {
	local pkg=${1:?apt_private_source PKG VERSION DIR} version=${2:?} dir=${3:?}
	mkdir -p "$dir" || return 1
	(cd "$dir" && apt-get "${apt_private_opts[@]}" source --download-only "$pkg=$version" >&2) ||
		{ _apt_private_err "apt-get source --download-only $pkg=$version failed (was apt_private_init given --src?)"; return 1; }
}
