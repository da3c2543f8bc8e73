// SPDX-License-Identifier: GPL-2.0-only
/*
 * DPDK's VFIO container, seen from outside DPDK: 22.11 opens /dev/vfio/vfio
 * once and keeps the fd to itself.  On a kernel whose container is
 * iommufd's compat container (CONFIG_IOMMUFD_VFIO_CONTAINER) that fd is an
 * iommufd: IOMMU_VFIO_IOAS (GET) names the IOAS DPDK's maps go into, and
 * IOMMU_IOAS_MAP_FILE can map a dma-buf there.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "dpdk.h"

/* The one fd of this process open on /dev/vfio/vfio. */
static int container_fd(struct pfn_err *err)
{
	char path[300], target[64];
	struct dirent *de;
	int found = -1, n = 0;
	ssize_t len;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return pfn_fail_errno(err, "listing /proc/self/fd");
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = 0;
		if (!strcmp(target, "/dev/vfio/vfio")) {
			found = atoi(de->d_name);
			n++;
		}
	}
	closedir(d);
	if (n != 1)
		return pfn_fail(err, n ? EEXIST : ENOENT,
				"DPDK's VFIO container: %d fds open on /dev/vfio/vfio, expected one", n);
	return found;
}

int pdpdk_container_ioas(int *fd, uint32_t *ioas_id, struct pfn_err *err)
{
	struct iommu_vfio_ioas get = { .size = sizeof(get), .op = IOMMU_VFIO_IOAS_GET };
	int c = container_fd(err);

	if (c < 0)
		return c;
	if (ioctl(c, IOMMU_VFIO_IOAS, &get))
		return pfn_fail(err, errno == ENOTTY ? EOPNOTSUPP : errno,
				"DPDK's VFIO container is %s, not iommufd's compat container (IOMMU_VFIO_IOAS: %s): the dma-buf path needs a kernel with CONFIG_IOMMUFD_VFIO_CONTAINER=y (KERNEL_FLAVOUR=iommufd-compat)",
				pdpdk_container_backend(), strerror(errno));
	*fd = c;
	*ioas_id = get.ioas_id;
	return 0;
}

int pdpdk_container_map_errno(void *va, uint64_t iova, size_t len)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = len,
	};
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap), .iova = iova, .size = len };
	int c = container_fd(NULL), e;

	if (c < 0)
		return -c;
	if (!ioctl(c, VFIO_IOMMU_MAP_DMA, &map)) {
		ioctl(c, VFIO_IOMMU_UNMAP_DMA, &unmap);
		return 0;
	}
	e = errno;
	return e;
}

const char *pdpdk_container_backend(void)
{
	return pfn_type1_backend("/sys");
}
