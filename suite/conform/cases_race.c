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

#define SEED_RACE	0x7ace0000u
#define SEED_AFTER	0xaf7e0000u

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

static void race_revoke_map_dma(const struct conform_ctx *ctx, struct conform_result *res)
{
	unsigned int it, stale = 0, landed_in_race = 0, map_refused = 0;
	double t0 = now(), next_progress = t0 + 5;
	struct dma_rig rig;
	struct pfn_err err;

	if (!rig_open(&rig, ctx, PFN_MODE_IOMMUFD, res))
		return;
	for (it = 0; it < ctx->stress_iterations && now() - t0 < ctx->stress_seconds; it++) {
		struct revoker rv = { &rig, (it * 29u) % 400u, 0 };
		pthread_t th;

		rig_cpu_fill(&rig, SEED_RACE ^ 0xffffu);
		if (pthread_create(&th, NULL, revoke_thread, &rv)) {
			conform_fail(res, "pthread_create failed");
			break;
		}
		rig_unmap_bar(&rig, NULL);
		if (rig_map_bar(&rig, ctx, NULL))
			map_refused++;
		rig_dma_pattern(&rig, SEED_RACE + it, NULL);
		pthread_join(th, NULL);
		if (rv.ret) {
			conform_fail(res, "clearing PCI memory enable failed: %s",
				     strerrorname_np(-rv.ret));
			break;
		}
		if (pfn_vfio_set_memory_enable(&rig.target, true, &err)) {
			conform_fail(res, "%s", err.msg);
			break;
		}
		landed_in_race += rig_bar_holds(&rig, SEED_RACE + it);
		/* Whatever mapping the race left is stale now. */
		rig_dma_pattern(&rig, SEED_AFTER + it, NULL);
		if (rig_bar_holds(&rig, SEED_AFTER + it))
			stale++;
		if (now() >= next_progress) {
			printf("# RACE-001: %u iterations, %u stale landings so far\n", it + 1, stale);
			fflush(stdout);
			next_progress += 5;
		}
	}
	conform_note(res, "%u iterations in %.1f s: %u stale landings, %u maps refused (revoked first), %u DMAs landed before the revoke",
		     it, now() - t0, stale, map_refused, landed_in_race);
	if (stale)
		conform_fail(res, "%u of %u iterations: a DMA after the revoke landed through a mapping that raced it",
			     stale, it);
	else if (it == 0)
		conform_fail(res, "no iteration ran");
	rig_close(&rig);
}

const struct conform_case conform_race_cases[] = {
	{ "RACE-001", "revoke_vs_map_and_dma", "RACE-1", CONFORM_NEEDS_DMA, race_revoke_map_dma },
};

const unsigned int conform_race_count = sizeof(conform_race_cases) / sizeof(conform_race_cases[0]);
