// SPDX-License-Identifier: GPL-2.0-only
/* Fuzz calls on the IOAS: IOMMU_IOAS_MAP_FILE and IOMMU_IOAS_UNMAP. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>

#include "fuzz.h"

#define MAP_FLAGS_KNOWN (IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | \
			 IOMMU_IOAS_MAP_READABLE)

/* The size of the file behind @fd, or 0 when it is of a kind MAP_FILE refuses. */
static uint64_t file_size(const struct fuzz_world *w, int fd, const struct fuzz_dmabuf *buf)
{
	if (buf)
		return buf->size;
	return fd == w->memfd && fd >= 0 ? w->memfd_size : 0;
}

static uint64_t gen_flags(struct fuzz_rng *r)
{
	switch (fuzz_below(r, 20)) {
	case 0: return 0;
	case 1: return (uint32_t)fuzz_u64(r);
	case 2: case 3: return IOMMU_IOAS_MAP_READABLE;
	default:
		return IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
		       (fuzz_one_in(r, 3) ? IOMMU_IOAS_MAP_FIXED_IOVA : 0);
	}
}

/* The rule by which the kernel must refuse @m, NULL when any outcome is allowed. */
static const char *map_rule(const struct fuzz_world *w, const struct iommu_ioas_map_file *m,
			    uint64_t fsize, const struct fuzz_dmabuf *buf, const char **finding)
{
	uint64_t end;

	if (m->size < sizeof(*m))
		return "MAP-size-short";
	if (m->flags & ~MAP_FLAGS_KNOWN)
		return "MAP-unknown-flags";
	if (!(m->flags & (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)))
		return "MAP-no-access";
	if (m->ioas_id != w->fx.iommu.ioas_id)
		return "MAP-not-an-ioas";
	if (!m->length)
		return "MAP-empty";
	if (!fsize)
		return "MAP-fd-kind";
	if (__builtin_add_overflow(m->start, m->length, &end) || end > fsize)
		return "MAP-past-file";
	if ((m->flags & IOMMU_IOAS_MAP_FIXED_IOVA) &&
	    ((m->iova & (w->ctx->page - 1)) || __builtin_add_overflow(m->iova, m->length, &end)))
		return "MAP-iova-unaligned-or-overflow";
	if (buf && !buf->writable && (m->flags & IOMMU_IOAS_MAP_WRITEABLE)) {
		*finding = "FIND-030";	/* SPEC.md IMP-7 */
		return "MAP-write-readonly-dmabuf";
	}
	return NULL;
}

void fuzz_op_map_file(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	struct iommu_ioas_map_file m[2];	/* a larger size reads zeros */
	const struct fuzz_dmabuf *buf;
	uint64_t page = w->ctx->page, fsize, pages;
	char fdname[32];
	long ret;

	memset(m, 0, sizeof(m));
	m[0].fd = fuzz_world_fd(w, r, fdname, sizeof(fdname), &buf);
	fsize = file_size(w, m[0].fd, buf);
	pages = fsize / page ? fsize / page : 1;
	switch (fuzz_below(r, 20)) {
	case 0: m[0].size = (uint32_t)fuzz_below(r, sizeof(m[0])); break;
	case 1: m[0].size = sizeof(m); break;
	default: m[0].size = sizeof(m[0]); break;
	}
	m[0].flags = (uint32_t)gen_flags(r);
	m[0].ioas_id = fuzz_below(r, 20) ? w->fx.iommu.ioas_id : (uint32_t)fuzz_edge(r, 4, 1);
	if (fuzz_below(r, 10) < 7) {
		uint64_t at = fuzz_below(r, pages);

		m[0].start = at * page;
		m[0].length = (1 + fuzz_below(r, pages - at < 16 ? pages - at : 16)) * page;
	} else {
		m[0].start = fuzz_one_in(r, 2) ? fuzz_edge(r, fsize, page) : 0;
		m[0].length = fuzz_edge(r, fsize, page);
	}
	if (fuzz_below(r, 10) < 7)
		m[0].iova = w->fx.iova_a + fuzz_below(r, 1024) * page;
	else
		m[0].iova = fuzz_edge(r, w->fx.iova_a, page);
	snprintf(c->desc, sizeof(c->desc),
		 "size=%u flags=%#x ioas=%u fd=%s start=%#llx length=%#llx iova=%#llx",
		 m[0].size, m[0].flags, m[0].ioas_id, fdname, (unsigned long long)m[0].start,
		 (unsigned long long)m[0].length, (unsigned long long)m[0].iova);
	c->must_fail = map_rule(w, &m[0], fsize, buf, &c->finding);

	fuzz_issue(w, c);
	ret = ioctl(w->fx.iommu.fd, IOMMU_IOAS_MAP_FILE, &m[0]);
	fuzz_call_ret(c, ret);
	if (!ret && w->n_maps < FUZZ_MAX_MAPS) {
		w->maps[w->n_maps].iova = m[0].iova;
		w->maps[w->n_maps++].length = m[0].length;
	}
}

/* Does [@iova, @iova + @len) lie strictly inside one recorded mapping? */
static bool splits_a_mapping(const struct fuzz_world *w, uint64_t iova, uint64_t len)
{
	for (unsigned int i = 0; i < w->n_maps; i++) {
		uint64_t a = w->maps[i].iova, e = a + w->maps[i].length;

		if (iova >= a && iova + len <= e && (iova > a || iova + len < e) && len)
			return true;
	}
	return false;
}

/* Forget the recorded mappings [@iova, @iova + @len) covered. */
static void forget_maps(struct fuzz_world *w, uint64_t iova, uint64_t len)
{
	for (unsigned int i = 0; i < w->n_maps;) {
		if (w->maps[i].iova >= iova && w->maps[i].iova + w->maps[i].length <= iova + len)
			w->maps[i] = w->maps[--w->n_maps];
		else
			i++;
	}
}

void fuzz_op_unmap(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	struct iommu_ioas_unmap u = { .size = sizeof(u), .ioas_id = w->fx.iommu.ioas_id };
	uint64_t page = w->ctx->page;
	unsigned int pick = (unsigned int)fuzz_below(r, 10);
	uint64_t asked;
	long ret;

	if (pick < 6 && w->n_maps) {
		unsigned int i = (unsigned int)fuzz_below(r, w->n_maps);

		u.iova = w->maps[i].iova;
		u.length = w->maps[i].length;
		if (fuzz_one_in(r, 3) && u.length > page)
			u.length -= page;	/* truncating a mapping */
	} else if (pick < 7) {
		u.iova = 0;
		u.length = ~0ull;	/* everything */
	} else {
		u.iova = fuzz_edge(r, w->fx.iova_a, page);
		u.length = fuzz_edge(r, 1ull << 30, page);
	}
	snprintf(c->desc, sizeof(c->desc), "iova=%#llx length=%#llx (%u mappings live)",
		 (unsigned long long)u.iova, (unsigned long long)u.length, w->n_maps);
	if (!u.length)
		c->must_fail = "UNMAP-empty";
	else if (splits_a_mapping(w, u.iova, u.length))
		c->must_fail = "UNMAP-split";

	asked = u.length;	/* the kernel answers with the bytes unmapped */
	fuzz_issue(w, c);
	ret = ioctl(w->fx.iommu.fd, IOMMU_IOAS_UNMAP, &u);
	fuzz_call_ret(c, ret);
	if (!ret)
		forget_maps(w, u.iova, u.iova + asked < u.iova ? ~0ull - u.iova : asked);
}
