// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>

#include "pfn/json.h"

void pfn_json_init(struct pfn_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
	j->error = false;
}

/* Separate this value from the previous member of the same container. */
static void pfn_json_sep(struct pfn_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
}

static void pfn_json_open(struct pfn_json *j, char c)
{
	pfn_json_sep(j);
	if (j->depth + 1 >= PFN_JSON_MAX_DEPTH) {
		j->error = true;
		return;
	}
	fputc(c, j->out);
	j->first[++j->depth] = true;
}

static void pfn_json_close(struct pfn_json *j, char c)
{
	if (j->depth == 0 || j->after_key) {
		j->error = true;
		return;
	}
	j->depth--;
	fputc(c, j->out);
}

void pfn_json_object_begin(struct pfn_json *j)
{
	pfn_json_open(j, '{');
}

void pfn_json_object_end(struct pfn_json *j)
{
	pfn_json_close(j, '}');
}

void pfn_json_array_begin(struct pfn_json *j)
{
	pfn_json_open(j, '[');
}

void pfn_json_array_end(struct pfn_json *j)
{
	pfn_json_close(j, ']');
}

static void pfn_json_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void pfn_json_key(struct pfn_json *j, const char *key)
{
	pfn_json_sep(j);
	pfn_json_quoted(j->out, key);
	fputc(':', j->out);
	j->after_key = true;
}

void pfn_json_string(struct pfn_json *j, const char *s)
{
	pfn_json_sep(j);
	pfn_json_quoted(j->out, s);
}

void pfn_json_int(struct pfn_json *j, long long v)
{
	pfn_json_sep(j);
	fprintf(j->out, "%lld", v);
}

void pfn_json_uint(struct pfn_json *j, unsigned long long v)
{
	pfn_json_sep(j);
	fprintf(j->out, "%llu", v);
}

void pfn_json_double(struct pfn_json *j, double v)
{
	pfn_json_sep(j);
	if (isfinite(v))
		fprintf(j->out, "%.17g", v);
	else
		fputs("null", j->out);	/* JSON has no NaN or infinity */
}

void pfn_json_bool(struct pfn_json *j, bool v)
{
	pfn_json_sep(j);
	fputs(v ? "true" : "false", j->out);
}

void pfn_json_null(struct pfn_json *j)
{
	pfn_json_sep(j);
	fputs("null", j->out);
}

void pfn_json_kv_string(struct pfn_json *j, const char *key, const char *s)
{
	pfn_json_key(j, key);
	pfn_json_string(j, s);
}

void pfn_json_kv_int(struct pfn_json *j, const char *key, long long v)
{
	pfn_json_key(j, key);
	pfn_json_int(j, v);
}

void pfn_json_kv_uint(struct pfn_json *j, const char *key, unsigned long long v)
{
	pfn_json_key(j, key);
	pfn_json_uint(j, v);
}

void pfn_json_kv_bool(struct pfn_json *j, const char *key, bool v)
{
	pfn_json_key(j, key);
	pfn_json_bool(j, v);
}

int pfn_json_finish(struct pfn_json *j)
{
	if (j->error || j->depth != 0 || j->after_key)
		return -EINVAL;
	fputc('\n', j->out);
	return fflush(j->out) ? -errno : 0;
}
