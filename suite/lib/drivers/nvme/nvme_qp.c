// SPDX-License-Identifier: GPL-2.0-only
/*
 * Extra I/O queue pairs of the NVMe driver, one per thread of a workload
 * (the fio engine): each pair owns its SQ, CQ and one PRP list page per
 * slot in its own piece of the driver's IOVA window, command IDs are slot
 * numbers, submissions are batched behind one doorbell write, and
 * completions are reaped without waiting.  The caller bounds its waits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme_drv.h"

/**
 * struct pfn_nvme_qp - an extra I/O queue pair
 * @dma: its instance; NULL once the instance was closed
 * @q: the queues (command IDs are slot numbers)
 * @mem: SQ, CQ and PRP list pages
 * @index: slot in struct nvme_state.qps (qid - 2)
 * @dead: the controller was reset or disabled: the queues are gone
 * @cq_made: the CQ exists on the controller
 * @sq_made: the SQ exists on the controller
 * @list_off: offset in @mem of slot 0's PRP list page
 * @tags: per slot, the caller's tag
 * @free: stack of free slots
 * @nfree: entries on @free
 * @pending: submitted since the last doorbell
 */
struct pfn_nvme_qp {
	struct pfn_dma *dma;
	struct nvme_queue q;
	struct pfn_drv_mem mem;
	unsigned int index;
	bool dead;
	bool cq_made;
	bool sq_made;
	uint64_t list_off;
	uint64_t *tags;
	uint16_t *free;
	uint32_t nfree;
	uint32_t pending;
};

static uint64_t page_up(uint64_t v)
{
	return (v + PFN_NVME_PAGE - 1) & ~(uint64_t)(PFN_NVME_PAGE - 1);
}

static int qp_admin(struct pfn_nvme_qp *qp, uint8_t opc, uint64_t prp1, uint32_t cdw11,
		    const char *what, int timeout_ms, struct pfn_err *err)
{
	struct nvme_state *s = qp->dma->priv;
	struct pfn_nvme_sqe sqe = {
		.opc = opc,
		.prp1 = htole64(prp1),
		.cdw10 = htole32((uint32_t)(qp->q.depth - 1) << 16 | qp->q.qid),
		.cdw11 = htole32(cdw11),
	};

	return pfn_nvme_sync(qp->dma, &s->aq, &sqe, timeout_ms, what, NULL, err);
}

int pfn_nvme_qp_create(struct pfn_dma *dma, uint32_t depth, struct pfn_nvme_qp **out,
		       struct pfn_err *err)
{
	struct nvme_state *s = dma && dma->ops == &pfn_dma_nvme_ops ? dma->priv : NULL;
	uint64_t sq_bytes, cq_bytes, size;
	struct pfn_nvme_qp *qp;
	unsigned int i;
	int ret;

	*out = NULL;
	if (!s)
		return pfn_fail(err, EINVAL, "not an open NVMe DMA driver");
	if (depth < 2 || depth > PFN_NVME_QP_MAX_DEPTH || depth > s->info.cap.mqes)
		return pfn_fail(err, EINVAL,
				"NVMe %s: queue depth %u is out of range: 2 to %u (the controller's CAP.MQES is %u, the driver's limit %u)",
				dma->dev->bdf, depth,
				s->info.cap.mqes < PFN_NVME_QP_MAX_DEPTH ? s->info.cap.mqes :
									   PFN_NVME_QP_MAX_DEPTH,
				s->info.cap.mqes, PFN_NVME_QP_MAX_DEPTH);
	for (i = 0; i < PFN_NVME_MAX_QPAIRS && s->qps[i]; i++)
		;
	if (i == PFN_NVME_MAX_QPAIRS || i + 2 > s->nr_ioq)
		return pfn_fail(err, ENOSPC,
				"NVMe %s: no I/O queue pair left (the controller granted %u, the driver takes up to %u extra): use fewer jobs",
				dma->dev->bdf, s->nr_ioq, PFN_NVME_MAX_QPAIRS);
	if (pfn_nvme_doorbell((uint16_t)(i + 2), true, s->info.cap.dstrd) + 4 > s->bar.len)
		return pfn_fail(err, ENODEV, "NVMe %s BAR0 (%#llx bytes) lacks the doorbells of queue %u",
				dma->dev->bdf, (unsigned long long)s->bar.len, i + 2);
	qp = calloc(1, sizeof(*qp));
	if (!qp)
		return pfn_fail(err, ENOMEM, "NVMe queue pair");
	qp->dma = dma;
	qp->index = i;
	qp->tags = calloc(depth, sizeof(*qp->tags));
	qp->free = calloc(depth, sizeof(*qp->free));
	if (!qp->tags || !qp->free) {
		pfn_nvme_qp_destroy(qp);
		return pfn_fail(err, ENOMEM, "NVMe queue pair slots");
	}
	sq_bytes = page_up((uint64_t)depth * PFN_NVME_SQE_SIZE);
	cq_bytes = page_up((uint64_t)depth * sizeof(struct pfn_nvme_cqe));
	qp->list_off = sq_bytes + cq_bytes;
	size = qp->list_off + (uint64_t)depth * PFN_NVME_PAGE;
	_Static_assert(PFN_NVME_QP_MAX_DEPTH * (PFN_NVME_SQE_SIZE + 16 + PFN_NVME_PAGE) <=
			       PFN_NVME_QP_IOVA,
		       "a queue pair fits its IOVA slot");
	ret = pfn_drv_mem_map(dma, PFN_DMA_IOVA_WINDOW + (uint64_t)i * PFN_NVME_QP_IOVA, size,
			      &qp->mem, err);
	if (ret) {
		pfn_nvme_qp_destroy(qp);
		return ret;
	}
	qp->q = (struct nvme_queue){
		.qid = (uint16_t)(i + 2),
		.depth = (uint16_t)depth,
		.sq = (struct pfn_nvme_sqe *)qp->mem.va,
		.cq = (volatile struct pfn_nvme_cqe *)(qp->mem.va + sq_bytes),
		.sq_iova = qp->mem.iova,
		.cq_iova = qp->mem.iova + sq_bytes,
		.phase = 1,
		.sq_db = pfn_nvme_doorbell((uint16_t)(i + 2), false, s->info.cap.dstrd),
		.cq_db = pfn_nvme_doorbell((uint16_t)(i + 2), true, s->info.cap.dstrd),
	};
	for (uint32_t k = 0; k < depth - 1; k++)
		qp->free[qp->nfree++] = (uint16_t)(depth - 2 - k);
	s->qps[i] = qp;
	ret = qp_admin(qp, PFN_NVME_ADMIN_CREATE_CQ, qp->q.cq_iova, 1 /* PC, no IRQ */,
		       "Create I/O Completion Queue", NVME_ADMIN_TIMEOUT_MS, err);
	if (!ret) {
		qp->cq_made = true;
		ret = qp_admin(qp, PFN_NVME_ADMIN_CREATE_SQ, qp->q.sq_iova,
			       (uint32_t)qp->q.qid << 16 | 1, "Create I/O Submission Queue",
			       NVME_ADMIN_TIMEOUT_MS, err);
	}
	if (ret) {
		pfn_nvme_qp_destroy(qp);
		return ret;
	}
	qp->sq_made = true;
	*out = qp;
	return 0;
}

void pfn_nvme_qp_destroy(struct pfn_nvme_qp *qp)
{
	struct nvme_state *s;

	if (!qp)
		return;
	if (qp->dma) {
		s = qp->dma->priv;
		if (!qp->dead && qp->sq_made)
			qp_admin(qp, PFN_NVME_ADMIN_DELETE_SQ, 0, 0, "Delete I/O Submission Queue",
				 2000, NULL);
		if (!qp->dead && qp->cq_made)
			qp_admin(qp, PFN_NVME_ADMIN_DELETE_CQ, 0, 0, "Delete I/O Completion Queue",
				 2000, NULL);
		pfn_drv_mem_unmap(qp->dma, &qp->mem);
		if (s->qps[qp->index] == qp)
			s->qps[qp->index] = NULL;
	}
	free(qp->tags);
	free(qp->free);
	free(qp);
}

void pfn_nvme_qps_lost(struct pfn_dma *dma, bool unmap)
{
	struct nvme_state *s = dma->priv;

	for (unsigned int i = 0; i < PFN_NVME_MAX_QPAIRS; i++) {
		struct pfn_nvme_qp *qp = s->qps[i];

		if (!qp)
			continue;
		qp->dead = true;
		if (!unmap)
			continue;
		pfn_drv_mem_unmap(dma, &qp->mem);
		qp->dma = NULL;
		s->qps[i] = NULL;
	}
}

uint32_t pfn_nvme_qp_slots(const struct pfn_nvme_qp *qp)
{
	return qp->q.depth - 1u;
}

uint32_t pfn_nvme_qp_inflight(const struct pfn_nvme_qp *qp)
{
	return qp->q.depth - 1u - qp->nfree;
}

int pfn_nvme_qp_submit(struct pfn_nvme_qp *qp, uint8_t opc, uint64_t byte_off, uint64_t len,
		       uint64_t iova, uint64_t tag, struct pfn_err *err)
{
	struct nvme_state *s;
	struct pfn_nvme_sqe sqe;
	uint64_t prp1, prp2, list_off;
	uint16_t slot;
	int ret;

	if (qp->dead || !qp->dma)
		return pfn_fail(err, ENODEV,
				"NVMe queue pair %u is gone (controller reset or closed)", qp->q.qid);
	s = qp->dma->priv;
	if (opc != PFN_NVME_CMD_READ && opc != PFN_NVME_CMD_WRITE)
		return pfn_fail(err, EINVAL, "NVMe queue pair takes Read or Write, not opcode %#x",
				opc);
	if (!len || len % s->info.ns.lba_size || byte_off % s->info.ns.lba_size ||
	    len > s->info.max_transfer || iova & 3)
		return pfn_fail(err, EINVAL,
				"NVMe I/O of %llu bytes at byte %llu, buffer IOVA %#llx: needs LBA (%u-byte) multiples up to %llu bytes and a 4-byte aligned buffer",
				(unsigned long long)len, (unsigned long long)byte_off,
				(unsigned long long)iova, s->info.ns.lba_size,
				(unsigned long long)s->info.max_transfer);
	if ((byte_off + len) >> s->info.ns.lba_shift > s->info.ns.nsze)
		return pfn_fail(err, EINVAL, "NVMe I/O at byte %llu + %llu is past the namespace end",
				(unsigned long long)byte_off, (unsigned long long)len);
	if (!qp->nfree)
		return pfn_fail(err, EBUSY, "NVMe queue pair %u: all %u slots in flight",
				qp->q.qid, qp->q.depth - 1u);
	slot = qp->free[qp->nfree - 1];
	list_off = qp->list_off + (uint64_t)slot * PFN_NVME_PAGE;
	ret = pfn_nvme_prp_build(iova, len, (uint64_t *)(qp->mem.va + list_off),
				 qp->mem.iova + list_off, PFN_NVME_PAGE / sizeof(uint64_t), &prp1,
				 &prp2);
	if (ret < 0)
		return pfn_fail(err, -ret, "NVMe PRP list for %llu bytes at %#llx: %s",
				(unsigned long long)len, (unsigned long long)iova, strerror(-ret));
	qp->nfree--;
	qp->tags[slot] = tag;
	pfn_nvme_sqe_rw(&sqe, opc, slot, s->info.nsid, byte_off >> s->info.ns.lba_shift,
			(uint32_t)(len >> s->info.ns.lba_shift), prp1, prp2);
	memcpy(&qp->q.sq[qp->q.sq_tail], &sqe, sizeof(sqe));
	qp->q.sq_tail = (uint16_t)((qp->q.sq_tail + 1) % qp->q.depth);
	qp->pending++;
	return 0;
}

void pfn_nvme_qp_ring(struct pfn_nvme_qp *qp)
{
	if (!qp->pending || qp->dead || !qp->dma)
		return;
	/* The entries must be visible before the device sees the new tail. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pfn_nvme_wr32(qp->dma->priv, qp->q.sq_db, qp->q.sq_tail);
	qp->pending = 0;
}

int pfn_nvme_qp_reap(struct pfn_nvme_qp *qp, struct pfn_nvme_done *out, unsigned int max,
		     struct pfn_err *err)
{
	struct nvme_queue *q = &qp->q;
	struct nvme_state *s;
	unsigned int n = 0;

	if (qp->dead || !qp->dma)
		return pfn_fail(err, ENODEV,
				"NVMe queue pair %u is gone (controller reset or closed)", q->qid);
	s = qp->dma->priv;
	while (n < max && (le16toh(q->cq[q->cq_head].status) & 1) == q->phase) {
		volatile struct pfn_nvme_cqe *e = &q->cq[q->cq_head];
		uint16_t cid, status;

		/* Read the rest of the entry only after its phase tag. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		cid = le16toh(e->cid);
		status = le16toh(e->status);
		if (++q->cq_head == q->depth) {
			q->cq_head = 0;
			q->phase ^= 1;
		}
		/* A slot not in flight: a stray entry, never a completion of ours. */
		if (cid >= q->depth - 1u || le16toh(e->sqid) != q->qid)
			continue;
		qp->free[qp->nfree++] = cid;
		out[n].tag = qp->tags[cid];
		out[n].sf = status >> 1;
		n++;
	}
	if (n)
		pfn_nvme_wr32(s, q->cq_db, q->cq_head);
	return (int)n;
}

int pfn_nvme_qp_check(struct pfn_nvme_qp *qp, struct pfn_err *err)
{
	uint32_t csts;

	if (qp->dead || !qp->dma)
		return pfn_fail(err, ENODEV,
				"NVMe queue pair %u is gone (controller reset or closed)", qp->q.qid);
	csts = pfn_nvme_rd32(qp->dma->priv, PFN_NVME_REG_CSTS);
	if (csts == 0xffffffff)
		return pfn_fail(err, ENODEV,
				"NVMe %s reads all-ones from CSTS: device gone or its memory disabled",
				qp->dma->dev->bdf);
	if (csts & PFN_NVME_CSTS_CFS)
		return pfn_fail(err, EIO, "NVMe %s: Controller Fatal Status (CSTS %#x)",
				qp->dma->dev->bdf, csts);
	return 0;
}

char *pfn_nvme_status_describe(uint16_t sf, char *buf, size_t len)
{
	return pfn_nvme_status_format(sf, buf, len);
}
