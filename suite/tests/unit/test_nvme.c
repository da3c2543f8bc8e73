// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NVMe driver's pure logic without a device (CAP, doorbells, PRP lists,
 * status names, Identify parsing, argument checks, command encoding) and its
 * detector of data in use.  The registry and pfn_dma_* are in test_dma.c.
 */
#include <endian.h>
#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>

#include "harness.h"
#include "nvme/nvme_drv.h"
#include "nvme/nvme_logic.h"
#include "pfn/dma.h"

/* ---- CAP, CC, doorbells -------------------------------------------------------- */

static bool cap_fields(void)
{
	struct pfn_nvme_cap cap;
	uint64_t v = 0x7ffull			/* MQES: 2048 entries */
		   | 1ull << 16			/* CQR */
		   | 0x0full << 24		/* TO: 7.5 s */
		   | 2ull << 32			/* DSTRD: 16 bytes */
		   | 1ull << 36			/* NSSRS */
		   | 0x41ull << 37		/* CSS: NVM + I/O command sets */
		   | 1ull << 48			/* MPSMIN: 8 KiB */
		   | 4ull << 52			/* MPSMAX: 64 KiB */
		   | 1ull << 57;		/* CMBS */

	pfn_nvme_cap_parse(v, &cap);
	CHECK_INT(cap.mqes, 2048);
	CHECK(cap.cqr);
	CHECK_INT(cap.timeout_ms, 7500);
	CHECK_INT(cap.dstrd, 16);
	CHECK(cap.nssrs);
	CHECK_INT(cap.css, 0x41);
	CHECK_INT(cap.mps_min, 8192);
	CHECK_INT(cap.mps_max, 65536);
	CHECK(cap.cmbs);
	CHECK(!cap.pmrs);

	pfn_nvme_cap_parse(0, &cap);
	CHECK_INT(cap.mqes, 1);
	CHECK_INT(cap.timeout_ms, 0);
	CHECK_INT(cap.dstrd, 4);
	CHECK_INT(cap.mps_min, 4096);
	return true;
}

static bool cap_check_needs_nvm_and_4k(void)
{
	struct pfn_nvme_cap cap = {
		.mqes = 64, .css = 1, .mps_min = 4096, .mps_max = 4096, .dstrd = 4,
	};
	struct pfn_err err;

	CHECK_INT(pfn_nvme_cap_check(&cap, &err), 0);
	cap.css = 0x80;		/* admin only */
	CHECK_INT(pfn_nvme_cap_check(&cap, &err), -EOPNOTSUPP);
	CHECK_CONTAINS(err.msg, "NVM command set");
	cap.css = 1;
	cap.mps_min = 8192;
	cap.mps_max = 8192;
	CHECK_INT(pfn_nvme_cap_check(&cap, &err), -EOPNOTSUPP);
	CHECK_CONTAINS(err.msg, "4 KiB");
	cap.mps_min = 4096;
	cap.mqes = 1;
	CHECK_INT(pfn_nvme_cap_check(&cap, &err), -EOPNOTSUPP);
	return true;
}

static bool cc_enable_value(void)
{
	/* EN, CSS 0 (NVM), MPS 0 (4 KiB), AMS 0, SHN 0, IOSQES 6, IOCQES 4 */
	CHECK_INT(pfn_nvme_cc_enable(), 0x00460001);
	return true;
}

static bool doorbell_offsets(void)
{
	CHECK_INT(pfn_nvme_doorbell(0, false, 4), 0x1000);
	CHECK_INT(pfn_nvme_doorbell(0, true, 4), 0x1004);
	CHECK_INT(pfn_nvme_doorbell(1, false, 4), 0x1008);
	CHECK_INT(pfn_nvme_doorbell(1, true, 4), 0x100c);
	CHECK_INT(pfn_nvme_doorbell(1, true, 16), 0x1030);
	CHECK_INT(pfn_nvme_doorbell(3, false, 4096), 0x1000 + 6 * 4096);
	return true;
}

/* ---- PRPs ------------------------------------------------------------------------ */

#define LIST_IOVA 0x100005000ull
#define IOVA 0x200000000ull

static bool prp_one_and_two_pages(void)
{
	uint64_t list[512], prp1, prp2;

	CHECK_INT(pfn_nvme_prp_build(IOVA, 512, list, LIST_IOVA, 512, &prp1, &prp2), 0);
	CHECK_INT(prp1, IOVA);
	CHECK_INT(prp2, 0);
	CHECK_INT(pfn_nvme_prp_build(IOVA, 4096, list, LIST_IOVA, 512, &prp1, &prp2), 0);
	CHECK_INT(prp2, 0);
	CHECK_INT(pfn_nvme_prp_build(IOVA, 8192, list, LIST_IOVA, 512, &prp1, &prp2), 0);
	CHECK_INT(prp2, IOVA + 4096);
	/* An offset in PRP1: 0xe00 bytes there, 0x200 on the next page. */
	CHECK_INT(pfn_nvme_prp_build(IOVA + 0x200, 4096, list, LIST_IOVA, 512, &prp1, &prp2), 0);
	CHECK_INT(prp1, IOVA + 0x200);
	CHECK_INT(prp2, IOVA + 4096);
	return true;
}

static bool prp_list(void)
{
	uint64_t list[512], prp1, prp2;

	memset(list, 0xff, sizeof(list));
	CHECK_INT(pfn_nvme_prp_build(IOVA, 12288, list, LIST_IOVA, 512, &prp1, &prp2), 2);
	CHECK_INT(prp1, IOVA);
	CHECK_INT(prp2, LIST_IOVA);
	CHECK_INT(le64toh(list[0]), IOVA + 4096);
	CHECK_INT(le64toh(list[1]), IOVA + 8192);
	CHECK_INT(list[2], UINT64_MAX);	/* nothing past the used entries */

	/* 1 MiB: PRP1 plus 255 entries, no chain. */
	CHECK_INT(pfn_nvme_prp_build(IOVA, 1 << 20, list, LIST_IOVA, 512, &prp1, &prp2), 255);
	CHECK_INT(le64toh(list[254]), IOVA + 255 * 4096ull);

	/* Unaligned start, 8 KiB: 3 pages touched, so a list of 2. */
	CHECK_INT(pfn_nvme_prp_build(IOVA + 0x200, 8192, list, LIST_IOVA, 512, &prp1, &prp2), 2);
	CHECK_INT(prp2, LIST_IOVA);
	CHECK_INT(le64toh(list[0]), IOVA + 4096);
	CHECK_INT(le64toh(list[1]), IOVA + 8192);
	return true;
}

static bool prp_chain(void)
{
	uint64_t *list = calloc(1024, sizeof(*list)), prp1, prp2;
	uint64_t len = 4096ull * 514;	/* PRP1 + 513 list entries */

	CHECK(list);
	/* 511 data + chain pointer on the first page, 2 data on the second. */
	CHECK_INT(pfn_nvme_prp_build(IOVA, len, list, LIST_IOVA, 1024, &prp1, &prp2), 514);
	CHECK_INT(prp2, LIST_IOVA);
	CHECK_INT(le64toh(list[510]), IOVA + 511 * 4096ull);
	CHECK_INT(le64toh(list[511]), LIST_IOVA + 4096);
	CHECK_INT(le64toh(list[512]), IOVA + 512 * 4096ull);
	CHECK_INT(le64toh(list[513]), IOVA + 513 * 4096ull);

	/* Exactly 512 entries fill one page: the last slot is data, not a chain. */
	CHECK_INT(pfn_nvme_prp_build(IOVA, 4096ull * 513, list, LIST_IOVA, 1024, &prp1, &prp2),
		  512);
	CHECK_INT(le64toh(list[511]), IOVA + 512 * 4096ull);

	/* Too small a list. */
	CHECK_INT(pfn_nvme_prp_build(IOVA, len, list, LIST_IOVA, 512, &prp1, &prp2), -E2BIG);
	free(list);
	return true;
}

static bool prp_bad_arguments(void)
{
	uint64_t list[512], prp1, prp2;

	CHECK_INT(pfn_nvme_prp_build(IOVA, 0, list, LIST_IOVA, 512, &prp1, &prp2), -EINVAL);
	CHECK_INT(pfn_nvme_prp_build(IOVA, 12288, list, LIST_IOVA + 8, 512, &prp1, &prp2),
		  -EINVAL);
	CHECK_INT(pfn_nvme_prp_build(UINT64_MAX - 4095, 8192, list, LIST_IOVA, 512, &prp1,
				     &prp2), -EINVAL);
	return true;
}

static bool max_transfer(void)
{
	CHECK_INT(pfn_nvme_max_transfer(0, 4096, 1 << 20), 1 << 20);
	CHECK_INT(pfn_nvme_max_transfer(7, 4096, 1 << 20), 512 << 10);	/* QEMU default */
	CHECK_INT(pfn_nvme_max_transfer(5, 8192, 1 << 20), 256 << 10);
	CHECK_INT(pfn_nvme_max_transfer(9, 4096, 1 << 20), 1 << 20);
	CHECK_INT(pfn_nvme_max_transfer(60, 4096, 1 << 20), 1 << 20);
	return true;
}

/* ---- status ------------------------------------------------------------------------ */

static bool status_names(void)
{
	CHECK_STR(pfn_nvme_status_name(0x000), "Successful Completion");
	CHECK_STR(pfn_nvme_status_name(0x002), "Invalid Field in Command");
	CHECK_STR(pfn_nvme_status_name(0x004), "Data Transfer Error");
	CHECK_STR(pfn_nvme_status_name(0x006), "Internal Error");
	CHECK_STR(pfn_nvme_status_name(0x080), "LBA Out of Range");
	CHECK_STR(pfn_nvme_status_name(0x101), "Invalid Queue Identifier");
	CHECK_STR(pfn_nvme_status_name(0x281), "Unrecovered Read Error");
	CHECK_STR(pfn_nvme_status_name(0x286), "Access Denied");
	CHECK_STR(pfn_nvme_status_name(0x371), "Command Aborted By Host");
	CHECK_STR(pfn_nvme_status_name(0x7c1), "Vendor Specific");
	CHECK_STR(pfn_nvme_status_name(0x0ff), "Unknown status");
	CHECK_STR(pfn_nvme_status_name(0x500), "Unknown status");
	return true;
}

static bool status_format(void)
{
	char buf[128];

	/* QEMU's answer to a PRP list it could not fetch: SCT 0, SC 4, DNR. */
	CHECK_STR(pfn_nvme_status_format(PFN_NVME_SF_DNR | 0x004, buf, sizeof(buf)),
		  "Data Transfer Error (SCT 0 SC 0x04, DNR)");
	CHECK_STR(pfn_nvme_status_format(0x006, buf, sizeof(buf)),
		  "Internal Error (SCT 0 SC 0x06)");
	CHECK_STR(pfn_nvme_status_format(PFN_NVME_SF_MORE | 0x102, buf, sizeof(buf)),
		  "Invalid Queue Size (SCT 1 SC 0x02, More)");
	CHECK_INT(PFN_NVME_SF_SCT(0x281), 2);
	CHECK_INT(PFN_NVME_SF_SC(0x281), 0x81);
	CHECK_INT(PFN_NVME_SF_CRD(3u << 11), 3);
	/* Truncation stays NUL-terminated. */
	CHECK_STR(pfn_nvme_status_format(0x004, buf, 5), "Data");
	return true;
}

/* ---- Identify ------------------------------------------------------------------------ */

static void put_ascii(uint8_t *p, const char *s, size_t len)
{
	memset(p, ' ', len);
	memcpy(p, s, strlen(s));
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static bool identify_controller(void)
{
	uint8_t page[4096] = { 0 };
	struct pfn_nvme_ctrl_id id;
	struct pfn_err err;

	page[0] = 0x36;
	page[1] = 0x1b;
	put_ascii(page + 4, "pfn0", 20);
	put_ascii(page + 24, "QEMU NVMe Ctrl", 40);
	put_ascii(page + 64, "7.2.22", 8);
	page[77] = 7;
	page[78] = 0x12;
	put32(page + 80, 0x10400);
	page[512] = 0x66;
	page[513] = 0x44;
	put32(page + 516, 256);

	CHECK_INT(pfn_nvme_parse_ctrl(page, &id, &err), 0);
	CHECK_INT(id.vid, 0x1b36);
	CHECK_STR(id.serial, "pfn0");
	CHECK_STR(id.model, "QEMU NVMe Ctrl");
	CHECK_STR(id.firmware, "7.2.22");
	CHECK_INT(id.mdts, 7);
	CHECK_INT(id.cntlid, 0x12);
	CHECK_INT(id.ver, 0x10400);
	CHECK_INT(id.nn, 256);

	/* A full-width field keeps all of its characters. */
	put_ascii(page + 4, "ABCDEFGHIJKLMNOPQRST", 20);
	CHECK_INT(pfn_nvme_parse_ctrl(page, &id, &err), 0);
	CHECK_STR(id.serial, "ABCDEFGHIJKLMNOPQRST");

	page[512] = 0x77;	/* SQ entries of 128 bytes required */
	CHECK_INT(pfn_nvme_parse_ctrl(page, &id, &err), -EOPNOTSUPP);
	CHECK_CONTAINS(err.msg, "64-byte SQ");
	page[512] = 0x00;	/* NVMe 1.0 may leave it zero */
	page[513] = 0x33;	/* max CQ entry 8 bytes */
	CHECK_INT(pfn_nvme_parse_ctrl(page, &id, &err), -EOPNOTSUPP);
	CHECK_CONTAINS(err.msg, "16-byte CQ");
	return true;
}

static void ns_page(uint8_t *page, uint64_t nsze, uint8_t nlbaf, uint8_t flbas)
{
	memset(page, 0, 4096);
	put32(page, (uint32_t)nsze);
	put32(page + 4, (uint32_t)(nsze >> 32));
	page[25] = nlbaf;
	page[26] = flbas;
	for (int i = 0; i <= nlbaf && i < 64; i++)
		put32(page + 128 + 4 * i, (uint32_t)(9 + i % 4) << 16);	/* 512..4096 */
}

static bool identify_namespace(void)
{
	uint8_t page[4096];
	struct pfn_nvme_ns_id ns;
	struct pfn_err err;

	ns_page(page, 131072, 3, 0);
	CHECK_INT(pfn_nvme_parse_ns(page, &ns, &err), 0);
	CHECK_INT(ns.nsze, 131072);
	CHECK_INT(ns.lba_size, 512);
	CHECK_INT(ns.lba_shift, 9);

	ns_page(page, 1ull << 33, 3, 3);
	CHECK_INT(pfn_nvme_parse_ns(page, &ns, &err), 0);
	CHECK_INT(ns.nsze, 1ull << 33);
	CHECK_INT(ns.lba_size, 4096);
	CHECK_INT(ns.flbas_index, 3);

	/* NVMe 2.0: more than 16 formats, index bits 5:4 in FLBAS bits 6:5. */
	ns_page(page, 100, 19, (uint8_t)(1 << 5 | 2));
	CHECK_INT(pfn_nvme_parse_ns(page, &ns, &err), 0);
	CHECK_INT(ns.flbas_index, 18);
	CHECK_INT(ns.lba_size, 2048);

	ns_page(page, 0, 0, 0);
	CHECK_INT(pfn_nvme_parse_ns(page, &ns, &err), -ENODEV);

	ns_page(page, 100, 1, 2);	/* format 2 of 2 (0's based 1) */
	CHECK_INT(pfn_nvme_parse_ns(page, &ns, &err), -EINVAL);

	ns_page(page, 100, 0, 0);
	put32(page + 128, 8 | 9u << 16);	/* 512 + 8 bytes of metadata */
	CHECK_INT(pfn_nvme_parse_ns(page, &ns, &err), -EOPNOTSUPP);
	CHECK_CONTAINS(err.msg, "metadata");

	put32(page + 128, 13u << 16);		/* 8 KiB LBAs */
	CHECK_INT(pfn_nvme_parse_ns(page, &ns, &err), -EOPNOTSUPP);
	CHECK_CONTAINS(err.msg, "512 to 4096");
	return true;
}

static bool active_ns_list(void)
{
	uint8_t page[4096] = { 0 };

	CHECK_INT(pfn_nvme_first_active_ns(page), 0);
	put32(page, 3);
	put32(page + 4, 7);
	CHECK_INT(pfn_nvme_first_active_ns(page), 3);
	return true;
}

/* ---- argument checks and commands ---------------------------------------------------- */

static bool xfer_checks(void)
{
	const uint64_t max = 512 << 10;
	struct pfn_err err;

	CHECK_INT(pfn_nvme_check_xfer(IOVA, IOVA + (1 << 20), 4096, 512, max, &err), 0);
	CHECK_INT(pfn_nvme_check_xfer(IOVA, IOVA, 512, 512, max, &err), 0);
	CHECK_INT(pfn_nvme_check_xfer(IOVA, IOVA, max, 4096, max, &err), 0);

	CHECK_INT(pfn_nvme_check_xfer(IOVA + 512, IOVA, 4096, 512, max, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "4 KiB aligned");
	CHECK_INT(pfn_nvme_check_xfer(IOVA, IOVA + 8, 4096, 512, max, &err), -EINVAL);
	CHECK_INT(pfn_nvme_check_xfer(IOVA, IOVA, 0, 512, max, &err), -EINVAL);
	CHECK_INT(pfn_nvme_check_xfer(IOVA, IOVA, 100, 512, max, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "512-byte LBA");
	CHECK_INT(pfn_nvme_check_xfer(IOVA, IOVA, 512, 4096, max, &err), -EINVAL);
	CHECK_INT(pfn_nvme_check_xfer(IOVA, IOVA, max + 4096, 512, max, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "exceeds");
	CHECK_INT(pfn_nvme_check_xfer(UINT64_MAX - 4095, IOVA, 8192, 512, max, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "wraps");
	return true;
}

static bool sqe_rw_encoding(void)
{
	struct pfn_nvme_sqe sqe;

	CHECK_INT(sizeof(sqe), 64);
	CHECK_INT(sizeof(struct pfn_nvme_cqe), 16);
	memset(&sqe, 0xee, sizeof(sqe));
	pfn_nvme_sqe_rw(&sqe, PFN_NVME_CMD_READ, 0x1234, 1, 0x123456789aull, 256, IOVA,
			LIST_IOVA);
	CHECK_INT(sqe.opc, 0x02);
	CHECK_INT(sqe.flags, 0);	/* PRPs, not fused */
	CHECK_INT(le16toh(sqe.cid), 0x1234);
	CHECK_INT(le32toh(sqe.nsid), 1);
	CHECK_INT(sqe.mptr, 0);
	CHECK_INT(le64toh(sqe.prp1), IOVA);
	CHECK_INT(le64toh(sqe.prp2), LIST_IOVA);
	CHECK_INT(le32toh(sqe.cdw10), 0x3456789a);
	CHECK_INT(le32toh(sqe.cdw11), 0x12);
	CHECK_INT(le32toh(sqe.cdw12), 255);	/* NLB is 0's based */
	CHECK_INT(sqe.cdw13 | sqe.cdw14 | sqe.cdw15, 0);
	pfn_nvme_sqe_rw(&sqe, PFN_NVME_CMD_WRITE, 0, 1, 0, 65536, IOVA, 0);
	CHECK_INT(sqe.opc, 0x01);
	CHECK_INT(le32toh(sqe.cdw12), 0xffff);
	return true;
}

/* ---- the in-use detector ------------------------------------------------------ */

#define DISK_BYTES (1u << 20)

/* A zeroed first MiB with @n bytes of @magic at @off. */
static uint8_t *disk_with(size_t off, const void *magic, size_t n)
{
	uint8_t *d = calloc(1, DISK_BYTES);

	if (d && magic)
		memcpy(d + off, magic, n);
	return d;
}

/* pfn_nvme_disk_signature() of a disk with @magic at @off, then freed. */
static const char *signature_of(size_t off, const void *magic, size_t n, uint32_t lba)
{
	uint8_t *d = disk_with(off, magic, n);
	const char *found = d ? pfn_nvme_disk_signature(d, DISK_BYTES, lba) : "no memory";

	free(d);
	return found ? found : "(none)";
}

static bool guard_zeros_allowed(void)
{
	uint8_t *d = disk_with(0, NULL, 0);

	CHECK(d);
	CHECK(pfn_nvme_disk_signature(d, DISK_BYTES, 512) == NULL);
	CHECK(pfn_nvme_disk_signature(d, DISK_BYTES, 4096) == NULL);
	CHECK(pfn_nvme_disk_signature(d, 0, 512) == NULL);
	free(d);
	return true;
}

static bool guard_random_data_allowed(void)
{
	uint8_t *d = disk_with(0, NULL, 0);
	uint64_t x = 0x1234;

	CHECK(d);
	/* An earlier run's test pattern must not look like a disk in use. */
	for (size_t i = 0; i < DISK_BYTES; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		d[i] = (uint8_t)(x >> 56);
	}
	CHECK(pfn_nvme_disk_signature(d, DISK_BYTES, 512) == NULL);
	free(d);
	return true;
}

static bool guard_partition_tables(void)
{
	uint8_t *d = disk_with(0, NULL, 0);

	CHECK_STR(signature_of(512, "EFI PART", 8, 512), "a GPT partition table");
	CHECK_STR(signature_of(4096, "EFI PART", 8, 4096), "a GPT partition table");
	/* An MBR: boot signature and one entry (type 0x83, 2048 sectors). */
	CHECK(d);
	d[510] = 0x55;
	d[511] = 0xaa;
	CHECK(pfn_nvme_disk_signature(d, DISK_BYTES, 512) == NULL);	/* no entry in use */
	d[446 + 4] = 0x83;
	put32(d + 446 + 8, 2048);
	put32(d + 446 + 12, 2048);
	CHECK_STR(pfn_nvme_disk_signature(d, DISK_BYTES, 512), "an MBR partition table");
	d[446 + 16] = 0x42;	/* a boot flag no MBR has: random data */
	CHECK(pfn_nvme_disk_signature(d, DISK_BYTES, 512) == NULL);
	free(d);
	return true;
}

static bool guard_filesystems(void)
{
	static const uint8_t ext[] = { 0x53, 0xef };
	static const uint8_t luks[] = { 'L', 'U', 'K', 'S', 0xba, 0xbe };
	static const uint8_t zfs[] = { 0x0c, 0xb1, 0xba, 0, 0, 0, 0, 0 };

	CHECK_STR(signature_of(1080, ext, 2, 512), "an ext2/3/4 filesystem");
	CHECK_STR(signature_of(0, "XFSB", 4, 512), "an XFS filesystem");
	CHECK_STR(signature_of(0x10040, "_BHRfS_M", 8, 512), "a btrfs filesystem");
	CHECK_STR(signature_of(512, "LABELONE", 8, 512), "an LVM2 physical volume");
	CHECK_STR(signature_of(4086, "SWAPSPACE2", 10, 512), "a swap area");
	CHECK_STR(signature_of(65526, "SWAPSPACE2", 10, 512), "a swap area");
	CHECK_STR(signature_of(0x8001, "CD001", 5, 512), "an ISO 9660 filesystem");
	CHECK_STR(signature_of(0x20000 + 3 * 1024, zfs, 8, 512), "a ZFS pool member");
	CHECK_STR(signature_of(0, luks, 6, 512), "a LUKS encrypted volume");
	CHECK_STR(signature_of(3, "NTFS    ", 8, 512), "an NTFS filesystem");
	CHECK_STR(signature_of(82, "FAT32   ", 8, 512), "a FAT filesystem");
	/* Off by one byte: nothing. */
	CHECK_STR(signature_of(1081, ext, 2, 512), "(none)");
	CHECK_STR(signature_of(0x8002, "CD001", 5, 512), "(none)");
	return true;
}

static bool guard_short_buffer(void)
{
	uint8_t d[0x8000] = { 0 };

	/* A signature beyond the bytes given is not looked for (nor read). */
	memcpy(d + 512, "EFI PART", 8);
	CHECK(pfn_nvme_disk_signature(d, 512, 512) == NULL);
	CHECK(pfn_nvme_disk_signature(d, 520, 512) != NULL);
	return true;
}

/* ---- queues: completions matched by queue and command ID, orphans ----------- */

static alignas(8) uint8_t fake_bar[0x2000];
static alignas(64) struct pfn_nvme_sqe fake_sq[4];
static alignas(16) struct pfn_nvme_cqe fake_cq[4];

/* A driver instance on a fake BAR and queue memory: admin queue only. */
static void fake_nvme(struct pfn_dma *dma, struct nvme_state *s, struct pfn_vfio_dev *dev)
{
	memset(fake_bar, 0, sizeof(fake_bar));
	memset(fake_sq, 0, sizeof(fake_sq));
	memset(fake_cq, 0, sizeof(fake_cq));
	memset(s, 0, sizeof(*s));
	memset(dma, 0, sizeof(*dma));
	s->bar.regs = fake_bar;
	s->bar.len = sizeof(fake_bar);
	s->aq = (struct nvme_queue){ .qid = 0, .depth = 4, .sq = fake_sq, .cq = fake_cq,
				     .phase = 1, .next_cid = 5,
				     .sq_db = pfn_nvme_doorbell(0, false, 4),
				     .cq_db = pfn_nvme_doorbell(0, true, 4) };
	dma->priv = s;
	dma->dev = dev;
	dma->ops = &pfn_dma_nvme_ops;
}

static void post_cqe(int slot, uint16_t sqid, uint16_t cid, uint16_t sf)
{
	fake_cq[slot] = (struct pfn_nvme_cqe){ .sqid = htole16(sqid), .cid = htole16(cid),
					       .sqhd = htole16(1),
					       .status = htole16((uint16_t)(sf << 1 | 1)) };
}

static bool completion_needs_queue_and_cid(void)
{
	struct pfn_vfio_dev dev = { .bdf = "0000:01:00.0", .fd = 99 };
	struct pfn_nvme_sqe sqe = { .opc = 0x06 };
	struct pfn_nvme_cqe cqe;
	struct nvme_state s;
	struct pfn_dma dma;
	struct pfn_err err;
	uint16_t cid;

	fake_nvme(&dma, &s, &dev);
	CHECK_INT(pfn_nvme_submit(&dma, &s.aq, &sqe, &cid, &err), 0);
	CHECK_INT(cid, 5);
	CHECK_INT(le16toh(fake_sq[0].cid), 5);
	CHECK_INT(le32toh(*(uint32_t *)(fake_bar + 0x1000)), 1);	/* SQ tail doorbell */
	post_cqe(0, 1, 5, 0);	/* right command ID, another queue's */
	post_cqe(1, 0, 4, 0);	/* right queue, another command */
	post_cqe(2, 0, 5, 0x04);	/* ours, with a Data Transfer Error */
	CHECK_INT(pfn_nvme_poll_cq(&dma, &s.aq, cid, pfn_drv_now_us() + 100000, &cqe, &err), 0);
	CHECK_INT(cqe.sqid, 0);
	CHECK_INT(cqe.cid, 5);
	CHECK_INT(s.aq.cq_head, 3);	/* the other two were consumed and dropped */
	CHECK_INT(le32toh(*(uint32_t *)(fake_bar + 0x1004)), 3);	/* CQ head doorbell */
	CHECK_INT(pfn_nvme_check_status(&dma, &cqe, "Identify", &err), -EIO);
	CHECK_INT(dma.last_status, 0x004);
	CHECK(!s.orphan);
	return true;
}

static bool timed_out_command_blocks_queue(void)
{
	struct pfn_vfio_dev dev = { .bdf = "0000:01:00.0", .fd = 99 };
	struct pfn_nvme_sqe sqe = { .opc = 0x06 };
	struct pfn_nvme_cqe cqe;
	struct nvme_state s;
	struct pfn_dma dma;
	struct pfn_err err;
	uint16_t cid, cid2;

	fake_nvme(&dma, &s, &dev);
	CHECK_INT(pfn_nvme_submit(&dma, &s.aq, &sqe, &cid, &err), 0);
	post_cqe(0, 1, cid, 0);	/* only another queue's completion arrives */
	CHECK_INT(pfn_nvme_poll_cq(&dma, &s.aq, cid, pfn_drv_now_us() + 2000, &cqe, &err),
		  -ETIMEDOUT);
	CHECK(s.orphan);
	CHECK_INT(s.orphan_cid, cid);
	/* It may still DMA: nothing new goes out (no PRP page is rewritten)... */
	CHECK_INT(pfn_nvme_submit(&dma, &s.aq, &sqe, &cid2, &err), -EBUSY);
	CHECK_CONTAINS(err.msg, "recover");
	CHECK_INT(s.aq.sq_tail, 1);
	/* ...except by recovery itself (Abort, queue teardown). */
	s.recovering = true;
	CHECK_INT(pfn_nvme_submit(&dma, &s.aq, &sqe, &cid2, &err), 0);
	CHECK(cid2 != cid);
	s.recovering = false;
	/* Its completion arriving late clears the orphan. */
	post_cqe(1, 0, cid, 0);
	CHECK_INT(pfn_nvme_poll_cq(&dma, &s.aq, cid, pfn_drv_now_us() + 100000, &cqe, &err), 0);
	CHECK(!s.orphan);
	/* A dead device (all-ones) orphans the command too. */
	memset(fake_bar, 0xff, sizeof(fake_bar));
	CHECK_INT(pfn_nvme_poll_cq(&dma, &s.aq, cid2, pfn_drv_now_us() + 100000, &cqe, &err),
		  -ENODEV);
	CHECK(s.orphan);
	return true;
}

static const struct unit_case cases[] = {
	{ "cap_fields", cap_fields },
	{ "cap_check_needs_nvm_and_4k", cap_check_needs_nvm_and_4k },
	{ "cc_enable_value", cc_enable_value },
	{ "doorbell_offsets", doorbell_offsets },
	{ "prp_one_and_two_pages", prp_one_and_two_pages },
	{ "prp_list", prp_list },
	{ "prp_chain", prp_chain },
	{ "prp_bad_arguments", prp_bad_arguments },
	{ "max_transfer", max_transfer },
	{ "status_names", status_names },
	{ "status_format", status_format },
	{ "identify_controller", identify_controller },
	{ "identify_namespace", identify_namespace },
	{ "active_ns_list", active_ns_list },
	{ "xfer_checks", xfer_checks },
	{ "sqe_rw_encoding", sqe_rw_encoding },
	{ "guard_zeros_allowed", guard_zeros_allowed },
	{ "guard_random_data_allowed", guard_random_data_allowed },
	{ "guard_partition_tables", guard_partition_tables },
	{ "guard_filesystems", guard_filesystems },
	{ "guard_short_buffer", guard_short_buffer },
	{ "completion_needs_queue_and_cid", completion_needs_queue_and_cid },
	{ "timed_out_command_blocks_queue", timed_out_command_blocks_queue },
};

UNIT_MAIN("NVMe driver logic", cases)
