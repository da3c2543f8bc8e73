// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BAR in a KVM guest, through the pfn-kvm VMM library (workloads/kvm):
 *
 *   kvm_access/vma/size:S/align:A  BAR mmap at user alignment A as an
 *                                  ordinary memslot (what Linux 7.3 has)
 *   kvm_access/dmabuf/size:S       a vfio dma-buf of the slice in a
 *                                  KVM_MEM_DMABUF memslot (reference series)
 *
 * One iteration = one fresh VM whose payload sweeps the S-byte slice twice
 * (one 64-bit read and write every 4 KiB). The iteration's time is the cold
 * sweep, where every nested-paging fault is taken; the counters are the
 * cold sweep's nested-paging faults (the vCPU's pf_taken), the memslot
 * setup time and the time to the guest's first access. SKIP without
 * /dev/kvm, and the dma-buf path without dma-buf memslots.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "pfnkvm/bar_slot.h"
#include "pfnkvm/bench.h"
#include "pfnkvm/target.h"

#define KVM_STRIDE 4096u
#define KVM_TIMEOUT_S 120.0

static double first_sample(const struct pkvm_metric *m)
{
	return m->n ? m->samples[0] : 0.0;
}

static void run_kvm(struct pfnbench_state *st, enum pkvm_path path)
{
	struct bench_ctx *ctx = bench_ctx_of(st);
	uint64_t size = (uint64_t)pfnbench_range(st, 0);
	struct pkvm_bench_cfg cfg = {
		.path = path, .window = size, .stride = KVM_STRIDE, .passes = 2, .repeat = 1,
		.timeout = KVM_TIMEOUT_S,
	};
	double npf = 0, setup = 0, first = 0;
	struct pkvm_bench_result res;
	struct pkvm_target t;
	char why[PFN_ERR_MSG_MAX];
	struct pfn_err err;
	int ret;

	/* Only absence is a SKIP; /dev/kvm there but unusable fails below. */
	if (access("/dev/kvm", F_OK) && errno == ENOENT) {
		bench_skip(st, false, "no /dev/kvm: no KVM in this kernel or no virtualization in this CPU");
		return;
	}
	if (path == PKVM_PATH_VMA) {
		cfg.align = (uint64_t)pfnbench_range(st, 1);
		cfg.mmap_flags = PFN_MMAP_EXACT_ALIGN;
	} else {
		cfg.align = pkvm_natural_align(size);
	}
	/* The VMM opens the device itself: give it up for the run. */
	bench_env_close(&ctx->env);
	if (pkvm_target_open(&t, ctx->env.sysfs, ctx->env.target_bdf, (int)ctx->env.bar, &err)) {
		bench_skip(st, true, "%s", err.msg);
		return;
	}
	if (path == PKVM_PATH_DMABUF) {
		ret = pkvm_bar_dmabuf_supported(&t, why, sizeof(why));
		if (ret <= 0) {
			bench_skip(st, ret < 0, "%s", why);
			goto out;
		}
	}
	ret = 0;
	while (!ret && pfnbench_keep_running(st)) {
		ret = pkvm_bench_run(&t, &cfg, &res, &err);
		if (ret)
			break;
		npf += first_sample(&res.m[PKVM_BM_COLD_NPF]);
		setup += first_sample(&res.m[PKVM_BM_SLOT_US]);
		first += first_sample(&res.m[PKVM_BM_FIRST_US]);
		/* bytes / (bytes per second): the cold sweep's duration */
		pfnbench_set_iteration_time(st, 16.0 * (double)res.accesses_per_pass /
						    first_sample(&res.m[PKVM_BM_COLD_BPS]));
	}
	if (ret) {
		bench_skip(st, true, "%s", err.msg);
		goto out;
	}
	if (pfnbench_set_counter(st, "npt_faults", npf, PFNBENCH_COUNTER_AVG_ITERATIONS,
				 PFNBENCH_BASE_1000) ||
	    pfnbench_set_counter(st, "slot_setup_us", setup, PFNBENCH_COUNTER_AVG_ITERATIONS,
				 PFNBENCH_BASE_1000) ||
	    pfnbench_set_counter(st, "first_access_us", first, PFNBENCH_COUNTER_AVG_ITERATIONS,
				 PFNBENCH_BASE_1000))
		bench_skip(st, true, "cannot record the counters");
out:
	pkvm_target_close(&t);
}

static void bm_kvm_vma(struct pfnbench_state *st) { run_kvm(st, PKVM_PATH_VMA); }
static void bm_kvm_dmabuf(struct pfnbench_state *st) { run_kvm(st, PKVM_PATH_DMABUF); }

int bench_register_kvm(struct bench_ctx *ctx)
{
	static const char *const vma_names[] = { "size", "align" };
	static const char *const buf_names[] = { "size" };
	/*
	 * 4K alignment over 64 MiB only: 1 GiB of 4 KiB NPT faults is minutes
	 * in TCG; and not in the quick profile, where 64 MiB of them alone
	 * would take half of make test's benchmark budget.
	 */
	static const int64_t quick_vma[] = { 64 << 20, 2 << 20 };
	static const int64_t quick_buf[] = { 64 << 20 };
	static const int64_t full_vma[] = { 64 << 20, 4096, 64 << 20, 2 << 20,
					    1 << 30, 2 << 20, 1 << 30, 1 << 30 };
	static const int64_t full_buf[] = { 64 << 20, 1 << 30 };
	static const int64_t iters[] = { 2, 2, 2, 2 };
	bool quick = !strcmp(ctx->profile.name, "quick");
	const int64_t *vma = quick ? quick_vma : full_vma, *buf = quick ? quick_buf : full_buf;
	unsigned int nv = quick ? 1 : 4, nb = quick ? 1 : 2;
	int ret;

	/* Slices the BAR lacks become SKIPs in bench_add(). */
	ret = bench_add("kvm_access/vma", bm_kvm_vma, ctx, vma_names, 2, vma, nv, iters);
	if (ret)
		return ret;
	return bench_add("kvm_access/dmabuf", bm_kvm_dmabuf, ctx, buf_names, 1, buf, nb, iters);
}
