/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest-access benchmark: for each repetition, a fresh VM gets a BAR
 * slice through one path and the payload sweeps it (read a 64-bit word,
 * write one back, every @stride bytes) for @passes passes.  Pass 0 is cold
 * (every nested-paging and host fault is taken there); later passes are
 * warm.  Times are host CLOCK_MONOTONIC at the payload's port exits; under
 * QEMU TCG they are emulated-CPU times, not hardware times.
 */
#ifndef PFNKVM_BENCH_H
#define PFNKVM_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfnkvm/bar_slot.h"
#include "pfnkvm/metric.h"
#include "pfnkvm/target.h"

/**
 * struct pkvm_bench_cfg - one benchmark configuration
 * @path: PKVM_PATH_VMA or PKVM_PATH_DMABUF
 * @align: VMA path: user alignment of the BAR mmap (4K, 2M, 1G, ...)
 * @mmap_flags: PFN_MMAP_EXACT_ALIGN to forbid larger alignments
 * @offset: offset of the slice in the BAR
 * @window: bytes of BAR put into the guest and swept
 * @stride: bytes between accesses (multiple of 8)
 * @passes: passes per VM, at least 2 (pass 0 is the cold one)
 * @repeat: VMs, at least 1
 * @timeout: seconds one VM's run may take
 */
struct pkvm_bench_cfg {
	enum pkvm_path path;
	uint64_t align;
	uint32_t mmap_flags;
	uint64_t offset;
	uint64_t window;
	uint64_t stride;
	unsigned int passes;
	unsigned int repeat;
	double timeout;
};

/* The metrics, in the order they are reported. */
enum pkvm_bench_metric {
	PKVM_BM_MAP_US,		/* mmap (VMA) or export (dma-buf) of the slice */
	PKVM_BM_SLOT_US,	/* KVM_SET_USER_MEMORY_REGION2 of the BAR slot */
	PKVM_BM_EXIT_US,	/* one port-exit round trip, no BAR access (calibration) */
	PKVM_BM_FIRST_US,	/* first guest access, incl. one port-exit round trip */
	PKVM_BM_COLD_BPS,	/* pass 0: bytes read+written by the guest per second */
	PKVM_BM_WARM_BPS,	/* passes 1..: same */
	PKVM_BM_COLD_NPF,	/* pass 0: vCPU pf_taken (nested-paging faults) */
	PKVM_BM_WARM_NPF,	/* passes 1..: per pass */
	PKVM_BM_COLD_FIXED,	/* pass 0: vCPU pf_fixed (SPTEs installed) */
	PKVM_BM_COLD_HOSTF,	/* pass 0: vCPU thread minor+major page faults */
	PKVM_BM_WARM_HOSTF,	/* passes 1..: per pass */
	PKVM_BM_PAGES_4K,	/* VM pages_4k after the run (all slots) */
	PKVM_BM_PAGES_2M,	/* VM pages_2m after the run */
	PKVM_BM_PAGES_1G,	/* VM pages_1g after the run */
	PKVM_BM_COUNT
};

/**
 * struct pkvm_bench_result - what one configuration measured
 * @cfg: the configuration
 * @m: metrics, indexed by enum pkvm_bench_metric
 * @have_stats: KVM binary statistics were readable (else fault metrics empty)
 * @accesses_per_pass: guest accesses in one pass
 * @reps_done: VMs that completed
 */
struct pkvm_bench_result {
	struct pkvm_bench_cfg cfg;
	struct pkvm_metric m[PKVM_BM_COUNT];
	bool have_stats;
	uint64_t accesses_per_pass;
	unsigned int reps_done;
};

/**
 * pkvm_bench_prime() - write one word in every page of a BAR slice from the
 * host, so that an emulator's lazily allocated device memory (QEMU's
 * memory-backend-ram behind ivshmem) is not first touched -- and its
 * allocation billed -- during the first configuration's cold pass
 * @t: target
 * @offset: slice offset
 * @len: slice length
 * @err: error detail
 *
 * Overwrites the slice's first word of every page.  Return: 0 or -errno.
 */
int pkvm_bench_prime(struct pkvm_target *t, uint64_t offset, uint64_t len, struct pfn_err *err);

/**
 * pkvm_bench_run() - run one configuration
 * @t: the open target
 * @cfg: configuration
 * @res: results (initialised here)
 * @err: error detail (-EOPNOTSUPP when the path is unavailable)
 *
 * Return: 0 when every repetition completed, -errno otherwise (@res keeps
 * what was measured before the failure).
 */
int pkvm_bench_run(struct pkvm_target *t, const struct pkvm_bench_cfg *cfg,
		   struct pkvm_bench_result *res, struct pfn_err *err);

#endif /* PFNKVM_BENCH_H */
