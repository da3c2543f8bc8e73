// SPDX-License-Identifier: GPL-2.0-only
/*
 * A userspace DMA driver for QEMU's educational device (1234:11e8) behind
 * struct pfn_dma_ops, so that DMA proofs can run without touching a disk.
 *
 * memcpy(src, dst, size <= 4096) copies src into the device's buffer and
 * the buffer to dst, by DMA through the IOMMU, in 2 KiB chunks
 * (edu_engine.c).  Each DMA takes at least 100 ms of QEMU virtual time, so a
 * 4 KiB memcpy takes about 500 ms: callers' timeouts must allow for it.  The device drops a DMA the
 * IOMMU refuses without any error, so only the target's bytes tell
 * (no PFN_DMA_CAP_REPORTS_IOMMU_FAULT).
 *
 * QEMU clamps edu DMA addresses to its dma_mask property, 28 bits by
 * default: run it as -device edu,dma_mask=0xffffffffffffffff.  Init checks
 * with a DMA through its own memory that addresses reach the IOMMU whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../driver.h"
#include "edu_engine.h"
#include "edu_hw.h"
#include "pfn/vfio.h"

#define EDU_MAX_COUNT		64
/* Longest a DMA may run before the engine is called stuck (10x its delay). */
#define EDU_STUCK_MS		(10 * EDU_DMA_DELAY_MS)

/* Driver memory: a poison page, and a page the self-test DMA lands in. */
#define EDU_MEM_POISON		0x0000
#define EDU_MEM_SELFTEST	0x1000
#define EDU_MEM_SIZE		0x2000
#define EDU_SELFTEST_BYTES	64	/* one chunk: three DMAs */

_Static_assert(EDU_MEM_SIZE <= PFN_DMA_IOVA_WINDOW, "window constant covers the driver");

struct edu_state {
	struct pfn_drv_bar bar;
	struct pfn_drv_mem mem;
	bool bus_master;
	uint32_t version;
	struct edu_engine engine;
};

static bool edu_match(const struct pfn_pci_info *info)
{
	return info->vendor == EDU_VENDOR && info->device == EDU_DEVICE;
}

/* Step the engine until the memcpy is done or @deadline (us) passes. */
static int run_until(struct pfn_dma *dma, int64_t deadline, struct pfn_err *err)
{
	struct edu_state *s = dma->priv;
	unsigned int backoff = 1;
	int ret;

	for (;;) {
		ret = edu_engine_step(&s->engine, err);
		if (ret <= 0)
			return ret;
		if (pfn_drv_now_us() > deadline)
			return pfn_fail(err, ETIMEDOUT,
					"edu %s: DMA did not complete in time (each DMA takes >= %d ms of QEMU virtual time)",
					dma->dev->bdf, EDU_DMA_DELAY_MS);
		pfn_drv_nap(&backoff);
	}
}

/* Wait (bounded) for a DMA the device may still run; after it none can land. */
static int wait_idle(struct pfn_dma *dma, struct pfn_err *err)
{
	struct edu_state *s = dma->priv;
	int64_t deadline = pfn_drv_now_us() + EDU_STUCK_MS * 1000ll;
	unsigned int backoff = 1;

	while (edu_dma_running(s->bar.regs)) {
		if (pfn_drv_now_us() > deadline)
			return pfn_fail(err, ETIMEDOUT,
					"edu %s: a DMA has run for over %d ms (command register %#llx): engine stuck",
					dma->dev->bdf, EDU_STUCK_MS,
					(unsigned long long)pfn_mmio_rd64(s->bar.regs,
									  EDU_REG_DMA_CMD));
		pfn_drv_nap(&backoff);
	}
	return 0;
}

/* DMA the poison page through the device into the self-test page. */
static int self_test(struct pfn_dma *dma, struct pfn_err *err)
{
	struct edu_state *s = dma->priv;
	const uint8_t *poison = s->mem.va + EDU_MEM_POISON;
	uint8_t *landing = s->mem.va + EDU_MEM_SELFTEST;
	int ret;

	memset(landing, 0, EDU_SELFTEST_BYTES);
	ret = edu_engine_start(&s->engine, s->mem.iova + EDU_MEM_POISON,
			       s->mem.iova + EDU_MEM_SELFTEST, EDU_SELFTEST_BYTES, 1, err);
	if (!ret)
		ret = run_until(dma, pfn_drv_now_us() + 3 * EDU_STUCK_MS * 1000ll, err);
	if (ret)
		return ret;
	if (memcmp(landing, poison, EDU_SELFTEST_BYTES))
		return pfn_fail(err, EIO,
				"edu %s: a DMA from IOVA %#llx to %#llx through the device did not land; is QEMU's dma_mask wide enough (-device edu,dma_mask=0xffffffffffffffff)?",
				dma->dev->bdf, (unsigned long long)(s->mem.iova + EDU_MEM_POISON),
				(unsigned long long)(s->mem.iova + EDU_MEM_SELFTEST));
	return 0;
}

static void edu_fini(struct pfn_dma *dma);

static int edu_init(struct pfn_dma *dma, struct pfn_err *err)
{
	struct edu_state *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return pfn_fail(err, ENOMEM, "edu driver state");
	dma->priv = s;
	ret = pfn_drv_bar_map(dma, 0, EDU_REGS_END, &s->bar, err);
	if (!ret)
		ret = pfn_vfio_set_memory_enable(dma->dev, true, err);
	if (!ret)
		ret = edu_probe(s->bar.regs, &s->version, err);
	if (!ret)
		ret = wait_idle(dma, err);	/* a DMA an earlier user left running */
	if (!ret)
		ret = pfn_drv_mem_map(dma, 0, EDU_MEM_SIZE, &s->mem, err);
	if (!ret)
		ret = pfn_vfio_set_bus_master(dma->dev, true, err);
	if (ret)
		goto fail;
	s->bus_master = true;
	/* A recognisable poison: "pfn-edu!" over and over. */
	for (unsigned int i = 0; i < EDU_BUF_SIZE; i++)
		s->mem.va[EDU_MEM_POISON + i] = (uint8_t)"pfn-edu!"[i % 8];
	s->engine = (struct edu_engine){ .regs = s->bar.regs,
					 .poison_iova = s->mem.iova + EDU_MEM_POISON };
	ret = self_test(dma, err);
	if (ret)
		goto fail;
	dma->max_memcpy_size = EDU_BUF_SIZE;
	dma->max_memcpy_count = EDU_MAX_COUNT;
	snprintf(dma->desc, sizeof(dma->desc),
		 "edu: QEMU educational device v%u.%u, memcpy up to %llu bytes in %llu-byte DMAs of >= %d ms each; IOMMU-refused DMA is dropped silently",
		 s->version >> 24, (s->version >> 16) & 0xff, EDU_BUF_SIZE, EDU_CHUNK,
		 EDU_DMA_DELAY_MS);
	return 0;
fail:
	edu_fini(dma);
	return ret;
}

static void edu_fini(struct pfn_dma *dma)
{
	struct edu_state *s = dma->priv;

	if (!s)
		return;
	/* No DMA may reach driver memory once it is unmapped. */
	if (s->bar.regs)
		wait_idle(dma, NULL);
	if (s->bus_master)
		pfn_vfio_set_bus_master(dma->dev, false, NULL);
	pfn_drv_mem_unmap(dma, &s->mem);
	pfn_drv_bar_unmap(&s->bar);
	free(s);
	dma->priv = NULL;
}

static int edu_memcpy_start(struct pfn_dma *dma, uint64_t src, uint64_t dst, uint64_t size,
			    uint64_t count, struct pfn_err *err)
{
	struct edu_state *s = dma->priv;

	return edu_engine_start(&s->engine, src, dst, size, count, err);
}

static int edu_memcpy_wait(struct pfn_dma *dma, int timeout_ms, struct pfn_err *err)
{
	return run_until(dma, pfn_drv_now_us() + (int64_t)timeout_ms * 1000, err);
}

/* A running edu DMA cannot be cancelled: wait it out, then check the device. */
static int edu_recover(struct pfn_dma *dma, struct pfn_err *err)
{
	struct edu_state *s = dma->priv;
	int ret;

	ret = wait_idle(dma, err);
	if (ret)
		return ret;
	s->engine.stage = EDU_IDLE;
	return edu_probe(s->bar.regs, &s->version, err);
}

const struct pfn_dma_ops pfn_dma_edu_ops = {
	.name = "edu",
	.match = edu_match,
	.init = edu_init,
	.fini = edu_fini,
	.memcpy_start = edu_memcpy_start,
	.memcpy_wait = edu_memcpy_wait,
	.caps = PFN_DMA_CAP_RECOVER,
	.recover = edu_recover,
};
