// SPDX-License-Identifier: GPL-2.0-only
/* The fuzzer's counts: per call, the table on stdout and the results JSON. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "fuzz.h"
#include "pfn/file.h"
#include "pfn/json.h"

bool fuzz_stats_add(struct fuzz_stats *st, const struct fuzz_call *c)
{
	unsigned int slot, i;

	if (!c->ran) {
		st->not_run[c->op]++;
		return false;
	}
	st->calls[c->op]++;
	slot = (unsigned int)-c->ret;
	st->result[c->op][slot < FUZZ_ERRNO_SLOTS ? slot : FUZZ_ERRNO_SLOTS - 1]++;
	if (c->ret || !c->must_fail)
		return false;
	if (!c->finding) {
		if (!st->accepted[c->op]++ && !st->first_accepted[0])
			snprintf(st->first_accepted, sizeof(st->first_accepted), "%s %s: %s",
				 fuzz_op_name(c->op), c->must_fail, c->desc);
		return true;
	}
	for (i = 0; i < st->n_findings; i++)
		if (!strcmp(st->findings[i].rule, c->must_fail))
			break;
	if (i == st->n_findings) {
		if (i == FUZZ_MAX_FINDINGS)
			return false;
		st->n_findings++;
		st->findings[i].id = c->finding;
		st->findings[i].rule = c->must_fail;
		snprintf(st->findings[i].example, sizeof(st->findings[i].example), "%s", c->desc);
	}
	st->findings[i].count++;
	return false;
}

static const char *errno_name(unsigned int e)
{
	const char *n;

	if (!e)
		return "ok";
	if (e == FUZZ_ERRNO_SLOTS - 1)
		return "other";
	n = strerrorname_np((int)e);
	return n ? n : "?";
}

void fuzz_report_print(const struct fuzz_stats *st, const char (*unavailable)[160])
{
	printf("# %-28s %7s %9s  %s\n", "ioctl", "calls", "accepted", "results (ok, errno: count)");
	for (unsigned int op = 0; op < FUZZ_OP_COUNT; op++) {
		char hist[512] = "";
		size_t at = 0;

		for (unsigned int e = 0; e < FUZZ_ERRNO_SLOTS && at < sizeof(hist); e++)
			if (st->result[op][e])
				at += (size_t)snprintf(hist + at, sizeof(hist) - at, "%s%s:%llu",
						       at ? " " : "", errno_name(e),
						       (unsigned long long)st->result[op][e]);
		printf("# %-28s %7llu %9llu  %s\n", fuzz_op_name(op),
		       (unsigned long long)st->calls[op], (unsigned long long)st->accepted[op],
		       st->calls[op] ? hist : "-");
		if (st->not_run[op])
			printf("#   %llu call(s) not run: %s\n", (unsigned long long)st->not_run[op],
			       unavailable[op]);
	}
	for (unsigned int i = 0; i < st->n_findings; i++)
		printf("# finding %s: %llu input(s) the uAPI says must fail were accepted (%s), e.g. %s\n",
		       st->findings[i].id, (unsigned long long)st->findings[i].count,
		       st->findings[i].rule, st->findings[i].example);
	if (st->first_accepted[0])
		printf("# first bad input accepted: %s\n", st->first_accepted);
}

static void json_ops(struct pfn_json *j, const struct fuzz_stats *st,
		     const char (*unavailable)[160])
{
	pfn_json_key(j, "ioctls");
	pfn_json_array_begin(j);
	for (unsigned int op = 0; op < FUZZ_OP_COUNT; op++) {
		pfn_json_object_begin(j);
		pfn_json_kv_string(j, "name", fuzz_op_name(op));
		pfn_json_kv_uint(j, "calls", st->calls[op]);
		pfn_json_kv_uint(j, "not_run", st->not_run[op]);
		pfn_json_kv_string(j, "unavailable", unavailable[op]);
		pfn_json_kv_uint(j, "accepted_bad_inputs", st->accepted[op]);
		pfn_json_key(j, "results");
		pfn_json_object_begin(j);
		for (unsigned int e = 0; e < FUZZ_ERRNO_SLOTS; e++)
			if (st->result[op][e])
				pfn_json_kv_uint(j, errno_name(e), st->result[op][e]);
		pfn_json_object_end(j);
		pfn_json_object_end(j);
	}
	pfn_json_array_end(j);
	pfn_json_key(j, "findings");
	pfn_json_array_begin(j);
	for (unsigned int i = 0; i < st->n_findings; i++) {
		pfn_json_object_begin(j);
		pfn_json_kv_string(j, "id", st->findings[i].id);
		pfn_json_kv_string(j, "rule", st->findings[i].rule);
		pfn_json_kv_uint(j, "count", st->findings[i].count);
		pfn_json_kv_string(j, "example", st->findings[i].example);
		pfn_json_object_end(j);
	}
	pfn_json_array_end(j);
}

int fuzz_report_json(const char *path, const struct fuzz_stats *st,
		     const char (*unavailable)[160], const struct fuzz_verdict *v,
		     const struct fuzz_options *opt, struct pfn_err *err)
{
	struct pfn_file_tx tx;
	struct pfn_json j;
	struct utsname u;
	char when[32], seed[24];
	time_t now = time(NULL);
	uint64_t accepted = 0;
	int ret;

	for (unsigned int op = 0; op < FUZZ_OP_COUNT; op++)
		accepted += st->accepted[op];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	snprintf(seed, sizeof(seed), "%#llx", (unsigned long long)opt->seed);
	uname(&u);
	ret = pfn_file_begin(&tx, path, err);
	if (ret)
		return ret;
	pfn_json_init(&j, tx.f);
	pfn_json_object_begin(&j);
	pfn_json_kv_string(&j, "schema", "pfnsuite-fuzz/1");
	pfn_json_kv_string(&j, "time", when);
	pfn_json_kv_string(&j, "kernel_release", u.release);
	pfn_json_kv_string(&j, "seed", seed);
	pfn_json_kv_uint(&j, "iterations", opt->iterations);
	pfn_json_kv_uint(&j, "batch", opt->batch);
	pfn_json_kv_uint(&j, "batches", v->batches);
	pfn_json_kv_int(&j, "splats", v->splats);
	pfn_json_kv_uint(&j, "hangs", v->hangs);
	pfn_json_kv_uint(&j, "crashes", v->crashes);
	pfn_json_kv_uint(&j, "control_failures", v->control_failures);
	pfn_json_kv_int(&j, "leaked_dmabufs", v->leaked_dmabufs);
	pfn_json_kv_uint(&j, "accepted_bad_inputs", accepted);
	json_ops(&j, st, unavailable);
	pfn_json_kv_string(&j, "first_failure", v->first_failure);
	pfn_json_kv_string(&j, "result",
			   v->first_failure[0] || accepted ? "fail" : "pass");
	pfn_json_object_end(&j);
	if (pfn_json_finish(&j)) {
		pfn_file_abort(&tx);
		return pfn_fail(err, EIO, "%s: writing failed", path);
	}
	return pfn_file_commit(&tx, err);
}
