/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IOVA windows taken from what the IOMMU says is usable, never hard-coded
 * (as upstream's tools/testing/selftests/vfio/lib/iova_allocator.c does).
 *
 * The usable ranges come from IOMMU_IOAS_IOVA_RANGES (iommufd) or from the
 * VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE capability of VFIO_IOMMU_GET_INFO
 * (type1).  Both narrow once devices are attached (reserved regions such as
 * the MSI window drop out), so read them after the devices joined the
 * address space.  Allocation is a bump allocator: windows are never reused,
 * so a stale mapping can never alias a fresh one.
 */
#ifndef PFN_IOVA_H
#define PFN_IOVA_H

#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfn/iommu.h"

#define PFN_IOVA_MAX_RANGES 32

/**
 * struct pfn_iova_space - the usable IOVA ranges of one address space
 * @start: first usable IOVA of each range
 * @last: last usable IOVA of each range (inclusive)
 * @count: number of ranges
 * @cursor: lowest IOVA the next allocation may use
 */
struct pfn_iova_space {
	uint64_t start[PFN_IOVA_MAX_RANGES];
	uint64_t last[PFN_IOVA_MAX_RANGES];
	size_t count;
	uint64_t cursor;
};

/**
 * pfn_iova_space_read() - read the usable ranges of @iommu
 * @space: filled on success
 * @iommu: an open address space (type1: with its IOMMU set)
 * @err: error detail
 *
 * Return: 0; -ENODATA when the kernel reports no range; -errno of the ioctl.
 */
int pfn_iova_space_read(struct pfn_iova_space *space, const struct pfn_iommu *iommu,
			struct pfn_err *err);

/**
 * pfn_iova_space_set() - use the given ranges (tests, or a caller that knows)
 * @space: filled
 * @start: first IOVA of each range
 * @last: last IOVA of each range (inclusive)
 * @count: ranges, at most PFN_IOVA_MAX_RANGES
 *
 * Return: 0 or -EINVAL (too many ranges, or a range with @last < @start).
 */
int pfn_iova_space_set(struct pfn_iova_space *space, const uint64_t *start,
		       const uint64_t *last, size_t count);

/**
 * pfn_iova_alloc() - reserve @size bytes aligned to @align
 * @space: the ranges
 * @size: bytes, > 0
 * @align: power of two >= 4096 (a huge mapping wants its page size)
 * @iova: receives the window's start
 * @err: error detail
 *
 * Windows are handed out upwards and never reused.
 *
 * Return: 0, -EINVAL (bad size or alignment) or -ENOSPC (no range fits).
 */
int pfn_iova_alloc(struct pfn_iova_space *space, uint64_t size, uint64_t align,
		   uint64_t *iova, struct pfn_err *err);

#endif /* PFN_IOVA_H */
