/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What callers may ask of the NVMe DMA driver (lib/drivers/nvme/) beyond
 * struct pfn_dma_ops: what it found, and one raw Read or Write with a data
 * pointer the caller builds.  Register and command layouts are private to
 * the driver (lib/drivers/nvme/nvme_hw.h).
 */
#ifndef PFN_NVME_H
#define PFN_NVME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/dma.h"
#include "pfn/error.h"

/* NVM I/O opcodes pfn_nvme_io_raw() takes */
#define PFN_NVME_CMD_WRITE		0x01
#define PFN_NVME_CMD_READ		0x02

/**
 * struct pfn_nvme_cap - the Controller Capabilities register, decoded
 * @mqes: maximum entries per queue (MQES + 1)
 * @cqr: queues must be physically contiguous
 * @timeout_ms: worst-case time for CSTS.RDY to follow CC.EN (CAP.TO * 500)
 * @dstrd: doorbell stride in bytes (4 << CAP.DSTRD)
 * @css: command sets supported (bit 0: NVM, bit 6: I/O sets, bit 7: admin only)
 * @mps_min: smallest memory page size in bytes
 * @mps_max: largest memory page size in bytes
 * @nssrs: NVM subsystem reset supported
 * @cmbs: controller memory buffer supported
 * @pmrs: persistent memory region supported
 */
struct pfn_nvme_cap {
	uint32_t mqes;
	bool cqr;
	uint32_t timeout_ms;
	uint32_t dstrd;
	uint8_t css;
	uint64_t mps_min;
	uint64_t mps_max;
	bool nssrs;
	bool cmbs;
	bool pmrs;
};

/**
 * struct pfn_nvme_ctrl_id - what the driver uses of Identify Controller
 * @vid: PCI vendor ID
 * @serial: serial number, trailing spaces removed
 * @model: model number, trailing spaces removed
 * @firmware: firmware revision, trailing spaces removed
 * @mdts: maximum data transfer size (log2 of MPSMIN units, 0 = unlimited)
 * @cntlid: controller ID
 * @ver: version (major << 16 | minor << 8 | tertiary), 0 before NVMe 1.2
 * @sqes: SQ entry size byte (required log2 in bits 3:0, max in bits 7:4)
 * @cqes: CQ entry size byte (same layout)
 * @nn: number of namespaces (highest valid NSID)
 */
struct pfn_nvme_ctrl_id {
	uint16_t vid;
	char serial[21];
	char model[41];
	char firmware[9];
	uint8_t mdts;
	uint16_t cntlid;
	uint32_t ver;
	uint8_t sqes;
	uint8_t cqes;
	uint32_t nn;
};

/**
 * struct pfn_nvme_ns_id - what the driver uses of Identify Namespace
 * @nsze: namespace size in logical blocks
 * @lba_shift: log2 of the LBA data size of the format in use
 * @lba_size: LBA data size in bytes
 * @ms: metadata bytes per LBA of the format in use
 * @flbas_index: index of the LBA format in use
 */
struct pfn_nvme_ns_id {
	uint64_t nsze;
	uint32_t lba_shift;
	uint32_t lba_size;
	uint16_t ms;
	uint8_t flbas_index;
};

/**
 * struct pfn_nvme_info - what an open NVMe driver found
 * @ctrl: Identify Controller
 * @cap: CAP
 * @vs: VS register
 * @nsid: the namespace used as scratch space
 * @ns: its Identify Namespace
 * @max_transfer: largest memcpy / raw I/O in bytes
 * @scratch_lba: first LBA of the scratch range (data there is overwritten)
 * @checked_bytes: bytes from LBA 0 that init found free of partition tables
 *	and filesystem signatures; 0 when opened with allow_destructive
 *	(nothing checked) */
struct pfn_nvme_info {
	struct pfn_nvme_ctrl_id ctrl;
	struct pfn_nvme_cap cap;
	uint32_t vs;
	uint32_t nsid;
	struct pfn_nvme_ns_id ns;
	uint64_t max_transfer;
	uint64_t scratch_lba;
	uint64_t checked_bytes;
};

/**
 * pfn_nvme_info() - copy what the NVMe driver of @dma found
 * @dma: an instance opened with the NVMe driver
 * @out: filled
 * @err: error detail
 *
 * Return: 0, or -EINVAL when @dma is not an open NVMe instance.
 */
int pfn_nvme_info(const struct pfn_dma *dma, struct pfn_nvme_info *out,
		  struct pfn_err *err);

/**
 * pfn_nvme_io_raw() - one NVM Read or Write of the scratch range with a data
 * pointer built by the caller, e.g. a PRP list placed in a peer's BAR
 * @dma: an instance opened with the NVMe driver, no memcpy in flight
 * @opc: PFN_NVME_CMD_READ or PFN_NVME_CMD_WRITE
 * @len: bytes from the start of the scratch range (LBA-size multiple, at
 *	 most the maximum transfer)
 * @prp1: PRP1 exactly as it goes in the command
 * @prp2: PRP2 exactly as it goes in the command
 * @timeout_ms: longest wait
 * @err: error detail; names the NVMe status on -EIO
 *
 * Return: 0; -EIO (the controller completed the command with an error,
 * status in @dma->last_status); -ETIMEDOUT; -EINVAL; -EBUSY.
 */
int pfn_nvme_io_raw(struct pfn_dma *dma, uint8_t opc, uint64_t len, uint64_t prp1,
		    uint64_t prp2, int timeout_ms, struct pfn_err *err);

/* ---- extra I/O queue pairs (fio engine, benchmarks) ------------------------ */

/* Most extra I/O queue pairs one instance can have (qids 2 and up). */
#define PFN_NVME_MAX_QPAIRS	16
/* Deepest extra queue pair (entries; one stays free, so depth - 1 in flight). */
#define PFN_NVME_QP_MAX_DEPTH	256
/* IOVA a queue pair's memory takes in the driver window, after the driver's own. */
#define PFN_NVME_QP_IOVA	(2ull << 20)
/* IOVA window an instance with @nqp extra queue pairs needs (pfn_dma_open2()). */
#define PFN_NVME_IOVA_WINDOW(nqp) (PFN_DMA_IOVA_WINDOW + (uint64_t)(nqp) * PFN_NVME_QP_IOVA)

/**
 * struct pfn_nvme_done - one completion reaped from a queue pair
 * @tag: what the caller passed to pfn_nvme_qp_submit()
 * @sf: the 15-bit Status Field (0: success); pfn_nvme_status_describe()
 *	words it
 */
struct pfn_nvme_done {
	uint64_t tag;
	uint16_t sf;
};

struct pfn_nvme_qp;

/**
 * pfn_nvme_qp_create() - an I/O queue pair of its own (SQ and CQ, PRP list
 * pages, one per slot), for one thread: submissions and completions on
 * different queue pairs may run concurrently; creating and destroying them
 * (admin commands) must be serialised by the caller, and not run while the
 * instance's memcpy is in flight
 * @dma: an open NVMe instance whose IOVA window is at least
 *	 PFN_NVME_IOVA_WINDOW(PFN_NVME_MAX_QPAIRS) or covers this pair's slot
 * @depth: entries per queue, 2..min(PFN_NVME_QP_MAX_DEPTH, CAP.MQES);
 *	   depth - 1 commands may be in flight
 * @out: receives the queue pair
 * @err: error detail (names the limit that was exceeded)
 *
 * Return: 0; -EINVAL (not an NVMe instance, depth out of range, window too
 * small), -ENOSPC (the controller granted fewer queues), or the error of the
 * Create I/O CQ/SQ command.
 */
int pfn_nvme_qp_create(struct pfn_dma *dma, uint32_t depth, struct pfn_nvme_qp **out,
		       struct pfn_err *err);

/**
 * pfn_nvme_qp_destroy() - delete the queues (bounded waits) and free the
 * pair; its commands must have completed (or the controller been disabled).
 * Safe on NULL and on a pair whose instance was closed or recovered.
 */
void pfn_nvme_qp_destroy(struct pfn_nvme_qp *qp);

/** pfn_nvme_qp_slots() - commands that may be in flight at once (depth - 1). */
uint32_t pfn_nvme_qp_slots(const struct pfn_nvme_qp *qp);

/** pfn_nvme_qp_inflight() - commands submitted and not yet reaped. */
uint32_t pfn_nvme_qp_inflight(const struct pfn_nvme_qp *qp);

/**
 * pfn_nvme_qp_submit() - put one NVM Read or Write on the SQ (the doorbell
 * waits for pfn_nvme_qp_ring())
 * @qp: queue pair
 * @opc: PFN_NVME_CMD_READ or PFN_NVME_CMD_WRITE
 * @byte_off: namespace byte offset (LBA multiple)
 * @len: bytes (LBA multiple, at most the maximum transfer)
 * @iova: data buffer IOVA (4-byte aligned; the pages after the first are
 *	  taken as IOVA-contiguous); a PRP list is built in the slot's page
 * @tag: returned with the completion
 * @err: error detail
 *
 * Return: 0; -EBUSY (every slot in flight); -EINVAL (arguments); -ENODEV
 * (the queue pair died: controller reset or closed).
 */
int pfn_nvme_qp_submit(struct pfn_nvme_qp *qp, uint8_t opc, uint64_t byte_off, uint64_t len,
		       uint64_t iova, uint64_t tag, struct pfn_err *err);

/** pfn_nvme_qp_ring() - write the SQ tail doorbell for what was submitted. */
void pfn_nvme_qp_ring(struct pfn_nvme_qp *qp);

/**
 * pfn_nvme_qp_reap() - take up to @max completions off the CQ, not waiting
 * @qp: queue pair
 * @out: receives them
 * @max: room in @out
 * @err: error detail
 *
 * Return: the number reaped (0: none yet); -ENODEV (the pair died).  No
 * register is read: a caller waiting long calls pfn_nvme_qp_check().
 */
int pfn_nvme_qp_reap(struct pfn_nvme_qp *qp, struct pfn_nvme_done *out, unsigned int max,
		     struct pfn_err *err);

/**
 * pfn_nvme_qp_check() - is the controller still there? (reads CSTS)
 * @qp: queue pair
 * @err: error detail
 *
 * Return: 0; -ENODEV (CSTS reads all-ones: device gone or its memory
 * disabled; or the pair died), -EIO (Controller Fatal Status).
 */
int pfn_nvme_qp_check(struct pfn_nvme_qp *qp, struct pfn_err *err);

/**
 * struct pfn_nvme_cmb - the controller memory buffer (CMBLOC, CMBSZ)
 * @bar: the BAR holding it (CMBLOC.BIR)
 * @offset: its offset in that BAR
 * @size: its size in bytes
 * @data: it may hold read and write data (CMBSZ.RDS and WDS)
 */
struct pfn_nvme_cmb {
	uint32_t bar;
	uint64_t offset;
	uint64_t size;
	bool data;
};

/**
 * pfn_nvme_cmb_info() - describe the CMB, first enabling its registers
 * (CMBMSC.CRE: NVMe 1.4 controllers read CMBLOC and CMBSZ as 0 until then)
 * @dma: an open NVMe instance
 * @out: filled
 * @err: error detail
 *
 * Return: 0; -ENODEV (no CMB: CAP.CMBS 0, or CMBSZ 0); -EINVAL (not NVMe).
 */
int pfn_nvme_cmb_info(struct pfn_dma *dma, struct pfn_nvme_cmb *out, struct pfn_err *err);

/**
 * pfn_nvme_cmb_enable() - tell the controller where the host sees its CMB
 * (CMBMSC.CBA = @cba, CMSE): from then on it serves data pointers in
 * [@cba, @cba + size) from the CMB itself instead of DMAing them
 * @dma: an open NVMe instance with a CMB
 * @cba: the IOVA of the CMB's first byte, 4 KiB aligned
 * @err: error detail
 *
 * Return: 0; -EINVAL (refused: CMBSTS.CBAI, or @cba unaligned); -ENODEV.
 */
int pfn_nvme_cmb_enable(struct pfn_dma *dma, uint64_t cba, struct pfn_err *err);

/**
 * pfn_nvme_status_describe() - word a Status Field, e.g. "Data Transfer
 * Error (SCT 0 SC 0x04, DNR)"
 * @sf: the 15-bit Status Field
 * @buf: receives the text
 * @len: size of @buf
 *
 * Return: @buf.
 */
char *pfn_nvme_status_describe(uint16_t sf, char *buf, size_t len);

#endif /* PFN_NVME_H */
