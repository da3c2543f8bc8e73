// SPDX-License-Identifier: GPL-2.0-only
/*
 * MODEL: dma-buf memory models and the generic memory-chunks exporter op
 * (the reference series; see SPEC.md, MODEL-*).  Exporters declare pinned,
 * dynamic or revocable (fdinfo "mem_model:"), importers declare what they
 * support and attach refuses a mismatch with EPROTONOSUPPORT; iommufd maps
 * any pinned or revocable exporter (udmabuf, multi-range vfio) through the
 * generic op and refuses dynamic ones.
 *
 * Cases that need an importer or a dynamic exporter use the reference
 * modules (reference-kernel/modules: pfn_ref_exporter.ko, pfn_ref_importer.ko),
 * loaded from $PFN_REF_MODULES or reference-kernel/modules when their
 * device nodes are missing.  A kernel without the feature SKIPs every case
 * with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>


#include "conform.h"
#include "dma_rig.h"
#include "../../reference-kernel/modules/pfn_ref_uapi.h"

#define NO_MODELS "no mem_model line in dma-buf fdinfo: the kernel has no dma-buf memory models (reference series)"

/* The fixture's two IOVA windows, from the IOAS's usable ranges (pfn/iova.h). */
#define IOVA_A (fx->iova_a)
#define IOVA_B (fx->iova_b)

/* ---- fdinfo ----------------------------------------------------------- */

/* Copy the value of "@key:\t<value>" from the fd's fdinfo; false if absent. */
static bool fdinfo_field(int fd, const char *key, char *val, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		v = line + klen + 1;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		snprintf(val, len, "%s", v);
		found = true;
	}
	fclose(f);
	return found;
}

/* Expect "mem_model:\t@want"; SKIP when the kernel has no memory models. */
static bool expect_model(int fd, const char *what, const char *want, struct conform_result *res)
{
	char model[64];

	if (!fdinfo_field(fd, "mem_model", model, sizeof(model)))
		return conform_skip(res, NO_MODELS);
	if (strcmp(model, want))
		return conform_fail(res, "%s: fdinfo mem_model is \"%s\", expected \"%s\"", what,
				    model, want);
	return true;
}

static bool expect_revoked(int fd, const char *what, int want, struct conform_result *res)
{
	char val[16];

	if (!fdinfo_field(fd, "revoked", val, sizeof(val)))
		return conform_fail(res, "%s: no revoked line in the fdinfo of a revocable dma-buf",
				    what);
	if (atoi(val) != want)
		return conform_fail(res, "%s: fdinfo revoked is %s, expected %d", what, val, want);
	return true;
}

/* ---- exporters -------------------------------------------------------- */

/* Probe: does this kernel declare memory models at all? */
static bool kernel_has_models(const struct conform_ctx *ctx, struct conform_result *res)
{
	char model[64];
	int memfd, fd;
	bool ok;

	fd = conform_make_udmabuf(ctx->page, &memfd, res);
	if (fd < 0) {
		if (memfd >= 0)
			close(memfd);
		return false;
	}
	ok = fdinfo_field(fd, "mem_model", model, sizeof(model));
	close(fd);
	close(memfd);
	if (!ok)
		return conform_skip(res, NO_MODELS);
	return true;
}

static int load_module(const char *dir, const char *name, struct conform_result *res)
{
	char path[512];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		conform_skip(res, "reference module %s: %s (build it with make -C reference-kernel/modules against the running kernel, or set PFN_REF_MODULES)",
			     path, strerror(errno));
		return -1;
	}
	ret = (int)syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	if (ret && errno != EEXIST) {
		conform_fail_as(res, CONFORM_REASON_SETUP,
				"cannot load %s: %s (built for another kernel? rebuild it with make -C reference-kernel/modules)",
				path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The reference exporter and importer; SKIP with the reason when unavailable. */
static bool ref_modules(const struct conform_ctx *ctx, struct conform_result *res)
{
	const char *dir = getenv("PFN_REF_MODULES");
	int i;

	if (!kernel_has_models(ctx, res))
		return false;
	if (!access("/dev/pfn_ref_exp", F_OK) && !access("/dev/pfn_ref_imp", F_OK))
		return true;
	if (!dir)
		dir = "reference-kernel/modules";
	if (load_module(dir, "pfn_ref_exporter", res) || load_module(dir, "pfn_ref_importer", res))
		return false;
	/* devtmpfs creates the nodes asynchronously */
	for (i = 0; i < 100; i++) {
		if (!access("/dev/pfn_ref_exp", F_OK) && !access("/dev/pfn_ref_imp", F_OK))
			return true;
		usleep(10000);
	}
	return conform_skip(res, "reference modules loaded but /dev/pfn_ref_exp or /dev/pfn_ref_imp did not appear");
}

/* A reference-exporter buffer; returns the dma-buf fd or -errno. */
static int ref_export(uint64_t size, uint32_t model, uint32_t nr_ranges)
{
	struct pfn_ref_exp_create c = { .size = size, .model = model, .nr_ranges = nr_ranges };
	int dev, ret;

	dev = open("/dev/pfn_ref_exp", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	ret = ioctl(dev, PFN_REF_EXP_CREATE, &c) ? -errno : c.fd;
	close(dev);
	return ret;
}

static int ref_exp_op(unsigned long cmd, int fd, uint32_t arg)
{
	struct pfn_ref_exp_op op = { .fd = fd, .arg = arg };
	int dev, ret;

	dev = open("/dev/pfn_ref_exp", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	ret = ioctl(dev, cmd, &op) ? -errno : 0;
	close(dev);
	return ret;
}

/* Attach the reference importer; 0 and *id, or -errno. */
static int ref_attach(int imp, int fd, uint32_t caps, uint32_t flags, uint32_t *id)
{
	struct pfn_ref_imp_attach a = { .fd = fd, .mem_models = caps, .flags = flags };

	if (ioctl(imp, PFN_REF_IMP_ATTACH, &a))
		return -errno;
	*id = a.id;
	return 0;
}

static int ref_imp(unsigned long cmd, int imp, uint32_t id, struct pfn_ref_imp_status *st)
{
	memset(st, 0, sizeof(*st));
	st->id = id;
	return ioctl(imp, cmd, st) ? -errno : 0;
}

static const char *const model_names[] = { "default", "pinned", "dynamic", "revocable" };

/* ---- MODEL-1: the model is visible in fdinfo -------------------------- */

static void model_vfio_revocable(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct conform_fixture fx;
	int fd;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	fd = conform_export(ctx, &fx, 0, ctx->page, res);
	if (fd >= 0) {
		if (expect_model(fd, "vfio dma-buf", "revocable", res))
			expect_revoked(fd, "vfio dma-buf, memory enabled", 0, res);
		close(fd);
	}
	conform_fixture_close(&fx);
}

static void model_udmabuf_pinned(const struct conform_ctx *ctx, struct conform_result *res)
{
	int memfd, fd;

	fd = conform_make_udmabuf(4 * ctx->page, &memfd, res);
	if (fd >= 0) {
		expect_model(fd, "udmabuf", "pinned", res);
		close(fd);
	}
	if (memfd >= 0)
		close(memfd);
}

/* ---- MODEL-2: revoke state follows the exporter ------------------------ */

static void model_revoked_state(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct conform_fixture fx;
	struct pfn_err err;
	int fd;

	if (!conform_fixture_open(ctx, &fx, res))
		return;
	fd = conform_export(ctx, &fx, 0, ctx->page, res);
	if (fd < 0)
		goto out;
	if (!expect_model(fd, "vfio dma-buf", "revocable", res))
		goto out_fd;
	if (pfn_vfio_set_memory_enable(&fx.target, false, &err)) {
		conform_fail(res, "%s", err.msg);
		goto out_fd;
	}
	expect_revoked(fd, "after clearing PCI_COMMAND.MEMORY", 1, res);
	if (pfn_vfio_set_memory_enable(&fx.target, true, &err))
		conform_fail(res, "%s", err.msg);
	else if (res->result != PFN_FAIL)
		expect_revoked(fd, "after setting PCI_COMMAND.MEMORY again", 0, res);
out_fd:
	close(fd);
out:
	conform_fixture_close(&fx);
}

/* ---- MODEL-3: attach refuses an unsupported model ---------------------- */

/*
 * Does an importer with invalidate_mappings that declares @caps attach to a
 * buffer of model @m?  The core's rules (SPEC.md MODEL-3, MODEL-7): pinned
 * unless the importer declares a set without pinned; dynamic and revocable
 * only when declared.
 */
static bool model_accepts(unsigned int m, uint32_t caps)
{
	if (m == PFN_REF_MODEL_PINNED)
		return !caps || (caps & PFN_REF_CAP_PINNED);
	return caps & (1u << m);
}

static void model_attach_matrix(const struct conform_ctx *ctx, struct conform_result *res)
{
	static const uint32_t caps[] = {
		0, PFN_REF_CAP_PINNED, PFN_REF_CAP_DYNAMIC, PFN_REF_CAP_REVOCABLE,
		PFN_REF_CAP_PINNED | PFN_REF_CAP_REVOCABLE,
	};
	unsigned int m, c, checked = 0;
	int imp;

	if (!ref_modules(ctx, res))
		return;
	imp = open("/dev/pfn_ref_imp", O_RDWR | O_CLOEXEC);
	if (imp < 0) {
		conform_fail(res, "/dev/pfn_ref_imp: %s", strerror(errno));
		return;
	}
	for (m = PFN_REF_MODEL_PINNED; m <= PFN_REF_MODEL_REVOCABLE; m++) {
		int fd = ref_export(4 * ctx->page, m, 2);

		if (fd < 0) {
			conform_fail(res, "reference export (%s): %s", model_names[m],
				     strerror(-fd));
			break;
		}
		if (!expect_model(fd, "reference exporter", model_names[m], res)) {
			close(fd);
			break;
		}
		for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			int want = model_accepts(m, caps[c]) ? 0 : EPROTONOSUPPORT;
			uint32_t id;
			char what[128];
			int ret;

			ret = ref_attach(imp, fd, caps[c], 0, &id);
			snprintf(what, sizeof(what), "attach of a %s buffer by an importer declaring %#x",
				 model_names[m], caps[c]);
			conform_expect_errno(res, what, ret, want);
			if (!ret)
				ioctl(imp, PFN_REF_IMP_DETACH, &id);
			checked++;
		}
		close(fd);
	}
	if (res->result != PFN_FAIL)
		conform_note(res, "%u exporter model x importer capability pairs checked", checked);
	close(imp);
}

static void model_attach_vfio(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct conform_fixture fx;
	uint32_t id = 0;
	int fd, imp, ret;

	if (!ref_modules(ctx, res) || !conform_fixture_open(ctx, &fx, res))
		return;
	fd = conform_export(ctx, &fx, 0, ctx->page, res);
	if (fd < 0)
		goto out;
	imp = open("/dev/pfn_ref_imp", O_RDWR | O_CLOEXEC);
	if (imp < 0) {
		conform_fail(res, "/dev/pfn_ref_imp: %s", strerror(errno));
		goto out_fd;
	}
	ret = ref_attach(imp, fd, PFN_REF_CAP_PINNED, PFN_REF_IMP_P2P, &id);
	conform_expect_errno(res, "attach of a vfio dma-buf by a pinned-only importer", ret,
			     EPROTONOSUPPORT);
	ret = ref_attach(imp, fd, PFN_REF_CAP_PINNED | PFN_REF_CAP_DYNAMIC, PFN_REF_IMP_P2P, &id);
	conform_expect_errno(res, "attach of a vfio dma-buf by a pinned+dynamic importer", ret,
			     EPROTONOSUPPORT);
	ret = ref_attach(imp, fd, PFN_REF_CAP_REVOCABLE, PFN_REF_IMP_P2P, &id);
	conform_expect_errno(res, "attach of a vfio dma-buf by a revocable importer", ret, 0);
	close(imp);
out_fd:
	close(fd);
out:
	conform_fixture_close(&fx);
}

/* ---- MODEL-4: iommufd maps through the generic op ---------------------- */

/* Map [start, start+len) of @fd at IOVA_A, unmap, expect the exact length. */
static bool map_unmap(struct conform_fixture *fx, int fd, uint64_t start, uint64_t len,
		      const char *what, struct conform_result *res)
{
	uint64_t iova = IOVA_A, unmapped = 0;
	struct pfn_err err;
	int ret;

	ret = pfn_ioas_map_file(fx->iommu.fd, fx->iommu.ioas_id, fd, start, len, &iova,
				PFN_MAP_RW, &err);
	if (ret)
		return conform_fail(res, "%s: %s", what, err.msg);
	ret = pfn_ioas_unmap(fx->iommu.fd, fx->iommu.ioas_id, iova, len, &unmapped, &err);
	if (ret)
		return conform_fail(res, "%s: %s", what, err.msg);
	if (unmapped != len)
		return conform_fail(res, "%s: unmap removed %llu bytes, mapped %llu", what,
				    (unsigned long long)unmapped, (unsigned long long)len);
	return true;
}

static void model_iommufd_udmabuf(const struct conform_ctx *ctx, struct conform_result *res)
{
	uint64_t size = 64 * ctx->page;
	struct conform_fixture fx;
	int memfd, fd;

	if (!kernel_has_models(ctx, res) || !conform_fixture_open(ctx, &fx, res))
		return;
	fd = conform_make_udmabuf(size, &memfd, res);
	if (fd >= 0) {
		if (map_unmap(&fx, fd, 0, size, "MAP_FILE of a whole udmabuf", res))
			map_unmap(&fx, fd, 3 * ctx->page, 17 * ctx->page,
				  "MAP_FILE of a udmabuf slice", res);
		close(fd);
	}
	if (memfd >= 0)
		close(memfd);
	conform_fixture_close(&fx);
}

static void model_iommufd_multi_range(const struct conform_ctx *ctx, struct conform_result *res)
{
	uint64_t p = ctx->page, iova = 0;
	/* three ranges, out of order, not contiguous */
	struct pfn_range r[3] = { { 4 * p, 2 * p }, { 0, p }, { 8 * p, p } };
	struct conform_fixture fx;
	struct pfn_err err;
	int fd, ret;

	if (ctx->target_bar_size < 16 * p) {
		conform_skip(res, "target BAR smaller than 16 pages");
		return;
	}
	if (!kernel_has_models(ctx, res) || !conform_fixture_open(ctx, &fx, res))
		return;
	iova = fx.iova_b;
	fd = pfn_vfio_dmabuf_export(&fx.target, ctx->target_bar, r, 3, O_RDWR | O_CLOEXEC, &err);
	if (fd < 0) {
		if (fd == -ENOTTY || fd == -EOPNOTSUPP)
			conform_skip(res, "the kernel has no vfio dma-buf export: %s", err.msg);
		else
			conform_fail(res, "%s", err.msg);
		goto out;
	}
	if (!map_unmap(&fx, fd, 0, 4 * p, "MAP_FILE of a three-range vfio dma-buf", res) ||
	    !map_unmap(&fx, fd, p, 2 * p, "MAP_FILE of a slice crossing two ranges", res))
		goto out_fd;

	/* Revoke: new maps fail with ENODEV; restore: they work again */
	if (pfn_vfio_set_memory_enable(&fx.target, false, &err)) {
		conform_fail(res, "%s", err.msg);
		goto out_fd;
	}
	ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, 4 * p, &iova, PFN_MAP_RW,
				NULL);
	conform_expect_errno(res, "MAP_FILE of a revoked multi-range dma-buf", ret, ENODEV);
	if (!ret)
		pfn_ioas_unmap(fx.iommu.fd, fx.iommu.ioas_id, iova, 4 * p, NULL, NULL);
	if (pfn_vfio_set_memory_enable(&fx.target, true, &err))
		conform_fail(res, "%s", err.msg);
	else
		map_unmap(&fx, fd, 0, 4 * p, "MAP_FILE after memory is enabled again", res);
out_fd:
	close(fd);
out:
	conform_fixture_close(&fx);
}

static void model_iommufd_refuses_dynamic(const struct conform_ctx *ctx,
					  struct conform_result *res)
{
	uint64_t size = 8 * ctx->page, iova = 0;
	struct conform_fixture fx;
	int fd, ret;

	if (!ref_modules(ctx, res) || !conform_fixture_open(ctx, &fx, res))
		return;
	iova = fx.iova_a;

	fd = ref_export(size, PFN_REF_MODEL_DYNAMIC, 2);
	if (fd < 0) {
		conform_fail(res, "reference export (dynamic): %s", strerror(-fd));
		goto out;
	}
	conform_expect_map_refused(&fx, fd, size, PFN_MAP_RW, "MAP_FILE of a dynamic dma-buf",
				   EPROTONOSUPPORT, res);
	close(fd);

	fd = ref_export(size, PFN_REF_MODEL_PINNED, 4);
	if (fd < 0) {
		conform_fail(res, "reference export (pinned): %s", strerror(-fd));
		goto out;
	}
	map_unmap(&fx, fd, 0, size, "MAP_FILE of a pinned four-range reference dma-buf", res);
	close(fd);

	fd = ref_export(size, PFN_REF_MODEL_REVOCABLE, 4);
	if (fd < 0) {
		conform_fail(res, "reference export (revocable): %s", strerror(-fd));
		goto out;
	}
	if (map_unmap(&fx, fd, 0, size, "MAP_FILE of a revocable reference dma-buf", res)) {
		ret = ref_exp_op(PFN_REF_EXP_REVOKE, fd, 1);
		if (ret)
			conform_fail(res, "reference revoke: %s", strerror(-ret));
		iova = fx.iova_a;
		ret = pfn_ioas_map_file(fx.iommu.fd, fx.iommu.ioas_id, fd, 0, size, &iova,
					PFN_MAP_RW, NULL);
		conform_expect_errno(res, "MAP_FILE of a revoked reference dma-buf", ret, ENODEV);
		if (!ret)
			pfn_ioas_unmap(fx.iommu.fd, fx.iommu.ioas_id, iova, size, NULL, NULL);
	}
	close(fd);
out:
	conform_fixture_close(&fx);
}

/* ---- MODEL-5: importers get chunks and are invalidated ----------------- */

static void model_importer_revoke(const struct conform_ctx *ctx, struct conform_result *res)
{
	uint64_t p = ctx->page;
	struct pfn_range r[2] = { { 0, p }, { 2 * p, p } };
	struct pfn_ref_imp_status st;
	struct conform_fixture fx;
	struct pfn_err err;
	int fd, imp = -1, ret;
	uint32_t id = 0;

	if (!ref_modules(ctx, res) || !conform_fixture_open(ctx, &fx, res))
		return;
	fd = pfn_vfio_dmabuf_export(&fx.target, ctx->target_bar, r, 2, O_RDWR | O_CLOEXEC, &err);
	if (fd < 0) {
		conform_fail(res, "%s", err.msg);
		goto out;
	}
	imp = open("/dev/pfn_ref_imp", O_RDWR | O_CLOEXEC);
	if (imp < 0) {
		conform_fail(res, "/dev/pfn_ref_imp: %s", strerror(errno));
		goto out_fd;
	}
	ret = ref_attach(imp, fd, PFN_REF_CAP_REVOCABLE, PFN_REF_IMP_P2P, &id);
	if (!conform_expect_errno(res, "reference importer attach", ret, 0))
		goto out_fd;
	ret = ref_imp(PFN_REF_IMP_GET, imp, id, &st);
	if (!conform_expect_errno(res, "dma_buf_get_memory() of a two-range vfio dma-buf", ret,
				  0))
		goto out_fd;
	if (st.nr_chunks != 1 || st.nr_ranges != 2 || st.nr_p2p != 1 || st.size != 2 * p) {
		conform_fail(res, "chunks: %u chunks, %u ranges, %u p2p, %llu bytes; expected 1 p2p chunk of 2 ranges, %llu bytes",
			     st.nr_chunks, st.nr_ranges, st.nr_p2p, (unsigned long long)st.size,
			     (unsigned long long)(2 * p));
		goto out_fd;
	}

	if (pfn_vfio_set_memory_enable(&fx.target, false, &err)) {
		conform_fail(res, "%s", err.msg);
		goto out_fd;
	}
	ref_imp(PFN_REF_IMP_STATUS, imp, id, &st);
	if (st.invalidations < 1)
		conform_fail_as(res, CONFORM_REASON_NO_CALLBACK,
				"revoke did not call the importer's invalidate_mappings (0 callbacks)");
	else if (st.holding)
		conform_fail_as(res, CONFORM_REASON_NO_CALLBACK,
				"the importer still holds the chunks after revoke");
	ret = ref_imp(PFN_REF_IMP_GET, imp, id, &st);
	conform_expect_errno(res, "dma_buf_get_memory() while revoked", ret, ENODEV);

	if (pfn_vfio_set_memory_enable(&fx.target, true, &err)) {
		conform_fail(res, "%s", err.msg);
		goto out_fd;
	}
	ret = ref_imp(PFN_REF_IMP_GET, imp, id, &st);
	conform_expect_errno(res, "dma_buf_get_memory() after memory is enabled again", ret, 0);
	if (res->result != PFN_FAIL)
		conform_note(res, "invalidate_mappings callbacks: %u", st.invalidations);
out_fd:
	if (imp >= 0)
		close(imp);
	close(fd);
out:
	conform_fixture_close(&fx);
}

static void model_importer_move(const struct conform_ctx *ctx, struct conform_result *res)
{
	struct pfn_ref_imp_status st;
	uint64_t before;
	int fd, imp, ret;
	uint32_t id = 0;

	if (!ref_modules(ctx, res))
		return;
	fd = ref_export(16 * ctx->page, PFN_REF_MODEL_DYNAMIC, 1);
	if (fd < 0) {
		conform_fail(res, "reference export (dynamic): %s", strerror(-fd));
		return;
	}
	imp = open("/dev/pfn_ref_imp", O_RDWR | O_CLOEXEC);
	if (imp < 0) {
		conform_fail(res, "/dev/pfn_ref_imp: %s", strerror(errno));
		close(fd);
		return;
	}
	ret = ref_attach(imp, fd, PFN_REF_CAP_DYNAMIC, 0, &id);
	if (!conform_expect_errno(res, "attach by a dynamic importer", ret, 0))
		goto out;
	ret = ref_imp(PFN_REF_IMP_GET, imp, id, &st);
	if (!conform_expect_errno(res, "dma_buf_get_memory()", ret, 0))
		goto out;
	before = st.first_paddr;
	ret = ref_exp_op(PFN_REF_EXP_MOVE, fd, 0x5a);
	if (ret) {
		conform_fail(res, "reference move: %s", strerror(-ret));
		goto out;
	}
	ref_imp(PFN_REF_IMP_STATUS, imp, id, &st);
	if (st.invalidations != 1 || st.holding)
		conform_fail(res, "after a move: %u invalidate callbacks, chunks %s; expected 1 and dropped",
			     st.invalidations, st.holding ? "still held" : "dropped");
	ret = ref_imp(PFN_REF_IMP_GET, imp, id, &st);
	if (conform_expect_errno(res, "dma_buf_get_memory() after a move", ret, 0) &&
	    st.first_paddr == before)
		conform_fail(res, "the memory did not move (same physical address %#llx)",
			     (unsigned long long)before);
out:
	close(imp);
	close(fd);
}

/* ---- MODEL-6: proven by device DMA ----------------------------------- */

/*
 * DMA one page through @iova + @k pages and judge BAR page @bar_page (or
 * the target set by the caller when @bar is NULL), byte for byte.
 */
static void dma_page(struct dma_rig *rig, uint8_t *bar, uint64_t page, uint64_t iova,
		     unsigned int k, unsigned int bar_page, struct pfn_proof_dma *d)
{
	if (bar)
		pfn_proof_set_target(&rig->proof, bar + (uint64_t)bar_page * page);
	pfn_proof_dma(&rig->proof, iova + (uint64_t)k * page, d);
}

/*
 * A three-range, out-of-order vfio dma-buf mapped through the generic op:
 * device writes to each of its four pages land in the BAR range by range,
 * in dma-buf order (byte for byte, each page checked against its canary
 * first); after a revoke and restore, a write through the old mapping does
 * not land; a fresh mapping of the BAR then works again.
 */
static void model_dma_multi_range(const struct conform_ctx *ctx, struct conform_result *res)
{
	uint64_t p = ctx->page, iova;
	/* dma-buf offset 0..2p -> BAR 4p..6p, 2p..3p -> BAR 0, 3p..4p -> BAR 8p */
	struct pfn_range r[3] = { { 4 * p, 2 * p }, { 0, p }, { 8 * p, p } };
	static const unsigned int bar_page[4] = { 4, 5, 0, 8 };
	const uint64_t len = 4 * p;
	struct pfn_proof_dma d, sent[4];
	char what[96];
	uint8_t *bar;
	struct dma_rig rig;
	struct pfn_err err;
	int fd, ret;

	if (9 * p > RIG_SLICE) {
		conform_skip(res, "the page size is too large for the proof slice");
		return;
	}
	if (!kernel_has_models(ctx, res) || !rig_open(&rig, ctx, PFN_MODE_IOMMUFD, res))
		return;
	if (!rig_control(&rig, "through a single-range mapping", res))
		goto out;
	if (rig.proof.len < p) {
		conform_skip(res, "the DMA engine moves %zu bytes at most: less than a page",
			     rig.proof.len);
		goto out;
	}
	rig.proof.len = p;	/* one page per DMA from here on */
	bar = rig.bar;
	fd = pfn_vfio_dmabuf_export(&rig.target, ctx->target_bar, r, 3, O_RDWR | O_CLOEXEC, &err);
	if (fd < 0) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
		goto out;
	}
	ret = pfn_iova_alloc(&rig.iovas, len, 1ull << 21, &iova, &err);
	if (!ret)
		ret = pfn_ioas_map_file(rig.iommu.fd, rig.iommu.ioas_id, fd, 0, len, &iova,
					PFN_MAP_RW, &err);
	if (ret) {
		conform_fail(res, "MAP_FILE of the three-range dma-buf: %s", err.msg);
		goto out_fd;
	}
	for (unsigned int k = 0; k < 4; k++) {
		dma_page(&rig, bar, p, iova, k, bar_page[k], &sent[k]);
		if (sent[k].status) {
			conform_fail_as(res, sent[k].status == -ETIMEDOUT ?
					CONFORM_REASON_ENGINE_TIMEOUT : CONFORM_REASON_RIG_BROKEN,
					"device write to dma-buf page %u: %s", k, sent[k].msg);
			goto out_unmap;
		}
	}
	/* Judged after all four: a later write must not have clobbered an earlier page. */
	for (unsigned int k = 0; k < 4; k++) {
		pfn_proof_set_target(&rig.proof, bar + (uint64_t)bar_page[k] * p);
		if (pfn_proof_observe(&rig.proof, &sent[k], NULL) != PFN_PROOF_LANDED) {
			conform_fail(res, "the device write to dma-buf page %u did not land in BAR page %u (ranges out of order or lost)",
				     k, bar_page[k]);
			goto out_unmap;
		}
	}

	/* Revoke and restore: the old mapping must be gone for good. */
	for (unsigned int k = 0; k < 4; k++) {
		pfn_proof_set_target(&rig.proof, bar + (uint64_t)bar_page[k] * p);
		if (!rig_canary(&rig, res))
			goto out_unmap;
	}
	if (pfn_vfio_set_memory_enable(&rig.target, false, &err) ||
	    pfn_vfio_set_memory_enable(&rig.target, true, &err)) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "%s", err.msg);
		goto out_unmap;
	}
	for (unsigned int k = 0; k < 4; k++) {
		/* Each page's canary was written last: re-arm it per page. */
		pfn_proof_set_target(&rig.proof, bar + (uint64_t)bar_page[k] * p);
		if (!rig_canary(&rig, res))
			goto out_unmap;
		dma_page(&rig, NULL, p, iova, k, bar_page[k], &d);
		snprintf(what, sizeof(what), "a device write to dma-buf page %u after the revoke", k);
		if (rig_judge_absent(&rig, &d, what, res) != PFN_PROOF_CANARY)
			goto out_unmap;
	}
	/* A fresh single-range mapping of the BAR still works. */
	pfn_proof_set_target(&rig.proof, rig.bar);
	rig_control_fresh(&rig, ctx, "after the revoke, through a fresh mapping", res);
out_unmap:
	pfn_ioas_unmap(rig.iommu.fd, rig.iommu.ioas_id, iova, len, NULL, NULL);
out_fd:
	close(fd);
out:
	rig_close(&rig);
}

/* A udmabuf mapped through the generic op: a device write lands in the memfd. */
static void model_dma_udmabuf(const struct conform_ctx *ctx, struct conform_result *res)
{
	uint64_t len = PFN_PROOF_LEN_MAX, iova;
	void *mem = MAP_FAILED;
	struct dma_rig rig;
	struct pfn_err err;
	int memfd, fd, ret;

	if (!kernel_has_models(ctx, res) || !rig_open(&rig, ctx, PFN_MODE_IOMMUFD, res))
		return;
	if (!rig_control(&rig, "through the BAR's dma-buf mapping", res))
		goto out;
	fd = conform_make_udmabuf(len, &memfd, res);
	if (fd < 0) {
		if (memfd >= 0)
			close(memfd);
		goto out;
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "mmap of the memfd: %s", strerror(errno));
		goto out_fd;
	}
	ret = pfn_iova_alloc(&rig.iovas, len, 1ull << 21, &iova, &err);
	if (!ret)
		ret = pfn_ioas_map_file(rig.iommu.fd, rig.iommu.ioas_id, fd, 0, len, &iova,
					PFN_MAP_RW, &err);
	if (ret) {
		conform_fail(res, "MAP_FILE of the udmabuf: %s", err.msg);
		goto out_fd;
	}
	pfn_proof_set_target(&rig.proof, mem);
	ret = pfn_proof_control(&rig.proof, iova, "through the udmabuf mapping", &err);
	if (ret)
		conform_fail(res, "the device write did not land in the udmabuf's memfd: %s", err.msg);
	pfn_ioas_unmap(rig.iommu.fd, rig.iommu.ioas_id, iova, len, NULL, NULL);
out_fd:
	if (mem != MAP_FAILED)
		munmap(mem, len);
	close(fd);
	if (memfd >= 0)
		close(memfd);
out:
	rig_close(&rig);
}

/* ---- MODEL-7: the core enforces the models for every importer --------- */

/*
 * Attach the reference importer to @fd as @what (@caps, @flags); expect
 * @want_attach, and if it attached and @want_get >= 0, expect @want_get from
 * dma_buf_get_memory() through the attachment.
 */
static void expect_import(int imp, int fd, const char *what, uint32_t caps, uint32_t flags,
			  int want_attach, int want_get, struct conform_result *res)
{
	struct pfn_ref_imp_status st;
	char label[192];
	uint32_t id = 0;
	int ret;

	ret = ref_attach(imp, fd, caps, flags, &id);
	snprintf(label, sizeof(label), "attach of %s", what);
	if (!conform_expect_errno(res, label, ret, want_attach) || ret)
		return;
	if (want_get >= 0) {
		snprintf(label, sizeof(label), "dma_buf_get_memory() of %s", what);
		conform_expect_errno(res, label, ref_imp(PFN_REF_IMP_GET, imp, id, &st), want_get);
	}
	ioctl(imp, PFN_REF_IMP_DETACH, &id);
}

/*
 * MODEL-013: importers that cannot follow the memory are refused by the
 * core, whatever the exporter's own attach callback does: a static
 * attachment or an importer that declares nothing never attaches to a
 * revocable buffer, nor an undeclared one with invalidate_mappings to a
 * dynamic buffer; a static attachment to a dynamic or pinned buffer is
 * allowed (the buffer is pinned before it is mapped) but gets no physical
 * ranges.  Every refusal is EPROTONOSUPPORT, the core's errno.
 */
static void model_enforced_in_core(const struct conform_ctx *ctx, struct conform_result *res)
{
	const uint32_t st = PFN_REF_IMP_STATIC | PFN_REF_IMP_P2P;
	const uint32_t pins = PFN_REF_IMP_NO_INVALIDATE | PFN_REF_IMP_P2P;
	struct conform_fixture fx;
	int vfio = -1, rev = -1, dyn = -1, pin = -1, imp;

	if (!ref_modules(ctx, res) || !conform_fixture_open(ctx, &fx, res))
		return;
	imp = open("/dev/pfn_ref_imp", O_RDWR | O_CLOEXEC);
	if (imp < 0) {
		conform_fail(res, "/dev/pfn_ref_imp: %s", strerror(errno));
		goto out;
	}
	vfio = conform_export(ctx, &fx, 0, ctx->page, res);
	rev = ref_export(4 * ctx->page, PFN_REF_MODEL_REVOCABLE, 2);
	dyn = ref_export(4 * ctx->page, PFN_REF_MODEL_DYNAMIC, 2);
	pin = ref_export(4 * ctx->page, PFN_REF_MODEL_PINNED, 2);
	if (vfio < 0 || rev < 0 || dyn < 0 || pin < 0) {
		if (res->result != PFN_FAIL)
			conform_fail_as(res, CONFORM_REASON_SETUP, "reference export: %s",
					strerror(-(rev < 0 ? rev : dyn < 0 ? dyn : pin)));
		goto out_fds;
	}

	/* Revocable: only an importer that follows and declares revocable */
	expect_import(imp, vfio, "a vfio dma-buf by a static importer", 0, st, EPROTONOSUPPORT,
		      -1, res);
	expect_import(imp, vfio, "a vfio dma-buf by an importer declaring nothing", 0,
		      PFN_REF_IMP_P2P, EPROTONOSUPPORT, -1, res);
	expect_import(imp, vfio, "a vfio dma-buf by a pinning importer", PFN_REF_CAP_PINNED,
		      pins, EPROTONOSUPPORT, -1, res);
	expect_import(imp, rev, "a revocable buffer by a static importer", 0, st,
		      EPROTONOSUPPORT, -1, res);
	expect_import(imp, rev, "a revocable buffer by an importer declaring nothing", 0,
		      PFN_REF_IMP_P2P, EPROTONOSUPPORT, -1, res);
	expect_import(imp, rev, "a revocable buffer by a revocable importer (control)",
		      PFN_REF_CAP_REVOCABLE, PFN_REF_IMP_P2P, 0, 0, res);

	/* Dynamic: a follower must declare it; a static importer gets no ranges */
	expect_import(imp, dyn, "a dynamic buffer by an importer declaring nothing", 0,
		      PFN_REF_IMP_P2P, EPROTONOSUPPORT, -1, res);
	expect_import(imp, dyn, "a dynamic buffer by a static importer", 0, st, 0,
		      EPROTONOSUPPORT, res);
	expect_import(imp, dyn, "a dynamic buffer by a pinning importer", PFN_REF_CAP_PINNED,
		      pins, 0, EPROTONOSUPPORT, res);
	expect_import(imp, dyn, "a dynamic buffer by a dynamic importer (control)",
		      PFN_REF_CAP_DYNAMIC, PFN_REF_IMP_P2P, 0, 0, res);

	/* Pinned: anyone attaches, only a declared importer gets the ranges */
	expect_import(imp, pin, "a pinned buffer by a static importer", 0, st, 0,
		      EPROTONOSUPPORT, res);
	expect_import(imp, pin, "a pinned buffer by an importer declaring nothing", 0,
		      PFN_REF_IMP_P2P, 0, EPROTONOSUPPORT, res);
	expect_import(imp, pin, "a pinned buffer by a pinned importer (control)",
		      PFN_REF_CAP_PINNED, PFN_REF_IMP_P2P, 0, 0, res);
out_fds:
	if (vfio >= 0)
		close(vfio);
	if (rev >= 0)
		close(rev);
	if (dyn >= 0)
		close(dyn);
	if (pin >= 0)
		close(pin);
	close(imp);
out:
	conform_fixture_close(&fx);
}

/*
 * MODEL-014: an exporter that declares no model is "unknown" in fdinfo and
 * treated as dynamic: an importer that follows and declares a set without
 * dynamic (iommufd, KVM, the reference importer declaring pinned+revocable)
 * refuses it with EPROTONOSUPPORT; one declaring dynamic, one declaring
 * nothing and a static one accept it.  IOMMU_IOAS_MAP_FILE of it fails with
 * EPROTONOSUPPORT (the model), not EOPNOTSUPP (the exporter has no
 * get_memory), and leaves nothing mapped.
 */
static void model_undeclared_is_unknown(const struct conform_ctx *ctx,
					struct conform_result *res)
{
	uint64_t size = 4 * ctx->page;
	struct conform_fixture fx;
	int fd, imp;

	if (!ref_modules(ctx, res) || !conform_fixture_open(ctx, &fx, res))
		return;
	fd = ref_export(size, PFN_REF_MODEL_UNDECLARED, 2);
	if (fd < 0) {
		conform_fail_as(res, CONFORM_REASON_SETUP, "reference export (undeclared): %s",
				strerror(-fd));
		goto out;
	}
	if (!expect_model(fd, "an exporter that declares no model", "unknown", res))
		goto out_fd;
	imp = open("/dev/pfn_ref_imp", O_RDWR | O_CLOEXEC);
	if (imp < 0) {
		conform_fail(res, "/dev/pfn_ref_imp: %s", strerror(errno));
		goto out_fd;
	}
	expect_import(imp, fd, "an undeclared buffer by a pinned+revocable importer",
		      PFN_REF_CAP_PINNED | PFN_REF_CAP_REVOCABLE, PFN_REF_IMP_P2P,
		      EPROTONOSUPPORT, -1, res);
	expect_import(imp, fd, "an undeclared buffer by a dynamic importer", PFN_REF_CAP_DYNAMIC,
		      PFN_REF_IMP_P2P, 0, -1, res);
	expect_import(imp, fd, "an undeclared buffer by an importer declaring nothing", 0,
		      PFN_REF_IMP_P2P, 0, -1, res);
	expect_import(imp, fd, "an undeclared buffer by a static importer", 0,
		      PFN_REF_IMP_STATIC, 0, -1, res);
	close(imp);

	conform_expect_map_refused(&fx, fd, size, PFN_MAP_RW, "MAP_FILE of an undeclared dma-buf",
				   EPROTONOSUPPORT, res);
out_fd:
	close(fd);
out:
	conform_fixture_close(&fx);
}

const struct conform_case conform_model_cases[] = {
	{ "MODEL-001", "fdinfo_vfio_revocable", "MODEL-1", 0, model_vfio_revocable, 0 },
	{ "MODEL-002", "fdinfo_udmabuf_pinned", "MODEL-1", 0, model_udmabuf_pinned, 0 },
	{ "MODEL-003", "fdinfo_revoked_follows_memory_enable", "MODEL-2", 0, model_revoked_state, 0 },
	{ "MODEL-004", "attach_model_matrix", "MODEL-3", 0, model_attach_matrix, 0 },
	{ "MODEL-005", "attach_vfio_needs_revocable", "MODEL-3", 0, model_attach_vfio, 0 },
	{ "MODEL-006", "iommufd_maps_udmabuf", "MODEL-4", 0, model_iommufd_udmabuf, 0 },
	{ "MODEL-007", "iommufd_maps_multi_range_vfio", "MODEL-4", 0, model_iommufd_multi_range, 0 },
	{ "MODEL-008", "iommufd_refuses_dynamic", "MODEL-4", 0, model_iommufd_refuses_dynamic, 0 },
	{ "MODEL-009", "importer_invalidated_on_revoke", "MODEL-5", 0, model_importer_revoke, 0 },
	{ "MODEL-010", "importer_invalidated_on_move", "MODEL-5", 0, model_importer_move, 0 },
	{ "MODEL-011", "dma_multi_range_lands_in_order", "MODEL-6", CONFORM_NEEDS_DMA,
	  model_dma_multi_range, 0 },
	{ "MODEL-012", "dma_udmabuf_lands", "MODEL-6", CONFORM_NEEDS_DMA, model_dma_udmabuf, 0 },
	{ "MODEL-013", "core_refuses_importers_that_cannot_follow", "MODEL-7", 0,
	  model_enforced_in_core, 0 },
	{ "MODEL-014", "undeclared_model_is_unknown", "MODEL-7", 0, model_undeclared_is_unknown,
	  0 },
};

const unsigned int conform_model_count =
	sizeof(conform_model_cases) / sizeof(conform_model_cases[0]);

bool conform_ref_modules(const struct conform_ctx *ctx, struct conform_result *res)
{
	return ref_modules(ctx, res);
}
