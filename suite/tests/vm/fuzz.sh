#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# In-VM fuzz stage (suite/SPEC.md FUZZ): the bounded uAPI fuzzer, and the
# proof that it can fail and that its inputs replay.
#
# 1. run      `pfnsuite fuzz` with a fixed seed ($PFN_FUZZ_SEED, default 1)
#             and $PFN_FUZZ_ITERATIONS calls (default 1024): must exit 0 (no
#             splat, hang, crash, leak, failed control or bad input accepted
#             outside a documented finding); fuzz.json in $PFN_RESULTS.
# 2. dead     the same with a dead DMA engine (--test-dma-fault silent): the
#             control after the first batch must fail and the run exit 1,
#             saving that batch as an input.
# 3. replay   that saved input, with a working engine: must exit 0, every call
#             printed; a replay of garbage must exit 2.
# 4. corpus   every input in suite/fuzz/corpus/ (batches that once failed):
#             each must now pass.
# KTAP on stdout; exit 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/../../.."
pfnsuite=suite/build/pfnsuite
out=${PFN_RESULTS:-/tmp}
work=$out/fuzz
rm -rf "$work" && mkdir -p "$work/inputs" "$work/dead"
seed=${PFN_FUZZ_SEED:-1}
iterations=${PFN_FUZZ_ITERATIONS:-1024}
corpus=(suite/fuzz/corpus/*.input)
[ -e "${corpus[0]}" ] || corpus=()

n=0 status=0
result() { # result OK NAME [REASON]
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2${3:+ # $3}"; status=1; fi
}
# quote FILE: its lines as KTAP diagnostics
quote() { sed 's/^/# /' "$1"; }

echo "KTAP version 1"
echo "1..$((4 + ${#corpus[@]}))"

# A batch gets a conformance case's time limit (scaled in the debug flavour).
batch_timeout=${PFN_CASE_TIMEOUT:-60}
$pfnsuite fuzz --seed "$seed" --iterations "$iterations" --results "$out" \
	--save-dir "$work/inputs" --batch-timeout "$batch_timeout" >"$work/run.log" 2>&1
rc=$?
quote "$work/run.log"
result $((rc != 0)) fuzz_run "exit $rc (seed $seed, $iterations calls): see the batch lines above"

$pfnsuite fuzz --seed "$seed" --iterations 64 --test-dma-fault silent \
	--save-dir "$work/dead" --batch-timeout "$batch_timeout" >"$work/dead.log" 2>&1
rc=$?
sed -n '/^not ok\|^ok\|control/p' "$work/dead.log" | head -5 | sed 's/^/# dead engine: /'
saved=$(ls "$work/dead"/*.input 2>/dev/null | head -1)
if [ "$rc" = 1 ] && grep -q '^not ok 1 batch_0 # control after batch 0' "$work/dead.log" && [ -n "$saved" ]; then
	result 0 fuzz_dead_engine_fails
else
	result 1 fuzz_dead_engine_fails "exit $rc with a dead engine, want 1, a failed control after batch 0 and a saved input"
fi

if [ -n "$saved" ]; then
	$pfnsuite fuzz --replay "$saved" --batch-timeout "$batch_timeout" >"$work/replay.log" 2>&1
	rc=$?
	calls=$(grep -c '^# call ' "$work/replay.log")
	echo "# replay of $saved: exit $rc, $calls calls printed"
	result $((rc != 0 || calls == 0)) fuzz_replay "exit $rc, $calls calls printed"
else
	result 1 fuzz_replay "no saved input to replay"
fi

echo "this is not a fuzz input" >"$work/garbage.input"
$pfnsuite fuzz --replay "$work/garbage.input" >"$work/garbage.log" 2>&1
rc=$?
quote "$work/garbage.log"
if [ "$rc" = 2 ] && grep -q 'is not a saved fuzz input' "$work/garbage.log"; then
	result 0 fuzz_replay_refuses_garbage
else
	result 1 fuzz_replay_refuses_garbage "exit $rc, want 2 and 'is not a saved fuzz input'"
fi

for input in "${corpus[@]}"; do
	$pfnsuite fuzz --replay "$input" >"$work/corpus.log" 2>&1
	rc=$?
	tail -3 "$work/corpus.log" | sed 's/^/# /'
	result $((rc != 0)) "fuzz_corpus_$(basename "$input" .input)" "exit $rc"
done
exit $status
