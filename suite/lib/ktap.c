// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>

#include "pfn/ktap.h"

void pfn_ktap_begin(struct pfn_ktap *k, FILE *out, int planned)
{
	k->out = out;
	k->count = k->pass = k->fail = k->skip = k->xfail = 0;
	k->plan_at_end = planned < 0;
	fprintf(out, "KTAP version 1\n");
	if (planned >= 0)
		fprintf(out, "1..%d\n", planned);
	fflush(out);
}

void pfn_ktap_diag(struct pfn_ktap *k, const char *fmt, ...)
{
	va_list ap;

	fputs("# ", k->out);
	va_start(ap, fmt);
	vfprintf(k->out, fmt, ap);
	va_end(ap);
	fputc('\n', k->out);
	fflush(k->out);
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
	k->count++;
	switch (result) {
	case PFN_PASS:
		k->pass++;
		fprintf(k->out, "ok %d %s", k->count, name);
		break;
	case PFN_SKIP:
		k->skip++;
		fprintf(k->out, "ok %d %s # SKIP ", k->count, name);
		put_reason(k->out, reason ? reason : "no reason given");
		break;
	case PFN_XFAIL:
		k->xfail++;
		fprintf(k->out, "ok %d %s # XFAIL ", k->count, name);
		put_reason(k->out, reason ? reason : "no reason given");
		break;
	case PFN_FAIL:
		k->fail++;
		fprintf(k->out, "not ok %d %s", k->count, name);
		if (reason && *reason) {
			fputs(" # ", k->out);
			put_reason(k->out, reason);
		}
		break;
	}
	fputc('\n', k->out);
	fflush(k->out);
}

int pfn_ktap_end(struct pfn_ktap *k)
{
	if (k->plan_at_end)
		fprintf(k->out, "1..%d\n", k->count);
	fprintf(k->out, "# Totals: pass:%d fail:%d xfail:%d xpass:0 skip:%d error:0\n",
		k->pass, k->fail, k->xfail, k->skip);
	fprintf(k->out, "%d passed, %d failed, %d skipped\n", k->pass, k->fail, k->skip);
	fflush(k->out);
	return k->fail ? 1 : 0;
}
