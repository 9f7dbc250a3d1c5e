"""Holds the metric filters of template.yaml against log lines the compiled functions really wrote.

Usage: python scripts/check-log-patterns.py SAMPLES_DIR

SAMPLES_DIR holds JSON-lines files written by the binary tests, named after what happened while
they were written: `<function>.<situation>.jsonl`. For each AWS::Logs::MetricFilter in the
template, the table below says which situation it must see and which it must not: the filter's
pattern has to select at least one line of every sample it must see, and no line of any sample
it must not. The pattern is read from template.yaml itself and evaluated the way CloudWatch Logs
evaluates JSON filter patterns, for the forms this template uses (a selector compared with = or
!= to a string, possibly with * wildcards, or a number; terms joined by && or ||); any other form
is an error, so a new kind of pattern cannot pass unread.
"""

import json
import re
import sys
from fnmatch import fnmatchcase
from pathlib import Path

from samcli.yamlhelper import yaml_parse

TEMPLATE = Path(__file__).resolve().parent.parent / "template.yaml"

# Metric filter -> (samples whose lines it must count, samples it must not count a line of). The
# API functions' key-fetch lines come from api_startup::serve and the key cache, the same in every
# API function, so both functions' filters are held against the lines of the one function
# api-startup's tests run (roles-echo).
EXPECTATIONS = {
    "GetRolesKeyFetchFailures": (["roles-echo.key-fetch-failed"], ["roles-echo.key-fetch-succeeded"]),
    "GetRoleDataKeyFetchFailures": (["roles-echo.key-fetch-failed"], ["roles-echo.key-fetch-succeeded"]),
    "GetRolesKeyFetches": (["roles-echo.key-fetch-succeeded"], ["roles-echo.key-fetch-failed"]),
    "GetRoleDataKeyFetches": (["roles-echo.key-fetch-succeeded"], ["roles-echo.key-fetch-failed"]),
    "FrontendPublisherErrorLines": (["frontend-publisher.publish-failed"], ["frontend-publisher.publish-succeeded"]),
}

TERM = re.compile(r'\s*\$\.([A-Za-z0-9_.]+)\s*(=|!=)\s*("(?:[^"\\]|\\.)*"|-?[0-9.]+)\s*')


def parse(pattern):
    """[[term, ...], ...]: alternatives (||) of conjunctions (&&) of (path, operator, value)."""
    body = pattern.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise ValueError(f"not a JSON filter pattern: {pattern}")
    alternatives = []
    for alternative in body[1:-1].split("||"):
        conjunction = []
        for term in alternative.split("&&"):
            match = TERM.fullmatch(term)
            if not match:
                raise ValueError(f"a term this check cannot evaluate: {term.strip()!r} in {pattern}")
            path, operator, value = match.groups()
            conjunction.append((path.split("."), operator, json.loads(value)))
        alternatives.append(conjunction)
    return alternatives


def selected(line, alternatives):
    def holds(path, operator, expected):
        value = line
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return False  # CloudWatch: a missing field matches neither = nor !=
            value = value[key]
        if isinstance(expected, str):
            equal = isinstance(value, str) and fnmatchcase(value, expected)
        else:
            equal = isinstance(value, (int, float)) and value == expected
        return equal if operator == "=" else not equal

    return any(all(holds(*term) for term in conjunction) for conjunction in alternatives)


def lines(path):
    out = []
    for text in path.read_text().splitlines():
        try:
            out.append(json.loads(text))
        except json.JSONDecodeError:
            pass  # not a JSON line: CloudWatch's JSON patterns never select it either
    return out


def main(samples_dir):
    samples = {path.name.removesuffix(".jsonl"): lines(path) for path in Path(samples_dir).glob("*.jsonl")}
    template = yaml_parse(TEMPLATE.read_text())
    filters = {
        name: resource["Properties"]["FilterPattern"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Logs::MetricFilter"
    }
    failures = []
    if set(filters) != set(EXPECTATIONS):
        failures.append(f"template's metric filters {sorted(filters)} are not the checked ones {sorted(EXPECTATIONS)}")
    for name, pattern in sorted(filters.items()):
        must, must_not = EXPECTATIONS.get(name, ([], []))
        alternatives = parse(pattern)
        for sample in must + must_not:
            if sample not in samples:
                failures.append(f"{name}: no sample {sample}.jsonl in {samples_dir}")
                continue
            count = sum(selected(line, alternatives) for line in samples[sample])
            wanted = sample in must
            if wanted and count == 0:
                failures.append(f"{name} ({pattern}) selects none of the {len(samples[sample])} lines of {sample}")
            elif not wanted and count:
                failures.append(f"{name} ({pattern}) selects {count} lines of {sample}, which it must not")
            else:
                print(f"{name}: {count} of {len(samples[sample])} lines of {sample}")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
