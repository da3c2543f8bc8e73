// SPDX-License-Identifier: GPL-2.0-only
/*
 * REV and FIND: revoke proven by device DMA.  A DMA to the BAR's IOVA lands
 * before the revoke; after it, the same DMA must not land and the BAR must
 * keep what the CPU last wrote; after the revoke is undone the old mapping
 * must stay dead until userspace maps again (7.3 semantics).  On the type1
 * VMA path the same procedure shows the mapping surviving: a FINDING.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dma_rig.h"

/* A revoke trigger and, where one exists, what undoes it. */
struct trigger {
	const char *name;
	int (*revoke)(struct dma_rig *rig, struct pfn_err *err);
	int (*restore)(struct dma_rig *rig, struct pfn_err *err);
	/* DMA can be attempted between revoke and restore */
	bool window;
	/* the trigger may legitimately change the BAR's contents (none do on RAM) */
};

static int mem_off(struct dma_rig *rig, struct pfn_err *err)
{
	return pfn_vfio_set_memory_enable(&rig->target, false, err);
}

static int mem_on(struct dma_rig *rig, struct pfn_err *err)
{
	return pfn_vfio_set_memory_enable(&rig->target, true, err);
}

static int do_reset(struct dma_rig *rig, struct pfn_err *err)
{
	int ret = pfn_vfio_reset(&rig->target, err);

	/* A reset restores the command register; make sure decoding is on. */
	return ret ? ret : mem_on(rig, err);
}

static int d3_enter(struct dma_rig *rig, struct pfn_err *err)
{
	return pfn_vfio_low_power(&rig->target, true, err);
}

static int d3_exit(struct dma_rig *rig, struct pfn_err *err)
{
	return pfn_vfio_low_power(&rig->target, false, err);
}

static const struct trigger trig_memory = { "PCI memory disable", mem_off, mem_on, true };
static const struct trigger trig_reset = { "VFIO_DEVICE_RESET", do_reset, NULL, false };
static const struct trigger trig_d3 = { "low-power entry (D3)", d3_enter, d3_exit, true };

/* A trigger that fails: SKIP only when the kernel lacks it, FAIL otherwise. */
static void trigger_failed(const struct conform_ctx *ctx, struct conform_result *res,
			   const struct trigger *t, int ret, const struct pfn_err *err)
{
	if (ret == -ENOTTY || ret == -EOPNOTSUPP)
		conform_skip(res, "%s is not available on %s: %s", t->name, ctx->target_bdf,
			     err->msg);
	else
		conform_fail_as(res, CONFORM_REASON_SETUP, "%s: %s", t->name, err->msg);
}

/*
 * The common procedure, bracketed by positive controls: a DMA through the
 * mapping lands before the revoke; after it, DMA through the same mapping
 * must not land and the BAR must hold the canary byte for byte; after the
 * revoke is undone, the old mapping must stay dead; and a DMA through a
 * fresh mapping lands again, showing the engine still works.  On the type1
 * path a landing is a finding (the VMA path never learns of the revoke).
 */
static void revoke_proof(const struct conform_ctx *ctx, struct conform_result *res,
			 enum pfn_iommu_mode mode, const struct trigger *t)
{
	bool type1 = mode == PFN_MODE_TYPE1;
	struct pfn_proof_dma during, stale;
	enum pfn_proof_state st_during = PFN_PROOF_CANARY, st;
	char what[128];
	struct dma_rig rig;
	struct pfn_err err;
	uint64_t old_iova;
	int ret;

	if (!rig_open(&rig, ctx, mode, res))
		return;
	if (!rig_control(&rig, "before the revoke", res))
		goto out;
	old_iova = rig.bar_iova;
	if (!rig_canary(&rig, res))
		goto out;

	ret = t->revoke(&rig, &err);
	if (ret) {
		trigger_failed(ctx, res, t, ret, &err);
		goto out;
	}
	if (t->window) {
		pfn_proof_dma(&rig.proof, old_iova, &during);
		if (t->restore && (ret = t->restore(&rig, &err))) {
			conform_fail_as(res, CONFORM_REASON_SETUP, "undoing %s: %s", t->name, err.msg);
			goto out;
		}
		snprintf(what, sizeof(what), "a DMA during %s", t->name);
		if (type1) {
			st_during = pfn_proof_observe(&rig.proof, &during, NULL);
			conform_note(res, "%s: the BAR holds %s", what, pfn_proof_state_name(st_during));
		} else {
			st_during = rig_judge_absent(&rig, &during, what, res);
		}
		if (st_during == PFN_PROOF_CHANGED)
			goto out;
	} else if (pfn_proof_observe(&rig.proof, &(struct pfn_proof_dma){ 0 }, NULL) !=
		   PFN_PROOF_CANARY) {
		conform_fail_as(res, CONFORM_REASON_CHANGED,
				"%s changed the BAR's contents with no DMA sent: a RAM BAR keeps them",
				t->name);
		goto out;
	}

	/* The revoke is undone (or was momentary): the old mapping must stay dead. */
	if (!rig_canary(&rig, res))
		goto out;
	pfn_proof_dma(&rig.proof, old_iova, &stale);
	snprintf(what, sizeof(what), "a DMA through the old mapping after %s", t->name);
	if (type1) {
		st = pfn_proof_observe(&rig.proof, &stale, NULL);
		if (st == PFN_PROOF_LANDED || st_during == PFN_PROOF_LANDED)
			conform_finding(res, CONFORM_REASON_LANDED,
					"type1 IOMMU mapping of the BAR survived %s: a device DMA %s landed in the BAR",
					t->name, st_during == PFN_PROOF_LANDED ? "during the revoke" :
					"after it, with no remap,");
		else if (st == PFN_PROOF_CHANGED)
			conform_fail_as(res, CONFORM_REASON_CHANGED, "the BAR changed across %s", what);
		else
			conform_note(res, "the type1 mapping did not reach the BAR after %s", t->name);
	} else {
		rig_judge_absent(&rig, &stale, what, res);
	}

	/* Userspace maps again: a fresh mapping must work (the engine is alive). */
	snprintf(what, sizeof(what), "through a fresh mapping after %s", t->name);
	rig_control_fresh(&rig, ctx, what, res);
out:
	rig_close(&rig);
}

static void rev_baseline(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct dma_rig rig;

	if (!rig_open(&rig, ctx, PFN_MODE_IOMMUFD, res))
		return;
	if (rig_control(&rig, "through the dma-buf mapping", res) &&
	    rig_control_fresh(&rig, ctx, "through a second, fresh mapping", res))
		conform_note(res, "DMA driver: %s", rig.dma.desc);
	rig_close(&rig);
}

static void rev_memory_disable(const struct conform_ctx *ctx, struct conform_result *res)
{
	revoke_proof(ctx, res, PFN_MODE_IOMMUFD, &trig_memory);
}

static void rev_reset(const struct conform_ctx *ctx, struct conform_result *res)
{
	revoke_proof(ctx, res, PFN_MODE_IOMMUFD, &trig_reset);
}

static void rev_d3(const struct conform_ctx *ctx, struct conform_result *res)
{
	revoke_proof(ctx, res, PFN_MODE_IOMMUFD, &trig_d3);
}

/* While revoked, new maps of the dma-buf are refused; after, they work. */
static void rev_map_while_revoked(const struct conform_ctx *ctx, struct conform_result *res)
{
	uint64_t iova = 0;
	struct conform_fixture fx;
	struct pfn_err err;
	int fd, ret;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	fd = conform_export(ctx, &fx, 0, ctx->page, res);
	if (fd < 0)
		goto out;
	iova = fx.iova_a;
	if (pfn_vfio_set_memory_enable(&fx.target, false, &err)) {
		conform_fail(res, "%s", err.msg);
		goto out_fd;
	}
	ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, ctx->page, &iova,
				PFN_MAP_RW, NULL);
	conform_expect_errno(res, "MAP_FILE of a revoked dma-buf", ret, ENODEV);
	if (pfn_vfio_set_memory_enable(&fx.target, true, &err)) {
		conform_fail(res, "%s", err.msg);
		goto out_fd;
	}
	ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, ctx->page, &iova,
				PFN_MAP_RW, &err);
	conform_expect_errno(res, "MAP_FILE after memory is enabled again", ret, 0);
out_fd:
	close(fd);
out:
	conform_fixture_close(&fx);
}

/* A dma-buf exported while memory is disabled is born revoked. */
static void rev_export_while_disabled(const struct conform_ctx *ctx, struct conform_result *res)
{
	uint64_t iova = 0;
	struct conform_fixture fx;
	struct pfn_err err;
	int fd, ret;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	if (pfn_vfio_set_memory_enable(&fx.target, false, &err)) {
		conform_fail(res, "%s", err.msg);
		goto out;
	}
	fd = conform_export(ctx, &fx, 0, ctx->page, res);
	iova = fx.iova_a;
	if (fd >= 0) {
		ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, ctx->page, &iova,
					PFN_MAP_RW, NULL);
		conform_expect_errno(res, "MAP_FILE of a dma-buf exported while memory was disabled",
				     ret, ENODEV);
		close(fd);
	}
	pfn_vfio_set_memory_enable(&fx.target, true, NULL);
out:
	conform_fixture_close(&fx);
}

/*
 * Closing the device fd revokes for good: DMA through the old mapping stops
 * and the old dma-buf stays dead; the device, reopened, exports and maps
 * afresh and DMA lands again.
 */
static void rev_device_close(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pfn_proof_dma after;
	uint64_t iova, old_iova;
	struct dma_rig rig;
	struct pfn_err err;
	int ret;

	if (!rig_open(&rig, ctx, PFN_MODE_IOMMUFD, res))
		return;
	if (!rig_control(&rig, "before the close", res) || !rig_canary(&rig, res))
		goto out;
	old_iova = rig.bar_iova;
	munmap(rig.bar, RIG_SLICE);	/* the mmap would keep the device open */
	rig.bar = MAP_FAILED;
	pfn_proof_remap_target(&rig.proof, NULL);
	pfn_vfio_close(&rig.target);

	pfn_proof_dma(&rig.proof, old_iova, &after);
	if (pfn_iova_alloc(&rig.iovas, ctx->page, ctx->page, &iova, &err)) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
		goto out;
	}
	ret = pfn_ioas_map_file(rig.iommu.fd, rig.iommu.ioas_id, rig.dmabuf, 0, ctx->page, &iova,
				PFN_MAP_RW, NULL);
	conform_expect_errno(res, "MAP_FILE of the dma-buf after its device was closed", ret,
			     ENODEV);

	/* Reopen the device to look at the BAR, then prove a fresh mapping works. */
	if (pfn_vfio_open(&rig.target, ctx->sysfs, ctx->target_bdf, &rig.iommu, &err) ||
	    pfn_vfio_bar_mmap(&rig.target, ctx->target_bar, 0, RIG_SLICE, RIG_SLICE, 0, &rig.bar,
			      &err)) {
		rig.bar = MAP_FAILED;
		conform_fail_as(res, CONFORM_REASON_SETUP, "reopening %s: %s", ctx->target_bdf,
				err.msg);
		goto out;
	}
	/* The canary is in the BAR, not in the mapping: the same one is still expected. */
	pfn_proof_remap_target(&rig.proof, rig.bar);
	rig_judge_absent(&rig, &after, "a DMA through the old mapping after the device fd closed",
			 res);
	close(rig.dmabuf);
	rig.dmabuf = -1;
	rig.bar_mapped = false;	/* the old area is dead; leave it in the IOAS */
	if (rig_map_bar(&rig, ctx, &err))
		conform_fail_as(res, CONFORM_REASON_RIG_BROKEN,
				"exporting and mapping the reopened device's BAR: %s", err.msg);
	else
		rig_control(&rig, "through a fresh export after the reopen", res);
out:
	rig_close(&rig);
}

/* The VMA path: the rig must work there too, or its findings mean nothing. */
static void vma_baseline(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct dma_rig rig;

	if (!rig_open(&rig, ctx, PFN_MODE_TYPE1, res))
		return;
	if (rig_control(&rig, "through the type1 mapping of the BAR's mmap", res))
		rig_control_fresh(&rig, ctx, "through a second, fresh type1 mapping", res);
	rig_close(&rig);
}

static void find_type1_memory_disable(const struct conform_ctx *ctx, struct conform_result *res)
{
	revoke_proof(ctx, res, PFN_MODE_TYPE1, &trig_memory);
}

static void find_type1_reset(const struct conform_ctx *ctx, struct conform_result *res)
{
	revoke_proof(ctx, res, PFN_MODE_TYPE1, &trig_reset);
}

const struct conform_case conform_revoke_cases[] = {
	{ "REV-001", "baseline_dma_lands", "REV-1", CONFORM_NEEDS_DMA, rev_baseline, 0 },
	{ "REV-002", "memory_disable", "REV-2", CONFORM_NEEDS_DMA, rev_memory_disable, 0 },
	{ "REV-003", "device_reset", "REV-2", CONFORM_NEEDS_DMA, rev_reset, 0 },
	{ "REV-004", "low_power_d3", "REV-2", CONFORM_NEEDS_DMA, rev_d3, 0 },
	{ "REV-005", "device_close", "REV-3", CONFORM_NEEDS_DMA, rev_device_close, 0 },
	{ "REV-006", "map_while_revoked", "REV-4", 0, rev_map_while_revoked, 0 },
	{ "REV-007", "export_while_disabled", "REV-4", 0, rev_export_while_disabled, 0 },
	{ "VMA-001", "type1_baseline_dma_lands", "VMA-1", CONFORM_NEEDS_DMA, vma_baseline, 0 },
	{ "FIND-001", "type1_survives_memory_disable", "VMA-2", CONFORM_NEEDS_DMA,
	  find_type1_memory_disable, 0 },
	{ "FIND-002", "type1_survives_reset", "VMA-2", CONFORM_NEEDS_DMA, find_type1_reset, 0 },
};

const unsigned int conform_revoke_count =
	sizeof(conform_revoke_cases) / sizeof(conform_revoke_cases[0]);
