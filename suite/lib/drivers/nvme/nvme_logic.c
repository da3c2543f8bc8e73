// SPDX-License-Identifier: GPL-2.0-only
/*
 * NVMe logic that needs no device: CAP decoding, PRP lists, status names,
 * Identify parsing and argument checks (unit-tested on the host).
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nvme_logic.h"

_Static_assert(sizeof(struct pfn_nvme_sqe) == PFN_NVME_SQE_SIZE, "SQE layout");
_Static_assert(sizeof(struct pfn_nvme_cqe) == PFN_NVME_CQE_SIZE, "CQE layout");

void pfn_nvme_cap_parse(uint64_t cap, struct pfn_nvme_cap *out)
{
	out->mqes = (uint32_t)(cap & 0xffff) + 1;
	out->cqr = (cap >> 16) & 1;
	out->timeout_ms = (uint32_t)((cap >> 24) & 0xff) * 500;
	out->dstrd = 4u << ((cap >> 32) & 0xf);
	out->css = (uint8_t)((cap >> 37) & 0xff);
	out->mps_min = 4096ull << ((cap >> 48) & 0xf);
	out->mps_max = 4096ull << ((cap >> 52) & 0xf);
	out->nssrs = (cap >> 36) & 1;
	out->pmrs = (cap >> 56) & 1;
	out->cmbs = (cap >> 57) & 1;
}

int pfn_nvme_cap_check(const struct pfn_nvme_cap *cap, struct pfn_err *err)
{
	if (!(cap->css & 1))
		return pfn_fail(err, EOPNOTSUPP,
				"NVMe controller does not support the NVM command set (CAP.CSS %#x)",
				cap->css);
	if (cap->mps_min > PFN_NVME_PAGE || cap->mps_max < PFN_NVME_PAGE)
		return pfn_fail(err, EOPNOTSUPP,
				"NVMe controller does not support 4 KiB memory pages (CAP.MPSMIN %llu, MPSMAX %llu bytes)",
				(unsigned long long)cap->mps_min,
				(unsigned long long)cap->mps_max);
	if (cap->mqes < 2)
		return pfn_fail(err, EOPNOTSUPP, "NVMe CAP.MQES allows no usable queue");
	return 0;
}

uint32_t pfn_nvme_cc_enable(void)
{
	return PFN_NVME_CC_EN | PFN_NVME_CC_CSS_NVM | PFN_NVME_CC_MPS(12) |
	       PFN_NVME_CC_AMS_RR | PFN_NVME_CC_IOSQES(6) | PFN_NVME_CC_IOCQES(4);
}

uint64_t pfn_nvme_doorbell(uint16_t qid, bool cq, uint32_t dstrd)
{
	return PFN_NVME_REG_DBS + (2ull * qid + (cq ? 1 : 0)) * dstrd;
}

/* ---- status codes ---------------------------------------------------------- */

struct status_name {
	uint16_t code;	/* SCT << 8 | SC */
	const char *name;
};

static const struct status_name status_names[] = {
	/* Generic Command Status (SCT 0) */
	{ 0x000, "Successful Completion" },
	{ 0x001, "Invalid Command Opcode" },
	{ 0x002, "Invalid Field in Command" },
	{ 0x003, "Command ID Conflict" },
	{ 0x004, "Data Transfer Error" },
	{ 0x005, "Commands Aborted due to Power Loss Notification" },
	{ 0x006, "Internal Error" },
	{ 0x007, "Command Abort Requested" },
	{ 0x008, "Command Aborted due to SQ Deletion" },
	{ 0x009, "Command Aborted due to Failed Fused Command" },
	{ 0x00a, "Command Aborted due to Missing Fused Command" },
	{ 0x00b, "Invalid Namespace or Format" },
	{ 0x00c, "Command Sequence Error" },
	{ 0x00d, "Invalid SGL Segment Descriptor" },
	{ 0x00e, "Invalid Number of SGL Descriptors" },
	{ 0x00f, "Data SGL Length Invalid" },
	{ 0x010, "Metadata SGL Length Invalid" },
	{ 0x011, "SGL Descriptor Type Invalid" },
	{ 0x012, "Invalid Use of Controller Memory Buffer" },
	{ 0x013, "PRP Offset Invalid" },
	{ 0x014, "Atomic Write Unit Exceeded" },
	{ 0x015, "Operation Denied" },
	{ 0x016, "SGL Offset Invalid" },
	{ 0x018, "Host Identifier Inconsistent Format" },
	{ 0x019, "Keep Alive Timer Expired" },
	{ 0x01a, "Keep Alive Timeout Invalid" },
	{ 0x01b, "Command Aborted due to Preempt and Abort" },
	{ 0x01c, "Sanitize Failed" },
	{ 0x01d, "Sanitize In Progress" },
	{ 0x01e, "SGL Data Block Granularity Invalid" },
	{ 0x01f, "Command Not Supported for Queue in CMB" },
	{ 0x020, "Namespace is Write Protected" },
	{ 0x021, "Command Interrupted" },
	{ 0x022, "Transient Transport Error" },
	{ 0x023, "Command Prohibited by Command and Feature Lockdown" },
	{ 0x024, "Admin Command Media Not Ready" },
	{ 0x080, "LBA Out of Range" },
	{ 0x081, "Capacity Exceeded" },
	{ 0x082, "Namespace Not Ready" },
	{ 0x083, "Reservation Conflict" },
	{ 0x084, "Format In Progress" },
	/* Command Specific Status (SCT 1) */
	{ 0x100, "Completion Queue Invalid" },
	{ 0x101, "Invalid Queue Identifier" },
	{ 0x102, "Invalid Queue Size" },
	{ 0x103, "Abort Command Limit Exceeded" },
	{ 0x105, "Asynchronous Event Request Limit Exceeded" },
	{ 0x106, "Invalid Firmware Slot" },
	{ 0x107, "Invalid Firmware Image" },
	{ 0x108, "Invalid Interrupt Vector" },
	{ 0x109, "Invalid Log Page" },
	{ 0x10a, "Invalid Format" },
	{ 0x10b, "Firmware Activation Requires Conventional Reset" },
	{ 0x10c, "Invalid Queue Deletion" },
	{ 0x10d, "Feature Identifier Not Saveable" },
	{ 0x10e, "Feature Not Changeable" },
	{ 0x10f, "Feature Not Namespace Specific" },
	{ 0x110, "Firmware Activation Requires NVM Subsystem Reset" },
	{ 0x111, "Firmware Activation Requires Controller Level Reset" },
	{ 0x112, "Firmware Activation Requires Maximum Time Violation" },
	{ 0x113, "Firmware Activation Prohibited" },
	{ 0x114, "Overlapping Range" },
	{ 0x115, "Namespace Insufficient Capacity" },
	{ 0x116, "Namespace Identifier Unavailable" },
	{ 0x118, "Namespace Already Attached" },
	{ 0x119, "Namespace Is Private" },
	{ 0x11a, "Namespace Not Attached" },
	{ 0x11b, "Thin Provisioning Not Supported" },
	{ 0x11c, "Controller List Invalid" },
	{ 0x11d, "Device Self-test In Progress" },
	{ 0x11e, "Boot Partition Write Prohibited" },
	{ 0x11f, "Invalid Controller Identifier" },
	{ 0x120, "Invalid Secondary Controller State" },
	{ 0x121, "Invalid Number of Controller Resources" },
	{ 0x122, "Invalid Resource Identifier" },
	{ 0x123, "Sanitize Prohibited While Persistent Memory Region is Enabled" },
	{ 0x124, "ANA Group Identifier Invalid" },
	{ 0x125, "ANA Attach Failed" },
	{ 0x180, "Conflicting Attributes" },
	{ 0x181, "Invalid Protection Information" },
	{ 0x182, "Attempted Write to Read Only Range" },
	{ 0x183, "Command Size Limit Exceeded" },
	/* Media and Data Integrity Errors (SCT 2) */
	{ 0x280, "Write Fault" },
	{ 0x281, "Unrecovered Read Error" },
	{ 0x282, "End-to-end Guard Check Error" },
	{ 0x283, "End-to-end Application Tag Check Error" },
	{ 0x284, "End-to-end Reference Tag Check Error" },
	{ 0x285, "Compare Failure" },
	{ 0x286, "Access Denied" },
	{ 0x287, "Deallocated or Unwritten Logical Block" },
	{ 0x288, "End-to-End Storage Tag Check Error" },
	/* Path Related Status (SCT 3) */
	{ 0x300, "Internal Path Error" },
	{ 0x301, "Asymmetric Access Persistent Loss" },
	{ 0x302, "Asymmetric Access Inaccessible" },
	{ 0x303, "Asymmetric Access Transition" },
	{ 0x360, "Controller Pathing Error" },
	{ 0x370, "Host Pathing Error" },
	{ 0x371, "Command Aborted By Host" },
};

const char *pfn_nvme_status_name(uint16_t sct_sc)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (status_names[i].code == sct_sc)
			return status_names[i].name;
	if ((sct_sc >> 8) == 7)
		return "Vendor Specific";
	return "Unknown status";
}

char *pfn_nvme_status_format(uint16_t sf, char *buf, size_t len)
{
	unsigned int sct = PFN_NVME_SF_SCT(sf), sc = PFN_NVME_SF_SC(sf);

	snprintf(buf, len, "%s (SCT %u SC 0x%02x%s%s)",
		 pfn_nvme_status_name((uint16_t)(sct << 8 | sc)), sct, sc,
		 sf & PFN_NVME_SF_DNR ? ", DNR" : "", sf & PFN_NVME_SF_MORE ? ", More" : "");
	return buf;
}

/* ---- PRPs ------------------------------------------------------------------- */

int pfn_nvme_prp_build(uint64_t iova, uint64_t len, uint64_t *list, uint64_t list_iova,
		       size_t list_entries, uint64_t *prp1, uint64_t *prp2)
{
	const uint64_t page = PFN_NVME_PAGE, per_page = page / sizeof(uint64_t);
	uint64_t first, rest, pages, addr, need;
	size_t n = 0;

	if (!len || iova + len < iova || (list_iova & (page - 1)))
		return -EINVAL;
	first = page - (iova & (page - 1));
	*prp1 = iova;
	*prp2 = 0;
	if (len <= first)
		return 0;
	rest = len - first;
	addr = iova + first;
	if (rest <= page) {
		*prp2 = addr;
		return 0;
	}
	pages = (rest + page - 1) / page;
	/* Every full list page but the last gives one slot to the chain pointer. */
	need = pages <= per_page ? pages : pages + (pages - 2) / (per_page - 1);
	if (need > list_entries)
		return -E2BIG;
	*prp2 = list_iova;
	for (uint64_t p = 0; p < pages; p++) {
		if (n % per_page == per_page - 1 && pages - p > 1) {
			/* last slot of a full list page: chain to the next page */
			list[n] = htole64(list_iova + (n + 1) * sizeof(uint64_t));
			n++;
		}
		list[n++] = htole64(addr);
		addr += page;
	}
	return (int)n;
}

uint64_t pfn_nvme_max_transfer(uint8_t mdts, uint64_t mps_min, uint64_t cap)
{
	uint64_t max;

	if (!mdts || mdts >= 32)
		return cap;
	max = mps_min << mdts;
	return max < cap ? max : cap;
}

/* ---- Identify -------------------------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Copy a space-padded ASCII field, dropping the padding. */
static void ascii_field(char *out, const uint8_t *in, size_t len)
{
	size_t n = len;

	while (n && (in[n - 1] == ' ' || in[n - 1] == '\0'))
		n--;
	for (size_t i = 0; i < n; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? (char)in[i] : '?';
	out[n] = '\0';
}

int pfn_nvme_parse_ctrl(const void *page, struct pfn_nvme_ctrl_id *out,
			struct pfn_err *err)
{
	const uint8_t *p = page;

	memset(out, 0, sizeof(*out));
	out->vid = get16(p + 0);
	ascii_field(out->serial, p + 4, 20);
	ascii_field(out->model, p + 24, 40);
	ascii_field(out->firmware, p + 64, 8);
	out->mdts = p[77];
	out->cntlid = get16(p + 78);
	out->ver = get32(p + 80);
	out->sqes = p[512];
	out->cqes = p[513];
	out->nn = get32(p + 516);

	/* NVMe 1.0 controllers may leave SQES/CQES zero: 64/16 is the only size. */
	if (out->sqes && ((out->sqes & 0xf) > 6 || (out->sqes >> 4) < 6))
		return pfn_fail(err, EOPNOTSUPP,
				"NVMe controller %s does not take 64-byte SQ entries (SQES %#x)",
				out->model, out->sqes);
	if (out->cqes && ((out->cqes & 0xf) > 4 || (out->cqes >> 4) < 4))
		return pfn_fail(err, EOPNOTSUPP,
				"NVMe controller %s does not take 16-byte CQ entries (CQES %#x)",
				out->model, out->cqes);
	return 0;
}

int pfn_nvme_parse_ns(const void *page, struct pfn_nvme_ns_id *out, struct pfn_err *err)
{
	const uint8_t *p = page;
	uint8_t nlbaf, flbas, idx;
	uint32_t lbaf;

	memset(out, 0, sizeof(*out));
	out->nsze = get64(p + 0);
	if (!out->nsze)
		return pfn_fail(err, ENODEV, "NVMe namespace is inactive (size 0)");
	nlbaf = p[25];
	flbas = p[26];
	/* FLBAS bits 3:0 index the format; bits 6:5 extend it past 16 (NVMe 2.0). */
	idx = (uint8_t)(flbas & 0xf);
	if (nlbaf >= 16)
		idx = (uint8_t)(idx | ((flbas >> 5) & 0x3) << 4);
	if (idx > nlbaf || idx >= 64)
		return pfn_fail(err, EINVAL, "NVMe FLBAS selects format %u of %u", idx,
				nlbaf + 1u);
	lbaf = get32(p + 128 + 4u * idx);
	out->flbas_index = idx;
	out->ms = (uint16_t)(lbaf & 0xffff);
	out->lba_shift = (lbaf >> 16) & 0xff;
	if (out->lba_shift < 9 || out->lba_shift > 12)
		return pfn_fail(err, EOPNOTSUPP,
				"NVMe namespace LBA size 2^%u bytes: only 512 to 4096 are supported",
				out->lba_shift);
	out->lba_size = 1u << out->lba_shift;
	if (out->ms)
		return pfn_fail(err, EOPNOTSUPP,
				"NVMe namespace format %u has %u metadata bytes per LBA: format it without metadata",
				idx, out->ms);
	return 0;
}

uint32_t pfn_nvme_first_active_ns(const void *page)
{
	return get32(page);
}

/* ---- commands and arguments ---------------------------------------------- */

int pfn_nvme_check_xfer(uint64_t src, uint64_t dst, uint64_t size, uint32_t lba_size,
			uint64_t max, struct pfn_err *err)
{
	if ((src | dst) & (PFN_NVME_PAGE - 1))
		return pfn_fail(err, EINVAL,
				"NVMe memcpy needs 4 KiB aligned IOVAs: src %#llx dst %#llx",
				(unsigned long long)src, (unsigned long long)dst);
	if (!size || !lba_size || size % lba_size)
		return pfn_fail(err, EINVAL,
				"NVMe memcpy size %llu is not a positive multiple of the %u-byte LBA",
				(unsigned long long)size, lba_size);
	if (size > max)
		return pfn_fail(err, EINVAL, "NVMe memcpy size %llu exceeds the maximum %llu",
				(unsigned long long)size, (unsigned long long)max);
	if (src + size < src || dst + size < dst)
		return pfn_fail(err, EINVAL, "NVMe memcpy range wraps around the IOVA space");
	return 0;
}

void pfn_nvme_sqe_rw(struct pfn_nvme_sqe *sqe, uint8_t opc, uint16_t cid, uint32_t nsid,
		     uint64_t slba, uint32_t nlb, uint64_t prp1, uint64_t prp2)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opc = opc;
	sqe->cid = htole16(cid);
	sqe->nsid = htole32(nsid);
	sqe->prp1 = htole64(prp1);
	sqe->prp2 = htole64(prp2);
	sqe->cdw10 = htole32((uint32_t)slba);
	sqe->cdw11 = htole32((uint32_t)(slba >> 32));
	sqe->cdw12 = htole32((nlb - 1) & 0xffff);
}
