"""Checks templates rendered by scripts/render-template.py for what a deploy would only find late.

Usage:
  python scripts/check-rendered-template.py names RENDERED.json...
      Every name the stack gives an account-wide or Region-wide resource fits its limit for the
      longest stack name CloudFormation allows (128 characters) in the longest Region name, and
      two stacks cannot collide: CloudFront names differ between two stacks of the same name in
      two Regions, regional names between two stacks of different names in one Region.
  python scripts/check-rendered-template.py retained RENDERED.json...
      No resource outlives the stack (`sam delete` removes everything it created).
  python scripts/check-rendered-template.py new-versions BEFORE.json AFTER.json
      The published versions of AFTER are all new (different logical IDs), so a deploy of AFTER
      over BEFORE moves each alias to a version that runs with AFTER's settings.

Exits non-zero naming every finding.
"""

import json
import sys

# What CloudFormation and the services accept, per resource type: (path to the name or text,
# limit, scope). "global" names are account-wide (CloudFront); "regional" ones per account and Region.
NAME_LIMITS = {
    "AWS::CloudFront::OriginAccessControl": [(("OriginAccessControlConfig", "Name"), 64, "global")],
    "AWS::CloudFront::Function": [(("Name",), 64, "global")],
    "AWS::CloudFront::ResponseHeadersPolicy": [(("ResponseHeadersPolicyConfig", "Name"), 128, "global")],
    "AWS::CloudFront::Distribution": [(("DistributionConfig", "Comment"), 128, None)],
    "AWS::Lambda::LayerVersion": [(("LayerName",), 140, "regional")],
    "AWS::Lambda::Function": [(("FunctionName",), 64, "regional"), (("Description",), 256, None)],
    "AWS::Lambda::Version": [(("Description",), 256, None)],
    "AWS::Lambda::Alias": [(("Name",), 128, None)],
    "AWS::IAM::Role": [(("RoleName",), 64, "global")],
    "AWS::Logs::LogGroup": [(("LogGroupName",), 512, "regional")],
    "AWS::Logs::MetricFilter": [(("FilterName",), 512, None)],
    "AWS::SNS::Topic": [(("TopicName",), 256, "regional"), (("DisplayName",), 100, None)],
    "AWS::CloudWatch::Alarm": [(("AlarmName",), 255, "regional")],
    "AWS::CloudWatch::Dashboard": [(("DashboardName",), 255, "global")],
    "AWS::ApiGatewayV2::Api": [(("Name",), 128, None)],
}

# A stack name may be 128 characters: a letter, then letters, digits and hyphens.
LONGEST_STACK_NAME = "s" + "x" * 127
STACKS = {
    # Same name, two Regions: account-wide names must still differ.
    "a": (LONGEST_STACK_NAME, "ap-southeast-5", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
    "b": (LONGEST_STACK_NAME, "us-east-1", "11111111-2222-3333-4444-555555555555"),
    # Another name in the first Region: regional names must differ.
    "c": ("t" + "y" * 127, "ap-southeast-5", "66666666-7777-8888-9999-000000000000"),
}


class Unresolvable(Exception):
    pass


def pseudo_parameters(stack):
    name, region, uuid = stack
    account = "123456789012"
    return {
        "AWS::StackName": name,
        "AWS::Region": region,
        "AWS::AccountId": account,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackId": f"arn:aws:cloudformation:{region}:{account}:stack/{name}/{uuid}",
    }


def resolve(value, names):
    """The string CloudFormation makes of a name, or Unresolvable for what depends on resources."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        raise Unresolvable(repr(value))
    [(function, argument)] = value.items()
    if function == "Ref":
        if argument in names:
            return names[argument]
        raise Unresolvable(argument)
    if function == "Fn::Sub":
        template, variables = (argument, {}) if isinstance(argument, str) else argument
        local = dict(names)
        local.update({key: resolve(item, names) for key, item in variables.items()})
        out, rest = "", template
        while "${" in rest:
            before, _, after = rest.partition("${")
            key, _, rest = after.partition("}")
            if key not in local:
                raise Unresolvable(key)
            out += before + local[key]
        return out + rest
    if function == "Fn::Join":
        separator, items = argument
        return separator.join(resolve(item, names) for item in items)
    if function == "Fn::Select":
        index, items = argument
        items = resolve_list(items, names)
        return items[int(index)]
    raise Unresolvable(function)


def resolve_list(value, names):
    if isinstance(value, list):
        return [resolve(item, names) for item in value]
    if isinstance(value, dict) and list(value) == ["Fn::Split"]:
        separator, source = value["Fn::Split"]
        return resolve(source, names).split(separator)
    raise Unresolvable(repr(value))


def dig(properties, path):
    for key in path:
        if not isinstance(properties, dict) or key not in properties:
            return None
        properties = properties[key]
    return properties


def check_names(paths):
    findings = []
    for path in paths:
        template = json.load(open(path))
        parameters = {
            name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()
        }
        for logical_id, resource in template["Resources"].items():
            for name_path, limit, scope in NAME_LIMITS.get(resource["Type"], []):
                expression = dig(resource.get("Properties", {}), name_path)
                if expression is None:
                    continue
                where = f"{path}: {logical_id}.{'.'.join(name_path)}"
                try:
                    values = {
                        key: resolve(expression, {**parameters, **pseudo_parameters(stack)})
                        for key, stack in STACKS.items()
                    }
                except Unresolvable as unknown:
                    findings.append(f"{where}: cannot tell its length (depends on {unknown})")
                    continue
                longest = max(values.values(), key=len)
                if len(longest) > limit:
                    findings.append(f"{where}: {len(longest)} characters, over the limit of {limit}: {longest}")
                if scope == "global" and values["a"] == values["b"]:
                    findings.append(f"{where}: the same for one stack name in two Regions: {values['a']}")
                if scope in ("global", "regional") and values["a"] == values["c"]:
                    findings.append(f"{where}: the same for two stacks in one Region: {values['a']}")
                print(f"  {logical_id}.{'.'.join(name_path)}: {len(longest)}/{limit} characters")
    return findings


def check_retained(paths):
    findings = []
    for path in paths:
        template = json.load(open(path))
        for logical_id, resource in template["Resources"].items():
            for policy in ("DeletionPolicy", "UpdateReplacePolicy"):
                if resource.get(policy) in ("Retain", "RetainExceptOnCreate"):
                    findings.append(f"{path}: {logical_id} ({resource['Type']}) has {policy}: {resource[policy]}")
            if resource["Type"] == "AWS::Lambda::LayerVersion" and resource.get("DeletionPolicy") != "Delete":
                findings.append(f"{path}: {logical_id} is a layer version without DeletionPolicy: Delete")
    return findings


def versions(path):
    template = json.load(open(path))
    return {
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Version"
    }


def check_new_versions(before, after):
    old, new = versions(before), versions(after)
    if not new:
        return [f"{after}: no published version at all"]
    kept = sorted(old & new)
    return [f"{after}: version {logical_id} is the one of {before}, so its alias would not move" for logical_id in kept]


def main(arguments):
    if len(arguments) < 2:
        sys.exit(__doc__)
    command, paths = arguments[0], arguments[1:]
    if command == "names":
        findings = check_names(paths)
    elif command == "retained":
        findings = check_retained(paths)
    elif command == "new-versions" and len(paths) == 2:
        findings = check_new_versions(*paths)
    else:
        sys.exit(__doc__)
    for finding in findings:
        print(f"FAIL {finding}", file=sys.stderr)
    if findings:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
