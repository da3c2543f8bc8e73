/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Revoke under traffic: frames are received into the peer BAR, the peer's
 * memory decoding is turned off and on again, and the DMA-proof primitive
 * (pfn/proof.h) judges a canary over the whole receive pool: must the NIC
 * still reach the BAR?  Bracketed by positive controls: frames land before
 * the revoke, and again after the application recovered.
 */
#ifndef PFNDPDK_REVOKE_H
#define PFNDPDK_REVOKE_H

#include "dpdk.h"
#include "pfn/proof.h"

/* Bad frames in a row after which the application calls the queue broken. */
#define PDPDK_BAD_IN_A_ROW	16
/* The bound on detecting a revoke (from re-enable to the stop). */
#define PDPDK_DETECT_BOUND_MS	2000.0

/**
 * struct pdpdk_revoke - what one revoke experiment showed
 * @kind: the case whose pool was revoked (bar_vma or bar_dmabuf)
 * @status: "pass", "fail" or "finding"
 * @finding: the SPEC finding ID for "finding", else ""
 * @reason: one line
 * @before: the canary after traffic before the revoke (must be overwritten)
 * @after: after the revoke and re-enable (dma-buf: must hold)
 * @after_recovery: after the application recovered (must be overwritten)
 * @before_ok, @after_ok, @recovered_ok: verified frames of each phase
 * @unread: frames received while the BAR was not decoding (not read)
 * @bad_after: bad frames after the re-enable
 * @detected: the application stopped on bad frames
 * @detect_ms: from the re-enable to that stop
 * @recover_ms: the remap (dma-buf path; 0 on the VMA path, which has none)
 * @first_diff: where the canary was first overwritten after the re-enable
 */
struct pdpdk_revoke {
	enum pdpdk_case kind;
	const char *status;
	const char *finding;
	char reason[PDPDK_REASON_MAX];
	enum pfn_proof_state before;
	enum pfn_proof_state after;
	enum pfn_proof_state after_recovery;
	uint64_t before_ok;
	uint64_t after_ok;
	uint64_t recovered_ok;
	uint64_t unread;
	uint64_t bad_after;
	bool detected;
	double detect_ms;
	double recover_ms;
	size_t first_diff;
};

/**
 * pdpdk_revoke_run() - the experiment, with the ports running on @bar_pool
 * @r: the outcome (also on failure to run)
 * @tx: sending port
 * @rx: receiving port, its RX queue on @bar_pool
 * @tx_pool: a host-memory pool the frames are built in (never the BAR)
 * @bar_pool: the revoked pool
 * @peer: the BAR's device
 * @frame_size: frames to send
 * @err: why it could not run
 *
 * Return: 0 when it ran (the verdict is in @r), or a negative errno.
 */
int pdpdk_revoke_run(struct pdpdk_revoke *r, struct pdpdk_port *tx, struct pdpdk_port *rx,
		     struct rte_mempool *tx_pool, struct pdpdk_pool *bar_pool,
		     struct pdpdk_peer *peer, unsigned int frame_size, struct pfn_err *err);

#endif /* PFNDPDK_REVOKE_H */
