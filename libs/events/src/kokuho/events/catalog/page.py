"""The catalog as one human page, rendered on the server from the AsyncAPI document.

Plain HTML with an inline style and no script: it loads nothing from anywhere (the city's
individual-number network has no internet), and needs no JavaScript bundle in the wheel.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from typing import Any

from kokuho.events.catalog.asyncapi import document

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ccc;margin-top:2.5rem}h3{margin-bottom:.2rem}code{background:#f3f3f3}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;
text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:.5rem;overflow:auto}
.restricted{color:#a00;font-weight:bold}nav a{margin-right:1rem}
"""


@cache
def page_html() -> str:
    doc = document()
    schemas = doc["components"]["schemas"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(doc['info']['title'])}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(doc['info']['title'])}</h1>",
        f"<p>{escape(doc['info']['description'])}</p>",
        "<p>Machine-readable: <a href='asyncapi.json'>asyncapi.json</a> (AsyncAPI 3.0).</p>",
        "<nav>",
        *(f"<a href='#{escape(c)}'>{escape(c)}</a>" for c in doc["channels"]),
        "</nav>",
    ]
    for channel_id, channel in doc["channels"].items():
        parts.append(f"<h2 id='{escape(channel_id)}'>{escape(channel['address'])}</h2>")
        if channel.get("x-kokuho-restricted"):
            parts.append("<p class='restricted'>Restricted topic</p>")
        parts.append(f"<p>{escape(channel['summary'])}</p>")
        parts.append(f"<p>{escape(channel['description'])}</p>")
        for event_type in channel["messages"]:
            message = doc["components"]["messages"][event_type]
            data_ref = message["payload"]["allOf"][1]["properties"]["data"]["$ref"]
            schema = schemas[data_ref.rsplit("/", 1)[-1]]
            parts.append(f"<h3 id='{escape(event_type)}'><code>{escape(event_type)}</code></h3>")
            parts.append(f"<p>{escape(message['description'])}</p>")
            parts.append(_fields(schema))
            for example in message.get("examples", []):
                text = json.dumps(example["payload"], ensure_ascii=False, indent=2)
                parts.append(f"<details><summary>Example envelope</summary><pre>{escape(text)}")
                parts.append("</pre></details>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _fields(schema: dict[str, Any]) -> str:
    required = set(schema.get("required", []))
    rows = [
        f"<tr><td><code>{escape(name)}</code></td><td>{escape(_type(sub))}</td>"
        f"<td>{'yes' if name in required else ''}</td>"
        f"<td>{escape(str(sub.get('description', '')))}</td></tr>"
        for name, sub in schema.get("properties", {}).items()
    ]
    head = "<tr><th>data field</th><th>type</th><th>required</th><th>description</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema:
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"], ensure_ascii=False)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_type(option) for option in schema[key])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    detail = schema.get("format") or schema.get("pattern")
    return f"{kind} ({detail})" if detail else kind
