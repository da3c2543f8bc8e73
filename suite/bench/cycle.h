/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One map/unmap cycle of a BAR slice into the IOMMU, on either path, with
 * the map and the unmap timed separately.
 *
 * VMA path: a fresh mmap of the slice at the requested user alignment
 * (PFN_MMAP_EXACT_ALIGN: aligned to it but not to twice it), never touched,
 * so VFIO_IOMMU_MAP_DMA faults it in itself (type1's follow_fault_pfn() ->
 * fixup_user_fault()), exactly as a VMM's first map does.  The mmap and
 * munmap are not timed.
 *
 * dma-buf path: IOMMU_IOAS_MAP_FILE of an existing export of the slice.
 *
 * Optionally the "map" time includes the first device DMA into the mapping
 * (BENCH_DMA_BYTES written into the BAR window by the DMA device and checked to have landed).
 */
#ifndef PFN_BENCH_CYCLE_H
#define PFN_BENCH_CYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "bench.h"

/**
 * struct cycle_times - what one cycle measured
 * @map: seconds from the map call to its return (and the DMA's completion)
 * @unmap: seconds of the unmap call
 * @faults: faults resolved for this thread during the map (getrusage)
 */
struct cycle_times {
	double map;
	double unmap;
	int64_t faults;
};

/**
 * cycle_vma() - mmap, time MAP_DMA (+ DMA), time UNMAP_DMA, munmap; the
 * mmap is fresh, so the map time includes type1 faulting every page in
 * @ctx: context; the environment must be open in type1 mode (with the DMA
 *	 device when @dma)
 * @size: slice bytes, from BAR offset 0
 * @align: user-address alignment of the mmap
 * @dma: include the first DMA in the map time
 * @t: the times
 * @err: what failed
 *
 * Return: 0 or a negative errno; nothing stays mapped either way.
 */
int cycle_vma(struct bench_ctx *ctx, uint64_t size, uint64_t align, bool dma,
	      struct cycle_times *t, struct pfn_err *err);

/**
 * cycle_vma_prefaulted() - cycle_vma() without DMA, with every page of the
 * fresh mmap faulted in (cycle_populate(), untimed) before the timed map
 * @ctx: context; the environment must be open in type1 mode
 * @size: slice bytes, from BAR offset 0
 * @align: user-address alignment of the mmap
 * @t: the times; @t->faults is what type1 still faulted (expected 0)
 * @err: what failed
 *
 * Return: 0 or a negative errno; nothing stays mapped either way.
 */
int cycle_vma_prefaulted(struct bench_ctx *ctx, uint64_t size, uint64_t align,
			 struct cycle_times *t, struct pfn_err *err);

/**
 * cycle_populate() - fault a BAR mapping in: one load per 2 MiB (per 4 KiB
 * below that alignment); at 1 GiB alignment the first load of each GiB maps
 * all of it
 * @va: the mapping
 * @size: its length
 * @align: its user-address alignment
 */
void cycle_populate(const volatile uint8_t *va, uint64_t size, uint64_t align);

/**
 * cycle_dmabuf() - time MAP_FILE of @dmabuf (+ DMA), time IOAS_UNMAP
 * @ctx: context; the environment must be open in iommufd mode
 * @dmabuf: export of the slice [0, @size)
 * @size: slice bytes
 * @dma: include the first DMA in the map time
 * @t: the times (@t->faults is 0: nothing is faulted)
 * @err: what failed
 *
 * Return: 0 or a negative errno; nothing stays mapped either way.
 */
int cycle_dmabuf(struct bench_ctx *ctx, int dmabuf, uint64_t size, bool dma,
		 struct cycle_times *t, struct pfn_err *err);

/**
 * cycle_export() - export [0, @size) of the target BAR as a dma-buf
 * @ctx: context with the target open
 * @size: slice bytes
 * @err: what failed
 *
 * Return: the dma-buf fd, or a negative errno.
 */
int cycle_export(struct bench_ctx *ctx, uint64_t size, struct pfn_err *err);

#endif /* PFN_BENCH_CYCLE_H */
