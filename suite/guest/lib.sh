# SPDX-License-Identifier: GPL-2.0-only
# Shell helpers for scripts that run inside the guest (sourced, not run).

# pci_find VENDOR DEVICE: print the BDFs of matching PCI functions.
pci_find() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = "0x$1" ] && [ "$(cat "$d/device")" = "0x$2" ] &&
			basename "$d"
	done
	return 0
}

# pci_driver BDF: the bound driver's name, or "none".
pci_driver() {
	local l=/sys/bus/pci/devices/$1/driver
	if [ -L "$l" ]; then basename "$(readlink "$l")"; else echo none; fi
}

# pci_group BDF: the IOMMU group number, or "none".
pci_group() {
	local l=/sys/bus/pci/devices/$1/iommu_group
	if [ -L "$l" ]; then basename "$(readlink "$l")"; else echo none; fi
}

# KTAP writer: ktap_begin; ktap_result ok|fail|skip NAME [REASON]; ktap_end.
# The plan must follow the version line (kunit.py parse rejects it at the
# end), and it is known only at the end: between ktap_begin and ktap_end the
# script's stdout goes to a file (in $PFN_RESULTS, so a killed stage leaves
# it behind), which ktap_end prints after the plan.
ktap_begin() {
	KTAP_N=0 KTAP_PASS=0 KTAP_FAIL=0 KTAP_SKIP=0
	echo "KTAP version 1"
	KTAP_HELD=$(mktemp "${PFN_RESULTS:-${TMPDIR:-/tmp}}/.ktap-held.XXXXXX") || KTAP_HELD=
	if [ -n "$KTAP_HELD" ]; then
		exec {KTAP_STDOUT}>&1 >"$KTAP_HELD"
	fi
}
ktap_result() {
	local r=$1 name=$2 reason=${3:-}
	reason=${reason//$'\n'/ }
	reason=${reason//#/ }
	KTAP_N=$((KTAP_N + 1))
	case $r in
	ok) KTAP_PASS=$((KTAP_PASS + 1)); echo "ok $KTAP_N $name" ;;
	skip) KTAP_SKIP=$((KTAP_SKIP + 1)); echo "ok $KTAP_N $name # SKIP ${reason:-no reason given}" ;;
	*) KTAP_FAIL=$((KTAP_FAIL + 1)); echo "not ok $KTAP_N $name${reason:+ # $reason}" ;;
	esac
}
# ktap_check NAME REASON-IF-FALSE COMMAND...: ok when COMMAND succeeds.
ktap_check() {
	local name=$1 reason=$2
	shift 2
	if "$@"; then ktap_result ok "$name"; else ktap_result fail "$name" "$reason"; fi
}
ktap_end() {
	if [ -n "$KTAP_HELD" ]; then
		exec >&"$KTAP_STDOUT" {KTAP_STDOUT}>&-
		echo "1..$KTAP_N"
		cat "$KTAP_HELD"
		rm -f "$KTAP_HELD"
		KTAP_HELD=
	else
		echo "1..$KTAP_N" # no temporary file: the plan comes last
	fi
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
	[ "$KTAP_FAIL" -eq 0 ]
}

# ktap_drop_results N FILE: remove FILE's last N top-level result lines (the
# test-only PFN_TEST_BREAK=missing: a plan promising more than was printed).
ktap_drop_results() {
	tac "$2" | awk -v n="$1" '/^(not )?ok [0-9]+/ && n > 0 { n--; next } 1' | tac >"$2.drop" &&
		mv "$2.drop" "$2"
}

# break_parse SPEC: the test-only PFN_TEST_BREAK, "KIND[:STAGE][,KIND:STAGE...]"
# (STAGE defaults to smoke), into the associative array BREAK (stage ->
# kind).  Prints one line and returns 1 on an unknown kind.
break_parse() {
	local item kind stage IFS=,
	declare -gA BREAK=()
	for item in $1; do
		kind=${item%%:*} stage=smoke
		[[ $item != *:* ]] || stage=${item#*:}
		case $kind in
		warn | taint | crash | die | hang | missing) BREAK[$stage]=$kind ;;
		*) echo "PFN_TEST_BREAK=$1: '$kind' is not warn, taint, crash, die, hang or missing" >&2; return 1 ;;
		esac
	done
}

# ---- kernel health ----------------------------------------------------------
# Kernel log messages that mean the kernel is not healthy (extended regexps,
# matched against each record's text): WARN and lockdep reports, BUG/Oops,
# sanitizers, RCU stalls, hung tasks.
KERNEL_SPLATS='^WARNING: |^BUG: |kernel BUG at |^Oops|^general protection fault|'\
'^UBSAN: |KASAN|KFENCE|kmemleak: [0-9]+ new suspected memory leak|'\
'possible circular locking|inconsistent lock state|suspicious RCU usage|'\
'detected stalls on CPU|self-detected stall|RCU stall|blocked for more than [0-9]+ seconds|'\
'^Kernel panic|soft lockup|hard LOCKUP'
# Taint flag letters by bit, as in Documentation/admin-guide/tainted-kernels.rst.
TAINT_LETTERS=PFSRMBUDAWCIOELKXTN

# taint_names MASK: "W (bit 9), U (bit 6)" for the bits set in MASK.
taint_names() {
	local mask=$1 bit letter out=
	for ((bit = 0; bit < 63; bit++)); do
		(((mask >> bit) & 1)) || continue
		letter=${TAINT_LETTERS:bit:1}
		out+="${out:+, }${letter:-?} (bit $bit)"
	done
	echo "$out"
}

# kmsg_scan LAST: read /dev/kmsg records ("PRIO,SEQ,USEC,FLAGS;TEXT",
# continuation lines start with a space) on stdin; print "kernel log: TEXT"
# for each splat (at most 5) among the records after sequence number LAST
# ("kernel log (during conform case REV-001): TEXT" when it came between the
# start and end marks pfn_kmsg_mark() writes),
# a line if records after LAST were lost, and last "seq N", the newest seen.
kmsg_scan() {
	awk -v last="$1" -v splat="$KERNEL_SPLATS" '
		/^[0-9]+,[0-9]+,/ {
			split($0, h, /[,;]/)
			seq = h[2] + 0
			if (seq <= last) next
			if (first == "") first = seq
			max = seq
			text = substr($0, index($0, ";") + 1)
			# pfn_kmsg_mark(): what runs now ("conform case REV-001")
			if (text ~ /^pfnsuite: (conform case|fuzz batch) [^ ]+ start$/) {
				during = substr(text, 11, length(text) - 16)
				next
			}
			if (text ~ /^pfnsuite: (conform case|fuzz batch) [^ ]+ end$/) {
				during = ""
				next
			}
			if (text !~ splat) next
			if (bad++ < 5) print "kernel log" (during == "" ? "" : " (during " during ")") ": " text
		}
		END {
			if (first != "" && first > last + 1)
				print "kernel log: records " last + 1 ".." first - 1 " were overwritten before they were checked"
			if (bad > 5) print "kernel log: " bad - 5 " more such lines"
			print "seq " (max == "" ? last : max)
		}'
}

# kernel_health ALLOWED_TAINT_MASK: check the kernel log records written since
# the previous call (by sequence number, read from /dev/kmsg) and the taint
# flags set since then; ALLOWED_TAINT_MASK are the bits the stage sets on
# purpose.  Prints one line per problem; returns 1 when there was one.
# State is kept in $PFN_RESULTS/.kernel-health ("last-seq taint").
kernel_health() {
	local allowed=${1:-0} state=${PFN_RESULTS:-${TMPDIR:-/tmp}}/.kernel-health
	local last=-1 taint0=0 taint new bad report seq rc=0
	[ -r "$state" ] && read -r last taint0 <"$state"
	# Each read(2) of /dev/kmsg returns one record; O_NONBLOCK ends at the last.
	report=$(dd if=/dev/kmsg iflag=nonblock bs=65536 status=none 2>/dev/null | kmsg_scan "$last")
	seq=${report##*seq }
	report=${report%seq *}
	report=${report%$'\n'}
	[ -z "$report" ] || { echo "$report"; rc=1; }
	read -r taint </proc/sys/kernel/tainted
	new=$((taint & ~taint0))
	bad=$((new & ~allowed))
	if ((bad)); then
		echo "taint: new flag(s) $(taint_names "$bad") set (tainted=$taint)"
		rc=1
	fi
	echo "$seq $taint" >"$state.tmp" && mv "$state.tmp" "$state"
	return $rc
}

# taint_mask LETTERS: the taint bits named by LETTERS ("-" or "" = none).
taint_mask() {
	local letters=${1#-} mask=0 i rest
	for ((i = 0; i < ${#letters}; i++)); do
		rest=${TAINT_LETTERS%%"${letters:i:1}"*}
		mask=$((mask | 1 << ${#rest}))
	done
	echo "$mask"
}

# Kernel health as KTAP, $PFN_RESULTS/kernel-health.ktap: health_begin PLAN,
# then health_check WHEN ALLOWED-TAINT-LETTERS after boot and after each
# stage (result kernel_health_after_WHEN).  The plan is fixed up front and
# the file rewritten whole after each check, so a guest that dies leaves the
# checks done so far and the host names the missing ones.
health_begin() {
	HEALTH_PLAN=$1 HEALTH_N=0 HEALTH_BODY=()
	rm -f "$PFN_RESULTS/.kernel-health"
}
# health_check WHEN LETTERS: returns 1 (and prints the problems) if unhealthy.
health_check() {
	local when=$1 problems p rc=0
	HEALTH_N=$((HEALTH_N + 1))
	if problems=$(kernel_health "$(taint_mask "${2:-}")"); then
		HEALTH_BODY+=("ok $HEALTH_N kernel_health_after_${when//-/_}")
	else
		rc=1
		while IFS= read -r p; do
			echo "# kernel health after $when: $p"
			HEALTH_BODY+=("# $p")
		done <<<"$problems"
		p=$(head -n1 <<<"$problems")
		HEALTH_BODY+=("not ok $HEALTH_N kernel_health_after_${when//-/_} # ${p//#/ }")
	fi
	printf '%s\n' "KTAP version 1" "1..$HEALTH_PLAN" "${HEALTH_BODY[@]}" >"$PFN_RESULTS/kernel-health.ktap.tmp" &&
		mv "$PFN_RESULTS/kernel-health.ktap.tmp" "$PFN_RESULTS/kernel-health.ktap"
	return $rc
}

# results_fresh DIR: remove the suite's own result files from an earlier run
# in DIR (a reused --results), so that no step reads a stale one.  The
# runner's files (vm-command.sh, serial.log, ...) and metadata.json stay.
results_fresh() {
	local d=$1
	rm -rf "$d"/*.ktap "$d"/*.ktap.tmp "$d"/.ktap-held.* "$d/.kernel-health" "$d/stages.txt" \
		"$d/steps.txt" "$d/conformance.json" "$d/bench.json" "$d/bench-gbench.json" \
		"$d/bench-output.log" "$d/regress-baseline" "$d/regress-injected" "$d/kvm-bench.json" \
		"$d/kvm-revoke.json" "$d/probe.json" "$d/smoke-probe.json" "$d/negative-control.log"
}
