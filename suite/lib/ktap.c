// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdlib.h>

#include "pfn/ktap.h"

void pfn_ktap_begin(struct pfn_ktap *k, FILE *out, int planned)
{
	k->out = out;
	k->count = k->pass = k->fail = k->skip = k->xfail = 0;
	k->plan_at_end = planned < 0;
	k->deferred = NULL;
	k->deferred_len = 0;
	k->lines = NULL;
	fprintf(out, "KTAP version 1\n");
	if (planned >= 0)
		fprintf(out, "1..%d\n", planned);
	else
		/* The plan must precede the results: hold them until the end. */
		k->lines = open_memstream(&k->deferred, &k->deferred_len);
	if (!k->lines)
		k->lines = out;	/* out of memory: the plan follows the results */
	fflush(out);
}

void pfn_ktap_diag(struct pfn_ktap *k, const char *fmt, ...)
{
	va_list ap;

	fputs("# ", k->lines);
	va_start(ap, fmt);
	vfprintf(k->lines, fmt, ap);
	va_end(ap);
	fputc('\n', k->lines);
	fflush(k->lines);
}

/* A reason must stay on one line and must not open a new directive. */
static void put_reason(FILE *out, const char *reason)
{
	for (const char *p = reason; *p; p++)
		fputc(*p == '\n' || *p == '#' ? ' ' : *p, out);
}

void pfn_ktap_result(struct pfn_ktap *k, enum pfn_result result, const char *name,
		     const char *reason)
{
	FILE *out = k->lines;

	k->count++;
	switch (result) {
	case PFN_PASS:
		k->pass++;
		fprintf(out, "ok %d %s", k->count, name);
		break;
	case PFN_SKIP:
		k->skip++;
		fprintf(out, "ok %d %s # SKIP ", k->count, name);
		put_reason(out, reason ? reason : "no reason given");
		break;
	case PFN_XFAIL:
		/*
		 * "not ok": parsers that know no XFAIL (kunit.py) count a
		 * finding as a failure, never as a pass.  See suite/SPEC.md.
		 */
		k->xfail++;
		fprintf(out, "not ok %d %s # XFAIL ", k->count, name);
		put_reason(out, reason ? reason : "no reason given");
		break;
	case PFN_FAIL:
		k->fail++;
		fprintf(out, "not ok %d %s", k->count, name);
		if (reason && *reason) {
			fputs(" # ", out);
			put_reason(out, reason);
		}
		break;
	}
	fputc('\n', out);
	fflush(out);
}

int pfn_ktap_end(struct pfn_ktap *k)
{
	if (k->lines != k->out) {
		fclose(k->lines);
		k->lines = k->out;
		fprintf(k->out, "1..%d\n", k->count);
		if (k->deferred)
			fwrite(k->deferred, 1, k->deferred_len, k->out);
		free(k->deferred);
		k->deferred = NULL;
	} else if (k->plan_at_end) {
		fprintf(k->out, "1..%d\n", k->count);
	}
	fprintf(k->out, "# Totals: pass:%d fail:%d xfail:%d xpass:0 skip:%d error:0\n",
		k->pass, k->fail, k->xfail, k->skip);
	fprintf(k->out, "%d passed, %d failed, %d skipped\n", k->pass, k->fail, k->skip);
	fflush(k->out);
	return k->fail ? 1 : 0;
}
