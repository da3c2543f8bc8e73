// SPDX-License-Identifier: GPL-2.0-only
/*
 * Revoke under I/O: while fio runs with its buffers in a BAR, revoke that
 * BAR (clear PCI memory enable, or reset the device) and judge with the
 * suite's DMA proof (pfn/proof.h) whether the controller's DMA still
 * reaches it.  The proof uses the last 64 KiB of the job's BAR slice,
 * which fio never gets, through the same IOMMU mapping as fio's buffers:
 *   1. positive control: a DMA through the mapping lands byte for byte;
 *   2. the buffers are marked revoked (no new I/O goes into them, and I/O
 *      completing from now on is failed), then the BAR is revoked;
 *   3. a new map of the same buffers is tried (the dma-buf path must
 *      refuse it while revoked: ENODEV);
 *   4. memory decoding is enabled again (never judge with decoding off:
 *      nothing could land), a canary is written and a DMA sent through the
 *      old IOVA: on the dma-buf path it must not land; on the type1 path
 *      the mapping survives the revoke (SPEC FIND-010);
 *   5. positive control after: a DMA into fresh host memory lands (the
 *      controller still works).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pfn/proof.h"
#include "pfn_fio.h"

#define PROOF_TAIL	PFN_FIO_PROOF_TAIL

static void control_after(struct pfn_fio_ctrl *c, struct pfn_proof *p,
			  struct pfn_fio_revoke_result *out)
{
	struct pfn_err err = { 0 };
	uint64_t iova;
	void *page;

	page = mmap(NULL, PROOF_TAIL, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (page == MAP_FAILED) {
		out->control_after = -ENOMEM;
		return;
	}
	out->control_after = pfn_iova_alloc(&c->iovas, PROOF_TAIL, 1ull << 21, &iova, &err);
	if (!out->control_after)
		out->control_after = pfn_iommu_map_user(&c->io, page, PROOF_TAIL, iova, PFN_MAP_RW,
							&err);
	if (!out->control_after) {
		pfn_proof_remap_target(p, page);
		out->control_after = pfn_proof_control(p, iova, "after the revoke, into host memory",
						       &err);
		pfn_iommu_unmap(&c->io, iova, PROOF_TAIL, NULL);
	}
	if (out->control_after)
		snprintf(out->msg, sizeof(out->msg), "positive control after the revoke: %s", err.msg);
	munmap(page, PROOF_TAIL);
}

void pfn_fio_revoke_run(struct pfn_fio_ctrl *c, struct pfn_fio_buf *b, enum pfn_fio_revoke kind,
			struct pfn_fio_revoke_result *out)
{
	struct pfn_err err = { 0 };
	struct pfn_proof p = { 0 };
	struct pfn_proof_dma d;
	struct pfn_vfio_dev *dev;
	uint64_t tail, iova;
	uint32_t bar;

	memset(out, 0, sizeof(*out));
	out->after = -1;
	dev = pfn_fio_ctrl_bar(c, &bar);
	if (b->len <= PROOF_TAIL) {
		snprintf(out->msg, sizeof(out->msg), "buffers of %llu bytes leave no room for the proof",
			 (unsigned long long)b->len);
		out->rc = -ENOSPC;
		return;
	}
	tail = b->len - PROOF_TAIL;
	out->rc = pfn_proof_open(&p, &c->dma, &c->io, &c->iovas, 16u << 10, &err);
	if (out->rc) {
		snprintf(out->msg, sizeof(out->msg), "proof: %s", err.msg);
		return;
	}
	pfn_proof_set_target(&p, (uint8_t *)b->cpu + tail);
	out->control_before = pfn_proof_control(&p, b->iova + tail, "before the revoke", &err);
	if (out->control_before) {
		snprintf(out->msg, sizeof(out->msg), "positive control before the revoke: %s", err.msg);
		pfn_proof_close(&p);
		return;
	}

	out->at_ns = pfn_fio_now_ns();
	out->done = true;
	__atomic_store_n(&b->revoked, true, __ATOMIC_RELEASE);
	if (kind == PFN_FIO_REVOKE_RESET)
		out->rc = pfn_vfio_reset(dev, &err);
	else
		out->rc = pfn_vfio_set_memory_enable(dev, false, &err);
	if (out->rc) {
		snprintf(out->msg, sizeof(out->msg), "revoke: %s", err.msg);
		pfn_proof_close(&p);
		return;
	}
	usleep(200 * 1000);	/* I/O in flight ends; the job sees its errors */

	if (b->fd >= 0 && c->cfg.map == PFN_FIO_MAP_FILE) {
		iova = 0;
		out->map_after_rc = pfn_ioas_map_file(c->io.fd, c->io.ioas_id, b->fd, 0, b->len,
						      &iova, PFN_MAP_RW | PFN_MAP_ANY_IOVA, &err);
		if (!out->map_after_rc)
			pfn_ioas_unmap(c->io.fd, c->io.ioas_id, iova, b->len, NULL, NULL);
	}

	out->rc = pfn_vfio_set_memory_enable(dev, true, &err);
	if (!out->rc)
		out->rc = pfn_proof_write_canary(&p, &err);
	if (out->rc) {
		snprintf(out->msg, sizeof(out->msg), "after the revoke, memory enabled again: %s",
			 err.msg);
		pfn_proof_close(&p);
		return;
	}
	pfn_proof_dma(&p, b->iova + tail, &d);
	out->after_status = d.status;
	out->after = (int)pfn_proof_observe(&p, &d, NULL);
	control_after(c, &p, out);
	if (!out->msg[0])
		snprintf(out->msg, sizeof(out->msg),
			 "DMA through the old mapping after the revoke: %s; the BAR holds %s",
			 d.status ? d.msg : "device reported success",
			 pfn_proof_state_held((enum pfn_proof_state)out->after));
	pfn_proof_close(&p);
}
