// SPDX-License-Identifier: GPL-2.0-only
/*
 * The peer device whose BAR holds the bar_* pools, opened through its VFIO
 * cdev with an iommufd of its own: the BAR's mmap (the CPU's view, and the
 * VMA path's source) and its dma-buf export come from here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/vfio.h>

#include "dpdk.h"
#include "pfn/pci.h"

int pdpdk_peer_open(struct pdpdk_peer *peer, const char *bdf, int bar, struct pfn_err *err)
{
	struct pfn_region r;
	struct pfn_err e;
	int ret;

	memset(peer, 0, sizeof(*peer));
	peer->bar = -1;
	ret = pfn_pci_check_vfio("/sys", bdf, NULL, &e);
	if (ret)
		return pfn_fail(err, -ret, "--peer %s: %s", bdf, e.msg);
	ret = pfn_iommu_open(&peer->iommu, PFN_MODE_IOMMUFD, &e);
	if (ret)
		return pfn_fail(err, -ret, "--peer %s: %s", bdf, e.msg);
	ret = pfn_vfio_open(&peer->dev, "/sys", bdf, &peer->iommu, &e);
	if (ret) {
		pfn_iommu_close(&peer->iommu);
		return pfn_fail(err, -ret, "--peer %s: %s", bdf, e.msg);
	}
	peer->open = true;
	for (int i = 0; i < PFN_NUM_BARS; i++) {
		if (bar >= 0 && i != bar)
			continue;
		if (pfn_vfio_region(&peer->dev, (uint32_t)i, &r, NULL) || !r.size ||
		    !(r.flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		if (r.size > peer->bar_size) {
			peer->bar = i;
			peer->bar_size = r.size;
		}
	}
	if (peer->bar < 0) {
		pdpdk_peer_close(peer);
		if (bar >= 0)
			return pfn_fail(err, ENXIO, "--peer %s: BAR %d is absent or cannot be mmap'd", bdf, bar);
		return pfn_fail(err, ENXIO, "--peer %s: no BAR that can be mmap'd", bdf);
	}
	return 0;
}

void pdpdk_peer_close(struct pdpdk_peer *peer)
{
	if (!peer->open)
		return;
	pfn_vfio_close(&peer->dev);
	pfn_iommu_close(&peer->iommu);
	peer->open = false;
}

/* The revoke: PCI memory decoding off (vfio-pci zaps the BAR's mmaps and
 * revokes its dma-bufs), then on again, so that a DMA into the BAR could
 * land again if any mapping of it survived. */
int pdpdk_peer_revoke(struct pdpdk_peer *peer, struct pfn_err *err)
{
	return pfn_vfio_set_memory_enable(&peer->dev, false, err);
}

int pdpdk_peer_restore(struct pdpdk_peer *peer, struct pfn_err *err)
{
	return pfn_vfio_set_memory_enable(&peer->dev, true, err);
}
