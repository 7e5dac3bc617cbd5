#!/usr/bin/env python3
"""Checks captured adapter requests against the platforms' official contracts.

Usage: python3 Tests/contracts/check_contracts.py <payload folder> <contracts folder>

The payload folder holds one JSON file per captured request, named `<platform>-<case>.json`
(platform: pinterest, google, meta), each an envelope:

    {"method": "POST", "path": "/catalogs/items/batch", "query": {"ad_account_id": "549"}, "body": {...}}

`path` is relative to the API root (https://api.pinterest.com/v5, https://merchantapi.googleapis.com,
https://graph.facebook.com/vXX.X); `body` is the parsed JSON body or null.

The contracts folder is /work/shared/real/contracts (see its SOURCES.md): pinterest-openapi-v5.yaml,
google-merchantapi-products-v1-discovery.json and meta-graph-api-specs/.

Prints one line per file, `<file>: ok (...)` or `<file>: VIOLATION ...` (one line per violation), and
exits 1 when any file has a violation, 2 on a usage error or a missing Python package.

Needs: pip install openapi-schema-validator jsonschema pyyaml
"""

import json
import os
import re
import sys

try:
    import yaml
    import jsonschema
    from openapi_schema_validator import OAS30WriteValidator, oas30_format_checker
except ImportError as error:  # the Swift test looks for this exact text to skip
    print(f"missing Python package ({error.name}): pip install openapi-schema-validator jsonschema pyyaml")
    sys.exit(2)


def leaves(errors):
    """The innermost errors under oneOf/anyOf failures, one per location, without a branch that failed only
    for lacking its discriminator (so the variant that was meant is the one reported)."""
    found = {}

    def walk(error):
        if error.context:
            for child in error.context:
                walk(child)
        else:
            found.setdefault(tuple(error.absolute_path), error)
    for error in errors:
        walk(error)
    useful = [e for e in found.values() if "does not contain discriminating property" not in e.message]
    return useful or list(found.values())


def describe(error):
    """A jsonschema error as `at <path>: <message>`."""
    where = "/".join(str(part) for part in error.absolute_path) or "(body)"
    message = error.message if len(error.message) < 300 else error.message[:300] + "…"
    return f"at {where}: {message}"


# ---------------------------------------------------------------------------------------------------
# Prices, shared by Pinterest and Meta: "<amount> <ISO 4217 code>".
#
# Pinterest's OpenAPI allows a bare "24.99" (its description: "If the currency is not included, we
# default to US dollars"), so a bare amount validates against the schema yet is a wrong price for any
# shop that does not sell in USD: we require the currency. Meta's feed reference: "cost, followed by the
# ISO 4217 currency code, with a space". The amount may not have more decimals than the currency has
# (ISO 4217 minor units: 0 for the currencies below, 3 for the 3-decimal ones, otherwise 2).
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
                "VUV", "XAF", "XOF", "XPF"}
THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
PRICE = re.compile(r"^(\d+)(?:\.(\d+))? ([A-Z]{3})$")


def price_problem(text):
    """None when `text` is "<amount> <ISO 4217 code>", else why not."""
    if not isinstance(text, str):
        return f"{text!r} is not a string"
    match = PRICE.match(text)
    if not match:
        return f"{text!r} is not \"<amount> <ISO 4217 code>\" (e.g. \"199.00 SEK\")"
    decimals, code = len(match.group(2) or ""), match.group(3)
    allowed = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    if decimals > allowed:
        return f"{text!r} has {decimals} decimals, {code} has {allowed}"
    return None


# An ISO 8601 date-time as our feeds and both platforms write it (seconds optional).
ISO_DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})"
ISO_INTERVAL = re.compile(rf"^{ISO_DATETIME}/{ISO_DATETIME}$")


# ---------------------------------------------------------------------------------------------------
# Pinterest: the requestBody of POST /catalogs/items/batch in the OpenAPI 3.0.3 description.
class Pinterest:
    def __init__(self, contracts):
        with open(os.path.join(contracts, "pinterest-openapi-v5.yaml")) as file:
            # The C loader when PyYAML has it: the pure-Python one takes ~15 s on this 3 MB file.
            self.spec = yaml.load(file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self.schemas = self.spec["components"]["schemas"]
        operation = self.spec["paths"]["/catalogs/items/batch"]["post"]
        body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
        # `#/components/...` references resolve against the root of the schema we validate with.
        self.validator = OAS30WriteValidator({**body_schema, "components": self.spec["components"]},
                                             format_checker=oas30_format_checker)
        # Every attribute name ItemAttributesRequest declares (through allOf and $ref).
        self.attribute_names = set()
        self.collect_properties(self.schemas["ItemAttributesRequest"], self.attribute_names)
        attributes = self.schemas["UpdatableItemAttributes"]["properties"]
        # Values the schema lists only in descriptions ("Must be one of the following values (upper or
        # lowercased): 'in stock', 'out of stock', 'preorder'"): read from there, not retyped.
        self.allowed = {name: self.quoted_values(attributes[name]["description"])
                        for name in ("availability", "condition")}

    def resolve(self, schema):
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].split("/")[-1]]
        return schema

    def collect_properties(self, schema, names):
        schema = self.resolve(schema)
        names.update(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            self.collect_properties(part, names)

    @staticmethod
    def quoted_values(description):
        return {value.lower() for value in re.findall(r"[‘'’]([^‘'’]+)[’']", description)}

    def variant_matches(self, body):
        """The CatalogsItemsBatchRequest variants `body` is valid against when the discriminator is ignored."""
        legacy = self.schemas["CatalogsItemsBatchRequest"]
        matches = []
        for variant in legacy["oneOf"]:
            name = variant["$ref"].split("/")[-1]
            validator = OAS30WriteValidator({"$ref": variant["$ref"], "components": self.spec["components"]},
                                            format_checker=oas30_format_checker)
            if validator.is_valid(body):
                matches.append(name.replace("CatalogsItems", "").replace("BatchRequest", ""))
        return matches

    def check(self, request):
        problems = []
        if request.get("method") != "POST" or request.get("path") != "/catalogs/items/batch":
            return [f"request is {request.get('method')} {request.get('path')}, "
                    "the contract checked is POST /catalogs/items/batch"], ""
        body = request.get("body")
        # 1. The whole requestBody schema. Its top-level oneOf (CatalogsVerticalBatchRequest |
        #    CatalogsItemsBatchRequest) has no discriminator; each branch has one (catalog_type, operation),
        #    which openapi-schema-validator follows, so exactly one variant is checked per branch.
        problems += [describe(error) for error in leaves(self.validator.iter_errors(body))]
        # 2. Beyond the schema: attribute names it does not declare (ItemAttributesRequest allows any),
        #    values its descriptions enumerate, and prices with their currency.
        items = body.get("items", []) if isinstance(body, dict) else []
        for index, item in enumerate(items if isinstance(items, list) else []):
            attributes = item.get("attributes") if isinstance(item, dict) else None
            if not isinstance(attributes, dict):
                continue
            for name, value in attributes.items():
                where = f"at items/{index}/attributes/{name}"
                if name not in self.attribute_names:
                    problems.append(f"{where}: not an attribute of ItemAttributesRequest")
                if value is None:
                    continue  # null clears a nullable attribute; the schema checked nullability
                if name in self.allowed and str(value).lower() not in self.allowed[name]:
                    problems.append(f"{where}: {value!r} is not one of {sorted(self.allowed[name])}")
                if name in ("price", "sale_price") and (problem := price_problem(value)):
                    problems.append(f"{where}: {problem} (the spec defaults a bare amount to USD)")
                if name == "sale_price_effective_date" and not ISO_INTERVAL.match(str(value)):
                    problems.append(f"{where}: {value!r} is not <start>/<end> in ISO 8601")
        # 3. Honesty about oneOf: which variant the discriminator chose, and which would match without it.
        operation = body.get("operation") if isinstance(body, dict) else None
        mapping = self.schemas["CatalogsItemsBatchRequest"]["discriminator"]["mapping"]
        chosen = mapping.get(operation, "none").split("/")[-1]
        matches = self.variant_matches(body) if isinstance(body, dict) else []
        note = (f"{chosen} via discriminator operation={operation}; "
                f"plain oneOf would match {len(matches)} of 5: {', '.join(matches) or 'none'}")
        return problems, note


# ---------------------------------------------------------------------------------------------------
# Google: Merchant API products v1, from its discovery document.
class Google:
    def __init__(self, contracts):
        with open(os.path.join(contracts, "google-merchantapi-products-v1-discovery.json")) as file:
            self.discovery = json.load(file)
        self.methods = self.discovery["resources"]["accounts"]["resources"]["productInputs"]["methods"]
        definitions = {name: self.json_schema(schema) for name, schema in self.discovery["schemas"].items()}
        request = self.methods["insert"]["request"]["$ref"]
        self.validator = jsonschema.Draft202012Validator(
            {"$ref": f"#/$defs/{request}", "$defs": definitions},
            format_checker=jsonschema.FormatChecker())

    @classmethod
    def json_schema(cls, schema):
        """The discovery dialect as JSON Schema.

        - `$ref: "Price"` → `#/$defs/Price`; `type`, `items`, `enum` as they are.
        - `properties` → `additionalProperties: false`: the API rejects unknown field names.
        - `format: int64`/`uint64` → a JSON string of digits (proto3 JSON); `int32` stays a number.
        - `format: google-datetime` → RFC 3339 with `Z` or an offset.
        - `readOnly` ("Output only") → must not be sent.
        - a description starting "Required." → required.
        """
        if "$ref" in schema:
            return {"$ref": f"#/$defs/{schema['$ref']}"}
        result = {}
        kind = schema.get("type")
        if kind == "any":
            return {}
        if kind:
            result["type"] = kind
        if "enum" in schema:
            result["enum"] = schema["enum"]
        form = schema.get("format")
        if kind == "string" and form in ("int64", "uint64"):
            result["pattern"] = r"^-?\d+$" if form == "int64" else r"^\d+$"
        if kind == "string" and form == "google-datetime":
            result["pattern"] = rf"^{ISO_DATETIME}$"
        if "items" in schema:
            result["items"] = cls.json_schema(schema["items"])
        if "properties" in schema:
            properties = {}
            required = []
            for name, child in schema["properties"].items():
                converted = cls.json_schema(child)
                if child.get("readOnly"):
                    converted = {"not": {}, "description": "output only"}
                if child.get("description", "").startswith("Required."):
                    required.append(name)
                properties[name] = converted
            result["properties"] = properties
            result["additionalProperties"] = False
            if required:
                result["required"] = required
        elif "additionalProperties" in schema:
            result["additionalProperties"] = cls.json_schema(schema["additionalProperties"])
        return result

    def check(self, request):
        method, path = request.get("method"), request.get("path", "")
        query = request.get("query") or {}
        problems = []
        if method == "POST" and re.fullmatch(r"/products/v1/accounts/[^/]+/productInputs:insert", path):
            problems += [describe(error) for error in self.validator.iter_errors(request.get("body"))]
            note = "ProductInput of productInputs.insert"
        elif method == "DELETE" and re.fullmatch(r"/products/v1/accounts/[^/]+/productInputs/[^/]+", path):
            # {productInputsId}: contentLanguage~feedLabel~offerId, or its unpadded base64url.
            segment = path.rsplit("/", 1)[1]
            if not (re.fullmatch(r"[^~]+~[^~]+~[^~]+", segment) or re.fullmatch(r"[A-Za-z0-9_-]+", segment)):
                problems.append(f"at path: {segment!r} is not contentLanguage~feedLabel~offerId or base64url")
            if request.get("body") is not None:
                problems.append("at body: productInputs.delete takes no request body")
            note = "productInputs.delete"
        else:
            return [f"request is {method} {path}: not productInputs.insert or productInputs.delete"], ""
        # dataSource: the method descriptions say "Required." for insert and delete.
        data_source = query.get("dataSource")
        if not data_source or not re.fullmatch(r"accounts/[^/]+/dataSources/[^/]+", data_source):
            problems.append(f"at query/dataSource: {data_source!r} is not accounts/{{account}}/dataSources/{{id}}")
        unknown = set(query) - set(self.methods["insert" if method == "POST" else "delete"]["parameters"])
        if unknown:
            problems.append(f"at query: unknown parameters {sorted(unknown)}")
        return problems, note


# ---------------------------------------------------------------------------------------------------
# Meta: POST /{catalog_id}/items_batch, from the SDK codegen specs.
#
# Feed field names that items_batch accepts in `requests[].data` but that are not ProductItem (read)
# field names, with the ProductItem field each one fills. Source: "Supported fields" of
# https://developers.facebook.com/docs/marketing-api/catalog-batch/reference (items_batch) and the
# product feed specification, which items_batch uses.
FEED_NAMES = {
    "id": ("retailer_id", "the retailer's item id; ProductItem.id is Meta's own id, items_batch's id is ours"),
    "title": ("name", "the item's title"),
    "link": ("url", "the item's page"),
    "image_link": ("image_url", "the main image"),
    "additional_image_link": ("additional_image_urls", "more images"),
    "item_group_id": ("retailer_product_group_id", "the variant group"),
    "mpn": ("manufacturer_part_number", "manufacturer part number"),
    "google_product_category": ("category", "Google product category (path or id)"),
    "sale_price_effective_date": ("sale_price_start_date", "<start>/<end> in ISO 8601: fills both dates"),
}
# `requests[].method` values: the codegen spec types `requests` as a bare `map`, so these come from the
# items_batch guide ("requests.method: CREATE, UPDATE, DELETE").
METHODS = {"CREATE", "UPDATE", "DELETE"}
# Fields the reference and the product feed specification mark "Required": a CREATE must carry them and
# an UPDATE may not unset them with "" (the reference allows "" only "to unset an optional field").
# brand is required too, but gtin or mpn may stand in for it, so it is not enforced here.
REQUIRED = {"id", "title", "description", "availability", "condition", "price", "link", "image_link"}
# Codegen scalar types → JSON types.
JSON_TYPES = {"string": str, "int": int, "unsigned int": int, "float": (int, float), "bool": bool}


class Meta:
    def __init__(self, contracts):
        folder = os.path.join(contracts, "meta-graph-api-specs")
        with open(os.path.join(folder, "ProductCatalog.json")) as file:
            catalog = json.load(file)
        with open(os.path.join(folder, "ProductItem.json")) as file:
            item = json.load(file)
        with open(os.path.join(folder, "enum_types.json")) as file:
            self.enums = {enum["name"]: enum["values"] for enum in json.load(file)}
        api = next(api for api in catalog["apis"] if api.get("endpoint") == "items_batch" and api["method"] == "POST")
        self.params = {param["name"]: param for param in api["params"]}
        self.fields = {field["name"]: field["type"] for field in item["fields"]}
        for feed, (field, _) in FEED_NAMES.items():
            self.fields.setdefault(feed, self.fields[field])

    @staticmethod
    def normalized(value):
        """Enum values as Meta writes them both ways: `in stock`, `IN_STOCK`, `in_stock` compare equal."""
        return str(value).strip().lower().replace("_", " ")

    def check_value(self, name, value, method):
        kind = self.fields[name]
        if value == "" and method == "UPDATE":
            # The reference: "provide an empty string as the value to unset an optional field".
            return f"'' unsets a field, but {name} is required" if name in REQUIRED else None
        if kind in self.enums:
            allowed = {self.normalized(v) for v in self.enums[kind]}
            if self.normalized(value) not in allowed:
                return f"{value!r} is not one of {kind} {sorted(self.enums[kind])}"
            return None
        if kind.startswith("list<"):
            # additional_image_link: the feed writes a comma-separated string, the API an array of strings.
            if name == "additional_image_link" and isinstance(value, str):
                return None
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return f"{value!r} is not a {kind}"
            return None
        expected = JSON_TYPES.get(kind)
        if expected and (not isinstance(value, expected) or (expected is int and isinstance(value, bool))):
            return f"{value!r} is not a JSON {kind}"
        if name in ("price", "sale_price") and (problem := price_problem(value)):
            return problem
        if name == "sale_price_effective_date" and not ISO_INTERVAL.match(str(value)):
            return f"{value!r} is not <start>/<end> in ISO 8601"
        return None

    def check(self, request):
        if request.get("method") != "POST" or not re.fullmatch(r"/[^/]+/items_batch", request.get("path", "")):
            return [f"request is {request.get('method')} {request.get('path')}, "
                    "the contract checked is POST /{catalog_id}/items_batch"], ""
        body = request.get("body")
        if not isinstance(body, dict):
            return ["at (body): not a JSON object"], ""
        problems = []
        for name in sorted(set(body) - set(self.params)):
            problems.append(f"at {name}: not a parameter of items_batch ({sorted(self.params)})")
        for name, param in self.params.items():
            if param.get("required") and name not in body:
                problems.append(f"at {name}: required parameter missing")
        if "allow_upsert" in body and not isinstance(body["allow_upsert"], bool):
            problems.append(f"at allow_upsert: {body['allow_upsert']!r} is not a bool")
        if "item_type" in body and not isinstance(body["item_type"], str):
            problems.append(f"at item_type: {body['item_type']!r} is not a string")
        sub_type = body.get("item_sub_type")
        if sub_type is not None and sub_type not in self.enums[self.params["item_sub_type"]["type"]]:
            problems.append(f"at item_sub_type: {sub_type!r} is not a documented value")
        # The spec types `requests` as `map`; the reference documents a JSON array of {method, data}.
        requests = body.get("requests")
        if not isinstance(requests, list):
            problems.append("at requests: not an array of {method, data}")
            requests = []
        for index, entry in enumerate(requests):
            where = f"at requests/{index}"
            if not isinstance(entry, dict):
                problems.append(f"{where}: not an object")
                continue
            for key in sorted(set(entry) - {"method", "data"}):
                problems.append(f"{where}/{key}: requests carry only method and data")
            method = entry.get("method")
            if method not in METHODS:
                problems.append(f"{where}/method: {method!r} is not one of {sorted(METHODS)}")
            data = entry.get("data")
            if not isinstance(data, dict):
                problems.append(f"{where}/data: not an object")
                continue
            if not isinstance(data.get("id"), str) or not data.get("id"):
                problems.append(f"{where}/data/id: the retailer id is required")
            if method == "CREATE":
                for key in sorted(REQUIRED - set(data)):
                    problems.append(f"{where}/data/{key}: required for CREATE")
            if method == "DELETE":
                for key in sorted(set(data) - {"id"}):
                    problems.append(f"{where}/data/{key}: DELETE carries only id")
            for name, value in data.items():
                if name not in self.fields:
                    problems.append(f"{where}/data/{name}: neither a ProductItem field nor a documented feed name")
                elif problem := self.check_value(name, value, method):
                    problems.append(f"{where}/data/{name}: {problem}")
        methods = sorted({entry.get("method") for entry in requests if isinstance(entry, dict)} - {None})
        return problems, f"items_batch with {len(requests)} request(s): {', '.join(methods)}"


# ---------------------------------------------------------------------------------------------------
def main(arguments):
    if len(arguments) != 3 or not os.path.isdir(arguments[1]) or not os.path.isdir(arguments[2]):
        print("usage: check_contracts.py <payload folder> <contracts folder>")
        return 2
    folder, contracts = arguments[1], arguments[2]
    checkers = {"pinterest": Pinterest(contracts), "google": Google(contracts), "meta": Meta(contracts)}
    files = sorted(name for name in os.listdir(folder) if name.endswith(".json"))
    if not files:
        print(f"no <platform>-<case>.json files in {folder}")
        return 2
    failed = False
    for name in files:
        platform = name.split("-", 1)[0]
        checker = checkers.get(platform)
        try:
            with open(os.path.join(folder, name)) as file:
                request = json.load(file)
        except (OSError, ValueError) as error:
            problems, note = [f"unreadable: {error}"], ""
        else:
            if checker is None:
                problems, note = [f"unknown platform {platform!r} (expected {sorted(checkers)})"], ""
            elif not isinstance(request, dict):
                problems, note = ["not a {method, path, query, body} envelope"], ""
            else:
                problems, note = checker.check(request)
        if problems:
            failed = True
            for problem in problems:
                print(f"{name}: VIOLATION {problem}")
        else:
            print(f"{name}: ok" + (f" ({note})" if note else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
