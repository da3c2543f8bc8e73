/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A KTAP (version 1) writer, as kselftest and KUnit print it, with totals.
 * The output parses with the kernel's tools/testing/kunit/kunit.py: the plan
 * always follows the version line (with no plan given up front, results and
 * diagnostics are held in memory until pfn_ktap_end()), and a finding is
 * "not ok N name # XFAIL reason" (see "KTAP conventions" in suite/SPEC.md).
 */
#ifndef PFN_KTAP_H
#define PFN_KTAP_H

#include <stdbool.h>
#include <stdio.h>

enum pfn_result {
	PFN_PASS,
	PFN_FAIL,
	PFN_SKIP,
	PFN_XFAIL,	/* a documented finding: "not ok ... # XFAIL", never a pass */
};

/**
 * struct pfn_ktap - one KTAP test plan being written
 * @out: stream the lines go to
 * @count: cases reported so far
 * @pass: cases that passed
 * @fail: cases that failed
 * @skip: cases that were skipped
 * @xfail: expected failures (findings)
 * @plan_at_end: no plan was given up front; print it at the end
 * @lines: where result and diagnostic lines go: @out, or the in-memory
 *	buffer @deferred while the plan is not known yet
 * @deferred: buffered lines (open_memstream), printed after the plan
 * @deferred_len: length of @deferred
 */
struct pfn_ktap {
	FILE *out;
	FILE *lines;
	char *deferred;
	size_t deferred_len;
	int count;
	int pass;
	int fail;
	int skip;
	int xfail;
	bool plan_at_end;
};

/**
 * pfn_ktap_begin() - print the version line and the plan
 * @k: plan to start
 * @out: stream
 * @planned: number of cases, or < 0 when not known yet: then the results are
 *	held until pfn_ktap_end() prints the plan before them
 */
void pfn_ktap_begin(struct pfn_ktap *k, FILE *out, int planned);

/** pfn_ktap_diag() - print a "# ..." diagnostic line. */
void pfn_ktap_diag(struct pfn_ktap *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * pfn_ktap_result() - report one case
 * @k: plan
 * @result: outcome
 * @name: case name (no spaces or '#')
 * @reason: SKIP/XFAIL reason or failure summary; NULL for none
 */
void pfn_ktap_result(struct pfn_ktap *k, enum pfn_result result, const char *name,
		     const char *reason);

/**
 * pfn_ktap_end() - print the plan and the held results if none was given,
 * then the totals line and a final "N passed, N failed, N skipped" line
 *
 * Return: 0 when nothing failed, 1 otherwise (an exit status).
 */
int pfn_ktap_end(struct pfn_ktap *k);

#endif /* PFN_KTAP_H */
