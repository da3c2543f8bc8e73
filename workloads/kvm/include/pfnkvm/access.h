/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The access check: the host writes a pattern into BAR words, the guest
 * copies each word to its RAM and writes its complement back; the host then
 * checks both directions.  It also reports how KVM mapped the BAR.
 */
#ifndef PFNKVM_ACCESS_H
#define PFNKVM_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "pfn/error.h"
#include "pfnkvm/bar_slot.h"
#include "pfnkvm/target.h"

/**
 * struct pkvm_access_result - what the check saw
 * @words: words checked
 * @guest_read_ok: words the guest read as the host wrote them
 * @host_read_ok: words the host read back as the guest's complement
 * @bad_index: first word that failed either way, -1 when none
 * @want: the expected value at @bad_index
 * @got: what was seen there
 * @bad_guest_side: the failure at @bad_index was the guest's read
 * @have_stats: the counters below were read
 * @pf_taken: nested-paging faults the vCPU took
 * @pages_4k: VM gauge after the run (all slots)
 * @pages_2m: VM gauge after the run
 * @pages_1g: VM gauge after the run
 */
struct pkvm_access_result {
	unsigned int words;
	unsigned int guest_read_ok;
	unsigned int host_read_ok;
	int bad_index;
	uint64_t want;
	uint64_t got;
	bool bad_guest_side;
	bool have_stats;
	uint64_t pf_taken;
	uint64_t pages_4k;
	uint64_t pages_2m;
	uint64_t pages_1g;
};

/**
 * pkvm_access_check() - run the check on the first @window bytes of the BAR
 * @t: target
 * @path: how the BAR reaches the guest
 * @align: VMA path: mmap alignment
 * @window: bytes of BAR in the guest (a multiple of @words * 8 spacing)
 * @words: words to check, 1..PKVM_SCRATCH_WORDS, spread evenly over @window
 * @seed: varies the pattern
 * @res: filled
 * @err: error detail (-EOPNOTSUPP: path unavailable)
 *
 * Return: 0 when the check ran (judge @res), -errno when it could not.
 */
int pkvm_access_check(struct pkvm_target *t, enum pkvm_path path, uint64_t align,
		      uint64_t window, unsigned int words, uint64_t seed,
		      struct pkvm_access_result *res, struct pfn_err *err);

#endif /* PFNKVM_ACCESS_H */
