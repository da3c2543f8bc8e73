/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DMA proof: "does a device write to IOVA X land in the target?",
 * answered byte for byte, with the engine's health shown in the same place.
 *
 * Every DMA-proven verdict of the suite (conformance cases, the `dma`
 * stage, benchmarks' map + first DMA, the workloads) goes through this one
 * primitive:
 *
 *  - the target is a CPU view of memory the DMA may reach (a BAR slice
 *    through its mmap, or host memory); before a DMA whose landing is in
 *    question the CPU writes a canary there and reads it back;
 *  - each DMA writes a pattern no earlier DMA wrote (a fresh seed), so a
 *    landing is never confused with an older one;
 *  - the target is then judged byte for byte: it holds the DMA's pattern
 *    (landed), the canary (did not land), or something else (changed);
 *  - the DMA's completion status is recorded, whatever the verdict;
 *  - an engine timeout is an outcome of its own: the engine is recovered
 *    (the driver quiesces and re-initialises it), and the source buffer of
 *    the timed-out command is never used again;
 *  - a positive control, pfn_proof_control(), is a DMA through a valid
 *    mapping that must complete and land: "must not land" observations are
 *    bracketed by one before and one after, so a dead engine or a broken
 *    mapping can never pass as "nothing landed".
 */
#ifndef PFN_PROOF_H
#define PFN_PROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/dma.h"
#include "pfn/error.h"
#include "pfn/iommu.h"
#include "pfn/iova.h"

/* Bytes one proof DMA writes, at most (the driver may allow fewer). */
#define PFN_PROOF_LEN_MAX	(16ull << 10)
#define PFN_PROOF_TIMEOUT_MS	5000

/**
 * enum pfn_proof_state - what the target holds after a DMA
 * @PFN_PROOF_LANDED: the DMA's pattern, byte for byte
 * @PFN_PROOF_CANARY: the canary the CPU wrote, byte for byte: nothing landed
 * @PFN_PROOF_CHANGED: neither: the target changed in some other way
 */
enum pfn_proof_state {
	PFN_PROOF_LANDED,
	PFN_PROOF_CANARY,
	PFN_PROOF_CHANGED,
};

/**
 * struct pfn_proof_dma - one DMA attempt and what came of it
 * @seed: the pattern the device was asked to write
 * @dst_iova: where it was asked to write it
 * @status: 0 (the engine reported success), -EIO (the device reported an
 *	  error), -ETIMEDOUT (no completion in time; the engine was recovered),
 *	  or another -errno (the DMA could not be started)
 * @device_status: the driver's device status on error (NVMe: SCT << 8 | SC)
 * @recovered: after a timeout, whether the engine recovery succeeded
 * @msg: the engine's message when @status != 0
 */
struct pfn_proof_dma {
	uint32_t seed;
	uint64_t dst_iova;
	int status;
	uint32_t device_status;
	bool recovered;
	char msg[PFN_ERR_MSG_MAX];
};

/**
 * struct pfn_proof - a DMA engine, its source buffer and a target to watch
 * @dma: the engine (not owned)
 * @iommu: the address space the source buffer is mapped in (not owned)
 * @iovas: where fresh source windows come from (not owned)
 * @len: bytes each DMA writes
 * @src: host source buffer (@len bytes, page multiple)
 * @src_iova: its IOVA
 * @src_size: its mapped size
 * @target: CPU view of the target's first @len bytes, NULL until set
 * @canary: seed of the canary last written to @target (0: none yet)
 * @next_seed: the next DMA's seed
 * @timeout_ms: how long one DMA may take
 * @dead: the engine timed out and could not be recovered
 * @dmas: DMAs attempted
 * @timeouts: of which timed out
 * @retired: source buffers retired after a timeout (never reused)
 */
struct pfn_proof {
	struct pfn_dma *dma;
	struct pfn_iommu *iommu;
	struct pfn_iova_space *iovas;
	size_t len;
	void *src;
	uint64_t src_iova;
	size_t src_size;
	volatile void *target;
	uint32_t canary;
	uint32_t next_seed;
	int timeout_ms;
	bool dead;
	unsigned int dmas;
	unsigned int timeouts;
	unsigned int retired;
};

/**
 * pfn_proof_open() - set up the source buffer for @dma
 * @p: filled on success; closed state on failure
 * @dma: an open DMA engine
 * @iommu: its address space
 * @iovas: usable IOVA ranges of @iommu
 * @len: bytes each DMA should write; capped by PFN_PROOF_LEN_MAX and the
 *	 driver's limit
 * @err: error detail
 *
 * Return: 0 or a negative errno.
 */
int pfn_proof_open(struct pfn_proof *p, struct pfn_dma *dma, struct pfn_iommu *iommu,
		   struct pfn_iova_space *iovas, size_t len, struct pfn_err *err);

/** pfn_proof_close() - unmap and free the source buffer; safe to repeat. */
void pfn_proof_close(struct pfn_proof *p);

/** pfn_proof_set_target() - watch @cpu_view (@p->len bytes) from now on. */
void pfn_proof_set_target(struct pfn_proof *p, volatile void *cpu_view);

/**
 * pfn_proof_remap_target() - the same target memory, seen through a new CPU
 * mapping (@cpu_view, or NULL while there is none): the canary stays what
 * the target must hold
 */
void pfn_proof_remap_target(struct pfn_proof *p, volatile void *cpu_view);

/**
 * pfn_proof_write_canary() - the CPU writes a fresh canary into the target
 * and reads it back
 * @p: with a target
 * @err: error detail
 *
 * Return: 0, or -EIO when the target does not read back what was written
 * (it is not memory: registers, or decoding is off).
 */
int pfn_proof_write_canary(struct pfn_proof *p, struct pfn_err *err);

/**
 * pfn_proof_dma() - have the device write a fresh pattern at @dst_iova
 * @p: an open proof
 * @dst_iova: destination IOVA
 * @d: receives the attempt
 *
 * Never judges the target (it may not be readable yet: see
 * pfn_proof_observe()).  On a timeout the engine is recovered.
 *
 * Return: @d->status.
 */
int pfn_proof_dma(struct pfn_proof *p, uint64_t dst_iova, struct pfn_proof_dma *d);

/**
 * pfn_proof_prepare() - pfn_proof_dma() in two steps, for timed callers:
 * write the next pattern into the source buffer and fill @d
 * @p: an open proof
 * @dst_iova: destination IOVA
 * @d: receives the attempt (status 0 until sent)
 */
void pfn_proof_prepare(struct pfn_proof *p, uint64_t dst_iova, struct pfn_proof_dma *d);

/**
 * pfn_proof_send() - send the DMA @d was prepared for; as pfn_proof_dma()
 * Return: @d->status.
 */
int pfn_proof_send(struct pfn_proof *p, struct pfn_proof_dma *d);

/**
 * pfn_proof_observe() - judge the target after @d, byte for byte
 * @p: with a target that is readable now
 * @d: the attempt to judge
 * @first_diff: receives the first offset that differs from the canary
 *	 (for PFN_PROOF_CHANGED), may be NULL
 *
 * Return: the state.
 */
enum pfn_proof_state pfn_proof_observe(const struct pfn_proof *p, const struct pfn_proof_dma *d,
				       size_t *first_diff);

/**
 * pfn_proof_control() - a positive control: canary, DMA to @dst_iova, which
 * must complete without error and land byte for byte
 * @p: with a target that is what @dst_iova maps
 * @dst_iova: a valid mapping of the target
 * @what: what the control shows, for the message ("before the revoke")
 * @err: error detail naming what went wrong
 *
 * Return: 0; -ETIMEDOUT (engine timeout, recovered or not); -EIO (the engine
 * reported an error, or it reported success and the target did not get the
 * data: the rig is broken); another -errno.
 */
int pfn_proof_control(struct pfn_proof *p, uint64_t dst_iova, const char *what,
		      struct pfn_err *err);

/** pfn_proof_state_name() - "landed", "canary" or "changed". */
const char *pfn_proof_state_name(enum pfn_proof_state state);

/**
 * pfn_proof_state_held() - what the target holds, for a sentence: "its
 * data", "the canary, byte for byte" or "neither"
 */
const char *pfn_proof_state_held(enum pfn_proof_state state);

/**
 * pfn_proof_describe() - one line saying what @d did, e.g. "device reported
 * success" or "device reported an error: NVMe ... (status 0x0280)"
 */
void pfn_proof_describe(const struct pfn_proof_dma *d, char *buf, size_t len);

#endif /* PFN_PROOF_H */
