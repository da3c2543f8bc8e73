/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI device discovery through sysfs.
 *
 * Every function takes the sysfs mount point (normally "/sys") so that the
 * logic can be tested against a fake tree.
 */
#ifndef PFN_PCI_H
#define PFN_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"

#define PFN_BDF_LEN 13	/* "dddd:bb:dd.f" + NUL */
#define PFN_SYSFS_DEFAULT "/sys"

/**
 * pfn_bdf_parse() - validate and normalise a PCI address
 * @in: "dddd:bb:dd.f" or "bb:dd.f" (domain 0000 assumed), hex, any case
 * @out: receives the canonical lower-case "dddd:bb:dd.f"
 * @err: error detail
 *
 * Return: 0, or -EINVAL if @in is not a PCI address.
 */
int pfn_bdf_parse(const char *in, char out[PFN_BDF_LEN], struct pfn_err *err);

/**
 * struct pfn_pci_info - what sysfs says about one PCI function
 * @bdf: canonical address
 * @vendor: PCI vendor ID
 * @device: PCI device ID
 * @class: 24-bit class code
 * @driver: name of the bound driver, "" when none
 * @iommu_group: IOMMU group number, -1 when the device has none
 * @vfio_cdev: "vfioN" when vfio-pci exposes a device cdev, "" otherwise
 */
struct pfn_pci_info {
	char bdf[PFN_BDF_LEN];
	uint16_t vendor;
	uint16_t device;
	uint32_t class;
	char driver[64];
	int iommu_group;
	char vfio_cdev[32];
};

/**
 * pfn_pci_info() - read @bdf's identity, driver, IOMMU group and vfio cdev
 * @sysfs: sysfs mount point
 * @bdf: canonical address
 * @info: filled on success
 * @err: error detail
 *
 * Return: 0, or -ENODEV when no such device exists.
 */
int pfn_pci_info(const char *sysfs, const char *bdf, struct pfn_pci_info *info,
		 struct pfn_err *err);

/**
 * pfn_pci_check_vfio() - check that @bdf is ready for userspace VFIO
 * @sysfs: sysfs mount point
 * @bdf: canonical address
 * @info: filled on success (may be NULL)
 * @err: on failure, says what is wrong and how to fix it
 *
 * Return: 0; -ENODEV (absent), -EBUSY (bound to another driver or to none),
 * -ENXIO (no IOMMU group: IOMMU missing or disabled).
 */
int pfn_pci_check_vfio(const char *sysfs, const char *bdf,
		       struct pfn_pci_info *info, struct pfn_err *err);

/**
 * pfn_pci_list_driver() - list the devices bound to a driver
 * @sysfs: sysfs mount point
 * @driver: driver name, e.g. "vfio-pci"
 * @bdfs: array receiving canonical addresses, sorted
 * @max: capacity of @bdfs
 * @err: error detail
 *
 * Return: the number of devices found (may exceed @max; only @max are
 * stored), 0 when the driver is not registered, or a negative errno.
 */
int pfn_pci_list_driver(const char *sysfs, const char *driver,
			char (*bdfs)[PFN_BDF_LEN], size_t max, struct pfn_err *err);

/**
 * pfn_iommu_present() - does the running kernel have an active IOMMU?
 * @sysfs: sysfs mount point
 *
 * Return: true when at least one IOMMU is registered (/sys/class/iommu).
 */
bool pfn_iommu_present(const char *sysfs);

#endif /* PFN_PCI_H */
