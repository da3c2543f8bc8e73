// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of the test frames and of pfn-dpdk's command line: a
 * frame checks out whole, and every kind of damage is told apart; bad
 * options get one line naming them.  KTAP output.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "pfndpdk/frame.h"
#include "pfndpdk/opts.h"

static const uint8_t dst[6] = { 2, 0, 0, 0, 0, 1 }, src[6] = { 2, 0, 0, 0, 0, 2 };

static bool frame_roundtrip(void)
{
	uint8_t buf[PDPDK_FRAME_MAX];
	unsigned int sizes[] = { 64, 65, 128, 1518 };
	uint64_t seq = 0;

	for (unsigned int i = 0; i < 4; i++) {
		size_t len = pdpdk_frame_data_len(sizes[i]);

		pdpdk_frame_build(buf, len, dst, src, 7, 1000 + i);
		CHECK_INT(pdpdk_frame_check(buf, len, 7, &seq), PDPDK_FRAME_OK);
		CHECK_INT(seq, 1000 + i);
		CHECK_INT(buf[12] << 8 | buf[13], PDPDK_ETHERTYPE);
	}
	CHECK_INT(pdpdk_frame_data_len(64), 60);
	return true;
}

static bool frame_damage_told_apart(void)
{
	uint8_t buf[PDPDK_FRAME_MAX], copy[PDPDK_FRAME_MAX];
	size_t len = pdpdk_frame_data_len(1518);
	uint64_t seq;

	pdpdk_frame_build(buf, len, dst, src, 9, 42);
	memcpy(copy, buf, len);
	CHECK_INT(pdpdk_frame_check(buf, len, 10, &seq), PDPDK_FRAME_STALE);
	CHECK_INT(pdpdk_frame_check(buf, len - 1, 9, &seq), PDPDK_FRAME_BAD_LEN);
	buf[100] ^= 1;
	CHECK_INT(pdpdk_frame_check(buf, len, 9, &seq), PDPDK_FRAME_BAD_SUM);
	memcpy(buf, copy, len);
	buf[12] = 0x08;
	CHECK_INT(pdpdk_frame_check(buf, len, 9, &seq), PDPDK_FRAME_FOREIGN);
	memset(buf, 0xa5, len);
	CHECK_INT(pdpdk_frame_check(buf, len, 9, &seq), PDPDK_FRAME_FOREIGN);
	CHECK_INT(pdpdk_frame_check(copy, 10, 9, &seq), PDPDK_FRAME_FOREIGN);
	CHECK_STR(pdpdk_verdict_name(PDPDK_FRAME_BAD_SUM), "bad_sum");
	return true;
}

static bool frame_sequences_differ(void)
{
	uint8_t a[128], b[128];
	size_t len = pdpdk_frame_data_len(128);

	pdpdk_frame_build(a, len, dst, src, 1, 1);
	pdpdk_frame_build(b, len, dst, src, 1, 2);
	CHECK(memcmp(a + PDPDK_HDR_LEN, b + PDPDK_HDR_LEN, len - PDPDK_HDR_LEN));
	return true;
}

static int parse(struct pdpdk_opts *o, struct pfn_err *err, const char *line)
{
	char buf[512], *argv[32], *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "run %s", line);
	for (char *t = strtok_r(buf, " ", &save); t && argc < 31; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	memset(err, 0, sizeof(*err));
	return pdpdk_opts_parse(o, argc, argv, err);
}

static bool opts_good(void)
{
	struct pdpdk_opts o;
	struct pfn_err err;

	CHECK_INT(parse(&o, &err, "--tx 01:00.0 --rx 0000:02:00.0"), 0);
	CHECK_STR(o.tx, "0000:01:00.0");
	CHECK_INT(o.cases, 1u << PDPDK_HUGEPAGE);
	CHECK_INT(o.nr_frames, 2);
	CHECK_INT(parse(&o, &err, "--tx 01:00.0 --rx 02:00.0 --peer 03:00.0 --cases bar_vma,bar_dmabuf --frames 64 --seconds 0.5 --reps 3 --revoke --json x.json"), 0);
	CHECK_INT(o.cases, 7);
	CHECK_INT(o.frames[0], 64);
	CHECK_INT(o.nr_frames, 1);
	CHECK_INT(o.reps, 3);
	CHECK(o.revoke);
	CHECK_STR(o.json, "x.json");
	CHECK_INT(parse(&o, &err, "--help"), 1);
	return true;
}

static bool opts_bad_input_one_line(void)
{
	static const struct {
		const char *line, *says;
	} bad[] = {
		{ "--rx 02:00.0", "give both ports" },
		{ "--tx 01:00.0 --rx 01:00.0", "both 0000:01:00.0" },
		{ "--tx zz --rx 02:00.0", "--tx" },
		{ "--tx 01:00.0 --rx 02:00.0 --cases bar_vma", "need --peer" },
		{ "--tx 01:00.0 --rx 02:00.0 --cases nvme", "'nvme' is not" },
		{ "--tx 01:00.0 --rx 02:00.0 --frames 63", "64 to 1518" },
		{ "--tx 01:00.0 --rx 02:00.0 --frames 1519", "64 to 1518" },
		{ "--tx 01:00.0 --rx 02:00.0 --revoke", "add bar_vma or bar_dmabuf" },
		{ "--tx 01:00.0 --rx 02:00.0 --seconds 0", "--seconds" },
		{ "--tx 01:00.0 --rx 02:00.0 --bogus", "--bogus" },
		{ "--tx 01:00.0 --rx 02:00.0 --peer 02:00.0 --cases bar_vma", "one of the ports" },
		{ "--tx 01:00.0 --rx 02:00.0 extra", "unexpected argument 'extra'" },
	};
	struct pdpdk_opts o;
	struct pfn_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(parse(&o, &err, bad[i].line), -EINVAL);
		CHECK_CONTAINS(err.msg, bad[i].says);
		CHECK(!strchr(err.msg, '\n'));
	}
	return true;
}

static const struct unit_case cases[] = {
	{ "frame_roundtrip", frame_roundtrip },
	{ "frame_damage_told_apart", frame_damage_told_apart },
	{ "frame_sequences_differ", frame_sequences_differ },
	{ "opts_good", opts_good },
	{ "opts_bad_input_one_line", opts_bad_input_one_line },
};

UNIT_MAIN("pfn-dpdk frames and options", cases)
