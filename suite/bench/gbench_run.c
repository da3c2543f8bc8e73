// SPDX-License-Identifier: GPL-2.0-only
/* Google Benchmark's JSON written under a temporary name: see gbench_run.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gbench_run.h"
#include "harness/pfnbench.h"
#include "pfn/file.h"

int gbench_run(const struct gbench_run *run, struct pfn_err *err)
{
	char out[PATH_MAX + 32], tmp[PATH_MAX], reps[48], filter[1024];
	char a0[] = "pfnsuite-bench", fmt[] = "--benchmark_out_format=json";
	char aggr[] = "--benchmark_display_aggregates_only=true", list[] = "--benchmark_list_tests=true";
	char *argv[8];
	int argc = 0, ret;

	argv[argc++] = a0;
	if (run->list) {
		argv[argc++] = list;
	} else {
		ret = pfn_file_tmp_name(run->out_path, tmp, sizeof(tmp), err);
		if (ret)
			return ret;
		snprintf(out, sizeof(out), "--benchmark_out=%s", tmp);
		snprintf(reps, sizeof(reps), "--benchmark_repetitions=%d", run->repetitions);
		argv[argc++] = out;
		argv[argc++] = fmt;
		argv[argc++] = reps;
		argv[argc++] = aggr;
	}
	if (run->filter) {
		if ((size_t)snprintf(filter, sizeof(filter), "--benchmark_filter=%s", run->filter) >=
		    sizeof(filter))
			return pfn_fail(err, EINVAL, "--filter is too long");
		argv[argc++] = filter;
	}
	argv[argc] = NULL;
	ret = pfnbench_run_with(argc, argv, run->list ? NULL : run->on_result, run->ctx);
	if (run->list)
		return ret ? pfn_fail(err, -ret, "Google Benchmark: %s", strerror(-ret)) : 0;
	if (ret) {
		unlink(tmp);
		if (ret == -ENOENT)
			return pfn_fail(err, ENOENT,
					"no benchmark matches '%s' or it is not a valid regex (see --list); %s left as it was",
					run->filter ? run->filter : "", run->out_path);
		return pfn_fail(err, -ret, "Google Benchmark: %s; %s left as it was", strerror(-ret),
				run->out_path);
	}
	return pfn_file_publish(tmp, run->out_path, err);
}
