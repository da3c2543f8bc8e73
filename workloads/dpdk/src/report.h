/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The results of one pfn-dpdk run: per case its pool costs, its traffic
 * samples and (with --revoke) the revoke experiment; written as
 * pfnsuite-dpdk/1 JSON (metrics in bench.json's form) and as a table.
 */
#ifndef PFNDPDK_REPORT_H
#define PFNDPDK_REPORT_H

#include "dpdk.h"
#include "revoke.h"

#define PDPDK_MAX_REPS 100

/**
 * struct pdpdk_case_result - one case of the run
 * @kind: the case
 * @ran: it was attempted
 * @status: "ok", "fail" (ran, bad result), "failed" (could not run),
 *	"refused" (the expected refusal of --expect-vma-refused)
 * @reason: one line, for anything but "ok"
 * @pool: its pool while the case runs
 * @cost: what creating and mapping the pool cost
 * @t: traffic samples per frame size
 * @n: samples per frame size
 * @has_revoke: @revoke ran
 * @revoke: the revoke experiment
 */
struct pdpdk_case_result {
	enum pdpdk_case kind;
	bool ran;
	const char *status;
	char reason[PDPDK_REASON_MAX];
	struct pdpdk_pool pool;
	struct pdpdk_pool_cost cost;
	struct pdpdk_traffic t[PDPDK_MAX_FRAMES][PDPDK_MAX_REPS];
	unsigned int n[PDPDK_MAX_FRAMES];
	bool has_revoke;
	struct pdpdk_revoke revoke;
};

/**
 * struct pdpdk_run - everything pfn-dpdk measured
 * @o: the options
 * @tx, @rx: the ports
 * @peer: the BAR's device (peer.open says whether there is one)
 * @container: "type1" or "iommufd-compat"
 * @iova_mode: "pa" or "va"
 * @cases: per &enum pdpdk_case
 */
struct pdpdk_run {
	const struct pdpdk_opts *o;
	struct pdpdk_port tx;
	struct pdpdk_port rx;
	struct pdpdk_peer peer;
	const char *container;
	const char *iova_mode;
	struct pdpdk_case_result cases[PDPDK_NR_CASES];
};

/** pdpdk_report_json() - write @run to @path (temporary file + rename). */
int pdpdk_report_json(const struct pdpdk_run *run, const char *path, struct pfn_err *err);

/** pdpdk_report_table() - the side-by-side table on stdout. */
void pdpdk_report_table(const struct pdpdk_run *run);

#endif /* PFNDPDK_REPORT_H */
