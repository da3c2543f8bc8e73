// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pfn/error.h"

static void pfn_err_vset(struct pfn_err *err, int code, const char *fmt, va_list ap)
{
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int pfn_fail(struct pfn_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code <= 0)
		code = EIO;
	if (err) {
		va_start(ap, fmt);
		pfn_err_vset(err, code, fmt, ap);
		va_end(ap);
	}
	return -code;
}

int pfn_fail_errno(struct pfn_err *err, const char *fmt, ...)
{
	int code = errno ? errno : EIO;
	va_list ap;
	size_t len;

	if (err) {
		va_start(ap, fmt);
		pfn_err_vset(err, code, fmt, ap);
		va_end(ap);
		len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(code));
	}
	return -code;
}

void pfn_err_clear(struct pfn_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}
