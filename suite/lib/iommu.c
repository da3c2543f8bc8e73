// SPDX-License-Identifier: GPL-2.0-only
/* One address-space handle over iommufd (IOAS) or a type1 container. */
#include <errno.h>
#include <unistd.h>

#include "pfn/iommu.h"

const char *pfn_iommu_mode_name(enum pfn_iommu_mode mode)
{
	switch (mode) {
	case PFN_MODE_IOMMUFD:
		return "iommufd";
	case PFN_MODE_TYPE1:
		return "type1";
	}
	return "unknown";
}

int pfn_iommu_open(struct pfn_iommu *iommu, enum pfn_iommu_mode mode,
		   struct pfn_err *err)
{
	int ret;

	iommu->mode = mode;
	iommu->fd = -1;
	iommu->ioas_id = 0;
	iommu->type1_ready = false;

	switch (mode) {
	case PFN_MODE_IOMMUFD:
		ret = pfn_iommufd_open(err);
		if (ret < 0)
			return ret;
		iommu->fd = ret;
		ret = pfn_ioas_alloc(iommu->fd, &iommu->ioas_id, err);
		if (ret) {
			pfn_iommu_close(iommu);
			return ret;
		}
		return 0;
	case PFN_MODE_TYPE1:
		ret = pfn_type1_open(err);
		if (ret < 0)
			return ret;
		iommu->fd = ret;
		return 0;
	}
	return pfn_fail(err, EINVAL, "unknown IOMMU mode %d", (int)mode);
}

void pfn_iommu_close(struct pfn_iommu *iommu)
{
	if (iommu->fd >= 0)
		close(iommu->fd);
	iommu->fd = -1;
	iommu->type1_ready = false;
}

int pfn_iommu_map_user(struct pfn_iommu *iommu, void *va, uint64_t length,
		       uint64_t iova, uint32_t flags, struct pfn_err *err)
{
	if (flags & PFN_MAP_ANY_IOVA)
		return pfn_fail(err, EINVAL, "pfn_iommu_map_user takes a fixed IOVA");
	if (iommu->mode == PFN_MODE_IOMMUFD)
		return pfn_ioas_map_user(iommu->fd, iommu->ioas_id, va, length, &iova,
					 flags, err);
	if (!iommu->type1_ready)
		return pfn_fail(err, EINVAL,
				"type1 container has no IOMMU yet: open a device in it first");
	return pfn_type1_map(iommu->fd, va, iova, length, flags, err);
}

int pfn_iommu_unmap(struct pfn_iommu *iommu, uint64_t iova, uint64_t length,
		    struct pfn_err *err)
{
	if (iommu->mode == PFN_MODE_IOMMUFD)
		return pfn_ioas_unmap(iommu->fd, iommu->ioas_id, iova, length, NULL, err);
	return pfn_type1_unmap(iommu->fd, iova, length, NULL, err);
}
