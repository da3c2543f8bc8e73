// SPDX-License-Identifier: GPL-2.0-only
/* VM + BAR slot + statistics + vCPU thread, opened and closed together. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rig.h"

#define POLL_NS 1000000L	/* 1 ms */

int pkvm_rig_open(struct pkvm_rig **out, struct pkvm_target *t, enum pkvm_path path,
		  uint64_t offset, uint64_t len, uint64_t align, uint32_t mmap_flags,
		  struct pfn_err *err)
{
	uint64_t gpa = pkvm_bar_gpa(len);
	struct pkvm_rig *rig;
	int ret;

	*out = NULL;
	rig = calloc(1, sizeof(*rig));
	if (!rig)
		return pfn_fail(err, ENOMEM, "allocating a VM");
	rig->vcpu_stats.fd = rig->vm_stats.fd = -1;
	rig->slot.dmabuf_fd = -1;
	ret = pkvm_vm_create(&rig->vm, gpa + len, err);
	if (ret) {
		free(rig);
		return ret;
	}
	ret = pkvm_bar_slot_add(&rig->slot, &rig->vm, t, path, offset, len, align, mmap_flags,
				gpa, err);
	if (ret) {
		pkvm_vm_destroy(&rig->vm);
		free(rig);
		return ret;
	}
	/* Statistics are optional: fault metrics are left empty without them. */
	pkvm_stats_open(&rig->vcpu_stats, rig->vm.vcpu_fd, NULL);
	pkvm_stats_open(&rig->vm_stats, rig->vm.vm_fd, NULL);
	*out = rig;
	return 0;
}

int pkvm_rig_start(struct pkvm_rig *rig, struct pfn_err *err)
{
	return pkvm_runner_start(&rig->runner, &rig->vm, &rig->vcpu_stats, err);
}

int pkvm_rig_stop(struct pkvm_rig *rig, double timeout)
{
	int ret = pkvm_runner_stop(&rig->runner, timeout);

	if (ret)
		rig->stuck = true;
	return ret;
}

void pkvm_rig_close(struct pkvm_rig *rig)
{
	if (!rig)
		return;
	if (rig->runner.started)
		pkvm_rig_stop(rig, 1.0);
	if (rig->stuck)
		return;	/* the vCPU thread may still use the VM: leak it */
	pkvm_runner_destroy(&rig->runner);
	pkvm_stats_close(&rig->vcpu_stats);
	pkvm_stats_close(&rig->vm_stats);
	pkvm_bar_slot_remove(&rig->slot, &rig->vm);
	pkvm_vm_destroy(&rig->vm);
	free(rig);
}

uint64_t pkvm_rig_stat(const struct pkvm_rig *rig, const char *name)
{
	uint64_t v = 0;

	if (pkvm_stats_get(&rig->vcpu_stats, name, &v))
		pkvm_stats_get(&rig->vm_stats, name, &v);
	return v;
}

bool pkvm_rig_has_stats(const struct pkvm_rig *rig)
{
	return rig->vcpu_stats.fd >= 0 && rig->vm_stats.fd >= 0;
}

int pkvm_rig_wait_progress(struct pkvm_rig *rig, uint64_t at_least, double timeout)
{
	volatile struct pkvm_mailbox *mb = pkvm_vm_mailbox(&rig->vm);
	struct timespec ts = { 0, POLL_NS };
	double deadline = pkvm_now() + timeout;

	for (;;) {
		if (mb->progress >= at_least)
			return 0;
		if (pkvm_runner_state(&rig->runner) != PKVM_RUNNING)
			return -EPIPE;
		if (pkvm_now() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&ts, NULL);
	}
}

void pkvm_rig_last_exit(struct pkvm_rig *rig, char *buf, size_t len)
{
	struct pkvm_event ev;

	pthread_mutex_lock(&rig->runner.lock);
	ev = rig->runner.last;
	pthread_mutex_unlock(&rig->runner.lock);
	pkvm_event_describe(&ev, buf, len);
}
