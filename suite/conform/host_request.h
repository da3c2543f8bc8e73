/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Requests to the host running the emulated target, through the VM
 * runner's bridge on the results share (suite/runner/README.md, "Host
 * requests"): one QMP command in, QEMU's answer out.
 */
#ifndef PFN_CONFORM_HOST_REQUEST_H
#define PFN_CONFORM_HOST_REQUEST_H

#include <stddef.h>

#include "pfn/error.h"

/**
 * struct host_request - one request in flight
 * @answer: where the host's answer will appear
 */
struct host_request {
	char answer[4096 + 32];
};

/**
 * host_request_send() - send one QMP command to the host, without waiting
 * @req: filled with what host_request_wait() needs
 * @json: the command, e.g. {"execute":"device_del","arguments":{"id":"x"}}
 * @err: error detail
 *
 * The host may answer only after the guest has done its part (a device_del
 * completes once the guest releases the device), so sending and waiting
 * are separate.
 *
 * Return: 0; -EOPNOTSUPP when not running under the VM runner (no bridge);
 * another -errno.
 */
int host_request_send(struct host_request *req, const char *json, struct pfn_err *err);

/**
 * host_request_wait() - wait for the answer to a sent request
 * @req: from host_request_send()
 * @resp: receives the answer (JSON text)
 * @len: size of @resp
 * @timeout_ms: longest wait
 * @err: error detail
 *
 * Return: 0, -ETIMEDOUT, or another -errno.
 */
int host_request_wait(struct host_request *req, char *resp, size_t len, int timeout_ms,
		      struct pfn_err *err);

#endif /* PFN_CONFORM_HOST_REQUEST_H */
