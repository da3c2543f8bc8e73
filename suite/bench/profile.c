// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark profiles: which slice sizes and alignments, how many iterations.
 *
 * "quick" must finish in well under a minute inside the TCG guest (it runs
 * in `make test`) whatever the BAR's size: its largest slice is at most
 * BENCH_QUICK_MAX_SLICE.  "full" is for `make run` and goes up to the whole
 * BAR.  Under TCG a 4 KiB-aligned mapping of a large BAR costs one fault per
 * page, i.e. seconds per GiB, so the quick profile measures 4 KiB alignment
 * on small slices only.
 */
#include <string.h>

#include "bench.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* Insert @size into the ascending, duplicate-free list of planned sizes. */
static void add_size(struct bench_profile *p, uint64_t size)
{
	unsigned int i = 0;

	while (i < p->nr_sizes && p->sizes[i] < size)
		i++;
	if ((i < p->nr_sizes && p->sizes[i] == size) || p->nr_sizes == BENCH_MAX_SIZES)
		return;
	memmove(&p->sizes[i + 1], &p->sizes[i], (p->nr_sizes - i) * sizeof(p->sizes[0]));
	p->sizes[i] = size;
	p->nr_sizes++;
}

void bench_profile_init(struct bench_profile *p, bool quick, uint64_t bar_size)
{
	static const uint64_t quick_sizes[] = { 4 * KiB, 2 * MiB };
	static const uint64_t full_sizes[] = { 4 * KiB, 64 * KiB, 2 * MiB, 64 * MiB, 1 * GiB };
	const uint64_t *sizes = quick ? quick_sizes : full_sizes;
	size_t n = quick ? sizeof(quick_sizes) / sizeof(quick_sizes[0]) :
			   sizeof(full_sizes) / sizeof(full_sizes[0]);
	uint64_t bar = bar_size & ~(4 * KiB - 1);

	memset(p, 0, sizeof(*p));
	p->name = quick ? "quick" : "full";
	/*
	 * Every planned size, whether the BAR has it or not (bench_add() turns
	 * those it lacks into SKIPs that say so), then the largest slice: the
	 * whole BAR in the full profile, at most BENCH_QUICK_MAX_SLICE in the
	 * quick one, whose time must not grow with the BAR.
	 */
	for (size_t i = 0; i < n; i++)
		add_size(p, sizes[i]);
	p->max_slice = quick && bar > BENCH_QUICK_MAX_SLICE ? BENCH_QUICK_MAX_SLICE : bar;
	add_size(p, p->max_slice);
	p->aligns[0] = 4 * KiB;
	p->aligns[1] = 2 * MiB;
	p->aligns[2] = 1 * GiB;
	p->nr_aligns = 3;
	if (quick) {
		p->big_4k_limit = 2 * MiB;
		p->touch_size_4k = 64 * MiB;
		p->iters_map = 6;
		p->iters_big = 2;
		p->iters_export = 20;
		p->iters_revoke = 3;
		p->iters_dma = 2;
		p->repetitions = 5;
	} else {
		/* Up to 1 GiB: a 64 GiB BAR at 4 KiB is 16M faults, minutes per map. */
		p->big_4k_limit = 1 * GiB;
		p->touch_size_4k = 1 * GiB;
		p->iters_map = 20;
		p->iters_big = 3;
		p->iters_export = 50;
		p->iters_revoke = 5;
		p->iters_dma = 5;
		p->repetitions = 5;
	}
}

bool bench_size_ok(const struct bench_profile *p, uint64_t size, uint64_t align)
{
	/* An alignment above the slice size changes nothing: the 4 KiB one covers it. */
	if (align > 4 * KiB && align > size)
		return false;
	return align >= 2 * MiB || size <= p->big_4k_limit;
}

int64_t bench_iters(const struct bench_profile *p, uint64_t size)
{
	return size > 64 * MiB ? p->iters_big : p->iters_map;
}
