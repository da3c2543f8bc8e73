// SPDX-License-Identifier: GPL-2.0-only
/* The DMA proof rig: see dma_rig.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dma_rig.h"

static void fill_words(volatile uint32_t *p, size_t bytes, uint32_t seed)
{
	for (size_t i = 0; i < bytes / 4; i++)
		p[i] = seed ^ (uint32_t)(i * 2654435761u);
}

int rig_map_bar(struct dma_rig *rig, const struct conform_ctx *ctx, struct pfn_err *err)
{
	struct pfn_range r = { 0, RIG_SLICE };
	uint64_t iova = RIG_BAR_IOVA;
	int ret;

	if (rig->iommu.mode == PFN_MODE_TYPE1) {
		ret = pfn_type1_map(rig->iommu.fd, rig->bar, RIG_BAR_IOVA, RIG_SLICE, PFN_MAP_RW,
				    err);
	} else {
		if (rig->dmabuf < 0) {
			rig->dmabuf = pfn_vfio_dmabuf_export(&rig->target, ctx->target_bar, &r, 1,
							     O_RDWR | O_CLOEXEC, err);
			if (rig->dmabuf < 0)
				return rig->dmabuf;
		}
		ret = pfn_ioas_map_file(rig->iommu.fd, rig->iommu.ioas_id, rig->dmabuf, 0,
					RIG_SLICE, &iova, PFN_MAP_RW, err);
	}
	rig->bar_mapped = ret == 0;
	return ret;
}

long long rig_unmap_bar(struct dma_rig *rig, struct pfn_err *err)
{
	uint64_t unmapped = 0;
	int ret;

	if (rig->iommu.mode == PFN_MODE_TYPE1)
		ret = pfn_type1_unmap(rig->iommu.fd, RIG_BAR_IOVA, RIG_SLICE, &unmapped, err);
	else
		ret = pfn_ioas_unmap(rig->iommu.fd, rig->iommu.ioas_id, RIG_BAR_IOVA, RIG_SLICE,
				     &unmapped, err);
	rig->bar_mapped = false;
	return ret ? ret : (long long)unmapped;
}

bool rig_open(struct dma_rig *rig, const struct conform_ctx *ctx, enum pfn_iommu_mode mode,
	      struct conform_result *res)
{
	struct pfn_err err;
	int ret;

	memset(rig, 0, sizeof(*rig));
	rig->target.fd = rig->target.group_fd = -1;
	rig->dmadev.fd = rig->dmadev.group_fd = -1;
	rig->iommu.fd = -1;
	rig->dmabuf = -1;
	rig->src = MAP_FAILED;
	rig->bar = MAP_FAILED;

	if (ctx->target_bar_size < RIG_SLICE)
		return conform_skip(res, "the target BAR is smaller than the %llu-byte proof slice",
				    (unsigned long long)RIG_SLICE);
	ret = pfn_iommu_open(&rig->iommu, mode, &err);
	if (ret) {
		if (ret == -ENODEV || ret == -EOPNOTSUPP)
			return conform_skip(res, "%s", err.msg);
		return conform_fail(res, "%s", err.msg);
	}
	/* The DMA device first: type1 sets the IOMMU model on the first group. */
	if (pfn_vfio_open(&rig->dmadev, ctx->sysfs, ctx->dma_bdf, &rig->iommu, &err) ||
	    pfn_vfio_open(&rig->target, ctx->sysfs, ctx->target_bdf, &rig->iommu, &err)) {
		rig_close(rig);
		if (err.code == EOPNOTSUPP)
			return conform_skip(res, "%s", err.msg);
		return conform_fail(res, "%s", err.msg);
	}
	ret = pfn_dma_open(&rig->dma, &rig->dmadev, RIG_DRIVER_IOVA, PFN_DMA_IOVA_WINDOW, &err);
	if (ret) {
		rig_close(rig);
		return conform_fail(res, "DMA device %s: %s", ctx->dma_bdf, err.msg);
	}
	rig->src = mmap(NULL, RIG_PROOF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (rig->src == MAP_FAILED) {
		rig_close(rig);
		return conform_fail(res, "allocating the source buffer: %s", strerror(errno));
	}
	if (pfn_iommu_map_user(&rig->iommu, rig->src, RIG_PROOF, RIG_SRC_IOVA, PFN_MAP_RW, &err)) {
		rig_close(rig);
		return conform_fail(res, "%s", err.msg);
	}
	if (pfn_vfio_bar_mmap(&rig->target, ctx->target_bar, 0, RIG_SLICE, RIG_SLICE, 0,
			      &rig->bar, &err)) {
		rig->bar = MAP_FAILED;
		rig_close(rig);
		return conform_fail(res, "%s", err.msg);
	}
	ret = rig_map_bar(rig, ctx, &err);
	if (ret) {
		rig_close(rig);
		if (ret == -ENOTTY || ret == -EOPNOTSUPP)
			return conform_skip(res, "%s", err.msg);
		return conform_fail(res, "mapping the BAR slice for DMA: %s", err.msg);
	}
	return true;
}

void rig_close(struct dma_rig *rig)
{
	pfn_dma_close(&rig->dma);
	if (rig->bar != MAP_FAILED)
		munmap(rig->bar, RIG_SLICE);
	if (rig->src != MAP_FAILED)
		munmap(rig->src, RIG_PROOF);
	if (rig->dmabuf >= 0)
		close(rig->dmabuf);
	pfn_vfio_close(&rig->target);
	pfn_vfio_close(&rig->dmadev);
	pfn_iommu_close(&rig->iommu);
	rig->bar = rig->src = MAP_FAILED;
	rig->dmabuf = -1;
}

int rig_dma_pattern(struct dma_rig *rig, uint32_t seed, struct pfn_err *err)
{
	fill_words(rig->src, RIG_PROOF, seed);
	return pfn_dma_memcpy(&rig->dma, RIG_SRC_IOVA, RIG_BAR_IOVA, RIG_PROOF,
			      RIG_DMA_TIMEOUT_MS, err);
}

void rig_cpu_fill(struct dma_rig *rig, uint32_t seed)
{
	fill_words(rig->bar, RIG_PROOF, seed);
}

bool rig_bar_holds(const struct dma_rig *rig, uint32_t seed)
{
	const volatile uint32_t *p = rig->bar;

	for (size_t i = 0; i < RIG_PROOF / 4; i++)
		if (p[i] != (seed ^ (uint32_t)(i * 2654435761u)))
			return false;
	return true;
}
