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

#define SEED_BASELINE	0x5eed0001u
#define SEED_CANARY	0xca4a4701u
#define SEED_REVOKED	0xdead0001u
#define SEED_STALE	0xdead0002u
#define SEED_REMAPPED	0x5eed0002u

/* A revoke trigger and, where one exists, what undoes it. */
struct trigger {
	const char *name;
	int (*revoke)(struct dma_rig *rig, struct pfn_err *err);
	int (*restore)(struct dma_rig *rig, struct pfn_err *err);
	/* DMA can be attempted between revoke and restore */
	bool window;
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

/* Step 1: the rig must work, or nothing after it means anything. */
static bool baseline(struct dma_rig *rig, struct conform_result *res)
{
	struct pfn_err err;
	int ret;

	ret = rig_dma_pattern(rig, SEED_BASELINE, &err);
	if (ret)
		return conform_fail(res, "baseline DMA into the BAR failed before any revoke: %s",
				    err.msg);
	if (!rig_bar_holds(rig, SEED_BASELINE))
		return conform_fail(res, "baseline DMA completed but did not land in the BAR: the proof rig does not work on this machine");
	return true;
}

/*
 * The common procedure.  Returns true when every observation matched the
 * dma-buf path's requirements; on the type1 path a survival is a finding.
 */
static void revoke_proof(const struct conform_ctx *ctx, struct conform_result *res,
			 enum pfn_iommu_mode mode, const struct trigger *t)
{
	bool type1 = mode == PFN_MODE_TYPE1;
	struct dma_rig rig;
	struct pfn_err err;
	int ret, during = 1;
	bool landed_during = false;

	if (!rig_open(&rig, ctx, mode, res))
		return;
	if (!baseline(&rig, res))
		goto out;
	rig_cpu_fill(&rig, SEED_CANARY);

	ret = t->revoke(&rig, &err);
	if (ret) {
		if (ret == -ENOTTY || ret == -EINVAL || ret == -EOPNOTSUPP)
			conform_skip(res, "%s is not available on %s: %s", t->name,
				     ctx->target_bdf, err.msg);
		else
			conform_fail(res, "%s: %s", t->name, err.msg);
		goto out;
	}
	if (t->window) {
		during = rig_dma_pattern(&rig, SEED_REVOKED, &err);
		conform_note(res, "DMA after %s: %s", t->name,
			     during ? err.msg : "device reported success");
		if (t->restore && t->restore(&rig, &err)) {
			conform_fail(res, "undoing %s: %s", t->name, err.msg);
			goto out;
		}
		landed_during = rig_bar_holds(&rig, SEED_REVOKED);
		if (!landed_during && !rig_bar_holds(&rig, SEED_CANARY)) {
			conform_fail(res, "the BAR changed across %s although no DMA landed", t->name);
			goto out;
		}
	}

	/* The revoke is undone (or was momentary): the old mapping must stay dead. */
	ret = rig_dma_pattern(&rig, SEED_STALE, &err);
	conform_note(res, "DMA through the old mapping after %s was undone: %s", t->name,
		     ret ? err.msg : "device reported success");
	if (rig_bar_holds(&rig, SEED_STALE) || landed_during) {
		if (type1)
			conform_finding(res, "type1 IOMMU mapping of the BAR survived %s: a device DMA %s landed in the BAR",
					t->name, landed_during ? "during the revoke" : "after it, with no remap,");
		else
			conform_fail(res, "a device DMA %s %s landed in the BAR",
				     landed_during ? "during" : "after", t->name);
		goto out;
	}
	if (type1) {
		/* The VMA path did not survive: report what was seen, as a pass. */
		conform_note(res, "the type1 mapping did not reach the BAR after %s", t->name);
		goto out;
	}

	/* Userspace maps again: the revoke is undone for new mappings. */
	rig_unmap_bar(&rig, NULL);
	ret = rig_map_bar(&rig, ctx, &err);
	if (ret) {
		conform_fail(res, "mapping the dma-buf again after %s was undone: %s", t->name,
			     err.msg);
		goto out;
	}
	ret = rig_dma_pattern(&rig, SEED_REMAPPED, &err);
	if (ret || !rig_bar_holds(&rig, SEED_REMAPPED))
		conform_fail(res, "after remapping, DMA did not land again (%s)",
			     ret ? err.msg : "completed, BAR unchanged");
out:
	rig_close(&rig);
}

static void rev_baseline(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct dma_rig rig;

	if (!rig_open(&rig, ctx, PFN_MODE_IOMMUFD, res))
		return;
	baseline(&rig, res);
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
	uint64_t iova = RIG_BAR_IOVA + RIG_SLICE;
	struct conform_fixture fx;
	struct pfn_err err;
	int fd, ret;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	fd = conform_export(ctx, &fx, 0, ctx->page, res);
	if (fd < 0)
		goto out;
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
	uint64_t iova = RIG_BAR_IOVA;
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

/* Closing the device fd revokes for good: DMA stops, old dma-bufs stay dead. */
static void rev_device_close(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pfn_vfio_dev again;
	uint64_t iova = RIG_BAR_IOVA + RIG_SLICE;
	struct dma_rig rig;
	struct pfn_err err;
	void *bar;
	int ret;

	if (!rig_open(&rig, ctx, PFN_MODE_IOMMUFD, res))
		return;
	if (!baseline(&rig, res))
		goto out;
	rig_cpu_fill(&rig, SEED_CANARY);
	munmap(rig.bar, RIG_SLICE);	/* the mmap would keep the device open */
	rig.bar = MAP_FAILED;
	pfn_vfio_close(&rig.target);

	ret = rig_dma_pattern(&rig, SEED_REVOKED, &err);
	conform_note(res, "DMA after the device fd closed: %s",
		     ret ? err.msg : "device reported success");
	ret = pfn_ioas_map_file(rig.iommu.fd, rig.iommu.ioas_id, rig.dmabuf, 0, ctx->page, &iova,
				PFN_MAP_RW, NULL);
	conform_expect_errno(res, "MAP_FILE of the dma-buf after its device was closed", ret,
			     ENODEV);

	/* Reopen the device to look at the BAR. */
	if (pfn_vfio_open(&again, ctx->sysfs, ctx->target_bdf, &rig.iommu, &err)) {
		conform_fail(res, "reopening %s: %s", ctx->target_bdf, err.msg);
		goto out;
	}
	if (pfn_vfio_bar_mmap(&again, ctx->target_bar, 0, RIG_SLICE, RIG_SLICE, 0, &bar, &err)) {
		conform_fail(res, "%s", err.msg);
	} else {
		rig.bar = bar;
		if (rig_bar_holds(&rig, SEED_REVOKED))
			conform_fail(res, "a DMA after the device was closed landed in the BAR");
		else if (!rig_bar_holds(&rig, SEED_CANARY))
			conform_fail(res, "the BAR changed after close although no DMA landed");
	}
	pfn_vfio_close(&again);
out:
	rig_close(&rig);
}

/* The VMA path: the rig must work there too, or its findings mean nothing. */
static void vma_baseline(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct dma_rig rig;

	if (!rig_open(&rig, ctx, PFN_MODE_TYPE1, res))
		return;
	baseline(&rig, res);
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
	{ "REV-001", "baseline_dma_lands", "REV-1", CONFORM_NEEDS_DMA, rev_baseline },
	{ "REV-002", "memory_disable", "REV-2", CONFORM_NEEDS_DMA, rev_memory_disable },
	{ "REV-003", "device_reset", "REV-2", CONFORM_NEEDS_DMA, rev_reset },
	{ "REV-004", "low_power_d3", "REV-2", CONFORM_NEEDS_DMA, rev_d3 },
	{ "REV-005", "device_close", "REV-3", CONFORM_NEEDS_DMA, rev_device_close },
	{ "REV-006", "map_while_revoked", "REV-4", 0, rev_map_while_revoked },
	{ "REV-007", "export_while_disabled", "REV-4", 0, rev_export_while_disabled },
	{ "VMA-001", "type1_baseline_dma_lands", "VMA-1", CONFORM_NEEDS_DMA, vma_baseline },
	{ "FIND-001", "type1_survives_memory_disable", "VMA-2", CONFORM_NEEDS_DMA,
	  find_type1_memory_disable },
	{ "FIND-002", "type1_survives_reset", "VMA-2", CONFORM_NEEDS_DMA, find_type1_reset },
};

const unsigned int conform_revoke_count =
	sizeof(conform_revoke_cases) / sizeof(conform_revoke_cases[0]);
