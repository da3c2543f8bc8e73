// SPDX-License-Identifier: GPL-2.0-only
/*
 * C shim over Google Benchmark behind pfnbench.h.
 *
 * Entry points are noexcept: allocation failures become -ENOMEM, and the
 * preconditions Google Benchmark would abort on are checked first.
 */
#include "pfnbench.h"

#include <benchmark/benchmark.h>

#include <cerrno>
#include <new>
#include <set>
#include <string>
#include <vector>

using benchmark::Counter;

template <typename A, typename B> static constexpr bool same(A a, B b)
{
	return static_cast<long>(a) == static_cast<long>(b);
}

static_assert(same(PFNBENCH_UNIT_NS, benchmark::kNanosecond) &&
	      same(PFNBENCH_UNIT_US, benchmark::kMicrosecond) &&
	      same(PFNBENCH_UNIT_MS, benchmark::kMillisecond) &&
	      same(PFNBENCH_UNIT_S, benchmark::kSecond), "time units");
static_assert(same(PFNBENCH_COUNTER_RATE, Counter::kIsRate) &&
	      same(PFNBENCH_COUNTER_ITER_INVARIANT, Counter::kIsIterationInvariant) &&
	      same(PFNBENCH_COUNTER_AVG_ITERATIONS, Counter::kAvgIterations) &&
	      same(PFNBENCH_BASE_1000, Counter::kIs1000) &&
	      same(PFNBENCH_BASE_1024, Counter::kIs1024), "counter flags");

struct pfnbench_state {
	benchmark::State &st;
	void *priv;
};

struct pfnbench final : benchmark::internal::Benchmark {
	pfnbench(const char *name, pfnbench_fn fn, void *priv)
		: Benchmark(name), fn(fn), priv(priv) {}

	void Run(benchmark::State &st) override
	{
		pfnbench_state s{ st, priv };

		fn(&s);
	}

	/* Instances must all take the same number of arguments. */
	bool arity_ok(size_t n) const
	{
		return ArgsCnt() == -1 || ArgsCnt() == static_cast<int>(n);
	}

	pfnbench_fn fn;
	void *priv;
	bool has_iterations = false;	/* excludes MinTime() */
	bool has_min_time = false;	/* excludes Iterations() */
};

/* Returns -EINVAL unless @valid, else runs @f; -ENOMEM if it runs out. */
template <typename F> static int call(bool valid, F &&f) noexcept
{
	if (!valid)
		return -EINVAL;
	try {
		f();
	} catch (const std::bad_alloc &) {
		return -ENOMEM;
	}
	return 0;
}

pfnbench *pfnbench_register(const char *name, pfnbench_fn fn, void *priv) noexcept
{
	pfnbench *b = nullptr;
	/* If registering throws, the registry has freed the benchmark. */
	int err = call(name && fn, [&] {
		auto *nb = new pfnbench(name, fn, priv);

		benchmark::internal::RegisterBenchmarkInternal(nb);
		b = nb;
	});

	if (err)
		errno = -err;
	return b;
}

int pfnbench_add_arg(pfnbench *b, int64_t x) noexcept
{
	return call(b->arity_ok(1), [&] { b->Arg(x); });
}

int pfnbench_add_args(pfnbench *b, const int64_t *args, size_t n) noexcept
{
	return call(n && b->arity_ok(n), [&] { b->Args(std::vector<int64_t>(args, args + n)); });
}

int pfnbench_add_range(pfnbench *b, int64_t lo, int64_t hi, int mult) noexcept
{
	return call(lo <= hi && mult >= 2 && b->arity_ok(1),
		    [&] { b->RangeMultiplier(mult)->Range(lo, hi); });
}

int pfnbench_add_dense_range(pfnbench *b, int64_t lo, int64_t hi, int step) noexcept
{
	return call(lo <= hi && step >= 1 && b->arity_ok(1), [&] { b->DenseRange(lo, hi, step); });
}

int pfnbench_set_arg_names(pfnbench *b, const char *const *names, size_t n) noexcept
{
	bool valid = n && b->arity_ok(n);

	for (size_t i = 0; valid && i < n; i++)
		valid = names[i];
	return call(valid, [&] { b->ArgNames(std::vector<std::string>(names, names + n)); });
}

int pfnbench_set_iterations(pfnbench *b, int64_t n) noexcept
{
	return call(n >= 1 && !b->has_min_time, [&] {
		b->Iterations(n);
		b->has_iterations = true;
	});
}

int pfnbench_set_min_time(pfnbench *b, double seconds) noexcept
{
	return call(seconds > 0 && !b->has_iterations, [&] {
		b->MinTime(seconds);
		b->has_min_time = true;
	});
}

int pfnbench_set_repetitions(pfnbench *b, int n) noexcept
{
	return call(n >= 1, [&] { b->Repetitions(n); });
}

void pfnbench_set_unit(pfnbench *b, pfnbench_unit unit) noexcept
{
	b->Unit(static_cast<benchmark::TimeUnit>(unit));
}

void pfnbench_use_manual_time(pfnbench *b) noexcept { b->UseManualTime(); }

/* The state functions without failure modes just forward. */
void *pfnbench_priv(const pfnbench_state *st) noexcept { return st->priv; }
bool pfnbench_keep_running(pfnbench_state *st) noexcept { return st->st.KeepRunning(); }
bool pfnbench_keep_running_batch(pfnbench_state *st, int64_t n) noexcept
{
	return st->st.KeepRunningBatch(n);
}
int64_t pfnbench_range(const pfnbench_state *st, size_t i) noexcept { return st->st.range(i); }
int64_t pfnbench_iterations(const pfnbench_state *st) noexcept { return st->st.iterations(); }
void pfnbench_pause_timing(pfnbench_state *st) noexcept { st->st.PauseTiming(); }
void pfnbench_resume_timing(pfnbench_state *st) noexcept { st->st.ResumeTiming(); }
void pfnbench_set_iteration_time(pfnbench_state *st, double s) noexcept
{
	st->st.SetIterationTime(s);
}
void pfnbench_skip_with_error(pfnbench_state *st, const char *msg) noexcept
{
	st->st.SkipWithError(msg);
}

int pfnbench_set_label(pfnbench_state *st, const char *label) noexcept
{
	return call(label, [&] { st->st.SetLabel(label); });
}

int pfnbench_set_bytes_processed(pfnbench_state *st, int64_t bytes) noexcept
{
	return call(true, [&] { st->st.SetBytesProcessed(bytes); });
}

int pfnbench_set_items_processed(pfnbench_state *st, int64_t items) noexcept
{
	return call(true, [&] { st->st.SetItemsProcessed(items); });
}

int pfnbench_set_counter(pfnbench_state *st, const char *name, double value,
			 unsigned int flags, pfnbench_base base) noexcept
{
	const unsigned int known = PFNBENCH_COUNTER_RATE | PFNBENCH_COUNTER_ITER_INVARIANT |
				   PFNBENCH_COUNTER_AVG_ITERATIONS;

	return call(name && !(flags & ~known) &&
		    (base == PFNBENCH_BASE_1000 || base == PFNBENCH_BASE_1024), [&] {
		st->st.counters[name] = Counter(value, static_cast<Counter::Flags>(flags),
						static_cast<Counter::OneK>(base));
	});
}

int pfnbench_add_context(const char *key, const char *value) noexcept
{
	/* Google Benchmark prints a message for a duplicate key; fail instead. */
	static std::set<std::string> keys;
	bool dup = false;
	int err = call(key && value, [&] {
		auto it = keys.insert(key);

		dup = !it.second;
		if (dup)
			return;
		try {
			benchmark::AddCustomContext(key, value);
		} catch (...) {
			keys.erase(it.first);
			throw;
		}
	});

	return dup ? -EEXIST : err;
}

/*
 * Google Benchmark 1.7.1 cannot run twice in a process as is: a plain
 * RunSpecifiedBenchmarks() frees the default display reporter, a static that
 * CreateDefaultDisplayReporter() keeps returning, and Shutdown() frees the
 * custom context but leaves its pointer set. So pass the reporter in and never
 * call Shutdown(); both stay reachable until exit.
 */
int pfnbench_run(int argc, char **argv) noexcept
{
	char arg0[] = "pfnbench";
	char *argv0[] = { arg0, nullptr };
	size_t ran = 0;

	if (argc < 1 || !argv) {
		argc = 1;
		argv = argv0;
	}
	int err = call(true, [&] {
		benchmark::Initialize(&argc, argv);
		if (argc == 1)
			ran = benchmark::RunSpecifiedBenchmarks(
				benchmark::CreateDefaultDisplayReporter());
	});

	if (err)
		return err;
	if (argc > 1)
		return -EINVAL;
	return ran ? 0 : -ENOENT;
}
