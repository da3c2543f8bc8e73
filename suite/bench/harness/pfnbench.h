/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pfnbench: write Google Benchmark benchmarks in C
 *
 * A benchmark is a C function taking a &struct pfnbench_state. It drives the
 * measurement loop with pfnbench_keep_running() and may then report counters,
 * a label or an error. It is registered under a name with an opaque @priv
 * pointer, configured with the pfnbench_add_*() and pfnbench_set_*() helpers,
 * and run, together with every other registered benchmark, by pfnbench_run():
 *
 *	static void bm_map(struct pfnbench_state *st)
 *	{
 *		struct ctx *ctx = pfnbench_priv(st);
 *		int64_t len = pfnbench_range(st, 0);
 *
 *		while (pfnbench_keep_running(st))
 *			map_and_unmap(ctx, len);
 *		pfnbench_set_bytes_processed(st, pfnbench_iterations(st) * len);
 *	}
 *
 *	b = pfnbench_register("map", bm_map, &ctx);
 *	pfnbench_add_range(b, 4096, 1 << 20, 4);
 *	return pfnbench_run(argc, argv) ? EXIT_FAILURE : EXIT_SUCCESS;
 *
 * Google Benchmark calls a benchmark function several times per instance:
 * with growing iteration counts until a run lasts long enough, and once per
 * repetition. Keep per-run data in locals, not in what @priv points to.
 *
 * Functions returning int return 0 or a negative errno and print nothing.
 * Invalid configuration is rejected with -EINVAL rather than left to abort
 * inside Google Benchmark. The state functions may only be called from the
 * benchmark function the state was passed to.
 */
#ifndef PFNBENCH_H
#define PFNBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The C++ shim defines every entry point noexcept. */
#ifdef __cplusplus
#define PFNBENCH_NOTHROW noexcept
extern "C" {
#else
#define PFNBENCH_NOTHROW
#endif

/* A registered benchmark (Google Benchmark's, registered through its public
 * RegisterBenchmark()); lives until the process exits. */
struct pfnbench;
/* The state of one run of a benchmark function. */
struct pfnbench_state;

typedef void (*pfnbench_fn)(struct pfnbench_state *st);

/**
 * enum pfnbench_unit - time unit used when reporting a benchmark
 * @PFNBENCH_UNIT_NS: nanoseconds (the default)
 * @PFNBENCH_UNIT_US: microseconds
 * @PFNBENCH_UNIT_MS: milliseconds
 * @PFNBENCH_UNIT_S: seconds
 */
enum pfnbench_unit {
	PFNBENCH_UNIT_NS,
	PFNBENCH_UNIT_US,
	PFNBENCH_UNIT_MS,
	PFNBENCH_UNIT_S,
};

/**
 * enum pfnbench_counter_flags - how a counter value is reported
 * @PFNBENCH_COUNTER_RATE: divide by the measured time (seconds)
 * @PFNBENCH_COUNTER_ITER_INVARIANT: value is per iteration; multiply by the
 *	iteration count
 * @PFNBENCH_COUNTER_AVG_ITERATIONS: divide by the iteration count
 *
 * Zero means the value is reported as is. Flags combine, e.g. RATE |
 * ITER_INVARIANT reports value * iterations / seconds.
 */
enum pfnbench_counter_flags {
	PFNBENCH_COUNTER_RATE = 1 << 0,
	PFNBENCH_COUNTER_ITER_INVARIANT = 1 << 2,
	PFNBENCH_COUNTER_AVG_ITERATIONS = 1 << 3,
};

/**
 * enum pfnbench_base - what "k" means when a counter is printed
 * @PFNBENCH_BASE_1000: 1k = 1000 (counts, rates)
 * @PFNBENCH_BASE_1024: 1k = 1024 (sizes in bytes)
 *
 * Only the human-readable console output is affected; JSON has raw values.
 */
enum pfnbench_base {
	PFNBENCH_BASE_1000 = 1000,
	PFNBENCH_BASE_1024 = 1024,
};

/**
 * pfnbench_register() - register a C function as a benchmark
 * @name: name the benchmark is reported and filtered under; copied
 * @fn: the benchmark function
 * @priv: opaque pointer returned by pfnbench_priv() in every run of @fn
 *
 * Without arguments added, the benchmark runs once with none. Each
 * pfnbench_add_*() call adds instances; all must have the same arity.
 *
 * Return: the benchmark, or NULL with errno set to EINVAL (NULL @name or @fn)
 * or ENOMEM.
 */
struct pfnbench *pfnbench_register(const char *name, pfnbench_fn fn,
				   void *priv) PFNBENCH_NOTHROW;

/**
 * pfnbench_add_arg() - add an instance taking one argument
 * @b: benchmark
 * @x: value of pfnbench_range(st, 0)
 *
 * Return: 0, -EINVAL if @b's instances take another number of arguments,
 * or -ENOMEM.
 */
int pfnbench_add_arg(struct pfnbench *b, int64_t x) PFNBENCH_NOTHROW;

/**
 * pfnbench_add_args() - add an instance taking several arguments
 * @b: benchmark
 * @args: values of pfnbench_range(st, 0 .. @n - 1)
 * @n: number of arguments, at least one
 *
 * Return: 0, -EINVAL on an arity mismatch or zero @n, or -ENOMEM.
 */
int pfnbench_add_args(struct pfnbench *b, const int64_t *args,
		      size_t n) PFNBENCH_NOTHROW;

/**
 * pfnbench_add_range() - add one-argument instances over a geometric range
 * @b: benchmark
 * @lo: first value
 * @hi: last value, at least @lo
 * @mult: at least 2; the values are @lo, the powers of @mult between @lo and
 *	@hi, and @hi
 *
 * E.g. (1, 64, 4) adds 1, 4, 16 and 64.
 *
 * Return: 0, -EINVAL on bad bounds or an arity mismatch, or -ENOMEM.
 */
int pfnbench_add_range(struct pfnbench *b, int64_t lo, int64_t hi,
		       int mult) PFNBENCH_NOTHROW;

/**
 * pfnbench_add_dense_range() - add one-argument instances over a linear range
 * @b: benchmark
 * @lo: first value
 * @hi: upper bound, at least @lo; included if reached
 * @step: increment, at least 1
 *
 * Return: 0, -EINVAL on bad bounds or an arity mismatch, or -ENOMEM.
 */
int pfnbench_add_dense_range(struct pfnbench *b, int64_t lo, int64_t hi,
			     int step) PFNBENCH_NOTHROW;

/**
 * pfnbench_set_arg_names() - name the arguments in reported benchmark names
 * @b: benchmark
 * @names: @n non-NULL names, copied
 * @n: number of names: the arity of @b's instances
 *
 * An instance with arguments (4096, 1) and names {"size", "mode"} is reported
 * as "<name>/size:4096/mode:1" instead of "<name>/4096/1".
 *
 * Return: 0, -EINVAL on an arity mismatch, zero @n or a NULL name, or -ENOMEM.
 */
int pfnbench_set_arg_names(struct pfnbench *b, const char *const *names,
			   size_t n) PFNBENCH_NOTHROW;

/**
 * pfnbench_set_iterations() - run exactly @n iterations instead of timing
 * @b: benchmark
 * @n: iteration count, at least 1
 *
 * Return: 0, or -EINVAL for a bad @n or if pfnbench_set_min_time() was used.
 */
int pfnbench_set_iterations(struct pfnbench *b, int64_t n) PFNBENCH_NOTHROW;

/**
 * pfnbench_set_min_time() - override --benchmark_min_time for @b
 * @b: benchmark
 * @seconds: minimum measured time per run, positive
 *
 * Return: 0, or -EINVAL for bad @seconds or if pfnbench_set_iterations() was
 * used.
 */
int pfnbench_set_min_time(struct pfnbench *b, double seconds) PFNBENCH_NOTHROW;

/**
 * pfnbench_set_repetitions() - override --benchmark_repetitions for @b
 * @b: benchmark
 * @n: number of repetitions, at least 1; with more than one, mean, median
 *	and other aggregates are reported too
 *
 * Return: 0, or -EINVAL for a bad @n.
 */
int pfnbench_set_repetitions(struct pfnbench *b, int n) PFNBENCH_NOTHROW;

/**
 * pfnbench_set_unit() - set the time unit @b is reported in
 * @b: benchmark
 * @unit: time unit, one of &enum pfnbench_unit (C++ code implements this, so
 *	other values are undefined behaviour, not an error)
 */
void pfnbench_set_unit(struct pfnbench *b, enum pfnbench_unit unit) PFNBENCH_NOTHROW;

/**
 * pfnbench_use_manual_time() - time @b with pfnbench_set_iteration_time()
 * @b: benchmark
 *
 * The reported real time, the choice of iteration count and rate counters all
 * use the times the benchmark reports instead of the wall clock.
 */
void pfnbench_use_manual_time(struct pfnbench *b) PFNBENCH_NOTHROW;

/**
 * pfnbench_priv() - the pointer given to pfnbench_register()
 * @st: state
 *
 * Return: @priv as registered.
 */
void *pfnbench_priv(const struct pfnbench_state *st) PFNBENCH_NOTHROW;

/**
 * pfnbench_keep_running() - start or continue the measurement loop
 * @st: state
 *
 * The timer starts with the first call. The benchmark function may return
 * only once this returned false, or after pfnbench_skip_with_error().
 *
 * Return: true if one more iteration is to run.
 */
bool pfnbench_keep_running(struct pfnbench_state *st) PFNBENCH_NOTHROW;

/**
 * pfnbench_keep_running_batch() - pfnbench_keep_running() for @n iterations
 * @st: state
 * @n: iterations the caller runs per loop body, at least 1
 *
 * The last batch may overshoot the planned iteration count; the overshoot is
 * counted in pfnbench_iterations() and the report.
 *
 * Return: true if @n more iterations are to run.
 */
bool pfnbench_keep_running_batch(struct pfnbench_state *st,
				 int64_t n) PFNBENCH_NOTHROW;

/**
 * pfnbench_range() - argument of the running instance
 * @st: state
 * @i: index, below the instance's arity
 *
 * Return: the @i-th argument.
 */
int64_t pfnbench_range(const struct pfnbench_state *st,
		       size_t i) PFNBENCH_NOTHROW;

/**
 * pfnbench_iterations() - iterations run so far
 * @st: state
 *
 * Return: 0 before the loop, the completed iteration count after it.
 */
int64_t pfnbench_iterations(const struct pfnbench_state *st) PFNBENCH_NOTHROW;

/**
 * pfnbench_pause_timing() - stop the timer, e.g. around per-iteration setup
 * @st: state, with the timer running
 *
 * This is costly (it reads clocks); avoid it in very short iterations.
 */
void pfnbench_pause_timing(struct pfnbench_state *st) PFNBENCH_NOTHROW;

/**
 * pfnbench_resume_timing() - restart the timer stopped by
 * pfnbench_pause_timing()
 * @st: state, with the timer stopped
 */
void pfnbench_resume_timing(struct pfnbench_state *st) PFNBENCH_NOTHROW;

/**
 * pfnbench_set_iteration_time() - report the time of the current iteration
 * @st: state of a benchmark using pfnbench_use_manual_time()
 * @seconds: measured time of this iteration
 *
 * Call exactly once per iteration.
 */
void pfnbench_set_iteration_time(struct pfnbench_state *st,
				 double seconds) PFNBENCH_NOTHROW;

/**
 * pfnbench_skip_with_error() - report this benchmark as failed
 * @st: state
 * @msg: non-NULL message, reported as the error
 *
 * Call at most once. Before the loop, pfnbench_keep_running() then returns
 * false at once; inside it, after the current iteration. Either way the
 * function may return straight away.
 */
void pfnbench_skip_with_error(struct pfnbench_state *st,
			      const char *msg) PFNBENCH_NOTHROW;

/**
 * pfnbench_set_label() - attach a free-form label to the report
 * @st: state, after the loop
 * @label: non-NULL label, copied
 *
 * Return: 0, -EINVAL for a NULL @label, or -ENOMEM.
 */
int pfnbench_set_label(struct pfnbench_state *st,
		       const char *label) PFNBENCH_NOTHROW;

/**
 * pfnbench_set_bytes_processed() - report throughput in bytes
 * @st: state, after the loop
 * @bytes: bytes processed by all iterations
 *
 * Reported as the rate counter "bytes_per_second", printed in base 1024.
 *
 * Return: 0 or -ENOMEM.
 */
int pfnbench_set_bytes_processed(struct pfnbench_state *st,
				 int64_t bytes) PFNBENCH_NOTHROW;

/**
 * pfnbench_set_items_processed() - report throughput in items
 * @st: state, after the loop
 * @items: items processed by all iterations
 *
 * Reported as the rate counter "items_per_second".
 *
 * Return: 0 or -ENOMEM.
 */
int pfnbench_set_items_processed(struct pfnbench_state *st,
				 int64_t items) PFNBENCH_NOTHROW;

/**
 * pfnbench_set_counter() - set a user counter, replacing one of that name
 * @st: state, normally after the loop
 * @name: counter name, copied
 * @value: raw value, transformed as @flags say when reported
 * @flags: zero or a combination of &enum pfnbench_counter_flags
 * @base: how the console prints thousands
 *
 * Return: 0, -EINVAL for a NULL @name, unknown @flags or a bad @base, or
 * -ENOMEM.
 */
int pfnbench_set_counter(struct pfnbench_state *st, const char *name,
			 double value, unsigned int flags,
			 enum pfnbench_base base) PFNBENCH_NOTHROW;

/**
 * pfnbench_add_context() - add a key/value pair to the report's context
 * @key: key, copied
 * @value: value, copied
 *
 * The pair is printed in the console header and in the "context" object of
 * JSON output, next to the host and library information.
 *
 * Only keys added here are checked for duplicates; one that clashes with a
 * --benchmark_context key is reported by Google Benchmark on stderr.
 *
 * Return: 0, -EINVAL for a NULL @key or @value, -EEXIST if @key was added
 * before, or -ENOMEM.
 */
int pfnbench_add_context(const char *key, const char *value) PFNBENCH_NOTHROW;

/**
 * pfnbench_run() - parse the command line and run the registered benchmarks
 * (pfnbench_run_with() without a callback)
 * @argc: argument count, as given to main()
 * @argv: arguments, as given to main(); the array is reordered in place
 *
 * Takes Google Benchmark's flags (--benchmark_filter, --benchmark_min_time
 * (seconds, a plain number in 1.7.1), --benchmark_repetitions,
 * --benchmark_out=FILE, --benchmark_out_format=json|csv|console, ...),
 * reports on the console and, with --benchmark_out, to FILE as well.
 *
 * Flags are process-global: in a later call they keep their values unless
 * given again, and the console reporter made by the first run is reused, so
 * --benchmark_format and --benchmark_color only count the first time.
 *
 * Google Benchmark itself prints a message for a flag with a malformed value
 * (which then counts as unrecognized), and prints a message and exits the
 * process for --help, invalid format, color or time unit names and an
 * unwritable --benchmark_out file.
 *
 * Reported names are the registered name, then the arguments ("/4096" or
 * "/size:4096"), then "/min_time:0.050", "/iterations:N", "/repeats:N" and
 * "/manual_time" where those are set. Aggregates over repetitions append
 * "_mean", "_median", "_stddev" and "_cv".
 *
 * Return: 0 if benchmarks ran (some may have reported errors), -EINVAL for
 * unrecognized arguments, which are then in argv[1] onwards and nothing ran,
 * -ENOENT if no benchmark is registered or matches --benchmark_filter, or
 * -ENOMEM.
 */
int pfnbench_run(int argc, char **argv) PFNBENCH_NOTHROW;

/**
 * struct pfnbench_counter - one user counter of a reported run
 * @name: the name given to pfnbench_set_counter()
 * @value: its value as reported (rates divided by the time, ...)
 */
struct pfnbench_counter {
	const char *name;
	double value;
};

/**
 * struct pfnbench_result - one run as Google Benchmark reports it
 * @name: the reported name (see pfnbench_run()), without an aggregate's suffix
 * @aggregate_name: "" for a repetition's own run, else "mean", "median",
 *	"stddev", "cv", ... (a statistic over the repetitions)
 * @repetition_index: which repetition (0-based; -1 for an aggregate)
 * @iterations: iterations the run measured
 * @real_time_us: wall (or manual) time per iteration, in microseconds
 * @cpu_time_us: CPU time per iteration, in microseconds
 * @label: pfnbench_set_label()'s text, "" when none
 * @error: pfnbench_skip_with_error()'s message, NULL when the run did not fail
 * @counters: the run's counters, @nr_counters of them, sorted by name
 * @nr_counters: how many
 *
 * Valid only during the callback it is passed to.
 */
struct pfnbench_result {
	const char *name;
	const char *aggregate_name;
	int64_t repetition_index;
	int64_t iterations;
	double real_time_us;
	double cpu_time_us;
	const char *label;
	const char *error;
	const struct pfnbench_counter *counters;
	size_t nr_counters;
};

/* Return 0, or a negative errno: the run goes on, pfnbench_run_with() returns it. */
typedef int (*pfnbench_result_fn)(const struct pfnbench_result *r, void *ctx);

/**
 * pfnbench_run_with() - pfnbench_run(), handing every run to a callback
 * @argc: as for pfnbench_run()
 * @argv: as for pfnbench_run()
 * @fn: called once per reported run (each repetition, then the aggregates),
 *	in the order Google Benchmark reports them; NULL: none
 * @ctx: passed to @fn
 *
 * With --benchmark_out=FILE, Google Benchmark's own JSON reporter still
 * writes FILE; @fn sees every run whatever --benchmark_display_aggregates_only
 * says (that flag only thins the console).
 *
 * Return: as pfnbench_run(), or the first error @fn returned.
 */
int pfnbench_run_with(int argc, char **argv, pfnbench_result_fn fn, void *ctx) PFNBENCH_NOTHROW;

/**
 * pfnbench_library_build_type() - how libbenchmark itself was built
 *
 * Return: "debug" or "release", as its JSON report says (Debian's is debug),
 * once a run with --benchmark_out has reported; "unknown" before.
 */
const char *pfnbench_library_build_type(void) PFNBENCH_NOTHROW;

#ifdef __cplusplus
}
#endif

#endif /* PFNBENCH_H */
