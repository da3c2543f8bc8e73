// SPDX-License-Identifier: GPL-2.0-only
/*
 * A polled userspace NVMe driver behind struct pfn_dma_ops.
 *
 * memcpy(src, dst, size) is an NVM Write of [src, src + size) to a scratch
 * LBA range at the start of the first active namespace, then an NVM Read of
 * that range to [dst, dst + size): the controller reads src and writes dst
 * by DMA, through the IOMMU.  DATA IN THE SCRATCH RANGE IS OVERWRITTEN: use a
 * scratch disk (the emulated target's NVMe image is one).
 *
 * One admin queue pair and one I/O queue pair, interrupts off, completions
 * polled by phase tag; every wait is bounded (CAP.TO for enable/disable, a
 * fixed limit for admin commands, the caller's timeout for I/O).  Queues,
 * the Identify buffer and PRP lists live in one anonymous mapping that is
 * mapped at the start of the caller's IOVA window.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pfn/dma.h"
#include "pfn/nvme.h"

#define NVME_ADMIN_DEPTH	32
#define NVME_IO_DEPTH		64
#define NVME_IO_QID		1
#define NVME_XFER_CAP		(1ull << 20)	/* driver limit on one command */
#define NVME_ADMIN_TIMEOUT_MS	10000
#define NVME_TEARDOWN_TIMEOUT_MS 2000
#define NVME_MIN_READY_MS	500

/* PRP list entries needed for NVME_XFER_CAP (plus chain slots), in pages. */
#define NVME_PRP_PAGES		2
#define NVME_PRP_ENTRIES	(NVME_PRP_PAGES * PFN_NVME_PAGE / sizeof(uint64_t))

/* Layout of the driver's memory; the same offsets apply from iova_base. */
enum {
	MEM_ASQ = 0x0000,
	MEM_ACQ = 0x1000,
	MEM_IOSQ = 0x2000,
	MEM_IOCQ = 0x3000,
	MEM_IDENT = 0x4000,
	MEM_PRP_SRC = 0x5000,
	MEM_PRP_DST = MEM_PRP_SRC + NVME_PRP_PAGES * 0x1000,
	MEM_PRP_RAW = MEM_PRP_DST + NVME_PRP_PAGES * 0x1000,
	MEM_SIZE = MEM_PRP_RAW + NVME_PRP_PAGES * 0x1000,
};

_Static_assert(NVME_ADMIN_DEPTH * PFN_NVME_SQE_SIZE <= 0x1000, "admin SQ fits a page");
_Static_assert(NVME_IO_DEPTH * PFN_NVME_SQE_SIZE <= 0x1000, "I/O SQ fits a page");
_Static_assert(MEM_SIZE <= PFN_DMA_IOVA_WINDOW, "window constant covers the driver");

struct nvme_queue {
	uint16_t qid;
	uint16_t depth;
	struct pfn_nvme_sqe *sq;
	volatile struct pfn_nvme_cqe *cq;
	uint64_t sq_iova;
	uint64_t cq_iova;
	uint16_t sq_tail;
	uint16_t sq_head;
	uint16_t cq_head;
	uint8_t phase;
	uint16_t next_cid;
	uint64_t sq_db;
	uint64_t cq_db;
};

enum xfer_stage {
	XFER_IDLE,
	XFER_WRITE,	/* device reads src */
	XFER_READ,	/* device writes dst */
};

struct nvme_xfer {
	enum xfer_stage stage;
	uint64_t src;
	uint64_t dst;
	uint64_t size;
	uint64_t remaining;
	uint16_t cid;
};

struct nvme_state {
	volatile uint8_t *bar;
	uint64_t bar_len;
	uint8_t *mem;
	uint64_t mem_len;
	uint64_t mem_iova;
	bool mem_mapped;
	bool bus_master;
	bool enabled;
	bool io_cq;
	bool io_sq;
	struct pfn_nvme_info info;
	struct nvme_queue aq;
	struct nvme_queue ioq;
	struct nvme_xfer xfer;
};

/* ---- time ------------------------------------------------------------------- */

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Back off from 1 us to 1 ms: quick completions stay quick, slow ones idle. */
static void nap(unsigned int *us)
{
	struct timespec ts = { 0, (long)*us * 1000 };

	nanosleep(&ts, NULL);
	if (*us < 1000)
		*us *= 2;
}

/* ---- registers ---------------------------------------------------------------- */

static uint32_t rd32(struct nvme_state *s, uint64_t off)
{
	return le32toh(*(volatile uint32_t *)(s->bar + off));
}

static void wr32(struct nvme_state *s, uint64_t off, uint32_t v)
{
	*(volatile uint32_t *)(s->bar + off) = htole32(v);
}

/* 64-bit registers as two 32-bit accesses, low half first. */
static uint64_t rd64(struct nvme_state *s, uint64_t off)
{
	uint64_t lo = rd32(s, off);

	return lo | (uint64_t)rd32(s, off + 4) << 32;
}

static void wr64(struct nvme_state *s, uint64_t off, uint64_t v)
{
	wr32(s, off, (uint32_t)v);
	wr32(s, off + 4, (uint32_t)(v >> 32));
}

static int wait_ready(struct pfn_dma *dma, bool ready, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	uint32_t limit = s->info.cap.timeout_ms;
	int64_t deadline;
	uint32_t csts;

	if (limit < NVME_MIN_READY_MS)
		limit = NVME_MIN_READY_MS;
	deadline = now_us() + (int64_t)limit * 1000;
	for (;;) {
		csts = rd32(s, PFN_NVME_REG_CSTS);
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
		if (now_us() > deadline)
			return pfn_fail(err, ETIMEDOUT,
					"NVMe %s: CSTS.RDY did not become %d within CAP.TO (%u ms; CSTS %#x)",
					dma->dev->bdf, ready, limit, csts);
		usleep(1000);
	}
}

static int ctrl_disable(struct pfn_dma *dma, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	uint32_t cc = rd32(s, PFN_NVME_REG_CC);

	if (cc == 0xffffffff)
		return pfn_fail(err, ENODEV, "NVMe %s reads all-ones from CC", dma->dev->bdf);
	if (cc & PFN_NVME_CC_EN)
		wr32(s, PFN_NVME_REG_CC, cc & ~PFN_NVME_CC_EN);
	s->enabled = false;
	return wait_ready(dma, false, err);
}

/* ---- queues ------------------------------------------------------------------ */

static void queue_init(struct nvme_state *s, struct nvme_queue *q, uint16_t qid,
		       uint16_t depth, uint32_t sq_off, uint32_t cq_off)
{
	memset(q, 0, sizeof(*q));
	q->qid = qid;
	q->depth = depth;
	q->sq = (struct pfn_nvme_sqe *)(s->mem + sq_off);
	q->cq = (volatile struct pfn_nvme_cqe *)(s->mem + cq_off);
	q->sq_iova = s->mem_iova + sq_off;
	q->cq_iova = s->mem_iova + cq_off;
	q->phase = 1;
	q->sq_db = pfn_nvme_doorbell(qid, false, s->info.cap.dstrd);
	q->cq_db = pfn_nvme_doorbell(qid, true, s->info.cap.dstrd);
}

static int submit(struct pfn_dma *dma, struct nvme_queue *q, struct pfn_nvme_sqe *sqe,
		  uint16_t *cid, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;

	if ((uint16_t)((q->sq_tail + 1) % q->depth) == q->sq_head)
		return pfn_fail(err, EBUSY, "NVMe %s queue %u is full", dma->dev->bdf, q->qid);
	*cid = q->next_cid++;
	sqe->cid = htole16(*cid);
	memcpy(&q->sq[q->sq_tail], sqe, sizeof(*sqe));
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->depth);
	/* The entry must be visible before the device sees the new tail. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr32(s, q->sq_db, q->sq_tail);
	return 0;
}

/*
 * Wait until the completion of @cid arrives or @deadline (us) passes.
 * Completions of other commands (one that timed out earlier) are consumed
 * and dropped.
 */
static int poll_cq(struct pfn_dma *dma, struct nvme_queue *q, uint16_t cid,
		   int64_t deadline, struct pfn_nvme_cqe *out, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	unsigned int backoff = 1;
	uint32_t csts;

	for (;;) {
		volatile struct pfn_nvme_cqe *e = &q->cq[q->cq_head];
		uint16_t status = le16toh(e->status);

		if ((status & 1) == q->phase) {
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
			wr32(s, q->cq_db, q->cq_head);
			if (out->sqhd < q->depth)
				q->sq_head = out->sqhd;
			if (out->cid == cid)
				return 0;
			continue;
		}
		csts = rd32(s, PFN_NVME_REG_CSTS);
		if (csts == 0xffffffff)
			return pfn_fail(err, ENODEV,
					"NVMe %s reads all-ones from CSTS while waiting for command %u: device gone or memory disabled",
					dma->dev->bdf, cid);
		if (csts & PFN_NVME_CSTS_CFS)
			return pfn_fail(err, EIO,
					"NVMe %s: Controller Fatal Status while waiting for command %u on queue %u",
					dma->dev->bdf, cid, q->qid);
		if (now_us() > deadline)
			return pfn_fail(err, ETIMEDOUT,
					"NVMe %s: command %u on queue %u did not complete in time",
					dma->dev->bdf, cid, q->qid);
		nap(&backoff);
	}
}

/* Turn a completion's status into 0 or -EIO naming it; @what says which command. */
static int check_status(struct pfn_dma *dma, const struct pfn_nvme_cqe *cqe,
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

static int admin(struct pfn_dma *dma, struct pfn_nvme_sqe *sqe, int timeout_ms,
		 const char *what, struct pfn_nvme_cqe *cqe_out, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	struct pfn_nvme_cqe cqe;
	uint16_t cid;
	int ret;

	ret = submit(dma, &s->aq, sqe, &cid, err);
	if (ret)
		return ret;
	ret = poll_cq(dma, &s->aq, cid, now_us() + (int64_t)timeout_ms * 1000, &cqe, err);
	if (ret)
		return ret;
	if (cqe_out)
		*cqe_out = cqe;
	return check_status(dma, &cqe, what, err);
}

static int identify(struct pfn_dma *dma, uint32_t cns, uint32_t nsid, const char *what,
		    struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	struct pfn_nvme_sqe sqe = {
		.opc = PFN_NVME_ADMIN_IDENTIFY,
		.nsid = htole32(nsid),
		.prp1 = htole64(s->mem_iova + MEM_IDENT),
		.cdw10 = htole32(cns),
	};

	memset(s->mem + MEM_IDENT, 0, 0x1000);
	return admin(dma, &sqe, NVME_ADMIN_TIMEOUT_MS, what, NULL, err);
}

/* ---- bring-up steps ---------------------------------------------------------- */

static int map_bar(struct pfn_dma *dma, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct pfn_region bar0;
	void *va;
	int ret;

	ret = pfn_vfio_region(dma->dev, 0, &bar0, err);
	if (ret)
		return ret;
	if (bar0.size < PFN_NVME_REG_DBS + 2 * 4)
		return pfn_fail(err, ENODEV, "NVMe %s BAR0 is %#llx bytes: too small for registers",
				dma->dev->bdf, (unsigned long long)bar0.size);
	s->bar_len = (bar0.size + page - 1) & ~(page - 1);
	ret = pfn_vfio_bar_mmap(dma->dev, 0, 0, s->bar_len, page, 0, &va, err);
	if (ret) {
		s->bar_len = 0;
		return ret;
	}
	s->bar = va;
	return 0;
}

static int map_memory(struct pfn_dma *dma, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	void *va;
	int ret;

	s->mem_len = ((uint64_t)MEM_SIZE + page - 1) & ~(page - 1);
	if (dma->iova_size < s->mem_len)
		return pfn_fail(err, EINVAL,
				"NVMe driver needs %#llx bytes of IOVA window, given %#llx",
				(unsigned long long)s->mem_len,
				(unsigned long long)dma->iova_size);
	va = mmap(NULL, s->mem_len, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (va == MAP_FAILED)
		return pfn_fail_errno(err, "NVMe driver memory (%#llx bytes)",
				      (unsigned long long)s->mem_len);
	s->mem = va;
	s->mem_iova = dma->iova_base;
	ret = pfn_iommu_map_user(dma->dev->iommu, s->mem, s->mem_len, s->mem_iova,
				 PFN_MAP_RW, err);
	if (ret)
		return ret;
	s->mem_mapped = true;
	return 0;
}

static int ctrl_enable(struct pfn_dma *dma, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	uint16_t adepth = NVME_ADMIN_DEPTH, iodepth = NVME_IO_DEPTH;
	int ret;

	if (s->info.cap.mqes < adepth)
		adepth = (uint16_t)s->info.cap.mqes;
	if (s->info.cap.mqes < iodepth)
		iodepth = (uint16_t)s->info.cap.mqes;
	if (pfn_nvme_doorbell(NVME_IO_QID, true, s->info.cap.dstrd) + 4 > s->bar_len)
		return pfn_fail(err, ENODEV, "NVMe %s BAR0 (%#llx bytes) lacks I/O queue doorbells",
				dma->dev->bdf, (unsigned long long)s->bar_len);
	queue_init(s, &s->aq, 0, adepth, MEM_ASQ, MEM_ACQ);
	queue_init(s, &s->ioq, NVME_IO_QID, iodepth, MEM_IOSQ, MEM_IOCQ);

	wr32(s, PFN_NVME_REG_AQA, (uint32_t)(adepth - 1) << 16 | (uint32_t)(adepth - 1));
	wr64(s, PFN_NVME_REG_ASQ, s->aq.sq_iova);
	wr64(s, PFN_NVME_REG_ACQ, s->aq.cq_iova);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr32(s, PFN_NVME_REG_CC, pfn_nvme_cc_enable());
	s->enabled = true;
	ret = wait_ready(dma, true, err);
	if (ret)
		return ret;
	/* Polled driver: mask pin-based interrupts (MSI-X is never enabled). */
	wr32(s, PFN_NVME_REG_INTMS, 0xffffffff);
	return 0;
}

static int find_namespace(struct pfn_dma *dma, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	struct pfn_nvme_info *info = &s->info;
	uint32_t nsid = 0;
	int ret;

	ret = identify(dma, PFN_NVME_CNS_ACTIVE_NS_LIST, 0, "Identify (active namespace list)",
		       err);
	if (!ret) {
		nsid = pfn_nvme_first_active_ns(s->mem + MEM_IDENT);
	} else if (ret == -EIO) {
		/* NVMe 1.0 has no CNS 02h: try the namespaces one by one. */
		for (uint32_t n = 1; n <= info->ctrl.nn && n <= 64 && !nsid; n++) {
			if (identify(dma, PFN_NVME_CNS_NS, n, "Identify Namespace", err))
				continue;
			if (pfn_nvme_parse_ns(s->mem + MEM_IDENT, &info->ns, NULL) != -ENODEV)
				nsid = n;
		}
	} else {
		return ret;
	}
	if (!nsid)
		return pfn_fail(err, ENODEV, "NVMe %s (%s) has no active namespace to use as scratch",
				dma->dev->bdf, info->ctrl.model);
	ret = identify(dma, PFN_NVME_CNS_NS, nsid, "Identify Namespace", err);
	if (ret)
		return ret;
	ret = pfn_nvme_parse_ns(s->mem + MEM_IDENT, &info->ns, err);
	if (ret)
		return ret;
	info->nsid = nsid;
	return 0;
}

static int create_io_queues(struct pfn_dma *dma, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	uint32_t qsize = (uint32_t)(s->ioq.depth - 1) << 16 | NVME_IO_QID;
	struct pfn_nvme_sqe nq = {
		.opc = PFN_NVME_ADMIN_SET_FEATURES,
		.cdw10 = htole32(PFN_NVME_FEAT_NUM_QUEUES),
		.cdw11 = 0,	/* one SQ and one CQ (0's based) */
	};
	struct pfn_nvme_sqe cq = {
		.opc = PFN_NVME_ADMIN_CREATE_CQ,
		.prp1 = htole64(s->ioq.cq_iova),
		.cdw10 = htole32(qsize),
		.cdw11 = htole32(1),	/* PC = 1, IEN = 0 */
	};
	struct pfn_nvme_sqe sq = {
		.opc = PFN_NVME_ADMIN_CREATE_SQ,
		.prp1 = htole64(s->ioq.sq_iova),
		.cdw10 = htole32(qsize),
		.cdw11 = htole32((uint32_t)NVME_IO_QID << 16 | 1),	/* CQID, PC = 1 */
	};
	int ret;

	ret = admin(dma, &nq, NVME_ADMIN_TIMEOUT_MS, "Set Features (Number of Queues)", NULL,
		    err);
	if (ret)
		return ret;
	ret = admin(dma, &cq, NVME_ADMIN_TIMEOUT_MS, "Create I/O Completion Queue", NULL, err);
	if (ret)
		return ret;
	s->io_cq = true;
	ret = admin(dma, &sq, NVME_ADMIN_TIMEOUT_MS, "Create I/O Submission Queue", NULL, err);
	if (ret)
		return ret;
	s->io_sq = true;
	return 0;
}

static void describe(struct pfn_dma *dma)
{
	struct nvme_state *s = dma->priv;
	const struct pfn_nvme_info *i = &s->info;
	uint64_t lbas = i->max_transfer >> i->ns.lba_shift;

	snprintf(dma->desc, sizeof(dma->desc),
		 "nvme: \"%s\" serial \"%s\" fw \"%s\" NVMe %u.%u, MDTS %u, max transfer %llu KiB; "
		 "scratch: nsid %u (%llu x %u-byte LBAs), LBAs %llu-%llu are overwritten",
		 i->ctrl.model, i->ctrl.serial, i->ctrl.firmware, i->vs >> 16, (i->vs >> 8) & 0xff,
		 i->ctrl.mdts, (unsigned long long)(i->max_transfer >> 10), i->nsid,
		 (unsigned long long)i->ns.nsze, i->ns.lba_size,
		 (unsigned long long)i->scratch_lba,
		 (unsigned long long)(i->scratch_lba + lbas - 1));
}

/* ---- struct pfn_dma_ops ----------------------------------------------------- */

static bool nvme_match(const struct pfn_pci_info *info)
{
	return (info->class & 0xffffff) == PFN_NVME_CLASS;
}

static void nvme_fini(struct pfn_dma *dma);

static int nvme_init(struct pfn_dma *dma, struct pfn_err *err)
{
	struct pfn_nvme_info *info;
	struct nvme_state *s;
	uint64_t max;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return pfn_fail(err, ENOMEM, "NVMe driver state");
	dma->priv = s;
	info = &s->info;

	ret = map_bar(dma, err);
	if (!ret)
		ret = pfn_vfio_set_memory_enable(dma->dev, true, err);
	if (!ret)
		ret = pfn_vfio_set_bus_master(dma->dev, true, err);
	if (ret)
		goto fail;
	s->bus_master = true;

	pfn_nvme_cap_parse(rd64(s, PFN_NVME_REG_CAP), &info->cap);
	info->vs = rd32(s, PFN_NVME_REG_VS);
	if (info->vs == 0xffffffff) {
		ret = pfn_fail(err, ENODEV, "NVMe %s registers read all-ones", dma->dev->bdf);
		goto fail;
	}
	ret = pfn_nvme_cap_check(&info->cap, err);
	if (!ret)
		ret = ctrl_disable(dma, err);
	if (!ret)
		ret = map_memory(dma, err);
	if (!ret)
		ret = ctrl_enable(dma, err);
	if (!ret)
		ret = identify(dma, PFN_NVME_CNS_CTRL, 0, "Identify Controller", err);
	if (!ret)
		ret = pfn_nvme_parse_ctrl(s->mem + MEM_IDENT, &info->ctrl, err);
	if (!ret)
		ret = find_namespace(dma, err);
	if (!ret)
		ret = create_io_queues(dma, err);
	if (ret)
		goto fail;

	max = pfn_nvme_max_transfer(info->ctrl.mdts, info->cap.mps_min, NVME_XFER_CAP);
	if (info->ns.nsze < max >> info->ns.lba_shift)
		max = info->ns.nsze << info->ns.lba_shift;
	info->max_transfer = max;
	info->scratch_lba = 0;
	dma->max_memcpy_size = max;
	dma->max_memcpy_count = UINT32_MAX;
	describe(dma);
	return 0;
fail:
	nvme_fini(dma);
	return ret;
}

static void nvme_fini(struct pfn_dma *dma)
{
	struct nvme_state *s = dma->priv;
	struct pfn_nvme_sqe del = { 0 };

	if (!s)
		return;
	if (s->io_sq) {
		del.opc = PFN_NVME_ADMIN_DELETE_SQ;
		del.cdw10 = htole32(NVME_IO_QID);
		admin(dma, &del, NVME_TEARDOWN_TIMEOUT_MS, "Delete I/O Submission Queue", NULL,
		      NULL);
	}
	if (s->io_cq) {
		memset(&del, 0, sizeof(del));
		del.opc = PFN_NVME_ADMIN_DELETE_CQ;
		del.cdw10 = htole32(NVME_IO_QID);
		admin(dma, &del, NVME_TEARDOWN_TIMEOUT_MS, "Delete I/O Completion Queue", NULL,
		      NULL);
	}
	/* After the disable the controller does no DMA: only then unmap memory. */
	if (s->bar && s->enabled)
		ctrl_disable(dma, NULL);
	if (s->bus_master)
		pfn_vfio_set_bus_master(dma->dev, false, NULL);
	if (s->mem_mapped)
		pfn_iommu_unmap(dma->dev->iommu, s->mem_iova, s->mem_len, NULL);
	if (s->mem)
		munmap(s->mem, s->mem_len);
	if (s->bar)
		munmap((void *)s->bar, s->bar_len);
	free(s);
	dma->priv = NULL;
}

/* Queue one half of a memcpy (or a raw command) on the I/O queue. */
static int submit_io(struct pfn_dma *dma, uint8_t opc, uint64_t iova, uint64_t len,
		     uint32_t list_off, uint16_t *cid, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	struct pfn_nvme_sqe sqe;
	uint64_t prp1, prp2;
	int ret;

	ret = pfn_nvme_prp_build(iova, len, (uint64_t *)(s->mem + list_off),
				 s->mem_iova + list_off, NVME_PRP_ENTRIES, &prp1, &prp2);
	if (ret < 0)
		return pfn_fail(err, -ret, "NVMe PRP list for %llu bytes at %#llx: %s",
				(unsigned long long)len, (unsigned long long)iova,
				strerror(-ret));
	pfn_nvme_sqe_rw(&sqe, opc, 0, s->info.nsid, s->info.scratch_lba,
			(uint32_t)(len >> s->info.ns.lba_shift), prp1, prp2);
	return submit(dma, &s->ioq, &sqe, cid, err);
}

static int nvme_memcpy_start(struct pfn_dma *dma, uint64_t src, uint64_t dst,
			     uint64_t size, uint64_t count, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	struct nvme_xfer *x = &s->xfer;
	int ret;

	ret = pfn_nvme_check_xfer(src, dst, size, s->info.ns.lba_size, s->info.max_transfer,
				  err);
	if (ret)
		return ret;
	*x = (struct nvme_xfer){ .src = src, .dst = dst, .size = size, .remaining = count };
	ret = submit_io(dma, PFN_NVME_CMD_WRITE, src, size, MEM_PRP_SRC, &x->cid, err);
	if (ret)
		return ret;
	x->stage = XFER_WRITE;
	return 0;
}

static int nvme_memcpy_wait(struct pfn_dma *dma, int timeout_ms, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	struct nvme_xfer *x = &s->xfer;
	int64_t deadline = now_us() + (int64_t)timeout_ms * 1000;
	struct pfn_nvme_cqe cqe;
	char what[128];
	int ret;

	while (x->stage != XFER_IDLE) {
		ret = poll_cq(dma, &s->ioq, x->cid, deadline, &cqe, err);
		if (ret == -ETIMEDOUT)
			return ret;
		if (!ret) {
			if (x->stage == XFER_WRITE)
				snprintf(what, sizeof(what),
					 "Write of %llu bytes from IOVA %#llx (device reads)",
					 (unsigned long long)x->size, (unsigned long long)x->src);
			else
				snprintf(what, sizeof(what),
					 "Read of %llu bytes to IOVA %#llx (device writes)",
					 (unsigned long long)x->size, (unsigned long long)x->dst);
			ret = check_status(dma, &cqe, what, err);
		}
		if (ret) {
			x->stage = XFER_IDLE;
			return ret;
		}
		if (x->stage == XFER_WRITE) {
			ret = submit_io(dma, PFN_NVME_CMD_READ, x->dst, x->size, MEM_PRP_DST,
					&x->cid, err);
			x->stage = ret ? XFER_IDLE : XFER_READ;
		} else if (--x->remaining) {
			ret = submit_io(dma, PFN_NVME_CMD_WRITE, x->src, x->size, MEM_PRP_SRC,
					&x->cid, err);
			x->stage = ret ? XFER_IDLE : XFER_WRITE;
		} else {
			x->stage = XFER_IDLE;
		}
		if (ret)
			return ret;
	}
	return 0;
}

const struct pfn_dma_ops pfn_dma_nvme_ops = {
	.name = "nvme",
	.match = nvme_match,
	.init = nvme_init,
	.fini = nvme_fini,
	.memcpy_start = nvme_memcpy_start,
	.memcpy_wait = nvme_memcpy_wait,
};

/* ---- NVMe-specific calls ------------------------------------------------------ */

static bool is_nvme(const struct pfn_dma *dma)
{
	return dma && dma->ops == &pfn_dma_nvme_ops && dma->priv;
}

int pfn_nvme_info(const struct pfn_dma *dma, struct pfn_nvme_info *out, struct pfn_err *err)
{
	if (!is_nvme(dma))
		return pfn_fail(err, EINVAL, "not an open NVMe DMA driver");
	*out = ((const struct nvme_state *)dma->priv)->info;
	return 0;
}

int pfn_nvme_io_raw(struct pfn_dma *dma, uint8_t opc, uint64_t len, uint64_t prp1,
		    uint64_t prp2, int timeout_ms, struct pfn_err *err)
{
	struct nvme_state *s;
	struct pfn_nvme_sqe sqe;
	struct pfn_nvme_cqe cqe;
	char what[128];
	uint16_t cid;
	int ret;

	if (!is_nvme(dma))
		return pfn_fail(err, EINVAL, "not an open NVMe DMA driver");
	s = dma->priv;
	if (dma->busy || s->xfer.stage != XFER_IDLE)
		return pfn_fail(err, EBUSY, "NVMe %s: a memcpy is in flight", dma->dev->bdf);
	if (opc != PFN_NVME_CMD_READ && opc != PFN_NVME_CMD_WRITE)
		return pfn_fail(err, EINVAL, "raw NVMe I/O takes Read or Write, not opcode %#x",
				opc);
	if (!len || len % s->info.ns.lba_size || len > s->info.max_transfer)
		return pfn_fail(err, EINVAL,
				"raw NVMe I/O length %llu: needs a multiple of %u up to %llu",
				(unsigned long long)len, s->info.ns.lba_size,
				(unsigned long long)s->info.max_transfer);
	if (timeout_ms < 0)
		return pfn_fail(err, EINVAL, "negative timeout %d ms", timeout_ms);
	dma->last_status = 0;
	pfn_nvme_sqe_rw(&sqe, opc, 0, s->info.nsid, s->info.scratch_lba,
			(uint32_t)(len >> s->info.ns.lba_shift), prp1, prp2);
	ret = submit(dma, &s->ioq, &sqe, &cid, err);
	if (ret)
		return ret;
	ret = poll_cq(dma, &s->ioq, cid, now_us() + (int64_t)timeout_ms * 1000, &cqe, err);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "%s of %llu bytes with PRP1 %#llx PRP2 %#llx",
		 opc == PFN_NVME_CMD_READ ? "Read" : "Write", (unsigned long long)len,
		 (unsigned long long)prp1, (unsigned long long)prp2);
	return check_status(dma, &cqe, what, err);
}
