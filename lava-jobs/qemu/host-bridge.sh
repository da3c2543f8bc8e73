#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# host-bridge.sh RESULTS-DIR QMP-SOCKET PID - the host side of the suite's
# host-request bridge for a QEMU that LAVA started (suite/runner/README.md):
# while process PID (lava-run) lives, each RESULTS-DIR/.host-requests/N.req
# (one QMP command: device_del or query-*) is sent to QEMU through
# suite/runner/qmp-request.py and its answer written whole to N.resp.  The
# conformance suite's hot-unplug cases use it; a lab's QEMU device without
# it SKIPs them, saying there is no bridge.  One line per served request.
set -u
results=$1 qmp=$2 pid=$3
here=$(cd "$(dirname "$0")" && pwd)
qmp_request=$here/../../suite/runner/qmp-request.py
requests=$results/.host-requests
mkdir -p "$requests"
while kill -0 "$pid" 2>/dev/null; do
	for req in "$requests"/*.req; do
		[ -e "$req" ] || break
		resp=${req%.req}.resp
		"$qmp_request" "$qmp" "$(cat "$req")" >"$resp.tmp" 2>&1
		echo "lava: host bridge served $(basename "$req"): $(head -c 160 "$resp.tmp")"
		mv "$resp.tmp" "$resp"
		rm -f "$req"
	done
	sleep 0.25
done
