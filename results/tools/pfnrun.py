# SPDX-License-Identifier: GPL-2.0-only
"""A run as the results tools that read several files see it: every results
file of a run directory (or one file), validated against the schema, with
its metrics in one flat form and its conformance verdicts.

A metric is any object in a results file with the members of bench.json's
metrics (name, unit, direction, samples): bench.json's metrics,
kvm-bench.json's per-configuration metrics and those of any kind added
later (fio, DPDK) are found the same way, so compare, report and the
exports need no change for a new kind whose metrics use that form.  Each
gets a key unique in its run: the file's kind, the identifying members of
the objects around it (KEY_MEMBERS) and its name.
"""
import hashlib
import os

import pfnresults as pr

# Members of an object in a list that say which one it is (a kvm-bench
# configuration is path + align + window; a fio job its placement, rw and bs).
KEY_MEMBERS = ("path", "placement", "mode", "rw", "bs", "iodepth", "align", "window", "size", "queues",
               "pkt_size", "id")
METRIC_MEMBERS = ("name", "unit", "direction", "samples")
RUN_IDENTITY = ("kernel_release", "device", "bar_size", "accel", "target")


class Metric:
    """One metric of a run: key, kind, file, unit, direction (+1 higher is better, -1 lower), samples."""

    def __init__(self, key, kind, path, m, context):
        self.key, self.kind, self.path = key, kind, path
        self.name, self.unit = m["name"], m["unit"]
        self.direction = 1 if m["direction"] == "higher_is_better" else -1
        self.samples = list(m["samples"])
        self.raw, self.context = m, context

    def median(self):
        return pr.median(self.samples) if self.samples else None


def _label(obj):
    parts = []
    for k in KEY_MEMBERS:
        v = obj.get(k)
        if isinstance(v, (str, int)) and not isinstance(v, bool):
            parts.append("%s:%s" % (k, v))
    return "/".join(parts)


def find_metrics(doc, kind, path):
    """Every bench-form metric in DOC, keyed."""
    out = []

    def walk(node, prefix, context):
        if isinstance(node, dict):
            if all(k in node for k in METRIC_MEMBERS) and isinstance(node["samples"], list):
                key = "%s:%s" % (kind, "/".join(prefix + [node["name"]]) if prefix else node["name"])
                out.append(Metric(key, kind, path, node, context))
                return
            for k, v in node.items():
                walk(v, prefix, context)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, dict) and not all(k in v for k in METRIC_MEMBERS):
                    label = _label(v) or "#%d" % i
                    walk(v, prefix + [label], dict(context, **{k: v[k] for k in KEY_MEMBERS if k in v}))
                else:
                    walk(v, prefix, context)

    walk(doc, [], {})
    return out


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Run:
    """The results files of one run: a directory's own *.json files, or one file."""

    def __init__(self, where, schema, allow_invalid=False):
        self.where = where
        self.files = {}     # relative path -> (kind, doc)
        if os.path.isdir(where):
            # The directory's own files: a subdirectory (regress-*/, bar-16g/) is a run of its own.
            paths = sorted(os.path.join(where, n) for n in os.listdir(where)
                           if n.endswith(".json") and not n.startswith(".")
                           and os.path.isfile(os.path.join(where, n)))
            if not paths:
                raise pr.bad_input(where, "no results files (*.json) in this directory",
                                   "name a run directory (results/runs/<ts>) or a results file")
        elif os.path.exists(where):
            paths = [where]
        else:
            raise pr.bad_input(where, "no such file or directory", "check the path")
        for p in paths:
            doc = schema.read(p)
            kind = schema.identify(doc, p)
            if kind is None:
                if p == where:
                    raise pr.bad_input(p, "not a results file this schema knows (it knows %s)" % schema.describe(),
                                       "name a pfnsuite results file or run directory")
                continue
            problems = schema.problems(doc, kind)
            if problems and not allow_invalid:
                where_, what = problems[0]
                raise pr.bad_input(p, "not a valid %s: %s: %s%s" % (
                    schema.label(kind), where_, what,
                    " (and %d more problems)" % (len(problems) - 1) if len(problems) > 1 else ""),
                    "results/tools/validate %s lists every problem" % p)
            self.files[os.path.basename(p)] = (kind, doc)

    def of_kind(self, kind):
        return [(rel, doc) for rel, (k, doc) in sorted(self.files.items()) if k == kind]

    def first(self, kind):
        docs = self.of_kind(kind)
        return docs[0][1] if docs else None

    def metrics(self):
        """{key: Metric} over every file of the run."""
        out = {}
        count = {}
        for kind, _ in self.files.values():
            count[kind] = count.get(kind, 0) + 1
        for rel, (kind, doc) in sorted(self.files.items()):
            for m in find_metrics(doc, kind, rel):
                if count[kind] > 1:     # two files of one kind: the file names which
                    m.key = "%s:%s" % (rel, m.key)
                out.setdefault(m.key, m)
        return out

    def conformance(self):
        """{test id: test} over every conformance file."""
        out = {}
        for rel, doc in self.of_kind("conformance"):
            for t in doc["tests"]:
                out.setdefault(t["id"], t)
        return out

    def identity(self):
        """{what: value} that two comparable runs share: kernel, device, BAR size, accelerator."""
        ident = {}

        def put(key, value, source):
            if value not in (None, ""):
                ident.setdefault(key, (value, source))

        for rel, (kind, doc) in sorted(self.files.items()):
            if kind == "bench":
                md = doc["metadata"]
                put("kernel_release", md.get("kernel_release"), rel)
                dev = md.get("device") or {}
                put("device", "%s:%s" % (dev.get("vendor"), dev.get("device")) if dev.get("vendor") else None, rel)
                put("bar_size", dev.get("bar_size"), rel)
                put("accel", md.get("accel"), rel)
            elif kind == "kvm_bench":
                put("kernel_release", doc.get("kernel_release"), rel)
                put("device", (doc.get("device") or {}).get("id"), rel)
            elif kind == "metadata":
                k = doc.get("kernel") or {}
                put("kernel_release", k.get("release") if isinstance(k, dict) else None, rel)
            elif kind == "conformance":
                put("bar_size", (doc.get("config") or {}).get("target_bar_size"), rel)
        return ident

    def injection(self):
        """The test-only injection of a bench run in this run, or None."""
        for rel, doc in self.of_kind("bench"):
            inj = doc["metadata"].get("test_only_injection")
            if inj:
                return inj
        return None
