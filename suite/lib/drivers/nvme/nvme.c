// SPDX-License-Identifier: GPL-2.0-only
/*
 * A polled userspace NVMe driver behind struct pfn_dma_ops.
 *
 * memcpy(src, dst, size) is an NVM Write of [src, src + size) to a scratch
 * LBA range at the start of the first active namespace, then an NVM Read of
 * that range to [dst, dst + size): the controller reads src and writes dst
 * by DMA, through the IOMMU.  DATA IN THE SCRATCH RANGE IS OVERWRITTEN
 * (PFN_DMA_CAP_DESTRUCTIVE): unless the caller allows it, init reads the
 * first MiB and refuses a namespace holding a partition table or a
 * filesystem signature.
 *
 * One admin queue pair and one I/O queue pair, interrupts off, completions
 * polled by phase tag and matched by queue and command ID; every wait is
 * bounded.  A command that ends without its completion (timeout, fatal
 * status) is an orphan: it may still DMA, so nothing is submitted (and no
 * PRP list page is rewritten) until recover has reset the controller.
 * Queues, the Identify buffer and PRP lists live in one anonymous mapping
 * at the start of the caller's IOVA window.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme_drv.h"
#include "pfn/nvme.h"
#include "pfn/vfio.h"

#define NVME_XFER_CAP		(1ull << 20)	/* driver limit on one command */
#define NVME_TEARDOWN_TIMEOUT_MS 2000
#define NVME_ABORT_TIMEOUT_MS	1000
#define NVME_GUARD_BYTES	(1ull << 20)	/* checked for data in use at init */
#define NVME_GUARD_OFF		0x100000ull	/* its place in the IOVA window */

_Static_assert(MEM_SIZE <= NVME_GUARD_OFF, "driver memory below the guard buffer");
_Static_assert(NVME_GUARD_OFF + NVME_GUARD_BYTES <= PFN_DMA_IOVA_WINDOW,
	       "window constant covers the driver");

/* ---- bring-up steps ---------------------------------------------------------- */

static int find_namespace(struct pfn_dma *dma, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	struct pfn_nvme_info *info = &s->info;
	uint32_t nsid = 0;
	int ret;

	ret = pfn_nvme_identify(dma, PFN_NVME_CNS_ACTIVE_NS_LIST, 0,
				"Identify (active namespace list)", err);
	if (!ret) {
		nsid = pfn_nvme_first_active_ns(s->mem.va + MEM_IDENT);
	} else if (ret == -EIO) {
		/* NVMe 1.0 has no CNS 02h: try the namespaces one by one. */
		for (uint32_t n = 1; n <= info->ctrl.nn && n <= 64 && !nsid; n++) {
			if (pfn_nvme_identify(dma, PFN_NVME_CNS_NS, n, "Identify Namespace", err))
				continue;
			if (pfn_nvme_parse_ns(s->mem.va + MEM_IDENT, &info->ns, NULL) != -ENODEV)
				nsid = n;
		}
	} else {
		return ret;
	}
	if (!nsid)
		return pfn_fail(err, ENODEV, "NVMe %s (%s) has no active namespace to use as scratch",
				dma->dev->bdf, info->ctrl.model);
	ret = pfn_nvme_identify(dma, PFN_NVME_CNS_NS, nsid, "Identify Namespace", err);
	if (ret)
		return ret;
	ret = pfn_nvme_parse_ns(s->mem.va + MEM_IDENT, &info->ns, err);
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
		/* 0's based: queue 1 plus PFN_NVME_MAX_QPAIRS extra pairs */
		.cdw11 = htole32((uint32_t)PFN_NVME_MAX_QPAIRS << 16 | PFN_NVME_MAX_QPAIRS),
	};
	struct pfn_nvme_cqe granted;
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

	ret = pfn_nvme_sync(dma, &s->aq, &nq, NVME_ADMIN_TIMEOUT_MS, "Set Features (Number of Queues)",
			    &granted, err);
	if (ret)
		return ret;
	/* DW0: NCQA << 16 | NSQA, both 0's based; pairs need one of each. */
	s->nr_ioq = (uint16_t)((granted.dw0 & 0xffff) < (granted.dw0 >> 16) ?
			       (granted.dw0 & 0xffff) : (granted.dw0 >> 16)) + 1;
	ret = pfn_nvme_sync(dma, &s->aq, &cq, NVME_ADMIN_TIMEOUT_MS, "Create I/O Completion Queue",
			    NULL, err);
	if (ret)
		return ret;
	s->io_cq = true;
	ret = pfn_nvme_sync(dma, &s->aq, &sq, NVME_ADMIN_TIMEOUT_MS, "Create I/O Submission Queue",
			    NULL, err);
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
		 "scratch: nsid %u (%llu x %u-byte LBAs), LBAs %llu-%llu are overwritten%s",
		 i->ctrl.model, i->ctrl.serial, i->ctrl.firmware, i->vs >> 16, (i->vs >> 8) & 0xff,
		 i->ctrl.mdts, (unsigned long long)(i->max_transfer >> 10), i->nsid,
		 (unsigned long long)i->ns.nsze, i->ns.lba_size,
		 (unsigned long long)i->scratch_lba,
		 (unsigned long long)(i->scratch_lba + lbas - 1),
		 i->checked_bytes ? " (checked: no partition table or filesystem)" :
				    " (unchecked: destructive use allowed)");
}


static void nvme_fini(struct pfn_dma *dma);

/*
 * CMBMSC back to its reset value: no CMB registers, no CMB space, so that
 * no data pointer of this or a later user is served from the CMB unless
 * pfn_nvme_cmb_enable() asked for it.
 */
static void cmb_off(struct nvme_state *s)
{
	if (!s->info.cap.cmbs)
		return;
	pfn_nvme_wr32(s, PFN_NVME_REG_CMBMSC, 0);
	pfn_nvme_wr32(s, PFN_NVME_REG_CMBMSC + 4, 0);
}

/* Queue one NVM Read or Write of @len bytes at @slba, data at @iova. */
static int submit_io(struct pfn_dma *dma, uint8_t opc, uint64_t slba, uint64_t iova,
		     uint64_t len, uint32_t list_off, uint16_t *cid, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	struct pfn_nvme_sqe sqe;
	uint64_t prp1, prp2;
	int ret;

	ret = pfn_nvme_prp_build(iova, len, (uint64_t *)(s->mem.va + list_off),
				 s->mem.iova + list_off, NVME_PRP_ENTRIES, &prp1, &prp2);
	if (ret < 0)
		return pfn_fail(err, -ret, "NVMe PRP list for %llu bytes at %#llx: %s",
				(unsigned long long)len, (unsigned long long)iova,
				strerror(-ret));
	pfn_nvme_sqe_rw(&sqe, opc, 0, s->info.nsid, slba,
			(uint32_t)(len >> s->info.ns.lba_shift), prp1, prp2);
	return pfn_nvme_submit(dma, &s->ioq, &sqe, cid, err);
}

/* Read the first LBAs into driver memory and refuse them if they look in use. */
static int check_not_in_use(struct pfn_dma *dma, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	struct pfn_nvme_info *info = &s->info;
	uint64_t len = NVME_GUARD_BYTES, off, n;
	struct pfn_nvme_cqe cqe;
	const char *found;
	uint16_t cid;
	int ret;

	if (dma->opts.allow_destructive)
		return 0;
	if (info->ns.nsze < len >> info->ns.lba_shift)
		len = info->ns.nsze << info->ns.lba_shift;
	ret = pfn_drv_mem_map(dma, NVME_GUARD_OFF, len, &s->guard, err);
	for (off = 0; !ret && off < len; off += n) {
		n = len - off < info->max_transfer ? len - off : info->max_transfer;
		ret = submit_io(dma, PFN_NVME_CMD_READ, off >> info->ns.lba_shift,
				s->guard.iova + off, n, MEM_PRP_DST, &cid, err);
		if (!ret)
			ret = pfn_nvme_poll_cq(dma, &s->ioq, cid,
					       pfn_drv_now_us() + NVME_ADMIN_TIMEOUT_MS * 1000ll,
					       &cqe, err);
		if (!ret)
			ret = pfn_nvme_check_status(dma, &cqe,
						    "Read of the first LBAs (checking for data in use)",
						    err);
	}
	if (ret)
		return ret;	/* fini unmaps the buffer once the controller is off */
	found = pfn_nvme_disk_signature(s->guard.va, len, info->ns.lba_size);
	pfn_drv_mem_unmap(dma, &s->guard);
	if (found)
		return pfn_fail(err, EPERM,
				"NVMe %s nsid %u holds %s: refusing to overwrite its first LBAs; pass --allow-destructive to use it as DMA scratch space anyway",
				dma->dev->bdf, info->nsid, found);
	info->checked_bytes = len;
	return 0;
}

/* ---- struct pfn_dma_ops ----------------------------------------------------- */

static bool nvme_match(const struct pfn_pci_info *info)
{
	return (info->class & 0xffffff) == PFN_NVME_CLASS;
}

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

	ret = pfn_drv_bar_map(dma, 0, PFN_NVME_REG_DBS + 2 * 4, &s->bar, err);
	if (!ret)
		ret = pfn_vfio_set_memory_enable(dma->dev, true, err);
	if (!ret)
		ret = pfn_vfio_set_bus_master(dma->dev, true, err);
	if (ret)
		goto fail;
	s->bus_master = true;

	pfn_nvme_cap_parse(pfn_nvme_rd64(s, PFN_NVME_REG_CAP), &info->cap);
	info->vs = pfn_nvme_rd32(s, PFN_NVME_REG_VS);
	cmb_off(s);
	if (info->vs == 0xffffffff) {
		ret = pfn_fail(err, ENODEV, "NVMe %s registers read all-ones", dma->dev->bdf);
		goto fail;
	}
	ret = pfn_nvme_cap_check(&info->cap, err);
	if (!ret)
		ret = pfn_nvme_ctrl_disable(dma, err);
	if (!ret)
		ret = pfn_drv_mem_map(dma, 0, MEM_SIZE, &s->mem, err);
	if (!ret)
		ret = pfn_nvme_ctrl_enable(dma, err);
	if (!ret)
		ret = pfn_nvme_identify(dma, PFN_NVME_CNS_CTRL, 0, "Identify Controller", err);
	if (!ret)
		ret = pfn_nvme_parse_ctrl(s->mem.va + MEM_IDENT, &info->ctrl, err);
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
	ret = check_not_in_use(dma, err);
	if (ret)
		goto fail;
	dma->max_memcpy_size = max;
	dma->max_memcpy_count = UINT32_MAX;
	describe(dma);
	return 0;
fail:
	nvme_fini(dma);
	return ret;
}

static void delete_io_queues(struct pfn_dma *dma)
{
	struct nvme_state *s = dma->priv;
	struct pfn_nvme_sqe del = { .cdw10 = htole32(NVME_IO_QID) };

	/* A stuck admin queue would make each delete wait its time out: skip them. */
	if (s->orphan && s->orphan_qid == 0)
		return;
	if (s->io_sq) {
		del.opc = PFN_NVME_ADMIN_DELETE_SQ;
		pfn_nvme_sync(dma, &s->aq, &del, NVME_TEARDOWN_TIMEOUT_MS,
			      "Delete I/O Submission Queue", NULL, NULL);
	}
	if (s->io_cq) {
		del.opc = PFN_NVME_ADMIN_DELETE_CQ;
		pfn_nvme_sync(dma, &s->aq, &del, NVME_TEARDOWN_TIMEOUT_MS,
			      "Delete I/O Completion Queue", NULL, NULL);
	}
	s->io_sq = s->io_cq = false;
}

static void nvme_fini(struct pfn_dma *dma)
{
	struct nvme_state *s = dma->priv;

	if (!s)
		return;
	s->recovering = true;
	delete_io_queues(dma);
	/* After the disable the controller does no DMA: only then unmap memory. */
	if (s->bar.regs && s->enabled)
		pfn_nvme_ctrl_disable(dma, NULL);
	if (s->bar.regs)
		cmb_off(s);
	pfn_nvme_qps_lost(dma, true);
	if (s->bus_master)
		pfn_vfio_set_bus_master(dma->dev, false, NULL);
	pfn_drv_mem_unmap(dma, &s->guard);
	pfn_drv_mem_unmap(dma, &s->mem);
	pfn_drv_bar_unmap(&s->bar);
	free(s);
	dma->priv = NULL;
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
	ret = submit_io(dma, PFN_NVME_CMD_WRITE, s->info.scratch_lba, src, size, MEM_PRP_SRC,
			&x->cid, err);
	if (ret)
		return ret;
	x->stage = XFER_WRITE;
	return 0;
}

static int nvme_memcpy_wait(struct pfn_dma *dma, int timeout_ms, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	struct nvme_xfer *x = &s->xfer;
	int64_t deadline = pfn_drv_now_us() + (int64_t)timeout_ms * 1000;
	struct pfn_nvme_cqe cqe;
	char what[128];
	int ret;

	while (x->stage != XFER_IDLE) {
		ret = pfn_nvme_poll_cq(dma, &s->ioq, x->cid, deadline, &cqe, err);
		if (ret == -ETIMEDOUT)
			return ret;	/* still in flight: may be waited for again */
		if (!ret) {
			if (x->stage == XFER_WRITE)
				snprintf(what, sizeof(what),
					 "Write of %llu bytes from IOVA %#llx (device reads)",
					 (unsigned long long)x->size, (unsigned long long)x->src);
			else
				snprintf(what, sizeof(what),
					 "Read of %llu bytes to IOVA %#llx (device writes)",
					 (unsigned long long)x->size, (unsigned long long)x->dst);
			ret = pfn_nvme_check_status(dma, &cqe, what, err);
		}
		if (ret) {
			x->stage = XFER_IDLE;
			return ret;
		}
		if (x->stage == XFER_WRITE) {
			ret = submit_io(dma, PFN_NVME_CMD_READ, s->info.scratch_lba, x->dst,
					x->size, MEM_PRP_DST, &x->cid, err);
			x->stage = ret ? XFER_IDLE : XFER_READ;
		} else if (--x->remaining) {
			ret = submit_io(dma, PFN_NVME_CMD_WRITE, s->info.scratch_lba, x->src,
					x->size, MEM_PRP_SRC, &x->cid, err);
			x->stage = ret ? XFER_IDLE : XFER_WRITE;
		} else {
			x->stage = XFER_IDLE;
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* Ask the controller to abort command @cid of queue @qid (bounded, best effort). */
static void abort_command(struct pfn_dma *dma, uint16_t qid, uint16_t cid)
{
	struct nvme_state *s = dma->priv;
	struct pfn_nvme_sqe sqe = {
		.opc = PFN_NVME_ADMIN_ABORT,
		.cdw10 = htole32((uint32_t)cid << 16 | qid),
	};

	pfn_nvme_sync(dma, &s->aq, &sqe, NVME_ABORT_TIMEOUT_MS, "Abort", NULL, NULL);
}

/*
 * Abort what is in flight, then reset the controller: with bus mastering
 * off and CSTS.RDY 0 no command of before can DMA any more.  Then the queue
 * memory and PRP lists are cleared and the queues made again.
 */
static int nvme_recover(struct pfn_dma *dma, struct pfn_err *err)
{
	struct nvme_state *s = dma->priv;
	int ret;

	s->recovering = true;
	if (s->xfer.stage != XFER_IDLE)
		abort_command(dma, NVME_IO_QID, s->xfer.cid);
	else if (s->orphan && s->orphan_qid != 0)
		abort_command(dma, s->orphan_qid, s->orphan_cid);
	ret = pfn_vfio_set_bus_master(dma->dev, false, err);
	if (!ret)
		s->bus_master = false;
	if (!ret)
		ret = pfn_nvme_ctrl_disable(dma, err);
	if (ret) {
		s->recovering = false;
		return ret;	/* the engine stays unusable: nothing is submitted */
	}
	s->io_cq = s->io_sq = false;
	pfn_nvme_qps_lost(dma, false);
	s->xfer = (struct nvme_xfer){ 0 };
	memset(s->mem.va, 0, s->mem.len);
	s->orphan = false;
	s->recovering = false;
	ret = pfn_vfio_set_bus_master(dma->dev, true, err);
	if (ret)
		return ret;
	s->bus_master = true;
	ret = pfn_nvme_ctrl_enable(dma, err);
	if (!ret)
		ret = create_io_queues(dma, err);
	return ret;
}

const struct pfn_dma_ops pfn_dma_nvme_ops = {
	.name = "nvme",
	.match = nvme_match,
	.init = nvme_init,
	.fini = nvme_fini,
	.memcpy_start = nvme_memcpy_start,
	.memcpy_wait = nvme_memcpy_wait,
	.caps = PFN_DMA_CAP_DESTRUCTIVE | PFN_DMA_CAP_RECOVER,
	.recover = nvme_recover,
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
	char what[128];

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
	snprintf(what, sizeof(what), "%s of %llu bytes with PRP1 %#llx PRP2 %#llx",
		 opc == PFN_NVME_CMD_READ ? "Read" : "Write", (unsigned long long)len,
		 (unsigned long long)prp1, (unsigned long long)prp2);
	return pfn_nvme_sync(dma, &s->ioq, &sqe, timeout_ms, what, NULL, err);
}

int pfn_nvme_cmb_info(struct pfn_dma *dma, struct pfn_nvme_cmb *out, struct pfn_err *err)
{
	struct nvme_state *s;
	uint32_t loc, sz;
	uint64_t unit;

	if (!is_nvme(dma))
		return pfn_fail(err, EINVAL, "not an open NVMe DMA driver");
	s = dma->priv;
	memset(out, 0, sizeof(*out));
	if (!s->info.cap.cmbs)
		return pfn_fail(err, ENODEV, "NVMe %s has no controller memory buffer (CAP.CMBS 0)",
				dma->dev->bdf);
	/* CMBMSC.CRE; an NVMe 1.3 controller ignores the write (reserved). */
	pfn_nvme_wr32(s, PFN_NVME_REG_CMBMSC, PFN_NVME_CMBMSC_CRE);
	loc = pfn_nvme_rd32(s, PFN_NVME_REG_CMBLOC);
	sz = pfn_nvme_rd32(s, PFN_NVME_REG_CMBSZ);
	unit = 4096ull << (4 * ((sz >> 8) & 0xf));
	if (!(sz >> 12))
		return pfn_fail(err, ENODEV, "NVMe %s reports a CMB of size 0 (CMBSZ %#x)",
				dma->dev->bdf, sz);
	out->bar = loc & 7;
	out->offset = (uint64_t)(loc >> 12) * unit;
	out->size = (uint64_t)(sz >> 12) * unit;
	out->data = (sz & (1u << 3)) && (sz & (1u << 4));	/* RDS, WDS */
	return 0;
}

int pfn_nvme_cmb_enable(struct pfn_dma *dma, uint64_t cba, struct pfn_err *err)
{
	struct nvme_state *s;

	if (!is_nvme(dma))
		return pfn_fail(err, EINVAL, "not an open NVMe DMA driver");
	s = dma->priv;
	if (cba & 0xfff)
		return pfn_fail(err, EINVAL, "CMB base address %#llx is not 4 KiB aligned",
				(unsigned long long)cba);
	/* High half first: the low half's write is what the controller acts on. */
	pfn_nvme_wr32(s, PFN_NVME_REG_CMBMSC + 4, (uint32_t)(cba >> 32));
	pfn_nvme_wr32(s, PFN_NVME_REG_CMBMSC, (uint32_t)cba | PFN_NVME_CMBMSC_CMSE |
					       PFN_NVME_CMBMSC_CRE);
	if (pfn_nvme_rd32(s, PFN_NVME_REG_CMBSTS) & 1)	/* CBAI */
		return pfn_fail(err, EINVAL, "NVMe %s refuses CMB base address %#llx (CMBSTS.CBAI)",
				dma->dev->bdf, (unsigned long long)cba);
	return 0;
}
