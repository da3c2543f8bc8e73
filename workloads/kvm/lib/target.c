// SPDX-License-Identifier: GPL-2.0-only
/* Finding and opening the device whose BAR goes into the guest. */
#include <errno.h>
#include <string.h>

#include <linux/vfio.h>

#include "pfn/target_pick.h"
#include "pfnkvm/target.h"

#define MAX_DEVICES 64

int pkvm_target_pick(const char *sysfs, char bdf[PFN_BDF_LEN], struct pfn_err *err)
{
	char bdfs[MAX_DEVICES][PFN_BDF_LEN];
	int n;

	n = pfn_pci_list_driver(sysfs, "vfio-pci", bdfs, MAX_DEVICES, err);
	if (n < 0)
		return n;
	return pfn_target_pick(sysfs, (const char (*)[PFN_BDF_LEN])bdfs,
			       n < MAX_DEVICES ? n : MAX_DEVICES, bdf, err);
}

int pkvm_target_open(struct pkvm_target *t, const char *sysfs, const char *bdf, int bar,
		     struct pfn_err *err)
{
	struct pfn_region r;
	int ret;

	memset(t, 0, sizeof(*t));
	t->dev.fd = t->dev.group_fd = -1;
	t->iommu.fd = -1;
	ret = pfn_iommu_open(&t->iommu, PFN_MODE_IOMMUFD, NULL);
	if (ret)
		ret = pfn_iommu_open(&t->iommu, PFN_MODE_TYPE1, err);
	if (ret)
		return ret;
	ret = pfn_vfio_open(&t->dev, sysfs, bdf, &t->iommu, err);
	if (ret)
		goto fail;
	t->bar_size = 0;
	for (uint32_t i = 0; i < PFN_NUM_BARS; i++) {
		if (bar >= 0 && (uint32_t)bar != i)
			continue;
		if (pfn_vfio_region(&t->dev, i, &r, NULL) || !(r.flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		if (r.size > t->bar_size) {
			t->bar_size = r.size;
			t->bar = i;
		}
	}
	if (!t->bar_size) {
		ret = bar >= 0 ? pfn_fail(err, EINVAL, "%s BAR %d is absent or cannot be mmap'd",
					  bdf, bar)
			       : pfn_fail(err, ENODEV, "%s has no mmap-capable BAR", bdf);
		goto fail;
	}
	return 0;
fail:
	pkvm_target_close(t);
	return ret;
}

void pkvm_target_close(struct pkvm_target *t)
{
	pfn_vfio_close(&t->dev);
	pfn_iommu_close(&t->iommu);
}
