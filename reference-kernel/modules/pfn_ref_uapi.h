/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Userspace interface of the reference dma-buf exporter and importer
 * (pfn_ref_exporter.ko: /dev/pfn_ref_exp, pfn_ref_importer.ko:
 * /dev/pfn_ref_imp). Errors are returned as -1/errno by ioctl(2).
 */
#ifndef PFN_REF_UAPI_H
#define PFN_REF_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Memory models, as enum dma_buf_mem_model */
#define PFN_REF_MODEL_DEFAULT	0	/* the exporter's default_model parameter */
#define PFN_REF_MODEL_PINNED	1
#define PFN_REF_MODEL_DYNAMIC	2
#define PFN_REF_MODEL_REVOCABLE	3
/* no declared model ("unknown" in fdinfo) and no get_memory op, like most
 * exporters that predate memory models */
#define PFN_REF_MODEL_UNDECLARED	4

/**
 * struct pfn_ref_exp_create - export a buffer of system memory
 * @size: bytes, a multiple of the page size and of @nr_ranges pages
 * @model: PFN_REF_MODEL_*
 * @nr_ranges: number of physically contiguous blocks (1..64)
 * @fd: out: the dma-buf fd (O_RDWR | O_CLOEXEC)
 */
struct pfn_ref_exp_create {
	__u64 size;
	__u32 model;
	__u32 nr_ranges;
	__s32 fd;
	__u32 reserved;
};

/**
 * struct pfn_ref_exp_op - act on a buffer created by this exporter
 * @fd: the dma-buf fd
 * @arg: REVOKE: 1 revoke, 0 restore; MOVE and FILL: byte pattern
 */
struct pfn_ref_exp_op {
	__s32 fd;
	__u32 arg;
};

#define PFN_REF_EXP_CREATE	_IOWR('P', 0x00, struct pfn_ref_exp_create)
/* dynamic model only: move to new memory, then invalidate importers */
#define PFN_REF_EXP_MOVE	_IOW('P', 0x01, struct pfn_ref_exp_op)
/* revocable model only: revoke or restore, then invalidate importers */
#define PFN_REF_EXP_REVOKE	_IOW('P', 0x02, struct pfn_ref_exp_op)

/* Importer capability bits, as DMA_BUF_MEM_* */
#define PFN_REF_CAP_PINNED	(1u << 1)
#define PFN_REF_CAP_DYNAMIC	(1u << 2)
#define PFN_REF_CAP_REVOCABLE	(1u << 3)

#define PFN_REF_IMP_P2P		(1u << 0)	/* allow_peer2peer */
/* a static attachment: dma_buf_attach(), no importer ops at all */
#define PFN_REF_IMP_STATIC	(1u << 1)
/* importer ops without invalidate_mappings (an importer that pins) */
#define PFN_REF_IMP_NO_INVALIDATE (1u << 2)

/**
 * struct pfn_ref_imp_attach - attach to a dma-buf
 * @fd: the dma-buf fd
 * @mem_models: PFN_REF_CAP_* the importer declares (0: declares nothing);
 *	ignored with PFN_REF_IMP_STATIC
 * @flags: PFN_REF_IMP_*
 * @id: out: import handle for the other ioctls on this open file
 */
struct pfn_ref_imp_attach {
	__s32 fd;
	__u32 mem_models;
	__u32 flags;
	__u32 id;
};

/**
 * struct pfn_ref_imp_status - state of an import
 * @id: the import
 * @invalidations: invalidate_mappings callbacks received
 * @holding: 1 while chunks from the last successful GET are held
 * @nr_chunks: chunks of the last successful GET
 * @nr_ranges: ranges (all chunks) of the last successful GET
 * @nr_p2p: chunks with a p2pdma provider of the last successful GET
 * @size: bytes covered by the last successful GET
 * @first_paddr: physical address of its first range
 */
struct pfn_ref_imp_status {
	__u32 id;
	__u32 invalidations;
	__u32 holding;
	__u32 nr_chunks;
	__u32 nr_ranges;
	__u32 nr_p2p;
	__u64 size;
	__u64 first_paddr;
};

#define PFN_REF_IMP_ATTACH	_IOWR('p', 0x00, struct pfn_ref_imp_attach)
/* dma_buf_get_memory_unlocked(); chunks are held until invalidate or PUT */
#define PFN_REF_IMP_GET		_IOWR('p', 0x01, struct pfn_ref_imp_status)
#define PFN_REF_IMP_PUT		_IOW('p', 0x02, __u32)
#define PFN_REF_IMP_STATUS	_IOWR('p', 0x03, struct pfn_ref_imp_status)
#define PFN_REF_IMP_DETACH	_IOW('p', 0x04, __u32)

#endif /* PFN_REF_UAPI_H */
