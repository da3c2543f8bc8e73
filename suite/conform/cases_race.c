// SPDX-License-Identifier: GPL-2.0-only
/*
 * RACE: revoke (PCI memory disable) racing unmap, map and in-flight DMA.
 * Each iteration: a thread revokes at a varying moment while the main
 * thread unmaps, maps the dma-buf again and starts a DMA; after the race,
 * memory is enabled again and a DMA through the same IOVA must not land,
 * since whatever mapping survived the race is stale.  Stale landings are
 * counted; iterations and seconds are bounded; progress is printed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dma_rig.h"

struct revoker {
	struct dma_rig *rig;
	unsigned int delay_us;
	int ret;
};

static void *revoke_thread(void *arg)
{
	struct revoker *r = arg;

	if (r->delay_us)
		usleep(r->delay_us);
	r->ret = pfn_vfio_set_memory_enable(&r->rig->target, false, NULL);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Counts of one run of the race. */
struct race_counts {
	unsigned int iterations;
	unsigned int stale;		/* a DMA after the race landed: the failure */
	unsigned int landed_in_race;	/* the racing DMA landed before the revoke: fine */
	unsigned int map_refused;	/* MAP_FILE saw the revoke first (ENODEV) */
	unsigned int dma_errors;	/* the engine reported an error (IOMMU refusal) */
};

/*
 * A DMA of iteration @it, @when ("during" or "after") the race: a timeout
 * or a BAR changed to anything but the DMA's data fails the case; else
 * *@st says whether it landed.
 */
static bool judge(struct dma_rig *rig, const struct pfn_proof_dma *d, unsigned int it,
		  const char *when, struct race_counts *n, struct conform_result *res,
		  enum pfn_proof_state *st)
{
	if (d->status == -ETIMEDOUT)
		return conform_fail_as(res, CONFORM_REASON_ENGINE_TIMEOUT,
				       "iteration %u: the DMA %s the race timed out: %s", it, when,
				       d->msg);
	n->dma_errors += d->status != 0;
	*st = pfn_proof_observe(&rig->proof, d, NULL);
	if (*st == PFN_PROOF_CHANGED)
		return conform_fail_as(res, CONFORM_REASON_CHANGED,
				       "iteration %u: the BAR changed %s the race, not to the DMA's data",
				       it, when);
	return true;
}

/*
 * One iteration: a thread revokes while this one unmaps, maps again and
 * DMAs; then memory is enabled again and a DMA through whatever mapping the
 * race left (stale by now) must not land.  Returns false with @res failed.
 */
static bool race_once(struct dma_rig *rig, const struct conform_ctx *ctx, unsigned int it,
		      struct race_counts *n, struct conform_result *res)
{
	struct revoker rv = { rig, (it * 29u) % 400u, 0 };
	struct pfn_proof_dma racing, after;
	enum pfn_proof_state st;
	struct pfn_err err;
	long long unmapped;
	pthread_t th;
	int ret;

	if (!rig_canary(rig, res))
		return false;
	if (pthread_create(&th, NULL, revoke_thread, &rv))
		return conform_fail_as(res, CONFORM_REASON_SETUP, "pthread_create failed");
	unmapped = rig_unmap_bar(rig, &err);
	ret = rig_map_bar(rig, ctx, &err);
	if (ret == -ENODEV)
		n->map_refused++;
	pfn_proof_dma(&rig->proof, rig->bar_iova, &racing);
	pthread_join(th, NULL);
	if (unmapped < 0)
		return conform_fail(res, "iteration %u: unmapping the dma-buf failed: %s", it, err.msg);
	if (ret && ret != -ENODEV)
		return conform_fail(res, "iteration %u: MAP_FILE failed with %s, expected success or ENODEV (revoked first)",
				    it, strerrorname_np(-ret));
	if (rv.ret)
		return conform_fail_as(res, CONFORM_REASON_SETUP,
				       "clearing PCI memory enable failed: %s", strerrorname_np(-rv.ret));
	if (pfn_vfio_set_memory_enable(&rig->target, true, &err))
		return conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
	if (!judge(rig, &racing, it, "during", n, res, &st))
		return false;
	n->landed_in_race += st == PFN_PROOF_LANDED;

	/* Whatever mapping the race left is stale now. */
	if (!rig_canary(rig, res))
		return false;
	pfn_proof_dma(&rig->proof, rig->bar_iova, &after);
	if (!judge(rig, &after, it, "after", n, res, &st))
		return false;
	n->stale += st == PFN_PROOF_LANDED;
	return true;
}

static void race_revoke_map_dma(const struct conform_ctx *ctx, struct conform_result *res)
{
	double t0 = now(), next_progress = t0 + 5;
	struct race_counts n = { 0 };
	struct dma_rig rig;
	bool ok = true;

	if (!rig_open(&rig, ctx, PFN_MODE_IOMMUFD, res))
		return;
	if (!rig_control(&rig, "before the race", res))
		goto out;
	for (n.iterations = 0; n.iterations < ctx->stress_iterations &&
	     now() - t0 < ctx->stress_seconds; n.iterations++) {
		ok = race_once(&rig, ctx, n.iterations, &n, res);
		if (!ok)
			break;
		if (now() >= next_progress) {
			printf("# RACE-001: %u iterations, %u stale landings so far\n",
			       n.iterations + 1, n.stale);
			fflush(stdout);
			next_progress += 5;
		}
	}
	conform_note(res, "%u iterations in %.1f s: %u stale landings, %u maps refused (revoked first), %u DMAs landed before the revoke, %u DMA errors",
		     n.iterations, now() - t0, n.stale, n.map_refused, n.landed_in_race,
		     n.dma_errors);
	if (n.stale)
		conform_fail_as(res, CONFORM_REASON_LANDED,
				"%u of %u iterations: a DMA after the revoke landed through a mapping that raced it",
				n.stale, n.iterations);
	else if (ok && n.iterations == 0)
		conform_fail(res, "no iteration ran");
	/* The engine and a fresh mapping still work, or "0 stale" means nothing. */
	rig_control_fresh(&rig, ctx, "after the race, through a fresh mapping", res);
out:
	rig_close(&rig);
}

const struct conform_case conform_race_cases[] = {
	{ "RACE-001", "revoke_vs_map_and_dma", "RACE-1", CONFORM_NEEDS_DMA | CONFORM_STRESS,
	  race_revoke_map_dma, 0 },
};

const unsigned int conform_race_count = sizeof(conform_race_cases) / sizeof(conform_race_cases[0]);
