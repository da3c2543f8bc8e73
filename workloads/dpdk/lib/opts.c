// SPDX-License-Identifier: GPL-2.0-only
/* pfn-dpdk's command line: see pfndpdk/opts.h. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfndpdk/frame.h"
#include "pfndpdk/opts.h"

static const char *const case_names[PDPDK_NR_CASES] = {
	[PDPDK_HUGEPAGE] = "hugepage",
	[PDPDK_BAR_VMA] = "bar_vma",
	[PDPDK_BAR_DMABUF] = "bar_dmabuf",
};

const char *pdpdk_case_name(enum pdpdk_case c)
{
	return (unsigned int)c < PDPDK_NR_CASES ? case_names[c] : "?";
}

const char *pdpdk_case_placement(enum pdpdk_case c)
{
	return c == PDPDK_HUGEPAGE ? "hugepage" : "bar";
}

const char *pdpdk_case_path(enum pdpdk_case c)
{
	switch (c) {
	case PDPDK_HUGEPAGE:
		return "host";
	case PDPDK_BAR_VMA:
		return "vma";
	default:
		return "dmabuf";
	}
}

const char *pdpdk_usage(void)
{
	return "Usage: pfn-dpdk run --tx BDF --rx BDF [options]\n"
	       "\n"
	       "Forward verified frames from port --tx to port --rx (both bound to vfio-pci,\n"
	       "connected to each other) with the packet buffers in each pool of --cases,\n"
	       "and print one line per measurement; --json writes the results file.\n"
	       "\n"
	       "  --tx BDF            transmitting port\n"
	       "  --rx BDF            receiving port\n"
	       "  --peer BDF          device whose BAR holds the bar_* pools (bound to vfio-pci)\n"
	       "  --peer-bar N        its BAR (default: the largest mmap-able one)\n"
	       "  --cases LIST        hugepage,bar_vma,bar_dmabuf (default hugepage; the\n"
	       "                      hugepage baseline always runs), or auto: what DPDK's\n"
	       "                      container allows (type1: bar_vma; iommufd's compat\n"
	       "                      container: bar_dmabuf, and bar_vma must be refused)\n"
	       "  --frames LIST       frame sizes with FCS, 64..1518 (default 64,1518)\n"
	       "  --seconds S         traffic per sample (default 1)\n"
	       "  --reps N            samples per case and frame size (default 1)\n"
	       "  --mbufs N           buffers per pool (default 1024)\n"
	       "  --hugepages N       reserve N 2 MiB hugepages when fewer are free\n"
	       "  --revoke            revoke the peer under traffic (needs a bar_* case)\n"
	       "  --expect-vma-refused  the VMA path must be refused (iommufd compat container)\n"
	       "  --json FILE         results file (written whole, at the end)\n"
	       "  --quiet             no progress lines\n";
}

static int parse_uint(const char *opt, const char *s, unsigned int min, unsigned int max,
		      unsigned int *out, struct pfn_err *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return pfn_fail(err, EINVAL, "%s '%s': give a whole number from %u to %u", opt, s,
				min, max);
	*out = (unsigned int)v;
	return 0;
}

static int parse_cases(struct pdpdk_opts *o, const char *s, struct pfn_err *err)
{
	char buf[256], *save = NULL, *tok;
	unsigned int c, *out = &o->cases;

	o->auto_cases = !strcmp(s, "auto");
	if (o->auto_cases)
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	*out = 1u << PDPDK_HUGEPAGE;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (c = 0; c < PDPDK_NR_CASES; c++)
			if (!strcmp(tok, case_names[c]))
				break;
		if (c == PDPDK_NR_CASES)
			return pfn_fail(err, EINVAL,
					"--cases '%s': '%s' is not hugepage, bar_vma or bar_dmabuf (or give auto)", s, tok);
		*out |= 1u << c;
	}
	return 0;
}

static int parse_frames(struct pdpdk_opts *o, const char *s, struct pfn_err *err)
{
	char buf[256], *save = NULL, *tok;
	int ret;

	snprintf(buf, sizeof(buf), "%s", s);
	o->nr_frames = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nr_frames == PDPDK_MAX_FRAMES)
			return pfn_fail(err, EINVAL, "--frames '%s': at most %d sizes", s, PDPDK_MAX_FRAMES);
		ret = parse_uint("--frames", tok, PDPDK_FRAME_MIN, PDPDK_FRAME_MAX,
				 &o->frames[o->nr_frames], err);
		if (ret)
			return ret;
		o->nr_frames++;
	}
	if (!o->nr_frames)
		return pfn_fail(err, EINVAL, "--frames '%s': give sizes such as 64,1518", s);
	return 0;
}

static int parse_bdf(const char *opt, const char *s, char out[PFN_BDF_LEN], struct pfn_err *err)
{
	struct pfn_err e;

	if (pfn_bdf_parse(s, out, &e))
		return pfn_fail(err, EINVAL, "%s: %s", opt, e.msg);
	return 0;
}

static int parse_seconds(const char *s, double *out, struct pfn_err *err)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !(*out >= 0.05 && *out <= 600))
		return pfn_fail(err, EINVAL, "--seconds '%s': give 0.05 to 600", s);
	return 0;
}

int pdpdk_opts_parse(struct pdpdk_opts *o, int argc, char **argv, struct pfn_err *err)
{
	static const struct option longopts[] = {
		{ "tx", required_argument, NULL, 't' },
		{ "rx", required_argument, NULL, 'r' },
		{ "peer", required_argument, NULL, 'p' },
		{ "peer-bar", required_argument, NULL, 'b' },
		{ "cases", required_argument, NULL, 'c' },
		{ "frames", required_argument, NULL, 'f' },
		{ "seconds", required_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'n' },
		{ "mbufs", required_argument, NULL, 'm' },
		{ "hugepages", required_argument, NULL, 'H' },
		{ "revoke", no_argument, NULL, 'R' },
		{ "expect-vma-refused", no_argument, NULL, 'E' },
		{ "json", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned int bar;
	int c, ret = 0;

	memset(o, 0, sizeof(*o));
	o->peer_bar = -1;
	o->cases = 1u << PDPDK_HUGEPAGE;
	o->frames[0] = 64;
	o->frames[1] = 1518;
	o->nr_frames = 2;
	o->seconds = 1;
	o->reps = 1;
	o->mbufs = 1024;
	optind = 1;
	opterr = 0;
	while (!ret && (c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 't': ret = parse_bdf("--tx", optarg, o->tx, err); break;
		case 'r': ret = parse_bdf("--rx", optarg, o->rx, err); break;
		case 'p': ret = parse_bdf("--peer", optarg, o->peer, err); break;
		case 'b':
			ret = parse_uint("--peer-bar", optarg, 0, 5, &bar, err);
			o->peer_bar = (int)bar;
			break;
		case 'c': ret = parse_cases(o, optarg, err); break;
		case 'f': ret = parse_frames(o, optarg, err); break;
		case 's': ret = parse_seconds(optarg, &o->seconds, err); break;
		case 'n': ret = parse_uint("--reps", optarg, 1, 100, &o->reps, err); break;
		case 'm': ret = parse_uint("--mbufs", optarg, 64, 65536, &o->mbufs, err); break;
		case 'H': ret = parse_uint("--hugepages", optarg, 0, 65536, &o->hugepages, err); break;
		case 'R': o->revoke = true; break;
		case 'E': o->expect_vma_refused = true; break;
		case 'j':
			if (strlen(optarg) >= sizeof(o->json) || !optarg[0])
				ret = pfn_fail(err, EINVAL, "--json: give a file name");
			else
				snprintf(o->json, sizeof(o->json), "%s", optarg);
			break;
		case 'q': o->quiet = true; break;
		case 'h': return 1;
		default:
			if (optopt)
				ret = pfn_fail(err, EINVAL, "option '-%c' needs a value or is unknown (see --help)", optopt);
			else
				ret = pfn_fail(err, EINVAL, "unknown option or missing value: '%s' (see --help)",
					       argv[optind - 1]);
		}
	}
	if (ret)
		return ret;
	if (optind < argc)
		return pfn_fail(err, EINVAL, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!o->tx[0] || !o->rx[0])
		return pfn_fail(err, EINVAL, "give both ports: --tx BDF --rx BDF (bound to vfio-pci)");
	if (!strcmp(o->tx, o->rx))
		return pfn_fail(err, EINVAL, "--tx and --rx are both %s: give two ports connected to each other", o->tx);
	if (((o->cases & ~(1u << PDPDK_HUGEPAGE)) || o->auto_cases) && !o->peer[0])
		return pfn_fail(err, EINVAL, "the bar_* cases (and auto) need --peer BDF, the device whose BAR holds the pool");
	if (o->revoke && !o->auto_cases && !(o->cases & ~(1u << PDPDK_HUGEPAGE)))
		return pfn_fail(err, EINVAL, "--revoke revokes the peer BAR: add bar_vma or bar_dmabuf to --cases");
	if (o->peer[0] && (!strcmp(o->peer, o->tx) || !strcmp(o->peer, o->rx)))
		return pfn_fail(err, EINVAL, "--peer %s is one of the ports: give another device", o->peer);
	return 0;
}
