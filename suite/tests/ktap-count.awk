# SPDX-License-Identifier: GPL-2.0-only
#
# ktap-count.awk - count the top-level results of the KTAP (or TAP) streams in
# its input and check each stream's plan against them, as suite/SPEC.md
# "KTAP conventions" describes.  Used by suite/host/test.sh:
#
#   awk -f suite/tests/ktap-count.awk FILE...
#
# Prints, one per line:
#   counts PASS FAIL SKIP FINDING     (FAIL includes every problem below)
#   problem TEXT                      a missing plan, missing or extra results,
#                                     results out of order, no KTAP at all
#   failed LINE                       each "not ok" result (not a finding)
#   finding LINE                      each finding ("# XFAIL" or "# TODO")
# A stream starts at a "KTAP version N" or "TAP version N" line; lines
# before the first one and indented (nested) lines are not results.

function problem(text) {
	fail++
	print "problem " text
}

function end_stream(   missing, i) {
	if (!open)
		return
	open = 0
	if (plan == "") {
		problem("no plan (1..N) after " n " results: the stream ended early")
	} else if (n < plan) {
		missing = n + 1
		for (i = n + 2; i <= plan && i <= n + 10; i++)
			missing = missing ", " i
		if (plan > n + 10)
			missing = missing ", ..."
		fail += plan - n - 1
		problem("plan 1.." plan " but " n " results: " plan - n " missing (" missing ")")
	} else if (n > plan) {
		problem(n " results for the plan 1.." plan)
	}
}

/^(K?TAP) version [0-9]+[ \t\r]*$/ {
	end_stream()
	open = 1
	streams++
	plan = ""
	n = 0
	next
}

!open { next }

/^1\.\.[0-9]+/ {
	if (plan != "") {
		problem("a second plan '" $0 "' in one stream")
		next
	}
	plan = substr($1, 4) + 0
	if (plan == 0) {
		if ($0 ~ /# *SKIP/)
			skip++
		else
			problem("plan 1..0 without a SKIP reason")
	}
	next
}

/^(not )?ok [0-9]+([ \t]|$)/ {
	n++
	num = ($1 == "not") ? $3 : $2
	if (num + 0 != n)
		problem("result numbered " num " where " n " was due: " $0)
	directive = ""
	i = index($0, " # ")
	if (i)
		directive = toupper(substr($0, i + 3, 5))
	if (directive ~ /^SKIP/) {
		skip++
	} else if (directive ~ /^XFAIL|^TODO/) {
		finding++
		print "finding " $0
	} else if ($1 == "ok") {
		pass++
	} else {
		fail++
		print "failed " $0
	}
}

END {
	end_stream()
	if (!streams)
		problem("no KTAP output (no \"KTAP version 1\" line)")
	print "counts " pass + 0, fail + 0, skip + 0, finding + 0
}
