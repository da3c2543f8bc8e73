// SPDX-License-Identifier: GPL-2.0-only
/* Runs conformance cases: KTAP on stdout, JSON results on request. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conform.h"
#include "pfn/json.h"

struct family {
	const char *name;
	const struct conform_case *cases;
	const unsigned int *count;
};

static const struct family families[] = {
	{ "export", conform_export_cases, &conform_export_count },
	{ "import", conform_import_cases, &conform_import_count },
	{ "revoke", conform_revoke_cases, &conform_revoke_count },
	{ "lifetime", conform_life_cases, &conform_life_count },
	{ "race", conform_race_cases, &conform_race_count },
	{ "model", conform_model_cases, &conform_model_count },
	{ "kvm", conform_kvm_cases, &conform_kvm_count },
	/* last: it removes the target device for the rest of the boot */
	{ "unplug", conform_unplug_cases, &conform_unplug_count },
};

#define NFAMILIES (sizeof(families) / sizeof(families[0]))

struct outcome {
	const struct conform_case *c;
	struct conform_result res;
	double seconds;
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
	char label[128];

	if (!filter)
		return true;
	case_label(c, label, sizeof(label));
	return fnmatch(filter, label, 0) == 0 || fnmatch(filter, c->id, 0) == 0;
}

static void run_one(const struct conform_ctx *ctx, struct outcome *o)
{
	double t0 = now_seconds();

	memset(&o->res, 0, sizeof(o->res));
	o->res.result = PFN_PASS;
	if ((o->c->needs & CONFORM_NEEDS_DMA) && !ctx->dma_bdf[0])
		conform_skip(&o->res, "needs a DMA-capable device: %s", ctx->dma_why);
	else
		o->c->run(ctx, &o->res);
	o->seconds = now_seconds() - t0;
}

static void report_ktap(struct pfn_ktap *k, const struct outcome *o)
{
	char label[128], reason[PFN_ERR_MSG_MAX + 16];
	const char *line = o->res.notes, *nl;

	while (*line) {
		nl = strchr(line, '\n');
		pfn_ktap_diag(k, "%s: %.*s", o->c->id, nl ? (int)(nl - line) : (int)strlen(line),
			      line);
		line = nl ? nl + 1 : line + strlen(line);
	}
	case_label(o->c, label, sizeof(label));
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

static int write_json(const char *path, const struct conform_ctx *ctx,
		      const struct outcome *out, size_t n, double seconds)
{
	unsigned int pass = 0, fail = 0, skip = 0, findings = 0;
	struct pfn_json j;
	FILE *f;
	int ret;

	f = fopen(path, "we");
	if (!f)
		return -errno;
	pfn_json_init(&j, f);
	pfn_json_object_begin(&j);
	pfn_json_kv_string(&j, "schema", "pfnsuite-conformance/1");
	pfn_json_key(&j, "config");
	pfn_json_object_begin(&j);
	pfn_json_kv_string(&j, "target_device", ctx->target_bdf);
	pfn_json_kv_uint(&j, "target_bar", ctx->target_bar);
	pfn_json_kv_uint(&j, "target_bar_size", ctx->target_bar_size);
	pfn_json_kv_string(&j, "dma_device", ctx->dma_bdf);
	pfn_json_object_end(&j);
	pfn_json_key(&j, "tests");
	pfn_json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		const struct outcome *o = &out[i];

		pass += o->res.result == PFN_PASS;
		skip += o->res.result == PFN_SKIP;
		fail += o->res.result == PFN_FAIL;
		findings += o->res.result == PFN_XFAIL;
		pfn_json_object_begin(&j);
		pfn_json_kv_string(&j, "id", o->c->id);
		pfn_json_kv_string(&j, "name", o->c->name);
		pfn_json_kv_string(&j, "requirement", o->c->req);
		pfn_json_kv_string(&j, "result", result_name(o->res.result));
		pfn_json_kv_bool(&j, "finding", o->res.finding);
		pfn_json_kv_string(&j, "reason", o->res.reason);
		pfn_json_kv_string(&j, "notes", o->res.notes);
		pfn_json_key(&j, "seconds");
		pfn_json_double(&j, o->seconds);
		pfn_json_object_end(&j);
	}
	pfn_json_array_end(&j);
	pfn_json_key(&j, "totals");
	pfn_json_object_begin(&j);
	pfn_json_kv_uint(&j, "pass", pass);
	pfn_json_kv_uint(&j, "fail", fail);
	pfn_json_kv_uint(&j, "skip", skip);
	pfn_json_kv_uint(&j, "findings", findings);
	pfn_json_key(&j, "seconds");
	pfn_json_double(&j, seconds);
	pfn_json_object_end(&j);
	pfn_json_object_end(&j);
	ret = pfn_json_finish(&j);
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

int conform_run(const struct conform_ctx *ctx, const struct conform_options *opt)
{
	struct outcome *out;
	size_t total = 0, n = 0;
	struct pfn_ktap k;
	double t0 = now_seconds();
	int status, ret;

	for (size_t f = 0; f < NFAMILIES; f++)
		total += *families[f].count;
	out = calloc(total, sizeof(*out));
	if (!out) {
		fprintf(stderr, "pfnsuite conform: out of memory\n");
		return 1;
	}
	for (size_t f = 0; f < NFAMILIES; f++)
		for (unsigned int i = 0; i < *families[f].count; i++)
			if (selected(&families[f].cases[i], opt->filter))
				out[n++].c = &families[f].cases[i];

	if (opt->list_only) {
		for (size_t i = 0; i < n; i++)
			printf("%-9s %-8s %s\n", out[i].c->id, out[i].c->req, out[i].c->name);
		free(out);
		return 0;
	}
	if (n == 0) {
		fprintf(stderr, "pfnsuite conform: no case matches '%s' (see --list)\n",
			opt->filter ? opt->filter : "");
		free(out);
		return 2;
	}

	pfn_ktap_begin(&k, stdout, (int)n);
	pfn_ktap_diag(&k, "pfnsuite conform: target %s BAR%u (%llu bytes), DMA device %s",
		      ctx->target_bdf, ctx->target_bar,
		      (unsigned long long)ctx->target_bar_size,
		      ctx->dma_bdf[0] ? ctx->dma_bdf : "none");
	for (size_t i = 0; i < n; i++) {
		run_one(ctx, &out[i]);
		report_ktap(&k, &out[i]);
	}
	status = pfn_ktap_end(&k);
	if (opt->json_path) {
		ret = write_json(opt->json_path, ctx, out, n, now_seconds() - t0);
		if (ret) {
			fprintf(stderr, "pfnsuite conform: writing %s: %s\n", opt->json_path,
				strerror(-ret));
			status = 1;
		}
	}
	free(out);
	return status;
}
