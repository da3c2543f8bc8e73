// SPDX-License-Identifier: GPL-2.0-only
/* Host writes, guest reads and writes back, host checks: both directions. */
#include <errno.h>
#include <string.h>

#include "pfnkvm/access.h"
#include "rig.h"

#define ACCESS_TIMEOUT 60.0
#define STOP_TIMEOUT 5.0

/* splitmix64: a distinct, non-trivial word per index. */
static uint64_t pattern(uint64_t seed, uint64_t i)
{
	uint64_t z = seed + (i + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void judge(struct pkvm_rig *rig, uint64_t stride, uint64_t seed,
		  struct pkvm_access_result *res)
{
	volatile uint64_t *bar = rig->slot.host_view;
	volatile uint64_t *scratch = pkvm_vm_scratch(&rig->vm);

	for (unsigned int i = 0; i < res->words; i++) {
		uint64_t want = pattern(seed, i), got = scratch[i];
		uint64_t back = bar[i * stride / 8];

		if (got == want)
			res->guest_read_ok++;
		else if (res->bad_index < 0) {
			res->bad_index = (int)i;
			res->want = want;
			res->got = got;
			res->bad_guest_side = true;
		}
		if (back == ~want)
			res->host_read_ok++;
		else if (res->bad_index < 0) {
			res->bad_index = (int)i;
			res->want = ~want;
			res->got = back;
			res->bad_guest_side = false;
		}
	}
}

int pkvm_access_check(struct pkvm_target *t, enum pkvm_path path, uint64_t align,
		      uint64_t window, unsigned int words, uint64_t seed,
		      struct pkvm_access_result *res, struct pfn_err *err)
{
	volatile struct pkvm_mailbox *mb;
	volatile uint64_t *bar;
	struct pkvm_rig *rig;
	uint64_t stride;
	char why[PFN_ERR_MSG_MAX];
	int ret;

	memset(res, 0, sizeof(*res));
	res->bad_index = -1;
	if (!words || words > PKVM_SCRATCH_WORDS || window / words < 8)
		return pfn_fail(err, EINVAL, "%u words do not fit the scratch page or the window",
				words);
	stride = window / words & ~7ull;
	ret = pkvm_rig_open(&rig, t, path, 0, window, align, 0, err);
	if (ret)
		return ret;
	res->words = words;
	bar = rig->slot.host_view;
	for (unsigned int i = 0; i < words; i++)
		bar[i * stride / 8] = pattern(seed, i);

	mb = pkvm_vm_mailbox(&rig->vm);
	mb->mode = PKVM_MODE_PROBE;
	mb->base = rig->slot.gpa;
	mb->stride = stride;
	mb->count = words;
	mb->report_every = UINT64_MAX;
	ret = pkvm_rig_start(rig, err);
	if (ret)
		goto out;
	ret = pkvm_runner_wait_port(&rig->runner, PKVM_PORT_DONE, 1, ACCESS_TIMEOUT);
	if (ret) {
		pkvm_rig_last_exit(rig, why, sizeof(why));
		pfn_fail(err, -ret, "the guest did not complete its accesses (%llu of %u words): %s",
			 (unsigned long long)mb->progress, words,
			 ret == -ETIMEDOUT ? "timed out" : why);
		pkvm_rig_stop(rig, STOP_TIMEOUT);
		goto out;
	}
	ret = pkvm_rig_stop(rig, STOP_TIMEOUT);
	if (ret) {
		pfn_fail(err, ETIMEDOUT, "the vCPU thread did not stop");
		goto out;
	}
	judge(rig, stride, seed, res);
	res->have_stats = pkvm_rig_has_stats(rig);
	res->pf_taken = pkvm_rig_stat(rig, "pf_taken");
	res->pages_4k = pkvm_rig_stat(rig, "pages_4k");
	res->pages_2m = pkvm_rig_stat(rig, "pages_2m");
	res->pages_1g = pkvm_rig_stat(rig, "pages_1g");
out:
	pkvm_rig_close(rig);
	return ret;
}
