/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NVMe DMA driver's state, shared by its bring-up and ops (nvme.c) and
 * its queue handling (nvme_queue.c).  Private to lib/drivers/nvme/.
 */
#ifndef PFN_DRIVERS_NVME_DRV_H
#define PFN_DRIVERS_NVME_DRV_H

#include <stdbool.h>
#include <stdint.h>

#include "../driver.h"
#include "nvme_logic.h"
#include "pfn/dma.h"
#include "pfn/nvme.h"

#define NVME_ADMIN_DEPTH	32
#define NVME_IO_DEPTH		64
#define NVME_IO_QID		1
#define NVME_ADMIN_TIMEOUT_MS	10000
#define NVME_MIN_READY_MS	500

/**
 * struct nvme_queue - one submission/completion queue pair
 * @qid: queue ID (0 = admin); completions must carry it as their SQ ID
 * @depth: entries in each queue
 * @sq: submission queue entries (driver memory)
 * @cq: completion queue entries (driver memory, written by the device)
 * @sq_iova: IOVA of @sq
 * @cq_iova: IOVA of @cq
 * @sq_tail: next free SQ slot
 * @sq_head: SQ head as last reported by the controller
 * @cq_head: next CQ slot to look at
 * @phase: phase tag a new completion carries
 * @next_cid: command ID of the next submission; kept across controller
 *	resets, so a command never shares its ID with one before the reset
 * @sq_db: BAR0 offset of the SQ tail doorbell
 * @cq_db: BAR0 offset of the CQ head doorbell
 */
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

enum nvme_xfer_stage {
	XFER_IDLE,
	XFER_WRITE,	/* device reads src */
	XFER_READ,	/* device writes dst */
};

/**
 * struct nvme_xfer - the memcpy in flight
 * @stage: which half is on the I/O queue
 * @src: source IOVA
 * @dst: destination IOVA
 * @size: bytes
 * @remaining: repetitions left, this one included
 * @cid: command ID of the half in flight
 */
struct nvme_xfer {
	enum nvme_xfer_stage stage;
	uint64_t src;
	uint64_t dst;
	uint64_t size;
	uint64_t remaining;
	uint16_t cid;
};

/**
 * struct nvme_state - the driver instance behind struct pfn_dma.priv
 * @bar: BAR0
 * @mem: queues, Identify buffer and PRP lists (at the window's start)
 * @guard: the first LBAs, read at init to look for data in use
 * @bus_master: PCI bus mastering was enabled by the driver
 * @enabled: CC.EN was set by the driver
 * @io_cq: the I/O completion queue exists
 * @io_sq: the I/O submission queue exists
 * @orphan: a command ended without its completion (timeout, fatal status):
 *	it may still DMA, so nothing new is sent until a controller reset
 * @orphan_qid: its queue
 * @orphan_cid: its command ID
 * @recovering: recover or fini runs: submissions despite @orphan are allowed
 * @info: what init found
 * @aq: the admin queue pair
 * @ioq: the I/O queue pair
 * @xfer: the memcpy in flight
 * @nr_ioq: I/O queue pairs the controller granted (Set Features, Number of
 *	Queues): queue 1 is @ioq, 2..@nr_ioq can be extra pairs
 * @qps: the extra queue pairs (nvme_qp.c), by index (qid - 2)
 */
struct nvme_state {
	struct pfn_drv_bar bar;
	struct pfn_drv_mem mem;
	struct pfn_drv_mem guard;
	bool bus_master;
	bool enabled;
	bool io_cq;
	bool io_sq;
	bool orphan;
	uint16_t orphan_qid;
	uint16_t orphan_cid;
	bool recovering;
	struct pfn_nvme_info info;
	struct nvme_queue aq;
	struct nvme_queue ioq;
	struct nvme_xfer xfer;
	uint16_t nr_ioq;
	struct pfn_nvme_qp *qps[PFN_NVME_MAX_QPAIRS];
};

/* Layout of the driver's memory; the same offsets apply from iova_base. */
#define NVME_PRP_PAGES		2	/* PRP list pages for NVME_XFER_CAP */
#define NVME_PRP_ENTRIES	(NVME_PRP_PAGES * PFN_NVME_PAGE / sizeof(uint64_t))
enum {
	MEM_ASQ = 0x0000,
	MEM_ACQ = 0x1000,
	MEM_IOSQ = 0x2000,
	MEM_IOCQ = 0x3000,
	MEM_IDENT = 0x4000,
	MEM_PRP_SRC = 0x5000,
	MEM_PRP_DST = MEM_PRP_SRC + NVME_PRP_PAGES * 0x1000,
	MEM_SIZE = MEM_PRP_DST + NVME_PRP_PAGES * 0x1000,
};

/* ---- nvme_qp.c ----------------------------------------------------------- */

/**
 * pfn_nvme_qps_lost() - the controller was disabled (fini, recover): every
 * extra queue pair is dead; with @unmap (fini) their memory is unmapped too
 * and they are detached from @dma, so that pfn_nvme_qp_destroy() only frees.
 */
void pfn_nvme_qps_lost(struct pfn_dma *dma, bool unmap);

/* ---- nvme_queue.c -------------------------------------------------------- */

uint32_t pfn_nvme_rd32(struct nvme_state *s, uint64_t off);
void pfn_nvme_wr32(struct nvme_state *s, uint64_t off, uint32_t v);
/* 64-bit registers as two 32-bit accesses, low half first. */
uint64_t pfn_nvme_rd64(struct nvme_state *s, uint64_t off);

/** pfn_nvme_ctrl_disable() - clear CC.EN and wait (bounded) for CSTS.RDY 0. */
int pfn_nvme_ctrl_disable(struct pfn_dma *dma, struct pfn_err *err);

/**
 * pfn_nvme_ctrl_enable() - set up the admin queue in driver memory, set
 * CC.EN and wait for CSTS.RDY; lays out the I/O queue pair too.  Command IDs
 * go on from where they were.
 */
int pfn_nvme_ctrl_enable(struct pfn_dma *dma, struct pfn_err *err);

/**
 * pfn_nvme_submit() - put @sqe on @q with the next command ID (in @cid)
 *
 * Return: 0; -EBUSY (queue full, or an orphaned command needs a reset).
 */
int pfn_nvme_submit(struct pfn_dma *dma, struct nvme_queue *q, struct pfn_nvme_sqe *sqe,
		    uint16_t *cid, struct pfn_err *err);

/**
 * pfn_nvme_poll_cq() - wait until @deadline (us) for the completion of
 * command @cid of @q: an entry with SQ ID @q->qid and command ID @cid.
 * Other entries (of a command that ended earlier) are consumed and dropped.
 * On any failure the command becomes the orphan until a reset, or until its
 * completion is seen by a later poll.
 *
 * Return: 0 (@out filled); -ETIMEDOUT; -ENODEV (device gone); -EIO (CFS).
 */
int pfn_nvme_poll_cq(struct pfn_dma *dma, struct nvme_queue *q, uint16_t cid,
		     int64_t deadline, struct pfn_nvme_cqe *out, struct pfn_err *err);

/** pfn_nvme_check_status() - 0, or -EIO naming @what and the status. */
int pfn_nvme_check_status(struct pfn_dma *dma, const struct pfn_nvme_cqe *cqe,
			  const char *what, struct pfn_err *err);

/** pfn_nvme_sync() - submit @sqe on @q, wait @timeout_ms, check the status. */
int pfn_nvme_sync(struct pfn_dma *dma, struct nvme_queue *q, struct pfn_nvme_sqe *sqe,
		  int timeout_ms, const char *what, struct pfn_nvme_cqe *cqe_out,
		  struct pfn_err *err);

/** pfn_nvme_identify() - Identify @cns of @nsid into MEM_IDENT. */
int pfn_nvme_identify(struct pfn_dma *dma, uint32_t cns, uint32_t nsid, const char *what,
		      struct pfn_err *err);

#endif /* PFN_DRIVERS_NVME_DRV_H */
