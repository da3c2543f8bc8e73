// SPDX-License-Identifier: GPL-2.0-only
/* Checks of the devices a subcommand is given, shared by every subcommand. */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "pfn/dma.h"

int cli_check_device(const char *sysfs, const char *arg, char bdf[PFN_BDF_LEN],
		     struct pfn_pci_info *info, struct pfn_err *err)
{
	int ret = pfn_bdf_parse(arg, bdf, err);

	return ret ? ret : pfn_pci_check_vfio(sysfs, bdf, info, err);
}

int cli_check_dma_device(const char *sysfs, const char *bdf, const char *target_bdf,
			 struct pfn_err *err)
{
	struct pfn_pci_info info;
	int ret;

	if (target_bdf[0] && !strcmp(bdf, target_bdf))
		return pfn_fail(err, EINVAL,
				"--dma-device %s is the target device: pick another DMA-capable device",
				bdf);
	ret = pfn_pci_check_vfio(sysfs, bdf, &info, err);
	if (ret)
		return ret;
	if (!pfn_dma_find(&info))
		return pfn_fail(err, ENODEV,
				"--dma-device %s (%04x:%04x class %06x) has no DMA driver in this suite: pass a device a built-in driver handles, or leave --dma-device out",
				bdf, info.vendor, info.device, info.class);
	return 0;
}

int cli_exit_for_device_error(int ret)
{
	switch (-ret) {
	case EINVAL:	/* malformed BDF, same device twice */
	case ENODEV:	/* absent device, BAR or driver */
	case EBUSY:	/* bound to another driver */
	case EFBIG:	/* BAR beyond the IOVA layout */
		return CLI_EXIT_USAGE;
	default:	/* ENXIO: no IOMMU group; ENOENT: no /dev/iommu; I/O errors */
		return CLI_EXIT_INFRA;
	}
}
