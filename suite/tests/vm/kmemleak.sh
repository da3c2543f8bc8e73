#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In-VM kmemleak stage of the debug flavour (make test-debug): after every
# other stage, scan twice, kmemleak's minimum object age apart, and fail on
# any object reported unreferenced since all.sh cleared the boot-time list.
# The first backtraces are printed as diagnostics.  KTAP on stdout.
set -uo pipefail
km=/sys/kernel/debug/kmemleak
echo "KTAP version 1"
echo "1..1"
if [ ! -w "$km" ]; then
	echo "ok 1 kmemleak_after_all_stages # SKIP $km is absent: the kernel has no CONFIG_DEBUG_KMEMLEAK (the debug flavour has)"
	exit 0
fi
echo scan >"$km"
sleep 6
echo scan >"$km"
report=$(cat "$km")
n=$(grep -c '^unreferenced object' <<<"$report")
if [ "$n" -eq 0 ]; then
	echo "ok 1 kmemleak_after_all_stages"
	exit 0
fi
head -n 60 <<<"$report" | sed 's/^/# /'
echo "not ok 1 kmemleak_after_all_stages # $n unreferenced object(s) since boot (backtraces above; all in $km)"
exit 1
