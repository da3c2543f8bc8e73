// SPDX-License-Identifier: GPL-2.0-only
/* The guest side of the VM runner's host-request bridge. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host_request.h"

int host_request_send(struct host_request *req, const char *json, struct pfn_err *err)
{
	const char *results = getenv("PFN_RESULTS");
	char dir[4096], tmp[sizeof(dir) + 32], path[sizeof(dir) + 32];
	static unsigned int seq;
	struct stat st;
	FILE *f;

	if (!results || snprintf(dir, sizeof(dir), "%s/.host-requests", results) >= (int)sizeof(dir) ||
	    stat(dir, &st) || !S_ISDIR(st.st_mode))
		return pfn_fail(err, EOPNOTSUPP,
				"no host-request bridge: this runs only under suite/runner/run-vm.sh (PFN_RESULTS/.host-requests)");
	seq++;
	snprintf(tmp, sizeof(tmp), "%s/%d-%u.req.tmp", dir, (int)getpid(), seq);
	snprintf(path, sizeof(path), "%s/%d-%u.req", dir, (int)getpid(), seq);
	snprintf(req->answer, sizeof(req->answer), "%s/%d-%u.resp", dir, (int)getpid(), seq);
	f = fopen(tmp, "we");
	if (!f)
		return pfn_fail_errno(err, "creating %s", tmp);
	fputs(json, f);
	if (fclose(f) || rename(tmp, path))
		return pfn_fail_errno(err, "writing %s", path);
	return 0;
}

int host_request_wait(struct host_request *req, char *resp, size_t len, int timeout_ms,
		      struct pfn_err *err)
{
	struct timespec nap = { 0, 100 * 1000 * 1000 };
	size_t n;
	FILE *f;

	for (int waited = 0; access(req->answer, F_OK); waited += 100) {
		if (waited >= timeout_ms)
			return pfn_fail(err, ETIMEDOUT, "the host did not answer within %d ms (%s)",
					timeout_ms, req->answer);
		nanosleep(&nap, NULL);
	}
	f = fopen(req->answer, "re");
	if (!f)
		return pfn_fail_errno(err, "reading %s", req->answer);
	n = fread(resp, 1, len - 1, f);
	while (n && (resp[n - 1] == '\n' || resp[n - 1] == '\r'))
		n--;
	resp[n] = '\0';
	fclose(f);
	unlink(req->answer);
	return 0;
}
