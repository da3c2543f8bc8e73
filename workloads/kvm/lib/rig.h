/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM with a BAR slice in it and its statistics, as every experiment
 * (bench, access, revoke) needs.  Library-internal.
 */
#ifndef PFNKVM_RIG_H
#define PFNKVM_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfnkvm/bar_slot.h"
#include "pfnkvm/runner.h"
#include "pfnkvm/stats.h"
#include "pfnkvm/target.h"
#include "pfnkvm/vm.h"

/**
 * struct pkvm_rig - VM, BAR slot, statistics, vCPU thread
 * @vm: the VM
 * @slot: the BAR slice in it
 * @vcpu_stats: vCPU statistics (fd -1 when unavailable)
 * @vm_stats: VM statistics (fd -1 when unavailable)
 * @runner: the vCPU thread, once started
 * @stuck: the vCPU thread could not be stopped: the VM is leaked, not destroyed
 */
struct pkvm_rig {
	struct pkvm_vm vm;
	struct pkvm_bar_slot slot;
	struct pkvm_stats vcpu_stats;
	struct pkvm_stats vm_stats;
	struct pkvm_runner runner;
	bool stuck;
};

/**
 * pkvm_rig_open() - VM sized for the slice, slice at pkvm_bar_gpa(@len)
 * @out: receives the rig (allocated: the vCPU thread may outlive a failed
 *	 stop, so the rig must not live on a stack); NULL on failure
 * @t: target
 * @path: how the BAR reaches the guest
 * @offset: slice offset in the BAR
 * @len: slice length
 * @align: VMA path: mmap alignment
 * @mmap_flags: PFN_MMAP_EXACT_ALIGN or 0
 * @err: error detail
 *
 * Return: 0 or -errno.
 */
int pkvm_rig_open(struct pkvm_rig **out, struct pkvm_target *t, enum pkvm_path path,
		  uint64_t offset, uint64_t len, uint64_t align, uint32_t mmap_flags,
		  struct pfn_err *err);

/** pkvm_rig_start() - start the vCPU thread (mailbox filled). */
int pkvm_rig_start(struct pkvm_rig *rig, struct pfn_err *err);

/**
 * pkvm_rig_stop() - stop the vCPU thread, bounded by @timeout seconds
 * Return: 0, or -ETIMEDOUT (the rig is then marked stuck).
 */
int pkvm_rig_stop(struct pkvm_rig *rig, double timeout);

/** pkvm_rig_close() - stop, delete the slot, destroy the VM, free (unless stuck); NULL ok. */
void pkvm_rig_close(struct pkvm_rig *rig);

/** pkvm_rig_stat() - a vCPU (or, failing that, VM) statistic; 0 when unreadable. */
uint64_t pkvm_rig_stat(const struct pkvm_rig *rig, const char *name);

/** pkvm_rig_has_stats() - both statistics fds are open. */
bool pkvm_rig_has_stats(const struct pkvm_rig *rig);

/**
 * pkvm_rig_wait_progress() - poll the mailbox until ->progress >= @at_least,
 * the vCPU thread stops running, or @timeout seconds pass
 * Return: 0 when reached, -EPIPE, -ETIMEDOUT.
 */
int pkvm_rig_wait_progress(struct pkvm_rig *rig, uint64_t at_least, double timeout);

/** pkvm_rig_last_exit() - describe the event that parked/finished the vCPU. */
void pkvm_rig_last_exit(struct pkvm_rig *rig, char *buf, size_t len);

#endif /* PFNKVM_RIG_H */
