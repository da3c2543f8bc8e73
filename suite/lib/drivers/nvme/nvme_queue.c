// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NVMe driver's registers and queues: enable and disable with bounded
 * waits, submission, and completions matched by queue and command ID.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nvme_drv.h"

_Static_assert(NVME_ADMIN_DEPTH * PFN_NVME_SQE_SIZE <= 0x1000, "admin SQ fits a page");
_Static_assert(NVME_IO_DEPTH * PFN_NVME_SQE_SIZE <= 0x1000, "I/O SQ fits a page");

uint32_t pfn_nvme_rd32(struct nvme_state *s, uint64_t off)
{
	return pfn_mmio_rd32(s->bar.regs, off);
}

void pfn_nvme_wr32(struct nvme_state *s, uint64_t off, uint32_t v)
{
	pfn_mmio_wr32(s->bar.regs, off, v);
}

uint64_t pfn_nvme_rd64(struct nvme_state *s, uint64_t off)
{
	uint64_t lo = pfn_nvme_rd32(s, off);

	return lo | (uint64_t)pfn_nvme_rd32(s, off + 4) << 32;
}

static void wr64(struct nvme_state *s, uint64_t off, uint64_t v)
{
	pfn_nvme_wr32(s, off, (uint32_t)v);
	pfn_nvme_wr32(s, off + 4, (uint32_t)(v >> 32));
}

static int wait_ready(struct pfn_dma *dma, bool ready, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	uint32_t limit = s->info.cap.timeout_ms;
	int64_t deadline;
	uint32_t csts;

	if (limit < NVME_MIN_READY_MS)
		limit = NVME_MIN_READY_MS;
	deadline = pfn_drv_now_us() + (int64_t)limit * 1000;
	for (;;) {
		csts = pfn_nvme_rd32(s, PFN_NVME_REG_CSTS);
		if (csts == 0xffffffff)
			return pfn_fail(err, ENODEV,
					"NVMe %s reads all-ones from CSTS: device gone or memory disabled",
					dma->dev->bdf);
		if (ready && (csts & PFN_NVME_CSTS_CFS))
			return pfn_fail(err, EIO,
					"NVMe %s reports Controller Fatal Status while enabling (CSTS %#x)",
					dma->dev->bdf, csts);
		if (!!(csts & PFN_NVME_CSTS_RDY) == ready)
			return 0;
		if (pfn_drv_now_us() > deadline)
			return pfn_fail(err, ETIMEDOUT,
					"NVMe %s: CSTS.RDY did not become %d within CAP.TO (%u ms; CSTS %#x)",
					dma->dev->bdf, ready, limit, csts);
		usleep(1000);
	}
}

int pfn_nvme_ctrl_disable(struct pfn_dma *dma, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	uint32_t cc = pfn_nvme_rd32(s, PFN_NVME_REG_CC);

	if (cc == 0xffffffff)
		return pfn_fail(err, ENODEV, "NVMe %s reads all-ones from CC", dma->dev->bdf);
	if (cc & PFN_NVME_CC_EN)
		pfn_nvme_wr32(s, PFN_NVME_REG_CC, cc & ~PFN_NVME_CC_EN);
	s->enabled = false;
	return wait_ready(dma, false, err);
}

static void queue_init(struct nvme_state *s, struct nvme_queue *q, uint16_t qid,
		       uint16_t depth, uint32_t sq_off, uint32_t cq_off)
{
	uint16_t next_cid = q->next_cid;

	memset(q, 0, sizeof(*q));
	q->qid = qid;
	q->depth = depth;
	q->sq = (struct pfn_nvme_sqe *)(s->mem.va + sq_off);
	q->cq = (volatile struct pfn_nvme_cqe *)(s->mem.va + cq_off);
	q->sq_iova = s->mem.iova + sq_off;
	q->cq_iova = s->mem.iova + cq_off;
	q->phase = 1;
	q->next_cid = next_cid;
	q->sq_db = pfn_nvme_doorbell(qid, false, s->info.cap.dstrd);
	q->cq_db = pfn_nvme_doorbell(qid, true, s->info.cap.dstrd);
}

int pfn_nvme_ctrl_enable(struct pfn_dma *dma, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	uint16_t adepth = NVME_ADMIN_DEPTH, iodepth = NVME_IO_DEPTH;
	int ret;

	if (s->info.cap.mqes < adepth)
		adepth = (uint16_t)s->info.cap.mqes;
	if (s->info.cap.mqes < iodepth)
		iodepth = (uint16_t)s->info.cap.mqes;
	if (pfn_nvme_doorbell(NVME_IO_QID, true, s->info.cap.dstrd) + 4 > s->bar.len)
		return pfn_fail(err, ENODEV, "NVMe %s BAR0 (%#llx bytes) lacks I/O queue doorbells",
				dma->dev->bdf, (unsigned long long)s->bar.len);
	queue_init(s, &s->aq, 0, adepth, MEM_ASQ, MEM_ACQ);
	queue_init(s, &s->ioq, NVME_IO_QID, iodepth, MEM_IOSQ, MEM_IOCQ);

	pfn_nvme_wr32(s, PFN_NVME_REG_AQA, (uint32_t)(adepth - 1) << 16 | (uint32_t)(adepth - 1));
	wr64(s, PFN_NVME_REG_ASQ, s->aq.sq_iova);
	wr64(s, PFN_NVME_REG_ACQ, s->aq.cq_iova);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pfn_nvme_wr32(s, PFN_NVME_REG_CC, pfn_nvme_cc_enable());
	s->enabled = true;
	ret = wait_ready(dma, true, err);
	if (ret)
		return ret;
	/* Polled driver: mask pin-based interrupts (MSI-X is never enabled). */
	pfn_nvme_wr32(s, PFN_NVME_REG_INTMS, 0xffffffff);
	return 0;
}

int pfn_nvme_submit(struct pfn_dma *dma, struct nvme_queue *q, struct pfn_nvme_sqe *sqe,
		    uint16_t *cid, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;

	if (s->orphan && !s->recovering)
		return pfn_fail(err, EBUSY,
				"NVMe %s: command %u on queue %u ended without completing and may still DMA: recover the engine (controller reset) before sending more",
				dma->dev->bdf, s->orphan_cid, s->orphan_qid);
	if ((uint16_t)((q->sq_tail + 1) % q->depth) == q->sq_head)
		return pfn_fail(err, EBUSY, "NVMe %s queue %u is full", dma->dev->bdf, q->qid);
	*cid = q->next_cid++;
	sqe->cid = htole16(*cid);
	memcpy(&q->sq[q->sq_tail], sqe, sizeof(*sqe));
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->depth);
	/* The entry must be visible before the device sees the new tail. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pfn_nvme_wr32(s, q->sq_db, q->sq_tail);
	return 0;
}

/* Take the entry at the CQ head (its phase tag says it is new) off the queue. */
static void cq_take(struct nvme_state *s, struct nvme_queue *q, struct pfn_nvme_cqe *out)
{
	volatile struct pfn_nvme_cqe *e = &q->cq[q->cq_head];

	/* Read the rest of the entry only after its phase tag. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	out->dw0 = le32toh(e->dw0);
	out->dw1 = le32toh(e->dw1);
	out->sqhd = le16toh(e->sqhd);
	out->sqid = le16toh(e->sqid);
	out->cid = le16toh(e->cid);
	out->status = le16toh(e->status);
	if (++q->cq_head == q->depth) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	pfn_nvme_wr32(s, q->cq_db, q->cq_head);
	if (out->sqid == q->qid && out->sqhd < q->depth)
		q->sq_head = out->sqhd;
}

static int orphaned(struct nvme_state *s, struct nvme_queue *q, uint16_t cid, int ret)
{
	s->orphan = true;
	s->orphan_qid = q->qid;
	s->orphan_cid = cid;
	return ret;
}

int pfn_nvme_poll_cq(struct pfn_dma *dma, struct nvme_queue *q, uint16_t cid,
		     int64_t deadline, struct pfn_nvme_cqe *out, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	unsigned int backoff = 1;
	uint32_t csts;

	for (;;) {
		if ((le16toh(q->cq[q->cq_head].status) & 1) == q->phase) {
			cq_take(s, q, out);
			if (out->sqid != q->qid || out->cid != cid)
				continue;
			if (s->orphan && s->orphan_qid == q->qid && s->orphan_cid == cid)
				s->orphan = false;	/* it did complete, late */
			return 0;
		}
		csts = pfn_nvme_rd32(s, PFN_NVME_REG_CSTS);
		if (csts == 0xffffffff)
			return orphaned(s, q, cid, pfn_fail(err, ENODEV,
					"NVMe %s reads all-ones from CSTS while waiting for command %u: device gone or memory disabled",
					dma->dev->bdf, cid));
		if (csts & PFN_NVME_CSTS_CFS)
			return orphaned(s, q, cid, pfn_fail(err, EIO,
					"NVMe %s: Controller Fatal Status while waiting for command %u on queue %u",
					dma->dev->bdf, cid, q->qid));
		if (pfn_drv_now_us() > deadline)
			return orphaned(s, q, cid, pfn_fail(err, ETIMEDOUT,
					"NVMe %s: command %u on queue %u did not complete in time",
					dma->dev->bdf, cid, q->qid));
		pfn_drv_nap(&backoff);
	}
}

int pfn_nvme_check_status(struct pfn_dma *dma, const struct pfn_nvme_cqe *cqe,
			  const char *what, struct pfn_err *err)
{
	uint16_t sf = cqe->status >> 1;
	char desc[128];

	if (!(sf & 0x7ff))
		return 0;
	dma->last_status = (uint32_t)(PFN_NVME_SF_SCT(sf) << 8 | PFN_NVME_SF_SC(sf));
	return pfn_fail(err, EIO, "NVMe %s: %s failed: %s", dma->dev->bdf, what,
			pfn_nvme_status_format(sf, desc, sizeof(desc)));
}

int pfn_nvme_sync(struct pfn_dma *dma, struct nvme_queue *q, struct pfn_nvme_sqe *sqe,
		  int timeout_ms, const char *what, struct pfn_nvme_cqe *cqe_out,
		  struct pfn_err *err)
{
	struct pfn_nvme_cqe cqe;
	uint16_t cid;
	int ret;

	ret = pfn_nvme_submit(dma, q, sqe, &cid, err);
	if (ret)
		return ret;
	ret = pfn_nvme_poll_cq(dma, q, cid, pfn_drv_now_us() + (int64_t)timeout_ms * 1000,
			       &cqe, err);
	if (ret)
		return ret;
	if (cqe_out)
		*cqe_out = cqe;
	return pfn_nvme_check_status(dma, &cqe, what, err);
}

int pfn_nvme_identify(struct pfn_dma *dma, uint32_t cns, uint32_t nsid, const char *what,
		      struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	struct pfn_nvme_sqe sqe = {
		.opc = PFN_NVME_ADMIN_IDENTIFY,
		.nsid = htole32(nsid),
		.prp1 = htole64(s->mem.iova + MEM_IDENT),
		.cdw10 = htole32(cns),
	};

	memset(s->mem.va + MEM_IDENT, 0, 0x1000);
	return pfn_nvme_sync(dma, &s->aq, &sqe, NVME_ADMIN_TIMEOUT_MS, what, NULL, err);
}
