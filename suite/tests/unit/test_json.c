// SPDX-License-Identifier: GPL-2.0-only
/* The streaming JSON writer: commas, nesting, escaping, misuse. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "harness.h"
#include "pfn/json.h"

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static bool capture_open(struct capture *c, struct pfn_json *j)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	if (!c->f)
		return false;
	pfn_json_init(j, c->f);
	return true;
}

static void capture_close(struct capture *c)
{
	fclose(c->f);
}

static bool nested_document(void)
{
	struct pfn_json j;
	struct capture c;
	bool ok;

	CHECK(capture_open(&c, &j));
	pfn_json_object_begin(&j);
	pfn_json_kv_string(&j, "name", "probe");
	pfn_json_kv_int(&j, "neg", -5);
	pfn_json_kv_uint(&j, "big", 18446744073709551615ull);
	pfn_json_kv_bool(&j, "t", true);
	pfn_json_key(&j, "list");
	pfn_json_array_begin(&j);
	pfn_json_int(&j, 1);
	pfn_json_object_begin(&j);
	pfn_json_object_end(&j);
	pfn_json_array_begin(&j);
	pfn_json_array_end(&j);
	pfn_json_null(&j);
	pfn_json_double(&j, 0.5);
	pfn_json_array_end(&j);
	pfn_json_object_end(&j);
	ok = pfn_json_finish(&j) == 0;
	capture_close(&c);
	CHECK(ok);
	CHECK_STR(c.buf, "{\"name\":\"probe\",\"neg\":-5,\"big\":18446744073709551615,\"t\":true,"
			 "\"list\":[1,{},[],null,0.5]}\n");
	free(c.buf);
	return true;
}

static bool escapes_strings(void)
{
	struct pfn_json j;
	struct capture c;

	CHECK(capture_open(&c, &j));
	pfn_json_string(&j, "q\"b\\n\nt\t\x01");
	CHECK_INT(pfn_json_finish(&j), 0);
	capture_close(&c);
	CHECK_STR(c.buf, "\"q\\\"b\\\\n\\nt\\t\\u0001\"\n");
	free(c.buf);
	return true;
}

static bool non_finite_is_null(void)
{
	struct pfn_json j;
	struct capture c;

	CHECK(capture_open(&c, &j));
	pfn_json_array_begin(&j);
	pfn_json_double(&j, NAN);
	pfn_json_double(&j, INFINITY);
	pfn_json_array_end(&j);
	CHECK_INT(pfn_json_finish(&j), 0);
	capture_close(&c);
	CHECK_STR(c.buf, "[null,null]\n");
	free(c.buf);
	return true;
}

static bool unbalanced_is_an_error(void)
{
	struct pfn_json j;
	struct capture c;
	int open_ret, close_ret, key_ret;

	CHECK(capture_open(&c, &j));
	pfn_json_object_begin(&j);
	open_ret = pfn_json_finish(&j);		/* still open */
	capture_close(&c);
	free(c.buf);

	CHECK(capture_open(&c, &j));
	pfn_json_array_end(&j);			/* nothing to close */
	close_ret = pfn_json_finish(&j);
	capture_close(&c);
	free(c.buf);

	CHECK(capture_open(&c, &j));
	pfn_json_object_begin(&j);
	pfn_json_key(&j, "dangling");
	pfn_json_object_end(&j);		/* key without value */
	key_ret = pfn_json_finish(&j);
	capture_close(&c);
	free(c.buf);

	CHECK_INT(open_ret, -EINVAL);
	CHECK_INT(close_ret, -EINVAL);
	CHECK_INT(key_ret, -EINVAL);
	return true;
}

static bool too_deep_is_an_error(void)
{
	struct pfn_json j;
	struct capture c;
	int ret;

	CHECK(capture_open(&c, &j));
	for (int i = 0; i < PFN_JSON_MAX_DEPTH + 2; i++)
		pfn_json_array_begin(&j);
	ret = pfn_json_finish(&j);
	capture_close(&c);
	free(c.buf);
	CHECK_INT(ret, -EINVAL);
	return true;
}

static const struct unit_case cases[] = {
	{ "nested_document", nested_document },
	{ "escapes_strings", escapes_strings },
	{ "non_finite_is_null", non_finite_is_null },
	{ "unbalanced_is_an_error", unbalanced_is_an_error },
	{ "too_deep_is_an_error", too_deep_is_an_error },
};

UNIT_MAIN("libpfn json", cases)
