# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# cache-lock.sh - the one lock of the kernel cache ($PFN_CACHE/.build.lock), held
# around every fetch, unpack and build (build.sh, fetch-source.sh,
# check-series.sh).  A script started by a holder (build.sh runs
# fetch-source.sh) sees PFN_CACHE_LOCKED and does not wait for itself.
#
# Usage: cache_lock CACHE_DIR WHO   (WHO names the script in the wait message)
# Uses file descriptor 9; the lock is released when the script exits.
cache_lock() {
	local cache=$1 who=$2
	[ "${PFN_CACHE_LOCKED:-}" = "$cache" ] && return 0
	mkdir -p "$cache" || return 1
	exec 9>"$cache/.build.lock" || return 1
	if ! flock -n 9; then
		echo "$who: waiting for the kernel cache lock ($cache/.build.lock): another fetch or build is running" >&2
		flock 9 || return 1
	fi
	export PFN_CACHE_LOCKED=$cache
}
