/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fold Google Benchmark's JSON report into the suite's results document
 * (bench.json, schema "pfnsuite-bench/1", see results/schema/).
 *
 * Every benchmark becomes one metric per quantity it measured ("time", and
 * the counters "faults", "faults_per_gib", "gone_time"), with one sample per
 * repetition (Google Benchmark's per-repetition "iteration" runs; its own
 * aggregates are not copied), and median, min, max and n computed from
 * them.  Benchmarks that reported an error are listed under "skipped" (the
 * message starts with "SKIP: ") or "errors" (anything else).
 */
#ifndef PFN_BENCH_FOLD_H
#define PFN_BENCH_FOLD_H

#include <stddef.h>
#include <stdio.h>

#include "pfn/error.h"

/**
 * struct fold_summary - what was folded
 * @metrics: metrics written
 * @skipped: benchmarks skipped (path unavailable)
 * @errors: benchmarks that failed
 */
struct fold_summary {
	size_t metrics;
	size_t skipped;
	size_t errors;
};

/**
 * bench_fold() - read Google Benchmark's JSON and write bench.json
 * @gbench_path: Google Benchmark's --benchmark_out file (JSON), written by
 *	pfnsuite bench (its context holds the run metadata)
 * @out_path: bench.json to write (through a temporary file and a rename)
 * @sum: receives the counts
 * @err: what failed
 *
 * Return: 0 or a negative errno (unreadable or malformed input, unwritable
 * output).
 */
int bench_fold(const char *gbench_path, const char *out_path, struct fold_summary *sum,
	       struct pfn_err *err);

/**
 * bench_fold_buf() - bench_fold() from a NUL-terminated document in memory
 * @doc: Google Benchmark's JSON
 * @len: its length
 * @gbench_file: its file name, recorded in the metadata
 * @out: stream to write bench.json to
 * @sum: receives the counts
 * @err: what failed
 *
 * Return: 0 or a negative errno.
 */
int bench_fold_buf(const char *doc, size_t len, const char *gbench_file, FILE *out,
		   struct fold_summary *sum, struct pfn_err *err);

/**
 * bench_median() - median of @n values (sorted in place)
 * @v: values
 * @n: count, at least 1
 *
 * Return: the middle value, or the mean of the two middle values.
 */
double bench_median(double *v, size_t n);

#endif /* PFN_BENCH_FOLD_H */
