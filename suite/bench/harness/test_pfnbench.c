// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host test of the pfnbench C API.
 *
 * Registers C benchmarks that use every part of pfnbench.h, runs them with
 * JSON output to a temporary file and the console output captured, and
 * checks the report. Prints one "ok"/"not ok" line per check, each with
 * what it expected and got, and ends with "N passed, N failed". Exits 0
 * only if nothing failed.
 */
#define _POSIX_C_SOURCE 200809L

#include "json_scan.h"
#include "pfnbench.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Manual time reported per iteration, seconds. */
#define MANUAL_ITER_TIME 1e-3
#define MANUAL_ITERS 100
/* Wall time spent per iteration of bm_pause, seconds. */
#define PAUSE_SPIN_TIME 1e-3

/* ---- checks ---- */

static unsigned int n_passed, n_failed;
/* The check lines, held until the plan is known: KTAP parsers want it first. */
static FILE *held;
static char *held_lines;
static size_t held_len;

/* Print the plan (unless bailing out) and the held check lines. */
static void print_held(bool plan)
{
	if (plan)
		printf("1..%u\n", n_passed + n_failed);
	if (!held)
		return;
	fclose(held);
	held = NULL;
	fwrite(held_lines, 1, held_len, stdout);
	free(held_lines);
}

static __attribute__((format(printf, 2, 3))) void check(bool ok, const char *fmt, ...)
{
	FILE *out = held ? held : stdout;
	va_list ap;

	fprintf(out, "%sok %u - ", ok ? "" : "not ", n_passed + n_failed + 1);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	if (ok)
		n_passed++;
	else
		n_failed++;
}

static void check_rc(const char *what, int want, int got)
{
	check(want == got, "%s: expected %d, got %d", what, want, got);
}

/* ---- report lookups ---- */

static struct json_span report;

/* The @nth (from 0) entry of "benchmarks" named @name. */
static bool find_bench(const char *name, unsigned int nth, struct json_span *obj)
{
	struct json_span list, it, val, str;

	if (!json_get(report, "benchmarks", &list) || *list.p != '[')
		return false;
	it = list;
	while (json_next(&it, NULL, obj))
		if (json_get(*obj, "name", &val) && json_str(val, &str) &&
		    json_span_is(str, name) && !nth--)
			return true;
	return false;
}

static unsigned int count_benches(const char *name)
{
	struct json_span obj;
	unsigned int n = 0;

	while (find_bench(name, n, &obj))
		n++;
	return n;
}

/* Field @key of benchmark @name as a number, or NAN. */
static double bench_num(const char *name, const char *key)
{
	struct json_span obj, val;
	double num;

	if (find_bench(name, 0, &obj) && json_get(obj, key, &val) && json_num(val, &num))
		return num;
	return NAN;
}

static void check_value(bool ok, const char *name, const char *key, const char *want,
			double got)
{
	if (isnan(got))
		check(false, "%s %s: expected %s, got no such benchmark or field", name, key, want);
	else
		check(ok, "%s %s: expected %s, got %.9g", name, key, want, got);
}

static void check_between(const char *name, const char *key, double lo, double hi)
{
	double got = bench_num(name, key);
	char want[64];

	if (lo == hi)
		snprintf(want, sizeof(want), "%g", lo);
	else
		snprintf(want, sizeof(want), "%g..%g", lo, hi);
	check_value(got >= lo && got <= hi, name, key, want, got);
}

static void check_num(const char *name, const char *key, double want)
{
	check_between(name, key, want, want);
}

static void check_near(const char *name, const char *key, double want, double rel)
{
	double got = bench_num(name, key);
	char buf[64];

	snprintf(buf, sizeof(buf), "%g (within %g%%)", want, rel * 100);
	check_value(fabs(got - want) <= fabs(want) * rel, name, key, buf, got);
}

static void check_str(const char *name, const char *key, const char *want)
{
	struct json_span obj, val = { "", "" }, str;
	bool ok = find_bench(name, 0, &obj) && json_get(obj, key, &val);

	if (ok && json_str(val, &str))
		val = str;
	check(ok && json_span_is(val, want), "%s %s: expected \"%s\", got \"%.*s\"", name, key,
	      want, (int)(val.end - val.p), val.p);
}

/* Checks a literal (true, false, null) value; a NULL @want means no @key. */
static void check_literal(const char *name, const char *key, const char *want)
{
	static const char none[] = "(none)";
	struct json_span obj, val = { none, none + strlen(none) };
	bool found = find_bench(name, 0, &obj) && json_get(obj, key, &val);

	check(want ? found && json_span_is(val, want) : !found, "%s %s: expected %s, got %.*s",
	      name, key, want ? want : none, (int)(val.end - val.p), val.p);
}

static void check_context(const char *key, const char *want)
{
	struct json_span ctx, val = { "", "" }, str;
	bool ok = json_get(report, "context", &ctx) && json_get(ctx, key, &val);

	if (ok && json_str(val, &str))
		val = str;
	check(ok && json_span_is(val, want), "context %s: expected \"%s\", got \"%.*s\"", key,
	      want, (int)(val.end - val.p), val.p);
}

/* ---- benchmarks ---- */

struct skip_probe {
	int bodies;
};

static void counter(struct pfnbench_state *st, const char *name, double value,
		    unsigned int flags, enum pfnbench_base base)
{
	if (pfnbench_set_counter(st, name, value, flags, base))
		pfnbench_skip_with_error(st, "pfnbench_set_counter failed");
}

static void bm_counters(struct pfnbench_state *st)
{
	int64_t bodies = 0;

	while (pfnbench_keep_running(st))
		bodies++;
	counter(st, "plain", 42, 0, PFNBENCH_BASE_1000);
	counter(st, "invariant", 3, PFNBENCH_COUNTER_ITER_INVARIANT, PFNBENCH_BASE_1000);
	counter(st, "avg", 5.0 * bodies, PFNBENCH_COUNTER_AVG_ITERATIONS, PFNBENCH_BASE_1000);
	counter(st, "bodies", bodies, 0, PFNBENCH_BASE_1000);
	counter(st, "iterations_seen", pfnbench_iterations(st), 0, PFNBENCH_BASE_1000);
	/* Invalid requests, reported back as counters. */
	counter(st, "bad_flags_rc", pfnbench_set_counter(st, "x", 1, 1u << 1, PFNBENCH_BASE_1000),
		0, PFNBENCH_BASE_1000);
	counter(st, "bad_base_rc", pfnbench_set_counter(st, "x", 1, 0, (enum pfnbench_base)999),
		0, PFNBENCH_BASE_1000);
	counter(st, "null_label_rc", pfnbench_set_label(st, NULL), 0, PFNBENCH_BASE_1000);
	if (pfnbench_set_label(st, "hello, world"))
		pfnbench_skip_with_error(st, "pfnbench_set_label failed");
}

static void bm_manual(struct pfnbench_state *st)
{
	while (pfnbench_keep_running(st))
		pfnbench_set_iteration_time(st, MANUAL_ITER_TIME);
	counter(st, "rate", 500, PFNBENCH_COUNTER_RATE, PFNBENCH_BASE_1000);
	counter(st, "inv_rate", 2, PFNBENCH_COUNTER_RATE | PFNBENCH_COUNTER_ITER_INVARIANT,
		PFNBENCH_BASE_1000);
	counter(st, "k1000", 2048, 0, PFNBENCH_BASE_1000);
	counter(st, "k1024", 2048, 0, PFNBENCH_BASE_1024);
	if (pfnbench_set_bytes_processed(st, 4096 * pfnbench_iterations(st)) ||
	    pfnbench_set_items_processed(st, pfnbench_iterations(st)))
		pfnbench_skip_with_error(st, "pfnbench_set_*_processed failed");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Spins PAUSE_SPIN_TIME per iteration, with the timer paused if range(0). */
static void bm_pause(struct pfnbench_state *st)
{
	bool paused = pfnbench_range(st, 0);
	double end;

	while (pfnbench_keep_running(st)) {
		if (paused)
			pfnbench_pause_timing(st);
		for (end = now() + PAUSE_SPIN_TIME; now() < end;)
			;
		if (paused)
			pfnbench_resume_timing(st);
	}
}

static void bm_batch(struct pfnbench_state *st)
{
	int64_t batches = 0;

	while (pfnbench_keep_running_batch(st, 8))
		batches++;
	counter(st, "batches", batches, 0, PFNBENCH_BASE_1000);
}

static void bm_args(struct pfnbench_state *st)
{
	while (pfnbench_keep_running(st))
		;
	counter(st, "a0", pfnbench_range(st, 0), 0, PFNBENCH_BASE_1000);
	counter(st, "a1", pfnbench_range(st, 1), 0, PFNBENCH_BASE_1000);
}

static void bm_one_arg(struct pfnbench_state *st)
{
	while (pfnbench_keep_running(st))
		;
	counter(st, "a0", pfnbench_range(st, 0), 0, PFNBENCH_BASE_1000);
}

static void bm_empty(struct pfnbench_state *st)
{
	while (pfnbench_keep_running(st))
		;
}

static void bm_skip_early(struct pfnbench_state *st)
{
	pfnbench_skip_with_error(st, "no exporter: ENODEV");
}

static void bm_skip_loop(struct pfnbench_state *st)
{
	struct skip_probe *probe = pfnbench_priv(st);

	probe->bodies = 0;
	while (pfnbench_keep_running(st))
		if (++probe->bodies == 3)
			pfnbench_skip_with_error(st, "stopped after 3 iterations");
}

static void bm_priv(struct pfnbench_state *st)
{
	const double *tag = pfnbench_priv(st);

	while (pfnbench_keep_running(st))
		;
	counter(st, "tag", *tag, 0, PFNBENCH_BASE_1000);
}

/* ---- registration ---- */

static const double tag_a = 7, tag_b = 11;
static struct skip_probe skip_probe;

static struct pfnbench *reg(const char *name, pfnbench_fn fn, void *priv)
{
	struct pfnbench *b = pfnbench_register(name, fn, priv);

	check(b, "register %s: expected a benchmark, got %s (errno %d)", name,
	      b ? "one" : "NULL", b ? 0 : errno);
	return b;
}

/* Registers the benchmarks; returns false if one could not be registered. */
static bool register_all(void)
{
	static const int64_t args[][2] = { { 4096, 1 }, { 65536, 2 } };
	static const char *const names[] = { "size", "mode" };
	static const char *const bad_names[] = { "size", NULL };
	struct pfnbench *b;
	size_t i;

	errno = 0;
	b = pfnbench_register(NULL, bm_empty, NULL);
	check(!b && errno == EINVAL, "register NULL name: expected NULL/EINVAL, got %s/%d",
	      b ? "non-NULL" : "NULL", errno);
	b = pfnbench_register("bm_null", NULL, NULL);
	check(!b, "register NULL fn: expected NULL, got %s", b ? "non-NULL" : "NULL");

	b = reg("bm_counters", bm_counters, NULL);
	if (!b)
		return false;
	check_rc("set_iterations(0)", -EINVAL, pfnbench_set_iterations(b, 0));
	check_rc("set_iterations(1000)", 0, pfnbench_set_iterations(b, 1000));
	check_rc("set_min_time after set_iterations", -EINVAL, pfnbench_set_min_time(b, 1));

	b = reg("bm_manual", bm_manual, NULL);
	if (!b)
		return false;
	pfnbench_use_manual_time(b);
	check_rc("set_iterations(100)", 0, pfnbench_set_iterations(b, MANUAL_ITERS));
	pfnbench_set_unit(b, PFNBENCH_UNIT_MS);

	b = reg("bm_min_time", bm_manual, NULL);
	if (!b)
		return false;
	pfnbench_use_manual_time(b);
	check_rc("set_min_time(0)", -EINVAL, pfnbench_set_min_time(b, 0));
	check_rc("set_min_time(0.05)", 0, pfnbench_set_min_time(b, 0.05));
	check_rc("set_iterations after set_min_time", -EINVAL, pfnbench_set_iterations(b, 5));

	b = reg("bm_pause", bm_pause, NULL);
	if (!b)
		return false;
	check_rc("add_arg(0)", 0, pfnbench_add_arg(b, 0));
	check_rc("add_arg(1)", 0, pfnbench_add_arg(b, 1));
	check_rc("set_arg_names(paused)", 0,
		 pfnbench_set_arg_names(b, (const char *[]){ "paused" }, 1));
	check_rc("set_iterations(20)", 0, pfnbench_set_iterations(b, 20));
	pfnbench_set_unit(b, PFNBENCH_UNIT_US);

	b = reg("bm_batch", bm_batch, NULL);
	if (!b)
		return false;

	b = reg("bm_args", bm_args, NULL);
	if (!b)
		return false;
	check_rc("set_arg_names(size, mode)", 0, pfnbench_set_arg_names(b, names, 2));
	for (i = 0; i < ARRAY_SIZE(args); i++)
		check_rc("add_args", 0, pfnbench_add_args(b, args[i], 2));
	check_rc("add_arg on 2-arg benchmark", -EINVAL, pfnbench_add_arg(b, 1));
	check_rc("add_args(n = 0)", -EINVAL, pfnbench_add_args(b, args[0], 0));
	check_rc("set_arg_names with NULL", -EINVAL, pfnbench_set_arg_names(b, bad_names, 2));

	b = reg("bm_range", bm_one_arg, NULL);
	if (!b)
		return false;
	check_rc("add_range(mult 1)", -EINVAL, pfnbench_add_range(b, 1, 64, 1));
	check_rc("add_range(lo > hi)", -EINVAL, pfnbench_add_range(b, 64, 1, 4));
	check_rc("add_range(1, 64, 4)", 0, pfnbench_add_range(b, 1, 64, 4));
	check_rc("set_arg_names(n)", 0, pfnbench_set_arg_names(b, (const char *[]){ "n" }, 1));
	check_rc("add_args on 1-arg benchmark", -EINVAL, pfnbench_add_args(b, args[0], 2));
	check_rc("set_arg_names, 2 on 1-arg", -EINVAL, pfnbench_set_arg_names(b, names, 2));

	b = reg("bm_dense", bm_one_arg, NULL);
	if (!b)
		return false;
	check_rc("add_dense_range(step 0)", -EINVAL, pfnbench_add_dense_range(b, 0, 6, 0));
	check_rc("add_dense_range(lo > hi)", -EINVAL, pfnbench_add_dense_range(b, 6, 0, 3));
	check_rc("add_dense_range(0, 6, 3)", 0, pfnbench_add_dense_range(b, 0, 6, 3));

	b = reg("bm_rep", bm_empty, NULL);
	if (!b)
		return false;
	check_rc("set_repetitions(0)", -EINVAL, pfnbench_set_repetitions(b, 0));
	check_rc("set_repetitions(3)", 0, pfnbench_set_repetitions(b, 3));
	check_rc("set_iterations(10)", 0, pfnbench_set_iterations(b, 10));

	if (!reg("bm_skip_early", bm_skip_early, NULL) ||
	    !reg("bm_skip_loop", bm_skip_loop, &skip_probe) ||
	    !reg("bm_priv_a", bm_priv, (void *)&tag_a) ||
	    !reg("bm_priv_b", bm_priv, (void *)&tag_b))
		return false;

	check_rc("add_context", 0, pfnbench_add_context("pfnbench.test", "ctx-value"));
	check_rc("add_context twice", -EEXIST, pfnbench_add_context("pfnbench.test", "other"));
	check_rc("add_context(NULL)", -EINVAL, pfnbench_add_context(NULL, "x"));
	return true;
}

/* ---- report checks ---- */

/* Reported names: fixed iterations, min time etc. show up in them. */
#define COUNTERS "bm_counters/iterations:1000"
#define MANUAL "bm_manual/iterations:100/manual_time"
#define MIN_TIME "bm_min_time/min_time:0.050/manual_time"
#define PAUSE_OFF "bm_pause/paused:0/iterations:20"
#define PAUSE_ON "bm_pause/paused:1/iterations:20"
#define REP "bm_rep/iterations:10/repeats:3"

static void check_report(void)
{
	static const char *const range_names[] = {
		"bm_range/n:1", "bm_range/n:4", "bm_range/n:16", "bm_range/n:64",
	};
	double iters, batches, real, cpu, manual_ns = MANUAL_ITER_TIME * 1e9;
	size_t i;

	check_context("pfnbench.test", "ctx-value");

	check_num(COUNTERS, "iterations", 1000);
	check_num(COUNTERS, "plain", 42);
	check_num(COUNTERS, "invariant", 3 * 1000);
	check_num(COUNTERS, "avg", 5);
	check_num(COUNTERS, "bodies", 1000);
	check_num(COUNTERS, "iterations_seen", 1000);
	check_num(COUNTERS, "bad_flags_rc", -EINVAL);
	check_num(COUNTERS, "bad_base_rc", -EINVAL);
	check_num(COUNTERS, "null_label_rc", -EINVAL);
	check_str(COUNTERS, "label", "hello, world");
	check_str(COUNTERS, "time_unit", "ns");

	/* 100 iterations of 1 ms: rates are per 0.1 s of manual time. */
	check_num(MANUAL, "iterations", MANUAL_ITERS);
	check_str(MANUAL, "time_unit", "ms");
	check_near(MANUAL, "real_time", MANUAL_ITER_TIME * 1e3, 1e-6);
	check_near(MANUAL, "rate", 500 / 0.1, 1e-6);
	check_near(MANUAL, "inv_rate", 2 * MANUAL_ITERS / 0.1, 1e-6);
	check_near(MANUAL, "bytes_per_second", 4096 * MANUAL_ITERS / 0.1, 1e-6);
	check_near(MANUAL, "items_per_second", MANUAL_ITERS / 0.1, 1e-6);
	check_num(MANUAL, "k1024", 2048);

	check_near(MIN_TIME, "real_time", manual_ns, 0.01);
	check_between(MIN_TIME, "iterations", 0.05 / MANUAL_ITER_TIME, 1e9);

	/* Wall time includes the spin unless paused; CPU time ignores preemption. */
	check_between(PAUSE_OFF, "real_time", PAUSE_SPIN_TIME * 1e6 * 0.95, 1e9);
	check_between(PAUSE_ON, "cpu_time", 0, PAUSE_SPIN_TIME * 1e6 / 2);
	check_str(PAUSE_ON, "time_unit", "us");

	iters = bench_num("bm_batch", "iterations");
	batches = bench_num("bm_batch", "batches");
	check(iters > 0 && iters == 8 * batches,
	      "bm_batch: expected iterations = 8 * batches > 0, got %g and %g", iters, batches);

	check_num("bm_args/size:4096/mode:1", "a0", 4096);
	check_num("bm_args/size:4096/mode:1", "a1", 1);
	check_num("bm_args/size:65536/mode:2", "a0", 65536);
	check_num("bm_args/size:65536/mode:2", "a1", 2);
	for (i = 0; i < ARRAY_SIZE(range_names); i++)
		check_num(range_names[i], "a0", 1 << (2 * i));
	check_num("bm_dense/0", "a0", 0);
	check_num("bm_dense/3", "a0", 3);
	check_num("bm_dense/6", "a0", 6);
	check(!count_benches("bm_dense/9"), "bm_dense/9: expected 0 entries, got %u",
	      count_benches("bm_dense/9"));

	check(count_benches(REP) == 3, REP ": expected 3 runs, got %u",
	      count_benches(REP));
	check_num(REP, "repetitions", 3);
	check_num(REP, "iterations", 10);
	check_str(REP "_mean", "aggregate_name", "mean");

	check_literal("bm_skip_early", "error_occurred", "true");
	check_str("bm_skip_early", "error_message", "no exporter: ENODEV");
	check_literal("bm_skip_loop", "error_occurred", "true");
	check_str("bm_skip_loop", "error_message", "stopped after 3 iterations");
	check(skip_probe.bodies == 3, "bm_skip_loop: expected 3 loop bodies, got %d",
	      skip_probe.bodies);
	check_literal(COUNTERS, "error_occurred", NULL);

	check_num("bm_priv_a", "tag", tag_a);
	check_num("bm_priv_b", "tag", tag_b);

	/*
	 * --benchmark_min_time=0.01 ran it for about 0.01 s (the runner checks
	 * CPU time; allow for clock differences) and, unlike the default 0.5 s,
	 * for well under 0.25 s.
	 */
	iters = bench_num("bm_priv_a", "iterations");
	real = iters * bench_num("bm_priv_a", "real_time") * 1e-9;
	cpu = iters * bench_num("bm_priv_a", "cpu_time") * 1e-9;
	check(real >= 0.009 && cpu < 0.25,
	      "bm_priv_a: expected >= 0.009 s real, < 0.25 s CPU, got %g s and %g s", real, cpu);
}

static void check_console_has(const char *out, const char *want)
{
	bool found = strstr(out, want);

	check(found, "console: expected \"%s\", got %s", want, found ? "it" : "nothing");
}

/* The console prints counters in their base and shows the context. */
static void check_console(const char *out)
{
	check_console_has(out, "k1024=2k");
	check_console_has(out, "k1000=2.048k");
	check_console_has(out, "pfnbench.test: ctx-value");
}

/* ---- running ---- */

/* Runs pfnbench_run() with stdout and stderr sent to @fd. */
/* What pfnbench_run_with() handed over, for the checks against the JSON report. */
#define MAX_SEEN 128
static struct seen {
	char name[128];
	char aggregate[16];
	int64_t repetition;
	double real_time_us;
	double inv_rate;	/* bm_manual's counter, NAN when absent */
	char error[64];
	bool has_error;
} seen[MAX_SEEN];
static unsigned int n_seen;
static int fail_with;		/* the callback's return value */

static int collect(const struct pfnbench_result *r, void *ctx)
{
	struct seen *s;

	(void)ctx;
	if (n_seen == MAX_SEEN)
		return -ENOSPC;
	s = &seen[n_seen++];
	snprintf(s->name, sizeof(s->name), "%s", r->name);
	snprintf(s->aggregate, sizeof(s->aggregate), "%s", r->aggregate_name);
	s->repetition = r->repetition_index;
	s->real_time_us = r->real_time_us;
	s->inv_rate = NAN;
	for (size_t i = 0; i < r->nr_counters; i++)
		if (!strcmp(r->counters[i].name, "inv_rate"))
			s->inv_rate = r->counters[i].value;
	s->has_error = r->error != NULL;
	snprintf(s->error, sizeof(s->error), "%s", r->error ? r->error : "");
	return fail_with;
}

static const struct seen *seen_run(const char *name, const char *aggregate, unsigned int nth)
{
	for (unsigned int i = 0; i < n_seen; i++)
		if (!strcmp(seen[i].name, name) && !strcmp(seen[i].aggregate, aggregate) && !nth--)
			return &seen[i];
	return NULL;
}

/* The callback saw what the JSON report says: the same runs, times and counters. */
static void check_seen(void)
{
	const struct seen *m = seen_run(MANUAL, "", 0), *e = seen_run("bm_skip_early", "", 0);
	unsigned int reps = 0;

	check(m && fabs(m->real_time_us - bench_num(MANUAL, "real_time") * 1e3) <=
			   1e-9 * m->real_time_us,
	      "callback: " MANUAL " real time %g us, the JSON report says %g ms", m ? m->real_time_us : NAN,
	      bench_num(MANUAL, "real_time"));
	check(m && m->inv_rate == bench_num(MANUAL, "inv_rate"),
	      "callback: " MANUAL " inv_rate %g, the JSON report says %g", m ? m->inv_rate : NAN,
	      bench_num(MANUAL, "inv_rate"));
	for (unsigned int i = 0; i < 3; i++)
		reps += seen_run(REP, "", i) && seen_run(REP, "", i)->repetition == i;
	check(reps == 3 && !seen_run(REP, "", 3), "callback: " REP " expected repetitions 0, 1, 2, got %u", reps);
	check(seen_run(REP, "mean", 0) && seen_run(REP, "mean", 0)->repetition == -1,
	      "callback: " REP " mean: expected an aggregate with repetition -1");
	check(e && e->has_error && !strcmp(e->error, "no exporter: ENODEV"),
	      "callback: bm_skip_early: expected the error message, got %s", e ? e->error : "no run");
	check(!strcmp(pfnbench_library_build_type(), "debug") || !strcmp(pfnbench_library_build_type(), "release"),
	      "library build type: expected debug or release, got %s", pfnbench_library_build_type());
}

static int run_captured_with(int fd, int argc, char **argv, pfnbench_result_fn fn);

static int run_captured(int fd, int argc, char **argv)
{
	return run_captured_with(fd, argc, argv, NULL);
}

static int run_captured_with(int fd, int argc, char **argv, pfnbench_result_fn fn)
{
	int out, err, ret;

	fflush(stdout);
	fflush(stderr);
	out = dup(STDOUT_FILENO);
	err = dup(STDERR_FILENO);
	if (out < 0 || err < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
		perror("dup");
		exit(EXIT_FAILURE);
	}
	ret = pfnbench_run_with(argc, argv, fn, NULL);
	fflush(stdout);
	fflush(stderr);
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0) {
		perror("dup2");
		exit(EXIT_FAILURE);
	}
	close(out);
	close(err);
	return ret;
}

/* Reads the file behind @fd into a NUL-terminated buffer of @len bytes. */
static char *slurp(int fd, size_t *len)
{
	char *buf = NULL, *p;
	size_t cap = 0;
	ssize_t n;

	*len = 0;
	do {
		if (cap - *len < 4096) {
			p = realloc(buf, cap += 65536);
			if (!p)
				goto fail;
			buf = p;
		}
		n = pread(fd, buf + *len, cap - *len - 1, *len);
		if (n < 0)
			goto fail;
		*len += n;
	} while (n);
	buf[*len] = '\0';
	return buf;
fail:
	free(buf);
	return NULL;
}

static int make_tmp(char *path, size_t size, const char *what)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, size, "%s/pfnbench-%s-XXXXXX", dir && *dir ? dir : "/tmp", what);
	fd = mkstemp(path);
	if (fd < 0) {
		perror(path);
		exit(EXIT_FAILURE);
	}
	return fd;
}

int main(void)
{
	char json_path[256], console_path[256], out_arg[300], *json, *console;
	char arg0[] = "test_pfnbench", bogus[] = "--no-such-flag";
	char min_time[] = "--benchmark_min_time=0.01", fmt[] = "--benchmark_out_format=json";
	char color[] = "--benchmark_color=false", nomatch[] = "--benchmark_filter=^nomatch$";
	char no_out[] = "--benchmark_out=";
	char *bad_argv[] = { arg0, min_time, bogus, NULL };
	char *run_argv[] = { arg0, out_arg, fmt, min_time, color, NULL };
	char *nomatch_argv[] = { arg0, nomatch, no_out, NULL };
	char rep_filter[] = "--benchmark_filter=^bm_rep/";
	char *rep_argv[] = { arg0, rep_filter, NULL };
	int json_fd, console_fd, ret;
	size_t len;

	printf("TAP version 13\n");
	held = open_memstream(&held_lines, &held_len);
	json_fd = make_tmp(json_path, sizeof(json_path), "json");
	console_fd = make_tmp(console_path, sizeof(console_path), "console");
	snprintf(out_arg, sizeof(out_arg), "--benchmark_out=%s", json_path);

	if (!register_all()) {
		print_held(false);
		printf("Bail out! registration failed\n");
		return EXIT_FAILURE;
	}

	ret = run_captured(console_fd, ARRAY_SIZE(bad_argv) - 1, bad_argv);
	check_rc("run with unknown flag", -EINVAL, ret);
	check(!strcmp(bad_argv[1], bogus), "unknown flag: expected argv[1] \"%s\", got \"%s\"",
	      bogus, bad_argv[1]);

	ret = run_captured_with(console_fd, ARRAY_SIZE(run_argv) - 1, run_argv, collect);
	check_rc("run", 0, ret);
	console = slurp(console_fd, &len);
	json = slurp(json_fd, &len);
	if (!json || !console) {
		print_held(false);
		printf("Bail out! cannot read the output: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	report = json_root(json, len);
	check_report();
	check_seen();
	check_console(console);

	/* The callback's error ends up as the run's result. */
	fail_with = -EIO;
	n_seen = 0;
	ret = run_captured_with(console_fd, ARRAY_SIZE(rep_argv) - 1, rep_argv, collect);
	check_rc("run whose callback fails", -EIO, ret);
	fail_with = 0;

	ret = run_captured(console_fd, ARRAY_SIZE(nomatch_argv) - 1, nomatch_argv);
	check_rc("run matching no benchmark", -ENOENT, ret);

	print_held(true);
	if (n_failed) {
		printf("# JSON report: %s\n# console output: %s\n", json_path, console_path);
	} else {
		unlink(json_path);
		unlink(console_path);
	}
	free(json);
	free(console);
	close(json_fd);
	close(console_fd);
	printf("%u passed, %u failed\n", n_passed, n_failed);
	return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
