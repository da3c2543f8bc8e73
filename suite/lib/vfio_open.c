// SPDX-License-Identifier: GPL-2.0-only
/* Opening a VFIO PCI device through its cdev (iommufd) or group (type1). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "pfn/vfio.h"

static int open_cdev(struct pfn_vfio_dev *dev, struct pfn_err *err)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	char path[64];

	if (!dev->info.vfio_cdev[0])
		return pfn_fail(err, EOPNOTSUPP,
				"%s has no VFIO device cdev: the kernel lacks CONFIG_VFIO_DEVICE_CDEV; use --mode type1",
				dev->bdf);
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", dev->info.vfio_cdev);
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0)
		return pfn_fail_errno(err, "open %s (%s)", path, dev->bdf);

	bind.iommufd = dev->iommu->fd;
	if (ioctl(dev->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return pfn_fail_errno(err, "VFIO_DEVICE_BIND_IOMMUFD %s", dev->bdf);
	dev->devid = bind.out_devid;

	attach.pt_id = dev->iommu->ioas_id;
	if (ioctl(dev->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		return pfn_fail_errno(err, "VFIO_DEVICE_ATTACH_IOMMUFD_PT %s to IOAS %u",
				      dev->bdf, dev->iommu->ioas_id);
	return 0;
}

static int open_group(struct pfn_vfio_dev *dev, struct pfn_err *err)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int ret;

	snprintf(path, sizeof(path), "/dev/vfio/%d", dev->info.iommu_group);
	dev->group_fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->group_fd < 0) {
		if (errno == ENOENT)
			return pfn_fail(err, ENODEV,
					"%s is missing: the kernel lacks CONFIG_VFIO_GROUP", path);
		return pfn_fail_errno(err, "open %s (group of %s)", path, dev->bdf);
	}
	if (ioctl(dev->group_fd, VFIO_GROUP_GET_STATUS, &status))
		return pfn_fail_errno(err, "VFIO_GROUP_GET_STATUS %s", path);
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return pfn_fail(err, EBUSY,
				"IOMMU group %d of %s is not viable: bind every device in it to vfio-pci",
				dev->info.iommu_group, dev->bdf);
	if (ioctl(dev->group_fd, VFIO_GROUP_SET_CONTAINER, &dev->iommu->fd))
		return pfn_fail_errno(err, "VFIO_GROUP_SET_CONTAINER %s", path);
	if (!dev->iommu->type1_ready) {
		ret = pfn_type1_set_iommu(dev->iommu->fd, err);
		if (ret)
			return ret;
		dev->iommu->type1_ready = true;
	}
	dev->fd = ioctl(dev->group_fd, VFIO_GROUP_GET_DEVICE_FD, dev->bdf);
	if (dev->fd < 0)
		return pfn_fail_errno(err, "VFIO_GROUP_GET_DEVICE_FD %s", dev->bdf);
	return 0;
}

int pfn_vfio_open(struct pfn_vfio_dev *dev, const char *sysfs, const char *bdf,
		  struct pfn_iommu *iommu, struct pfn_err *err)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	dev->group_fd = -1;
	dev->iommu = iommu;
	dev->mode = iommu->mode;

	ret = pfn_bdf_parse(bdf, dev->bdf, err);
	if (ret)
		return ret;
	ret = pfn_pci_check_vfio(sysfs, dev->bdf, &dev->info, err);
	if (ret)
		return ret;

	ret = dev->mode == PFN_MODE_IOMMUFD ? open_cdev(dev, err) : open_group(dev, err);
	if (ret)
		goto fail;

	if (ioctl(dev->fd, VFIO_DEVICE_GET_INFO, &info)) {
		ret = pfn_fail_errno(err, "VFIO_DEVICE_GET_INFO %s", dev->bdf);
		goto fail;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		ret = pfn_fail(err, ENODEV, "%s is not a VFIO PCI device", dev->bdf);
		goto fail;
	}
	dev->flags = info.flags;
	dev->num_regions = info.num_regions;
	dev->num_irqs = info.num_irqs;
	return 0;
fail:
	pfn_vfio_close(dev);
	return ret;
}

void pfn_vfio_close(struct pfn_vfio_dev *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	if (dev->group_fd >= 0)
		close(dev->group_fd);
	dev->fd = -1;
	dev->group_fd = -1;
}
