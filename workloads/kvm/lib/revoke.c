// SPDX-License-Identifier: GPL-2.0-only
/* Revoke (memory disable, reset) under a guest writing a sequence number. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/kvm.h>
#include <linux/pci_regs.h>

#include "pfnkvm/dmabuf_slot.h"
#include "pfnkvm/revoke.h"
#include "rig.h"

#define SEQ_LIMIT	(1ull << 34)	/* iteration bound of the guest loop */
#define SEQ_REPORT	(1ull << 16)	/* a progress exit every 64 Ki writes */
#define SEQ_WARMUP	1000ull		/* writes seen before the trigger */
#define POLL_NS		2000000L	/* 2 ms */
#define RESUME_WAIT	5.0
#define STOP_WAIT	2.0

const char *pkvm_trigger_name(enum pkvm_trigger trigger)
{
	return trigger == PKVM_TRIGGER_RESET ? "reset" : "memory-disable";
}

static int memory_enabled(struct pkvm_target *t, bool *on, struct pfn_err *err)
{
	uint16_t cmd;
	int ret = pfn_vfio_config_read(&t->dev, PCI_COMMAND, &cmd, sizeof(cmd), err);

	if (!ret)
		*on = cmd & PCI_COMMAND_MEMORY;
	return ret;
}

static int trigger(struct pkvm_target *t, enum pkvm_trigger trig, struct pfn_err *err)
{
	struct pfn_err xerr;
	int ret;

	if (trig == PKVM_TRIGGER_MEMORY)
		return pfn_vfio_set_memory_enable(&t->dev, false, err);
	ret = pfn_vfio_reset(&t->dev, &xerr);
	if (ret == -ENOTTY || ret == -EINVAL)
		return pfn_fail(err, EOPNOTSUPP, "%s cannot be reset: %s", t->dev.bdf, xerr.msg);
	if (ret)
		return pfn_fail(err, -ret, "%s", xerr.msg);
	return 0;
}

/* Watch the guest for cfg->observe seconds after the trigger returned. */
static void observe(struct pkvm_rig *rig, struct pkvm_revoke_result *res, double t_trigger,
		    double t_end)
{
	struct timespec ts = { 0, POLL_NS };

	while (pkvm_now() < t_end) {
		if (!res->exited && pkvm_runner_state(&rig->runner) == PKVM_PARKED) {
			pthread_mutex_lock(&rig->runner.lock);
			res->exit = rig->runner.last;
			pthread_mutex_unlock(&rig->runner.lock);
			res->exited = true;
			res->exit_delay_ms = (res->exit.t - t_trigger) * 1e3;
		}
		nanosleep(&ts, NULL);
	}
}

/* After the restore: let a parked vCPU run again and see the sequence move. */
static void try_resume(struct pkvm_rig *rig, struct pkvm_revoke_result *res)
{
	volatile struct pkvm_mailbox *mb = pkvm_vm_mailbox(&rig->vm);
	uint64_t from = mb->progress;

	res->resume_tried = true;
	if (pkvm_runner_resume(&rig->runner))
		return;
	if (!pkvm_rig_wait_progress(rig, from + SEQ_WARMUP, RESUME_WAIT))
		res->resumed = true;
	else if (pkvm_runner_state(&rig->runner) == PKVM_PARKED) {
		pthread_mutex_lock(&rig->runner.lock);
		res->resume_exit = rig->runner.last;
		pthread_mutex_unlock(&rig->runner.lock);
	}
	res->resumed_to = mb->progress;
}

/* dma-buf path: the VMM replaces the revoked memslot, then resumes. */
static void reestablish(struct pkvm_rig *rig, struct pkvm_revoke_result *res)
{
	volatile struct pkvm_mailbox *mb = pkvm_vm_mailbox(&rig->vm);
	struct pkvm_bar_slot *s = &rig->slot;
	uint64_t from = mb->progress;

	if (pkvm_dmabuf_slot_set(&rig->vm, s->slot, s->gpa, 0, s->dmabuf_fd, 0, NULL))
		return;
	s->slot_set = false;
	if (pkvm_dmabuf_slot_set(&rig->vm, s->slot, s->gpa, s->len, s->dmabuf_fd, 0, NULL))
		return;
	s->slot_set = true;
	if (pkvm_runner_resume(&rig->runner))
		return;
	res->reestablished = !pkvm_rig_wait_progress(rig, from + SEQ_WARMUP, RESUME_WAIT);
	res->resumed_to = mb->progress;
}

static int run(struct pkvm_rig *rig, struct pkvm_target *t, const struct pkvm_revoke_cfg *cfg,
	       struct pkvm_revoke_result *res, struct pfn_err *err)
{
	volatile struct pkvm_mailbox *mb = pkvm_vm_mailbox(&rig->vm);
	volatile uint64_t *seq_word = rig->slot.host_view;
	uint64_t npf0;
	double t0, t1;
	bool on;
	int ret;

	*seq_word = 0;
	mb->mode = PKVM_MODE_SEQUENCE;
	mb->base = rig->slot.gpa;
	mb->count = SEQ_LIMIT;
	mb->report_every = SEQ_REPORT;
	mb->progress = 0;
	ret = pkvm_rig_start(rig, err);
	if (ret)
		return ret;
	ret = pkvm_rig_wait_progress(rig, SEQ_WARMUP, cfg->timeout);
	if (ret) {
		char why[PFN_ERR_MSG_MAX];

		pkvm_rig_last_exit(rig, why, sizeof(why));
		return pfn_fail(err, EIO, "the guest did not start writing the BAR (%llu writes): %s",
				(unsigned long long)mb->progress,
				ret == -ETIMEDOUT ? "timed out" : why);
	}

	res->have_stats = pkvm_rig_has_stats(rig);
	npf0 = pkvm_rig_stat(rig, "pf_taken");
	res->before = mb->progress;
	t0 = pkvm_now();
	ret = trigger(t, cfg->trigger, err);
	t1 = pkvm_now();
	res->after = mb->progress;
	res->trigger_ms = (t1 - t0) * 1e3;
	if (ret)
		return ret;
	if (!memory_enabled(t, &on, NULL))
		res->memory_on_after = on;
	observe(rig, res, t0, t1 + cfg->observe);
	res->observed = mb->progress;

	/* Stop a guest that is still running before memory comes back. */
	if (pkvm_runner_state(&rig->runner) == PKVM_RUNNING) {
		mb->stop = 1;
		res->stopped_cleanly = pkvm_runner_wait_state(&rig->runner, STOP_WAIT) >= 0;
		/* Not even the stop flag got through: kick it out of KVM_RUN for good. */
		if (!res->stopped_cleanly && pkvm_rig_stop(rig, 0))
			return pfn_fail(err, ETIMEDOUT,
					"the vCPU neither exited nor stopped after the %s",
					pkvm_trigger_name(cfg->trigger));
	}
	res->npf_window = pkvm_rig_stat(rig, "pf_taken") - npf0;

	ret = pfn_vfio_set_memory_enable(&t->dev, true, err);
	if (ret)
		return ret;
	if (memory_enabled(t, &on, err))
		return -EIO;
	if (!on)
		return pfn_fail(err, EIO, "PCI memory decoding stayed off after enabling it");
	res->bar_value = *seq_word;
	res->bar_read = true;
	res->landed_after = res->bar_value > res->after + 1;

	if (pkvm_runner_state(&rig->runner) == PKVM_PARKED) {
		mb->stop = 0;
		try_resume(rig, res);
	}
	if (cfg->path == PKVM_PATH_DMABUF && res->resume_tried && !res->resumed &&
	    pkvm_runner_state(&rig->runner) == PKVM_PARKED)
		reestablish(rig, res);
	return 0;
}

int pkvm_revoke_run(struct pkvm_target *t, const struct pkvm_revoke_cfg *cfg,
		    struct pkvm_revoke_result *res, struct pfn_err *err)
{
	struct pkvm_rig *rig;
	int ret;

	memset(res, 0, sizeof(*res));
	res->cfg = *cfg;
	ret = pkvm_rig_open(&rig, t, cfg->path, 0, cfg->window, cfg->align, 0, err);
	if (ret)
		return ret;
	ret = run(rig, t, cfg, res, err);
	/* Whatever happened, leave the device decoding memory. */
	pfn_vfio_set_memory_enable(&t->dev, true, NULL);
	if (pkvm_rig_stop(rig, STOP_WAIT) && !ret)
		ret = pfn_fail(err, ETIMEDOUT, "the vCPU thread did not stop");
	pkvm_rig_close(rig);
	return ret;
}

const char *pkvm_revoke_verdict_name(enum pkvm_revoke_verdict v)
{
	return v == PKVM_REVOKE_PASS ? "pass" : v == PKVM_REVOKE_FINDING ? "finding" : "fail";
}

uint64_t pkvm_revoke_writes_after(const struct pkvm_revoke_result *r)
{
	return r->observed > r->after + 1 ? r->observed - r->after - 1 : 0;
}

/* The dma-buf memslot's contract: exit REVOKED, no run until the slot is replaced. */
static enum pkvm_revoke_verdict judge_dmabuf(const struct pkvm_revoke_result *r,
					     const char *what, char *why, size_t len)
{
	const struct pkvm_event *ex = &r->exit;

	if (!r->exited || ex->exit_reason != KVM_EXIT_MEMORY_FAULT ||
	    !(ex->flags & KVM_MEMORY_EXIT_FLAG_REVOKED)) {
		snprintf(why, len,
			 "after %s the guest's access did not exit with KVM_EXIT_MEMORY_FAULT (flag REVOKED)",
			 what);
		return PKVM_REVOKE_FAIL;
	}
	if (r->resumed) {
		snprintf(why, len,
			 "after %s was undone, the guest ran on before the VMM replaced the memslot",
			 what);
		return PKVM_REVOKE_FAIL;
	}
	if (!r->reestablished) {
		snprintf(why, len,
			 "after %s was undone, replacing the memslot did not let the guest run again",
			 what);
		return PKVM_REVOKE_FAIL;
	}
	snprintf(why, len,
		 "no guest write after %s; the access exited REVOKED and the guest ran again once the memslot was replaced",
		 what);
	return PKVM_REVOKE_PASS;
}

enum pkvm_revoke_verdict pkvm_revoke_judge(const struct pkvm_revoke_result *r, char *why,
					   size_t len)
{
	const char *what = r->cfg.trigger == PKVM_TRIGGER_RESET ? "VFIO_DEVICE_RESET"
								 : "PCI memory disable";
	bool reset = r->cfg.trigger == PKVM_TRIGGER_RESET;
	uint64_t writes = pkvm_revoke_writes_after(r);
	/* The BAR can only show a late write when memory came back at once. */
	bool bar_shows = reset && r->landed_after;

	if (r->cfg.path == PKVM_PATH_DMABUF) {
		if (writes || bar_shows) {
			snprintf(why, len,
				 "after %s, %llu guest writes completed (progress %llu -> %llu) and the BAR holds %llu",
				 what, (unsigned long long)writes, (unsigned long long)r->after,
				 (unsigned long long)r->observed, (unsigned long long)r->bar_value);
			return PKVM_REVOKE_FAIL;
		}
		return judge_dmabuf(r, what, why, len);
	}
	if (!reset) {
		if (writes) {
			snprintf(why, len,
				 "the guest completed %llu BAR writes after PCI memory disable without leaving KVM_RUN",
				 (unsigned long long)writes);
			return PKVM_REVOKE_FAIL;
		}
		snprintf(why, len, "no guest write after PCI memory disable (%s)",
			 r->exited ? "the vCPU exited" : "the guest stopped without an exit");
		return PKVM_REVOKE_PASS;
	}
	if (!r->exited && (writes || bar_shows)) {
		snprintf(why, len,
			 "VMA path: the guest kept writing across VFIO_DEVICE_RESET with no exit to the VMM: %llu writes in %.1f s after the reset, BAR holds %llu",
			 (unsigned long long)writes, r->cfg.observe, (unsigned long long)r->bar_value);
		return PKVM_REVOKE_FINDING;
	}
	if (bar_shows) {
		snprintf(why, len,
			 "the vCPU exited, yet a guest write after the reset landed: BAR holds %llu, the guest was at %llu",
			 (unsigned long long)r->bar_value, (unsigned long long)r->after);
		return PKVM_REVOKE_FAIL;
	}
	snprintf(why, len, "no guest write after VFIO_DEVICE_RESET reached the device");
	return PKVM_REVOKE_PASS;
}

void pkvm_revoke_describe(const struct pkvm_revoke_result *r, char *buf, size_t len)
{
	char ex[PFN_ERR_MSG_MAX], what[PFN_ERR_MSG_MAX + 64], bar[96], resume[PFN_ERR_MSG_MAX + 128];
	char npf[80];

	if (r->exited) {
		pkvm_event_describe(&r->exit, ex, sizeof(ex));
		snprintf(what, sizeof(what), "vCPU exit %.2f ms after the trigger: %s",
			 r->exit_delay_ms, ex);
	} else {
		snprintf(what, sizeof(what), "no vCPU exit within %.1f s (%s)", r->cfg.observe,
			 r->stopped_cleanly ? "the guest then stopped on request"
					    : "the guest did not answer the stop request");
	}
	if (r->bar_read)
		snprintf(bar, sizeof(bar), "BAR holds %llu%s", (unsigned long long)r->bar_value,
			 r->landed_after ? " (a write made after the revoke)" : "");
	else
		snprintf(bar, sizeof(bar), "BAR not read");
	if (!r->resume_tried)
		resume[0] = '\0';
	else if (r->resumed)
		snprintf(resume, sizeof(resume), "; resumed after the restore: sequence reached %llu",
			 (unsigned long long)r->resumed_to);
	else {
		pkvm_event_describe(&r->resume_exit, ex, sizeof(ex));
		snprintf(resume, sizeof(resume), "; did not resume after the restore (%s)%s", ex,
			 r->cfg.path != PKVM_PATH_DMABUF ? "" : r->reestablished
			 ? "; ran again once the memslot was replaced"
			 : "; did not run again after the memslot was replaced");
	}
	if (r->have_stats)
		snprintf(npf, sizeof(npf), "; %llu nested-paging faults from the trigger to the stop",
			 (unsigned long long)r->npf_window);
	else
		npf[0] = '\0';
	snprintf(buf, len,
		 "%s; trigger took %.2f ms, PCI memory %s after it; sequence %llu before, %llu after the trigger, %llu at the end of the window (+%llu)%s; %s%s",
		 what, r->trigger_ms, r->memory_on_after ? "on" : "off",
		 (unsigned long long)r->before, (unsigned long long)r->after,
		 (unsigned long long)r->observed, (unsigned long long)(r->observed - r->after), npf,
		 bar, resume);
}
