// SPDX-License-Identifier: GPL-2.0-only
/* Live dma-bufs and kernel-log splats, for lifetime cases. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>

#include "kstate.h"

#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10

static long count_dmabufs(void)
{
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");
	char line[256];
	long n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Total %ld objects", &n) == 1)
			break;
	fclose(f);
	return n;
}

static const char *const splat_markers[] = {
	"WARNING:", "BUG:", "Oops", "KASAN", "possible circular locking",
	"inconsistent lock state", "general protection fault", "refcount_t:",
	"kernel BUG", "UBSAN:", "INFO: rcu_", "rcu: INFO:", "blocked for more than",
	"unreferenced object",
};

/* Count the kernel log lines @match accepts; -1 when the log is unreadable. */
static long klog_lines(bool (*match)(const char *line, const void *arg), const void *arg)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	char *buf, *line, *save = NULL;
	long n = 0;
	int len;

	if (size <= 0)
		return -1;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return -1;
	len = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
	if (len < 0) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		n += match(line, arg);
	free(buf);
	return n;
}

static bool is_splat(const char *line, const void *arg)
{
	(void)arg;
	for (size_t i = 0; i < sizeof(splat_markers) / sizeof(splat_markers[0]); i++)
		if (strstr(line, splat_markers[i]))
			return true;
	return false;
}

static long count_splats(void)
{
	return klog_lines(is_splat, NULL);
}

/*
 * IOMMU fault reports that name the faulting device, per IOMMU driver:
 *   Intel VT-d: "DMAR: [DMA Write NO_PASID] Request device [0000:01:00.0] fault addr ..."
 *               (older kernels: "[01:00.0]")
 *   AMD-Vi:     "AMD-Vi: Event logged [IO_PAGE_FAULT device=0000:01:00.0 domain=..."
 *               (older kernels: "device=01:00.0")
 * ARM SMMUv3 and v2 report a stream ID or a context bank, not a PCI address:
 *   "arm-smmu-v3 ...: event 0x10 received:", "arm-smmu ...: Unhandled context fault"
 * so those count for any device.
 */
struct fault_match {
	char dmar_long[32];	/* "[0000:01:00.0]" (7.x) */
	char dmar[24];		/* "[01:00.0]" (older kernels) */
	char amd_long[32];	/* "device=0000:01:00.0" */
	char amd_short[24];	/* "device=01:00.0" */
};

static bool is_iommu_fault(const char *line, const void *arg)
{
	const struct fault_match *m = arg;

	if (strstr(line, "DMAR: [DMA ") && (strstr(line, m->dmar_long) || strstr(line, m->dmar)))
		return true;
	if (strstr(line, "IO_PAGE_FAULT") &&
	    (strstr(line, m->amd_long) || strstr(line, m->amd_short)))
		return true;
	if (strstr(line, "arm-smmu") &&
	    (strstr(line, "event 0x10 received") || strstr(line, "Unhandled context fault")))
		return true;
	return false;
}

long klog_iommu_faults(const char *bdf)
{
	struct fault_match m;
	const char *sbdf = strlen(bdf) > 5 ? bdf + 5 : bdf;	/* drop "0000:" */

	snprintf(m.dmar_long, sizeof(m.dmar_long), "[%s]", bdf);
	snprintf(m.dmar, sizeof(m.dmar), "[%s]", sbdf);
	snprintf(m.amd_long, sizeof(m.amd_long), "device=%s", bdf);
	snprintf(m.amd_short, sizeof(m.amd_short), "device=%s", sbdf);
	return klog_lines(is_iommu_fault, &m);
}

/* Scan now, then count the objects kmemleak reports; -1 without kmemleak. */
static long count_kmemleak(void)
{
	const char *path = "/sys/kernel/debug/kmemleak";
	FILE *f = fopen(path, "we");
	char line[256];
	long n = 0;

	if (!f)
		return -1;
	fputs("scan", f);
	if (fclose(f))
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "unreferenced object", 19);
	fclose(f);
	return n;
}

void kstate_take(struct kstate *ks)
{
	ks->dmabufs = count_dmabufs();
	ks->splats = count_splats();
	ks->kmemleak = count_kmemleak();
}

int kstate_check(const struct kstate *before, const struct kstate *after, char *why,
		 unsigned long len)
{
	if (before->splats < 0 || after->splats < 0) {
		snprintf(why, len, "the kernel log cannot be read (klogctl): run as root");
		return -1;
	}
	if (after->splats > before->splats) {
		snprintf(why, len, "%ld new kernel splat line(s) (WARNING/BUG/Oops/KASAN/lockdep): see dmesg",
			 after->splats - before->splats);
		return 0;
	}
	if (before->dmabufs < 0 || after->dmabufs < 0) {
		snprintf(why, len, "debugfs dma_buf/bufinfo is unavailable: mount debugfs at /sys/kernel/debug");
		return -1;
	}
	if (after->dmabufs != before->dmabufs) {
		snprintf(why, len, "%ld dma-buf(s) alive before, %ld after everything was closed",
			 before->dmabufs, after->dmabufs);
		return 0;
	}
	return 1;
}
