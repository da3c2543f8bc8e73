#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Render LAVA device dictionaries and pfnsuite job templates, as a server would.

    render.py device --templates DIR [--templates DIR...] --device FILE.jinja2
                     [--job JOB.yaml] --output DEVICE.yaml
    render.py job TEMPLATE.yaml.jinja2 --device-type TYPE [--tests DIR] [--var KEY=VALUE...]
                  --output JOB.yaml
    render.py families --device-type TYPE [--tests DIR]

device: the device dictionary FILE (it extends a device-type template such
as qemu.jinja2 or x86.jinja2 from lava-server's device-types/) rendered the
way lava-server renders it (lava_scheduler_app: a Jinja2
SandboxedEnvironment, autoescape off, trim_blocks, over the devices and
device-types folders), with the job's "context:" as variables, which is
how a job's context reaches its device configuration on a server.

job: a job template rendered with the families of the device type, each
test definition under --tests (default lava-jobs/tests) whose
metadata.devices names TYPE, in the order of its "pfnsuite: order:" (the
test definition's own timeout in minutes is "pfnsuite: timeout:"); the
template sees them as `families` (name, path from the repository root,
timeout) plus every --var.  An undefined variable is an error.

families: print "order name path timeout" per family of TYPE.

Both outputs are checked to be YAML mappings and written only when whole.
Exit status: 0 written; 2 bad usage or input (a template or YAML that does
not parse, an undefined variable, a test definition without metadata);
3 the output cannot be written.
"""
import argparse
import glob
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "results", "tools"))
import pfnresults as pr  # noqa: E402


def load_yaml(path, what):
    import yaml
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except OSError as e:
        raise pr.bad_input(path, "cannot read: %s" % (e.strerror or e), "check the path")
    except yaml.YAMLError as e:
        raise pr.bad_input(path, "not YAML: %s" % str(e).replace("\n", " "), "fix the %s" % what)
    if not isinstance(doc, dict):
        raise pr.bad_input(path, "not a YAML mapping", "is it a %s?" % what)
    return doc


def families(tests, device_type):
    out = []
    for path in sorted(glob.glob(os.path.join(tests, "*", "*.yaml"))):
        doc = load_yaml(path, "test definition")
        meta, own = doc.get("metadata"), doc.get("pfnsuite") or {}
        if not isinstance(meta, dict) or meta.get("format") != "Lava-Test Test Definition 1.0" or not meta.get("name"):
            raise pr.bad_input(path, "no Lava-Test Test Definition 1.0 metadata with a name",
                               "see lava-jobs/README.md, Adding a family")
        if device_type not in (meta.get("devices") or []):
            continue
        try:
            order, timeout = int(own["order"]), int(own["timeout"])
        except (KeyError, TypeError, ValueError):
            raise pr.bad_input(path, "pfnsuite: order: and timeout: (minutes) must be whole numbers",
                               "see lava-jobs/README.md, Adding a family")
        out.append({"order": order, "name": meta["name"], "timeout": timeout,
                    "path": os.path.relpath(os.path.abspath(path), TOP)})
    out.sort(key=lambda f: (f["order"], f["name"]))
    names = [f["name"] for f in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise pr.bad_input(tests, "two test definitions are named %s" % dup[0], "LAVA needs unique names")
    return out


def render(loader_dirs, name, variables, what):
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment
    env = SandboxedEnvironment(loader=jinja2.FileSystemLoader(loader_dirs), autoescape=False,
                               trim_blocks=True, undefined=variables.pop("_undefined", jinja2.Undefined))
    try:
        return env.get_template(name).render(**variables)
    except jinja2.TemplateNotFound as e:
        raise pr.bad_input(name, "template %s not found in %s" % (e.name, ", ".join(loader_dirs)),
                           "is lava-server's device-types folder given with --templates?")
    except jinja2.TemplateError as e:
        raise pr.bad_input(name, "the %s does not render: %s" % (what, e), "fix the template or pass the variable")


def write_yaml(text, path, what):
    import yaml
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise pr.bad_input(path, "the rendered %s is not YAML: %s" % (what, str(e).replace("\n", " ")),
                           "fix the template")
    if not isinstance(doc, dict):
        raise pr.bad_input(path, "the rendered %s is not a YAML mapping" % what, "fix the template")
    try:
        pr.write_atomic(path, text)
    except OSError as e:
        raise pr.ToolError(pr.EXIT_INFRA, path, "cannot write: %s" % (e.strerror or e), "check the directory")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="render.py", description="Render LAVA device dictionaries and job templates.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("device")
    d.add_argument("--templates", action="append", required=True)
    d.add_argument("--device", required=True)
    d.add_argument("--job")
    d.add_argument("--output", required=True)
    j = sub.add_parser("job")
    j.add_argument("template")
    j.add_argument("--device-type", required=True)
    j.add_argument("--tests", default=os.path.join(TOP, "lava-jobs", "tests"))
    j.add_argument("--var", action="append", default=[])
    j.add_argument("--output", required=True)
    f = sub.add_parser("families")
    f.add_argument("--device-type", required=True)
    f.add_argument("--tests", default=os.path.join(TOP, "lava-jobs", "tests"))
    args = ap.parse_args(argv)
    try:
        if args.cmd == "families":
            for fam in families(args.tests, args.device_type):
                print("%(order)d %(name)s %(path)s %(timeout)d" % fam)
        elif args.cmd == "device":
            context = {}
            if args.job:
                context = load_yaml(args.job, "LAVA job").get("context") or {}
            dev = os.path.abspath(args.device)
            text = render([os.path.dirname(dev)] + args.templates, os.path.basename(dev), dict(context),
                          "device dictionary")
            write_yaml(text, args.output, "device configuration")
        else:
            import jinja2
            variables = {"_undefined": jinja2.StrictUndefined,
                         "families": families(args.tests, args.device_type), "device_type": args.device_type}
            for v in args.var:
                key, sep, value = v.partition("=")
                if not sep or not key:
                    raise pr.bad_input(None, "--var %s: want KEY=VALUE" % v, "e.g. --var kernel_url=file:///...")
                variables[key] = value
            tpl = os.path.abspath(args.template)
            text = render([os.path.dirname(tpl)], os.path.basename(tpl), variables, "job template")
            write_yaml(text, args.output, "job")
    except pr.ToolError as e:
        print("render.py: %s" % e, file=sys.stderr)
        return e.status
    return 0


if __name__ == "__main__":
    sys.exit(main())
