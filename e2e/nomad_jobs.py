"""Reading the Nomad job files the way Nomad does, for tests: HCL2 through python-hcl2 (an
independent parser), variable defaults substituted into `${var.x}`, heredocs dedented, and the
few consul-template constructs our templates use rendered (`env`, `range service`, `if eq/ne`)."""

import re
import textwrap
from pathlib import Path

import hcl2

NOMAD = Path(__file__).resolve().parent.parent / "nomad"


def unquote(value):
    """python-hcl2 keeps quotes and block markers; strip them so the structure reads plainly."""
    if isinstance(value, dict):
        return {unquote(key): unquote(item) for key, item in value.items() if key not in ("__is_block__", "__comments__")}
    if isinstance(value, list):
        return [unquote(item) for item in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\n", "\n")
    return value


def load(name):
    with open(NOMAD / name) as handle:
        return unquote(hcl2.load(handle))


def blocks(items, label=None):
    """The bodies of labelled blocks (`group "x" {...}` parses to [{"x": {...}}])."""
    found = {}
    for item in items or []:
        found.update(item)
    return found if label is None else found[label]


def defaults(document):
    return {name: body.get("default") for name, body in blocks(document["variable"]).items()}


def heredoc(text):
    match = re.match(r"^<<(-?)(\w+)\n(.*)\n\s*\2$", text, re.S)
    assert match, f"not a heredoc: {text[:40]!r}"
    body = match.group(3)
    return textwrap.dedent(body) + "\n" if match.group(1) == "-" else body + "\n"


def interpolate(text, variables):
    def value(match):
        name = match.group(1)
        assert name in variables, f"unknown variable {name}"
        item = variables[name]
        return str(item).lower() if isinstance(item, bool) else str(item)
    return re.sub(r"\$\{var\.(\w+)\}", value, text)


def render_template(text, env, services):
    """consul-template as our job files use it: env, range service (.Address/.Port), if eq/ne."""
    def ranged(match):
        body = match.group(2)
        return "".join(body.replace("{{ .Address }}", address).replace("{{ .Port }}", str(port))
                       for address, port in services.get(match.group(1), []))
    text = re.sub(r'\{\{ range service "([^"]+)" \}\}(.*?)\{\{ end \}\}', ranged, text, flags=re.S)
    text = re.sub(r'\(env "([^"]+)"\)', lambda m: '"' + env.get(m.group(1), "") + '"', text)

    def conditional(match):
        operator, left, right, yes, no = match.group(1), match.group(2), match.group(3), match.group(4), match.group(6) or ""
        holds = (left == right) if operator == "eq" else (left != right)
        return yes if holds else no
    text = re.sub(r'\{\{ if (eq|ne) "([^"]*)" "([^"]*)" \}\}(.*?)(\{\{ else \}\}(.*?))?\{\{ end \}\}', conditional, text, flags=re.S)
    text = re.sub(r'\{\{ env "([^"]+)" \}\}', lambda m: env[m.group(1)], text)
    assert "{{" not in text, f"unrendered template construct: {text[text.index('{{'):][:60]!r}"
    return text
