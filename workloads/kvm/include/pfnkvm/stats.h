/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM binary statistics (KVM_GET_STATS_FD), read by name: vCPU counters
 * such as "pf_taken" (nested-paging faults handled) and "pf_fixed" (SPTEs
 * installed), VM gauges such as "pages_1g".
 */
#ifndef PFNKVM_STATS_H
#define PFNKVM_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "pfn/error.h"

#define PKVM_STATS_MAX 128
#define PKVM_STAT_NAME 48

/**
 * struct pkvm_stats - an open statistics fd and its descriptors
 * @fd: the stats fd, -1 when closed
 * @n: descriptors kept
 * @name: their names
 * @offset: byte offset of each value in the file
 */
struct pkvm_stats {
	int fd;
	unsigned int n;
	char name[PKVM_STATS_MAX][PKVM_STAT_NAME];
	uint64_t offset[PKVM_STATS_MAX];
};

/**
 * pkvm_stats_open() - KVM_GET_STATS_FD on a VM or vCPU fd, read descriptors
 * @st: filled on success (@st->fd is -1 on failure)
 * @kvm_obj_fd: VM or vCPU fd
 * @err: error detail (-ENOTTY: kernel without binary stats)
 *
 * Return: 0 or -errno.
 */
int pkvm_stats_open(struct pkvm_stats *st, int kvm_obj_fd, struct pfn_err *err);

/** pkvm_stats_close() - close it; safe to repeat. */
void pkvm_stats_close(struct pkvm_stats *st);

/**
 * pkvm_stats_get() - current value of the statistic @name
 * @st: open statistics
 * @name: e.g. "pf_taken"
 * @value: receives the first 64-bit value
 *
 * Async-signal- and thread-safe (one pread).
 * Return: 0, -ENOENT when the kernel has no such statistic, -errno.
 */
int pkvm_stats_get(const struct pkvm_stats *st, const char *name, uint64_t *value);

#endif /* PFNKVM_STATS_H */
