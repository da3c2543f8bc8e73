// SPDX-License-Identifier: GPL-2.0-only
/* The data pattern of every DMA proof: see pfn/pattern.h. */
#include "pfn/pattern.h"

/* Word @i of the pattern of @seed: a multiplicative hash of both. */
static uint32_t word(uint32_t seed, size_t i)
{
	uint32_t x = seed ^ (uint32_t)(i * 2654435761u);

	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	return x;
}

uint8_t pfn_pattern_byte(uint32_t seed, size_t offset)
{
	return (uint8_t)(word(seed, offset / 4) >> (8 * (offset % 4)));
}

void pfn_pattern_fill(volatile void *dst, size_t len, uint32_t seed)
{
	volatile uint32_t *w = dst;
	volatile uint8_t *b = dst;
	size_t i;

	/* 32-bit stores where possible: BARs may not take byte writes well. */
	for (i = 0; i + 4 <= len; i += 4)
		w[i / 4] = word(seed, i / 4);
	for (; i < len; i++)
		b[i] = pfn_pattern_byte(seed, i);
}

size_t pfn_pattern_diff(const volatile void *src, size_t len, uint32_t seed)
{
	const volatile uint32_t *w = src;
	const volatile uint8_t *b = src;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		uint32_t got = w[i / 4], want = word(seed, i / 4);

		if (got != want) {
			for (size_t k = 0; k < 4; k++)
				if ((uint8_t)(got >> (8 * k)) != (uint8_t)(want >> (8 * k)))
					return i + k;
		}
	}
	for (; i < len; i++)
		if (b[i] != pfn_pattern_byte(seed, i))
			return i;
	return len;
}
