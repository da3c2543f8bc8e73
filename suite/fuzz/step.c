// SPDX-License-Identifier: GPL-2.0-only
/* One fuzz call: pick an op by weight and run it. */
#include <string.h>

#include "fuzz.h"

static const struct {
	const char *name;
	void (*run)(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c);
	unsigned int weight;
} ops[FUZZ_OP_COUNT] = {
	[FUZZ_EXPORT] = { "VFIO_DEVICE_FEATURE_DMA_BUF", fuzz_op_export, 20 },
	[FUZZ_MAP_FILE] = { "IOMMU_IOAS_MAP_FILE", fuzz_op_map_file, 25 },
	[FUZZ_UNMAP] = { "IOMMU_IOAS_UNMAP", fuzz_op_unmap, 12 },
	[FUZZ_KVM_SLOT] = { "KVM_SET_USER_MEMORY_REGION2", fuzz_op_kvm_slot, 12 },
	[FUZZ_REF_EXP] = { "PFN_REF_EXP", fuzz_op_ref_exp, 10 },
	[FUZZ_REF_IMP] = { "PFN_REF_IMP", fuzz_op_ref_imp, 10 },
	[FUZZ_REVOKE] = { "revoke", fuzz_op_revoke, 6 },
	[FUZZ_CLOSE] = { "close", fuzz_op_close, 5 },
};

const char *fuzz_op_name(enum fuzz_op op)
{
	return op < FUZZ_OP_COUNT ? ops[op].name : "?";
}

void fuzz_step(struct fuzz_world *w, struct fuzz_rng *r, struct fuzz_call *c)
{
	unsigned int total = 0, pick;
	enum fuzz_op op = 0;

	for (unsigned int i = 0; i < FUZZ_OP_COUNT; i++)
		total += ops[i].weight;
	pick = (unsigned int)fuzz_below(r, total);
	while (pick >= ops[op].weight)
		pick -= ops[op++].weight;
	memset(c, 0, sizeof(*c));
	c->op = op;
	ops[op].run(w, r, c);
}

void fuzz_issue(struct fuzz_world *w, const struct fuzz_call *c)
{
	if (w->on_issue)
		w->on_issue(c, w->on_issue_arg);
}
