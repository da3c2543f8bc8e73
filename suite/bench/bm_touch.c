// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPU access to an mmap'd BAR: the page faults taken when touching (one
 * 8-byte load) every 4 KiB page of a fresh mapping, at each user-address
 * alignment.  vfio-pci's fault handler inserts one 4 KiB, 2 MiB or 1 GiB
 * mapping per fault, the largest the alignment allows.
 *
 *   cpu_touch/vma/size:S/align:A   faults (exact, perf software event),
 *                                  faults_per_gib, time of the pass
 *   cpu_touch/dmabuf/size:S        the same through an mmap of the dma-buf,
 *                                  SKIP when the exporter has no mmap
 *                                  (vfio-pci's dma-bufs have none in 7.3)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "cycle.h"
#include "faults.h"

#define PAGE_4K 4096ull
#define GIB (1ull << 30)

/* One pass over @len bytes at @va; Return: CPU faults taken, -1 unknown. */
static int64_t touch_pass(struct fault_counter *fc, const volatile uint8_t *va, uint64_t len,
			  double *seconds)
{
	uint64_t sink = 0;
	double t0;
	int64_t n;

	fault_counter_begin(fc);
	t0 = bench_now();
	for (uint64_t off = 0; off < len; off += PAGE_4K)
		sink += *(const volatile uint64_t *)(va + off);
	*seconds = bench_now() - t0;
	n = fault_counter_end(fc);
	(void)sink;
	return n;
}

static void report(struct pfnbench_state *st, const struct fault_counter *fc, int64_t faults,
		   uint64_t size)
{
	char label[96];

	pfnbench_set_counter(st, "faults", (double)faults, PFNBENCH_COUNTER_AVG_ITERATIONS,
			     PFNBENCH_BASE_1000);
	pfnbench_set_counter(st, "faults_per_gib", (double)faults * (double)GIB / (double)size,
			     PFNBENCH_COUNTER_AVG_ITERATIONS, PFNBENCH_BASE_1000);
	snprintf(label, sizeof(label), "faults counted exactly by %s", fault_counter_source(fc));
	pfnbench_set_label(st, label);
}

/*
 * One pass over a fresh mapping -- of the BAR at @align when @fd < 0, else of
 * the dma-buf @fd -- unmapped after: @n gets the faults, @secs the time.
 * Return: 0, or a negative errno with @err set (-EIO: counter unreadable).
 */
static int touch_once(struct bench_ctx *ctx, int fd, uint64_t size, uint64_t align,
		      struct fault_counter *fc, int64_t *n, double *secs, struct pfn_err *err)
{
	void *va;
	int ret;

	if (fd < 0) {
		ret = pfn_vfio_bar_mmap(&ctx->env.target, ctx->env.bar, 0, size, align,
					PFN_MMAP_EXACT_ALIGN, &va, err);
		if (ret)
			return ret;
	} else {
		va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (va == MAP_FAILED)
			return pfn_fail_errno(err, "mmap of the dma-buf");
	}
	*n = touch_pass(fc, va, size, secs);
	munmap(va, size);
	if (*n < 0)
		return pfn_fail(err, EIO, "reading the page-fault counter failed");
	return 0;
}

/* @fd: the dma-buf to mmap, or -1 for the BAR's own mmap at @align. */
static void run(struct pfnbench_state *st, struct bench_ctx *ctx, int fd, uint64_t size,
		uint64_t align)
{
	struct fault_counter fc;
	struct pfn_err err;
	int64_t faults = 0, n;
	double secs;
	int ret;

	fault_counter_open(&fc);
	ret = touch_once(ctx, fd, size, align, &fc, &n, &secs, &err);	/* warm-up */
	while (!ret && pfnbench_keep_running(st)) {
		ret = touch_once(ctx, fd, size, align, &fc, &n, &secs, &err);
		if (ret)
			break;
		pfnbench_set_iteration_time(st, secs);
		faults += n;
	}
	/* dma_buf_mmap() is -EINVAL when the exporter has no mmap: absence. */
	if (ret && fd >= 0 && (ret == -EINVAL || bench_missing(ret)))
		bench_skip(st, false, "the dma-buf cannot be mmap'd (%s): no CPU path to compare",
			   strerrorname_np(-ret) ? strerrorname_np(-ret) : "?");
	else if (ret)
		bench_skip(st, true, "%s", err.msg);
	else
		report(st, &fc, faults, size);
	fault_counter_close(&fc);
}

static void bm_touch_vma(struct pfnbench_state *st)
{
	struct bench_ctx *ctx = bench_ctx_of(st);
	struct pfn_err err;
	int ret;

	ret = bench_env_any(&ctx->env, &err);
	if (ret) {
		bench_skip(st, !bench_missing(ret), "%s", err.msg);
		return;
	}
	run(st, ctx, -1, (uint64_t)pfnbench_range(st, 0), (uint64_t)pfnbench_range(st, 1));
}

static void bm_touch_dmabuf(struct pfnbench_state *st)
{
	struct bench_ctx *ctx = bench_ctx_of(st);
	uint64_t size = (uint64_t)pfnbench_range(st, 0);
	struct pfn_err err;
	int fd, ret;

	ret = bench_env_any(&ctx->env, &err);
	if (ret) {
		bench_skip(st, !bench_missing(ret), "%s", err.msg);
		return;
	}
	fd = cycle_export(ctx, size, &err);
	if (fd < 0) {
		bench_skip(st, !bench_missing(fd), "no dma-buf export: %s", err.msg);
		return;
	}
	run(st, ctx, fd, size, 0);
	close(fd);
}

int bench_register_touch(struct bench_ctx *ctx)
{
	static const char *const vma_names[] = { "size", "align" };
	static const char *const buf_names[] = { "size" };
	const struct bench_profile *p = &ctx->profile;
	uint64_t sizes[2] = { 64ull << 20, p->max_slice };
	int64_t vargs[2 * 2 * BENCH_MAX_ALIGNS], viters[2 * BENCH_MAX_ALIGNS];
	int64_t bargs[2], biters[2];
	unsigned int nv = 0, nb = 0;
	int ret;

	for (unsigned int s = 0; s < 2; s++) {
		if (s && sizes[s] == sizes[0])
			continue;
		for (unsigned int a = 0; a < p->nr_aligns; a++) {
			uint64_t align = p->aligns[a];

			if ((align > PAGE_4K && align > sizes[s]) ||
			    (align < (2ull << 20) && sizes[s] > p->touch_size_4k))
				continue;
			vargs[2 * nv] = (int64_t)sizes[s];
			vargs[2 * nv + 1] = (int64_t)align;
			viters[nv++] = p->iters_big;
		}
		bargs[nb] = (int64_t)sizes[s];
		biters[nb++] = p->iters_big;
	}
	ret = bench_add("cpu_touch/vma", bm_touch_vma, ctx, vma_names, 2, vargs, nv, viters);
	if (ret)
		return ret;
	return bench_add("cpu_touch/dmabuf", bm_touch_dmabuf, ctx, buf_names, 1, bargs, nb, biters);
}
