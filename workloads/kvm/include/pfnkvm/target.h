/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device whose BAR goes into the guest: by default the vfio-pci device
 * with the largest mmap-capable BAR (pfn_target_pick(), whatever its vendor),
 * opened through libpfn.
 */
#ifndef PFNKVM_TARGET_H
#define PFNKVM_TARGET_H

#include <stdint.h>

#include "pfn/error.h"
#include "pfn/iommu.h"
#include "pfn/pci.h"
#include "pfn/vfio.h"

/**
 * struct pkvm_target - an open device and the BAR under test
 * @iommu: its IOMMU address space (iommufd if available, else type1)
 * @dev: the device
 * @bar: BAR index
 * @bar_size: bytes
 */
struct pkvm_target {
	struct pfn_iommu iommu;
	struct pfn_vfio_dev dev;
	uint32_t bar;
	uint64_t bar_size;
};

/**
 * pkvm_target_pick() - choose a vfio-pci device when none was given
 * @sysfs: sysfs mount point
 * @bdf: receives the canonical address
 * @err: error detail (-ENODEV: nothing bound to vfio-pci)
 *
 * Return: 0 or -errno.
 */
int pkvm_target_pick(const char *sysfs, char bdf[PFN_BDF_LEN], struct pfn_err *err);

/**
 * pkvm_target_open() - open @bdf and select its BAR
 * @t: filled on success
 * @sysfs: sysfs mount point
 * @bdf: device
 * @bar: BAR index, or -1 for the largest mmap-capable one
 * @err: error detail
 *
 * Return: 0 or -errno.
 */
int pkvm_target_open(struct pkvm_target *t, const char *sysfs, const char *bdf, int bar,
		     struct pfn_err *err);

/** pkvm_target_close() - close device and address space; safe to repeat. */
void pkvm_target_close(struct pkvm_target *t);

#endif /* PFNKVM_TARGET_H */
