// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU map and unmap of a BAR slice, and map followed by the first device
 * DMA into it: type1 VFIO_IOMMU_MAP_DMA of the BAR's mmap (VMA path) against
 * iommufd IOMMU_IOAS_MAP_FILE of a dma-buf export (dma-buf path).
 *
 *   iommu_map/vma/size:S/align:A      MAP_DMA of a fresh (unfaulted) mmap:
 *                                     the time includes type1 faulting the
 *                                     BAR in ("faults" counts them)
 *   iommu_map/dmabuf/size:S           MAP_FILE of an export of the slice
 *   iommu_map_prefaulted/vma/...      MAP_DMA of an mmap whose every page
 *                                     was touched first (untimed): the walk
 *                                     alone, no faults
 *   iommu_map_prefaulted/dmabuf/...   the same MAP_FILE as iommu_map/dmabuf
 *                                     (a dma-buf has no VMA to pre-fault),
 *                                     its counterpart in the table
 *   iommu_unmap/...                   the matching unmap, alone
 *   iommu_map_dma/...                 map, then the DMA device (NVMe) copies
 *                                     BENCH_DMA_BYTES of host memory into
 *                                     it, until the copy completes (the
 *                                     NVMe driver stages it on the drive: a
 *                                     write and a read command); SKIP
 *                                     without a DMA-capable device
 *
 * The VMA path also reports "faults": faults type1 resolved while walking
 * the VMA, per map (getrusage; the dma-buf path takes none).
 *
 * The iommu_map benchmarks also report the IOMMU work of one map and unmap, counted
 * exactly from the iommu tracepoints in one extra, untimed cycle after
 * the timed ones (iommu_ops.h): iommu_map_ops (iommu_map() calls),
 * iommu_map_ops_per_gib, iommu_map_bytes_4k/2m/1g (bytes mapped with each
 * IOMMU page size) and iommu_unmap_ops.  Without tracefs they are left out
 * and the label says why.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "bench.h"
#include "cycle.h"
#include "iommu_ops.h"

enum map_what {
	WHAT_MAP,
	WHAT_UNMAP,
	WHAT_MAP_DMA,
	WHAT_MAP_PREFAULTED,
};

static const char *const vma_labels[] = {
	[WHAT_MAP] = "fresh mmap: the map time includes faulting the BAR in",
	[WHAT_MAP_DMA] = "fresh mmap: the map time includes faulting the BAR in",
	[WHAT_MAP_PREFAULTED] = "pre-faulted mmap: every page touched before the timed map",
};

static int vma_once(struct bench_ctx *ctx, enum map_what what, uint64_t size, uint64_t align,
		    struct cycle_times *t, struct pfn_err *err)
{
	if (what == WHAT_MAP_PREFAULTED)
		return cycle_vma_prefaulted(ctx, size, align, t, err);
	return cycle_vma(ctx, size, align, what == WHAT_MAP_DMA, t, err);
}

/* The IOMMU op counter, opened on first use; counting is off when that failed. */
static struct iommu_ops ops_counter;
static struct pfn_err ops_unavailable;
static bool ops_tried;

static bool ops_begin(struct pfnbench_state *st, enum map_what what)
{
	struct pfn_err err;
	char label[sizeof(err.msg) + 32];

	if (what != WHAT_MAP)
		return false;
	if (!ops_tried) {
		ops_tried = true;
		iommu_ops_open(&ops_counter, &ops_unavailable);
	}
	if (ops_unavailable.code) {
		snprintf(label, sizeof(label), "IOMMU ops not counted: %s", ops_unavailable.msg);
		pfnbench_set_label(st, label);
		return false;
	}
	if (iommu_ops_start(&ops_counter, &err)) {
		snprintf(label, sizeof(label), "IOMMU ops not counted: %s", err.msg);
		pfnbench_set_label(st, label);
		return false;
	}
	return true;
}

static void ops_set(struct pfnbench_state *st, const char *name, double v)
{
	pfnbench_set_counter(st, name, v, 0, PFNBENCH_BASE_1000);
}

/* Stop counting; report one cycle's IOMMU work unless @cycle_ret failed. */
static void ops_end(struct pfnbench_state *st, uint64_t size, int cycle_ret)
{
	static const char *const bytes_names[] = {
		[IOMMU_PGSIZE_4K] = "iommu_map_bytes_4k",
		[IOMMU_PGSIZE_2M] = "iommu_map_bytes_2m",
		[IOMMU_PGSIZE_1G] = "iommu_map_bytes_1g",
	};
	struct iommu_ops_counts c;
	struct pfn_err err;
	char label[sizeof(err.msg) + 32];

	if (iommu_ops_stop(&ops_counter, &c, &err) || cycle_ret) {
		snprintf(label, sizeof(label), "IOMMU ops not counted: %s",
			 cycle_ret ? "the counted cycle failed" : err.msg);
		pfnbench_set_label(st, label);
		return;
	}
	ops_set(st, "iommu_map_ops", (double)c.map_ops);
	ops_set(st, "iommu_map_ops_per_gib", (double)c.map_ops * (double)(1ull << 30) / (double)size);
	for (int p = IOMMU_PGSIZE_4K; p <= IOMMU_PGSIZE_1G; p++)
		ops_set(st, bytes_names[p], (double)c.map_bytes_by_pgsize[p]);
	ops_set(st, "iommu_unmap_ops", (double)c.unmap_ops);
}

static void run_vma(struct pfnbench_state *st, enum map_what what)
{
	struct bench_ctx *ctx = bench_ctx_of(st);
	uint64_t size = (uint64_t)pfnbench_range(st, 0);
	uint64_t align = (uint64_t)pfnbench_range(st, 1);
	bool dma = what == WHAT_MAP_DMA;
	struct cycle_times t;
	struct pfn_err err;
	int64_t faults = 0;
	int ret;

	ret = bench_env_use(&ctx->env, PFN_MODE_TYPE1, dma, &err);
	if (ret) {
		bench_skip(st, !bench_missing(ret), "%s", err.msg);
		return;
	}
	/* One untimed warm-up cycle: TCG translates the kernel's code on first use. */
	if (vma_once(ctx, what, size, align, &t, &err)) {
		bench_skip(st, true, "%s", err.msg);
		return;
	}
	while (pfnbench_keep_running(st)) {
		if (vma_once(ctx, what, size, align, &t, &err)) {
			bench_skip(st, true, "%s", err.msg);
			return;
		}
		pfnbench_set_iteration_time(st, what == WHAT_UNMAP ? t.unmap : t.map);
		faults += t.faults;
	}
	if (what != WHAT_UNMAP)
		pfnbench_set_counter(st, "faults", (double)faults, PFNBENCH_COUNTER_AVG_ITERATIONS,
				     PFNBENCH_BASE_1000);
	if (what < sizeof(vma_labels) / sizeof(vma_labels[0]) && vma_labels[what])
		pfnbench_set_label(st, vma_labels[what]);
	if (ops_begin(st, what))
		ops_end(st, size, cycle_vma(ctx, size, align, false, &t, &err));
}

static void run_dmabuf(struct pfnbench_state *st, enum map_what what)
{
	struct bench_ctx *ctx = bench_ctx_of(st);
	uint64_t size = (uint64_t)pfnbench_range(st, 0);
	bool dma = what == WHAT_MAP_DMA;
	struct cycle_times t;
	struct pfn_err err;
	int fd, ret;

	ret = bench_env_use(&ctx->env, PFN_MODE_IOMMUFD, dma, &err);
	if (ret) {
		bench_skip(st, !bench_missing(ret), "%s", err.msg);
		return;
	}
	fd = cycle_export(ctx, size, &err);
	if (fd < 0) {
		bench_skip(st, !bench_missing(fd), "no dma-buf export: %s", err.msg);
		return;
	}
	ret = cycle_dmabuf(ctx, fd, size, dma, &t, &err);	/* warm-up */
	while (!ret && pfnbench_keep_running(st)) {
		ret = cycle_dmabuf(ctx, fd, size, dma, &t, &err);
		if (ret)
			break;
		pfnbench_set_iteration_time(st, what == WHAT_UNMAP ? t.unmap : t.map);
	}
	if (ret)
		bench_skip(st, ret != -EOPNOTSUPP, "%s", err.msg);
	else if (ops_begin(st, what))
		ops_end(st, size, cycle_dmabuf(ctx, fd, size, false, &t, &err));
	close(fd);
}

static void bm_map_vma(struct pfnbench_state *st) { run_vma(st, WHAT_MAP); }
static void bm_unmap_vma(struct pfnbench_state *st) { run_vma(st, WHAT_UNMAP); }
static void bm_map_dma_vma(struct pfnbench_state *st) { run_vma(st, WHAT_MAP_DMA); }
static void bm_map_prefaulted_vma(struct pfnbench_state *st) { run_vma(st, WHAT_MAP_PREFAULTED); }
static void bm_map_dmabuf(struct pfnbench_state *st) { run_dmabuf(st, WHAT_MAP); }
static void bm_unmap_dmabuf(struct pfnbench_state *st) { run_dmabuf(st, WHAT_UNMAP); }
static void bm_map_dma_dmabuf(struct pfnbench_state *st) { run_dmabuf(st, WHAT_MAP_DMA); }

/* Register GROUP/vma over sizes x alignments and GROUP/dmabuf over sizes. */
static int register_pair(struct bench_ctx *ctx, const char *group, pfnbench_fn vma,
			 pfnbench_fn dmabuf, uint64_t min_size, int64_t iters_fixed)
{
	static const char *const vma_names[] = { "size", "align" };
	static const char *const buf_names[] = { "size" };
	const struct bench_profile *p = &ctx->profile;
	int64_t vargs[BENCH_MAX_SIZES * BENCH_MAX_ALIGNS * 2];
	int64_t viters[BENCH_MAX_SIZES * BENCH_MAX_ALIGNS];
	int64_t bargs[BENCH_MAX_SIZES], biters[BENCH_MAX_SIZES];
	unsigned int nv = 0, nb = 0;
	char name[64];
	int ret;

	for (unsigned int s = 0; s < p->nr_sizes; s++) {
		uint64_t size = p->sizes[s];
		int64_t iters = iters_fixed ? iters_fixed : bench_iters(p, size);

		if (size < min_size)
			continue;
		for (unsigned int a = 0; a < p->nr_aligns; a++) {
			if (!bench_size_ok(p, size, p->aligns[a]))
				continue;
			vargs[2 * nv] = (int64_t)size;
			vargs[2 * nv + 1] = (int64_t)p->aligns[a];
			viters[nv++] = iters;
		}
		bargs[nb] = (int64_t)size;
		biters[nb++] = iters;
	}
	snprintf(name, sizeof(name), "%s/vma", group);
	ret = bench_add(name, vma, ctx, vma_names, 2, vargs, nv, viters);
	if (ret)
		return ret;
	snprintf(name, sizeof(name), "%s/dmabuf", group);
	return bench_add(name, dmabuf, ctx, buf_names, 1, bargs, nb, biters);
}

int bench_register_map(struct bench_ctx *ctx)
{
	int ret = register_pair(ctx, "iommu_map", bm_map_vma, bm_map_dmabuf, 0, 0);

	if (!ret)
		ret = register_pair(ctx, "iommu_map_prefaulted", bm_map_prefaulted_vma,
				    bm_map_dmabuf, 0, 0);
	return ret ? ret : register_pair(ctx, "iommu_unmap", bm_unmap_vma, bm_unmap_dmabuf, 0, 0);
}

int bench_register_map_dma(struct bench_ctx *ctx)
{
	/* The DMA writes BENCH_DMA_BYTES; slices of at least 2 MiB keep the list short. */
	return register_pair(ctx, "iommu_map_dma", bm_map_dma_vma, bm_map_dma_dmabuf,
			     2ull << 20, ctx->profile.iters_dma);
}
