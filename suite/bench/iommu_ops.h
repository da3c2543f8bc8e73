/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exact counts of IOMMU work: the kernel's iommu:map and iommu:unmap
 * tracepoints, recorded in tracefs for this process only while a counted
 * region runs, then read back and summed.
 *
 * Each iommu:map event is one iommu_map() call (iova, paddr, size); the
 * bytes of each call are split into page sizes the way the IOMMU core and
 * the page-table code split them: the largest page size the domain supports
 * that the IOVA, the physical address and the remaining length all allow.
 * The domain's page sizes are read from the IOMMU where the kernel exposes
 * them (Intel VT-d: the capability register in sysfs) and otherwise assumed
 * to be 4K|2M|1G (iommu_ops_pgsizes() tells which).
 *
 * Needs root, tracefs (/sys/kernel/tracing, or debugfs's tracing/) and a
 * kernel with CONFIG_TRACING and the IOMMU core.  Not thread-safe: one
 * counted region at a time per system (tracefs is global).
 */
#ifndef PFN_BENCH_IOMMU_OPS_H
#define PFN_BENCH_IOMMU_OPS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"

/* Page sizes reported separately; any other size is counted in "other". */
enum iommu_pgsize {
	IOMMU_PGSIZE_4K,
	IOMMU_PGSIZE_2M,
	IOMMU_PGSIZE_1G,
	IOMMU_PGSIZE_OTHER,
	IOMMU_NR_PGSIZES,
};

/** iommu_pgsize_name() - "4k", "2m", "1g" or "other". */
const char *iommu_pgsize_name(enum iommu_pgsize p);

/**
 * struct iommu_ops_counts - IOMMU work seen in one counted region
 * @map_ops: iommu:map events (iommu_map() calls)
 * @map_bytes: bytes those calls mapped
 * @map_pages: IOMMU pages those bytes make, per &enum iommu_pgsize
 * @map_bytes_by_pgsize: the bytes mapped with each page size
 * @unmap_ops: iommu:unmap events
 * @unmap_bytes: bytes those calls unmapped
 */
struct iommu_ops_counts {
	uint64_t map_ops;
	uint64_t map_bytes;
	uint64_t map_pages[IOMMU_NR_PGSIZES];
	uint64_t map_bytes_by_pgsize[IOMMU_NR_PGSIZES];
	uint64_t unmap_ops;
	uint64_t unmap_bytes;
};

/**
 * struct iommu_ops - an open counter
 * @tracefs: the tracefs directory in use
 * @pgsize_bitmap: page sizes of the IOMMU's domains (bit N: 2^N bytes)
 * @pgsizes_from_iommu: @pgsize_bitmap was read from the IOMMU, not assumed
 * @counting: a counted region is open
 */
struct iommu_ops {
	char tracefs[PATH_MAX];
	uint64_t pgsize_bitmap;
	bool pgsizes_from_iommu;
	bool counting;
};

/**
 * iommu_ops_open() - find tracefs and the IOMMU tracepoints
 * @c: counter to initialise
 * @err: why counting is not possible (no tracefs, no iommu events, ...)
 *
 * Return: 0 or a negative errno; nothing is enabled yet.
 */
int iommu_ops_open(struct iommu_ops *c, struct pfn_err *err);

/**
 * iommu_ops_start() - clear the trace buffer and record this process's
 *	iommu:map and iommu:unmap events
 * @c: open counter
 * @err: what failed
 *
 * Return: 0 or a negative errno (then nothing stays enabled).
 */
int iommu_ops_start(struct iommu_ops *c, struct pfn_err *err);

/**
 * iommu_ops_stop() - stop recording and sum the events since the start
 * @c: counter with an open region
 * @out: the counts
 * @err: what failed; -EOVERFLOW when the trace buffer lost events (the
 *	counts would not be exact)
 *
 * The events are disabled whatever the outcome.
 *
 * Return: 0 or a negative errno.
 */
int iommu_ops_stop(struct iommu_ops *c, struct iommu_ops_counts *out, struct pfn_err *err);

/**
 * iommu_ops_parse() - sum the iommu events of a tracefs "trace" text
 * @text: the text (NUL-terminated); other lines are ignored
 * @pgsize_bitmap: page sizes to split mapped bytes into (at least one bit)
 * @out: the counts
 * @err: -EOVERFLOW when the text's header says events were lost,
 *	-EINVAL for an iommu event line that does not parse
 *
 * Return: 0 or a negative errno.
 */
int iommu_ops_parse(const char *text, uint64_t pgsize_bitmap, struct iommu_ops_counts *out,
		    struct pfn_err *err);

/**
 * iommu_ops_split() - add one map of @size at @iova/@paddr to @out's pages
 * @iova: IOVA of the map
 * @paddr: physical address
 * @size: bytes mapped
 * @pgsize_bitmap: page sizes the domain supports (at least one bit)
 * @out: counts to add to (map_pages, map_bytes_by_pgsize)
 */
void iommu_ops_split(uint64_t iova, uint64_t paddr, uint64_t size, uint64_t pgsize_bitmap,
		     struct iommu_ops_counts *out);

/**
 * iommu_ops_pgsizes() - the page sizes the counter splits into
 * @c: open counter
 * @buf: receives e.g. "4k|2m|1g (from the IOMMU)" or "... (assumed)"
 * @len: size of @buf
 */
void iommu_ops_pgsizes(const struct iommu_ops *c, char *buf, size_t len);

/** iommu_ops_close() - stop any open region; @c may be reopened. */
void iommu_ops_close(struct iommu_ops *c);

#endif /* PFN_BENCH_IOMMU_OPS_H */
