#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In-VM: report the reference series' KUnit tests (suite "dma-buf-mem",
# CONFIG_DMABUF_MEM_KUNIT_TEST=y, built in so they ran at boot) as KTAP, one
# line per KUnit case, taken from the kernel log.  When the booted kernel is
# the one reference-kernel/out/current describes and its config has the
# option, the suite must be in the log; otherwise (a stock kernel, another
# KERNEL_SRC) the stage is one SKIP saying why.  Exit 1 if a case failed or
# the suite is missing where it must be.
set -uo pipefail
cd "$(dirname "$0")/../../.."
suite=dma-buf-mem
name=kunit_${suite//-/_}
art=reference-kernel/out/current

echo "KTAP version 1"
# The boot log without printk timestamps; our suite's cases are the indented
# result lines after its "# Subtest:" header, up to its own result line.
cases=$(dmesg 2>/dev/null | sed -E 's/^\[ *[0-9]+\.[0-9]+\] ?//' | awk -v s="$suite" '
	$0 ~ "^ *# Subtest: " s "$" { on = 1; next }
	on && $0 ~ "^(not )?ok [0-9]+ " s "( |$)" { exit }
	on && $0 ~ "^ +(not )?ok [0-9]+ " { sub(/^ +/, ""); print }')

if [ -z "$cases" ]; then
	echo "1..1"
	if [ "$(cat "$art/kernel.release" 2>/dev/null)" = "$(uname -r)" ] &&
		grep -qx 'CONFIG_DMABUF_MEM_KUNIT_TEST=y' "$art/config" 2>/dev/null; then
		echo "not ok 1 $name # built with CONFIG_DMABUF_MEM_KUNIT_TEST=y but no '$suite' results in the kernel log (did it wrap?)"
		exit 1
	fi
	echo "ok 1 $name # SKIP the running kernel ($(uname -r)) was not built with CONFIG_DMABUF_MEM_KUNIT_TEST (no reference series)"
	exit 0
fi

echo "1..$(grep -c . <<<"$cases")"
awk -v p="${name}." '{
	bad = ($1 == "not"); sub(/^(not )?ok [0-9]+ /, "")
	printf "%sok %d %s%s\n", bad ? "not " : "", NR, p, $0
	fails += bad
} END { exit fails > 0 }' <<<"$cases"
