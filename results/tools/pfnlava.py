# SPDX-License-Identifier: GPL-2.0-only
"""The suite's results as LAVA sees them, and back.

- result_lines(): a family's results (conformance.json, bench.json,
  probe.json, KTAP) as the lines of a Linaro test-definitions result.txt,
  "name pass|fail|skip [measurement units]", which lava-test-case reports.
- parse_log(): LAVA's log stream (lava-run's output.yaml, one flow-YAML
  mapping per line) back into a pfnsuite-lava/1 document: the job result
  and every case LAVA recorded, with its definition, set, result,
  measurement and units.
- disagreements(): LAVA's verdicts and measurements against the suite's own
  conformance.json and bench.json of the same run.

A LAVA case name is the suite's name with every character outside
[A-Za-z0-9._-] turned into "_" (LAVA splits a signal at whitespace and its
server keeps names short and plain); case_name() is the one mapping, used
on both sides.
"""
import math
import re

import pfnresults as pr

LAVA_SCHEMA = "pfnsuite-lava/1"
NAME_BAD = re.compile(r"[^A-Za-z0-9._-]")
MAX_NAME = 100  # lava-server's TestCase.name
# conformance.json results as LAVA results: LAVA has no "expected failure",
# so a documented finding is reported as what it is, a fail.
CONFORM_RESULT = {"pass": "pass", "fail": "fail", "skip": "skip", "xfail": "fail"}
# The exit status of the family's command, one case per family.
RUN_CASE = "run"


def case_name(name):
    """The LAVA case name of a suite result NAME."""
    return NAME_BAD.sub("_", name)[:MAX_NAME]


def number(v):
    """A measurement as lava-test-case takes it: shortest text that reads back the same float."""
    return repr(float(v))


class Lines:
    """result.txt lines of one family; a case name twice is an error (it would hide a result)."""

    def __init__(self, source):
        self.source, self.lines, self.seen, self.notes = source, [], {}, []

    def add(self, suite_name, result, measurement=None, units=None, why=""):
        name = case_name(suite_name)
        if name in self.seen:
            raise pr.bad_input(self.source, "two results map to the LAVA case %s (%s and %s)"
                               % (name, self.seen[name], suite_name), "rename one of them")
        self.seen[name] = suite_name
        line = "%s %s" % (name, result)
        if measurement is not None:
            line += " %s %s" % (number(measurement), case_name(units or "none"))
        self.lines.append(line)
        if why:
            self.notes.append("# %s %s: %s" % (name, result, why.replace("\n", " ")))


def conformance_lines(out, doc):
    for t in doc.get("tests", []):
        out.add(t["id"], CONFORM_RESULT[t["result"]],
                why=("finding: " if t.get("finding") else "") + (t.get("reason") or ""))


def bench_lines(out, doc):
    for m in doc.get("metrics", []):
        out.add(m["name"], "pass", m["median"], m["unit"])
    for s in doc.get("skipped", []):
        out.add(s["benchmark"], "skip", why=s.get("reason", ""))
    for e in doc.get("errors", []):
        out.add(e["benchmark"], "fail", why=e.get("reason", ""))


PROBE_PATHS = ("iommufd_open", "type1_open")
PROBE_BAR_PATHS = ("dmabuf_export", "iommufd_map_file", "type1_map_vma")


def probe_result(p):
    if p.get("supported"):
        return "pass", ""
    if not p.get("tried"):
        return "skip", p.get("detail", "")
    return "fail", (p.get("detail") or "") + (" (errno %d)" % p["errno"] if p.get("errno") else "")


def probe_lines(out, doc):
    for d in doc.get("devices", []):
        for path in PROBE_PATHS:
            if path in d:
                r, why = probe_result(d[path])
                out.add("%s/%s" % (d["bdf"], path), r, why=why)
        for b in d.get("bars", []):
            for path in PROBE_BAR_PATHS:
                if path in b:
                    r, why = probe_result(b[path])
                    out.add("%s/bar%d/%s" % (d["bdf"], b["index"], path), r, why=why)
    # TDX readiness: a feature that is absent SKIPs, saying what is missing.
    for c in doc.get("tdx", {}).get("checks", []):
        out.add(c["name"], "pass" if c["present"] else "skip", why=c["detail"])


KTAP_LINE = re.compile(r"^(not ok|ok) \d+ (?:- )?([^#]*?)\s*(?:#\s*(\w+)\s*(.*))?$")


def ktap_lines(out, text):
    """Top-level KTAP results (subtests are folded into their parent by KTAP itself)."""
    for line in text.splitlines():
        m = KTAP_LINE.match(line.rstrip())
        if not m:
            continue
        ok, name, directive, why = m.group(1) == "ok", m.group(2), (m.group(3) or "").upper(), m.group(4)
        if directive == "SKIP":
            out.add(name, "skip", why=why)
        else:
            out.add(name, "pass" if ok else "fail", why=why if directive == "XFAIL" else "")


def parse_log(path):
    """LAVA's log stream -> pfnsuite-lava/1: {job, cases[]}.  Lines are flow YAML
    (some carry tags), so each one is read on its own with yaml.safe_load."""
    import yaml

    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        raise pr.bad_input(path, "cannot read: %s" % (e.strerror or e), "check the path")
    cases, job, seen_results = [], None, 0
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line.startswith("- "):
            line = line[2:]
        # Records only (lava-run's stderr may share the file).
        if not line.startswith("{") or "results" not in line:
            continue
        try:
            rec = yaml.safe_load(line)
        except yaml.YAMLError:
            raise pr.bad_input(path, "line %d is not a LAVA log record" % n, "is it lava-run's output.yaml?")
        if not isinstance(rec, dict) or rec.get("lvl") != "results" or not isinstance(rec.get("msg"), dict):
            continue
        seen_results += 1
        msg = rec["msg"]
        case = {"definition": str(msg.get("definition", "")), "case": str(msg.get("case", "")),
                "result": str(msg.get("result", ""))}
        if msg.get("set"):
            case["set"] = str(msg["set"])
        if "measurement" in msg:
            case["measurement"] = float(msg["measurement"])
            if msg.get("units"):
                case["units"] = str(msg["units"])
        cases.append(case)
        if case["definition"] == "lava" and case["case"] == "job":
            job = {"result": case["result"]}
            for k in ("error_type", "error_msg"):
                if msg.get(k):
                    job[k] = str(msg[k])
    if not seen_results:
        raise pr.bad_input(path, "no 'lvl: results' record in the log", "the job did not run: see the log itself")
    if job is None:
        raise pr.bad_input(path, "the log has no job result (lava/job): the job was cut short",
                           "see the end of the log")
    return {"schema": LAVA_SCHEMA, "job": job, "cases": cases}


def definition_cases(doc, family):
    """{case: record} of the definition N_FAMILY (LAVA prefixes the index)."""
    pat = re.compile(r"^\d+_%s$" % re.escape(family))
    return {c["case"]: c for c in doc["cases"] if pat.match(c["definition"])}


def _same(a, b):
    return a == b or (math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 1e-9 * max(abs(a), abs(b)))


def compare(lava, want, family, where):
    """Problems: cases of FAMILY in LAVA that differ from WANT ({name: (result, measurement, units)})."""
    problems = []
    got = {k: v for k, v in definition_cases(lava, family).items() if k != RUN_CASE}
    if not got:
        return ["%s: LAVA recorded no case of the %s definition" % (where, family)]
    for name, (result, meas, units) in sorted(want.items()):
        c = got.get(name)
        if c is None:
            problems.append("%s: %s: LAVA has no case for it (want %s)" % (where, name, result))
            continue
        if c["result"] != result:
            problems.append("%s: %s: LAVA says %s, the suite %s" % (where, name, c["result"], result))
        if meas is not None:
            if "measurement" not in c:
                problems.append("%s: %s: LAVA has no measurement (the suite: %s %s)" % (where, name, number(meas), units))
            elif not _same(c["measurement"], float(number(meas))):
                problems.append("%s: %s: LAVA measured %s, the suite %s" % (where, name, number(c["measurement"]),
                                                                          number(meas)))
            elif c.get("units") != units:
                problems.append("%s: %s: LAVA's units %s, the suite's %s" % (where, name, c.get("units"), units))
    for name in sorted(set(got) - set(want)):
        problems.append("%s: %s: LAVA has a case the suite's file does not" % (where, name))
    return problems


def expected(lines_of, doc, source):
    """{case: (result, measurement, units)} that result_lines gives for DOC."""
    out = Lines(source)
    lines_of(out, doc)
    want = {}
    for line in out.lines:
        f = line.split()
        want[f[0]] = (f[1], float(f[2]) if len(f) > 2 else None, f[3] if len(f) > 3 else None)
    return want


def disagreements(lava, checks):
    """CHECKS: [(family, kind, doc, path)], kind "conformance" or "bench"."""
    problems = []
    if lava["job"]["result"] != "pass":
        problems.append("LAVA job result: %s %s" % (lava["job"]["result"], lava["job"].get("error_msg", "")))
    for family, kind, doc, path in checks:
        lines_of = {"conformance": conformance_lines, "bench": bench_lines, "probe": probe_lines}[kind]
        problems += compare(lava, expected(lines_of, doc, path), family, "%s vs %s" % (family, path))
    return problems
