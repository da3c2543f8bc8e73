// SPDX-License-Identifier: GPL-2.0-only
/* Google Benchmark JSON -> bench.json: see fold.h. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "fold.h"
#include "harness/json_scan.h"
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

struct fold {
	struct metric *m;
	size_t nm;
	struct outcome *o;
	size_t no;
};

/* Copy a JSON string's contents, decoding the simple escapes. */
static void unescape(struct json_span s, char *out, size_t len)
{
	size_t k = 0;

	for (const char *p = s.p; p < s.end && k + 1 < len; p++) {
		char c = *p;

		if (c == '\\' && p + 1 < s.end) {
			c = *++p;
			switch (c) {
			case 'n':
			case 't':
			case 'r':
				c = ' ';
				break;
			case 'u':
				p += p + 4 < s.end ? 4 : 0;
				c = '?';
				break;
			default:
				break;	/* \" \\ \/ */
			}
		}
		out[k++] = c;
	}
	out[k] = '\0';
}

static bool get_str(struct json_span obj, const char *key, char *out, size_t len)
{
	struct json_span v, s;

	if (!json_get(obj, key, &v) || !json_str(v, &s))
		return false;
	unescape(s, out, len);
	return true;
}

static bool get_true(struct json_span obj, const char *key)
{
	struct json_span v;

	return json_get(obj, key, &v) && json_span_is(v, "true");
}

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

static double to_us(double v, const char *unit)
{
	if (!strcmp(unit, "ns"))
		return v / 1e3;
	if (!strcmp(unit, "ms"))
		return v * 1e3;
	if (!strcmp(unit, "s"))
		return v * 1e6;
	return v;
}

static struct metric *metric_for(struct fold *f, const char *bench, const struct quantity *q)
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

static int add_outcome(struct fold *f, const char *bench, const char *msg)
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

static int fold_run(struct fold *f, struct json_span run, struct pfn_err *err)
{
	char name[NAME_MAX_LEN], type[32], unit[8], msg[REASON_MAX_LEN], label[REASON_MAX_LEN];
	struct json_span v;
	double x;

	if (!get_str(run, "run_name", name, sizeof(name)) &&
	    !get_str(run, "name", name, sizeof(name)))
		return pfn_fail(err, EINVAL, "a benchmark run has no name");
	if (get_str(run, "run_type", type, sizeof(type)) && strcmp(type, "iteration"))
		return 0;	/* aggregates: recomputed from the samples */
	clean_name(name);
	if (get_true(run, "error_occurred")) {
		if (!get_str(run, "error_message", msg, sizeof(msg)))
			snprintf(msg, sizeof(msg), "error without a message");
		return add_outcome(f, name, msg) ? pfn_fail(err, ENOMEM, "out of memory") : 0;
	}
	if (!get_str(run, "time_unit", unit, sizeof(unit)))
		snprintf(unit, sizeof(unit), "ns");
	if (!get_str(run, "label", label, sizeof(label)))
		label[0] = '\0';
	for (size_t i = 0; i < NQUANT; i++) {
		const struct quantity *q = &quantities[i];
		struct metric *m;

		if (!json_get(run, q->counter ? q->counter : "real_time", &v))
			continue;
		if (!json_num(v, &x))
			return pfn_fail(err, EINVAL, "%s: %s is not a number", name,
					q->counter ? q->counter : "real_time");
		if (!q->counter)
			x = to_us(x, unit);
		m = metric_for(f, name, q);
		if (!m || add_sample(m, x))
			return pfn_fail(err, ENOMEM, "out of memory");
		if (label[0])
			snprintf(m->note, sizeof(m->note), "%s", label);
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

static void write_outcomes(struct pfn_json *j, const struct fold *f, bool fatal)
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

static void fold_free(struct fold *f)
{
	for (size_t i = 0; i < f->nm; i++)
		free(f->m[i].samples);
	free(f->m);
	free(f->o);
}

int bench_fold_buf(const char *doc, size_t len, const char *gbench_file, FILE *out,
		   struct fold_summary *sum, struct pfn_err *err)
{
	struct json_span root = json_root(doc, len), runs, run, context;
	struct fold f = { 0 };
	struct pfn_json j;
	int ret = 0;

	memset(sum, 0, sizeof(*sum));
	if (!json_get(root, "benchmarks", &runs) || *runs.p != '[')
		return pfn_fail(err, EINVAL, "not a Google Benchmark JSON report (no \"benchmarks\" array)");
	if (!json_get(root, "context", &context) || *context.p != '{')
		return pfn_fail(err, EINVAL, "not a Google Benchmark JSON report (no \"context\" object)");
	while (!ret && json_next(&runs, NULL, &run))
		ret = *run.p == '{' ? fold_run(&f, run, err) :
				      pfn_fail(err, EINVAL, "a benchmark run is not an object");
	if (ret)
		goto out;

	pfn_json_init(&j, out);
	pfn_json_object_begin(&j);
	pfn_json_kv_string(&j, "schema", "pfnsuite-bench/1");
	pfn_json_key(&j, "metadata");
	ret = bench_meta_write(&j, context, gbench_file, err);
	if (ret)
		goto out;
	pfn_json_key(&j, "metrics");
	pfn_json_array_begin(&j);
	for (size_t i = 0; i < f.nm; i++)
		write_metric(&j, &f.m[i]);
	pfn_json_array_end(&j);
	write_outcomes(&j, &f, false);
	write_outcomes(&j, &f, true);
	pfn_json_object_end(&j);
	ret = pfn_json_finish(&j);
	if (ret) {
		pfn_fail(err, -ret, "bench.json writer misuse");
		goto out;
	}
	fputc('\n', out);
	sum->metrics = f.nm;
	for (size_t i = 0; i < f.no; i++)
		f.o[i].fatal ? sum->errors++ : sum->skipped++;
out:
	fold_free(&f);
	return ret;
}

static char *read_all(const char *path, size_t *len, struct pfn_err *err)
{
	size_t cap = 1 << 16, n = 0, r;
	char *buf = malloc(cap), *p;
	FILE *in = fopen(path, "re");

	if (!in || !buf) {
		if (in)
			fclose(in);
		free(buf);
		if (!in)
			pfn_fail_errno(err, "opening %s", path);
		else
			pfn_fail(err, ENOMEM, "out of memory reading %s", path);
		return NULL;
	}
	while ((r = fread(buf + n, 1, cap - n - 1, in)) > 0) {
		n += r;
		if (n + 1 < cap)
			continue;
		p = realloc(buf, cap * 2);
		if (!p) {
			pfn_fail(err, ENOMEM, "out of memory reading %s", path);
			goto fail;
		}
		buf = p;
		cap *= 2;
	}
	if (ferror(in)) {
		pfn_fail(err, EIO, "reading %s failed", path);
		goto fail;
	}
	fclose(in);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(in);
	free(buf);
	return NULL;
}

int bench_fold(const char *gbench_path, const char *out_path, struct fold_summary *sum,
	       struct pfn_err *err)
{
	const char *base = strrchr(gbench_path, '/');
	struct pfn_file_tx tx;
	size_t len;
	char *doc;
	int ret;

	doc = read_all(gbench_path, &len, err);
	if (!doc)
		return -err->code;
	ret = pfn_file_begin(&tx, out_path, err);
	if (ret) {
		free(doc);
		return ret;
	}
	ret = bench_fold_buf(doc, len, base ? base + 1 : gbench_path, tx.f, sum, err);
	free(doc);
	if (ret) {
		pfn_file_abort(&tx);
		return bench_err_prefix(err, gbench_path);
	}
	return pfn_file_commit(&tx, err);
}
