// SPDX-License-Identifier: GPL-2.0-only
/* The default target: the vfio-pci device with the largest mmap-capable BAR. */
#include <errno.h>
#include <string.h>

#include <linux/vfio.h>

#include "pfn/iommu.h"
#include "pfn/target_pick.h"
#include "pfn/vfio.h"

/* Open @bdf alone in whichever mode works, into @dev/@io. */
static int open_alone(const char *sysfs, const char *bdf, struct pfn_iommu *io,
		      struct pfn_vfio_dev *dev, struct pfn_err *err)
{
	static const enum pfn_iommu_mode modes[] = { PFN_MODE_IOMMUFD, PFN_MODE_TYPE1 };
	int ret = -ENODEV;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ret = pfn_iommu_open(io, modes[i], err);
		if (ret)
			continue;
		ret = pfn_vfio_open(dev, sysfs, bdf, io, err);
		if (!ret)
			return 0;
		pfn_iommu_close(io);
	}
	return ret;
}

int pfn_bar_largest(const char *sysfs, const char *bdf, int want, uint32_t *bar,
		    uint64_t *size, struct pfn_err *err)
{
	struct pfn_vfio_dev dev;
	struct pfn_iommu io;
	struct pfn_region r;
	int ret;

	*size = 0;
	ret = open_alone(sysfs, bdf, &io, &dev, err);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < PFN_NUM_BARS; i++) {
		if ((want >= 0 && i != (uint32_t)want) || pfn_vfio_region(&dev, i, &r, NULL) ||
		    !(r.flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		if (r.size > *size) {
			*size = r.size;
			*bar = i;
		}
	}
	pfn_vfio_close(&dev);
	pfn_iommu_close(&io);
	return 0;
}

int pfn_target_pick(const char *sysfs, const char (*bdfs)[PFN_BDF_LEN], int n,
		    char bdf[PFN_BDF_LEN], struct pfn_err *err)
{
	uint64_t best = 0, size;
	uint32_t bar;

	for (int i = 0; i < n; i++)
		if (!pfn_bar_largest(sysfs, bdfs[i], -1, &bar, &size, NULL) && size > best) {
			best = size;
			memcpy(bdf, bdfs[i], PFN_BDF_LEN);
		}
	if (!best)
		return pfn_fail(err, ENODEV,
				"no vfio-pci device with an mmap-capable BAR: bind one to vfio-pci or pass --device");
	return 0;
}
