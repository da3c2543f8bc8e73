/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one data pattern every DMA proof, benchmark and workload writes and
 * checks: bytes derived from a 32-bit seed, different at every offset and
 * for every seed, compared byte for byte.
 */
#ifndef PFN_PATTERN_H
#define PFN_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/** pfn_pattern_fill() - write the pattern of @seed into @len bytes at @dst. */
void pfn_pattern_fill(volatile void *dst, size_t len, uint32_t seed);

/**
 * pfn_pattern_diff() - compare @len bytes at @src with the pattern of @seed
 * @src: memory to check (read with volatile accesses: MMIO-safe)
 * @len: bytes
 * @seed: the pattern
 *
 * Return: the offset of the first byte that differs, or @len when all match.
 */
size_t pfn_pattern_diff(const volatile void *src, size_t len, uint32_t seed);

/** pfn_pattern_byte() - the byte the pattern of @seed has at @offset. */
uint8_t pfn_pattern_byte(uint32_t seed, size_t offset);

#endif /* PFN_PATTERN_H */
