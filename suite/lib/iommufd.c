// SPDX-License-Identifier: GPL-2.0-only
/* Raw iommufd calls: /dev/iommu, IOAS alloc/destroy/map/map_file/unmap. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "pfn/iommu.h"

int pfn_iommufd_open(struct pfn_err *err)
{
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return pfn_fail(err, ENODEV,
					"/dev/iommu is missing: the kernel lacks CONFIG_IOMMUFD (or no IOMMU is active)");
		return pfn_fail_errno(err, "open /dev/iommu");
	}
	return fd;
}

int pfn_ioas_alloc(int iommufd, uint32_t *ioas_id, struct pfn_err *err)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &cmd))
		return pfn_fail_errno(err, "IOMMU_IOAS_ALLOC");
	*ioas_id = cmd.out_ioas_id;
	return 0;
}

int pfn_iommufd_destroy(int iommufd, uint32_t id, struct pfn_err *err)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	if (ioctl(iommufd, IOMMU_DESTROY, &cmd))
		return pfn_fail_errno(err, "IOMMU_DESTROY id %u", id);
	return 0;
}

static uint32_t ioas_map_flags(uint32_t flags)
{
	uint32_t out = 0;

	if (flags & PFN_MAP_READ)
		out |= IOMMU_IOAS_MAP_READABLE;
	if (flags & PFN_MAP_WRITE)
		out |= IOMMU_IOAS_MAP_WRITEABLE;
	if (!(flags & PFN_MAP_ANY_IOVA))
		out |= IOMMU_IOAS_MAP_FIXED_IOVA;
	return out;
}

int pfn_ioas_map_user(int iommufd, uint32_t ioas_id, void *va, uint64_t length,
		      uint64_t *iova, uint32_t flags, struct pfn_err *err)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = ioas_map_flags(flags),
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = length,
		.iova = (flags & PFN_MAP_ANY_IOVA) ? 0 : *iova,
	};

	if (ioctl(iommufd, IOMMU_IOAS_MAP, &cmd))
		return pfn_fail_errno(err, "IOMMU_IOAS_MAP of %#llx bytes at iova %#llx",
				      (unsigned long long)length, (unsigned long long)cmd.iova);
	*iova = cmd.iova;
	return 0;
}

int pfn_ioas_map_file(int iommufd, uint32_t ioas_id, int fd, uint64_t start,
		      uint64_t length, uint64_t *iova, uint32_t flags,
		      struct pfn_err *err)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = ioas_map_flags(flags),
		.ioas_id = ioas_id,
		.fd = fd,
		.start = start,
		.length = length,
		.iova = (flags & PFN_MAP_ANY_IOVA) ? 0 : *iova,
	};

	if (ioctl(iommufd, IOMMU_IOAS_MAP_FILE, &cmd))
		return pfn_fail_errno(err, "IOMMU_IOAS_MAP_FILE fd %d [%#llx+%#llx] at iova %#llx",
				      fd, (unsigned long long)start,
				      (unsigned long long)length, (unsigned long long)cmd.iova);
	*iova = cmd.iova;
	return 0;
}

int pfn_ioas_unmap(int iommufd, uint32_t ioas_id, uint64_t iova, uint64_t length,
		   uint64_t *unmapped, struct pfn_err *err)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = length,
	};

	if (ioctl(iommufd, IOMMU_IOAS_UNMAP, &cmd))
		return pfn_fail_errno(err, "IOMMU_IOAS_UNMAP iova %#llx length %#llx",
				      (unsigned long long)iova, (unsigned long long)length);
	if (unmapped)
		*unmapped = cmd.length;
	return 0;
}
