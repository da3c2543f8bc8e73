#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make test`: host unit tests under ASan/UBSan and of the results tools, the
# builds, then the in-VM stages on the emulated target (suite/tests/vm/all.sh),
# then the kernel's own KTAP parser over every KTAP file of the run.
#
# Every stage is counted on its own: its exit status, its KTAP results, its
# KTAP plans checked against the results it printed (a missing result is a
# failure), a stage over its time limit, a crashed or hung VM stage and a
# stage that never ran are failures named by stage.  A stage that needs a
# build this run failed to make does not run (an older artifact is never
# used).  The output ends with a per-stage table, the findings, and the line
# "N passed, N failed, N skipped".
#
# Environment (test-only switches, see suite/SPEC.md "KTAP conventions"):
#   PFN_TEST_STAGES=a,b          run only these stages (host or VM); the
#                                others are reported as not selected
#   PFN_TEST_BREAK=KIND[:STAGE][,...]  break stages on purpose; VM kinds in
#                                suite/tests/vm/all.sh, host stages take
#                                hang, die and missing
#   PFN_TEST_TIMEOUT_<STAGE>=S   time limit of a host stage (e.g.
#                                PFN_TEST_TIMEOUT_TOOLS=2)
#   PFN_TEST_VM_TIMEOUT=S        limit of the whole VM run (default 900;
#                                each VM stage also has its own budget)
set -uo pipefail
: "${PFN_TEST_STAGES:=}" "${PFN_TEST_BREAK:=}"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
count=suite/tests/ktap-count.awk
. suite/guest/lib.sh # ktap_drop_results

break_parse "$PFN_TEST_BREAK" 2>&1 | sed 's/^/test: error: /' >&2
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 2
break_parse "$PFN_TEST_BREAK"

# ---- the stages -------------------------------------------------------------
# host_stage NAME SECONDS show|quiet ktap|exit COMMAND: a host stage; "ktap":
# its output holds KTAP streams; "exit": one result from its exit status.
declare -a ORDER=() HOST=()
declare -A LIMIT=() SHOW=() KIND=() CMD=() NEEDS=()
host_stage() {
	local name=$1 var=PFN_TEST_TIMEOUT_${1//-/_}
	var=${var^^}
	ORDER+=("$name") HOST+=("$name")
	LIMIT[$name]=${!var:-$2} SHOW[$name]=$3 KIND[$name]=$4 CMD[$name]=$5
}
host_stage unit 1200 show ktap 'make --no-print-directory -C suite unit-test'
host_stage kvm-unit 600 show ktap 'make --no-print-directory -C workloads/kvm SAN=1 check'
host_stage suite-build 900 quiet exit 'make --no-print-directory -C suite && make --no-print-directory -C workloads/kvm && make --no-print-directory -C workloads/fio'
# The fio engine without a device: load checks, bad input, the fold tool.
host_stage fio-host 300 show ktap 'make --no-print-directory -C workloads/fio check'
host_stage tools 300 show ktap '/usr/bin/python3 results/tools/test-tools'
host_stage kernel-key 120 show ktap 'suite/tests/host/kernel-key.sh'
host_stage deps-check 120 show ktap '/usr/bin/python3 suite/tests/host/deps-check'
host_stage apt-mirrors 120 show ktap 'suite/tests/host/apt-mirrors.sh'
host_stage runner-args 120 show ktap 'suite/tests/host/runner-args.sh'
host_stage kernel 3600 show exit 'reference-kernel/build.sh'
# After the kernel: its self-tests include kunit.py from the kernel's source.
host_stage harness 120 show ktap 'suite/tests/test-harness.sh'
# The VM stages, as suite/tests/vm/all.sh lists them; each needs this run's
# kernel and suite builds.
declare -a VM=()
while read -r name budget; do
	VM+=("$name") ORDER+=("$name") LIMIT[$name]=$budget NEEDS[$name]="suite-build kernel"
done < <(suite/tests/vm/all.sh --list)
VM+=(kernel-health) ORDER+=(kernel-health) NEEDS[kernel-health]="suite-build kernel"
# Every JSON file the VM stages wrote, against results/schema/.
host_stage results-schema 120 show exit 'if [ -d "$PFN_TEST_LOGS/vm" ]; then /usr/bin/python3 results/tools/validate "$PFN_TEST_LOGS/vm"; else echo "no VM results to validate: no VM stage ran"; fi'
# Last: the kernel's own KTAP parser over every KTAP file of this run.
host_stage ktap-parse 300 show ktap 'shopt -s nullglob; suite/tests/ktap-parse.sh "$PFN_TEST_LOGS"/ktap/*.ktap'

# selected STAGE: STAGE runs (PFN_TEST_STAGES); the builds and the kernel
# health check come with any VM stage, the KTAP parse check always.
listed() { [ -z "${PFN_TEST_STAGES:-}" ] || [[ ,$PFN_TEST_STAGES, == *",$1,"* ]]; }
selected() {
	local v
	listed "$1" || [ "$1" = ktap-parse ] && return 0
	case " suite-build kernel kernel-health " in
	*" $1 "*) for v in "${VM[@]}"; do listed "$v" && return 0; done ;;
	esac
	return 1
}
known=" ${ORDER[*]} "
for s in ${PFN_TEST_STAGES//,/ }; do
	[[ $known == *" $s "* ]] || { echo "test: error: PFN_TEST_STAGES names '$s'; stages are:${known% }" >&2; exit 2; }
done
for s in "${!BREAK[@]}"; do
	[[ $known == *" $s "* ]] ||
		{ echo "test: error: PFN_TEST_BREAK=$PFN_TEST_BREAK names no stage '$s'; stages are:${known% }" >&2; exit 2; }
	if [[ " ${HOST[*]} " == *" $s "* ]] && [[ ${BREAK[$s]} != @(hang|die|missing) ]]; then
		echo "test: error: PFN_TEST_BREAK=$PFN_TEST_BREAK: host stage $s takes hang, die or missing" >&2
		exit 2
	fi
done

# Per stage: STATUS[s] (exit status, or timeout, crashed, hung, never-ran,
# not-run, not-selected), SECS[s], NOTE[s] (what went wrong).
declare -A NOTE=() STATUS=() SECS=()
note() { NOTE[$1]+="${NOTE[$1]:+; }$2"; }

banner() { echo; echo "==== $*"; }
# status_words STATUS: "exit N" for a number, else STATUS itself.
status_words() { if [[ $1 =~ ^[0-9]+$ ]]; then echo "exit $1"; else echo "$1"; fi; }

# not_run NAME: the reason NAME cannot run (a needed stage failed), or "".
not_run() {
	local need
	for need in ${NEEDS[$1]:-}; do
		[ "${STATUS[$need]:-}" = 0 ] || { echo "$need ${STATUS[$need]:-did not run}"; return; }
	done
}

# split_ktap LOG STAGE: each KTAP stream of LOG into ktap/STAGE[.TEST].ktap,
# named by the "# running PATH" line before it, when there is one.
split_ktap() {
	awk -v dir="$logs/ktap" -v stage="$2" '
		/^# running / { n = split($3, p, "/"); next_name = p[n]; next }
		/^K?TAP version [0-9]+/ {
			if (out) close(out)
			k++
			name = next_name != "" ? stage "." next_name : (k > 1 ? stage "." k : stage)
			out = dir "/" name ".ktap"
			next_name = ""
		}
		out { print > out }' "$1"
}

run_host_stage() {
	local s=$1 rc t0=$SECONDS cmd=${CMD[$1]} why
	banner "$s (limit ${LIMIT[$s]} s)"
	if [ -n "${BREAK[$s]:-}" ]; then
		case ${BREAK[$s]} in
		hang) cmd+="; sleep $((LIMIT[$s] * 10))" ;;
		die) cmd="timeout -s KILL 3 bash -c ${cmd@Q}" ;;
		esac
	fi
	if [ "${SHOW[$s]}" = show ]; then
		timeout -k 30 "${LIMIT[$s]}" bash -c "$cmd" 2>&1 | tee "$logs/$s.log"
		rc=${PIPESTATUS[0]}
	else
		timeout -k 30 "${LIMIT[$s]}" bash -c "$cmd" >"$logs/$s.log" 2>&1
		rc=$?
		[ "$rc" -eq 0 ] || tail -n 40 "$logs/$s.log"
	fi
	SECS[$s]=$((SECONDS - t0)) STATUS[$s]=$rc
	if [ "$rc" -eq 124 ] && [ "${SECS[$s]}" -ge "${LIMIT[$s]}" ]; then
		STATUS[$s]=timeout
		why="stage $s timed out after ${LIMIT[$s]} s"
		echo "test: $why" >&2
	fi
	echo "${STATUS[$s]} ${SECS[$s]}" >"$logs/$s.status"
	if [ "${KIND[$s]}" = exit ]; then
		{
			echo "KTAP version 1"
			echo "1..1"
			if [ "$rc" -eq 0 ]; then echo "ok 1 ${s//-/_}"; else echo "not ok 1 ${s//-/_} # ${why:-exit $rc}, see $logs/$s.log"; fi
		} >"$logs/ktap/$s.ktap"
		return
	fi
	split_ktap "$logs/$s.log" "$s"
	[ "${BREAK[$s]:-}" != missing ] || ktap_drop_results 2 "$(ls "$logs/ktap/$s"*.ktap | tail -n1)"
	[ -z "${why:-}" ] || note "$s" "$why"
}

# run_vm: every selected VM stage in one boot, with this run's kernel.
run_vm() {
	local kdir rc=0 names=() s
	kdir=$(sed -n 's/^KERNEL_DIR=//p' "$logs/kernel.log" | tail -n1)
	for s in "${VM[@]}"; do [ "$s" != kernel-health ] && listed "$s" && names+=("$s"); done
	banner "in-VM stages: ${names[*]} (QEMU TCG, kernel $kdir)"
	suite/runner/run-vm.sh --results "$logs/vm" --kernel "$kdir/bzImage" \
		--timeout "${PFN_TEST_VM_TIMEOUT:-900}" -- \
		env PFN_TEST_STAGES="$(IFS=,; echo "${names[*]}")" PFN_TEST_BREAK="${PFN_TEST_BREAK:-}" \
		suite/tests/vm/all.sh || rc=$?
	local outcome
	outcome=$(jq -r '.outcome // "unknown"' "$logs/vm/vm-outcome.json" 2>/dev/null || echo unknown)
	# stages.txt: "start NAME", "end NAME STATUS SECONDS" per stage.
	local running= line w n st sec
	declare -A ended=()
	while read -r w n st sec; do
		case $w in
		start) running=$n ;;
		end) ended[$n]=1 STATUS[$n]=$st SECS[$n]=$sec running= ;;
		esac
	done <"$logs/vm/stages.txt" 2>/dev/null
	for s in "${names[@]}" kernel-health; do
		# A stage the VM's end cut short left its output in .ktap.tmp.
		if [ -f "$logs/vm/$s.ktap" ]; then
			cp "$logs/vm/$s.ktap" "$logs/ktap/$s.ktap"
		elif [ -f "$logs/vm/$s.ktap.tmp" ]; then
			cp "$logs/vm/$s.ktap.tmp" "$logs/ktap/$s.ktap"
		fi
		if [ "$s" = kernel-health ]; then
			STATUS[$s]=$outcome
			[ "$outcome" != exited ] || STATUS[$s]=0
			continue
		fi
		if [ -n "${ended[$s]:-}" ]; then
			[ "${STATUS[$s]}" != 124 ] || { STATUS[$s]=timeout; note "$s" "stage $s timed out after its budget of ${LIMIT[$s]} s"; }
		elif [ "$s" = "$running" ]; then
			case $outcome in
			hang) STATUS[$s]=hung; note "$s" "the VM hung while stage $s ran (no end within the VM limit; see $logs/vm/serial.log)" ;;
			*) STATUS[$s]=crashed; note "$s" "the VM ended ($outcome, runner exit $rc) while stage $s ran: a crash (see $logs/vm/serial.log)" ;;
			esac
		else
			STATUS[$s]="never-ran"
			if [ -n "$running" ]; then
				note "$s" "never ran: the VM ended ($outcome, runner exit $rc) during stage $running"
			else
				note "$s" "never ran: the VM ended ($outcome, runner exit $rc) before it"
			fi
		fi
		# The stage's own KTAP holds its failures; the count finds the
		# results missing from its plan.
	done
}

# ---- run ------------------------------------------------------------------------
# A fresh log directory: mkdir without -p fails if it exists, so two runs in
# the same second get different names.
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p results/test-runs
logs=results/test-runs/$stamp n=1
until mkdir "$logs" 2>/dev/null; do
	n=$((n + 1))
	logs=results/test-runs/$stamp-$n
	[ "$n" -lt 100 ] || { echo "test: error: cannot create a directory under results/test-runs" >&2; exit 1; }
done

export PFN_TEST_LOGS=$logs
mkdir -p "$logs/ktap"
vm_done=
for s in "${ORDER[@]}"; do
	if ! selected "$s"; then
		STATUS[$s]=not-selected
		continue
	fi
	if [ -n "${NEEDS[$s]:-}" ]; then
		[ -z "$vm_done" ] || continue
		vm_done=1
		why=$(not_run "$s")
		if [ -n "$why" ]; then
			banner "in-VM stages: not run"
			why="stage ${why%% *} failed this run ($(status_words "${why#* }"))"
			echo "test: $why: the VM stages do not run (an older kernel or suite build is never used)"
			for v in "${VM[@]}"; do
				selected "$v" || continue
				STATUS[$v]=not-run
				note "$v" "not run: $why"
			done
			continue
		fi
		run_vm
		continue
	fi
	run_host_stage "$s"
done

# ---- count ------------------------------------------------------------------------
# Each stage's KTAP files, counted and plan-checked; the harness's own
# failures (EXTRA) on top.
declare -A P=() F=() S=() X=()
failures=() findings=()
tp=0 tf=0 ts=0 tx=0
for s in "${ORDER[@]}"; do
	P[$s]=0 F[$s]=0 S[$s]=0 X[$s]=0
	if [ "${STATUS[$s]:-}" = not-selected ]; then
		S[$s]=1 ts=$((ts + 1))
		continue
	fi
	files=()
	for f in "$logs/ktap/$s.ktap" "$logs/ktap/$s".*.ktap; do [ -f "$f" ] && files+=("$f"); done
	if [ ${#files[@]} -eq 0 ]; then
		F[$s]=1
		case ${STATUS[$s]:-} in never-ran | not-run) ;; *) note "$s" "no KTAP output" ;; esac
	fi
	for f in "${files[@]}"; do
		while read -r what rest; do
			case $what in
			counts)
				read -r p fl sk fi <<<"$rest"
				P[$s]=$((P[$s] + p)) F[$s]=$((F[$s] + fl)) S[$s]=$((S[$s] + sk)) X[$s]=$((X[$s] + fi)) ;;
			problem) note "$s" "$(basename "$f"): $rest" ;;
			failed)
				failures+=("$s: $rest")
				# Name the stage after which the kernel was unhealthy in its row.
				if [[ $s == kernel-health && $rest =~ kernel_health_after_([A-Za-z0-9_]+) ]]; then
					for v in "${VM[@]}"; do
						[ "${v//-/_}" != "${BASH_REMATCH[1]}" ] ||
							note "$v" "kernel unhealthy after it: ${rest#*# }"
					done
				fi ;;
			finding) findings+=("$s: $rest") ;;
			esac
		done < <(awk -f "$count" "$f")
	done
	# A stage that failed (exit status, time limit, crash, hang, never ran)
	# without a failing or missing result of its own is one failure.
	st=${STATUS[$s]:-did-not-run}
	if [ "$st" != 0 ] && [ "${F[$s]}" -eq 0 ]; then
		F[$s]=1
		[[ ! $st =~ ^[0-9]+$ ]] || note "$s" "exit $st with no failing case"
		[ -n "${NOTE[$s]:-}" ] || note "$s" "$st"
	fi
	tp=$((tp + P[$s])) tf=$((tf + F[$s])) ts=$((ts + S[$s])) tx=$((tx + X[$s]))
done

echo
echo "logs: $logs"
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed cases:"
	printf '  %s\n' "${failures[@]}"
fi
if [ ${#findings[@]} -gt 0 ]; then
	echo "findings (KTAP 'not ok # XFAIL': known gaps of the kernel under test, see suite/SPEC.md):"
	printf '  %s\n' "${findings[@]}"
fi
echo
printf '%-18s %-12s %6s %6s %6s %8s %6s  %s\n' stage status pass fail skip findings secs notes
for s in "${ORDER[@]}"; do
	st=${STATUS[$s]:-}
	note=${NOTE[$s]:-}
	[ "$st" = not-selected ] && note="not selected (PFN_TEST_STAGES=$PFN_TEST_STAGES)"
	[ "$st" = 0 ] && st=ok
	st=$(status_words "$st")
	printf '%-18s %-12s %6d %6d %6d %8d %6s  %s\n' "$s" "${st:--}" "${P[$s]}" "${F[$s]}" "${S[$s]}" \
		"${X[$s]}" "${SECS[$s]:--}" "$note"
done
echo
echo "$tx findings (counted on their own, not as passes or failures)"
bad=$(for s in "${ORDER[@]}"; do [ "${F[$s]}" -eq 0 ] || echo "$s"; done | paste -sd ' ')
[ -z "$bad" ] || echo "failed stages: $bad"
echo "$tp passed, $tf failed, $ts skipped"
[ "$tf" -eq 0 ]
