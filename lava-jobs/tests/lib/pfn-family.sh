#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# pfn-family.sh - run one family of the suite and report its results the
# Linaro test-definitions way: output/result.txt ("name pass|fail|skip
# [measurement units]"), handed to lava-test-case inside a lava-test-set
# named after the family (send-to-lava.sh).  The same command by hand on a
# board prints the same results, as <TEST_CASE_ID=... RESULT=...> lines.
#
#   pfn-family.sh FAMILY --suite DIR [--output DIR] [--probe FILE]
#                 [--conformance FILE] [--bench FILE] [--ktap] -- COMMAND [ARGS...]
#
# COMMAND runs in the suite's directory DIR.  Its results are read from the
# files named (relative names are in DIR), or with --ktap from its standard
# output (KTAP); every result becomes one case, a bench metric's median its
# measurement (results/tools/lava-results result-txt).  One more case,
# "run", is COMMAND's exit status: pass on 0.  A command that fails, or
# results that cannot be read, fail "run" with the reason, and the family
# still ends with status 0 so that LAVA goes on to the next definition
# (LAVA's run.sh has set -e); only a bad invocation of this script exits
# non-zero.  A file a failed command did not write is named as missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
usage() {
	echo "usage: pfn-family.sh FAMILY --suite DIR [--output DIR] [--probe F] [--conformance F] [--bench F] [--ktap] -- COMMAND..." >&2
	exit 2
}
[ $# -ge 1 ] || usage
family=$1
shift
suite= output=$PWD/output ktap=0 files=()
while [ $# -gt 0 ]; do
	case $1 in
	--suite) [ $# -ge 2 ] || usage; suite=$2; shift 2 ;;
	--output) [ $# -ge 2 ] || usage; output=$2; shift 2 ;;
	--probe | --conformance | --bench)
		[ $# -ge 2 ] || usage
		case $2 in /*) f=$2 ;; *) f=$suite/$2 ;; esac
		files+=("$1" "$f"); shift 2 ;;
	--ktap) ktap=1; shift ;;
	--) shift; break ;;
	*) echo "pfn-family.sh: unknown option '$1'" >&2; usage ;;
	esac
done
[ $# -gt 0 ] || usage
if [ -z "$suite" ] || [ ! -d "$suite" ]; then
	echo "pfn-family.sh: --suite '$suite' is not a directory: set PFN_SUITE_DIR to where the suite is built on this board" >&2
	exit 2
fi
mkdir -p "$output" || exit 2
result=$output/result.txt log=$output/$family.log
: >"$result"

echo "# ==== family $family: $*"
start=$SECONDS
# The files are this run's: an old one is never reported.
for ((i = 1; i < ${#files[@]}; i += 2)); do rm -f "${files[i]}"; done
if [ "$ktap" = 1 ]; then
	files+=(--ktap "$output/$family.ktap")
	(cd "$suite" && "$@") 2>"$log" </dev/null | tee "$output/$family.ktap"
	rc=${PIPESTATUS[0]}
	cat "$log" >&2
else
	(cd "$suite" && "$@") </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
fi
echo "# ==== family $family: exit $rc after $((SECONDS - start)) s"

why=
if ! /usr/bin/python3 "$suite/results/tools/lava-results" result-txt "${files[@]}" --output "$result.cases" 2>"$output/result-txt.err"; then
	why="its results cannot be read: $(head -n 1 "$output/result-txt.err")"
	: >"$result.cases"
fi
[ "$rc" = 0 ] || why="exit status $rc${why:+; $why}"
if [ -z "$why" ]; then
	echo "$(grep -c '^[^#]' "$result.cases") cases, run pass" >&2
	{ echo "run pass"; cat "$result.cases"; } >"$result"
else
	{ echo "run fail"; cat "$result.cases"; echo "# run fail: $why"; } >"$result"
fi
rm -f "$result.cases"
"$here/send-to-lava.sh" "$result" "$family"
exit 0
