// SPDX-License-Identifier: GPL-2.0-only
/*
 * Revoke latency: from the exporter's trigger to the trigger returning, and
 * (dma-buf path, memory disable) to the mapping being observably gone.
 *
 *   revoke_mem/PATH/size:S     clear PCI_COMMAND.MEMORY (config write)
 *   revoke_reset/PATH/size:S   VFIO_DEVICE_RESET
 *
 * VMA path: the largest slice (the whole BAR, at most 1 GiB in
 * the quick profile) mmap'd (populated) and mapped by type1; the
 * trigger zaps the CPU mapping, but type1 is never told: its IOMMU mapping
 * survives (the gap the dma-buf path closes), so there is no "gone" time.
 *
 * dma-buf path: the same slice exported and mapped with IOMMU_IOAS_MAP_FILE.
 * The invalidate callback unmaps it from the IOMMU before the trigger
 * returns; "gone_us" is the time from the trigger to the first new
 * MAP_FILE of the same dma-buf failing with ENODEV.  After a reset the
 * device is enabled again on return, so that probe cannot see the revoke
 * and only the trigger is timed.
 *
 * Between iterations (untimed) memory is re-enabled, and the dma-buf path
 * unmaps its revoked mapping and maps the dma-buf again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "bench.h"
#include "cycle.h"

#define GONE_TIMEOUT_S 1.0

enum trigger {
	TRIGGER_MEMORY,
	TRIGGER_RESET,
};

static int fire(struct bench_env *env, enum trigger trig, struct pfn_err *err)
{
	if (trig == TRIGGER_MEMORY)
		return pfn_vfio_set_memory_enable(&env->target, false, err);
	return pfn_vfio_reset(&env->target, err);
}

static bool trigger_ok(struct pfnbench_state *st, struct bench_env *env, enum trigger trig)
{
	if (trig == TRIGGER_RESET && !(env->target.flags & VFIO_DEVICE_FLAGS_RESET)) {
		bench_skip(st, false, "%s cannot be reset (VFIO_DEVICE_FLAGS_RESET is clear)",
			   env->target_bdf);
		return false;
	}
	return true;
}

/* The natural alignment of a slice: a power of two, at most 1 GiB. */
static uint64_t natural_align(uint64_t size)
{
	uint64_t a = 4096;

	while (a < (1ull << 30) && a * 2 <= size)
		a *= 2;
	return a;
}

/* One timed trigger with the VMA populated, then memory enabled again. */
static int vma_once(struct bench_env *env, enum trigger trig, void *va, uint64_t size,
		    double *secs, struct pfn_err *err)
{
	double t0;
	int ret;

	cycle_populate(va, size, natural_align(size));
	t0 = bench_now();
	ret = fire(env, trig, err);
	*secs = bench_now() - t0;
	if (ret)
		return ret;
	ret = pfn_vfio_set_memory_enable(&env->target, true, err);
	return ret ? bench_err_prefix(err, "re-enabling memory") : 0;
}

static void run_vma(struct pfnbench_state *st, enum trigger trig)
{
	struct bench_ctx *ctx = bench_ctx_of(st);
	struct bench_env *env = &ctx->env;
	uint64_t size = (uint64_t)pfnbench_range(st, 0);
	struct pfn_err err;
	double secs;
	void *va;
	int ret;

	ret = bench_env_use(env, PFN_MODE_TYPE1, false, &err);
	if (ret) {
		bench_skip(st, !bench_missing(ret), "%s", err.msg);
		return;
	}
	if (!trigger_ok(st, env, trig))
		return;
	if (pfn_vfio_bar_mmap(&env->target, env->bar, 0, size, natural_align(size), 0, &va, &err)) {
		bench_skip(st, true, "%s", err.msg);
		return;
	}
	ret = pfn_type1_map(env->iommu.fd, va, env->iova_bar, size, PFN_MAP_RW, &err);
	if (!ret)
		ret = vma_once(env, trig, va, size, &secs, &err);	/* warm-up */
	while (!ret && pfnbench_keep_running(st)) {
		ret = vma_once(env, trig, va, size, &secs, &err);
		if (!ret)
			pfnbench_set_iteration_time(st, secs);
	}
	if (ret)
		bench_skip(st, true, "%s", err.msg);
	else
		pfnbench_set_label(st, "type1 is not told: its IOMMU mapping of the BAR survives");
	pfn_vfio_set_memory_enable(&env->target, true, NULL);
	pfn_type1_unmap(env->iommu.fd, env->iova_bar, size, NULL, NULL);
	munmap(va, size);
}

/* Seconds from @t0 until a new MAP_FILE of @fd fails with ENODEV; < 0 on error. */
static double wait_gone(struct bench_env *env, int fd, uint64_t size, double t0,
			struct pfn_err *err)
{
	uint64_t iova;
	double now;
	int ret;

	do {
		iova = env->iova_probe;
		ret = pfn_ioas_map_file(env->iommu.fd, env->iommu.ioas_id, fd, 0, size, &iova,
					PFN_MAP_RW, err);
		now = bench_now();
		if (ret == -ENODEV)
			return now - t0;
		if (ret)
			return -1;
		pfn_ioas_unmap(env->iommu.fd, env->iommu.ioas_id, iova, size, NULL, NULL);
	} while (now - t0 < GONE_TIMEOUT_S);
	pfn_fail(err, ETIMEDOUT, "the dma-buf still maps %.1f s after the revoke", GONE_TIMEOUT_S);
	return -1;
}

/* (Re)map the dma-buf at the BAR window, dropping a revoked mapping first. */
static int remap(struct bench_env *env, int fd, uint64_t size, struct pfn_err *err)
{
	uint64_t iova = env->iova_bar;

	pfn_ioas_unmap(env->iommu.fd, env->iommu.ioas_id, env->iova_bar, size, NULL, NULL);
	return pfn_ioas_map_file(env->iommu.fd, env->iommu.ioas_id, fd, 0, size, &iova,
				 PFN_MAP_RW, err);
}

/*
 * One timed trigger of a mapped dma-buf (@secs), the time until it is seen
 * gone (@gone, memory trigger only, else 0), then enable and map again.
 */
static int dmabuf_once(struct bench_env *env, enum trigger trig, int fd, uint64_t size,
		       double *secs, double *gone, struct pfn_err *err)
{
	double t0;
	int ret;

	*gone = 0;
	t0 = bench_now();
	ret = fire(env, trig, err);
	*secs = bench_now() - t0;
	if (ret)
		return ret;
	if (trig == TRIGGER_MEMORY) {
		*gone = wait_gone(env, fd, size, t0, err);
		if (*gone < 0)
			return -err->code;
	}
	ret = pfn_vfio_set_memory_enable(&env->target, true, err);
	if (ret)
		return bench_err_prefix(err, "re-enabling memory");
	ret = remap(env, fd, size, err);
	return ret ? bench_err_prefix(err, "mapping again after the revoke") : 0;
}

static void run_dmabuf(struct pfnbench_state *st, enum trigger trig)
{
	struct bench_ctx *ctx = bench_ctx_of(st);
	struct bench_env *env = &ctx->env;
	uint64_t size = (uint64_t)pfnbench_range(st, 0);
	double secs, gone, gone_sum = 0;
	struct pfn_err err;
	int fd, ret;

	ret = bench_env_use(env, PFN_MODE_IOMMUFD, false, &err);
	if (ret) {
		bench_skip(st, !bench_missing(ret), "%s", err.msg);
		return;
	}
	if (!trigger_ok(st, env, trig))
		return;
	fd = cycle_export(ctx, size, &err);
	if (fd < 0) {
		bench_skip(st, !bench_missing(fd), "no dma-buf export: %s", err.msg);
		return;
	}
	ret = remap(env, fd, size, &err);
	if (!ret)
		ret = dmabuf_once(env, trig, fd, size, &secs, &gone, &err);	/* warm-up */
	while (!ret && pfnbench_keep_running(st)) {
		ret = dmabuf_once(env, trig, fd, size, &secs, &gone, &err);
		if (ret)
			break;
		pfnbench_set_iteration_time(st, secs);
		gone_sum += gone;
	}
	if (ret)
		bench_skip(st, true, "%s", err.msg);
	else if (trig == TRIGGER_MEMORY)
		pfnbench_set_counter(st, "gone_us", gone_sum * 1e6, PFNBENCH_COUNTER_AVG_ITERATIONS,
				     PFNBENCH_BASE_1000);
	pfn_vfio_set_memory_enable(&env->target, true, NULL);
	pfn_ioas_unmap(env->iommu.fd, env->iommu.ioas_id, env->iova_bar, size, NULL, NULL);
	close(fd);
}

static void bm_mem_vma(struct pfnbench_state *st) { run_vma(st, TRIGGER_MEMORY); }
static void bm_reset_vma(struct pfnbench_state *st) { run_vma(st, TRIGGER_RESET); }
static void bm_mem_dmabuf(struct pfnbench_state *st) { run_dmabuf(st, TRIGGER_MEMORY); }
static void bm_reset_dmabuf(struct pfnbench_state *st) { run_dmabuf(st, TRIGGER_RESET); }

int bench_register_revoke(struct bench_ctx *ctx)
{
	static const char *const names[] = { "size" };
	int64_t size = (int64_t)ctx->profile.max_slice;
	int64_t iters = ctx->profile.iters_revoke;
	int ret;

	ret = bench_add("revoke_mem/vma", bm_mem_vma, ctx, names, 1, &size, 1, &iters);
	if (!ret)
		ret = bench_add("revoke_mem/dmabuf", bm_mem_dmabuf, ctx, names, 1, &size, 1, &iters);
	if (!ret)
		ret = bench_add("revoke_reset/vma", bm_reset_vma, ctx, names, 1, &size, 1, &iters);
	if (!ret)
		ret = bench_add("revoke_reset/dmabuf", bm_reset_dmabuf, ctx, names, 1, &size, 1,
				&iters);
	return ret;
}
