// SPDX-License-Identifier: GPL-2.0-only
/* Raw VFIO type1 container calls (the legacy, VMA-walking path). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "pfn/iommu.h"

int pfn_type1_open(struct pfn_err *err)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	int ret;

	if (fd < 0) {
		if (errno == ENOENT)
			return pfn_fail(err, ENODEV,
					"/dev/vfio/vfio is missing: the kernel lacks CONFIG_VFIO_CONTAINER (type1)");
		return pfn_fail_errno(err, "open /dev/vfio/vfio");
	}
	ret = ioctl(fd, VFIO_GET_API_VERSION);
	if (ret != VFIO_API_VERSION) {
		close(fd);
		return pfn_fail(err, EPROTO, "VFIO API version %d, expected %d", ret,
				VFIO_API_VERSION);
	}
	if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
		close(fd);
		return pfn_fail(err, EOPNOTSUPP,
				"the VFIO container does not offer the type1 v2 IOMMU (is iommufd's compat container in use?)");
	}
	return fd;
}

int pfn_type1_set_iommu(int container, struct pfn_err *err)
{
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return pfn_fail_errno(err, "VFIO_SET_IOMMU(TYPE1v2)");
	return 0;
}

int pfn_type1_map(int container, void *va, uint64_t iova, uint64_t length,
		  uint32_t flags, struct pfn_err *err)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = length,
	};

	if (flags & PFN_MAP_READ)
		map.flags |= VFIO_DMA_MAP_FLAG_READ;
	if (flags & PFN_MAP_WRITE)
		map.flags |= VFIO_DMA_MAP_FLAG_WRITE;
	if (flags & PFN_MAP_ANY_IOVA)
		return pfn_fail(err, EINVAL, "type1 cannot choose an IOVA: pass a fixed one");
	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map))
		return pfn_fail_errno(err, "VFIO_IOMMU_MAP_DMA of %#llx bytes at iova %#llx",
				      (unsigned long long)length, (unsigned long long)iova);
	return 0;
}

int pfn_type1_unmap(int container, uint64_t iova, uint64_t length,
		    uint64_t *unmapped, struct pfn_err *err)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = length,
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return pfn_fail_errno(err, "VFIO_IOMMU_UNMAP_DMA iova %#llx length %#llx",
				      (unsigned long long)iova, (unsigned long long)length);
	if (unmapped)
		*unmapped = unmap.size;
	return 0;
}

const char *pfn_type1_backend(const char *sysfs)
{
	char path[256];

	/*
	 * VFIO_CONTAINER (the real type1) and IOMMUFD_VFIO_CONTAINER (iommufd
	 * emulating it) are exclusive in Kconfig and both provide
	 * /dev/vfio/vfio; only the real one has vfio_iommu_type1's module
	 * parameters (built in or loaded).
	 */
	if (access("/dev/vfio/vfio", F_OK))
		return "none";
	snprintf(path, sizeof(path), "%s/module/vfio_iommu_type1/parameters", sysfs);
	if (!access(path, F_OK))
		return "type1";
	return "iommufd-compat";
}
