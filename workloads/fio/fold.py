#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fold the fio runs of workloads/fio/run.sh into one results file.

Reads RAW/runs.tsv (one line per fio run: name, exit status or "skip",
seconds, IOMMU map calls, first error line), each run's fio output
(RAW/NAME.output, the JSON fio wrote, possibly after error lines) and the
pfn engine's report lines (RAW/NAME.report.jsonl).  Writes fio's JSON as
RAW/fio-NAME.json, the folded results as OUT (pfnsuite-fio/1: metrics in
the form of bench.json, one result per configuration and revoke check),
and prints the side-by-side table (or KTAP with the table as diagnostics).
`fold.py --table FIO.JSON` prints the table of a file already written.

Exit: 0 every configuration and check passed (or was skipped saying why),
1 something failed, 2 bad input (no runs file).
"""
import argparse
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "results", "tools"))
import pfnresults as pr  # noqa: E402

WORKLOADS = ["randread_4k", "randwrite_4k", "seqread_128k", "seqwrite_128k"]
REFERENCE = "host_va_iommufd"
# How long fio may take to notice a revoke (the job would run 20 s).
REVOKE_BOUND_S = 15.0
ENODEV = 19

LABELS = {
    "host_va_iommufd": ("host", "by address (IOAS_MAP)"),
    "host_va_type1": ("host", "by address (type1 MAP_DMA)"),
    "memfd_file": ("memfd", "by file (IOAS_MAP_FILE)"),
    "udmabuf_file": ("udmabuf", "by file (IOAS_MAP_FILE)"),
    "peer_vma_type1": ("peer BAR", "VMA (mmap + type1)"),
    "peer_dmabuf": ("peer BAR", "dma-buf (MAP_FILE)"),
    "cmb_vma_type1": ("CMB", "VMA (mmap + type1)"),
    "cmb_dmabuf": ("CMB", "dma-buf (MAP_FILE)"),
    "kernel_io_uring": ("kernel", "io_uring (block)"),
    "kernel_libaio": ("kernel", "libaio (block)"),
    "kernel_io_uring_cmd": ("kernel", "io_uring_cmd (char)"),
}


def fio_json(text):
    """The JSON object in fio's --output, which may follow error lines; None if absent."""
    m = re.search(r"^\{", text, re.M)
    if not m:
        return None
    try:
        return json.loads(text[m.start():])
    except ValueError:
        return None


def metric(name, workload, config, quantity, unit, direction, samples):
    s = sorted(samples)
    n = len(s)
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return {"name": "%s/%s.%s" % (workload, config, quantity), "workload": workload, "config": config,
            "quantity": quantity, "unit": unit, "direction": direction, "samples": list(samples),
            "median": med, "min": s[0], "max": s[-1], "n": n}


def direction_of(job):
    rw = job.get("job options", {}).get("rw", "")
    return "write" if "write" in rw else "read"


def job_metrics(config, job):
    d = job[direction_of(job)]
    pct = d.get("clat_ns", {}).get("percentile", {})
    w = job["jobname"]
    out = [metric(w, w, config, "iops", "IOPS", "higher_is_better", [float(d["iops"])]),
           metric(w, w, config, "bw", "KiB/s", "higher_is_better", [float(d["bw"])])]
    for key, q in (("50.000000", "clat_p50"), ("99.000000", "clat_p99"), ("99.900000", "clat_p99_9")):
        if key in pct:
            out.append(metric(w, w, config, q, "us", "lower_is_better", [pct[key] / 1000.0]))
    return out


def merge_jobs(jobs):
    """One entry per job name: fio reports the threads of a job (numjobs) one
    by one unless group_reporting merged them; IOPS and bandwidth add up, a
    latency percentile is the worst thread's."""
    out, by = [], {}
    for j in jobs:
        # group_reporting over a group of several jobs gives an entry with
        # no name: the group's total, not a job of the profile.
        if "jobname" not in j:
            continue
        name = j["jobname"]
        if name not in by:
            by[name] = json.loads(json.dumps(j))
            out.append(by[name])
            continue
        m = by[name]
        for d in ("read", "write"):
            if d not in j or d not in m:
                continue
            m[d]["iops"] = m[d].get("iops", 0) + j[d].get("iops", 0)
            m[d]["bw"] = m[d].get("bw", 0) + j[d].get("bw", 0)
            pm = m[d].setdefault("clat_ns", {}).setdefault("percentile", {})
            for k, v in j[d].get("clat_ns", {}).get("percentile", {}).items():
                pm[k] = max(pm.get(k, v), v)
        m["minf"] = int(m.get("minf", 0)) + int(j.get("minf", 0))
        m["majf"] = int(m.get("majf", 0)) + int(j.get("majf", 0))
    return out


def read_reports(path):
    lines = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        lines.append(json.loads(line))
                    except ValueError:
                        pass
    return lines


def write_json(path, doc):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.rename(tmp, path)


def judge_config(args, name, rc, log, doc):
    """(result, reason) of one configuration's run."""
    if rc == "skip":
        return "skip", log
    if name == "udmabuf_file" and rc != "0" and "cannot map a udmabuf" in log and args.series != "reference":
        return "skip", "this kernel cannot map a udmabuf by file (%s)" % log
    if rc != "0":
        return "fail", "fio exit %s: %s" % (rc, log or "see the log")
    if doc is None:
        return "fail", "fio wrote no JSON"
    bad = [j.get("jobname", "group") for j in doc.get("jobs", []) if j.get("error")]
    if bad:
        return "fail", "jobs with errors: " + ", ".join(bad)
    return "pass", ""


def judge_revoke(name, rc, seconds, reports):
    """(result, reason, details) of a revoke-under-I/O run."""
    rep = reports[0] if reports else None
    v = rep["revoke"] if rep else {}
    det = {"exit": int(rc) if rc.lstrip("-").isdigit() else None, "seconds": seconds,
           "io_errors": rep["io_errors"] if rep else 0, "first_error": rep["first_error"] if rep else "",
           "first_error_after_ms": (v.get("first_error_after_ns", -1) / 1e6) if rep else -1,
           "proof_after": v.get("after", "not_judged"), "control_before": v.get("control_before", -1),
           "control_after": v.get("control_after", -1), "map_after_rc": v.get("map_after_rc", 0),
           "message": v.get("msg", "")}
    if not rep or not v.get("done"):
        return "fail", "the revoke did not happen: %s" % (v.get("msg") or "no engine report"), det
    if det["control_before"] != 0:
        return "fail", "[rig_broken] positive control before the revoke: %s" % det["message"], det
    if det["control_after"] != 0:
        return "fail", "[rig_broken] the controller did not work after the revoke: %s" % det["message"], det
    if det["exit"] == 0:
        return "fail", "fio exited 0 although its buffers were revoked", det
    if seconds > REVOKE_BOUND_S:
        return "fail", "fio took %.1f s to stop after the revoke (bound %.0f s)" % (seconds, REVOKE_BOUND_S), det
    if det["io_errors"] == 0:
        return "fail", "no I/O failed after the revoke", det
    if name == "revoke_type1":
        if det["proof_after"] == "landed":
            return "xfail", ("FINDING: FIND-010 type1 keeps the revoked BAR mapped: a DMA through the "
                             "old IOVA after the revoke landed in the BAR"), det
        if det["proof_after"] != "canary":
            return "fail", "[changed] the BAR changed across the DMA after the revoke", det
        return "pass", "", det
    if det["proof_after"] != "canary":
        return "fail", "[%s] a DMA through the old mapping after the revoke %s" % (
            det["proof_after"], "landed in the BAR" if det["proof_after"] == "landed" else "changed the BAR"), det
    if det["map_after_rc"] != -ENODEV:
        return "fail", "a new IOMMU_IOAS_MAP_FILE of the revoked dma-buf gave %d, not -ENODEV" % det["map_after_rc"], det
    return "pass", "", det


def fmt(v, unit=""):
    if v is None:
        return "-"
    if v >= 100:
        return "%.0f%s" % (v, unit)
    return "%.3g%s" % (v, unit)


def table(doc):
    lines = []
    by = {(m["workload"], m["config"], m["quantity"]): m["median"] for m in doc["metrics"]}
    configs = [c["name"] for c in doc["configs"] if c["name"] in LABELS]
    res = {c["name"]: c for c in doc["configs"]}
    workloads = [w for w in WORKLOADS if any((w, c, "iops") in by for c in configs)]
    accel = doc["metadata"]["accel"]
    lines.append("fio: %s profile, %s; ratio = IOPS / IOPS of %s in this run; %s" % (
        doc["metadata"]["profile"], "QEMU TCG" if accel == "tcg" else accel, REFERENCE,
        "TCG timings are emulated-CPU timings: compare ratios and counts, not absolute figures"
        if accel == "tcg" else "compare ratios and counts measured side by side"))
    for w in workloads:
        lines.append("")
        lines.append("%s:" % w)
        lines.append("   %-9s %-26s %9s %9s %8s %8s %8s %6s" % (
            "placement", "path", "IOPS", "MiB/s", "p50 us", "p99 us", "p99.9us", "ratio"))
        ref = by.get((w, REFERENCE, "iops"))
        for c in configs:
            place, path = LABELS.get(c, (c, ""))
            iops = by.get((w, c, "iops"))
            if iops is None:
                r = res[c]
                lines.append("   %-9s %-26s %s" % (place, path, "%s: %s" % (r["result"], r["reason"][:80])
                                                     if r["result"] != "pass" else "-"))
                continue
            bw = by.get((w, c, "bw"))
            lines.append("   %-9s %-26s %9s %9s %8s %8s %8s %6s" % (
                place, path, fmt(iops), fmt(bw / 1024 if bw is not None else None),
                fmt(by.get((w, c, "clat_p50"))), fmt(by.get((w, c, "clat_p99"))),
                fmt(by.get((w, c, "clat_p99_9"))), "%.2f" % (iops / ref) if ref else "-"))
    lines.append("")
    lines.append("   %-9s %-26s %10s %10s %10s %10s %7s" % ("placement", "path", "setup us", "map us",
                                                           "CPU faults", "IOMMU maps", "verify"))
    for c in configs:
        place, path = LABELS.get(c, (c, ""))
        r = res[c]
        lines.append("   %-9s %-26s %10s %10s %10s %10s %7s" % (
            place, path, fmt(by.get(("setup", c, "setup_time"))), fmt(by.get(("setup", c, "map_time"))),
            fmt(by.get(("run", c, "cpu_faults"))), fmt(by.get(("run", c, "iommu_map_ops"))),
            "-" if r["verify_jobs"] == 0 else ("ok" if r["verify_errors"] == 0 else
                                               "%d BAD" % r["verify_errors"])))
    for r in doc["revoke"]:
        lines.append("")
        lines.append("revoke under I/O, %s: %s — fio exit %s after %.1f s, %d I/Os failed (first %.0f ms "
                     "after the revoke), DMA after the revoke: %s%s" % (
                         r["name"], r["result"].upper(), r["exit"], r["seconds"], r["io_errors"],
                         r["first_error_after_ms"], r["proof_after"],
                         "; " + r["reason"] if r["reason"] else ""))
    return lines


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    if len(argv) == 2 and argv[0] == "--table":
        # fold.py --table FIO.JSON: the table of a results file already written
        try:
            with open(argv[1]) as f:
                doc = json.load(f)
            lines = table(doc)
        except (OSError, ValueError, KeyError, TypeError) as e:
            print("fold.py: %s: not a readable fio.json (%s): give the fio.json run.sh wrote" % (argv[1], e),
                  file=sys.stderr)
            return 2
        print("\n".join(lines))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", required=True)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="")
    ap.add_argument("--peer", default="")
    ap.add_argument("--kernel-nvme", default="")
    ap.add_argument("--series", default="none")
    ap.add_argument("--ktap", action="store_true")
    args = ap.parse_args(argv)

    runs_path = os.path.join(args.raw, "runs.tsv")
    if not os.path.exists(runs_path):
        print("fold.py: %s is missing: run workloads/fio/run.sh" % runs_path, file=sys.stderr)
        return 2
    configs, revokes, metrics = [], [], []
    fio_version = ""
    with open(runs_path) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for row in rows:
        name, rc, seconds, maps, log = (row + [""] * 5)[:5]
        seconds = float(seconds or 0)
        doc = None
        out = os.path.join(args.raw, name + ".output")
        if os.path.exists(out):
            with open(out, errors="replace") as fo:
                doc = fio_json(fo.read())
            if doc is not None:
                write_json(os.path.join(args.raw, "fio-%s.json" % name), doc)
                fio_version = doc.get("fio version", fio_version)
        reports = read_reports(os.path.join(args.raw, name + ".report.jsonl"))
        if name.startswith("revoke_"):
            result, reason, det = judge_revoke(name, rc, seconds, reports)
            revokes.append(dict(det, name=name, result=result, reason=reason))
            continue
        result, reason = judge_config(args, name, rc, log, doc)
        jobs = doc.get("jobs", []) if doc else []
        verify = [j for j in jobs if j.get("jobname", "").startswith("verify_")]
        entry = {"name": name, "result": result, "reason": reason, "seconds": seconds,
                 "fio_json": "fio/fio-%s.json" % name if doc is not None else None,
                 "verify_jobs": len(verify), "verify_errors": sum(1 for j in verify if j.get("error"))}
        if name == "after_revoke_verify":
            entry["reason"] = entry["reason"] or "the controller works after the revokes"
        configs.append(entry)
        if result != "pass":
            continue
        for j in merge_jobs(jobs):
            if not j["jobname"].startswith("verify_"):
                metrics += job_metrics(name, j)
        faults = sum(int(j.get("minf", 0)) + int(j.get("majf", 0)) for j in jobs)
        metrics.append(metric("run", "run", name, "cpu_faults", "faults", "lower_is_better", [faults]))
        if int(maps or -1) >= 0:
            metrics.append(metric("run", "run", name, "iommu_map_ops", "ops", "lower_is_better", [int(maps)]))
        if reports:
            metrics.append(metric("setup", "setup", name, "setup_time", "us", "lower_is_better",
                                  [r["setup_ns"] / 1000.0 for r in reports]))
            metrics.append(metric("setup", "setup", name, "map_time", "us", "lower_is_better",
                                  [r["map_ns"] / 1000.0 for r in reports]))
    refusals = []
    ref_path = os.path.join(args.raw, "refusals.tsv")
    if os.path.exists(ref_path):
        with open(ref_path) as f:
            for line in f:
                if not line.strip():
                    continue
                name, rc, matched, first = (line.rstrip("\n").split("\t") + [""] * 4)[:4]
                ok = rc not in ("0", "124") and matched == "yes"
                refusals.append({"name": name, "result": "pass" if ok else "fail",
                                 "reason": "" if ok else "fio exit %s, expected message %s: %s" % (
                                     rc, "seen" if matched == "yes" else "missing", first),
                                 "exit": int(rc) if rc.lstrip("-").isdigit() else None, "message": first})
    uname = os.uname()
    doc = {"schema": "pfnsuite-fio/1",
           "metadata": {"created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "profile": args.profile,
                        "kernel_release": uname.release, "kernel_series": args.series,
                        "fio_version": fio_version, "accel": pr_accel(),
                        "timings": "emulated (TCG) when accel is tcg: compare ratios within this run and exact counts",
                        "device": args.device, "peer": args.peer, "kernel_nvme": args.kernel_nvme,
                        "reference_config": REFERENCE},
           "configs": configs, "revoke": revokes, "refusals": refusals, "metrics": metrics}
    write_json(args.out, doc)
    lines = table(doc)
    checks = [(c["name"], c["result"], c["reason"]) for c in configs] + \
             [(r["name"], r["result"], r["reason"]) for r in revokes] + \
             [(r["name"], r["result"], r["reason"]) for r in refusals]
    for c in configs:
        if c["verify_errors"]:
            checks.append((c["name"] + "_verify", "fail", "%d verify jobs failed" % c["verify_errors"]))
    failed = any(res == "fail" for _, res, _ in checks)
    if args.ktap:
        print("KTAP version 1")
        print("1..%d" % len(checks))
        for line in lines:
            print("# " + line if line else "#")
        for i, (name, res, reason) in enumerate(checks, 1):
            reason = reason.replace("#", "").replace("\n", " ")
            if res == "pass":
                print("ok %d %s" % (i, name))
            elif res == "skip":
                print("ok %d %s # SKIP %s" % (i, name, reason))
            elif res == "xfail":
                print("not ok %d %s # XFAIL %s" % (i, name, reason))
            else:
                print("not ok %d %s # %s" % (i, name, reason))
    else:
        print("\n".join(lines))
        for name, res, reason in checks:
            if res != "pass":
                print("%s: %s%s" % (name, res.upper(), ": " + reason if reason else ""))
    return 1 if failed else 0


def pr_accel():
    """tcg when the CPU says it is QEMU's TCG, else kvm/host as far as cpuinfo tells."""
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
    except OSError:
        return "unknown"
    if "QEMU TCG" in info or "TCG" in info:
        return "tcg"
    return "kvm" if "hypervisor" in info else "none"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError, KeyError, pr.ToolError) as e:
        print("fold.py: %s" % e, file=sys.stderr)
        sys.exit(3)
