/* SPDX-License-Identifier: GPL-2.0-only */
/* Picking the DMA engine among vfio-pci devices, the same way everywhere. */
#ifndef PFN_DMA_PICK_H
#define PFN_DMA_PICK_H

#include "pfn/error.h"
#include "pfn/pci.h"

/**
 * pfn_dma_pick() - the default DMA engine: the first of @bdfs, other than
 * @exclude, that a built-in DMA driver handles, in driver order
 * (pfn_dma_drivers(): nvme, then edu), then in the order of @bdfs
 * @sysfs: sysfs mount point
 * @bdfs: candidate devices (e.g. those bound to vfio-pci)
 * @n: how many
 * @exclude: a BDF never to pick (the target), or NULL
 * @out: receives the BDF
 * @err: why none fits
 *
 * Return: 0, or -ENODEV with @err saying what to do.
 */
int pfn_dma_pick(const char *sysfs, const char (*bdfs)[PFN_BDF_LEN], int n, const char *exclude,
		 char *out, struct pfn_err *err);

#endif /* PFN_DMA_PICK_H */
