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
#include <cstring>
#include <new>
#include <memory>
#include <set>
#include <sstream>
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

/*
 * A benchmark registered through the public RegisterBenchmark() with a
 * callable; Google Benchmark owns the benchmark, this wrapper the settings
 * it cannot combine.
 */
struct pfnbench {
	benchmark::internal::Benchmark *b;	/* what RegisterBenchmark() returns */
	bool has_iterations = false;	/* excludes MinTime() */
	bool has_min_time = false;	/* excludes Iterations() */
	long arity = -1;		/* arguments per instance, -1 until the first */

	/* Instances must all take the same number of arguments. */
	bool arity_ok(size_t n) const
	{
		return arity == -1 || arity == static_cast<long>(n);
	}

	/* Run @f if @valid and then take @n arguments per instance. */
	template <typename F> int with_arity(bool valid, size_t n, F &&f);
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
	/* The wrappers live as long as Google Benchmark's registry: until exit. */
	static std::vector<std::unique_ptr<pfnbench>> registered;
	pfnbench *b = nullptr;
	int err = call(name && fn, [&] {
		registered.reserve(registered.size() + 1);
		std::unique_ptr<pfnbench> nb(new pfnbench);

		nb->b = benchmark::RegisterBenchmark(name, [fn, priv](benchmark::State &st) {
			pfnbench_state s{ st, priv };

			fn(&s);
		});
		b = nb.get();
		registered.push_back(std::move(nb));
	});

	if (err)
		errno = -err;
	return b;
}

template <typename F> int pfnbench::with_arity(bool valid, size_t n, F &&f)
{
	int err = call(valid && arity_ok(n), f);

	if (!err)
		arity = static_cast<long>(n);
	return err;
}

int pfnbench_add_arg(pfnbench *b, int64_t x) noexcept
{
	return b->with_arity(true, 1, [&] { b->b->Arg(x); });
}

int pfnbench_add_args(pfnbench *b, const int64_t *args, size_t n) noexcept
{
	return b->with_arity(n, n, [&] { b->b->Args(std::vector<int64_t>(args, args + n)); });
}

int pfnbench_add_range(pfnbench *b, int64_t lo, int64_t hi, int mult) noexcept
{
	return b->with_arity(lo <= hi && mult >= 2, 1, [&] { b->b->RangeMultiplier(mult)->Range(lo, hi); });
}

int pfnbench_add_dense_range(pfnbench *b, int64_t lo, int64_t hi, int step) noexcept
{
	return b->with_arity(lo <= hi && step >= 1, 1, [&] { b->b->DenseRange(lo, hi, step); });
}

int pfnbench_set_arg_names(pfnbench *b, const char *const *names, size_t n) noexcept
{
	bool valid = n && b->arity_ok(n);

	for (size_t i = 0; valid && i < n; i++)
		valid = names[i];
	return b->with_arity(valid, n, [&] { b->b->ArgNames(std::vector<std::string>(names, names + n)); });
}

int pfnbench_set_iterations(pfnbench *b, int64_t n) noexcept
{
	return call(n >= 1 && !b->has_min_time, [&] {
		b->b->Iterations(n);
		b->has_iterations = true;
	});
}

int pfnbench_set_min_time(pfnbench *b, double seconds) noexcept
{
	return call(seconds > 0 && !b->has_iterations, [&] {
		b->b->MinTime(seconds);
		b->has_min_time = true;
	});
}

int pfnbench_set_repetitions(pfnbench *b, int n) noexcept
{
	return call(n >= 1, [&] { b->b->Repetitions(n); });
}

void pfnbench_set_unit(pfnbench *b, pfnbench_unit unit) noexcept
{
	b->b->Unit(static_cast<benchmark::TimeUnit>(unit));
}

void pfnbench_use_manual_time(pfnbench *b) noexcept { b->b->UseManualTime(); }

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

/* "debug" or "release", from the first JSON report's context; see pfnbench_library_build_type(). */
static std::string library_build_type = "unknown";

/*
 * A reporter in front of another (Google Benchmark's JSON reporter for
 * --benchmark_out, else the console's) that hands every run to a C
 * callback as a struct pfnbench_result, besides letting the other write
 * its report as it always does.
 */
class Tee final : public benchmark::BenchmarkReporter {
public:
	Tee(benchmark::BenchmarkReporter *inner, pfnbench_result_fn fn, void *ctx, bool json)
		: inner(inner), fn(fn), ctx(ctx), json(json) {}

	bool ReportContext(const Context &context) override
	{
		inner->SetOutputStream(json ? &held : &GetOutputStream());
		inner->SetErrorStream(&GetErrorStream());
		bool ok = inner->ReportContext(context);

		if (json)
			note_build_type();
		flush();
		return ok;
	}

	void ReportRuns(const std::vector<Run> &runs) override
	{
		inner->ReportRuns(runs);
		flush();
		for (const Run &r : runs)
			deliver(r);
	}

	void Finalize() override
	{
		inner->Finalize();
		flush();
	}

	int error = 0;	/* the first error fn returned */

private:
	/* The JSON reporter's context names the library's build type; keep it. */
	void note_build_type()
	{
		static const std::string key = "\"library_build_type\": \"";
		const std::string text = held.str();
		size_t at = text.find(key), end;

		if (at != std::string::npos && (end = text.find('"', at + key.size())) != std::string::npos)
			library_build_type = text.substr(at + key.size(), end - at - key.size());
	}

	void flush()
	{
		if (!json)
			return;
		GetOutputStream() << held.str();
		held.str("");
	}

	static double to_us(double v, benchmark::TimeUnit unit)
	{
		switch (unit) {
		case benchmark::kNanosecond:
			return v / 1e3;
		case benchmark::kMillisecond:
			return v * 1e3;
		case benchmark::kSecond:
			return v * 1e6;
		default:
			return v;
		}
	}

	void deliver(const Run &r)
	{
		if (!fn)
			return;
		std::vector<pfnbench_counter> counters;
		for (const auto &c : r.counters)	/* a std::map: sorted by name */
			counters.push_back({ c.first.c_str(), c.second.value });
		const std::string name = r.run_name.str();
		pfnbench_result res = {
			name.c_str(),
			r.run_type == Run::RT_Aggregate ? r.aggregate_name.c_str() : "",
			r.run_type == Run::RT_Aggregate ? Run::no_repetition_index : r.repetition_index,
			static_cast<int64_t>(r.iterations),
			to_us(r.GetAdjustedRealTime(), r.time_unit),
			to_us(r.GetAdjustedCPUTime(), r.time_unit),
			r.report_label.c_str(),
			r.error_occurred ? r.error_message.c_str() : nullptr,
			counters.data(),
			counters.size(),
		};
		int ret = fn(&res, ctx);

		if (ret && !error)
			error = ret;
	}

	benchmark::BenchmarkReporter *inner;
	pfnbench_result_fn fn;
	void *ctx;
	bool json;			/* inner is the --benchmark_out JSON reporter */
	std::ostringstream held;	/* what it wrote, until passed on */
};

const char *pfnbench_library_build_type(void) noexcept { return library_build_type.c_str(); }

/*
 * Google Benchmark 1.7.1 cannot run twice in a process as is: a plain
 * RunSpecifiedBenchmarks() frees the default display reporter, a static that
 * CreateDefaultDisplayReporter() keeps returning, and Shutdown() frees the
 * custom context but leaves its pointer set. So pass the reporter in and never
 * call Shutdown(); both stay reachable until exit.
 *
 * The callback rides on the file reporter when there is a --benchmark_out
 * (it sees every run; --benchmark_display_aggregates_only thins only the
 * console), else on the console's.
 */
int pfnbench_run_with(int argc, char **argv, pfnbench_result_fn fn, void *ctx) noexcept
{
	char arg0[] = "pfnbench";
	char *argv0[] = { arg0, nullptr };
	size_t ran = 0;
	int tee_err = 0;

	if (argc < 1 || !argv) {
		argc = 1;
		argv = argv0;
	}
	/* Google Benchmark exits when given a file reporter and no file: the last --benchmark_out counts. */
	bool file = false;
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--benchmark_out=", 16))
			file = argv[i][16] != '\0';
	int err = call(true, [&] {
		benchmark::Initialize(&argc, argv);
		if (argc != 1)
			return;
		benchmark::BenchmarkReporter *display = benchmark::CreateDefaultDisplayReporter();
		if (file) {
			benchmark::JSONReporter json;
			Tee tee(&json, fn, ctx, true);

			ran = benchmark::RunSpecifiedBenchmarks(display, &tee);
			tee_err = tee.error;
		} else {
			Tee tee(display, fn, ctx, false);

			ran = benchmark::RunSpecifiedBenchmarks(&tee);
			tee_err = tee.error;
		}
	});

	if (err)
		return err;
	if (argc > 1)
		return -EINVAL;
	if (tee_err)
		return tee_err;
	return ran ? 0 : -ENOENT;
}

int pfnbench_run(int argc, char **argv) noexcept
{
	return pfnbench_run_with(argc, argv, nullptr, nullptr);
}
