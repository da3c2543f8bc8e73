/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exact page-fault counts for a stretch of code on the calling thread.
 *
 * Preferred source: a perf software event (PERF_COUNT_SW_PAGE_FAULTS), which
 * counts every page-fault exception the CPU takes in this thread.  Faults
 * the kernel resolves on the thread's behalf without an exception (type1's
 * fixup_user_fault() while walking a VMA) are not CPU faults: they show in
 * getrusage()'s minflt/majflt, which fault_count_rusage() returns.
 */
#ifndef PFN_BENCH_FAULTS_H
#define PFN_BENCH_FAULTS_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct fault_counter - a CPU page-fault counter
 * @fd: the perf event, or -1 when perf is unavailable (getrusage is used)
 * @start: getrusage value at fault_counter_begin() in the fallback
 */
struct fault_counter {
	int fd;
	uint64_t start;
};

/** fault_counter_open() - open the counter; never fails (falls back). */
void fault_counter_open(struct fault_counter *fc);

/** fault_counter_close() - release it; safe to repeat. */
void fault_counter_close(struct fault_counter *fc);

/** fault_counter_begin() - zero and start counting. */
void fault_counter_begin(struct fault_counter *fc);

/**
 * fault_counter_end() - stop counting
 * @fc: counter
 *
 * Return: page faults taken since fault_counter_begin(), or -1 if the count
 * could not be read.
 */
int64_t fault_counter_end(struct fault_counter *fc);

/** fault_counter_source() - "perf:page-faults" or "getrusage:minflt+majflt". */
const char *fault_counter_source(const struct fault_counter *fc);

/** fault_count_rusage() - this thread's minflt + majflt so far. */
uint64_t fault_count_rusage(void);

#endif /* PFN_BENCH_FAULTS_H */
