/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A streaming JSON writer: correct escaping and commas, nothing else.
 */
#ifndef PFN_JSON_H
#define PFN_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PFN_JSON_MAX_DEPTH 32

/**
 * struct pfn_json - writer state
 * @out: destination
 * @depth: current nesting
 * @first: per level, whether the next member is the first
 * @after_key: a key was written; the next value needs no comma
 * @error: a misuse happened (too deep, unbalanced); output is invalid
 */
struct pfn_json {
	FILE *out;
	int depth;
	bool first[PFN_JSON_MAX_DEPTH];
	bool after_key;
	bool error;
};

void pfn_json_init(struct pfn_json *j, FILE *out);
void pfn_json_object_begin(struct pfn_json *j);
void pfn_json_object_end(struct pfn_json *j);
void pfn_json_array_begin(struct pfn_json *j);
void pfn_json_array_end(struct pfn_json *j);
void pfn_json_key(struct pfn_json *j, const char *key);
void pfn_json_string(struct pfn_json *j, const char *s);
void pfn_json_int(struct pfn_json *j, long long v);
void pfn_json_uint(struct pfn_json *j, unsigned long long v);
void pfn_json_double(struct pfn_json *j, double v);
void pfn_json_bool(struct pfn_json *j, bool v);
void pfn_json_null(struct pfn_json *j);

/* key + value in one call, for objects */
void pfn_json_kv_string(struct pfn_json *j, const char *key, const char *s);
void pfn_json_kv_int(struct pfn_json *j, const char *key, long long v);
void pfn_json_kv_uint(struct pfn_json *j, const char *key, unsigned long long v);
void pfn_json_kv_bool(struct pfn_json *j, const char *key, bool v);

/** pfn_json_finish() - Return: 0 when the document is complete and valid, -EINVAL otherwise. */
int pfn_json_finish(struct pfn_json *j);

#endif /* PFN_JSON_H */
