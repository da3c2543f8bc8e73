/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The devices a benchmark runs against, opened in the IOMMU mode it needs.
 *
 * A VFIO device cannot be open through its group (type1) and its cdev
 * (iommufd) at once, so the environment holds one mode at a time and
 * switches on demand: the VMA-path benchmarks need a type1 container, the
 * dma-buf ones an iommufd IOAS.  Benchmarks are registered path by path, so
 * a full run switches only a few times.  A mode that cannot be opened is
 * remembered with its reason, and every benchmark needing it is skipped.
 */
#ifndef PFN_BENCH_ENV_H
#define PFN_BENCH_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/dma.h"
#include "pfn/iova.h"
#include "pfn/proof.h"
#include "pfn/error.h"
#include "pfn/iommu.h"
#include "pfn/vfio.h"

/* IOVA layout, inside a 39-bit vIOMMU and away from the x86 MSI window. */
#define BENCH_DMA_BYTES		4096ull		/* bytes of the "first DMA" */
#define BENCH_DMA_TIMEOUT_MS	5000

/**
 * struct bench_env - target (and DMA) device, one IOMMU mode at a time
 * @sysfs: sysfs mount point
 * @target_bdf: the device whose BAR is mapped (ivshmem in the emulated target)
 * @bar: the BAR under test
 * @bar_size: its size in bytes
 * @dma_bdf: a DMA-capable device (NVMe) for "map + first DMA", "" if none
 * @dma_why: why there is no DMA device, when @dma_bdf is ""
 * @is_open: @mode is open
 * @mode: the mode open
 * @iommu: the address space of @mode
 * @target: the target device
 * @dmadev: the DMA device, when @dma_open
 * @dma: its driver, when @dma_open
 * @dma_open: the DMA device and driver are up in @mode
 * @iovas: the usable IOVA ranges of @iommu, read once the target is attached
 * @iova_bar: where the benchmarks map the BAR (a window of the BAR's size)
 * @iova_probe: a second such window, for revoke probes
 * @proof: the DMA-proof primitive of "map + first DMA", while @dma_open
 * @bar_view: CPU mapping of the BAR's first page, where the first DMA is
 *	 checked to have landed, while @dma_open
 * @failed: per mode, -errno once opening it failed (not retried)
 * @why: per mode, the reason it failed
 * @dma_failed: -errno once bringing up the DMA device failed in a mode
 */
struct bench_env {
	const char *sysfs;
	char target_bdf[PFN_BDF_LEN];
	uint32_t bar;
	uint64_t bar_size;
	char dma_bdf[PFN_BDF_LEN];
	char dma_why[PFN_ERR_MSG_MAX + 96];
	bool is_open;
	enum pfn_iommu_mode mode;
	struct pfn_iommu iommu;
	struct pfn_vfio_dev target;
	struct pfn_vfio_dev dmadev;
	struct pfn_dma dma;
	bool dma_open;
	struct pfn_iova_space iovas;
	uint64_t iova_bar;
	uint64_t iova_probe;
	struct pfn_proof proof;
	void *bar_view;
	int failed[2];
	char why[2][PFN_ERR_MSG_MAX + 32];
	int dma_failed[2];
};

/**
 * bench_env_init() - pick the devices and the BAR; opens nothing for long
 * @env: filled on success
 * @sysfs: sysfs mount point
 * @target: target BDF, or NULL to pick the vfio-pci device with the largest
 *	    mmap-capable BAR (pfn_target_pick())
 * @bar: BAR index, or -1 for the largest mmap-capable one
 * @dma: DMA device BDF, or NULL to pick one a built-in DMA driver handles
 *	 (pfn_dma_pick(); none is fine)
 * @err: what is wrong and what to do
 *
 * Return: 0 or a negative errno.
 */
int bench_env_init(struct bench_env *env, const char *sysfs, const char *target,
		   int bar, const char *dma, struct pfn_err *err);

/**
 * bench_env_use() - have the target open in @mode (closing the other mode)
 * @env: environment
 * @mode: IOMMU mode the benchmark needs
 * @with_dma: also bring up the DMA device in the same address space
 * @why: on failure, the reason (for a SKIP)
 *
 * Return: 0, or a negative errno with @why filled.
 */
int bench_env_use(struct bench_env *env, enum pfn_iommu_mode mode, bool with_dma,
		  struct pfn_err *why);

/**
 * bench_env_any() - have the target open in whichever mode works, preferring
 * the one already open (for benchmarks that need only the device fd)
 * @env: environment
 * @why: on failure, the reason
 *
 * Return: 0 or a negative errno.
 */
int bench_env_any(struct bench_env *env, struct pfn_err *why);

/** bench_env_close() - close whatever is open; safe to repeat. */
void bench_env_close(struct bench_env *env);

#endif /* PFN_BENCH_ENV_H */
