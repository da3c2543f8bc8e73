#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Send one QMP command to a running QEMU and print its response as JSON.

Usage: qmp-request.py SOCKET COMMAND-JSON

Used by run-vm.sh to serve the guest's host requests (hot-unplug for revoke
tests, query-pci for the guest's devices.tsv).  Only device_del and query-*
commands are allowed.  device_del takes the device's QEMU id (the qemu_id
column of devices.tsv), e.g. {"execute":"device_del","arguments":{"id":"nvme0"}};
it also waits (up to 10 s) for the DEVICE_DELETED event, so the answer means
the device is gone from the machine.
"""
import json
import socket
import sys
import time

ALLOWED_PREFIXES = ("query-",)
ALLOWED = ("device_del",)


def main():
    if len(sys.argv) != 3:
        print(json.dumps({"error": {"class": "Usage", "desc": __doc__.strip().splitlines()[2]}}))
        return 2
    try:
        cmd = json.loads(sys.argv[2])
    except ValueError as e:
        print(json.dumps({"error": {"class": "BadRequest", "desc": f"not JSON: {e}"}}))
        return 1
    name = cmd.get("execute", "") if isinstance(cmd, dict) else ""
    if name not in ALLOWED and not name.startswith(ALLOWED_PREFIXES):
        print(json.dumps({"error": {"class": "Refused", "desc": f"command '{name}' is not allowed"}}))
        return 1
    if name == "device_del":
        args = cmd.get("arguments")
        dev = args.get("id") if isinstance(args, dict) else None
        if not isinstance(dev, str) or not dev:
            print(json.dumps({"error": {"class": "BadRequest",
                                        "desc": "device_del needs arguments.id, a QEMU device id (devices.tsv)"}}))
            return 1

    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(15)
    s.connect(sys.argv[1])
    f = s.makefile("rw")

    def send(obj):
        f.write(json.dumps(obj) + "\n")
        f.flush()

    def reply():
        while True:
            line = f.readline()
            if not line:
                raise ConnectionError("QMP connection closed")
            msg = json.loads(line)
            if "return" in msg or "error" in msg:
                return msg

    json.loads(f.readline())  # greeting
    send({"execute": "qmp_capabilities"})
    reply()
    send(cmd)
    resp = reply()
    if name == "device_del" and "return" in resp:
        dev = cmd.get("arguments", {}).get("id")
        deadline = time.monotonic() + 10
        resp["device_deleted"] = False
        while time.monotonic() < deadline:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                line = f.readline()
            except socket.timeout:
                break
            if not line:
                break
            msg = json.loads(line)
            if msg.get("event") == "DEVICE_DELETED" and msg.get("data", {}).get("device") == dev:
                resp["device_deleted"] = True
                break
    print(json.dumps(resp))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError, ConnectionError) as e:
        print(json.dumps({"error": {"class": "HostError", "desc": str(e)}}))
        sys.exit(1)
