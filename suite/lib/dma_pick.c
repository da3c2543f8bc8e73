// SPDX-License-Identifier: GPL-2.0-only
/* Picking the DMA engine: see pfn/dma_pick.h. */
#include <errno.h>
#include <string.h>

#include "pfn/dma.h"
#include "pfn/dma_pick.h"

int pfn_dma_pick(const char *sysfs, const char (*bdfs)[PFN_BDF_LEN], int n, const char *exclude,
		 char *out, struct pfn_err *err)
{
	size_t ndrv;
	const struct pfn_dma_ops *const *drv = pfn_dma_drivers(&ndrv);
	struct pfn_pci_info info;

	for (size_t d = 0; d < ndrv; d++)
		for (int i = 0; i < n; i++)
			if ((!exclude || strcmp(bdfs[i], exclude)) &&
			    !pfn_pci_info(sysfs, bdfs[i], &info, NULL) && drv[d]->match(&info)) {
				memcpy(out, bdfs[i], PFN_BDF_LEN);
				return 0;
			}
	return pfn_fail(err, ENODEV,
			"no vfio-pci device other than the target has a built-in DMA driver (nvme, edu): bind one to vfio-pci or pass --dma-device");
}
