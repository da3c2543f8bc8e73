// SPDX-License-Identifier: GPL-2.0-only
/* The test frames: see pfndpdk/frame.h. */
#include <string.h>

#include "pfn/pattern.h"
#include "pfndpdk/frame.h"

#define OFF_TYPE	12
#define OFF_MAGIC	PDPDK_ETH_HDR
#define OFF_RUN		(OFF_MAGIC + 4)
#define OFF_SEQ		(OFF_RUN + 4)
#define OFF_LEN		(OFF_SEQ + 8)

size_t pdpdk_frame_data_len(unsigned int frame_size)
{
	return frame_size - PDPDK_FCS_LEN;
}

static void put_le(volatile uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const volatile uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The pattern seed of one frame: every frame of every run differs. */
static uint32_t frame_seed(uint32_t run, uint64_t seq)
{
	uint64_t x = ((uint64_t)run << 32) ^ seq ^ 0x9e3779b97f4a7c15ull;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	return (uint32_t)x | 1u;
}

static uint32_t fnv1a(const volatile uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

void pdpdk_frame_build(volatile uint8_t *buf, size_t len, const uint8_t *dst,
		       const uint8_t *src, uint32_t run, uint64_t seq)
{
	size_t body = len - PDPDK_SUM_LEN;

	for (int i = 0; i < 6; i++) {
		buf[i] = dst[i];
		buf[6 + i] = src[i];
	}
	buf[OFF_TYPE] = PDPDK_ETHERTYPE >> 8;
	buf[OFF_TYPE + 1] = PDPDK_ETHERTYPE & 0xff;
	put_le(buf + OFF_MAGIC, PDPDK_MAGIC, 4);
	put_le(buf + OFF_RUN, run, 4);
	put_le(buf + OFF_SEQ, seq, 8);
	put_le(buf + OFF_LEN, len, 2);
	pfn_pattern_fill(buf + PDPDK_HDR_LEN, body - PDPDK_HDR_LEN, frame_seed(run, seq));
	put_le(buf + body, fnv1a(buf, body), 4);
}

enum pdpdk_verdict pdpdk_frame_check(const volatile uint8_t *buf, size_t len, uint32_t run,
				     uint64_t *seq)
{
	size_t body;

	if (len < PDPDK_HDR_LEN + PDPDK_SUM_LEN ||
	    ((unsigned int)buf[OFF_TYPE] << 8 | buf[OFF_TYPE + 1]) != PDPDK_ETHERTYPE ||
	    get_le(buf + OFF_MAGIC, 4) != PDPDK_MAGIC)
		return PDPDK_FRAME_FOREIGN;
	*seq = get_le(buf + OFF_SEQ, 8);
	if (get_le(buf + OFF_RUN, 4) != run)
		return PDPDK_FRAME_STALE;
	if (get_le(buf + OFF_LEN, 2) != len)
		return PDPDK_FRAME_BAD_LEN;
	body = len - PDPDK_SUM_LEN;
	if (get_le(buf + body, 4) != fnv1a(buf, body))
		return PDPDK_FRAME_BAD_SUM;
	if (pfn_pattern_diff(buf + PDPDK_HDR_LEN, body - PDPDK_HDR_LEN, frame_seed(run, *seq)) !=
	    body - PDPDK_HDR_LEN)
		return PDPDK_FRAME_BAD_DATA;
	return PDPDK_FRAME_OK;
}

const char *pdpdk_verdict_name(enum pdpdk_verdict v)
{
	static const char *const names[] = {
		[PDPDK_FRAME_OK] = "ok",
		[PDPDK_FRAME_FOREIGN] = "foreign",
		[PDPDK_FRAME_STALE] = "stale",
		[PDPDK_FRAME_BAD_LEN] = "bad_len",
		[PDPDK_FRAME_BAD_SUM] = "bad_sum",
		[PDPDK_FRAME_BAD_DATA] = "bad_data",
	};

	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}
