/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel state a lifetime case compares before and after: live dma-bufs
 * (debugfs dma_buf/bufinfo) and splats in the kernel log.
 */
#ifndef PFN_CONFORM_KSTATE_H
#define PFN_CONFORM_KSTATE_H

#include <stdbool.h>

/**
 * struct kstate - a snapshot
 * @dmabufs: dma-bufs alive in the system, -1 when debugfs is unavailable
 * @splats: kernel log lines that report a bug (WARNING, BUG, Oops, KASAN,
 *	    UBSAN, lockdep, RCU stall, hung task, kmemleak), -1 when the log
 *	    cannot be read
 * @kmemleak: objects kmemleak reports unreferenced after a scan, -1 when
 *	      the kernel has no kmemleak (CONFIG_DEBUG_KMEMLEAK, the debug flavour)
 */
struct kstate {
	long dmabufs;
	long splats;
	long kmemleak;
};

void kstate_take(struct kstate *ks);

/**
 * klog_iommu_faults() - IOMMU fault reports for @bdf in the kernel log
 * @bdf: the faulting device, "0000:01:00.0"
 *
 * Knows Intel VT-d (DMAR), AMD-Vi and ARM SMMU (which cannot name the PCI
 * device: any of its faults counts).
 *
 * Return: the count, or -1 when the log is unreadable.
 */
long klog_iommu_faults(const char *bdf);

/**
 * kstate_check() - compare a snapshot with an earlier one
 * @before: the earlier snapshot
 * @after: the later one
 * @why: receives what differs, or why the comparison was impossible
 * @len: size of @why
 *
 * A kmemleak delta is not judged here: kmemleak reports an object only once
 * it has been unreferenced for seconds, so a leak of the case shows up in
 * the debug flavour's final kmemleak stage; the counts go into the note.
 *
 * Return: 1 when nothing leaked and nothing splatted, 0 when something
 * did, -1 when the state could not be read (@why says why).
 */
int kstate_check(const struct kstate *before, const struct kstate *after, char *why,
		 unsigned long len);

#endif /* PFN_CONFORM_KSTATE_H */
