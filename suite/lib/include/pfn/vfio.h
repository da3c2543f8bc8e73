/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VFIO PCI devices: open in either IOMMU mode, regions, BAR mmap at a chosen
 * user-address alignment, config space, reset, low power, dma-buf export.
 */
#ifndef PFN_VFIO_H
#define PFN_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfn/iommu.h"
#include "pfn/pci.h"

#define PFN_NUM_BARS 6

/**
 * struct pfn_vfio_dev - an open VFIO PCI device
 * @bdf: canonical address
 * @mode: how it reaches the IOMMU
 * @iommu: the address space it is attached to (not owned)
 * @fd: device fd
 * @group_fd: group fd (type1 mode), -1 otherwise
 * @devid: iommufd device ID (iommufd mode)
 * @num_regions: from VFIO_DEVICE_GET_INFO
 * @num_irqs: from VFIO_DEVICE_GET_INFO
 * @flags: VFIO_DEVICE_FLAGS_*
 * @info: sysfs identity
 */
struct pfn_vfio_dev {
	char bdf[PFN_BDF_LEN];
	enum pfn_iommu_mode mode;
	struct pfn_iommu *iommu;
	int fd;
	int group_fd;
	uint32_t devid;
	uint32_t num_regions;
	uint32_t num_irqs;
	uint32_t flags;
	struct pfn_pci_info info;
};

/**
 * struct pfn_region - one VFIO region
 * @index: region index (BARs are 0..5)
 * @flags: VFIO_REGION_INFO_FLAG_*
 * @size: bytes, 0 when absent
 * @offset: offset of the region in the device fd
 */
struct pfn_region {
	uint32_t index;
	uint32_t flags;
	uint64_t size;
	uint64_t offset;
};

/**
 * pfn_vfio_open() - open @bdf and attach it to @iommu
 * @dev: filled on success
 * @sysfs: sysfs mount point
 * @bdf: PCI address (any form pfn_bdf_parse() takes)
 * @iommu: address space, whose mode selects cdev+iommufd or group+type1
 * @err: error detail, naming what to do (bind to vfio-pci, enable the IOMMU)
 */
int pfn_vfio_open(struct pfn_vfio_dev *dev, const char *sysfs, const char *bdf,
		  struct pfn_iommu *iommu, struct pfn_err *err);

/** pfn_vfio_close() - close the device (and its group); safe to repeat. */
void pfn_vfio_close(struct pfn_vfio_dev *dev);

/** pfn_vfio_region() - VFIO_DEVICE_GET_REGION_INFO of @index. */
int pfn_vfio_region(struct pfn_vfio_dev *dev, uint32_t index,
		    struct pfn_region *region, struct pfn_err *err);

/* pfn_vfio_bar_mmap() flags */
#define PFN_MMAP_EXACT_ALIGN (1u << 0)	/* aligned to @align but not 2 * @align */

/**
 * pfn_vfio_bar_mmap() - mmap a slice of a BAR at a chosen user alignment
 * @dev: device
 * @bar: BAR index
 * @offset: offset into the BAR (page aligned)
 * @length: bytes (page multiple)
 * @align: user-address alignment, a power of two >= page size
 * @flags: PFN_MMAP_EXACT_ALIGN to rule out larger alignments, so that the
 *	   fault handler cannot use a bigger page than @align
 * @out: receives the address
 * @err: error detail
 *
 * Undo with munmap(*@out, @length).
 */
int pfn_vfio_bar_mmap(struct pfn_vfio_dev *dev, uint32_t bar, uint64_t offset,
		      uint64_t length, uint64_t align, uint32_t flags, void **out,
		      struct pfn_err *err);

/** pfn_vfio_config_read() - read PCI config space at @offset. */
int pfn_vfio_config_read(struct pfn_vfio_dev *dev, uint32_t offset, void *buf,
			 size_t len, struct pfn_err *err);

/** pfn_vfio_config_write() - write PCI config space at @offset. */
int pfn_vfio_config_write(struct pfn_vfio_dev *dev, uint32_t offset,
			  const void *buf, size_t len, struct pfn_err *err);

/** pfn_vfio_set_memory_enable() - set or clear PCI_COMMAND_MEMORY. */
int pfn_vfio_set_memory_enable(struct pfn_vfio_dev *dev, bool enable,
			       struct pfn_err *err);

/** pfn_vfio_set_bus_master() - set or clear PCI_COMMAND_MASTER. */
int pfn_vfio_set_bus_master(struct pfn_vfio_dev *dev, bool enable,
			    struct pfn_err *err);

/** pfn_vfio_reset() - VFIO_DEVICE_RESET (-ENOTTY when not resettable). */
int pfn_vfio_reset(struct pfn_vfio_dev *dev, struct pfn_err *err);

/**
 * pfn_vfio_feature() - raw VFIO_DEVICE_FEATURE
 * @dev: device
 * @flags: VFIO_DEVICE_FEATURE_GET/SET/PROBE
 * @feature: feature number
 * @data: payload, may be NULL
 * @size: payload bytes
 * @argsz_delta: added to the correct argsz (negative to test "too small")
 * @err: error detail
 *
 * Return: the ioctl's non-negative result (a dma-buf fd for DMA_BUF GET),
 * or -errno.
 */
int pfn_vfio_feature(struct pfn_vfio_dev *dev, uint32_t flags, uint32_t feature,
		     const void *data, size_t size, int argsz_delta,
		     struct pfn_err *err);

/**
 * pfn_vfio_set_req_eventfd() - have the kernel signal @efd when it wants the
 * device back (hot-unplug, driver unbind): VFIO_PCI_REQ_IRQ_INDEX
 * @dev: device
 * @efd: an eventfd, or -1 to stop signalling
 * @err: error detail
 */
int pfn_vfio_set_req_eventfd(struct pfn_vfio_dev *dev, int efd, struct pfn_err *err);

/** pfn_vfio_low_power() - enter (true) or leave (false) D3 via the feature. */
int pfn_vfio_low_power(struct pfn_vfio_dev *dev, bool enter, struct pfn_err *err);

/**
 * struct pfn_range - a byte range within a region
 * @offset: start
 * @length: bytes
 */
struct pfn_range {
	uint64_t offset;
	uint64_t length;
};

/**
 * pfn_vfio_dmabuf_export() - VFIO_DEVICE_FEATURE_DMA_BUF of some ranges
 * @dev: device
 * @region: region index (a BAR)
 * @ranges: slices of the region, in order
 * @nr_ranges: number of slices
 * @open_flags: O_RDWR, O_CLOEXEC, ...
 * @err: error detail
 *
 * Return: the dma-buf fd, or -errno (-ENOTTY/-EINVAL/-ENOTSUP without support).
 */
int pfn_vfio_dmabuf_export(struct pfn_vfio_dev *dev, uint32_t region,
			   const struct pfn_range *ranges, uint32_t nr_ranges,
			   uint32_t open_flags, struct pfn_err *err);

#endif /* PFN_VFIO_H */
