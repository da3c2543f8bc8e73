// SPDX-License-Identifier: GPL-2.0-only
/* Exact counts of IOMMU map/unmap work from the iommu tracepoints: see iommu_ops.h. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iommu_ops.h"

#define SZ_4K (1ull << 12)
#define SZ_2M (1ull << 21)
#define SZ_1G (1ull << 30)

static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

const char *iommu_pgsize_name(enum iommu_pgsize p)
{
	static const char *const names[] = { "4k", "2m", "1g", "other" };

	return p < IOMMU_NR_PGSIZES ? names[p] : "?";
}

static enum iommu_pgsize pgsize_index(uint64_t pgsize)
{
	switch (pgsize) {
	case SZ_4K:
		return IOMMU_PGSIZE_4K;
	case SZ_2M:
		return IOMMU_PGSIZE_2M;
	case SZ_1G:
		return IOMMU_PGSIZE_1G;
	default:
		return IOMMU_PGSIZE_OTHER;
	}
}

void iommu_ops_split(uint64_t iova, uint64_t paddr, uint64_t size, uint64_t pgsize_bitmap,
		     struct iommu_ops_counts *out)
{
	while (size) {
		uint64_t align = iova | paddr, pgsize = 0;

		/* The largest supported page that alignment and length allow. */
		for (int bit = 63; bit >= 0; bit--) {
			uint64_t pg = 1ull << bit;

			if ((pgsize_bitmap & pg) && pg <= size && !(align & (pg - 1))) {
				pgsize = pg;
				break;
			}
		}
		if (!pgsize)	/* below the smallest page: the core refuses it */
			pgsize = size;
		out->map_pages[pgsize_index(pgsize)]++;
		out->map_bytes_by_pgsize[pgsize_index(pgsize)] += pgsize;
		iova += pgsize;
		paddr += pgsize;
		size -= pgsize;
	}
}

/* "# entries-in-buffer/entries-written: X/Y": Y > X means events were lost. */
static int check_header(const char *text, struct pfn_err *err)
{
	const char *h = strstr(text, "entries-in-buffer/entries-written:");
	unsigned long long in, written;

	if (!h)
		return 0;
	if (sscanf(h, "entries-in-buffer/entries-written: %llu/%llu", &in, &written) != 2)
		return pfn_fail(err, EINVAL, "trace: unreadable header line");
	if (written > in)
		return pfn_fail(err, EOVERFLOW,
				"the trace buffer lost %llu of %llu iommu events; raise buffer_size_kb",
				written - in, written);
	return 0;
}

int iommu_ops_parse(const char *text, uint64_t pgsize_bitmap, struct iommu_ops_counts *out,
		    struct pfn_err *err)
{
	const char *line = text;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!pgsize_bitmap)
		return pfn_fail(err, EINVAL, "no IOMMU page size to split into");
	ret = check_header(text, err);
	if (ret)
		return ret;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		const char *ev;
		uint64_t iova, last, paddr, size, unmapped;

		if (*line != '#' && (ev = strstr(line, " map: IOMMU: iova=")) && (!end || ev < end)) {
			if (sscanf(ev, " map: IOMMU: iova=%" SCNx64 " - %" SCNx64 " paddr=%" SCNx64
				   " size=%" SCNu64, &iova, &last, &paddr, &size) != 4)
				return pfn_fail(err, EINVAL, "trace: unreadable iommu:map line: %.120s", line);
			out->map_ops++;
			out->map_bytes += size;
			iommu_ops_split(iova, paddr, size, pgsize_bitmap, out);
		} else if (*line != '#' && (ev = strstr(line, " unmap: IOMMU: iova=")) &&
			   (!end || ev < end)) {
			if (sscanf(ev, " unmap: IOMMU: iova=%" SCNx64 " - %" SCNx64 " size=%" SCNu64
				   " unmapped_size=%" SCNu64, &iova, &last, &size, &unmapped) != 4)
				return pfn_fail(err, EINVAL, "trace: unreadable iommu:unmap line: %.120s", line);
			out->unmap_ops++;
			out->unmap_bytes += unmapped;
		}
		line = end ? end + 1 : NULL;
	}
	return 0;
}

static int write_file(const struct iommu_ops *c, const char *rel, const char *val,
		      struct pfn_err *err)
{
	char path[PATH_MAX + 64];
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", c->tracefs, rel);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return pfn_fail_errno(err, "open %s", path);
	n = write(fd, val, len);
	if (n != (ssize_t)len) {
		int ret = n < 0 ? pfn_fail_errno(err, "write '%s' to %s", val, path) :
				  pfn_fail(err, EIO, "short write to %s", path);

		close(fd);
		return ret;
	}
	close(fd);
	return 0;
}

/* Read a whole file into a NUL-terminated malloc()ed buffer. */
static int read_all(const char *path, char **text, struct pfn_err *err)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd;

	if (!buf)
		return pfn_fail(err, ENOMEM, "out of memory reading %s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return pfn_fail_errno(err, "open %s", path);
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger) {
				free(buf);
				close(fd);
				return pfn_fail(err, ENOMEM, "out of memory reading %s", path);
			}
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			int ret = pfn_fail_errno(err, "read %s", path);

			free(buf);
			close(fd);
			return ret;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*text = buf;
	return 0;
}

/*
 * The page sizes of the IOMMU's paging domains.  Intel VT-d: first stage
 * (scalable mode with first-stage support, which the driver prefers) maps
 * 2M always and 1G with FL1GP; second stage has the SLLPS bits.
 */
static uint64_t intel_pgsizes(unsigned long long cap, unsigned long long ecap)
{
	bool first_stage = (ecap >> 43 & 1) && (ecap >> 47 & 1);	/* SMTS, FLTS */
	uint64_t bitmap = SZ_4K;

	if (first_stage) {
		bitmap |= SZ_2M;
		if (cap >> 56 & 1)	/* FL1GP */
			bitmap |= SZ_1G;
	} else {
		if (cap >> 34 & 1)	/* SLLPS: 2M */
			bitmap |= SZ_2M;
		if (cap >> 35 & 1)	/* SLLPS: 1G */
			bitmap |= SZ_1G;
	}
	return bitmap;
}

static uint64_t read_pgsizes(bool *from_iommu)
{
	char *cap_text = NULL, *ecap_text = NULL, ecap_path[PATH_MAX];
	uint64_t bitmap = SZ_4K | SZ_2M | SZ_1G;
	unsigned long long cap, ecap;
	glob_t g;

	*from_iommu = false;
	if (glob("/sys/class/iommu/*/intel-iommu/cap", 0, NULL, &g) || !g.gl_pathc) {
		globfree(&g);
		return bitmap;
	}
	snprintf(ecap_path, sizeof(ecap_path), "%.*s/ecap",
		 (int)(strrchr(g.gl_pathv[0], '/') - g.gl_pathv[0]), g.gl_pathv[0]);
	if (!read_all(g.gl_pathv[0], &cap_text, NULL) && !read_all(ecap_path, &ecap_text, NULL) &&
	    sscanf(cap_text, "%llx", &cap) == 1 && sscanf(ecap_text, "%llx", &ecap) == 1) {
		bitmap = intel_pgsizes(cap, ecap);
		*from_iommu = true;
	}
	free(cap_text);
	free(ecap_text);
	globfree(&g);
	return bitmap;
}

int iommu_ops_open(struct iommu_ops *c, struct pfn_err *err)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/events/iommu/map/enable", tracefs_dirs[i]);
		if (!access(path, W_OK)) {
			snprintf(c->tracefs, sizeof(c->tracefs), "%s", tracefs_dirs[i]);
			break;
		}
	}
	if (!c->tracefs[0])
		return pfn_fail(err, ENOENT,
				"no writable tracefs with iommu events (mount tracefs on /sys/kernel/tracing; the kernel needs CONFIG_TRACING)");
	c->pgsize_bitmap = read_pgsizes(&c->pgsizes_from_iommu);
	return 0;
}

static void disable_events(struct iommu_ops *c)
{
	write_file(c, "events/iommu/map/enable", "0", NULL);
	write_file(c, "events/iommu/unmap/enable", "0", NULL);
	write_file(c, "set_event_pid", "", NULL);
	c->counting = false;
}

int iommu_ops_start(struct iommu_ops *c, struct pfn_err *err)
{
	char pid[24];
	int ret;

	if (!c->tracefs[0])
		return pfn_fail(err, EINVAL, "iommu_ops_start() on a counter that is not open");
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	c->counting = true;
	ret = write_file(c, "trace", "", err);	/* clears the buffer */
	if (!ret)
		ret = write_file(c, "set_event_pid", pid, err);
	if (!ret)
		ret = write_file(c, "tracing_on", "1", err);
	if (!ret)
		ret = write_file(c, "events/iommu/map/enable", "1", err);
	if (!ret)
		ret = write_file(c, "events/iommu/unmap/enable", "1", err);
	if (ret)
		disable_events(c);
	return ret;
}

int iommu_ops_stop(struct iommu_ops *c, struct iommu_ops_counts *out, struct pfn_err *err)
{
	char path[PATH_MAX + 8], *text = NULL;
	int ret;

	if (!c->counting)
		return pfn_fail(err, EINVAL, "iommu_ops_stop() without iommu_ops_start()");
	disable_events(c);
	snprintf(path, sizeof(path), "%s/trace", c->tracefs);
	ret = read_all(path, &text, err);
	if (ret)
		return ret;
	ret = iommu_ops_parse(text, c->pgsize_bitmap, out, err);
	free(text);
	return ret;
}

void iommu_ops_pgsizes(const struct iommu_ops *c, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int p = IOMMU_PGSIZE_4K; p <= IOMMU_PGSIZE_1G && used < len; p++) {
		uint64_t sz = p == IOMMU_PGSIZE_4K ? SZ_4K : p == IOMMU_PGSIZE_2M ? SZ_2M : SZ_1G;

		if (c->pgsize_bitmap & sz)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "|" : "",
						 iommu_pgsize_name((enum iommu_pgsize)p));
	}
	if (used < len)
		snprintf(buf + used, len - used, " (%s)",
			 c->pgsizes_from_iommu ? "from the IOMMU" : "assumed");
}

void iommu_ops_close(struct iommu_ops *c)
{
	if (c->counting)
		disable_events(c);
	c->tracefs[0] = '\0';
}
