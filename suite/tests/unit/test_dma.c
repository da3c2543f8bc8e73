// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DMA driver registry and the checks of pfn_dma_* without a device:
 * matching, open/close, memcpy argument and busy checks, recovery, and the
 * test-only faults, with a fake driver.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "pfn/dma.h"
#include "pfn/nvme.h"

#define IOVA 0x200000000ull


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
	CHECK(n >= 2);
	CHECK_STR(all[0]->name, "nvme");
	return true;
}

static bool edu_matches_by_id(void)
{
	struct pfn_pci_info edu = { .vendor = 0x1234, .device = 0x11e8, .class = 0x00ff00 };
	struct pfn_pci_info vga = { .vendor = 0x1234, .device = 0x1111, .class = 0x030000 };

	CHECK(pfn_dma_edu_ops.match(&edu));
	CHECK(!pfn_dma_edu_ops.match(&vga));
	CHECK(!pfn_dma_nvme_ops.match(&edu));
	CHECK(pfn_dma_find(&edu) == &pfn_dma_edu_ops);
	CHECK(pfn_dma_find(&vga) == NULL);
	return true;
}

static bool registry_drivers_complete(void)
{
	const struct pfn_dma_ops *const *all;
	size_t n;

	all = pfn_dma_drivers(&n);
	for (size_t i = 0; i < n; i++) {
		printf("# driver %s: caps %#x\n", all[i]->name, all[i]->caps);
		CHECK(all[i]->name && all[i]->match && all[i]->init && all[i]->fini &&
		      all[i]->memcpy_start && all[i]->memcpy_wait);
		/* RECOVER is claimed exactly when there is an op to do it. */
		CHECK(!!(all[i]->caps & PFN_DMA_CAP_RECOVER) == !!all[i]->recover);
		CHECK(!(all[i]->caps & ~(PFN_DMA_CAP_REPORTS_IOMMU_FAULT |
					 PFN_DMA_CAP_DESTRUCTIVE | PFN_DMA_CAP_RECOVER)));
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(all[i]->name, all[j]->name));
	}
	CHECK(pfn_dma_nvme_ops.caps & PFN_DMA_CAP_DESTRUCTIVE);
	CHECK(pfn_dma_nvme_ops.caps & PFN_DMA_CAP_RECOVER);
	/* edu ignores the result of its DMA: no fault reporting; no disk. */
	CHECK_INT(pfn_dma_edu_ops.caps, PFN_DMA_CAP_RECOVER);
	return true;
}

struct fake {
	int inits, finis, starts, waits, recovers;
	int recover_result;
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

static int fake_recover(struct pfn_dma *dma, struct pfn_err *err)
{
	(void)dma;
	fake.recovers++;
	return fake.recover_result ? pfn_fail(err, -fake.recover_result, "fake recover fails")
				   : 0;
}

static const struct pfn_dma_ops fake_ops = {
	.name = "fake",
	.match = fake_match,
	.init = fake_init,
	.fini = fake_fini,
	.memcpy_start = fake_start,
	.memcpy_wait = fake_wait,
	.caps = PFN_DMA_CAP_RECOVER,
	.recover = fake_recover,
};

static const struct pfn_dma_ops fake_norecover_ops = {
	.name = "fake-norecover",
	.match = fake_match,
	.init = fake_init,
	.fini = fake_fini,
	.memcpy_start = fake_start,
	.memcpy_wait = fake_wait,
};

static bool open_fake(struct pfn_dma *dma, const struct pfn_dma_ops *ops)
{
	static struct pfn_vfio_dev dev = { .bdf = "0000:05:00.0", .fd = 99 };
	struct pfn_err err;

	memset(&fake, 0, sizeof(fake));
	return pfn_dma_open_ops(dma, &dev, ops, 0x100000000ull, 0x2000, &err) == 0;
}

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
	CHECK_INT(pfn_dma_open2(&dma, NULL, 0x100000000ull, 0x2000, NULL, &err), -EINVAL);
	dev.fd = 99;
	CHECK_INT(pfn_dma_open2(&dma, &dev, 0x100000000ull, 0x2000, NULL, &err), -ENODEV);
	CHECK_CONTAINS(err.msg, "edu (1234:11e8)");
	/* pfn_dma_open_ops keeps pfn_dma_open's default: destruction allowed. */
	CHECK_INT(pfn_dma_open_ops(&dma, &dev, &fake_ops, 0x100000000ull, 0x2000, &err), 0);
	CHECK(dma.opts.allow_destructive);
	CHECK_INT(pfn_dma_caps(&dma), PFN_DMA_CAP_RECOVER);
	pfn_dma_close(&dma);
	CHECK_INT(pfn_dma_caps(&dma), 0);
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


static bool recover_checks(void)
{
	struct pfn_dma dma;
	struct pfn_err err;

	memset(&dma, 0, sizeof(dma));
	CHECK_INT(pfn_dma_recover(&dma, &err), -EINVAL);
	CHECK(open_fake(&dma, &fake_ops));
	fake.wait_results[0] = -ETIMEDOUT;
	CHECK_INT(pfn_dma_memcpy(&dma, 0x1000, 0x3000, 4096, 10, &err), -ETIMEDOUT);
	CHECK(dma.busy);
	CHECK_INT(pfn_dma_memcpy(&dma, 0x1000, 0x3000, 4096, 10, &err), -EBUSY);
	fake.recover_result = -EIO;
	CHECK_INT(pfn_dma_recover(&dma, &err), -EIO);
	CHECK(dma.busy);		/* a failed recovery leaves the engine unusable */
	fake.recover_result = 0;
	CHECK_INT(pfn_dma_recover(&dma, &err), 0);
	CHECK_INT(fake.recovers, 2);
	CHECK(!dma.busy);
	fake.wait_results[0] = 0;
	CHECK_INT(pfn_dma_memcpy(&dma, 0x1000, 0x3000, 4096, 10, &err), 0);
	pfn_dma_close(&dma);

	CHECK(open_fake(&dma, &fake_norecover_ops));
	CHECK_INT(pfn_dma_caps(&dma), 0);
	CHECK_INT(pfn_dma_recover(&dma, &err), -EOPNOTSUPP);
	CHECK_CONTAINS(err.msg, "cannot recover");
	pfn_dma_close(&dma);
	return true;
}

static bool test_fault_silent(void)
{
	struct pfn_dma dma;
	struct pfn_err err;

	CHECK(open_fake(&dma, &fake_ops));
	fake.wait_results[0] = -EIO;	/* the driver would fail: it must not be asked */
	pfn_dma_set_test_fault(&dma, PFN_DMA_FAULT_SILENT);
	CHECK_INT(pfn_dma_memcpy(&dma, 0x1000, 0x3000, 4096, 10, &err), 0);
	CHECK_INT(fake.starts, 0);
	CHECK_INT(fake.waits, 0);
	CHECK(!dma.busy);
	/* The argument checks still apply. */
	CHECK_INT(pfn_dma_memcpy(&dma, 0x1000, 0x3000, 0, 10, &err), -EINVAL);
	/* A copy started under the fault finishes under it, whatever is set later. */
	CHECK_INT(pfn_dma_memcpy_start(&dma, 0x1000, 0x3000, 4096, 1, &err), 0);
	pfn_dma_set_test_fault(&dma, PFN_DMA_FAULT_NONE);
	CHECK_INT(pfn_dma_memcpy_wait(&dma, 10, &err), 0);
	CHECK_INT(fake.waits, 0);
	/* Cleared: the driver works again (and reports its error). */
	CHECK_INT(pfn_dma_memcpy(&dma, 0x1000, 0x3000, 4096, 10, &err), -EIO);
	CHECK_INT(fake.starts, 1);
	pfn_dma_close(&dma);
	return true;
}

static bool test_fault_hang(void)
{
	struct pfn_dma dma;
	struct pfn_err err;
	struct timespec t0, t1;
	long ms;

	CHECK(open_fake(&dma, &fake_ops));
	pfn_dma_set_test_fault(&dma, PFN_DMA_FAULT_HANG);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(pfn_dma_memcpy(&dma, 0x1000, 0x3000, 4096, 50, &err), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 50);		/* a hang takes the whole timeout */
	CHECK_CONTAINS(err.msg, "test fault");
	CHECK(dma.busy);
	CHECK_INT(pfn_dma_memcpy_wait(&dma, 0, &err), -ETIMEDOUT);
	CHECK_INT(pfn_dma_memcpy(&dma, 0x1000, 0x3000, 4096, 10, &err), -EBUSY);
	CHECK_INT(fake.starts + fake.waits, 0);
	/* Recovery clears busy; the fault stays until cleared. */
	CHECK_INT(pfn_dma_recover(&dma, &err), 0);
	CHECK(!dma.busy);
	CHECK_INT(pfn_dma_memcpy(&dma, 0x1000, 0x3000, 4096, 0, &err), -ETIMEDOUT);
	CHECK_INT(pfn_dma_recover(&dma, &err), 0);
	pfn_dma_set_test_fault(&dma, PFN_DMA_FAULT_NONE);
	CHECK_INT(pfn_dma_memcpy(&dma, 0x1000, 0x3000, 4096, 10, &err), 0);
	CHECK_INT(fake.starts, 1);
	pfn_dma_close(&dma);
	CHECK_INT(dma.test_fault, PFN_DMA_FAULT_NONE);	/* close forgets it */
	return true;
}

static const struct unit_case cases[] = {
	{ "nvme_matches_by_class", nvme_matches_by_class },
	{ "edu_matches_by_id", edu_matches_by_id },
	{ "registry_drivers_complete", registry_drivers_complete },
	{ "open_checks", open_checks },
	{ "memcpy_checks", memcpy_checks },
	{ "recover_checks", recover_checks },
	{ "test_fault_silent", test_fault_silent },
	{ "test_fault_hang", test_fault_hang },
	{ "nvme_calls_need_nvme", nvme_calls_need_nvme },
};

UNIT_MAIN("DMA driver registry and pfn_dma_*", cases)
