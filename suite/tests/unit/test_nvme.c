// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DMA driver layer without a device: the driver registry and the checks
 * of pfn_dma_*, and the NVMe driver's pure logic (CAP, doorbells, PRP lists,
 * status names, Identify parsing, argument checks, command encoding).
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "pfn/dma.h"
#include "pfn/nvme.h"

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

/* ---- the registry and pfn_dma_* checks, with a fake driver ---------------------------- */

static bool nvme_matches_by_class(void)
{
	struct pfn_pci_info qemu = { .vendor = 0x1b36, .device = 0x0010, .class = 0x010802 };
	struct pfn_pci_info ssd = { .vendor = 0x144d, .device = 0xa808, .class = 0x010802 };
	struct pfn_pci_info ivshmem = { .vendor = 0x1af4, .device = 0x1110, .class = 0x050000 };
	struct pfn_pci_info ahci = { .vendor = 0x8086, .device = 0x2922, .class = 0x010601 };
	const struct pfn_dma_ops *const *all;
	size_t n;

	CHECK(pfn_dma_nvme_ops.match(&qemu));
	CHECK(pfn_dma_nvme_ops.match(&ssd));
	CHECK(!pfn_dma_nvme_ops.match(&ivshmem));
	CHECK(!pfn_dma_nvme_ops.match(&ahci));
	CHECK(pfn_dma_find(&qemu) == &pfn_dma_nvme_ops);
	CHECK(pfn_dma_find(&ivshmem) == NULL);
	all = pfn_dma_drivers(&n);
	CHECK(n >= 1);
	CHECK_STR(all[0]->name, "nvme");
	for (size_t i = 0; i < n; i++)
		CHECK(all[i]->name && all[i]->match && all[i]->init && all[i]->fini &&
		      all[i]->memcpy_start && all[i]->memcpy_wait);
	return true;
}

struct fake {
	int inits, finis, starts, waits;
	int wait_results[4];
	uint64_t src, dst, size, count;
};

static struct fake fake;

static bool fake_match(const struct pfn_pci_info *info)
{
	return info->vendor == 0xfa4e;
}

static int fake_init(struct pfn_dma *dma, struct pfn_err *err)
{
	fake.inits++;
	if (dma->iova_size < 0x2000)
		return pfn_fail(err, ENOSPC, "fake needs two pages");
	dma->priv = &fake;
	dma->max_memcpy_size = 8192;
	dma->max_memcpy_count = 2;
	return 0;
}

static void fake_fini(struct pfn_dma *dma)
{
	(void)dma;
	fake.finis++;
}

static int fake_start(struct pfn_dma *dma, uint64_t src, uint64_t dst, uint64_t size,
		      uint64_t count, struct pfn_err *err)
{
	(void)dma;
	(void)err;
	fake.starts++;
	fake.src = src;
	fake.dst = dst;
	fake.size = size;
	fake.count = count;
	return 0;
}

static int fake_wait(struct pfn_dma *dma, int timeout_ms, struct pfn_err *err)
{
	(void)dma;
	(void)timeout_ms;
	(void)err;
	return fake.wait_results[fake.waits++ % 4];
}

static const struct pfn_dma_ops fake_ops = {
	.name = "fake",
	.match = fake_match,
	.init = fake_init,
	.fini = fake_fini,
	.memcpy_start = fake_start,
	.memcpy_wait = fake_wait,
};

static bool open_checks(void)
{
	struct pfn_vfio_dev dev = { .bdf = "0000:05:00.0", .fd = 99,
				    .info = { .vendor = 0x1af4, .device = 0x1110,
					      .class = 0x050000 } };
	struct pfn_dma dma;
	struct pfn_err err;

	memset(&fake, 0, sizeof(fake));
	CHECK_INT(pfn_dma_open(&dma, &dev, 0x100000000ull, 0x200000, &err), -ENODEV);
	CHECK_CONTAINS(err.msg, "no DMA driver for 0000:05:00.0");
	CHECK_INT(pfn_dma_open_ops(&dma, &dev, &fake_ops, 0x100000800ull, 0x200000, &err),
		  -EINVAL);
	CHECK_CONTAINS(err.msg, "page aligned");
	CHECK_INT(pfn_dma_open_ops(&dma, &dev, &fake_ops, 0x100000000ull, 0, &err), -EINVAL);
	CHECK_INT(pfn_dma_open_ops(&dma, &dev, &fake_ops, UINT64_MAX & ~0xfffull, 0x2000, &err),
		  -EINVAL);
	CHECK_INT(fake.inits, 0);
	CHECK_INT(pfn_dma_open_ops(&dma, &dev, &fake_ops, 0x100000000ull, 0x1000, &err),
		  -ENOSPC);
	CHECK(dma.ops == NULL);		/* zeroed after a failed init */
	pfn_dma_close(&dma);		/* harmless on a zeroed instance */
	CHECK_INT(fake.finis, 0);
	dev.fd = -1;
	CHECK_INT(pfn_dma_open_ops(&dma, &dev, &fake_ops, 0x100000000ull, 0x2000, &err),
		  -EINVAL);
	CHECK_INT(pfn_dma_open(&dma, NULL, 0x100000000ull, 0x2000, &err), -EINVAL);
	return true;
}

static bool memcpy_checks(void)
{
	struct pfn_vfio_dev dev = { .bdf = "0000:05:00.0", .fd = 99 };
	struct pfn_dma dma;
	struct pfn_err err;

	memset(&fake, 0, sizeof(fake));
	fake.wait_results[0] = -ETIMEDOUT;
	fake.wait_results[1] = 0;
	fake.wait_results[2] = -EIO;
	CHECK_INT(pfn_dma_open_ops(&dma, &dev, &fake_ops, 0x100000000ull, 0x2000, &err), 0);
	CHECK_INT(pfn_dma_max_size(&dma), 8192);

	CHECK_INT(pfn_dma_memcpy_wait(&dma, 10, &err), -EINVAL);	/* nothing started */
	CHECK_INT(pfn_dma_memcpy_start(&dma, 0, 0x1000, 0, 1, &err), -EINVAL);
	CHECK_INT(pfn_dma_memcpy_start(&dma, 0, 0x1000, 8193, 1, &err), -EINVAL);
	CHECK_INT(pfn_dma_memcpy_start(&dma, 0, 0x1000, 4096, 0, &err), -EINVAL);
	CHECK_INT(pfn_dma_memcpy_start(&dma, 0, 0x1000, 4096, 3, &err), -EINVAL);
	CHECK_INT(pfn_dma_memcpy_start(&dma, UINT64_MAX - 10, 0x1000, 4096, 1, &err), -EINVAL);
	CHECK_INT(fake.starts, 0);

	CHECK_INT(pfn_dma_memcpy_start(&dma, 0x1000, 0x3000, 4096, 2, &err), 0);
	CHECK(dma.busy);
	CHECK_INT(fake.src, 0x1000);
	CHECK_INT(fake.dst, 0x3000);
	CHECK_INT(fake.count, 2);
	CHECK_INT(pfn_dma_memcpy_start(&dma, 0x1000, 0x3000, 4096, 1, &err), -EBUSY);
	CHECK_INT(pfn_dma_memcpy_wait(&dma, -1, &err), -EINVAL);
	CHECK_INT(pfn_dma_memcpy_wait(&dma, 10, &err), -ETIMEDOUT);
	CHECK(dma.busy);		/* still in flight: may be waited for again */
	CHECK_INT(pfn_dma_memcpy_wait(&dma, 10, &err), 0);
	CHECK(!dma.busy);

	CHECK_INT(pfn_dma_memcpy(&dma, 0x1000, 0x3000, 8192, 10, &err), -EIO);
	CHECK(!dma.busy);		/* finished, with an error */
	CHECK_INT(fake.starts, 2);

	pfn_dma_close(&dma);
	CHECK_INT(fake.finis, 1);
	pfn_dma_close(&dma);
	CHECK_INT(fake.finis, 1);
	CHECK_INT(pfn_dma_max_size(&dma), 0);
	CHECK_INT(pfn_dma_memcpy_start(&dma, 0x1000, 0x3000, 4096, 1, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "not open");
	return true;
}

static bool nvme_calls_need_nvme(void)
{
	struct pfn_vfio_dev dev = { .bdf = "0000:05:00.0", .fd = 99 };
	struct pfn_nvme_info info;
	struct pfn_dma dma;
	struct pfn_err err;

	memset(&fake, 0, sizeof(fake));
	CHECK_INT(pfn_dma_open_ops(&dma, &dev, &fake_ops, 0x100000000ull, 0x2000, &err), 0);
	CHECK_INT(pfn_nvme_info(&dma, &info, &err), -EINVAL);
	CHECK_INT(pfn_nvme_io_raw(&dma, PFN_NVME_CMD_READ, 4096, IOVA, 0, 10, &err), -EINVAL);
	CHECK_CONTAINS(err.msg, "not an open NVMe");
	pfn_dma_close(&dma);
	CHECK_INT(pfn_nvme_info(NULL, &info, &err), -EINVAL);
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
	{ "nvme_matches_by_class", nvme_matches_by_class },
	{ "open_checks", open_checks },
	{ "memcpy_checks", memcpy_checks },
	{ "nvme_calls_need_nvme", nvme_calls_need_nvme },
};

UNIT_MAIN("dma drivers and NVMe logic", cases)
