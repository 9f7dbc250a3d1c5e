"""Prints the CloudFormation template a deploy of template.yaml creates for given parameters.

Usage: .venv/bin/python scripts/render-template.py [--template PATH] NAME=VALUE ... > rendered.json

It does what CloudFormation does with those parameter values before it creates anything: evaluates
the template's conditions, resolves each Fn::If on them and each Ref to a parameter in the
resources (what the AWS::LanguageExtensions transform does here, as SAM CLI's own port of it does
too; SAM's Globals section is left as it is), leaves out the resources and outputs whose
condition is false, and applies the SAM transform. Code locations become placeholder S3 URIs, as
`sam package` would make them.

Lint the output with cfn-lint to check what each mode really deploys: cfn-lint on template.yaml
sees SAM resources only through SAM's schemas, and `sam validate` transforms only the defaults.
"""

import json
import os
import sys
from pathlib import Path

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

TEMPLATE = Path(__file__).resolve().parent.parent / "template.yaml"
# SAM needs a region to name ARNs; any will do, the output is for checking, never for deploying.
REGION = "us-east-1"
NO_VALUE = {"Ref": "AWS::NoValue"}


class NoManagedPolicies:
    """The template names no AWS managed policy by name, so SAM needs no lookup in IAM."""

    def load(self):
        return {}


def fail(message):
    sys.exit(f"render-template: {message}")


def parameter_values(template, assignments):
    declared = template.get("Parameters", {})
    values = {}
    for assignment in assignments:
        name, separator, value = assignment.partition("=")
        if not separator or name not in declared:
            fail(f"{assignment!r} is not NAME=VALUE for a template parameter")
        values[name] = value
    for name, spec in declared.items():
        value = values.get(name, spec.get("Default"))
        if value is None:
            fail(f"parameter {name} has no default; give {name}=VALUE")
        values[name] = str(value).split(",") if spec.get("Type") == "CommaDelimitedList" else value
    return values


def evaluate(expression, parameters, conditions):
    """The value of a condition expression; only the functions template.yaml uses."""
    if not isinstance(expression, dict):
        return expression
    [(function, argument)] = expression.items()
    if function == "Ref":
        return parameters[argument]
    if function == "Condition":
        return evaluate(conditions[argument], parameters, conditions)
    if function == "Fn::Join":
        separator, items = argument
        return separator.join(evaluate(items, parameters, conditions))
    values = [evaluate(item, parameters, conditions) for item in argument]
    if function == "Fn::Equals":
        return values[0] == values[1]
    if function == "Fn::Not":
        return not values[0]
    if function == "Fn::And":
        return all(values)
    if function == "Fn::Or":
        return any(values)
    fail(f"cannot evaluate {function} in a condition")


def resolve(value, known, parameters):
    """Replaces each Fn::If by its chosen branch, drops what resolves to AWS::NoValue, and puts
    each parameter's value in place of a Ref to it."""
    if isinstance(value, dict):
        if set(value) == {"Fn::If"}:
            condition, if_true, if_false = value["Fn::If"]
            return resolve(if_true if known[condition] else if_false, known, parameters)
        if set(value) == {"Ref"} and value["Ref"] in parameters:
            return parameters[value["Ref"]]
        resolved = {key: resolve(item, known, parameters) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item != NO_VALUE}
    if isinstance(value, list):
        resolved = [resolve(item, known, parameters) for item in value]
        return [item for item in resolved if item != NO_VALUE]
    return value


def main():
    arguments = sys.argv[1:]
    path = TEMPLATE
    if arguments[:1] == ["--template"]:
        if len(arguments) < 2:
            fail("--template needs a path")
        path, arguments = Path(arguments[1]), arguments[2:]
    template = yaml_parse(path.read_text())
    parameters = parameter_values(template, arguments)
    conditions = template.pop("Conditions", {})
    known = {name: evaluate(expression, parameters, conditions) for name, expression in conditions.items()}
    resources = {}
    for name, resource in template["Resources"].items():
        if not known.get(resource.pop("Condition", None), True):
            continue
        # The source template's lint exceptions are for SAM's schemas; the output is linted whole.
        resource.get("Metadata", {}).pop("cfn-lint", None)
        for key in ("CodeUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = f"s3://artifacts/{name}.zip"
        resources[name] = resource
    template["Resources"] = resources
    template["Outputs"] = {
        name: output
        for name, output in template.get("Outputs", {}).items()
        if known.get(output.pop("Condition", None), True)
    }
    for section in ("Globals", "Outputs"):
        if section in template:
            template[section] = resolve(template[section], known, {})
    template["Resources"] = resolve(template["Resources"], known, parameters)
    template["Transform"] = "AWS::Serverless-2016-10-31"
    # The values given become the defaults, so a linter checks what this deploy would use.
    for name, spec in template.get("Parameters", {}).items():
        spec["Default"] = ",".join(value) if isinstance(value := parameters[name], list) else value
    # SAM reads the region from the AWS SDK's settings.
    os.environ["AWS_DEFAULT_REGION"] = REGION
    rendered = transform(template, parameters, NoManagedPolicies())
    json.dump(rendered, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
