# SPDX-License-Identifier: GPL-2.0-only
"""What the results tools share: reading a results file (one-line errors),
telling which kind of results file it is, checking it against
results/schema/pfnsuite-results.schema.json plus what a schema cannot say,
writing an output without losing the old one, and the exit codes.

Exit codes (README.md "Exit codes"): 0 success; 1 the command ran and found
failures; 2 usage error or bad input; 3 infrastructure error.
"""
import fnmatch
import json
import math
import os
import re
import tempfile

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INFRA = 3

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.normpath(os.path.join(HERE, "..", "schema", "pfnsuite-results.schema.json"))
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ToolError(Exception):
    """One line for the user: "FILE: what is wrong (what to do)", and an exit status."""

    def __init__(self, status, path, what, todo):
        super().__init__(what)
        self.status, self.path, self.what, self.todo = status, path, what, todo

    def __str__(self):
        where = "%s: " % self.path if self.path else ""
        return "%s%s (%s)" % (where, self.what, self.todo)


def bad_input(path, what, todo):
    return ToolError(EXIT_BAD_INPUT, path, what, todo)


def _reject_constant(name):
    raise ValueError("%s is not valid JSON" % name)


def read_json(path, nonfinite=False):
    """The document in PATH; raise ToolError (bad input) saying what is wrong with it.
    NONFINITE: accept NaN and Infinity (Google Benchmark writes them), which JSON has not."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise bad_input(path, "cannot read: %s" % (e.strerror or e), "check the path and permissions")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_input(path, "not UTF-8 text", "is it a results file?")
    if not text.strip():
        raise bad_input(path, "empty file", "the step that writes it failed or was interrupted: run it again")
    try:
        return json.loads(text) if nonfinite else json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        # Cut short: the parser wanted more at the very end, or a string runs to the end.
        if e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string"):
            raise bad_input(path, "truncated: the JSON ends at line %d column %d before the document is "
                            "complete" % (e.lineno, e.colno),
                            "the step that writes it was interrupted: run it again")
        raise bad_input(path, "not JSON: line %d column %d: %s" % (e.lineno, e.colno, e.msg),
                        "is it a results file?")
    except ValueError as e:
        raise bad_input(path, "not JSON: %s" % e, "is it a results file?")
    except RecursionError:
        raise bad_input(path, "not JSON a results file can be: nested too deeply", "is it a results file?")


def write_atomic(path, text):
    """Write TEXT to PATH through a temporary file in the same directory and a
    rename: PATH is either its old self or the whole new text.  Raises OSError."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def json_path(parts):
    """["metrics", 3, "samples"] -> $.metrics[3].samples"""
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += "[%d]" % p
        elif IDENT.match(p):
            out += "." + p
        else:
            out += "[%s]" % json.dumps(p)
    return out


class Schema:
    """The results schema: its kinds of file and a validator for each."""

    def __init__(self, path=None):
        given = path is not None
        path = path or SCHEMA_PATH
        # A broken installed schema is the installation's fault; a broken --schema FILE the user's.
        status = EXIT_BAD_INPUT if given else EXIT_INFRA
        try:
            import jsonschema
        except ImportError:
            raise ToolError(EXIT_INFRA, None, "python3-jsonschema is missing",
                            "apt-get install python3-jsonschema, and run the tool with /usr/bin/python3")
        self._jsonschema = jsonschema
        try:
            doc = read_json(path)
        except ToolError as e:
            e.status, e.what = status, "the schema: " + e.what
            raise
        try:
            jsonschema.Draft202012Validator.check_schema(doc)
            self.kinds = doc["x-pfnsuite-kinds"]
            defs = doc["$defs"]
            self.validators = {}
            for kind in self.kinds:
                root = {"$schema": doc["$schema"], "$defs": defs, "$ref": "#/$defs/" + kind}
                self.validators[kind] = jsonschema.Draft202012Validator(root)
        except (jsonschema.SchemaError, KeyError, TypeError) as e:
            raise ToolError(status, path, "not a valid results schema: %s" % getattr(e, "message", repr(e)),
                            "restore results/schema from the suite's git tree")
        self.by_schema = {k["schema"]: name for name, k in self.kinds.items() if k.get("schema")}

    def describe(self):
        """The file kinds, for messages."""
        return ", ".join(", ".join(k["files"]) for k in self.kinds.values())

    def kind_by_name(self, path):
        """The kind PATH's file name says, or None."""
        base = os.path.basename(path)
        for kind, k in self.kinds.items():
            if any(fnmatch.fnmatchcase(base, pattern) for pattern in k["files"]):
                return kind
        return None

    def read(self, path, kind=None):
        """read_json() for a results file: NaN and Infinity only where the kind allows them."""
        kind = kind or self.kind_by_name(path)
        return read_json(path, nonfinite=bool(kind and self.kinds[kind].get("nonfinite_numbers")))

    def identify(self, doc, path):
        """The kind of DOC: by its "schema" member, else by PATH's file name; None if neither.
        Raises ToolError for a schema member this schema does not define."""
        if isinstance(doc, dict) and "schema" in doc:
            member = doc["schema"]
            if isinstance(member, str) and member in self.by_schema:
                return self.by_schema[member]
            raise bad_input(path, "unknown schema member %s: not a results file this schema defines "
                            "(it knows %s)" % (json.dumps(member), ", ".join(sorted(self.by_schema))),
                            "a file from another suite version needs that version's results/tools")
        return self.kind_by_name(path)

    def label(self, kind):
        """How messages name a kind: its schema member, else its file name."""
        k = self.kinds[kind]
        return k.get("schema") or k["files"][0]

    def problems(self, doc, kind):
        """[(json path, message)] of DOC as a KIND file, one per problem; [] when valid."""
        seen, out = set(), []
        errors = sorted(self.validators[kind].iter_errors(doc),
                        key=lambda e: ([(isinstance(p, str), p) for p in e.absolute_path], e.message))
        for e in errors:
            parts, what = _describe(self._jsonschema, e)
            item = (json_path(parts), what)
            if item not in seen:
                seen.add(item)
                out.append(item)
        if not out and kind in SEMANTIC:
            out = [(json_path(where), what) for where, what in SEMANTIC[kind](doc)]
        return out


def _short(value):
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(jsonschema, e):
    """(where, what): a schema error in words, with the rule it breaks (the schema's x-why)."""
    why = e.schema.get("x-why") if isinstance(e.schema, dict) else None
    if e.validator in ("anyOf", "oneOf"):
        # Say what is wrong inside the value when one alternative gets that far.
        deeper = [c for c in e.context if len(c.absolute_path) > len(e.absolute_path)]
        best = jsonschema.exceptions.best_match(deeper) if deeper else None
        if best is not None:
            return _describe(jsonschema, best)
        msg = "matches none of the allowed forms" if isinstance(e.instance, (dict, list)) else \
            "%s matches none of the allowed forms" % _short(e.instance)
    elif e.validator == "not":
        msg = "%s is not allowed here" % _short(e.instance)
    elif e.validator == "const":
        msg = "%s, but %s was expected" % (_short(e.instance), json.dumps(e.validator_value))
    else:
        # jsonschema quotes the whole value: keep a long one short.
        msg = e.message
        whole = repr(e.instance)
        if len(whole) > 60 and whole in msg:
            msg = msg.replace(whole, _short(e.instance))
    return list(e.absolute_path), "%s: %s" % (msg, why) if why else msg


# ---------------------------------------------------------------- what a schema cannot say
def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def _check_stats(m, where):
    s = m["samples"]
    if m["n"] != len(s):
        yield where + ["n"], "n is %d but there are %d samples" % (m["n"], len(s))
    for key, want in (("min", min(s)), ("max", max(s)), ("median", median(s))):
        if not _close(m[key], want):
            yield where + [key], "%s is %r but the samples give %r" % (key, m[key], want)


def _check_unique(items, key, where):
    seen = {}
    for i, item in enumerate(items):
        if item[key] in seen:
            yield where + [i, key], "duplicate %s %s (also %s)" % (
                key, json.dumps(item[key]), json_path(where + [seen[item[key]]]))
        seen.setdefault(item[key], i)


def check_bench(doc):
    for i, m in enumerate(doc["metrics"]):
        where = ["metrics", i]
        yield from _check_stats(m, where)
        if m["name"] != "%s.%s" % (m["benchmark"], m["quantity"]):
            yield where + ["name"], "name %s is not benchmark.quantity" % json.dumps(m["name"])
        parts = m["benchmark"].split("/")
        if parts[0] != m["group"] or parts[1] != m["path"]:
            yield where + ["benchmark"], "benchmark %s does not start with group/path %s/%s" % (
                json.dumps(m["benchmark"]), m["group"], m["path"])
        params = {k: int(v) for k, v in (p.split(":", 1) for p in parts[2:])}
        if params != m["params"]:
            yield where + ["params"], "params %s do not match the benchmark name" % json.dumps(m["params"])
    yield from _check_unique(doc["metrics"], "name", ["metrics"])
    seen = {}
    for where in [["skipped", i] for i in range(len(doc["skipped"]))] + \
            [["errors", i] for i in range(len(doc["errors"]))]:
        name = doc[where[0]][where[1]]["benchmark"]
        if name in seen:
            yield where + ["benchmark"], "%s is listed twice (also %s)" % (json.dumps(name), json_path(seen[name]))
        seen.setdefault(name, where)


def check_conformance(doc):
    counts = {"pass": 0, "fail": 0, "skip": 0, "xfail": 0}
    for t in doc["tests"]:
        counts[t["result"]] += 1
    yield from _check_unique(doc["tests"], "id", ["tests"])
    totals = doc["totals"]
    for key, result in (("pass", "pass"), ("fail", "fail"), ("skip", "skip"), ("findings", "xfail")):
        if totals[key] != counts[result]:
            yield ["totals", key], "%s is %d but %d tests have result %s" % (
                key, totals[key], counts[result], json.dumps(result))


def check_kvm_bench(doc):
    for c, cfg in enumerate(doc["configs"]):
        where = ["configs", c]
        for i, m in enumerate(cfg["metrics"]):
            yield from _check_stats(m, where + ["metrics", i])
        yield from _check_unique(cfg["metrics"], "name", where + ["metrics"])
        if cfg["vms_completed"] > cfg["repeat"]:
            yield where + ["vms_completed"], "%d VMs completed but only %d were to run" % (
                cfg["vms_completed"], cfg["repeat"])
        if cfg["path"] == "dmabuf" and cfg["status"] in ("ok", "pass") and not doc["dmabuf_memslot"]["available"]:
            yield where + ["status"], "a dma-buf configuration ran although dmabuf_memslot.available is false"


def check_kvm_revoke(doc):
    for i, x in enumerate(doc["experiments"]):
        if "writes_after_trigger" in x:
            want = max(0, x["seq_end_of_window"] - x["seq_after_trigger"] - 1)
            if x["writes_after_trigger"] != want:
                yield ["experiments", i, "writes_after_trigger"], \
                    "%d, but the sequence numbers give %d (end of window - after the trigger - 1)" % (
                        x["writes_after_trigger"], want)
        if x["status"] in ("ok", "pass", "finding") and not (
                x["seq_before"] <= x["seq_after_trigger"] <= x["seq_end_of_window"]):
            yield ["experiments", i], "the guest's sequence went backwards: before %d, after the trigger %d, " \
                "end of window %d" % (x["seq_before"], x["seq_after_trigger"], x["seq_end_of_window"])


def check_probe(doc):
    yield from _check_unique(doc["devices"], "bdf", ["devices"])
    for d, dev in enumerate(doc["devices"]):
        yield from _check_unique(dev["bars"], "index", ["devices", d, "bars"])
        for b, bar in enumerate(dev["bars"]):
            for key, opened in (("dmabuf_export", "iommufd_open"), ("iommufd_map_file", "iommufd_open"),
                                ("type1_map_vma", "type1_open")):
                if bar[key]["tried"] and not dev[opened]["supported"]:
                    yield ["devices", d, "bars", b, key, "tried"], \
                        "tried although the device did not open (%s)" % opened


def check_fio(doc):
    for i, m in enumerate(doc["metrics"]):
        where = ["metrics", i]
        yield from _check_stats(m, where)
        if m["name"] != "%s/%s.%s" % (m["workload"], m["config"], m["quantity"]):
            yield where + ["name"], "name %s is not workload/config.quantity" % json.dumps(m["name"])
    yield from _check_unique(doc["metrics"], "name", ["metrics"])
    yield from _check_unique(doc["configs"], "name", ["configs"])


SEMANTIC = {"fio": check_fio, "bench": check_bench, "conformance": check_conformance, "kvm_bench": check_kvm_bench,
            "kvm_revoke": check_kvm_revoke, "probe": check_probe}
