/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json_scan: look values up in a JSON document in place, without allocating
 * or decoding; enough to check Google Benchmark reports in tests.
 *
 * Values are spans of the document. The document must be NUL-terminated
 * (numbers are read with strtod()) and must outlive the spans. Malformed
 * input makes lookups fail; it is not otherwise diagnosed.
 */
#ifndef JSON_SCAN_H
#define JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/**
 * struct json_span - a JSON value, or a string's raw contents
 * @p: first byte
 * @end: one past the last byte
 */
struct json_span {
	const char *p;
	const char *end;
};

/**
 * json_root() - the top-level value of a document
 * @buf: NUL-terminated document
 * @len: its length
 *
 * Return: @buf without surrounding whitespace.
 */
struct json_span json_root(const char *buf, size_t len);

/**
 * json_next() - step through an object's members or an array's elements
 * @it: iterator; starts as the object or array, advanced past each item
 * @key: for objects, gets the member name's raw contents; NULL for arrays
 * @val: gets the member or element
 *
 * Return: true if there was one more item, false at the end or on bad input.
 */
bool json_next(struct json_span *it, struct json_span *key, struct json_span *val);

/**
 * json_get() - look up an object member
 * @obj: object
 * @key: member name, compared with the raw (still escaped) name
 * @val: gets the first member named @key; left alone if there is none
 *
 * Return: true if found.
 */
bool json_get(struct json_span obj, const char *key, struct json_span *val);

/**
 * json_str() - the raw contents of a string value, escapes left as they are
 * @val: value
 * @str: gets the bytes between the quotes
 *
 * Return: true if @val is a string.
 */
bool json_str(struct json_span val, struct json_span *str);

/**
 * json_num() - the value of a number
 * @val: value
 * @num: gets the number
 *
 * Return: true if @val is a number.
 */
bool json_num(struct json_span val, double *num);

/**
 * json_span_is() - compare a span with a C string
 * @s: span
 * @str: string
 *
 * Return: true if they hold the same bytes.
 */
bool json_span_is(struct json_span s, const char *str);

#endif /* JSON_SCAN_H */
