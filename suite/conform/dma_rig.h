/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DMA proof rig: a host buffer, a slice of the target's BAR and a
 * DMA-capable device in one IOMMU address space, so that a test can ask
 * "does a device write to this IOVA land in the BAR?" and observe the BAR
 * through its CPU mmap.
 *
 * In iommufd mode the BAR slice is reached through a dma-buf mapped with
 * IOMMU_IOAS_MAP_FILE (the dma-buf PFN path); in type1 mode through the
 * BAR's mmap mapped with VFIO_IOMMU_MAP_DMA (the VMA path).
 */
#ifndef PFN_CONFORM_DMA_RIG_H
#define PFN_CONFORM_DMA_RIG_H

#include "conform.h"
#include "pfn/dma.h"

#define RIG_DRIVER_IOVA	0x10000000ull	/* the DMA driver's own window */
#define RIG_SRC_IOVA	0x20000000ull	/* host source buffer */
#define RIG_BAR_IOVA	0x100000000ull	/* the BAR slice */
#define RIG_SLICE	(2ull << 20)	/* bytes of BAR mapped for DMA */
#define RIG_PROOF	(16ull << 10)	/* bytes each proof DMA writes */
#define RIG_DMA_TIMEOUT_MS 5000

/**
 * struct dma_rig - everything a DMA proof needs
 * @iommu: the shared address space
 * @target: the device whose BAR is the DMA destination
 * @dmadev: the DMA-capable device
 * @dma: its driver
 * @src: host buffer the device reads (mapped at RIG_SRC_IOVA)
 * @bar: CPU mapping of the BAR slice, for observing it
 * @dmabuf: the dma-buf of the slice (iommufd mode), -1 otherwise
 * @bar_mapped: the slice is mapped at RIG_BAR_IOVA
 */
struct dma_rig {
	struct pfn_iommu iommu;
	struct pfn_vfio_dev target;
	struct pfn_vfio_dev dmadev;
	struct pfn_dma dma;
	void *src;
	void *bar;
	int dmabuf;
	bool bar_mapped;
};

/**
 * rig_open() - build the rig in @mode; on failure @res says why (SKIP when
 * the kernel lacks the mode or export) and the rig is closed.
 */
bool rig_open(struct dma_rig *rig, const struct conform_ctx *ctx, enum pfn_iommu_mode mode,
	      struct conform_result *res);
void rig_close(struct dma_rig *rig);

/** rig_map_bar() - (re)map the BAR slice at RIG_BAR_IOVA; Return: 0 or -errno. */
int rig_map_bar(struct dma_rig *rig, const struct conform_ctx *ctx, struct pfn_err *err);

/** rig_unmap_bar() - unmap it; Return: bytes unmapped, or -errno. */
long long rig_unmap_bar(struct dma_rig *rig, struct pfn_err *err);

/**
 * rig_dma_pattern() - have the device write the pattern of @seed to the
 * first RIG_PROOF bytes of the BAR slice (through RIG_BAR_IOVA)
 *
 * Return: 0 when the device reported success, -EIO when it reported a
 * transfer error (what a revoked mapping must cause), another -errno else.
 */
int rig_dma_pattern(struct dma_rig *rig, uint32_t seed, struct pfn_err *err);

/** rig_cpu_fill() - write the pattern of @seed into the BAR through the CPU. */
void rig_cpu_fill(struct dma_rig *rig, uint32_t seed);

/**
 * rig_bar_holds() - does the BAR hold the pattern of @seed?  Read through
 * the CPU mapping: only while PCI memory decoding is enabled.
 */
bool rig_bar_holds(const struct dma_rig *rig, uint32_t seed);

#endif /* PFN_CONFORM_DMA_RIG_H */
