// SPDX-License-Identifier: GPL-2.0-only
/* IOVA windows from the IOMMU's usable ranges: see pfn/iova.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "pfn/iova.h"

/* Below this the firmware and legacy DMA live; no proof needs it. */
#define IOVA_FLOOR (1ull << 20)

int pfn_iova_space_set(struct pfn_iova_space *space, const uint64_t *start,
		       const uint64_t *last, size_t count)
{
	memset(space, 0, sizeof(*space));
	if (count > PFN_IOVA_MAX_RANGES)
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		if (last[i] < start[i])
			return -EINVAL;
		space->start[i] = start[i];
		space->last[i] = last[i];
	}
	space->count = count;
	space->cursor = IOVA_FLOOR;
	return 0;
}

static int read_iommufd(struct pfn_iova_space *space, const struct pfn_iommu *iommu,
			struct pfn_err *err)
{
	struct iommu_iova_range ranges[PFN_IOVA_MAX_RANGES];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = iommu->ioas_id,
		.num_iovas = PFN_IOVA_MAX_RANGES,
		.allowed_iovas = (uintptr_t)ranges,
	};
	uint64_t start[PFN_IOVA_MAX_RANGES], last[PFN_IOVA_MAX_RANGES];

	if (ioctl(iommu->fd, IOMMU_IOAS_IOVA_RANGES, &cmd))
		return pfn_fail_errno(err, "IOMMU_IOAS_IOVA_RANGES of IOAS %u", iommu->ioas_id);
	if (cmd.num_iovas > PFN_IOVA_MAX_RANGES)
		cmd.num_iovas = PFN_IOVA_MAX_RANGES;	/* the lowest ones are enough */
	for (uint32_t i = 0; i < cmd.num_iovas; i++) {
		start[i] = ranges[i].start;
		last[i] = ranges[i].last;
	}
	if (!cmd.num_iovas)
		return pfn_fail(err, ENODATA, "IOAS %u has no usable IOVA range", iommu->ioas_id);
	pfn_iova_space_set(space, start, last, cmd.num_iovas);
	return 0;
}

/* Walk VFIO_IOMMU_GET_INFO's capability chain for the IOVA-range one. */
static int read_type1(struct pfn_iova_space *space, const struct pfn_iommu *iommu,
		      struct pfn_err *err)
{
	struct vfio_iommu_type1_info probe = { .argsz = sizeof(probe) };
	uint64_t start[PFN_IOVA_MAX_RANGES], last[PFN_IOVA_MAX_RANGES];
	struct vfio_iommu_type1_info *info;
	size_t n = 0;
	uint32_t off;
	int ret = 0;

	if (ioctl(iommu->fd, VFIO_IOMMU_GET_INFO, &probe))
		return pfn_fail_errno(err, "VFIO_IOMMU_GET_INFO");
	if (!(probe.flags & VFIO_IOMMU_INFO_CAPS) || probe.argsz <= sizeof(probe))
		return pfn_fail(err, ENODATA, "type1 container reports no IOVA-range capability");
	info = calloc(1, probe.argsz);
	if (!info)
		return pfn_fail(err, ENOMEM, "VFIO_IOMMU_GET_INFO buffer");
	info->argsz = probe.argsz;
	if (ioctl(iommu->fd, VFIO_IOMMU_GET_INFO, info)) {
		ret = pfn_fail_errno(err, "VFIO_IOMMU_GET_INFO");
		goto out;
	}
	for (off = info->cap_offset; off && off + sizeof(struct vfio_info_cap_header) <= info->argsz;) {
		struct vfio_info_cap_header *hdr = (void *)((char *)info + off);

		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *cap = (void *)hdr;

			for (uint32_t i = 0; i < cap->nr_iovas && n < PFN_IOVA_MAX_RANGES; i++) {
				if ((char *)&cap->iova_ranges[i + 1] > (char *)info + info->argsz)
					break;
				start[n] = cap->iova_ranges[i].start;
				last[n] = cap->iova_ranges[i].end;
				n++;
			}
			break;
		}
		if (hdr->next <= off)
			break;
		off = hdr->next;
	}
	if (!n)
		ret = pfn_fail(err, ENODATA, "type1 container reports no usable IOVA range");
	else
		pfn_iova_space_set(space, start, last, n);
out:
	free(info);
	return ret;
}

int pfn_iova_space_read(struct pfn_iova_space *space, const struct pfn_iommu *iommu,
			struct pfn_err *err)
{
	memset(space, 0, sizeof(*space));
	if (iommu->mode == PFN_MODE_IOMMUFD)
		return read_iommufd(space, iommu, err);
	return read_type1(space, iommu, err);
}

int pfn_iova_alloc(struct pfn_iova_space *space, uint64_t size, uint64_t align,
		   uint64_t *iova, struct pfn_err *err)
{
	if (!size || align < 4096 || (align & (align - 1)))
		return pfn_fail(err, EINVAL, "IOVA window of %#llx bytes aligned to %#llx",
				(unsigned long long)size, (unsigned long long)align);
	for (size_t i = 0; i < space->count; i++) {
		uint64_t lo = space->start[i] > space->cursor ? space->start[i] : space->cursor;
		uint64_t base = (lo + align - 1) & ~(align - 1);

		if (base < lo || base > space->last[i] || size - 1 > space->last[i] - base)
			continue;
		*iova = base;
		space->cursor = base + size;
		return 0;
	}
	return pfn_fail(err, ENOSPC, "no usable IOVA range has %#llx bytes aligned to %#llx left",
			(unsigned long long)size, (unsigned long long)align);
}
