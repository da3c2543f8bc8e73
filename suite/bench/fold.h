/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fold the runs Google Benchmark reports (pfnbench_run_with()'s callback,
 * no JSON read back) into the suite's results document (bench.json, schema
 * "pfnsuite-bench/1", see results/schema/).
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

#include "harness/pfnbench.h"
#include "meta.h"
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

/* The runs collected so far; one per pfnsuite bench run. */
struct bench_fold;

/* Return: an empty collector, or NULL when out of memory. */
struct bench_fold *bench_fold_new(void);

/* Free @f (NULL is fine). */
void bench_fold_free(struct bench_fold *f);

/**
 * bench_fold_result() - take one run Google Benchmark reported
 * @r: the run (a &pfnbench_result_fn's argument)
 * @fold: the &struct bench_fold
 *
 * Return: 0 or -ENOMEM.
 */
int bench_fold_result(const struct pfnbench_result *r, void *fold);

/**
 * bench_fold_write() - write bench.json from the collected runs
 * @f: the runs
 * @meta: the run's metadata
 * @gbench_file: file name of Google Benchmark's own report, recorded in the metadata
 * @out: where to write
 * @sum: receives the counts
 * @err: what failed
 *
 * Return: 0 or a negative errno.
 */
int bench_fold_write(struct bench_fold *f, const struct bench_meta *meta, const char *gbench_file,
		     FILE *out, struct fold_summary *sum, struct pfn_err *err);

/**
 * bench_fold_publish() - bench_fold_write() to @out_path, through a temporary
 * file and a rename (an earlier file stays as it was on failure)
 * @f: the runs
 * @meta: the run's metadata
 * @gbench_file: as for bench_fold_write()
 * @out_path: bench.json
 * @sum: receives the counts
 * @err: what failed
 *
 * Return: 0 or a negative errno.
 */
int bench_fold_publish(struct bench_fold *f, const struct bench_meta *meta, const char *gbench_file,
		       const char *out_path, struct fold_summary *sum, struct pfn_err *err);

/**
 * bench_median() - median of @n values (sorted in place)
 * @v: values
 * @n: count, at least 1
 *
 * Return: the middle value, or the mean of the two middle values.
 */
double bench_median(double *v, size_t n);

#endif /* PFN_BENCH_FOLD_H */
