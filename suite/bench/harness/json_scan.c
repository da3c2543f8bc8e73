// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-place JSON lookups; see json_scan.h.
 */
#include "json_scan.h"

#include <stdlib.h>
#include <string.h>

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/* Returns the end of the value that starts at @p, or NULL if it has none. */
static const char *skip_value(const char *p, const char *end)
{
	const char *start = p;
	bool in_str = false;
	int depth = 0;

	for (; p < end; p++) {
		if (in_str) {
			if (*p == '\\') {
				p++;
			} else if (*p == '"') {
				in_str = false;
				if (!depth)
					return p + 1;
			}
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (!depth)
				break;
			if (!--depth)
				return p + 1;
		} else if (!depth && (*p == ',' || is_ws(*p))) {
			break;
		}
	}
	return !in_str && !depth && p > start ? p : NULL;
}

struct json_span json_root(const char *buf, size_t len)
{
	const char *end = buf + len;

	while (end > buf && is_ws(end[-1]))
		end--;
	return (struct json_span){ skip_ws(buf, end), end };
}

bool json_next(struct json_span *it, struct json_span *key, struct json_span *val)
{
	const char *p = it->p, *e;

	if (p >= it->end || (*p != '{' && *p != '[' && *p != ','))
		return false;
	p = skip_ws(p + 1, it->end);
	if (key) {
		e = p < it->end && *p == '"' ? skip_value(p, it->end) : NULL;
		if (!e)
			return false;
		*key = (struct json_span){ p + 1, e - 1 };
		p = skip_ws(e, it->end);
		if (p >= it->end || *p != ':')
			return false;
		p = skip_ws(p + 1, it->end);
	}
	e = skip_value(p, it->end);
	if (!e)
		return false;
	*val = (struct json_span){ p, e };
	it->p = skip_ws(e, it->end);
	return true;
}

bool json_get(struct json_span obj, const char *key, struct json_span *val)
{
	struct json_span it = obj, k, v;

	if (obj.p >= obj.end || *obj.p != '{')
		return false;
	while (json_next(&it, &k, &v)) {
		if (json_span_is(k, key)) {
			*val = v;
			return true;
		}
	}
	return false;
}

bool json_str(struct json_span val, struct json_span *str)
{
	if (val.end - val.p < 2 || *val.p != '"')
		return false;
	*str = (struct json_span){ val.p + 1, val.end - 1 };
	return true;
}

bool json_num(struct json_span val, double *num)
{
	char *e;

	if (val.p >= val.end || (*val.p != '-' && (*val.p < '0' || *val.p > '9')))
		return false;
	*num = strtod(val.p, &e);
	return e == val.end;
}

bool json_span_is(struct json_span s, const char *str)
{
	size_t len = strlen(str);

	return (size_t)(s.end - s.p) == len && !memcmp(s.p, str, len);
}
