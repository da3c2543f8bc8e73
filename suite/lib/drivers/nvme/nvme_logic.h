/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NVMe logic that needs no device (nvme_logic.c, nvme_guard.c): CAP parsing,
 * PRP lists, status decoding, Identify parsing, argument checks and the
 * in-use data detector.  Private to lib/drivers/nvme/ and its unit test.
 */
#ifndef PFN_DRIVERS_NVME_LOGIC_H
#define PFN_DRIVERS_NVME_LOGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfn/nvme.h"
#include "nvme_hw.h"

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

/**
 * pfn_nvme_disk_signature() - does @buf, the first bytes of a namespace,
 * look like data in use?
 * @buf: the namespace's bytes from LBA 0
 * @len: bytes in @buf (signatures beyond it are not looked for)
 * @lba_size: the namespace's LBA size (a GPT header sits in LBA 1)
 *
 * Looks for an MBR with a partition entry, a GPT header, and the signatures
 * of ext2/3/4, XFS, btrfs, LVM2, swap, ZFS, ISO 9660, LUKS, FAT, exFAT and
 * NTFS.
 *
 * Return: what was found, e.g. "a GPT partition table" (static string), or
 * NULL when nothing was (all zeros, or test patterns).
 */
const char *pfn_nvme_disk_signature(const uint8_t *buf, size_t len, uint32_t lba_size);

#endif /* PFN_DRIVERS_NVME_LOGIC_H */
