/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Error reporting for libpfn.
 *
 * Every libpfn call that can fail returns 0 (or a non-negative value) on
 * success and a negative errno on failure.  When the caller passes a
 * struct pfn_err, it is filled with the errno and a one-line message that
 * names what failed and, where there is one, what to do about it.  libpfn
 * never prints and never exits.
 */
#ifndef PFN_ERROR_H
#define PFN_ERROR_H

#include <stddef.h>

#define PFN_ERR_MSG_MAX 320

/**
 * struct pfn_err - the reason a libpfn call failed
 * @code: positive errno value, 0 when no error was recorded
 * @msg: NUL-terminated, single-line description
 */
struct pfn_err {
	int code;
	char msg[PFN_ERR_MSG_MAX];
};

/**
 * pfn_fail() - record an error
 * @err: where to record it; may be NULL
 * @code: positive errno value
 * @fmt: printf format of the message
 *
 * Return: -@code, so callers can write ``return pfn_fail(err, EINVAL, ...)``.
 */
int pfn_fail(struct pfn_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * pfn_fail_errno() - record an error from errno, appending strerror()
 * @err: where to record it; may be NULL
 * @fmt: printf format of what was attempted
 *
 * Return: -errno as it was on entry (-EIO if errno was 0).
 */
int pfn_fail_errno(struct pfn_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** pfn_err_clear() - reset @err to "no error". */
void pfn_err_clear(struct pfn_err *err);

#endif /* PFN_ERROR_H */
