// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cost of handing out the memory object itself, before any importer
 * sees it:
 *
 *   export/dmabuf/size:S   VFIO_DEVICE_FEATURE_DMA_BUF of the slice + close()
 *   export/vma/size:S      mmap() of the same slice of the BAR + munmap()
 *                          (nothing touched: no fault, no page table)
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "cycle.h"

/* One timed mmap + munmap; Return: 0 or -errno. */
static int mmap_once(struct bench_ctx *ctx, const struct pfn_region *r, uint64_t size,
		     double *secs, struct pfn_err *err)
{
	double t0 = bench_now();
	void *va;

	va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, ctx->env.target.fd,
		  (off_t)r->offset);
	if (va == MAP_FAILED)
		return pfn_fail_errno(err, "mmap of %s BAR%u", ctx->env.target_bdf, ctx->env.bar);
	munmap(va, size);
	*secs = bench_now() - t0;
	return 0;
}

/* One timed export + close; Return: 0 or -errno. */
static int export_once(struct bench_ctx *ctx, uint64_t size, double *secs, struct pfn_err *err)
{
	double t0 = bench_now();
	int fd;

	fd = cycle_export(ctx, size, err);
	if (fd < 0)
		return fd;
	close(fd);
	*secs = bench_now() - t0;
	return 0;
}

static void bm_export_vma(struct pfnbench_state *st)
{
	struct bench_ctx *ctx = bench_ctx_of(st);
	uint64_t size = (uint64_t)pfnbench_range(st, 0);
	struct pfn_region r;
	struct pfn_err err;
	double secs;
	int ret;

	ret = bench_env_any(&ctx->env, &err);
	if (!ret)
		ret = pfn_vfio_region(&ctx->env.target, ctx->env.bar, &r, &err);
	if (ret) {
		bench_skip(st, !bench_missing(ret), "%s", err.msg);
		return;
	}
	ret = mmap_once(ctx, &r, size, &secs, &err);	/* warm-up */
	while (!ret && pfnbench_keep_running(st)) {
		ret = mmap_once(ctx, &r, size, &secs, &err);
		if (!ret)
			pfnbench_set_iteration_time(st, secs);
	}
	if (ret)
		bench_skip(st, true, "%s", err.msg);
}

static void bm_export_dmabuf(struct pfnbench_state *st)
{
	struct bench_ctx *ctx = bench_ctx_of(st);
	uint64_t size = (uint64_t)pfnbench_range(st, 0);
	struct pfn_err err;
	double secs;
	int ret;

	ret = bench_env_any(&ctx->env, &err);
	if (ret) {
		bench_skip(st, !bench_missing(ret), "%s", err.msg);
		return;
	}
	ret = export_once(ctx, size, &secs, &err);	/* warm-up */
	while (!ret && pfnbench_keep_running(st)) {
		ret = export_once(ctx, size, &secs, &err);
		if (!ret)
			pfnbench_set_iteration_time(st, secs);
	}
	if (ret)
		bench_skip(st, !bench_missing(ret), "no dma-buf export: %s", err.msg);
}

int bench_register_export(struct bench_ctx *ctx)
{
	static const char *const names[] = { "size" };
	const struct bench_profile *p = &ctx->profile;
	int64_t args[BENCH_MAX_SIZES], iters[BENCH_MAX_SIZES];
	int ret;

	for (unsigned int s = 0; s < p->nr_sizes; s++) {
		args[s] = (int64_t)p->sizes[s];
		iters[s] = p->iters_export;
	}
	ret = bench_add("export/vma", bm_export_vma, ctx, names, 1, args, p->nr_sizes, iters);
	if (ret)
		return ret;
	return bench_add("export/dmabuf", bm_export_dmabuf, ctx, names, 1, args, p->nr_sizes,
			 iters);
}
