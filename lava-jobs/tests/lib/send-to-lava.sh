#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# send-to-lava.sh RESULT.TXT [SET] - report result.txt to LAVA, as Linaro
# test-definitions' utils/send-to-lava.sh does: each line "name result" or
# "name result measurement units" becomes one lava-test-case call, inside
# lava-test-set SET when SET is given; "#" lines (the reason of a SKIP or a
# failure) are printed.  Outside LAVA (no lava-test-case on PATH) each
# case is printed as <TEST_CASE_ID=name RESULT=result [MEASUREMENT=m UNITS=u]>.
set -u
file=$1 set=${2:-}
[ -r "$file" ] || { echo "send-to-lava.sh: cannot read '$file'" >&2; exit 2; }
if command -v lava-test-case >/dev/null 2>&1; then lava=1; else lava=0; fi
[ -z "$set" ] || { [ $lava = 1 ] && lava-test-set start "$set"; } || echo "<LAVA_TEST_SET START $set>"
while read -r name result measurement units; do
	case $name in
	'#'*) echo "$name $result $measurement $units"; continue ;;
	'') continue ;;
	esac
	if [ $lava = 1 ]; then
		if [ -n "$measurement" ]; then
			lava-test-case "$name" --result "$result" --measurement "$measurement" --units "$units"
		else
			lava-test-case "$name" --result "$result"
		fi
	elif [ -n "$measurement" ]; then
		echo "<TEST_CASE_ID=$name RESULT=$result MEASUREMENT=$measurement UNITS=$units>"
	else
		echo "<TEST_CASE_ID=$name RESULT=$result>"
	fi
done <"$file"
[ -z "$set" ] || { [ $lava = 1 ] && lava-test-set stop "$set"; } || echo "<LAVA_TEST_SET STOP $set>"
exit 0
