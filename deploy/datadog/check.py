#!/usr/bin/env python3
"""Validates the Datadog ops-as-code JSON under deploy/datadog (stdlib only).

- every *.json parses;
- monitors/*.json: `name`, `type`, `query`, `message` present and non-empty,
  `tags` include service:connect-api, type is a known monitor type;
- dashboards/*.json: `title`, `widgets` (non-empty list), `layout_type` present,
  every widget (groups included) has a definition with a type;
- every metric referenced in a metric query (monitor query, widget `query`/`q`)
  starts with `connect.`.
Exit 1 with one line per problem. Usage: deploy/datadog/check.py [DIR]
"""
import json, pathlib, re, sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent)
MONITOR_TYPES = {"query alert", "metric alert", "log alert", "service check", "composite"}
# A metric name is what stands right before a `{scope}`: `sum:connect.request.count{...}`.
METRIC = re.compile(r"([A-Za-z_][\w.]*)\{")
problems, metrics, counts = [], set(), {"monitors": 0, "dashboards": 0, "other": 0}


def metric_names(query, where):
    for name in METRIC.findall(query):
        metrics.add(name)
        if not name.startswith("connect."):
            problems.append(f"{where}: metric `{name}` does not start with `connect.`")


def walk_widgets(widgets, where):
    for i, w in enumerate(widgets):
        d = w.get("definition") if isinstance(w, dict) else None
        if not isinstance(d, dict) or "type" not in d:
            problems.append(f"{where}: widget {i} has no definition.type"); continue
        if d["type"] == "group":
            walk_widgets(d.get("widgets", []), f"{where} > {d.get('title', i)}")
        for r in d.get("requests", []) if isinstance(d.get("requests"), list) else []:
            for q in r.get("queries", []):
                if q.get("data_source", "metrics") == "metrics":
                    metric_names(q.get("query", ""), f"{where} > {d.get('title', i)}")
            if "q" in r:
                metric_names(r["q"], f"{where} > {d.get('title', i)}")


for path in sorted(ROOT.rglob("*.json")):
    rel = path.relative_to(ROOT)
    try:
        doc = json.loads(path.read_text())
    except ValueError as e:
        problems.append(f"{rel}: invalid JSON: {e}"); continue
    kind = rel.parts[0]
    if kind == "monitors":
        counts["monitors"] += 1
        for key in ("name", "type", "query", "message"):
            if not str(doc.get(key, "")).strip():
                problems.append(f"{rel}: missing `{key}`")
        if doc.get("type") not in MONITOR_TYPES:
            problems.append(f"{rel}: unknown monitor type {doc.get('type')!r}")
        if "service:connect-api" not in doc.get("tags", []):
            problems.append(f"{rel}: tags lack service:connect-api")
        if doc.get("type") in ("query alert", "metric alert"):
            metric_names(doc.get("query", ""), str(rel))
    elif kind == "dashboards":
        counts["dashboards"] += 1
        for key in ("title", "widgets", "layout_type"):
            if key not in doc:
                problems.append(f"{rel}: missing `{key}`")
        if not isinstance(doc.get("widgets"), list) or not doc.get("widgets"):
            problems.append(f"{rel}: `widgets` must be a non-empty list")
        else:
            walk_widgets(doc["widgets"], str(rel))
    else:
        counts["other"] += 1

for p in problems:
    print(p)
print(f"checked {counts['monitors']} monitors, {counts['dashboards']} dashboards, {counts['other']} other files; "
      f"{len(metrics)} distinct metrics: {', '.join(sorted(metrics))}; {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
