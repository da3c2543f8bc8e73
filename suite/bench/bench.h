/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pfnsuite benchmarks: the mmap-VMA path against the dma-buf path, in one
 * process, through Google Benchmark (harness/pfnbench.h).
 *
 * Every benchmark is named "GROUP/PATH/ARG:VALUE/...", PATH being "vma" or
 * "dmabuf", so that results can be paired side by side: the same GROUP and
 * arguments (the VMA path's "align" aside) on both paths.  Times are
 * measured with CLOCK_MONOTONIC around exactly the operation named (Google
 * Benchmark's manual time), in microseconds; counts (faults) are exact.
 */
#ifndef PFN_BENCH_H
#define PFN_BENCH_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "harness/pfnbench.h"
#include "pfn/error.h"

/**
 * enum bench_path - the two ways of giving device memory to an importer
 * @BENCH_PATH_VMA: mmap the BAR; type1 VFIO_IOMMU_MAP_DMA walks the VMA
 * @BENCH_PATH_DMABUF: export the BAR as a dma-buf; iommufd IOMMU_IOAS_MAP_FILE
 */
enum bench_path {
	BENCH_PATH_VMA,
	BENCH_PATH_DMABUF,
	BENCH_NR_PATHS,
};

/** bench_path_name() - "vma" or "dmabuf", as used in benchmark names. */
const char *bench_path_name(enum bench_path path);

#define BENCH_MAX_SIZES 8
#define BENCH_MAX_ALIGNS 3
/* The quick profile's largest slice, so that its time does not grow with the BAR. */
#define BENCH_QUICK_MAX_SLICE (1ull << 30)

/**
 * struct bench_profile - what to measure and how often
 * @name: "quick" (fits in `make test`) or "full" (`make run`)
 * @sizes: BAR slice sizes in bytes for mapping benchmarks, ascending; those
 *	larger than the BAR are registered as SKIPs
 * @nr_sizes: entries in @sizes
 * @max_slice: the largest slice measured (whole-BAR benchmarks use it): the
 *	BAR, capped at BENCH_QUICK_MAX_SLICE in the quick profile
 * @aligns: user-address alignments of the VMA path's mmap
 * @nr_aligns: entries in @aligns
 * @big_4k_limit: largest slice mapped or touched at an alignment below 2 MiB
 *	(every 4 KiB page is one fault there, which is slow under TCG); larger
 *	slices are measured at 2 MiB and 1 GiB alignment only
 * @touch_size_4k: slice touched by the CPU-fault benchmark at 4 KiB alignment
 * @iters_map: iterations per repetition of the map/unmap benchmarks
 * @iters_big: iterations per repetition when the slice exceeds 64 MiB
 * @iters_export: iterations per repetition of export and mmap
 * @iters_revoke: iterations per repetition of the revoke benchmarks
 * @iters_dma: iterations per repetition of map + first DMA
 * @repetitions: default --repetitions
 */
struct bench_profile {
	const char *name;
	uint64_t sizes[BENCH_MAX_SIZES];
	unsigned int nr_sizes;
	uint64_t max_slice;
	uint64_t aligns[BENCH_MAX_ALIGNS];
	unsigned int nr_aligns;
	uint64_t big_4k_limit;
	uint64_t touch_size_4k;
	int64_t iters_map;
	int64_t iters_big;
	int64_t iters_export;
	int64_t iters_revoke;
	int64_t iters_dma;
	int repetitions;
};

#define BENCH_MAX_REGS 192
#define BENCH_NAME_MAX 192

struct bench_ctx;

/**
 * struct bench_reg - one registration with Google Benchmark (its @priv)
 * @ctx: the shared context
 * @fn: the benchmark function
 * @name: "GROUP/PATH" (a copy: callers format it in a local buffer)
 * @arg_names: names of its arguments (static)
 * @nargs: number of arguments
 */
struct bench_reg {
	struct bench_ctx *ctx;
	pfnbench_fn fn;
	char name[64];
	const char *const *arg_names;
	unsigned int nargs;
};

/**
 * struct bench_progress - which benchmark runs, for the progress lines
 * @planned: benchmark instances registered (after --filter)
 * @started: instances started so far
 * @t0: bench_now() when the first one started
 * @last_reg: registration of the instance running
 * @last_args: its arguments
 * @quiet: print nothing
 */
struct bench_progress {
	unsigned int planned;
	unsigned int started;
	double t0;
	const struct bench_reg *last_reg;
	int64_t last_args[4];
	bool quiet;
};

/**
 * struct bench_ctx - shared by every benchmark (bench_ctx_of())
 * @env: the devices, opened in the mode a benchmark needs
 * @profile: sizes and iteration counts
 * @inject_delay_us: TEST ONLY: busy delay added inside the timed region of
 *	each path's IOMMU map call, to prove that a regression is visible;
 *	0 normally
 * @filter: only instances whose name ("GROUP/PATH/size:S/...") matches are
 *	registered; NULL for all
 * @regs: the registrations
 * @nr_regs: entries used in @regs
 * @progress: progress lines on stderr
 */
struct bench_ctx {
	struct bench_env env;
	struct bench_profile profile;
	uint64_t inject_delay_us[BENCH_NR_PATHS];
	const regex_t *filter;
	struct bench_reg regs[BENCH_MAX_REGS];
	unsigned int nr_regs;
	struct bench_progress progress;
};

/** bench_ctx_of() - the context of a running benchmark. */
struct bench_ctx *bench_ctx_of(const struct pfnbench_state *st);

/**
 * bench_profile_init() - fill @p with the quick or the full profile
 * @p: profile
 * @quick: the `make test` profile (under a minute in TCG) instead of the full
 * @bar_size: the target BAR's size: the full profile's largest slice is the
 *	whole BAR, the quick profile's at most BENCH_QUICK_MAX_SLICE
 */
void bench_profile_init(struct bench_profile *p, bool quick, uint64_t bar_size);

/**
 * bench_register_all() - register every benchmark with Google Benchmark
 * @ctx: shared context; must outlive pfnbench_run()
 *
 * Return: 0 or a negative errno (registration failed: out of memory).
 */
int bench_register_all(struct bench_ctx *ctx);

/* Per-family registration (bm_*.c); same contract as bench_register_all(). */
int bench_register_export(struct bench_ctx *ctx);
int bench_register_map(struct bench_ctx *ctx);
int bench_register_map_dma(struct bench_ctx *ctx);
int bench_register_touch(struct bench_ctx *ctx);
int bench_register_revoke(struct bench_ctx *ctx);
int bench_register_kvm(struct bench_ctx *ctx);

/**
 * bench_add() - register "GROUP/PATH" with arguments and the common settings
 * @name: "GROUP/PATH"
 * @fn: benchmark function
 * @ctx: passed as @priv
 * @arg_names: names of the arguments (reported as "name:value")
 * @nargs: number of arguments per instance, 1 or more
 * @args: @ninst instances of @nargs values, row after row
 * @ninst: number of instances (0 registers nothing)
 * @iters: iterations per repetition for each instance (@ninst values)
 *
 * Benchmarks use manual time in microseconds and a fixed iteration count,
 * so that one run of the function is one repetition.  Instances with
 * different iteration counts become separate registrations of one name.
 * Only instances matching @ctx->filter are registered.  An instance whose
 * first argument is a "size" larger than the target BAR is still
 * registered, as a SKIP saying so: every benchmark not run is listed.
 *
 * Return: 0 or a negative errno.
 */
int bench_add(const char *name, pfnbench_fn fn, struct bench_ctx *ctx,
	      const char *const *arg_names, unsigned int nargs, const int64_t *args,
	      unsigned int ninst, const int64_t *iters);

/**
 * bench_skip() - report a benchmark as not run, with the reason
 * @st: state
 * @fatal: false for "path unavailable" (reported as SKIP), true for a
 *	failure of something that should have worked (reported as ERROR)
 * @fmt: printf format of the reason
 *
 * Google Benchmark only knows errors; the "SKIP: " or "ERROR: " prefix lets
 * the results tell them apart.
 */
void bench_skip(struct pfnbench_state *st, bool fatal, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * bench_err_prefix() - prepend "@prefix: " to @err's message
 * @err: a recorded error
 * @prefix: what was being done
 *
 * Return: -@err->code.
 */
int bench_err_prefix(struct pfn_err *err, const char *prefix);

/**
 * bench_missing() - does @ret say that something is absent (the kernel lacks
 * a feature, there is no such device) rather than that it failed?
 * @ret: negative errno from libpfn: -ENODEV, -EOPNOTSUPP or -ENOTTY mean
 *	absence, which is a SKIP; anything else is an ERROR
 */
bool bench_missing(int ret);

/** bench_now() - CLOCK_MONOTONIC in seconds. */
double bench_now(void);

/**
 * bench_inject() - TEST ONLY: busy-wait the delay configured for @path
 * @ctx: context
 * @path: the path whose map call is being timed
 */
void bench_inject(const struct bench_ctx *ctx, enum bench_path path);

/** bench_size_ok() - may a slice of @size at @align be measured in @p? */
bool bench_size_ok(const struct bench_profile *p, uint64_t size, uint64_t align);

/** bench_iters() - iterations for a slice of @size. */
int64_t bench_iters(const struct bench_profile *p, uint64_t size);

#endif /* PFN_BENCH_H */
