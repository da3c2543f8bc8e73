// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz calls on the reference exporter (/dev/pfn_ref_exp: create, move,
 * revoke) and importer (/dev/pfn_ref_imp: attach, get, put, status,
 * detach), reference-kernel/modules/pfn_ref_uapi.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fuzz.h"
#include "../../reference-kernel/modules/pfn_ref_uapi.h"

/* What the exporter and importer allow, from pfn_ref_exporter.c and pfn_ref_importer.c. */
#define REF_MAX_RANGES 64
#define REF_MAX_SIZE (256ull << 20)
#define REF_IMP_FLAGS (PFN_REF_IMP_P2P | PFN_REF_IMP_STATIC | PFN_REF_IMP_NO_INVALIDATE)

/* A buffer size: small and valid mostly; never one the guest cannot spare. */
static uint64_t gen_size(struct fuzz_rng *r, uint64_t page, uint32_t nr)
{
	static const uint64_t odd[] = { 0, 1, 4095, 4097, 1ull << 63, ~0ull, REF_MAX_SIZE + 4096 };

	if (fuzz_below(r, 10) < 8)
		return (1 + fuzz_below(r, 4)) * (nr ? nr : 1) * page;
	return odd[fuzz_below(r, sizeof(odd) / sizeof(odd[0]))];
}

static void exp_create(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	struct pfn_ref_exp_create a = { 0 };
	uint64_t page = w->ctx->page;
	long ret;

	a.nr_ranges = fuzz_below(r, 10) ? 1 + (uint32_t)fuzz_below(r, 4) :
		      (uint32_t)fuzz_edge(r, REF_MAX_RANGES, 1);
	a.size = gen_size(r, page, a.nr_ranges);
	a.model = fuzz_below(r, 10) ? (uint32_t)fuzz_below(r, PFN_REF_MODEL_UNDECLARED + 1) :
		  (uint32_t)fuzz_u64(r);
	a.reserved = fuzz_one_in(r, 20) ? (uint32_t)fuzz_u64(r) | 1 : 0;
	snprintf(c->desc, sizeof(c->desc), "CREATE size=%#llx model=%u nr_ranges=%u reserved=%#x",
		 (unsigned long long)a.size, a.model, a.nr_ranges, a.reserved);
	if (a.reserved)
		c->must_fail = "REF-EXP-reserved";
	else if (!a.nr_ranges || a.nr_ranges > REF_MAX_RANGES)
		c->must_fail = "REF-EXP-ranges";
	else if (!a.size || a.size > REF_MAX_SIZE || a.size % (a.nr_ranges * page))
		c->must_fail = "REF-EXP-size";
	else if (a.model > PFN_REF_MODEL_UNDECLARED)
		c->must_fail = "REF-EXP-model";
	fuzz_issue(w, c);
	ret = ioctl(w->ref_exp, PFN_REF_EXP_CREATE, &a);
	fuzz_call_ret(c, ret);
	if (!ret)
		fuzz_world_add_buf(w, a.fd, a.size, false, true);
}

static void exp_op(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	const struct fuzz_dmabuf *buf;
	struct pfn_ref_exp_op a;
	bool move = fuzz_one_in(r, 2);
	char fdname[32];
	long ret;

	a.fd = fuzz_world_fd(w, r, fdname, sizeof(fdname), &buf);
	a.arg = fuzz_below(r, 4) ? (uint32_t)fuzz_below(r, 2) : (uint32_t)fuzz_u64(r);
	snprintf(c->desc, sizeof(c->desc), "%s fd=%s arg=%#x", move ? "MOVE" : "REVOKE", fdname,
		 a.arg);
	if (!buf || buf->vfio)
		c->must_fail = "REF-EXP-not-its-buffer";
	fuzz_issue(w, c);
	ret = ioctl(w->ref_exp, move ? PFN_REF_EXP_MOVE : PFN_REF_EXP_REVOKE, &a);
	fuzz_call_ret(c, ret);
}

void fuzz_op_ref_exp(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	long ret;

	if (w->ref_exp < 0) {
		snprintf(c->desc, sizeof(c->desc), "%s", w->unavailable[FUZZ_REF_EXP]);
		return;
	}
	switch (fuzz_below(r, 10)) {
	case 0:
		snprintf(c->desc, sizeof(c->desc), "unknown ioctl 0x50ff");
		c->must_fail = "REF-unknown-ioctl";
		fuzz_issue(w, c);
		ret = ioctl(w->ref_exp, _IOW('P', 0xff, struct pfn_ref_exp_op), w->args);
		fuzz_call_ret(c, ret);
		return;
	case 1: case 2: case 3:
		exp_op(w, r, c);
		return;
	default:
		exp_create(w, r, c);
	}
}

static bool live_import(const struct fuzz_world *w, uint32_t id)
{
	for (unsigned int i = 0; i < w->n_imports; i++)
		if (w->imports[i] == id)
			return true;
	return false;
}

static void forget_import(struct fuzz_world *w, uint32_t id)
{
	for (unsigned int i = 0; i < w->n_imports; i++)
		if (w->imports[i] == id) {
			w->imports[i] = w->imports[--w->n_imports];
			return;
		}
}

static void imp_attach(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	const struct fuzz_dmabuf *buf;
	struct pfn_ref_imp_attach a = { 0 };
	char fdname[32];
	long ret;

	a.fd = fuzz_world_fd(w, r, fdname, sizeof(fdname), &buf);
	a.mem_models = fuzz_below(r, 5) ? (uint32_t)fuzz_below(r, 16) : (uint32_t)fuzz_u64(r);
	a.flags = fuzz_below(r, 10) ? (uint32_t)fuzz_below(r, REF_IMP_FLAGS + 1) : (uint32_t)fuzz_u64(r);
	snprintf(c->desc, sizeof(c->desc), "ATTACH fd=%s mem_models=%#x flags=%#x", fdname,
		 a.mem_models, a.flags);
	if (a.flags & ~REF_IMP_FLAGS)
		c->must_fail = "REF-IMP-unknown-flags";
	else if ((a.flags & PFN_REF_IMP_NO_INVALIDATE) &&
		 (a.mem_models & (PFN_REF_CAP_DYNAMIC | PFN_REF_CAP_REVOCABLE)))
		c->must_fail = "REF-IMP-follows-without-invalidate";
	else if (!buf)
		c->must_fail = "REF-IMP-fd-kind";
	fuzz_issue(w, c);
	ret = ioctl(w->ref_imp, PFN_REF_IMP_ATTACH, &a);
	fuzz_call_ret(c, ret);
	if (!ret && w->n_imports < FUZZ_MAX_IMPORTS)
		w->imports[w->n_imports++] = a.id;
}

void fuzz_op_ref_imp(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	static const struct {
		const char *name;
		unsigned long cmd;
	} by_id[] = {
		{ "GET", PFN_REF_IMP_GET }, { "PUT", PFN_REF_IMP_PUT },
		{ "STATUS", PFN_REF_IMP_STATUS }, { "DETACH", PFN_REF_IMP_DETACH },
	};
	struct pfn_ref_imp_status st = { 0 };
	unsigned int k;
	long ret;

	if (w->ref_imp < 0) {
		snprintf(c->desc, sizeof(c->desc), "%s", w->unavailable[FUZZ_REF_IMP]);
		return;
	}
	if (fuzz_below(r, 10) < 4 || !w->n_imports) {
		imp_attach(w, r, c);
		return;
	}
	k = (unsigned int)fuzz_below(r, 4);
	st.id = fuzz_below(r, 10) ? w->imports[fuzz_below(r, w->n_imports)] :
		(uint32_t)fuzz_edge(r, 64, 1);
	snprintf(c->desc, sizeof(c->desc), "%s id=%u", by_id[k].name, st.id);
	if (!live_import(w, st.id))
		c->must_fail = "REF-IMP-unknown-id";
	/* PUT and DETACH take the id itself, GET and STATUS a status struct */
	fuzz_issue(w, c);
	ret = ioctl(w->ref_imp, by_id[k].cmd, &st);
	fuzz_call_ret(c, ret);
	if (!ret && by_id[k].cmd == PFN_REF_IMP_DETACH)
		forget_import(w, st.id);
}
