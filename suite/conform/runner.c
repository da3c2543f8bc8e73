// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runs conformance cases, each in a process of its own with a time limit:
 * KTAP on stdout, JSON results on request, expected outcomes checked on
 * request.
 */
#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conform.h"
#include "expect.h"
#include "pfn/dma.h"
#include "pfn/file.h"
#include "pfn/host.h"
#include "pfn/json.h"

struct family {
	const char *name;
	const struct conform_case *cases;
	const unsigned int *count;
	bool selftest;
};

static const struct family families[] = {
	{ "selftest", conform_self_cases, &conform_self_count, true },
	{ "export", conform_export_cases, &conform_export_count, false },
	{ "import", conform_import_cases, &conform_import_count, false },
	{ "revoke", conform_revoke_cases, &conform_revoke_count, false },
	{ "lifetime", conform_life_cases, &conform_life_count, false },
	{ "race", conform_race_cases, &conform_race_count, false },
	{ "model", conform_model_cases, &conform_model_count, false },
	{ "kvm", conform_kvm_cases, &conform_kvm_count, false },
	/* last: it removes the target device for the rest of the boot */
	{ "unplug", conform_unplug_cases, &conform_unplug_count, false },
};

#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* How long a killed case may take to go away before we stop waiting. */
#define REAP_GRACE_S 10

struct outcome {
	const struct conform_case *c;
	struct conform_result res;
	double seconds;
	char deviation[PFN_ERR_MSG_MAX + 64];
};

/* What a case's process hands back: its result, and that it got that far. */
struct shared_result {
	struct conform_result res;
	volatile int done;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void case_label(const struct conform_case *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s_%s", c->id, c->name);
}

static bool selected(const struct conform_case *c, const char *filter)
{
	char label[128], globs[512], *glob, *save = NULL;

	if (!filter)
		return true;
	case_label(c, label, sizeof(label));
	snprintf(globs, sizeof(globs), "%s", filter);
	for (glob = strtok_r(globs, ",", &save); glob; glob = strtok_r(NULL, ",", &save))
		if (fnmatch(glob, label, 0) == 0 || fnmatch(glob, c->id, 0) == 0)
			return true;
	return false;
}

static unsigned int case_timeout(const struct conform_ctx *ctx, const struct conform_options *opt,
				 const struct conform_case *c)
{
	unsigned int t = c->timeout_s ? c->timeout_s :
			 opt->case_timeout_s ? opt->case_timeout_s : CONFORM_TIMEOUT_DEFAULT;

	if (c->needs & CONFORM_STRESS)
		t += (unsigned int)ctx->stress_seconds;
	return t;
}

/* The child: run the case, hand the result back, and leave without cleanup. */
static void __attribute__((noreturn)) run_child(const struct conform_ctx *ctx,
						const struct conform_case *c,
						struct shared_result *sh)
{
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	c->run(ctx, &sh->res);
	fflush(stdout);
	__atomic_store_n(&sh->done, 1, __ATOMIC_SEQ_CST);
	_exit(0);
}

/* Wait for @pid until @deadline; Return: true when it exited, *status set. */
static bool wait_until(pid_t pid, double deadline, int *status)
{
	while (now_seconds() < deadline) {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid)
			return true;
		if (got < 0 && errno != EINTR)
			return true;
		usleep(10000);
	}
	return false;
}

static void run_isolated(const struct conform_ctx *ctx, const struct conform_options *opt,
			 struct outcome *o)
{
	unsigned int limit = case_timeout(ctx, opt, o->c);
	struct shared_result *sh;
	char notes[sizeof(o->res.notes)];
	int status = 0;
	pid_t pid;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		conform_fail_as(&o->res, CONFORM_REASON_SETUP, "shared result page: %s",
				strerror(errno));
		return;
	}
	memset(sh, 0, sizeof(*sh));
	sh->res.result = PFN_PASS;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		conform_fail_as(&o->res, CONFORM_REASON_SETUP, "fork: %s", strerror(errno));
		munmap(sh, sizeof(*sh));
		return;
	}
	if (pid == 0)
		run_child(ctx, o->c, sh);

	if (!wait_until(pid, now_seconds() + limit, &status)) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		memcpy(notes, sh->res.notes, sizeof(notes));
		o->res = (struct conform_result){ .result = PFN_PASS };
		memcpy(o->res.notes, notes, sizeof(notes));
		if (wait_until(pid, now_seconds() + REAP_GRACE_S, &status))
			conform_fail_as(&o->res, CONFORM_REASON_TIMEOUT,
					"no result within the case's %u s limit: killed", limit);
		else
			conform_fail_as(&o->res, CONFORM_REASON_TIMEOUT,
					"no result within the case's %u s limit, and SIGKILL did not end it within %d s (stuck in the kernel?)",
					limit, REAP_GRACE_S);
		munmap(sh, sizeof(*sh));
		return;
	}
	/* Threads or children the case left behind go with it. */
	kill(-pid, SIGKILL);
	o->res = sh->res;
	o->res.notes[sizeof(o->res.notes) - 1] = '\0';
	o->res.reason[sizeof(o->res.reason) - 1] = '\0';
	if (WIFSIGNALED(status)) {
		o->res.result = PFN_PASS;	/* let the crash be the reason */
		conform_fail_as(&o->res, CONFORM_REASON_CRASHED, "the case's process died of %s%s",
				sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "a signal",
				WTERMSIG(status) == SIGBUS ? " (SIGBUS: a BAR mmap was touched while it was zapped)" : "");
	} else if (!sh->done) {
		o->res.result = PFN_PASS;
		conform_fail_as(&o->res, CONFORM_REASON_CRASHED,
				"the case's process exited with status %d before reporting a result",
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	munmap(sh, sizeof(*sh));
}

static void run_one(const struct conform_ctx *ctx, const struct conform_options *opt,
		    struct outcome *o)
{
	double t0 = now_seconds();

	memset(&o->res, 0, sizeof(o->res));
	o->res.result = PFN_PASS;
	if ((o->c->needs & CONFORM_NEEDS_DMA) && !ctx->dma_bdf[0])
		conform_skip(&o->res, "needs a DMA-capable device: %s", ctx->dma_why);
	else if ((o->c->needs & CONFORM_NEEDS_MEMORY) && !ctx->target_is_memory)
		conform_skip(&o->res, "the target BAR does not behave as memory: %s",
			     ctx->target_memory_why);
	else {
		pfn_kmsg_mark("conform case %s start", o->c->id);
		run_isolated(ctx, opt, o);
		pfn_kmsg_mark("conform case %s end", o->c->id);
	}
	o->seconds = now_seconds() - t0;
}

static void report_ktap(struct pfn_ktap *k, const struct outcome *o)
{
	char label[128], reason[PFN_ERR_MSG_MAX + 48];
	const char *line = o->res.notes, *nl;

	while (*line) {
		nl = strchr(line, '\n');
		pfn_ktap_diag(k, "%s: %.*s", o->c->id, nl ? (int)(nl - line) : (int)strlen(line),
			      line);
		line = nl ? nl + 1 : line + strlen(line);
	}
	if (o->deviation[0])
		pfn_ktap_diag(k, "%s: DEVIATION from the expected outcomes: %s", o->c->id,
			      o->deviation);
	case_label(o->c, label, sizeof(label));
	if (o->res.code != CONFORM_REASON_NONE)
		snprintf(reason, sizeof(reason), "%s[%s] %s", o->res.finding ? "FINDING: " : "",
			 conform_reason_name(o->res.code), o->res.reason);
	else
		snprintf(reason, sizeof(reason), "%s%s", o->res.finding ? "FINDING: " : "",
			 o->res.reason);
	pfn_ktap_result(k, o->res.result, label, reason[0] ? reason : NULL);
}

static const char *result_name(enum pfn_result r)
{
	switch (r) {
	case PFN_PASS:
		return "pass";
	case PFN_SKIP:
		return "skip";
	case PFN_XFAIL:
		return "xfail";
	case PFN_FAIL:
		break;
	}
	return "fail";
}

static void write_tests(struct pfn_json *j, const struct outcome *out, size_t n)
{
	pfn_json_key(j, "tests");
	pfn_json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		const struct outcome *o = &out[i];

		pfn_json_object_begin(j);
		pfn_json_kv_string(j, "id", o->c->id);
		pfn_json_kv_string(j, "name", o->c->name);
		pfn_json_kv_string(j, "requirement", o->c->req);
		pfn_json_kv_string(j, "result", result_name(o->res.result));
		pfn_json_kv_bool(j, "finding", o->res.finding);
		if (o->res.code != CONFORM_REASON_NONE)
			pfn_json_kv_string(j, "reason_code", conform_reason_name(o->res.code));
		pfn_json_kv_string(j, "reason", o->res.reason);
		pfn_json_kv_string(j, "notes", o->res.notes);
		if (o->deviation[0])
			pfn_json_kv_string(j, "deviation", o->deviation);
		pfn_json_key(j, "seconds");
		pfn_json_double(j, o->seconds);
		pfn_json_object_end(j);
	}
	pfn_json_array_end(j);
}

static int write_json(const char *path, const struct conform_ctx *ctx,
		      const struct conform_options *opt, const struct outcome *out, size_t n,
		      double seconds, unsigned int deviations)
{
	unsigned int pass = 0, fail = 0, skip = 0, findings = 0;
	struct pfn_file_tx tx;
	struct pfn_json j;
	struct pfn_err err;
	int ret;

	for (size_t i = 0; i < n; i++) {
		pass += out[i].res.result == PFN_PASS;
		skip += out[i].res.result == PFN_SKIP;
		fail += out[i].res.result == PFN_FAIL;
		findings += out[i].res.result == PFN_XFAIL;
	}
	ret = pfn_file_begin(&tx, path, &err);
	if (ret)
		return ret;
	pfn_json_init(&j, tx.f);
	pfn_json_object_begin(&j);
	pfn_json_kv_string(&j, "schema", "pfnsuite-conformance/1");
	pfn_json_key(&j, "config");
	pfn_json_object_begin(&j);
	pfn_json_kv_string(&j, "target_device", ctx->target_bdf);
	pfn_json_kv_uint(&j, "target_bar", ctx->target_bar);
	pfn_json_kv_uint(&j, "target_bar_size", ctx->target_bar_size);
	pfn_json_kv_bool(&j, "target_bar_is_memory", ctx->target_is_memory);
	pfn_json_kv_string(&j, "dma_device", ctx->dma_bdf);
	if (ctx->vfio_container)
		pfn_json_kv_string(&j, "vfio_container", ctx->vfio_container);
	if (ctx->dma_fault)
		pfn_json_kv_string(&j, "dma_test_fault",
				   ctx->dma_fault == PFN_DMA_FAULT_SILENT ? "silent" : "hang");
	if (opt->expect_path)
		pfn_json_kv_string(&j, "expect", opt->expect_path);
	pfn_json_object_end(&j);
	write_tests(&j, out, n);
	pfn_json_key(&j, "totals");
	pfn_json_object_begin(&j);
	pfn_json_kv_uint(&j, "pass", pass);
	pfn_json_kv_uint(&j, "fail", fail);
	pfn_json_kv_uint(&j, "skip", skip);
	pfn_json_kv_uint(&j, "findings", findings);
	if (opt->expect_path)
		pfn_json_kv_uint(&j, "deviations", deviations);
	pfn_json_key(&j, "seconds");
	pfn_json_double(&j, seconds);
	pfn_json_object_end(&j);
	pfn_json_object_end(&j);
	ret = pfn_json_finish(&j);
	if (ret) {
		pfn_file_abort(&tx);
		return ret;
	}
	return pfn_file_commit(&tx, &err);
}

/* Entries of @set no case matched: each one a deviation, named. */
static unsigned int report_unseen(const struct expect_set *set, struct pfn_ktap *k)
{
	unsigned int unseen = 0;

	for (size_t i = 0; i < set->count; i++)
		if (!set->entries[i].seen) {
			pfn_ktap_diag(k, "expect: %s is in %s but no such case ran", set->entries[i].id,
				      set->path);
			unseen++;
		}
	return unseen;
}

int conform_run(const struct conform_ctx *ctx, const struct conform_options *opt)
{
	struct expect_set expect = { 0 };
	unsigned int deviations = 0;
	struct outcome *out;
	size_t total = 0, n = 0;
	struct pfn_ktap k;
	struct pfn_err err;
	double t0 = now_seconds();
	int status, ret;

	for (size_t f = 0; f < NFAMILIES; f++)
		total += *families[f].count;
	out = calloc(total, sizeof(*out));
	if (!out) {
		fprintf(stderr, "pfnsuite conform: out of memory\n");
		return 3;
	}
	for (size_t f = 0; f < NFAMILIES; f++) {
		if (families[f].selftest && !opt->selftest)
			continue;
		for (unsigned int i = 0; i < *families[f].count; i++)
			if (selected(&families[f].cases[i], opt->filter) &&
			    (!opt->stress_only || families[f].cases[i].needs & CONFORM_STRESS))
				out[n++].c = &families[f].cases[i];
	}

	if (n == 0) {
		fprintf(stderr, "pfnsuite conform: no case matches '%s' (see --list)\n",
			opt->filter ? opt->filter : "");
		free(out);
		return 2;
	}
	if (opt->list_only) {
		for (size_t i = 0; i < n; i++) {
			uint32_t needs = out[i].c->needs;

			printf("%-10s %-8s %-44s %s%s%s%s\n", out[i].c->id, out[i].c->req,
			       out[i].c->name, needs & CONFORM_NEEDS_DMA ? "dma" : "",
			       needs & CONFORM_NEEDS_DMA && needs & CONFORM_NEEDS_MEMORY ? "," : "",
			       needs & CONFORM_NEEDS_MEMORY ? "memory" : "",
			       needs & (CONFORM_NEEDS_DMA | CONFORM_NEEDS_MEMORY) ? "" : "-");
		}
		free(out);
		return 0;
	}
	if (opt->expect_path && expect_load(&expect, opt->expect_path, &err)) {
		fprintf(stderr, "pfnsuite conform: %s\n", err.msg);
		free(out);
		return 2;
	}

	pfn_ktap_begin(&k, stdout, (int)n);
	pfn_ktap_diag(&k, "pfnsuite conform: target %s BAR%u (%llu bytes, %s), DMA device %s",
		      ctx->target_bdf, ctx->target_bar,
		      (unsigned long long)ctx->target_bar_size,
		      ctx->target_is_memory ? "behaves as memory" : "not memory",
		      ctx->dma_bdf[0] ? ctx->dma_bdf : "none");
	if (ctx->vfio_container)
		pfn_ktap_diag(&k, "/dev/vfio/vfio: %s", ctx->vfio_container);
	if (ctx->dma_fault)
		pfn_ktap_diag(&k, "TEST-ONLY: the DMA engine is deliberately dead (%s): every DMA-proven case must fail rig_broken",
			      ctx->dma_fault == PFN_DMA_FAULT_SILENT ? "reports success, moves nothing" :
			      "never completes");
	for (size_t i = 0; i < n; i++) {
		run_one(ctx, opt, &out[i]);
		if (opt->expect_path && !expect_check(&expect, out[i].c->id, out[i].res.result,
						      out[i].res.reason, out[i].deviation,
						      sizeof(out[i].deviation)))
			deviations++;
		report_ktap(&k, &out[i]);
	}
	if (opt->expect_path) {
		/* With a filter, cases left out are not missing. */
		if (!opt->filter && !opt->stress_only)
			deviations += report_unseen(&expect, &k);
		pfn_ktap_diag(&k, "expected outcomes (%s): %u deviation(s)", opt->expect_path,
			      deviations);
	}
	status = pfn_ktap_end(&k);
	if (deviations)
		status = 1;
	if (opt->json_path) {
		ret = write_json(opt->json_path, ctx, opt, out, n, now_seconds() - t0, deviations);
		if (ret) {
			fprintf(stderr, "pfnsuite conform: writing %s: %s\n", opt->json_path,
				strerror(-ret));
			status = 3;
		}
	}
	expect_free(&expect);
	free(out);
	return status;
}
