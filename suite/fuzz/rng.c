// SPDX-License-Identifier: GPL-2.0-only
/* The fuzzer's generator: splitmix64, and the values worth trying. */
#include "fuzz.h"

void fuzz_rng_seed(struct fuzz_rng *r, uint64_t seed, uint64_t stream)
{
	r->state = seed ^ (stream * 0xd1342543de82ef95ull);
	(void)fuzz_u64(r);
}

uint64_t fuzz_u64(struct fuzz_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t fuzz_below(struct fuzz_rng *r, uint64_t n)
{
	return fuzz_u64(r) % n;
}

bool fuzz_one_in(struct fuzz_rng *r, unsigned int n)
{
	return fuzz_below(r, n) == 0;
}

uint64_t fuzz_edge(struct fuzz_rng *r, uint64_t size, uint64_t page)
{
	uint64_t pages = size / page ? size / page : 1;

	switch (fuzz_below(r, 16)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return page - 1;
	case 3: return page;
	case 4: return page + 1;
	case 5: return size - page;
	case 6: return size;
	case 7: return size + page;
	case 8: return 1ull << 32;
	case 9: return 1ull << 63;
	case 10: return ~0ull;
	case 11: return ~0ull - page + 1;
	case 12: return fuzz_u64(r);
	default: return fuzz_below(r, pages) * page;	/* inside, aligned */
	}
}
