// SPDX-License-Identifier: GPL-2.0-only
/* Revoke under traffic: see revoke.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "revoke.h"

#define PHASE_S		0.3
#define REVOKE_AT_US	100000.0
#define RESTORE_AT_US	250000.0
#define WATCH_S		1.0

struct window {
	struct pdpdk_peer *peer;
	struct pdpdk_port *rx;
	struct pfn_proof *proof;
	volatile bool readable;
	bool revoked;
	bool restored;
	double restored_at_us;
	uint64_t drained;
	int error;
	char msg[PFN_ERR_MSG_MAX];
};

/* Frames the NIC took while the BAR was not decoding: counted, not read. */
static void drain_unread(struct window *w)
{
	struct rte_mbuf *m[PDPDK_BURST];
	unsigned int n;

	while ((n = rte_eth_rx_burst(w->rx->id, 0, m, PDPDK_BURST))) {
		w->drained += n;
		rte_pktmbuf_free_bulk(m, n);
	}
}

/* The hook between bursts: revoke, then re-enable and lay a fresh canary. */
static void step(void *arg, double elapsed_us)
{
	struct window *w = arg;
	struct pfn_err err;

	if (w->error)
		return;
	if (!w->revoked && elapsed_us >= REVOKE_AT_US) {
		w->readable = false;
		w->revoked = true;
		if (pdpdk_peer_revoke(w->peer, &err))
			goto fail;
	} else if (w->revoked && !w->restored && elapsed_us >= RESTORE_AT_US) {
		w->restored = true;
		if (pdpdk_peer_restore(w->peer, &err))
			goto fail;
		drain_unread(w);
		if (pfn_proof_write_canary(w->proof, &err))
			goto fail;
		w->readable = true;
		w->restored_at_us = pdpdk_now_us();
	}
	return;
fail:
	w->error = err.code ? err.code : EIO;
	snprintf(w->msg, sizeof(w->msg), "%s", err.msg);
}

static enum pfn_proof_state judge(const struct pfn_proof *p, size_t *first_diff)
{
	/* The NIC writes frames, never a proof pattern: seed 0 matches no
	 * canary, so the target holds the canary or has changed. */
	struct pfn_proof_dma none = { 0 };

	return pfn_proof_observe(p, &none, first_diff);
}

/* A positive control: fresh canary, traffic, frames verified and landed. */
static int control(struct pfn_proof *p, const struct pdpdk_flow *flow, unsigned int frame_size,
		   enum pfn_proof_state *state, uint64_t *ok, const char *what, struct pfn_err *err)
{
	struct pdpdk_traffic t;
	int ret;

	ret = pfn_proof_write_canary(p, err);
	if (ret)
		return ret;
	ret = pdpdk_traffic_run(flow, frame_size, PHASE_S, &t, err);
	if (ret)
		return ret;
	*state = judge(p, NULL);
	*ok = t.rx_ok;
	if (*state == PFN_PROOF_CANARY || !t.rx_ok)
		return pfn_fail(err, EIO,
				"positive control %s: %llu of %llu frames verified and the receive pool %s: the NIC does not reach the BAR",
				what, (unsigned long long)t.rx_ok, (unsigned long long)t.tx_frames,
				*state == PFN_PROOF_CANARY ? "still holds the canary" : "changed");
	return 0;
}

static void verdict(struct pdpdk_revoke *r)
{
	bool landed = r->after != PFN_PROOF_CANARY;

	if (r->kind == PDPDK_BAR_VMA && landed) {
		r->status = "finding";
		r->finding = "FIND-020";
		snprintf(r->reason, sizeof(r->reason),
			 "type1 kept the NIC's mapping of the BAR: after the revoke and re-enable %llu frames landed in it (canary overwritten at byte %zu) and the application saw no error",
			 (unsigned long long)r->after_ok, r->first_diff);
		return;
	}
	if (landed) {
		r->status = "fail";
		snprintf(r->reason, sizeof(r->reason),
			 "frames landed in the BAR after the revoke (canary overwritten at byte %zu, %llu frames verified)",
			 r->first_diff, (unsigned long long)r->after_ok);
		return;
	}
	if (r->kind == PDPDK_BAR_DMABUF && (!r->detected || r->detect_ms > PDPDK_DETECT_BOUND_MS)) {
		r->status = "fail";
		snprintf(r->reason, sizeof(r->reason),
			 "nothing landed, but the application %s",
			 r->detected ? "took longer than the bound to see it" : "never saw the failure");
		return;
	}
	r->status = "pass";
	snprintf(r->reason, sizeof(r->reason),
		 "nothing landed after the revoke (the canary held); the application stopped after %llu bad frames in %.1f ms and recovered in %.1f ms; %llu frames verified after",
		 (unsigned long long)r->bad_after, r->detect_ms, r->recover_ms,
		 (unsigned long long)r->recovered_ok);
}

int pdpdk_revoke_run(struct pdpdk_revoke *r, struct pdpdk_port *tx, struct pdpdk_port *rx,
		     struct rte_mempool *tx_pool, struct pdpdk_pool *bar_pool,
		     struct pdpdk_peer *peer, unsigned int frame_size, struct pfn_err *err)
{
	struct window w = { .peer = peer, .rx = rx, .readable = true };
	struct pdpdk_flow flow = { .tx = tx, .rx = rx, .tx_pool = tx_pool };
	struct pdpdk_traffic t;
	struct pfn_proof proof;
	double t0, stopped_us;
	int ret;

	memset(r, 0, sizeof(*r));
	r->kind = bar_pool->kind;
	r->status = "fail";
	r->finding = "";
	memset(&proof, 0, sizeof(proof));
	proof.len = bar_pool->len;
	pfn_proof_set_target(&proof, bar_pool->va);
	w.proof = &proof;

	ret = control(&proof, &flow, frame_size, &r->before, &r->before_ok, "before the revoke", err);
	if (ret)
		goto failed;

	flow.bar_readable = &w.readable;
	flow.stop_after_bad = PDPDK_BAD_IN_A_ROW;
	ret = pdpdk_traffic_run_hooked(&flow, frame_size, WATCH_S, step, &w, &t, err);
	stopped_us = pdpdk_now_us();
	if (w.error) {
		ret = pfn_fail(err, w.error, "revoking the peer under traffic: %s", w.msg);
		pdpdk_peer_restore(peer, NULL);
		goto failed;
	}
	if (ret)
		goto failed;
	if (!w.restored) {
		ret = pfn_fail(err, EIO, "the revoke did not happen within %.1f s of traffic", WATCH_S);
		goto failed;
	}
	r->after = judge(&proof, &r->first_diff);
	r->after_ok = t.rx_ok;
	r->unread = t.unread + w.drained;
	for (int v = PDPDK_FRAME_FOREIGN; v <= PDPDK_FRAME_BAD_DATA; v++)
		r->bad_after += t.bad[v];
	r->detected = t.seconds < WATCH_S - 0.01 && r->bad_after >= PDPDK_BAD_IN_A_ROW;
	r->detect_ms = r->detected ? (stopped_us - w.restored_at_us) / 1e3 : 0;

	/* Recovery: the dma-buf path maps its (re-enabled) dma-buf again. */
	t0 = pdpdk_now_us();
	ret = pdpdk_pool_remap(bar_pool, rx, err);
	r->recover_ms = bar_pool->kind == PDPDK_BAR_DMABUF ? (pdpdk_now_us() - t0) / 1e3 : 0;
	if (ret)
		goto failed;
	flow.bar_readable = NULL;
	flow.stop_after_bad = 0;
	ret = control(&proof, &flow, frame_size, &r->after_recovery, &r->recovered_ok,
		      "after the recovery", err);
	if (ret)
		goto failed;
	verdict(r);
	return 0;
failed:
	r->status = "fail";
	snprintf(r->reason, sizeof(r->reason), "%s", err->msg);
	return ret;
}
