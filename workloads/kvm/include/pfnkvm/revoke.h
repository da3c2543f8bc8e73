/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Revoke under a running guest.  The payload writes an increasing sequence
 * number into one BAR word and, right after, into guest RAM (the mailbox's
 * progress).  While it runs, the host revokes the BAR (clears PCI memory
 * enable, or resets the device) and watches: does the vCPU leave KVM_RUN,
 * and how; does the sequence keep advancing; and, once the guest is stopped
 * and memory is enabled again, does the BAR hold a sequence number written
 * after the revoke?  Finally the vCPU is resumed to see whether the guest
 * can carry on.
 *
 * "after" is the guest's progress read right after the trigger returned;
 * progress beyond after + 1 at the end of the window is a guest write that
 * completed after the revoke (the +1 is the write the guest may have made
 * before storing its progress).  That counter, not the BAR, is the evidence
 * (pkvm_revoke_judge()): while PCI memory decoding is off the BAR's contents
 * cannot change, so reading it back after memory is enabled again only
 * tells something after a reset (which enables memory at once).
 */
#ifndef PFNKVM_REVOKE_H
#define PFNKVM_REVOKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfnkvm/bar_slot.h"
#include "pfnkvm/runner.h"
#include "pfnkvm/target.h"

/**
 * enum pkvm_trigger - how the BAR is revoked
 * @PKVM_TRIGGER_MEMORY: clear PCI_COMMAND.MEMORY (undone by setting it)
 * @PKVM_TRIGGER_RESET: VFIO_DEVICE_RESET (momentary)
 */
enum pkvm_trigger {
	PKVM_TRIGGER_MEMORY,
	PKVM_TRIGGER_RESET,
};

/** pkvm_trigger_name() - "memory-disable" or "reset". */
const char *pkvm_trigger_name(enum pkvm_trigger trigger);

/**
 * struct pkvm_revoke_cfg - one experiment
 * @path: how the BAR reaches the guest
 * @trigger: how it is revoked
 * @align: VMA path: mmap alignment
 * @window: bytes of BAR in the guest
 * @observe: seconds to watch after the trigger before stopping the guest
 * @timeout: bound on every other wait, seconds
 */
struct pkvm_revoke_cfg {
	enum pkvm_path path;
	enum pkvm_trigger trigger;
	uint64_t align;
	uint64_t window;
	double observe;
	double timeout;
};

/**
 * struct pkvm_revoke_result - what happened
 * @cfg: the experiment
 * @before: guest progress (sequence) just before the trigger
 * @after: right after the trigger returned
 * @observed: at the end of the observation window
 * @trigger_ms: how long the trigger call took
 * @exited: the vCPU left KVM_RUN with an error or unexpected exit in the window
 * @exit: that exit
 * @exit_delay_ms: from the trigger call to that exit
 * @memory_on_after: PCI_COMMAND.MEMORY read right after the trigger returned
 * @stopped_cleanly: a still-running guest honoured the stop request
 * @bar_read: the BAR word was read after memory was enabled again
 * @bar_value: what it held
 * @landed_after: @bar_value > @after + 1: the BAR holds a write made after
 *	the revoke (informative after a reset only, see above)
 * @resume_tried: the vCPU had exited, and was resumed after the restore
 * @resumed: after the restore, the vCPU ran again and the sequence advanced
 * @resumed_to: the sequence reached after resuming
 * @resume_exit: how the resumed run ended, when it did not advance
 * @reestablished: dma-buf path: after a failed resume, deleting and adding
 *	the memslot again let the guest advance
 * @have_stats: the fault counters below were read
 * @npf_window: nested-paging faults (pf_taken) from the trigger to the stop
 */
struct pkvm_revoke_result {
	struct pkvm_revoke_cfg cfg;
	uint64_t before;
	uint64_t after;
	uint64_t observed;
	double trigger_ms;
	bool exited;
	struct pkvm_event exit;
	double exit_delay_ms;
	bool memory_on_after;
	bool stopped_cleanly;
	bool bar_read;
	uint64_t bar_value;
	bool landed_after;
	bool resume_tried;
	bool resumed;
	uint64_t resumed_to;
	struct pkvm_event resume_exit;
	bool reestablished;
	bool have_stats;
	uint64_t npf_window;
};

/**
 * pkvm_revoke_run() - run one experiment
 * @t: target (left with memory enabled)
 * @cfg: experiment
 * @res: filled
 * @err: error detail (-EOPNOTSUPP when the path or trigger is unavailable)
 *
 * Return: 0 when the experiment ran to the end (judge @res), -errno else.
 */
int pkvm_revoke_run(struct pkvm_target *t, const struct pkvm_revoke_cfg *cfg,
		    struct pkvm_revoke_result *res, struct pfn_err *err);

/**
 * enum pkvm_revoke_verdict - what an experiment that ran shows
 * @PKVM_REVOKE_PASS: the revoke stopped the guest's writes as the path
 *	promises
 * @PKVM_REVOKE_FINDING: the known gap of the VMA path: after a reset the
 *	guest kept writing and the VMM never heard (what the dma-buf path closes)
 * @PKVM_REVOKE_FAIL: guest writes completed after the revoke, or the
 *	dma-buf path broke its contract (exit, no resume before the memslot is
 *	replaced, resume after)
 */
enum pkvm_revoke_verdict {
	PKVM_REVOKE_PASS,
	PKVM_REVOKE_FINDING,
	PKVM_REVOKE_FAIL,
};

/** pkvm_revoke_verdict_name() - "pass", "finding" or "fail". */
const char *pkvm_revoke_verdict_name(enum pkvm_revoke_verdict v);

/**
 * pkvm_revoke_writes_after() - guest writes completed after the trigger
 * returned, from the guest's progress counter (beyond the one write it may
 * have had in flight)
 * @r: a result of pkvm_revoke_run()
 */
uint64_t pkvm_revoke_writes_after(const struct pkvm_revoke_result *r);

/**
 * pkvm_revoke_judge() - the verdict on an experiment that ran
 * @r: a result of pkvm_revoke_run() that returned 0
 * @why: receives the reason, one line
 * @len: size of @why
 *
 * The same rules as the conformance cases KVM-004/005/008/009: landing is
 * judged by pkvm_revoke_writes_after() (and, after a reset, by the BAR).
 *
 * Return: the verdict.
 */
enum pkvm_revoke_verdict pkvm_revoke_judge(const struct pkvm_revoke_result *r, char *why,
					   size_t len);

/**
 * pkvm_revoke_describe() - a one-line account of @r, e.g. "KVM_RUN failed:
 * EFAULT 0.4 ms after the trigger; sequence 5012 -> 5012 (+0) in 1.0 s; BAR
 * holds 5012; resumed to 9800"
 */
void pkvm_revoke_describe(const struct pkvm_revoke_result *r, char *buf, size_t len);

#endif /* PFNKVM_REVOKE_H */
