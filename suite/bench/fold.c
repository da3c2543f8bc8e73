// SPDX-License-Identifier: GPL-2.0-only
/* Google Benchmark's reported runs -> bench.json: see fold.h. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "fold.h"
#include "harness/pfnbench.h"
#include "meta.h"
#include "pfn/file.h"
#include "pfn/json.h"

#define NAME_MAX_LEN 256
#define REASON_MAX_LEN 512

/* Counters the benchmarks set, and how they are reported. */
static const struct quantity {
	const char *counter;	/* Google Benchmark key; NULL: real_time */
	const char *name;
	const char *unit;
} quantities[] = {
	{ NULL, "time", "us" },
	{ "faults", "faults", "faults" },
	{ "faults_per_gib", "faults_per_gib", "faults/GiB" },
	{ "gone_us", "gone_time", "us" },
	{ "npt_faults", "npt_faults", "faults" },
	{ "slot_setup_us", "setup_time", "us" },
	{ "first_access_us", "first_access_time", "us" },
	{ "iommu_map_ops", "iommu_map_ops", "ops" },
	{ "iommu_map_ops_per_gib", "iommu_map_ops_per_gib", "ops/GiB" },
	{ "iommu_map_bytes_4k", "iommu_map_bytes_4k", "bytes" },
	{ "iommu_map_bytes_2m", "iommu_map_bytes_2m", "bytes" },
	{ "iommu_map_bytes_1g", "iommu_map_bytes_1g", "bytes" },
	{ "iommu_unmap_ops", "iommu_unmap_ops", "ops" },
};

#define NQUANT (sizeof(quantities) / sizeof(quantities[0]))

struct metric {
	char bench[NAME_MAX_LEN];
	const struct quantity *q;
	char note[REASON_MAX_LEN];
	double *samples;
	size_t n;
};

struct outcome {
	char bench[NAME_MAX_LEN];
	char reason[REASON_MAX_LEN];
	bool fatal;
};

struct bench_fold {
	struct metric *m;
	size_t nm;
	struct outcome *o;
	size_t no;
};

/*
 * Benchmark name from a run name: drop the components Google Benchmark
 * appends for settings ("iterations:N", "repeats:N", "manual_time", ...).
 */
static void clean_name(char *name)
{
	static const char *const drop[] = { "iterations:", "repeats:", "min_time:", "threads:",
					    "manual_time", "real_time", "process_time" };
	char *slash;
	bool again = true;

	while (again && (slash = strrchr(name, '/'))) {
		again = false;
		for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
			if (!strncmp(slash + 1, drop[i], strlen(drop[i]))) {
				*slash = '\0';
				again = true;
				break;
			}
	}
}

static struct metric *metric_for(struct bench_fold *f, const char *bench, const struct quantity *q)
{
	struct metric *m;

	for (size_t i = 0; i < f->nm; i++)
		if (f->m[i].q == q && !strcmp(f->m[i].bench, bench))
			return &f->m[i];
	m = realloc(f->m, (f->nm + 1) * sizeof(*m));
	if (!m)
		return NULL;
	f->m = m;
	m = &f->m[f->nm++];
	memset(m, 0, sizeof(*m));
	snprintf(m->bench, sizeof(m->bench), "%s", bench);
	m->q = q;
	return m;
}

static int add_sample(struct metric *m, double v)
{
	double *s = realloc(m->samples, (m->n + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	m->samples = s;
	s[m->n++] = v;
	return 0;
}

static int add_outcome(struct bench_fold *f, const char *bench, const char *msg)
{
	struct outcome *o;

	for (size_t i = 0; i < f->no; i++)
		if (!strcmp(f->o[i].bench, bench))
			return 0;
	o = realloc(f->o, (f->no + 1) * sizeof(*o));
	if (!o)
		return -ENOMEM;
	f->o = o;
	o = &f->o[f->no++];
	snprintf(o->bench, sizeof(o->bench), "%s", bench);
	o->fatal = strncmp(msg, "SKIP: ", 6) != 0;
	snprintf(o->reason, sizeof(o->reason), "%s", o->fatal ? msg : msg + 6);
	if (!strncmp(o->reason, "ERROR: ", 7))
		memmove(o->reason, o->reason + 7, strlen(o->reason + 7) + 1);
	return 0;
}

/* One reported run: a repetition's samples, or its error; aggregates are recomputed. */
int bench_fold_result(const struct pfnbench_result *r, void *fold)
{
	struct bench_fold *f = fold;
	char name[NAME_MAX_LEN];

	if (r->aggregate_name[0])
		return 0;
	snprintf(name, sizeof(name), "%s", r->name);
	clean_name(name);
	if (r->error)
		return add_outcome(f, name, r->error[0] ? r->error : "error without a message");
	for (size_t i = 0; i < NQUANT; i++) {
		const struct quantity *q = &quantities[i];
		const struct pfnbench_counter *c = NULL;
		struct metric *m;

		for (size_t k = 0; q->counter && k < r->nr_counters && !c; k++)
			if (!strcmp(r->counters[k].name, q->counter))
				c = &r->counters[k];
		if (q->counter && !c)
			continue;
		m = metric_for(f, name, q);
		if (!m || add_sample(m, c ? c->value : r->real_time_us))
			return -ENOMEM;
		if (r->label[0])
			snprintf(m->note, sizeof(m->note), "%s", r->label);
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* "GROUP/PATH/k:v/..." -> group, path and integer params. */
static void write_name_parts(struct pfn_json *j, const char *bench)
{
	char buf[NAME_MAX_LEN], *save = NULL, *tok;
	int part = 0;

	snprintf(buf, sizeof(buf), "%s", bench);
	pfn_json_key(j, "params");
	pfn_json_object_begin(j);
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save), part++) {
		char *colon = strchr(tok, ':');

		if (part < 2 || !colon)
			continue;
		*colon = '\0';
		pfn_json_key(j, tok);
		pfn_json_int(j, strtoll(colon + 1, NULL, 10));
	}
	pfn_json_object_end(j);
	snprintf(buf, sizeof(buf), "%s", bench);
	tok = strtok_r(buf, "/", &save);
	pfn_json_kv_string(j, "group", tok ? tok : "");
	tok = tok ? strtok_r(NULL, "/", &save) : NULL;
	pfn_json_kv_string(j, "path", tok ? tok : "");
}

static void write_metric(struct pfn_json *j, struct metric *m)
{
	char name[NAME_MAX_LEN + 32];
	double *sorted;

	snprintf(name, sizeof(name), "%s.%s", m->bench, m->q->name);
	pfn_json_object_begin(j);
	pfn_json_kv_string(j, "name", name);
	pfn_json_kv_string(j, "benchmark", m->bench);
	write_name_parts(j, m->bench);
	pfn_json_kv_string(j, "quantity", m->q->name);
	pfn_json_kv_string(j, "unit", m->q->unit);
	pfn_json_kv_string(j, "direction", "lower_is_better");
	pfn_json_key(j, "samples");
	pfn_json_array_begin(j);
	for (size_t i = 0; i < m->n; i++)
		pfn_json_double(j, m->samples[i]);
	pfn_json_array_end(j);
	/* Written in repetition order above; sorted for the statistics. */
	sorted = m->samples;
	pfn_json_key(j, "median");
	pfn_json_double(j, bench_median(sorted, m->n));	/* sorts */
	pfn_json_key(j, "min");
	pfn_json_double(j, sorted[0]);
	pfn_json_key(j, "max");
	pfn_json_double(j, sorted[m->n - 1]);
	pfn_json_kv_uint(j, "n", m->n);
	if (m->note[0])
		pfn_json_kv_string(j, "note", m->note);
	pfn_json_object_end(j);
}

static void write_outcomes(struct pfn_json *j, const struct bench_fold *f, bool fatal)
{
	pfn_json_key(j, fatal ? "errors" : "skipped");
	pfn_json_array_begin(j);
	for (size_t i = 0; i < f->no; i++) {
		if (f->o[i].fatal != fatal)
			continue;
		pfn_json_object_begin(j);
		pfn_json_kv_string(j, "benchmark", f->o[i].bench);
		pfn_json_kv_string(j, "reason", f->o[i].reason);
		pfn_json_object_end(j);
	}
	pfn_json_array_end(j);
}

struct bench_fold *bench_fold_new(void)
{
	return calloc(1, sizeof(struct bench_fold));
}

void bench_fold_free(struct bench_fold *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nm; i++)
		free(f->m[i].samples);
	free(f->m);
	free(f->o);
	free(f);
}

int bench_fold_write(struct bench_fold *f, const struct bench_meta *meta, const char *gbench_file,
		     FILE *out, struct fold_summary *sum, struct pfn_err *err)
{
	struct pfn_json j;
	int ret;

	memset(sum, 0, sizeof(*sum));
	pfn_json_init(&j, out);
	pfn_json_object_begin(&j);
	pfn_json_kv_string(&j, "schema", "pfnsuite-bench/1");
	pfn_json_key(&j, "metadata");
	bench_meta_write(&j, meta, gbench_file, pfnbench_library_build_type());
	pfn_json_key(&j, "metrics");
	pfn_json_array_begin(&j);
	for (size_t i = 0; i < f->nm; i++)
		write_metric(&j, &f->m[i]);
	pfn_json_array_end(&j);
	write_outcomes(&j, f, false);
	write_outcomes(&j, f, true);
	pfn_json_object_end(&j);
	ret = pfn_json_finish(&j);
	if (ret)
		return pfn_fail(err, -ret, "bench.json writer misuse");
	fputc('\n', out);
	sum->metrics = f->nm;
	for (size_t i = 0; i < f->no; i++)
		f->o[i].fatal ? sum->errors++ : sum->skipped++;
	return 0;
}

int bench_fold_publish(struct bench_fold *f, const struct bench_meta *meta, const char *gbench_file,
		       const char *out_path, struct fold_summary *sum, struct pfn_err *err)
{
	struct pfn_file_tx tx;
	int ret = pfn_file_begin(&tx, out_path, err);

	if (ret)
		return ret;
	ret = bench_fold_write(f, meta, gbench_file, tx.f, sum, err);
	if (ret) {
		pfn_file_abort(&tx);
		return ret;
	}
	return pfn_file_commit(&tx, err);
}
