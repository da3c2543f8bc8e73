#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host tests of make test's own checks, on crafted input: the KTAP counter
# (suite/tests/ktap-count.awk: plans against results, findings, skips), the
# kernel log scanner and taint check (kmsg_scan, taint_names, taint_mask in
# suite/guest/lib.sh) and, when a kernel source is at hand, that
# suite/tests/ktap-parse.sh reports what kunit.py rejects.  KTAP on stdout.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/suite/guest/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# count TEXT: ktap-count.awk's output for TEXT (printf-style escapes).
count() { printf "$1" | awk -f "$here/ktap-count.awk"; }

ktap_begin
# expect NAME WANT GOT: ok when GOT contains WANT; expect_eq: when it is WANT.
expect() {
	if [[ $3 == *"$2"* ]]; then ktap_result ok "$1"; else ktap_result fail "$1" "wanted '$2', got: ${3//$'\n'/ | }"; fi
}
expect_eq() {
	if [[ $3 == "$2" ]]; then ktap_result ok "$1"; else ktap_result fail "$1" "wanted '$2', got: ${3//$'\n'/ | }"; fi
}

expect complete_stream "counts 1 1 1 0" \
	"$(count 'KTAP version 1\n1..3\nok 1 a\nnot ok 2 b # EIO\nok 3 c # SKIP why\n')"
expect missing_results_each_fail "counts 2 3 0 0" \
	"$(count 'KTAP version 1\n1..5\nok 1 a\nok 2 b\n')"
expect missing_results_named "3 missing (3, 4, 5)" \
	"$(count 'KTAP version 1\n1..5\nok 1 a\nok 2 b\n')"
expect no_plan_is_a_failure "counts 1 1 0 0" "$(count 'KTAP version 1\nok 1 a\n')"
expect no_ktap_is_a_failure "counts 0 1 0 0" "$(count 'Segmentation fault\n')"
expect extra_results_fail "counts 2 1 0 0" "$(count 'KTAP version 1\n1..1\nok 1 a\nok 2 b\n')"
expect out_of_order_fails "result numbered 3 where 2 was due" \
	"$(count 'KTAP version 1\n1..2\nok 1 a\nok 3 b\n')"
expect finding_is_not_a_pass "counts 0 0 0 1" \
	"$(count 'KTAP version 1\n1..1\nnot ok 1 f # XFAIL FINDING: gap\n')"
expect old_style_finding_is_not_a_pass "counts 0 0 0 1" \
	"$(count 'KTAP version 1\n1..1\nok 1 f # XFAIL FINDING: gap\n')"
expect empty_plan_with_skip "counts 0 0 1 0" "$(count 'KTAP version 1\n1..0 # SKIP no device\n')"
expect nested_lines_ignored "counts 1 0 0 0" \
	"$(count 'KTAP version 1\n1..1\n    KTAP version 1\n    1..2\n    not ok 1 x\nok 1 sub\n')"
expect two_streams_each_checked "counts 2 1 0 0" \
	"$(count 'KTAP version 1\n1..1\nok 1 a\nTAP version 13\n1..2\nok 1 - b\n')"

# The kernel log scanner on /dev/kmsg-style records.
rec() { printf '%s\n' "$@"; }
expect kmsg_clean "seq 12" "$(rec '6,11,100,-;hello' '6,12,200,-;vfio-pci 0000:01:00.0: enabling' | kmsg_scan 10)"
expect kmsg_warn "kernel log: WARNING: CPU: 0 PID: 1 at x.c:1 f+0x0" \
	"$(rec '4,11,100,-;WARNING: CPU: 0 PID: 1 at x.c:1 f+0x0' ' SUBSYSTEM=x' | kmsg_scan 10)"
expect_eq kmsg_only_new_records "seq 12" "$(rec '4,9,100,-;WARNING: old' '6,11,150,-;fine' '6,12,200,-;fine' | kmsg_scan 10)"
for pair in 'kasan:BUG: KASAN: slab-out-of-bounds in f' 'kfence:BUG: KFENCE: use-after-free read in f' \
	'oops:Oops: general protection fault' 'null_deref:BUG: kernel NULL pointer dereference, address: 0' \
	'rcu_stall:rcu: INFO: rcu_sched detected stalls on CPUs/tasks:' \
	'hung_task:INFO: task kworker/0:1:12 blocked for more than 120 seconds.' \
	'lockdep_circular:WARNING: possible circular locking dependency detected' \
	'lockdep_inconsistent:WARNING: inconsistent lock state' 'rcu_suspicious:WARNING: suspicious RCU usage' \
	'kmemleak:kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)' \
	'ubsan:UBSAN: shift-out-of-bounds in f'; do
	expect "kmsg_catches_${pair%%:*}" "kernel log: ${pair#*:}" "$(rec "3,11,100,-;${pair#*:}" | kmsg_scan 10)"
done
# A splat between pfn_kmsg_mark()'s start and end marks names what was running.
expect kmsg_names_the_case "kernel log (during conform case REV-001): WARNING: CPU: 0 PID: 1 at x.c:1 f" \
	"$(rec '6,11,100,-;pfnsuite: conform case REV-001 start' '4,12,100,-;WARNING: CPU: 0 PID: 1 at x.c:1 f' | kmsg_scan 10)"
expect_eq kmsg_after_the_end_mark_names_nothing "$(printf 'kernel log: BUG: x\nseq 13')" \
	"$(rec '6,11,100,-;pfnsuite: fuzz batch 4 start' '6,12,100,-;pfnsuite: fuzz batch 4 end' '3,13,100,-;BUG: x' | kmsg_scan 10)"
expect kmsg_lost_records "records 11..19 were overwritten" "$(rec '6,20,100,-;x' | kmsg_scan 10)"
expect taint_names "U (bit 6), O (bit 12)" "$(taint_names $(((1 << 6) | (1 << 12))))"
expect taint_mask "4160" "$(taint_mask UO)"
expect taint_mask_none "0" "$(taint_mask -)"

# kunit.py: what it rejects, ktap-parse.sh must report.
src=$(cat "$top/reference-kernel/out/current/source.dir" 2>/dev/null)
kunit=${src:+$src/tools/testing/kunit/kunit.py}
if [ -n "$kunit" ] && [ -f "$kunit" ]; then
	printf 'KTAP version 1\nok 1 a\n1..1\n' >"$tmp/plan-last.ktap"
	printf 'KTAP version 1\n1..2\nok 1 a\nnot ok 2 f # XFAIL FINDING: x\n' >"$tmp/good.ktap"
	out=$("$here/ktap-parse.sh" --kunit "$kunit" "$tmp/plan-last.ktap" "$tmp/good.ktap")
	expect kunit_parse_rejects_plan_last "not ok 1 kunit_parse_plan_last # kunit.py parse errors" "$out"
	expect kunit_parse_accepts_finding "ok 2 kunit_parse_good" "$out"
else
	ktap_result skip kunit_parse_checks "no kernel source (reference-kernel/out/current/source.dir): build it with make kernel"
fi
ktap_end
