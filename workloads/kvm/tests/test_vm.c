// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of the VMM core, no device needed: metric summaries, the
 * payload's size, and -- where /dev/kvm exists -- the three payload modes
 * against an anonymous-memory slot standing in for the BAR.  KTAP output.
 * Without /dev/kvm the payload tests SKIP; every other error fails them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/kvm.h>
#include <unistd.h>

#include "pfn/ktap.h"
#include "pfnkvm/guest.h"
#include "pfnkvm/dmabuf_slot.h"
#include "pfnkvm/metric.h"
#include "pfnkvm/revoke.h"
#include "pfnkvm/runner.h"
#include "pfnkvm/stats.h"
#include "pfnkvm/vm.h"

#define FAKE_GPA (1ull << 30)
#define FAKE_LEN (16ull << 20)
#define TIMEOUT 60.0

/**
 * struct fake - a VM whose "BAR" is anonymous memory
 * @vm: the VM
 * @mem: host view of the fake BAR
 * @stats: vCPU statistics
 * @r: the vCPU thread
 */
struct fake {
	struct pkvm_vm vm;
	uint64_t *mem;
	struct pkvm_stats stats;
	struct pkvm_runner r;
};

static bool test_metric(char *why, size_t len)
{
	struct pkvm_metric m;
	struct pkvm_summary s;
	static const double v[] = { 5, 1, 4, 2, 3 };

	pkvm_metric_init(&m, "t", "us", false);
	s = pkvm_metric_summary(&m);
	if (s.n) {
		snprintf(why, len, "empty metric has %u samples", s.n);
		return false;
	}
	for (unsigned int i = 0; i < 5; i++)
		pkvm_metric_add(&m, v[i]);
	s = pkvm_metric_summary(&m);
	if (s.n != 5 || s.median != 3 || s.min != 1 || s.max != 5) {
		snprintf(why, len, "odd: n %u median %g min %g max %g", s.n, s.median, s.min, s.max);
		return false;
	}
	pkvm_metric_add(&m, 6);
	s = pkvm_metric_summary(&m);
	if (s.median != 3.5) {
		snprintf(why, len, "even median %g, want 3.5", s.median);
		return false;
	}
	return true;
}

static bool test_payload(char *why, size_t len)
{
	uint64_t n = pkvm_guest_code_size();

	if (!n || n > PKVM_CODE_MAX) {
		snprintf(why, len, "payload is %llu bytes", (unsigned long long)n);
		return false;
	}
	return true;
}

/* A revoke result as the guest's progress and the BAR left it. */
static struct pkvm_revoke_result revoke_result(enum pkvm_path path, enum pkvm_trigger trig,
					       uint64_t after, uint64_t observed, bool exited,
					       uint64_t bar_value)
{
	struct pkvm_revoke_result r = {
		.cfg = { .path = path, .trigger = trig, .observe = 1.0 },
		.before = after - 10, .after = after, .observed = observed, .exited = exited,
		.bar_read = true, .bar_value = bar_value, .landed_after = bar_value > after + 1,
	};

	if (exited && path == PKVM_PATH_DMABUF) {
		r.exit.exit_reason = KVM_EXIT_MEMORY_FAULT;
		r.exit.flags = KVM_MEMORY_EXIT_FLAG_REVOKED;
		r.resume_tried = true;
		r.reestablished = true;
	}
	return r;
}

/* pfn-kvm revoke's verdicts: the progress counter decides, not the BAR. */
static bool test_revoke_judge(char *why, size_t len)
{
	static const struct {
		enum pkvm_path path;
		enum pkvm_trigger trig;
		uint64_t after, observed;
		bool exited;
		uint64_t bar;
		enum pkvm_revoke_verdict want;
		const char *what;
	} cases[] = {
		{ PKVM_PATH_VMA, PKVM_TRIGGER_MEMORY, 5000, 5001, true, 5001, PKVM_REVOKE_PASS,
		  "VMA memory disable, progress stopped" },
		{ PKVM_PATH_VMA, PKVM_TRIGGER_MEMORY, 5000, 9000, false, 5001, PKVM_REVOKE_FAIL,
		  "VMA memory disable, progress went on (BAR unchanged: decoding was off)" },
		{ PKVM_PATH_VMA, PKVM_TRIGGER_RESET, 5000, 9000, false, 9000, PKVM_REVOKE_FINDING,
		  "VMA reset, guest wrote on with no exit" },
		{ PKVM_PATH_VMA, PKVM_TRIGGER_RESET, 5000, 5000, true, 7000, PKVM_REVOKE_FAIL,
		  "VMA reset, exit but a late write in the BAR" },
		{ PKVM_PATH_DMABUF, PKVM_TRIGGER_MEMORY, 5000, 5001, true, 5001, PKVM_REVOKE_PASS,
		  "dma-buf memory disable, REVOKED exit, re-established" },
		{ PKVM_PATH_DMABUF, PKVM_TRIGGER_MEMORY, 5000, 6000, true, 5001, PKVM_REVOKE_FAIL,
		  "dma-buf memory disable, writes counted after it" },
		{ PKVM_PATH_DMABUF, PKVM_TRIGGER_RESET, 5000, 5000, false, 5000, PKVM_REVOKE_FAIL,
		  "dma-buf reset, no REVOKED exit" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pkvm_revoke_result r = revoke_result(cases[i].path, cases[i].trig,
							    cases[i].after, cases[i].observed,
							    cases[i].exited, cases[i].bar);
		char reason[PFN_ERR_MSG_MAX];
		enum pkvm_revoke_verdict v = pkvm_revoke_judge(&r, reason, sizeof(reason));

		if (v != cases[i].want || !reason[0]) {
			snprintf(why, len, "%s: %s, want %s (%.160s)", cases[i].what,
				 pkvm_revoke_verdict_name(v), pkvm_revoke_verdict_name(cases[i].want),
				 reason);
			return false;
		}
	}
	return true;
}

static int fake_open(struct fake *f, struct pfn_err *err)
{
	int ret;

	memset(f, 0, sizeof(*f));
	f->stats.fd = -1;
	ret = pkvm_vm_create(&f->vm, FAKE_GPA + FAKE_LEN, err);
	if (ret)
		return ret;
	f->mem = mmap(NULL, FAKE_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f->mem == MAP_FAILED) {
		pkvm_vm_destroy(&f->vm);
		return pfn_fail_errno(err, "mmap");
	}
	ret = pkvm_vm_set_slot(&f->vm, PKVM_SLOT_BAR, 0, FAKE_GPA, FAKE_LEN, f->mem, err);
	if (ret) {
		munmap(f->mem, FAKE_LEN);
		pkvm_vm_destroy(&f->vm);
		return ret;
	}
	pkvm_stats_open(&f->stats, f->vm.vcpu_fd, NULL);
	return 0;
}

static void fake_close(struct fake *f)
{
	pkvm_runner_stop(&f->r, 5);
	pkvm_runner_destroy(&f->r);
	pkvm_stats_close(&f->stats);
	pkvm_vm_destroy(&f->vm);
	munmap(f->mem, FAKE_LEN);
}

/* Run to DONE; Return: true, or false with @why. */
static bool run_done(struct fake *f, char *why, size_t len)
{
	struct pfn_err err;
	struct pkvm_event ev;
	int ret;

	if (pkvm_runner_start(&f->r, &f->vm, &f->stats, &err)) {
		snprintf(why, len, "%s", err.msg);
		return false;
	}
	ret = pkvm_runner_wait_port(&f->r, PKVM_PORT_DONE, 1, TIMEOUT);
	if (ret) {
		ev = f->r.last;
		pkvm_event_describe(&ev, why, len);
		return false;
	}
	return pkvm_runner_wait_state(&f->r, 5) == PKVM_FINISHED ||
	       (snprintf(why, len, "no HLT after DONE"), false);
}

static bool test_sweep(struct fake *f, char *why, size_t len)
{
	volatile struct pkvm_mailbox *mb = pkvm_vm_mailbox(&f->vm);
	uint64_t stride = 4096, per_pass = FAKE_LEN / stride;
	struct pkvm_event pass;

	f->mem[0] = 0x1234;
	mb->mode = PKVM_MODE_SWEEP;
	mb->base = FAKE_GPA;
	mb->len = FAKE_LEN;
	mb->stride = stride;
	mb->count = 3;
	mb->report_every = 1000;
	if (!run_done(f, why, len))
		return false;
	if (mb->progress != 3 * per_pass || mb->first != 0x1234 || mb->status != 1) {
		snprintf(why, len, "progress %llu (want %llu), first %#llx, status %llu",
			 (unsigned long long)mb->progress, (unsigned long long)(3 * per_pass),
			 (unsigned long long)mb->first, (unsigned long long)mb->status);
		return false;
	}
	for (uint64_t i = 0; i < per_pass; i++) {
		if (f->mem[i * stride / 8] != 2) {
			snprintf(why, len, "word %llu holds %llu, want the last pass (2)",
				 (unsigned long long)i, (unsigned long long)f->mem[i * stride / 8]);
			return false;
		}
	}
	if (!pkvm_runner_find(&f->r, PKVM_EV_IO, PKVM_PORT_PASS, 2, &pass) || pass.value != 3) {
		snprintf(why, len, "third PASS exit missing or wrong");
		return false;
	}
	if (f->r.progress_exits != 3 * per_pass / 1000) {
		snprintf(why, len, "%llu progress exits, want %llu",
			 (unsigned long long)f->r.progress_exits,
			 (unsigned long long)(3 * per_pass / 1000));
		return false;
	}
	return true;
}

static bool test_probe(struct fake *f, char *why, size_t len)
{
	volatile struct pkvm_mailbox *mb = pkvm_vm_mailbox(&f->vm);
	volatile uint64_t *scratch = pkvm_vm_scratch(&f->vm);
	uint64_t stride = FAKE_LEN / PKVM_SCRATCH_WORDS;

	for (unsigned int i = 0; i < PKVM_SCRATCH_WORDS; i++)
		f->mem[i * stride / 8] = 0xabcd0000ull + i;
	mb->mode = PKVM_MODE_PROBE;
	mb->base = FAKE_GPA;
	mb->stride = stride;
	mb->count = PKVM_SCRATCH_WORDS;
	mb->report_every = UINT64_MAX;
	if (!run_done(f, why, len))
		return false;
	for (unsigned int i = 0; i < PKVM_SCRATCH_WORDS; i++) {
		if (scratch[i] != 0xabcd0000ull + i || f->mem[i * stride / 8] != ~(0xabcd0000ull + i)) {
			snprintf(why, len, "word %u: scratch %#llx, BAR %#llx", i,
				 (unsigned long long)scratch[i],
				 (unsigned long long)f->mem[i * stride / 8]);
			return false;
		}
	}
	return true;
}

static bool test_sequence(struct fake *f, char *why, size_t len)
{
	volatile struct pkvm_mailbox *mb = pkvm_vm_mailbox(&f->vm);
	struct pfn_err err;
	double deadline;

	mb->mode = PKVM_MODE_SEQUENCE;
	mb->base = FAKE_GPA;
	mb->count = 1ull << 40;
	mb->report_every = 1 << 16;
	mb->progress = 0;
	if (pkvm_runner_start(&f->r, &f->vm, &f->stats, &err)) {
		snprintf(why, len, "%s", err.msg);
		return false;
	}
	deadline = pkvm_now() + TIMEOUT;
	while (mb->progress < 100000 && pkvm_now() < deadline)
		;
	if (pkvm_runner_stop(&f->r, 5)) {
		snprintf(why, len, "the vCPU did not stop");
		return false;
	}
	if (mb->progress < 100000 || f->mem[0] != mb->progress || mb->status != 1) {
		snprintf(why, len, "progress %llu, BAR word %llu, status %llu",
			 (unsigned long long)mb->progress, (unsigned long long)f->mem[0],
			 (unsigned long long)mb->status);
		return false;
	}
	return true;
}

/*
 * Is @ret from opening the VM "there is no /dev/kvm"?  A failing
 * KVM_CREATE_VM, KVM_SET_CPUID2, KVM_SET_SREGS or memslot ioctl is not:
 * a regressed long-mode setup or a broken nested KVM must fail.
 */
static bool kvm_absent(int ret)
{
	return ret == -ENOENT && access(PKVM_DEV_KVM, F_OK) && errno == ENOENT;
}

int main(void)
{
	static bool (*const kvm_tests[])(struct fake *, char *, size_t) = {
		test_sweep, test_probe, test_sequence,
	};
	static const char *const kvm_names[] = { "payload_sweep", "payload_probe",
						 "payload_sequence_stop" };
	char why[PFN_ERR_MSG_MAX];
	struct pfn_err err;
	struct pfn_ktap k;
	struct fake f;
	bool ok;

	pfn_ktap_begin(&k, stdout, 6);
	ok = test_metric(why, sizeof(why));
	pfn_ktap_result(&k, ok ? PFN_PASS : PFN_FAIL, "metric_summary", ok ? NULL : why);
	ok = test_payload(why, sizeof(why));
	pfn_ktap_result(&k, ok ? PFN_PASS : PFN_FAIL, "payload_size", ok ? NULL : why);
	ok = test_revoke_judge(why, sizeof(why));
	pfn_ktap_result(&k, ok ? PFN_PASS : PFN_FAIL, "revoke_verdicts", ok ? NULL : why);
	for (unsigned int i = 0; i < 3; i++) {
		int ret = fake_open(&f, &err);

		/* Only absence is a SKIP: any other error opening the VM fails. */
		if (ret) {
			pfn_ktap_result(&k, kvm_absent(ret) ? PFN_SKIP : PFN_FAIL, kvm_names[i],
					err.msg);
			continue;
		}
		ok = kvm_tests[i](&f, why, sizeof(why));
		pfn_ktap_result(&k, ok ? PFN_PASS : PFN_FAIL, kvm_names[i], ok ? NULL : why);
		fake_close(&f);
	}
	return pfn_ktap_end(&k);
}
