// SPDX-License-Identifier: GPL-2.0-only
/* Helpers shared by the benchmark families: registration, skips, timing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "bench.h"

const char *bench_path_name(enum bench_path path)
{
	return path == BENCH_PATH_VMA ? "vma" : "dmabuf";
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_inject(const struct bench_ctx *ctx, enum bench_path path)
{
	double until;

	if (!ctx->inject_delay_us[path])
		return;
	until = bench_now() + (double)ctx->inject_delay_us[path] / 1e6;
	while (bench_now() < until)
		;
}

int bench_err_prefix(struct pfn_err *err, const char *prefix)
{
	char msg[PFN_ERR_MSG_MAX];

	snprintf(msg, sizeof(msg), "%s", err->msg);
	return pfn_fail(err, err->code, "%s: %s", prefix, msg);
}

void bench_skip(struct pfnbench_state *st, bool fatal, const char *fmt, ...)
{
	char msg[PFN_ERR_MSG_MAX + 64];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "%s", fatal ? "ERROR: " : "SKIP: ");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	pfnbench_skip_with_error(st, msg);
}

int bench_add(const char *name, pfnbench_fn fn, struct bench_ctx *ctx,
	      const char *const *arg_names, unsigned int nargs, const int64_t *args,
	      unsigned int ninst, const int64_t *iters)
{
	for (unsigned int i = 0; i < ninst; i++) {
		struct pfnbench *b;
		bool seen = false;
		int ret;

		/* One registration per distinct iteration count, in first-seen order. */
		for (unsigned int k = 0; k < i && !seen; k++)
			seen = iters[k] == iters[i];
		if (seen)
			continue;
		b = pfnbench_register(name, fn, ctx);
		if (!b)
			return -errno;
		for (unsigned int k = i; k < ninst; k++) {
			if (iters[k] != iters[i])
				continue;
			ret = pfnbench_add_args(b, args + (size_t)k * nargs, nargs);
			if (ret)
				return ret;
		}
		ret = pfnbench_set_arg_names(b, arg_names, nargs);
		if (!ret)
			ret = pfnbench_set_iterations(b, iters[i]);
		if (ret)
			return ret;
		pfnbench_set_unit(b, PFNBENCH_UNIT_US);
		pfnbench_use_manual_time(b);
	}
	return 0;
}

int bench_register_all(struct bench_ctx *ctx)
{
	/*
	 * GROUP by GROUP, each VMA path first then dma-buf path; the device
	 * environment reopens in the other IOMMU mode between them.
	 */
	int (*const families[])(struct bench_ctx *) = {
		bench_register_map,
		bench_register_map_dma,
		bench_register_touch,
		bench_register_export,
		bench_register_revoke,
		bench_register_kvm,
	};
	int ret;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		ret = families[i](ctx);
		if (ret)
			return ret;
	}
	return 0;
}
