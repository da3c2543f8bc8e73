/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NVMe for the userspace DMA driver: register and command layouts (NVMe
 * base specification 1.4/2.0), pure helpers (CAP parsing, PRP lists, status
 * decoding, Identify parsing, argument checks) that need no device, and the
 * NVMe-specific calls of the driver in dma_nvme.c.
 */
#ifndef PFN_NVME_H
#define PFN_NVME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/dma.h"
#include "pfn/error.h"

#define PFN_NVME_CLASS		0x010802u	/* mass storage, NVM, NVMe */

/* Controller registers (BAR0) */
#define PFN_NVME_REG_CAP	0x00	/* 64 bit */
#define PFN_NVME_REG_VS		0x08
#define PFN_NVME_REG_INTMS	0x0c
#define PFN_NVME_REG_INTMC	0x10
#define PFN_NVME_REG_CC		0x14
#define PFN_NVME_REG_CSTS	0x1c
#define PFN_NVME_REG_AQA	0x24
#define PFN_NVME_REG_ASQ	0x28	/* 64 bit */
#define PFN_NVME_REG_ACQ	0x30	/* 64 bit */
#define PFN_NVME_REG_DBS	0x1000	/* first doorbell */

#define PFN_NVME_CC_EN		(1u << 0)
#define PFN_NVME_CC_CSS_NVM	(0u << 4)
#define PFN_NVME_CC_MPS(shift)	((uint32_t)((shift) - 12) << 7)
#define PFN_NVME_CC_AMS_RR	(0u << 11)
#define PFN_NVME_CC_SHN_MASK	(3u << 14)
#define PFN_NVME_CC_IOSQES(n)	((uint32_t)(n) << 16)
#define PFN_NVME_CC_IOCQES(n)	((uint32_t)(n) << 20)

#define PFN_NVME_CSTS_RDY	(1u << 0)
#define PFN_NVME_CSTS_CFS	(1u << 1)

#define PFN_NVME_SQE_SIZE	64	/* 2^6: CC.IOSQES = 6 */
#define PFN_NVME_CQE_SIZE	16	/* 2^4: CC.IOCQES = 4 */
#define PFN_NVME_PAGE		4096ull	/* CC.MPS = 0 */

/* Admin opcodes */
#define PFN_NVME_ADMIN_DELETE_SQ	0x00
#define PFN_NVME_ADMIN_CREATE_SQ	0x01
#define PFN_NVME_ADMIN_DELETE_CQ	0x04
#define PFN_NVME_ADMIN_CREATE_CQ	0x05
#define PFN_NVME_ADMIN_IDENTIFY		0x06
#define PFN_NVME_ADMIN_SET_FEATURES	0x09

/* Identify CNS values */
#define PFN_NVME_CNS_NS			0x00
#define PFN_NVME_CNS_CTRL		0x01
#define PFN_NVME_CNS_ACTIVE_NS_LIST	0x02

#define PFN_NVME_FEAT_NUM_QUEUES	0x07

/* NVM I/O opcodes */
#define PFN_NVME_CMD_WRITE		0x01
#define PFN_NVME_CMD_READ		0x02

/* Status: the 15-bit Status Field of a completion (DW3 bits 31:17). */
#define PFN_NVME_SF_SC(sf)	((sf) & 0xffu)
#define PFN_NVME_SF_SCT(sf)	(((sf) >> 8) & 0x7u)
#define PFN_NVME_SF_CRD(sf)	(((sf) >> 11) & 0x3u)
#define PFN_NVME_SF_MORE	(1u << 13)
#define PFN_NVME_SF_DNR		(1u << 14)

/* SCT/SC pairs (as pfn_dma.last_status: SCT << 8 | SC) QEMU and tests use */
#define PFN_NVME_SC_SUCCESS		0x000
#define PFN_NVME_SC_INVALID_OPCODE	0x001
#define PFN_NVME_SC_INVALID_FIELD	0x002
#define PFN_NVME_SC_DATA_XFER_ERROR	0x004
#define PFN_NVME_SC_INTERNAL		0x006
#define PFN_NVME_SC_INVALID_NS		0x00b
#define PFN_NVME_SC_LBA_RANGE		0x080
#define PFN_NVME_SC_INVALID_QID		0x101
#define PFN_NVME_SC_INVALID_QSIZE	0x102
#define PFN_NVME_SC_WRITE_FAULT		0x280
#define PFN_NVME_SC_READ_ERROR		0x281

/**
 * struct pfn_nvme_sqe - a submission queue entry (little endian in memory)
 * @opc: opcode
 * @flags: FUSE (bits 1:0), PSDT (bits 7:6; 0 = PRPs)
 * @cid: command identifier
 * @nsid: namespace
 * @cdw2: command specific
 * @cdw3: command specific
 * @mptr: metadata pointer
 * @prp1: data pointer, first PRP entry
 * @prp2: data pointer, second PRP entry or PRP list pointer
 * @cdw10: command specific
 * @cdw11: command specific
 * @cdw12: command specific
 * @cdw13: command specific
 * @cdw14: command specific
 * @cdw15: command specific
 */
struct pfn_nvme_sqe {
	uint8_t opc;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	uint64_t prp1;
	uint64_t prp2;
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};

/**
 * struct pfn_nvme_cqe - a completion queue entry (little endian in memory)
 * @dw0: command specific result
 * @dw1: reserved
 * @sqhd: submission queue head pointer
 * @sqid: submission queue the command came from
 * @cid: command identifier
 * @status: phase tag (bit 0) and Status Field (bits 15:1)
 */
struct pfn_nvme_cqe {
	uint32_t dw0;
	uint32_t dw1;
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	uint16_t status;
};

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

/** pfn_nvme_cap_parse() - decode the 64-bit CAP register into @out. */
void pfn_nvme_cap_parse(uint64_t cap, struct pfn_nvme_cap *out);

/**
 * pfn_nvme_cap_check() - can the driver run this controller?
 * @cap: decoded CAP
 * @err: says what is missing
 *
 * Return: 0, or -EOPNOTSUPP (no NVM command set, 4 KiB pages unsupported).
 */
int pfn_nvme_cap_check(const struct pfn_nvme_cap *cap, struct pfn_err *err);

/**
 * pfn_nvme_cc_enable() - the CC value that enables the controller: NVM
 * command set, 4 KiB pages, round robin, 64-byte SQEs, 16-byte CQEs.
 */
uint32_t pfn_nvme_cc_enable(void);

/**
 * pfn_nvme_doorbell() - byte offset in BAR0 of a queue's doorbell
 * @qid: queue ID (0 = admin)
 * @cq: the completion queue head doorbell (else the submission queue tail)
 * @dstrd: doorbell stride in bytes (struct pfn_nvme_cap.dstrd)
 */
uint64_t pfn_nvme_doorbell(uint16_t qid, bool cq, uint32_t dstrd);

/**
 * pfn_nvme_status_name() - the specification's name of a status code
 * @sct_sc: SCT << 8 | SC
 *
 * Return: a static string, "Unknown status" for codes not in the tables
 * (generic, command specific, media and data integrity, path related).
 */
const char *pfn_nvme_status_name(uint16_t sct_sc);

/**
 * pfn_nvme_status_format() - describe a completion's Status Field
 * @sf: the 15-bit Status Field (CQE status >> 1)
 * @buf: receives e.g. "Data Transfer Error (SCT 0 SC 0x04, DNR)"
 * @len: size of @buf
 *
 * Return: @buf.
 */
char *pfn_nvme_status_format(uint16_t sf, char *buf, size_t len);

/**
 * pfn_nvme_prp_build() - fill the data pointer of a command
 * @iova: start of the buffer (any alignment for PRP1; following pages are
 *	  assumed contiguous in IOVA space)
 * @len: bytes, > 0
 * @list: host view of the PRP list memory (page-sized pages, contiguous)
 * @list_iova: IOVA of @list, page aligned
 * @list_entries: capacity of @list in 8-byte entries (a page multiple)
 * @prp1: receives PRP1
 * @prp2: receives PRP2: 0, the second page, or @list_iova
 *
 * Entries are written little endian; when more entries are needed than one
 * list page holds, its last entry points to the next page (a PRP chain).
 *
 * Return: the number of list entries written (0 when no list is needed),
 * -EINVAL (@len 0, @list_iova unaligned, address overflow) or -E2BIG (@list
 * too small).
 */
int pfn_nvme_prp_build(uint64_t iova, uint64_t len, uint64_t *list, uint64_t list_iova,
		       size_t list_entries, uint64_t *prp1, uint64_t *prp2);

/**
 * pfn_nvme_max_transfer() - largest data transfer of a command
 * @mdts: Identify Controller MDTS (log2 of units of @mps_min; 0 = no limit)
 * @mps_min: CAP.MPSMIN in bytes
 * @cap: the driver's own limit
 *
 * Return: min(@mps_min << @mdts, @cap), @cap when @mdts is 0.
 */
uint64_t pfn_nvme_max_transfer(uint8_t mdts, uint64_t mps_min, uint64_t cap);

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
 * pfn_nvme_parse_ctrl() - decode a 4096-byte Identify Controller page
 * @page: the data
 * @out: filled
 * @err: error detail
 *
 * Return: 0, or -EOPNOTSUPP when the controller cannot take 64-byte SQEs or
 * 16-byte CQEs.
 */
int pfn_nvme_parse_ctrl(const void *page, struct pfn_nvme_ctrl_id *out,
			struct pfn_err *err);

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
 * pfn_nvme_parse_ns() - decode a 4096-byte Identify Namespace page
 * @page: the data
 * @out: filled
 * @err: error detail
 *
 * Return: 0; -ENODEV (inactive namespace: size 0); -EOPNOTSUPP (metadata,
 * or an LBA size other than 512 to 4096 bytes).
 */
int pfn_nvme_parse_ns(const void *page, struct pfn_nvme_ns_id *out, struct pfn_err *err);

/**
 * pfn_nvme_first_active_ns() - the first NSID of an Identify CNS 02h list
 * @page: the 4096-byte active namespace ID list
 *
 * Return: the NSID, 0 when the list is empty.
 */
uint32_t pfn_nvme_first_active_ns(const void *page);

/**
 * pfn_nvme_check_xfer() - validate a memcpy for the NVMe driver
 * @src: source IOVA
 * @dst: destination IOVA
 * @size: bytes
 * @lba_size: namespace LBA size
 * @max: largest transfer
 * @err: says which argument is wrong
 *
 * Return: 0, or -EINVAL: @src or @dst not 4 KiB aligned, @size 0, not a
 * multiple of @lba_size or above @max, or a range that wraps.
 */
int pfn_nvme_check_xfer(uint64_t src, uint64_t dst, uint64_t size, uint32_t lba_size,
			uint64_t max, struct pfn_err *err);

/**
 * pfn_nvme_sqe_rw() - encode an NVM Read or Write
 * @sqe: zeroed and filled
 * @opc: PFN_NVME_CMD_READ or PFN_NVME_CMD_WRITE
 * @cid: command identifier
 * @nsid: namespace
 * @slba: first LBA
 * @nlb: number of LBAs, 1..65536
 * @prp1: PRP1
 * @prp2: PRP2
 */
void pfn_nvme_sqe_rw(struct pfn_nvme_sqe *sqe, uint8_t opc, uint16_t cid, uint32_t nsid,
		     uint64_t slba, uint32_t nlb, uint64_t prp1, uint64_t prp2);

/* ---- the NVMe driver's own calls (dma_nvme.c) ---------------------------- */

/**
 * struct pfn_nvme_info - what an open NVMe driver found
 * @ctrl: Identify Controller
 * @cap: CAP
 * @vs: VS register
 * @nsid: the namespace used as scratch space
 * @ns: its Identify Namespace
 * @max_transfer: largest memcpy / raw I/O in bytes
 * @scratch_lba: first LBA of the scratch range (data there is overwritten)
 */
struct pfn_nvme_info {
	struct pfn_nvme_ctrl_id ctrl;
	struct pfn_nvme_cap cap;
	uint32_t vs;
	uint32_t nsid;
	struct pfn_nvme_ns_id ns;
	uint64_t max_transfer;
	uint64_t scratch_lba;
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

#endif /* PFN_NVME_H */
