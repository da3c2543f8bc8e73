/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The default target: the vfio-pci device with the largest mmap-capable
 * BAR, whatever its vendor (devices are chosen by BDF and by what they
 * offer, never by vendor id).  conform, fuzz, bench and pfn-kvm all pick it
 * this way when no --device is given.
 */
#ifndef PFN_TARGET_PICK_H
#define PFN_TARGET_PICK_H

#include <stdint.h>

#include "pfn/error.h"
#include "pfn/pci.h"

/**
 * pfn_bar_largest() - the largest mmap-capable BAR of @bdf
 * @sysfs: sysfs mount point
 * @bdf: a device bound to vfio-pci (opened alone, iommufd or else type1)
 * @want: only this BAR (its size, 0 when it is not mmap-capable), or -1 for any
 * @bar: receives the BAR's index
 * @size: receives its size, 0 when the device has none
 * @err: error detail
 *
 * Return: 0, or -errno when the device cannot be opened.
 */
int pfn_bar_largest(const char *sysfs, const char *bdf, int want, uint32_t *bar,
		    uint64_t *size, struct pfn_err *err);

/**
 * pfn_target_pick() - of @bdfs, the device with the largest mmap-capable BAR
 * @sysfs: sysfs mount point
 * @bdfs: candidates (vfio-pci devices)
 * @n: how many
 * @bdf: receives the chosen one
 * @err: -ENODEV: none has an mmap-capable BAR
 *
 * Return: 0 or -ENODEV.
 */
int pfn_target_pick(const char *sysfs, const char (*bdfs)[PFN_BDF_LEN], int n,
		    char bdf[PFN_BDF_LEN], struct pfn_err *err);

#endif /* PFN_TARGET_PICK_H */
