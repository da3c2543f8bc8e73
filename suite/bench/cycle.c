// SPDX-License-Identifier: GPL-2.0-only
/* Timed map/unmap cycles of a BAR slice on either path: see cycle.h. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "cycle.h"
#include "faults.h"

/*
 * "Map + first DMA": the canary and the source pattern are written before
 * the clock starts, the DMA is sent inside the timed region, and after the
 * clock stops the BAR must hold the DMA's data byte for byte, or the sample
 * is an error (a map that "worked" without DMA reaching the BAR times
 * nothing).
 */
static int first_dma_prepare(struct bench_ctx *ctx, struct pfn_proof_dma *d, struct pfn_err *err)
{
	int ret = pfn_proof_write_canary(&ctx->env.proof, err);

	pfn_proof_prepare(&ctx->env.proof, ctx->env.iova_bar, d);
	return ret;
}

static int first_dma_send(struct bench_ctx *ctx, struct pfn_proof_dma *d, struct pfn_err *err)
{
	int ret = pfn_proof_send(&ctx->env.proof, d);

	return ret ? pfn_fail(err, -ret, "the first DMA failed: %s", d->msg) : 0;
}

static int first_dma_check(struct bench_ctx *ctx, const struct pfn_proof_dma *d,
			   struct pfn_err *err)
{
	enum pfn_proof_state st = pfn_proof_observe(&ctx->env.proof, d, NULL);

	if (st == PFN_PROOF_LANDED)
		return 0;
	return pfn_fail(err, EIO, "the first DMA reported success but the BAR holds %s, not its data",
			st == PFN_PROOF_CANARY ? "the canary" : "something else");
}

void cycle_populate(const volatile uint8_t *va, uint64_t size, uint64_t align)
{
	uint64_t step = align < (2ull << 20) ? 4096 : (2ull << 20);

	for (uint64_t off = 0; off < size; off += step)
		(void)*(const volatile uint32_t *)(va + off);
}

static int vma_cycle(struct bench_ctx *ctx, uint64_t size, uint64_t align, bool dma,
		     bool prefault, struct cycle_times *t, struct pfn_err *err)
{
	struct bench_env *env = &ctx->env;
	struct pfn_proof_dma d;
	uint64_t f0, f1;
	double t0, t1, t2;
	void *va;
	int ret;

	ret = pfn_vfio_bar_mmap(&env->target, env->bar, 0, size, align, PFN_MMAP_EXACT_ALIGN, &va, err);
	if (ret)
		return ret;
	if (prefault)
		cycle_populate(va, size, align);	/* untimed */
	if (dma && (ret = first_dma_prepare(ctx, &d, err))) {
		munmap(va, size);
		return ret;
	}
	f0 = fault_count_rusage();
	t0 = bench_now();
	ret = pfn_type1_map(env->iommu.fd, va, env->iova_bar, size, PFN_MAP_RW, err);
	bench_inject(ctx, BENCH_PATH_VMA);
	if (!ret && dma)
		ret = first_dma_send(ctx, &d, err);
	t1 = bench_now();
	f1 = fault_count_rusage();
	if (!ret && dma)
		ret = first_dma_check(ctx, &d, err);
	if (ret) {
		pfn_type1_unmap(env->iommu.fd, env->iova_bar, size, NULL, NULL);
		munmap(va, size);
		return ret;
	}
	ret = pfn_type1_unmap(env->iommu.fd, env->iova_bar, size, NULL, err);
	t2 = bench_now();
	munmap(va, size);
	t->map = t1 - t0;
	t->unmap = t2 - t1;
	t->faults = (int64_t)(f1 - f0);
	return ret;
}

int cycle_vma(struct bench_ctx *ctx, uint64_t size, uint64_t align, bool dma,
	      struct cycle_times *t, struct pfn_err *err)
{
	return vma_cycle(ctx, size, align, dma, false, t, err);
}

int cycle_vma_prefaulted(struct bench_ctx *ctx, uint64_t size, uint64_t align,
			 struct cycle_times *t, struct pfn_err *err)
{
	return vma_cycle(ctx, size, align, false, true, t, err);
}

int cycle_dmabuf(struct bench_ctx *ctx, int dmabuf, uint64_t size, bool dma,
		 struct cycle_times *t, struct pfn_err *err)
{
	struct bench_env *env = &ctx->env;
	uint64_t iova = env->iova_bar;
	struct pfn_proof_dma d;
	double t0, t1, t2;
	int ret;

	if (dma && (ret = first_dma_prepare(ctx, &d, err)))
		return ret;
	t0 = bench_now();
	ret = pfn_ioas_map_file(env->iommu.fd, env->iommu.ioas_id, dmabuf, 0, size, &iova,
				PFN_MAP_RW, err);
	bench_inject(ctx, BENCH_PATH_DMABUF);
	if (!ret && dma)
		ret = first_dma_send(ctx, &d, err);
	t1 = bench_now();
	if (!ret && dma)
		ret = first_dma_check(ctx, &d, err);
	if (ret) {
		pfn_ioas_unmap(env->iommu.fd, env->iommu.ioas_id, env->iova_bar, size, NULL, NULL);
		return ret;
	}
	ret = pfn_ioas_unmap(env->iommu.fd, env->iommu.ioas_id, env->iova_bar, size, NULL, err);
	t2 = bench_now();
	t->map = t1 - t0;
	t->unmap = t2 - t1;
	t->faults = 0;
	return ret;
}

int cycle_export(struct bench_ctx *ctx, uint64_t size, struct pfn_err *err)
{
	struct pfn_range r = { 0, size };

	return pfn_vfio_dmabuf_export(&ctx->env.target, ctx->env.bar,
				      &r, 1, O_RDWR | O_CLOEXEC, err);
}
