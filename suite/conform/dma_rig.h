/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DMA proof rig of the conformance cases: one IOMMU address space
 * holding the target device, a DMA-capable device and the DMA-proof
 * primitive (pfn/proof.h) watching a slice of the target's BAR through its
 * CPU mmap.
 *
 * In iommufd mode the BAR slice is reached through a dma-buf mapped with
 * IOMMU_IOAS_MAP_FILE (the dma-buf PFN path); in type1 mode through the
 * BAR's mmap mapped with VFIO_IOMMU_MAP_DMA (the VMA path).  Every IOVA
 * comes from the address space's usable ranges (pfn/iova.h), and every
 * (re)map of the slice takes a fresh window, so a "fresh mapping" in a
 * positive control never aliases the old one.
 */
#ifndef PFN_CONFORM_DMA_RIG_H
#define PFN_CONFORM_DMA_RIG_H

#include "conform.h"
#include "pfn/dma.h"
#include "pfn/iova.h"
#include "pfn/proof.h"

#define RIG_SLICE	(2ull << 20)	/* bytes of BAR mapped for DMA */

/**
 * struct dma_rig - everything a DMA proof needs
 * @iommu: the shared address space
 * @iovas: its usable IOVA ranges
 * @target: the device whose BAR is the DMA destination
 * @dmadev: the DMA-capable device
 * @dma: its driver
 * @proof: the DMA-proof primitive, watching @bar
 * @bar: CPU mapping of the BAR slice, for observing it
 * @dmabuf: the dma-buf of the slice (iommufd mode), -1 otherwise
 * @bar_iova: IOVA of the slice's current mapping
 * @bar_mapped: the slice is mapped at @bar_iova
 */
struct dma_rig {
	struct pfn_iommu iommu;
	struct pfn_iova_space iovas;
	struct pfn_vfio_dev target;
	struct pfn_vfio_dev dmadev;
	struct pfn_dma dma;
	struct pfn_proof proof;
	void *bar;
	int dmabuf;
	uint64_t bar_iova;
	bool bar_mapped;
};

/**
 * rig_open() - build the rig in @mode; on failure @res says why (SKIP when
 * the kernel lacks the mode or export) and the rig is closed.
 */
bool rig_open(struct dma_rig *rig, const struct conform_ctx *ctx, enum pfn_iommu_mode mode,
	      struct conform_result *res);
void rig_close(struct dma_rig *rig);

/**
 * rig_map_bar() - map the BAR slice at a fresh IOVA (rig->bar_iova); in
 * iommufd mode export the dma-buf first if there is none
 * Return: 0 or -errno.
 */
int rig_map_bar(struct dma_rig *rig, const struct conform_ctx *ctx, struct pfn_err *err);

/** rig_unmap_bar() - unmap the current mapping; Return: bytes unmapped, or -errno. */
long long rig_unmap_bar(struct dma_rig *rig, struct pfn_err *err);

/**
 * rig_control() - positive control: a DMA through the slice's current
 * mapping must land byte for byte
 * @rig: an open rig, slice mapped, BAR decoding on
 * @what: when, for the message ("before the revoke")
 * @res: failed with rig_broken or engine_timeout when the control fails
 * Return: true when it landed.
 */
bool rig_control(struct dma_rig *rig, const char *what, struct conform_result *res);

/**
 * rig_control_fresh() - unmap the slice, map it at a fresh IOVA and run
 * rig_control() through that mapping
 */
bool rig_control_fresh(struct dma_rig *rig, const struct conform_ctx *ctx, const char *what,
		       struct conform_result *res);

/**
 * rig_canary() - write a fresh canary into the BAR slice and read it back
 * Return: true; false with @res failed when the BAR does not hold it.
 */
bool rig_canary(struct dma_rig *rig, struct conform_result *res);

/**
 * rig_judge_absent() - after a DMA that must not land, judge the BAR
 * @rig: BAR decoding on
 * @d: the attempt
 * @what: the attempt, for messages ("a DMA after PCI memory disable")
 * @res: failed with "landed" or "changed"; the attempt's status is noted
 * Return: the state seen.
 */
enum pfn_proof_state rig_judge_absent(struct dma_rig *rig, const struct pfn_proof_dma *d,
				      const char *what, struct conform_result *res);

/** rig_fail_control() - fail @res from a positive control's error. */
bool rig_fail_control(struct conform_result *res, int ret, const struct pfn_err *err);

#endif /* PFN_CONFORM_DMA_RIG_H */
