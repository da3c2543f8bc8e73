// SPDX-License-Identifier: GPL-2.0-only
/* The guest-access benchmark: fresh VMs sweeping a BAR slice. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "pfnkvm/bench.h"
#include "rig.h"

#define BYTES_PER_ACCESS 16.0	/* one 64-bit read and one 64-bit write */
#define STOP_TIMEOUT 5.0

static void init_metrics(struct pkvm_bench_result *res)
{
	struct pkvm_metric *m = res->m;

	pkvm_metric_init(&m[PKVM_BM_MAP_US], res->cfg.path == PKVM_PATH_VMA ? "bar_mmap_time"
									      : "dmabuf_export_time",
			 "us", false);
	pkvm_metric_init(&m[PKVM_BM_SLOT_US], "memslot_setup_time", "us", false);
	pkvm_metric_init(&m[PKVM_BM_EXIT_US], "io_exit_round_trip", "us", false);
	pkvm_metric_init(&m[PKVM_BM_FIRST_US], "time_to_first_access", "us", false);
	pkvm_metric_init(&m[PKVM_BM_COLD_BPS], "guest_bytes_per_s_cold", "bytes/s", true);
	pkvm_metric_init(&m[PKVM_BM_WARM_BPS], "guest_bytes_per_s_warm", "bytes/s", true);
	pkvm_metric_init(&m[PKVM_BM_COLD_NPF], "npt_faults_cold_pass", "faults", false);
	pkvm_metric_init(&m[PKVM_BM_WARM_NPF], "npt_faults_warm_pass", "faults", false);
	pkvm_metric_init(&m[PKVM_BM_COLD_FIXED], "sptes_installed_cold_pass", "faults", false);
	pkvm_metric_init(&m[PKVM_BM_COLD_HOSTF], "host_faults_cold_pass", "faults", false);
	pkvm_metric_init(&m[PKVM_BM_WARM_HOSTF], "host_faults_warm_pass", "faults", false);
	pkvm_metric_init(&m[PKVM_BM_PAGES_4K], "kvm_pages_4k", "pages", false);
	pkvm_metric_init(&m[PKVM_BM_PAGES_2M], "kvm_pages_2m", "pages", false);
	pkvm_metric_init(&m[PKVM_BM_PAGES_1G], "kvm_pages_1g", "pages", false);
}

static int check_cfg(const struct pkvm_bench_cfg *cfg, struct pfn_err *err)
{
	if (cfg->passes < 2 || cfg->repeat < 1)
		return pfn_fail(err, EINVAL, "need at least 2 passes and 1 repetition");
	if (!cfg->stride || cfg->stride % 8 || !cfg->window || cfg->window % 4096)
		return pfn_fail(err, EINVAL,
				"stride must be a non-zero multiple of 8 and the window a page multiple");
	if (cfg->timeout <= 0)
		return pfn_fail(err, EINVAL, "timeout must be positive");
	return 0;
}

/* Turn one run's recorded exits into samples. */
static int collect(struct pkvm_rig *rig, const struct pkvm_bench_cfg *cfg,
		   struct pkvm_bench_result *res, struct pfn_err *err)
{
	struct pkvm_event calib, start, first, prev, pass;
	double bytes = BYTES_PER_ACCESS * (double)res->accesses_per_pass;
	struct pkvm_metric *m = res->m;

	if (!pkvm_runner_find(&rig->runner, PKVM_EV_IO, PKVM_PORT_CALIB, 0, &calib) ||
	    !pkvm_runner_find(&rig->runner, PKVM_EV_IO, PKVM_PORT_START, 0, &start) ||
	    !pkvm_runner_find(&rig->runner, PKVM_EV_IO, PKVM_PORT_FIRST, 0, &first))
		return pfn_fail(err, EPROTO, "the payload did not report its start");
	pkvm_metric_add(&m[PKVM_BM_MAP_US], rig->slot.map_us);
	pkvm_metric_add(&m[PKVM_BM_SLOT_US], rig->slot.slot_us);
	pkvm_metric_add(&m[PKVM_BM_EXIT_US], (start.t - calib.t) * 1e6);
	pkvm_metric_add(&m[PKVM_BM_FIRST_US], (first.t - start.t) * 1e6);
	prev = start;
	for (unsigned int k = 0; k < cfg->passes; k++) {
		if (!pkvm_runner_find(&rig->runner, PKVM_EV_IO, PKVM_PORT_PASS, k, &pass))
			return pfn_fail(err, EPROTO, "the payload reported %u of %u passes", k,
					cfg->passes);
		if (pass.t <= prev.t)
			return pfn_fail(err, EPROTO, "pass %u took no time", k);
		if (k == 0) {
			pkvm_metric_add(&m[PKVM_BM_COLD_BPS], bytes / (pass.t - prev.t));
			pkvm_metric_add(&m[PKVM_BM_COLD_HOSTF],
					(double)(pass.host_faults - prev.host_faults));
			if (res->have_stats) {
				pkvm_metric_add(&m[PKVM_BM_COLD_NPF],
						(double)(pass.pf_taken - prev.pf_taken));
				pkvm_metric_add(&m[PKVM_BM_COLD_FIXED],
						(double)(pass.pf_fixed - prev.pf_fixed));
			}
		} else {
			pkvm_metric_add(&m[PKVM_BM_WARM_BPS], bytes / (pass.t - prev.t));
			pkvm_metric_add(&m[PKVM_BM_WARM_HOSTF],
					(double)(pass.host_faults - prev.host_faults));
			if (res->have_stats)
				pkvm_metric_add(&m[PKVM_BM_WARM_NPF],
						(double)(pass.pf_taken - prev.pf_taken));
		}
		prev = pass;
	}
	if (res->have_stats) {
		pkvm_metric_add(&m[PKVM_BM_PAGES_4K], (double)pkvm_rig_stat(rig, "pages_4k"));
		pkvm_metric_add(&m[PKVM_BM_PAGES_2M], (double)pkvm_rig_stat(rig, "pages_2m"));
		pkvm_metric_add(&m[PKVM_BM_PAGES_1G], (double)pkvm_rig_stat(rig, "pages_1g"));
	}
	return 0;
}

static int bench_once(struct pkvm_target *t, const struct pkvm_bench_cfg *cfg,
		      struct pkvm_bench_result *res, struct pfn_err *err)
{
	volatile struct pkvm_mailbox *mb;
	struct pkvm_rig *rig;
	char why[PFN_ERR_MSG_MAX];
	int ret;

	ret = pkvm_rig_open(&rig, t, cfg->path, cfg->offset, cfg->window, cfg->align,
			    cfg->mmap_flags, err);
	if (ret)
		return ret;
	res->have_stats = pkvm_rig_has_stats(rig);
	mb = pkvm_vm_mailbox(&rig->vm);
	mb->mode = PKVM_MODE_SWEEP;
	mb->base = rig->slot.gpa;
	mb->len = cfg->window;
	mb->stride = cfg->stride;
	mb->count = cfg->passes;
	mb->report_every = UINT64_MAX;
	ret = pkvm_rig_start(rig, err);
	if (ret)
		goto out;
	ret = pkvm_runner_wait_port(&rig->runner, PKVM_PORT_DONE, 1, cfg->timeout);
	if (ret) {
		pkvm_rig_last_exit(rig, why, sizeof(why));
		if (ret == -ETIMEDOUT)
			pfn_fail(err, ETIMEDOUT,
				 "the guest did not finish %u passes within %.0f s (progress %llu accesses)",
				 cfg->passes, cfg->timeout, (unsigned long long)mb->progress);
		else
			pfn_fail(err, EIO, "the guest stopped before finishing: %s", why);
		pkvm_rig_stop(rig, STOP_TIMEOUT);
		goto out;
	}
	ret = pkvm_rig_stop(rig, STOP_TIMEOUT);
	if (ret) {
		pfn_fail(err, ETIMEDOUT, "the vCPU thread did not stop");
		goto out;
	}
	ret = collect(rig, cfg, res, err);
out:
	pkvm_rig_close(rig);
	return ret;
}

int pkvm_bench_prime(struct pkvm_target *t, uint64_t offset, uint64_t len, struct pfn_err *err)
{
	volatile uint64_t *p;
	void *map;
	int ret;

	ret = pfn_vfio_bar_mmap(&t->dev, t->bar, offset, len, 2ull << 20, 0, &map, err);
	if (ret)
		return ret;
	p = map;
	for (uint64_t off = 0; off < len; off += 4096)
		p[off / 8] = 0;
	munmap(map, len);
	return 0;
}

int pkvm_bench_run(struct pkvm_target *t, const struct pkvm_bench_cfg *cfg,
		   struct pkvm_bench_result *res, struct pfn_err *err)
{
	int ret;

	memset(res, 0, sizeof(*res));
	res->cfg = *cfg;
	init_metrics(res);
	ret = check_cfg(cfg, err);
	if (ret)
		return ret;
	res->accesses_per_pass = (cfg->window + cfg->stride - 1) / cfg->stride;
	for (unsigned int i = 0; i < cfg->repeat; i++) {
		ret = bench_once(t, cfg, res, err);
		if (ret)
			return ret;
		res->reps_done++;
	}
	return 0;
}
