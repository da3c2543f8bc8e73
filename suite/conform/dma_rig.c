// SPDX-License-Identifier: GPL-2.0-only
/* The DMA proof rig: see dma_rig.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dma_rig.h"

/* Huge IOMMU pages where the slice allows: align windows to the slice. */
#define RIG_ALIGN RIG_SLICE

int rig_map_bar(struct dma_rig *rig, const struct conform_ctx *ctx, struct pfn_err *err)
{
	struct pfn_range r = { 0, RIG_SLICE };
	uint64_t iova;
	int ret;

	ret = pfn_iova_alloc(&rig->iovas, RIG_SLICE, RIG_ALIGN, &iova, err);
	if (ret)
		return ret;
	if (rig->iommu.mode == PFN_MODE_TYPE1) {
		ret = pfn_type1_map(rig->iommu.fd, rig->bar, iova, RIG_SLICE, PFN_MAP_RW, err);
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
	if (!ret)
		rig->bar_iova = iova;
	return ret;
}

long long rig_unmap_bar(struct dma_rig *rig, struct pfn_err *err)
{
	uint64_t unmapped = 0;
	int ret;

	if (!rig->bar_mapped)
		return 0;
	if (rig->iommu.mode == PFN_MODE_TYPE1)
		ret = pfn_type1_unmap(rig->iommu.fd, rig->bar_iova, RIG_SLICE, &unmapped, err);
	else
		ret = pfn_ioas_unmap(rig->iommu.fd, rig->iommu.ioas_id, rig->bar_iova, RIG_SLICE,
				     &unmapped, err);
	rig->bar_mapped = false;
	return ret ? ret : (long long)unmapped;
}

bool rig_fail_control(struct conform_result *res, int ret, const struct pfn_err *err)
{
	return conform_fail_as(res, ret == -ETIMEDOUT ? CONFORM_REASON_ENGINE_TIMEOUT :
			       CONFORM_REASON_RIG_BROKEN, "%s", err->msg);
}

bool rig_control(struct dma_rig *rig, const char *what, struct conform_result *res)
{
	struct pfn_err err;
	int ret;

	if (!rig->bar_mapped)
		return conform_fail_as(res, CONFORM_REASON_RIG_BROKEN,
				       "positive control %s: the BAR slice is not mapped", what);
	ret = pfn_proof_control(&rig->proof, rig->bar_iova, what, &err);
	return ret ? rig_fail_control(res, ret, &err) : true;
}

bool rig_control_fresh(struct dma_rig *rig, const struct conform_ctx *ctx, const char *what,
		       struct conform_result *res)
{
	struct pfn_err err;
	long long ret;

	ret = rig_unmap_bar(rig, &err);
	if (ret < 0)
		return conform_fail(res, "unmapping the BAR slice %s: %s", what, err.msg);
	ret = rig_map_bar(rig, ctx, &err);
	if (ret)
		return conform_fail_as(res, CONFORM_REASON_RIG_BROKEN,
				       "positive control %s: mapping the BAR slice afresh failed: %s",
				       what, err.msg);
	return rig_control(rig, what, res);
}

bool rig_canary(struct dma_rig *rig, struct conform_result *res)
{
	struct pfn_err err;

	if (pfn_proof_write_canary(&rig->proof, &err))
		return conform_fail_as(res, CONFORM_REASON_RIG_BROKEN, "canary: %s", err.msg);
	return true;
}

enum pfn_proof_state rig_judge_absent(struct dma_rig *rig, const struct pfn_proof_dma *d,
				      const char *what, struct conform_result *res)
{
	enum pfn_proof_state st;
	char how[PFN_ERR_MSG_MAX + 64];
	size_t at;

	pfn_proof_describe(d, how, sizeof(how));
	st = pfn_proof_observe(&rig->proof, d, &at);
	conform_note(res, "%s: %s; the BAR holds %s", what, how,
		     pfn_proof_state_held(st));
	if (st == PFN_PROOF_LANDED)
		conform_fail_as(res, CONFORM_REASON_LANDED, "%s landed in the BAR", what);
	else if (st == PFN_PROOF_CHANGED)
		conform_fail_as(res, CONFORM_REASON_CHANGED,
				"the BAR changed across %s (byte %zu differs from the canary) although its data did not land",
				what, at);
	if (d->status == -ETIMEDOUT && st == PFN_PROOF_CANARY)
		conform_note(res, "%s timed out: the engine was %s", what,
			     d->recovered ? "recovered" : "NOT recovered");
	return st;
}

bool rig_open(struct dma_rig *rig, const struct conform_ctx *ctx, enum pfn_iommu_mode mode,
	      struct conform_result *res)
{
	struct pfn_dma_open_opts dopts = { .allow_destructive = ctx->allow_destructive };
	uint64_t window;
	struct pfn_err err;
	int ret;

	memset(rig, 0, sizeof(*rig));
	rig->target.fd = rig->target.group_fd = -1;
	rig->dmadev.fd = rig->dmadev.group_fd = -1;
	rig->iommu.fd = -1;
	rig->dmabuf = -1;
	rig->bar = MAP_FAILED;

	if (ctx->target_bar_size < RIG_SLICE)
		return conform_skip(res, "the target BAR is smaller than the %llu-byte proof slice",
				    (unsigned long long)RIG_SLICE);
	if (!ctx->target_is_memory)
		return conform_skip(res, "the target BAR does not behave as memory: %s",
				    ctx->target_memory_why);
	if (mode == PFN_MODE_TYPE1 && ctx->vfio_container &&
	    strcmp(ctx->vfio_container, "type1"))
		return conform_skip(res, "/dev/vfio/vfio is %s, not VFIO's type1 container: the VMA path (type1 over a BAR mmap) does not exist on this kernel",
				    !strcmp(ctx->vfio_container, "none") ? "absent" :
				    "iommufd's compat container (IOMMUFD_VFIO_CONTAINER), which refuses BAR VMAs");
	ret = pfn_iommu_open(&rig->iommu, mode, &err);
	if (ret) {
		if (ret == -ENODEV || ret == -ENOENT || ret == -EOPNOTSUPP)
			return conform_skip(res, "%s", err.msg);
		return conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
	}
	/* The DMA device first: type1 sets the IOMMU model on the first group. */
	if (pfn_vfio_open(&rig->dmadev, ctx->sysfs, ctx->dma_bdf, &rig->iommu, &err) ||
	    pfn_vfio_open(&rig->target, ctx->sysfs, ctx->target_bdf, &rig->iommu, &err)) {
		rig_close(rig);
		if (err.code == EOPNOTSUPP)
			return conform_skip(res, "%s", err.msg);
		return conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
	}
	/* Both devices are attached: now the usable ranges are final. */
	ret = pfn_iova_space_read(&rig->iovas, &rig->iommu, &err);
	if (!ret)
		ret = pfn_iova_alloc(&rig->iovas, PFN_DMA_IOVA_WINDOW, PFN_DMA_IOVA_WINDOW, &window,
				     &err);
	if (ret) {
		rig_close(rig);
		return conform_fail_as(res, CONFORM_REASON_SETUP, "IOVA space: %s", err.msg);
	}
	ret = pfn_dma_open2(&rig->dma, &rig->dmadev, window, PFN_DMA_IOVA_WINDOW, &dopts, &err);
	if (ret) {
		rig_close(rig);
		return conform_fail_as(res, CONFORM_REASON_RIG_BROKEN, "DMA device %s: %s",
				       ctx->dma_bdf, err.msg);
	}
	pfn_dma_set_test_fault(&rig->dma, (enum pfn_dma_fault)ctx->dma_fault);
	ret = pfn_proof_open(&rig->proof, &rig->dma, &rig->iommu, &rig->iovas, PFN_PROOF_LEN_MAX,
			     &err);
	if (ret) {
		rig_close(rig);
		return conform_fail_as(res, CONFORM_REASON_RIG_BROKEN, "DMA proof: %s", err.msg);
	}
	if (pfn_vfio_bar_mmap(&rig->target, ctx->target_bar, 0, RIG_SLICE, RIG_SLICE, 0,
			      &rig->bar, &err)) {
		rig->bar = MAP_FAILED;
		rig_close(rig);
		return conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
	}
	pfn_proof_set_target(&rig->proof, rig->bar);
	ret = rig_map_bar(rig, ctx, &err);
	if (ret) {
		rig_close(rig);
		if (ret == -ENOTTY || ret == -EOPNOTSUPP)
			return conform_skip(res, "%s", err.msg);
		return conform_fail_as(res, CONFORM_REASON_SETUP, "mapping the BAR slice for DMA: %s",
				       err.msg);
	}
	return true;
}

void rig_close(struct dma_rig *rig)
{
	pfn_proof_close(&rig->proof);
	pfn_dma_close(&rig->dma);
	if (rig->bar != MAP_FAILED)
		munmap(rig->bar, RIG_SLICE);
	if (rig->dmabuf >= 0)
		close(rig->dmabuf);
	pfn_vfio_close(&rig->target);
	pfn_vfio_close(&rig->dmadev);
	pfn_iommu_close(&rig->iommu);
	rig->bar = MAP_FAILED;
	rig->dmabuf = -1;
}
