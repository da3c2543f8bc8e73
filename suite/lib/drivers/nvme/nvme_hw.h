/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NVMe register and command layouts (NVMe base specification 1.4/2.0), as
 * far as the driver uses them.  Private to lib/drivers/nvme/.
 */
#ifndef PFN_DRIVERS_NVME_HW_H
#define PFN_DRIVERS_NVME_HW_H

#include <stdint.h>

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
#define PFN_NVME_REG_CMBLOC	0x38
#define PFN_NVME_REG_CMBSZ	0x3c
#define PFN_NVME_REG_CMBMSC	0x50	/* 64 bit, NVMe 1.4 */
#define PFN_NVME_REG_CMBSTS	0x58
#define PFN_NVME_CMBMSC_CRE	(1u << 0)	/* CMB registers enabled */
#define PFN_NVME_CMBMSC_CMSE	(1u << 1)	/* CMB space enabled at CBA */
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
#define PFN_NVME_ADMIN_ABORT		0x08
#define PFN_NVME_ADMIN_SET_FEATURES	0x09

/* Identify CNS values */
#define PFN_NVME_CNS_NS			0x00
#define PFN_NVME_CNS_CTRL		0x01
#define PFN_NVME_CNS_ACTIVE_NS_LIST	0x02

#define PFN_NVME_FEAT_NUM_QUEUES	0x07

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
#define PFN_NVME_SC_ABORT_REQUESTED	0x007
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

#endif /* PFN_DRIVERS_NVME_HW_H */
