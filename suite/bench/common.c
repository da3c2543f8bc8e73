// SPDX-License-Identifier: GPL-2.0-only
/* Helpers shared by the benchmark families: registration, skips, timing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

const char *bench_path_name(enum bench_path path)
{
	return path == BENCH_PATH_VMA ? "vma" : "dmabuf";
}

bool bench_missing(int ret)
{
	return ret == -ENODEV || ret == -EOPNOTSUPP || ret == -ENOTTY;
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

struct bench_ctx *bench_ctx_of(const struct pfnbench_state *st)
{
	return ((const struct bench_reg *)pfnbench_priv(st))->ctx;
}

/* "GROUP/PATH/name:value/...", the name an instance is filtered and reported by. */
static void instance_name(char *buf, size_t len, const char *name,
			  const char *const *arg_names, unsigned int nargs, const int64_t *args)
{
	size_t n = (size_t)snprintf(buf, len, "%s", name);

	for (unsigned int k = 0; k < nargs && n < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "/%s:%lld", arg_names[k],
				      (long long)args[k]);
}

/* A new instance starts: say which, how many remain and the time so far. */
static void progress(struct bench_reg *r, const struct pfnbench_state *st)
{
	struct bench_progress *p = &r->ctx->progress;
	int64_t args[4] = { 0 };
	char name[BENCH_NAME_MAX];
	double now = bench_now();
	bool same = p->last_reg == r;

	for (unsigned int k = 0; k < r->nargs && k < 4; k++) {
		args[k] = pfnbench_range(st, k);
		same = same && args[k] == p->last_args[k];
	}
	if (same)
		return;	/* the next repetition of the same instance */
	if (!p->started)
		p->t0 = now;
	p->started++;
	p->last_reg = r;
	memcpy(p->last_args, args, sizeof(args));
	if (p->quiet)
		return;
	instance_name(name, sizeof(name), r->name, r->arg_names, r->nargs, args);
	fprintf(stderr, "# bench [%u/%u] %s (%u to go, %.0f s elapsed)\n", p->started, p->planned,
		name, p->planned - p->started, now - p->t0);
}

static void trampoline(struct pfnbench_state *st)
{
	struct bench_reg *r = pfnbench_priv(st);

	progress(r, st);
	r->fn(st);
}

/* An instance whose slice the BAR does not have: a SKIP that says so. */
static void bm_unfit(struct pfnbench_state *st)
{
	struct bench_ctx *ctx = bench_ctx_of(st);

	bench_skip(st, false, "the slice (%lld bytes) is larger than %s BAR%u (%llu bytes)",
		   (long long)pfnbench_range(st, 0), ctx->env.target_bdf, ctx->env.bar,
		   (unsigned long long)ctx->env.bar_size);
}

/* One registration of @name over @ninst instances, all with @iters iterations. */
static int register_one(const char *name, pfnbench_fn fn, struct bench_ctx *ctx,
			const char *const *arg_names, unsigned int nargs, const int64_t *args,
			unsigned int ninst, int64_t iters)
{
	struct bench_reg *r;
	struct pfnbench *b;
	int ret;

	if (!ninst)
		return 0;
	if (ctx->nr_regs == BENCH_MAX_REGS)
		return -ENOSPC;
	if (strlen(name) >= sizeof(r->name))
		return -ENAMETOOLONG;
	r = &ctx->regs[ctx->nr_regs++];
	*r = (struct bench_reg){ .ctx = ctx, .fn = fn, .arg_names = arg_names, .nargs = nargs };
	strcpy(r->name, name);
	b = pfnbench_register(name, trampoline, r);
	if (!b)
		return -errno;
	for (unsigned int k = 0; k < ninst; k++) {
		ret = pfnbench_add_args(b, args + (size_t)k * nargs, nargs);
		if (ret)
			return ret;
	}
	ret = pfnbench_set_arg_names(b, arg_names, nargs);
	if (!ret)
		ret = pfnbench_set_iterations(b, iters);
	if (ret)
		return ret;
	pfnbench_set_unit(b, PFNBENCH_UNIT_US);
	pfnbench_use_manual_time(b);
	ctx->progress.planned += ninst;
	return 0;
}

int bench_add(const char *name, pfnbench_fn fn, struct bench_ctx *ctx,
	      const char *const *arg_names, unsigned int nargs, const int64_t *args,
	      unsigned int ninst, const int64_t *iters)
{
	int64_t *fit = calloc((size_t)ninst * nargs + 1, sizeof(*fit));
	int64_t *unfit = calloc((size_t)ninst * nargs + 1, sizeof(*unfit));
	int64_t *fit_iters = calloc((size_t)ninst + 1, sizeof(*fit_iters));
	unsigned int nfit = 0, nunfit = 0;
	char full[BENCH_NAME_MAX];
	int ret = -ENOMEM;

	if (!fit || !unfit || !fit_iters)
		goto out;
	for (unsigned int i = 0; i < ninst; i++) {
		const int64_t *a = args + (size_t)i * nargs;
		bool too_big = !strcmp(arg_names[0], "size") && (uint64_t)a[0] > ctx->env.bar_size;

		instance_name(full, sizeof(full), name, arg_names, nargs, a);
		if (ctx->filter && regexec(ctx->filter, full, 0, NULL, 0))
			continue;
		if (too_big) {
			memcpy(unfit + (size_t)nunfit++ * nargs, a, nargs * sizeof(*a));
		} else {
			memcpy(fit + (size_t)nfit * nargs, a, nargs * sizeof(*a));
			fit_iters[nfit++] = iters[i];
		}
	}
	ret = 0;
	/* One registration per distinct iteration count, in first-seen order. */
	for (unsigned int i = 0; !ret && i < nfit; i++) {
		unsigned int nsame = 0;
		bool seen = false;
		int64_t *same;

		for (unsigned int k = 0; k < i && !seen; k++)
			seen = fit_iters[k] == fit_iters[i];
		if (seen)
			continue;
		same = calloc((size_t)nfit * nargs, sizeof(*same));
		if (!same) {
			ret = -ENOMEM;
			break;
		}
		for (unsigned int k = i; k < nfit; k++)
			if (fit_iters[k] == fit_iters[i])
				memcpy(same + (size_t)nsame++ * nargs, fit + (size_t)k * nargs,
				       nargs * sizeof(*same));
		ret = register_one(name, fn, ctx, arg_names, nargs, same, nsame, fit_iters[i]);
		free(same);
	}
	if (!ret)
		ret = register_one(name, bm_unfit, ctx, arg_names, nargs, unfit, nunfit, 1);
out:
	free(fit);
	free(unfit);
	free(fit_iters);
	return ret;
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
