#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ktap-parse.sh - parse KTAP files with the kernel's own parser
# (tools/testing/kunit/kunit.py parse), as labs and KernelCI do, and check
# that it reads each file without an error and counts what the suite's own
# counter (suite/tests/ktap-count.awk) counts: its "passed" our passes, its
# "skipped" our skips, its "failed" our failures plus findings (which are
# "not ok ... # XFAIL", see suite/SPEC.md "KTAP conventions").
#
#   suite/tests/ktap-parse.sh [--kunit PATH/kunit.py] FILE...
#
# kunit.py defaults to the one in the kernel source reference-kernel/out/current
# was built from (its source.dir).  Prints KTAP, one result per file; exit 1
# when a file does not parse or the counts differ, 2 on bad usage.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kunit=
if [ "${1:-}" = --kunit ]; then
	[ $# -ge 2 ] || { echo "ktap-parse.sh: --kunit needs a path to kunit.py" >&2; exit 2; }
	kunit=$2
	shift 2
fi
case ${1:-} in -*) echo "usage: ktap-parse.sh [--kunit PATH/kunit.py] FILE..." >&2; exit 2 ;; esac
if [ -z "$kunit" ]; then
	src=$(cat "$top/reference-kernel/out/current/source.dir" 2>/dev/null)
	kunit=${src:+$src/tools/testing/kunit/kunit.py}
fi

echo "KTAP version 1"
if [ $# -eq 0 ]; then
	echo "1..1"
	echo "ok 1 kunit_parse # SKIP no KTAP files to parse"
	exit 0
fi
if [ -z "$kunit" ] || [ ! -f "$kunit" ]; then
	echo "1..1"
	echo "ok 1 kunit_parse # SKIP $# files not parsed: no kunit.py (${kunit:-reference-kernel/out/current/source.dir names no kernel source}); build the kernel with make kernel, or pass --kunit"
	exit 0
fi
echo "1..$#"

# get WORD: the count after "WORD: " in kunit.py's summary line, or 0.
get() { sed -nE "s/.*[ ,]$1: ([0-9]+).*/\\1/p" <<<"$summary" | grep . || echo 0; }
status=0 i=0
for f in "$@"; do
	i=$((i + 1))
	name=kunit_parse_$(basename "$f" .ktap | tr -c 'A-Za-z0-9_\n' _)
	case $f in /*) ;; *) f=$PWD/$f ;; esac
	if [ ! -r "$f" ]; then
		echo "not ok $i $name # cannot read $f"
		status=1
		continue
	fi
	out=$(/usr/bin/python3 "$kunit" parse "$f" 2>&1)
	# "[hh:mm:ss] Testing complete. Ran 3 tests: passed: 1, failed: 1, errors: 1"
	summary=$(sed -n 's/^\[[0-9:]*\] Testing complete\. //p' <<<"$out" | tail -n1)
	errors=$(sed -n 's/^\[[0-9:]*\] \[ERROR\] //p' <<<"$out" | tr '#' ' ' | sort -u | paste -sd ';')
	if [ -z "$summary" ]; then
		echo "not ok $i $name # kunit.py parse gave no summary: $(tail -n1 <<<"$out" | tr '#' ' ')"
		status=1
		continue
	fi
	echo "# $(basename "$f"): kunit.py: $summary"
	if [ -n "$errors" ] || [ "$(get errors)" -ne 0 ]; then
		echo "not ok $i $name # kunit.py parse errors: ${errors:-$summary}"
		status=1
		continue
	fi
	read -r _ pass fail skip finding < <(awk -f "$here/ktap-count.awk" "$f" | grep '^counts ')
	want="passed $pass, failed $((fail + finding)), skipped $skip"
	got="passed $(get passed), failed $(($(get failed) + $(get crashed))), skipped $(get skipped)"
	if [ "$want" != "$got" ]; then
		echo "not ok $i $name # kunit.py counts $got, the suite counts $want"
		status=1
		continue
	fi
	echo "ok $i $name"
done
exit $status
