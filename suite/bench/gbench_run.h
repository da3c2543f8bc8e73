/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running the registered benchmarks so that their Google Benchmark JSON
 * replaces the previous one only when there is a result: Google Benchmark
 * writes to a temporary name, renamed over the final name after a run that
 * matched and ran benchmarks.  A filter that matches nothing or does not
 * compile leaves an earlier file byte-identical.
 */
#ifndef PFN_BENCH_GBENCH_RUN_H
#define PFN_BENCH_GBENCH_RUN_H

#include <stdbool.h>

#include "harness/pfnbench.h"
#include "pfn/error.h"

/**
 * struct gbench_run - what to run
 * @out_path: the JSON file to replace (unused with @list)
 * @filter: Google Benchmark's --benchmark_filter regex, NULL for all
 * @repetitions: samples per benchmark
 * @list: only list the matching benchmarks on stdout
 * @on_result: called with every run Google Benchmark reports (NULL: none)
 * @ctx: passed to @on_result
 */
struct gbench_run {
	const char *out_path;
	const char *filter;
	int repetitions;
	bool list;
	pfnbench_result_fn on_result;
	void *ctx;
};

/**
 * gbench_run() - run (or list) the registered benchmarks
 * @run: what to run
 * @err: on failure, what went wrong
 *
 * Return: 0; -ENOENT when @run->filter matches nothing or is not a valid
 * regex; another negative errno when Google Benchmark or the rename failed.
 * On any failure @run->out_path is left as it was.
 */
int gbench_run(const struct gbench_run *run, struct pfn_err *err);

#endif /* PFN_BENCH_GBENCH_RUN_H */
