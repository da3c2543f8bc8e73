// SPDX-License-Identifier: GPL-2.0-only
/*
 * LIFE: closing the dma-buf fd, the device fd and the iommufd in every
 * order while the dma-buf is mapped, and destroying the IOAS: nothing leaks
 * (live dma-bufs return to their count), nothing splats, nothing hangs.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "conform.h"
#include "kstate.h"


enum handle { H_DMABUF, H_DEVICE, H_IOMMUFD };

/* Sixteen pages of the BAR, or the whole BAR when it is smaller. */
static uint64_t life_len(const struct conform_ctx *ctx)
{
	uint64_t len = ctx->page * 16;

	return ctx->target_bar_size < len ? ctx->target_bar_size : len;
}

struct mapped {
	struct conform_fixture fx;
	int dmabuf;
};

static bool open_mapped(const struct conform_ctx *ctx, struct mapped *m,
			struct conform_result *res)
{
	uint64_t iova;
	struct pfn_err err;

	if (!conform_fixture_open(ctx, &m->fx, res))
		return false;
	iova = m->fx.iova_a;
	m->dmabuf = conform_export(ctx, &m->fx, 0, life_len(ctx), res);
	if (m->dmabuf < 0) {
		conform_fixture_close(&m->fx);
		return false;
	}
	if (pfn_ioas_map_file(m->fx.iommu.fd, m->fx.iommu.ioas_id, m->dmabuf, 0, life_len(ctx),
			      &iova, PFN_MAP_RW, &err)) {
		conform_fail(res, "%s", err.msg);
		close(m->dmabuf);
		conform_fixture_close(&m->fx);
		return false;
	}
	return true;
}

static void close_handle(struct mapped *m, enum handle h)
{
	switch (h) {
	case H_DMABUF:
		close(m->dmabuf);
		m->dmabuf = -1;
		break;
	case H_DEVICE:
		pfn_vfio_close(&m->fx.target);
		break;
	case H_IOMMUFD:
		pfn_iommu_close(&m->fx.iommu);
		break;
	}
}

static void judge(struct conform_result *res, const struct kstate *before)
{
	struct kstate after;
	char why[256];
	int ret;

	kstate_take(&after);
	ret = kstate_check(before, &after, why, sizeof(why));
	if (ret < 0)
		conform_skip(res, "no leak check possible: %s", why);
	else if (ret == 0)
		conform_fail(res, "%s", why);
	else
		conform_note(res, "dma-bufs alive: %ld before, %ld after", before->dmabufs,
			     after.dmabufs);
	if (before->kmemleak >= 0 && after.kmemleak >= 0)
		conform_note(res, "kmemleak suspects: %ld before, %ld after (delta %+ld; leaks older than kmemleak's 5 s age show in the kmemleak stage)",
			     before->kmemleak, after.kmemleak, after.kmemleak - before->kmemleak);
}

static void close_in_order(const struct conform_ctx *ctx, struct conform_result *res,
			   enum handle a, enum handle b, enum handle c)
{
	struct kstate before;
	struct mapped m;

	kstate_take(&before);
	if (!open_mapped(ctx, &m, res))
		return;
	close_handle(&m, a);
	close_handle(&m, b);
	close_handle(&m, c);
	judge(res, &before);
}

#define ORDER(fn, a, b, c)							\
	static void fn(const struct conform_ctx *ctx, struct conform_result *res) \
	{									\
		close_in_order(ctx, res, a, b, c);				\
	}

ORDER(life_dmabuf_device_iommufd, H_DMABUF, H_DEVICE, H_IOMMUFD)
ORDER(life_dmabuf_iommufd_device, H_DMABUF, H_IOMMUFD, H_DEVICE)
ORDER(life_device_dmabuf_iommufd, H_DEVICE, H_DMABUF, H_IOMMUFD)
ORDER(life_device_iommufd_dmabuf, H_DEVICE, H_IOMMUFD, H_DMABUF)
ORDER(life_iommufd_dmabuf_device, H_IOMMUFD, H_DMABUF, H_DEVICE)
ORDER(life_iommufd_device_dmabuf, H_IOMMUFD, H_DEVICE, H_DMABUF)

/* The IOAS cannot go while a device is attached; with mappings alone it can. */
static void life_destroy_ioas(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct kstate before;
	struct mapped m;
	int ret;

	kstate_take(&before);
	if (!open_mapped(ctx, &m, res))
		return;
	ret = pfn_iommufd_destroy(m.fx.iommu.fd, m.fx.iommu.ioas_id, NULL);
	conform_expect_errno(res, "IOMMU_DESTROY of an IOAS with a device attached", ret, EBUSY);
	pfn_vfio_close(&m.fx.target);
	ret = pfn_iommufd_destroy(m.fx.iommu.fd, m.fx.iommu.ioas_id, NULL);
	conform_expect_errno(res, "IOMMU_DESTROY of an IOAS holding only a mapping", ret, 0);
	close(m.dmabuf);
	pfn_iommu_close(&m.fx.iommu);
	judge(res, &before);
}

/* Many export/map/unmap/close cycles: the count of live dma-bufs returns. */
static void life_repeated_cycles(const struct conform_ctx *ctx, struct conform_result *res)
{
	unsigned int cycles = ctx->stress_iterations;
	struct kstate before;
	struct mapped m;

	kstate_take(&before);
	for (unsigned int i = 0; i < cycles; i++) {
		if (!open_mapped(ctx, &m, res))
			return;
		if (pfn_ioas_unmap(m.fx.iommu.fd, m.fx.iommu.ioas_id, m.fx.iova_a, life_len(ctx), NULL,
				   NULL)) {
			conform_fail(res, "unmap failed in cycle %u", i);
			i = cycles;
		}
		close(m.dmabuf);
		conform_fixture_close(&m.fx);
	}
	conform_note(res, "%u cycles", cycles);
	judge(res, &before);
}

const struct conform_case conform_life_cases[] = {
	{ "LIFE-001", "close_dmabuf_device_iommufd", "LIFE-1", 0, life_dmabuf_device_iommufd, 0 },
	{ "LIFE-002", "close_dmabuf_iommufd_device", "LIFE-1", 0, life_dmabuf_iommufd_device, 0 },
	{ "LIFE-003", "close_device_dmabuf_iommufd", "LIFE-1", 0, life_device_dmabuf_iommufd, 0 },
	{ "LIFE-004", "close_device_iommufd_dmabuf", "LIFE-1", 0, life_device_iommufd_dmabuf, 0 },
	{ "LIFE-005", "close_iommufd_dmabuf_device", "LIFE-1", 0, life_iommufd_dmabuf_device, 0 },
	{ "LIFE-006", "close_iommufd_device_dmabuf", "LIFE-1", 0, life_iommufd_device_dmabuf, 0 },
	{ "LIFE-007", "destroy_ioas", "LIFE-2", 0, life_destroy_ioas, 0 },
	{ "LIFE-008", "repeated_cycles", "LIFE-3", 0, life_repeated_cycles, 0 },
};

const unsigned int conform_life_count = sizeof(conform_life_cases) / sizeof(conform_life_cases[0]);
