"""Medians, ratio tables, targets, and the JSON and Markdown result files."""

import json
import os
import platform
import statistics


def machine_info():
    info = {"nproc": len(os.sched_getaffinity(0)), "kernel": platform.release(),
            "loadavg_at_end": [round(x, 2) for x in os.getloadavg()]}
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(l for l in f if l.startswith("MemTotal:")).split()[1])
        info["memory_gb"] = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(l for l in f if l.startswith("model name")).split(":", 1)[1].strip()
    except (OSError, StopIteration):
        pass
    return info


class Results:
    """Samples per workload and row; rows keep the order they first appeared."""

    def __init__(self, workloads, row_kinds):
        self.workloads = workloads
        self.row_kinds = row_kinds  # proxy name -> "direct" | "ours" | "peer"
        self.samples = {w.name: {} for w in workloads}
        self.errors = []

    def add(self, workload, rows):
        for row, figures in rows.items():
            self.samples[workload.name].setdefault(row, []).append(figures)

    def kind(self, row):
        return self.row_kinds.get(row.split(" (")[0], "ours")

    def median(self, workload_name, row, key):
        values = [s[key] for s in self.samples[workload_name].get(row, [])
                  if s.get(key) is not None]
        return statistics.median(values) if values else None

    def medians(self, workload_name):
        out = {}
        for row, samples in self.samples[workload_name].items():
            keys = {k for s in samples for k in s}
            out[row] = {k: self.median(workload_name, row, k) for k in sorted(keys)}
        return out


# --- tables ----------------------------------------------------------------


def _best(rows, better):
    if not rows:
        return None
    pick = max if better == "higher" else min
    return pick(rows, key=lambda r: r[1])


def metric_table(results, workload, metric):
    """Header and rows (lists of strings) of one metric's comparison table."""
    rows = []
    for row in results.samples[workload.name]:
        value = results.median(workload.name, row, metric.key)
        if value is not None:
            rows.append((row, value))
    if not rows:
        return None
    direct = next((v for r, v in rows if results.kind(r) == "direct"), None)
    peers = [(r, v) for r, v in rows if results.kind(r) == "peer"]
    # With more than one build of ours (balance-kernel), each is also
    # compared with plain balance, today's relay.
    ours = next((v for r, v in rows if r == "balance"), None)
    if not any(r != "balance" and results.kind(r) == "ours" for r, _ in rows) or not metric.ratios:
        ours = None
    best = _best(peers, metric.better)
    if not metric.ratios:
        direct, best = None, None
    header = ["proxy", f"{metric.label} ({metric.unit})"]
    if direct is not None:
        header.append("vs direct")
    if ours is not None:
        header.append("vs balance")
    if best:
        header.append("vs best peer")
        header += [f"vs {p}" for p, _ in peers]
    lines = []
    for row, value in rows:
        cells = [row, f"{value:,.{metric.digits}f}"]
        if direct is not None:
            cells.append(_ratio(value, direct))
        if ours is not None:
            cells.append(_ratio(value, ours))
        if best:
            cells.append(_ratio(value, best[1]) + ("" if row != best[0] else " (best)"))
            cells += [_ratio(value, v) for _, v in peers]
        lines.append(cells)
    return header, lines


def _ratio(a, b):
    return f"{a / b:.2f}x" if b else "-"


def format_text(header, lines):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines)]
    fmt = lambda cells: "  ".join(
        str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(l) for l in lines])


def format_markdown(header, lines):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    out += ["| " + " | ".join(l) + " |" for l in lines]
    return "\n".join(out)


# --- targets -----------------------------------------------------------------

# (workload, metric, rule, threshold, description) from the design targets.
TARGETS = [
    ("keepalive", "rps", "best_peer_min", 1.1, "keep-alive req/s >= 1.1x best peer"),
    ("keepalive", "p99_ms", "best_peer_max", 1.0, "keep-alive p99 <= best peer"),
    ("newconn", "rps", "best_peer_min", 1.1, "new-connection req/s >= 1.1x best peer"),
    ("bulk", "up_gbps", "best_peer_min", 1.1, "bulk up >= 1.1x best peer"),
    ("bulk", "down_gbps", "best_peer_min", 1.1, "bulk down >= 1.1x best peer"),
    ("memory", "mb_9000", "haproxy_below", 1.0, "9,000 idle connections in less than HAProxy"),
    ("startup", "launch_ms", "absolute_max", 50.0, "listening within 50 ms"),
]


def check_targets(results, row="balance"):
    checks = []
    metrics = {(w.name, m.key): m for w in results.workloads for m in w.metrics}
    for wname, key, rule, threshold, text in TARGETS:
        metric = metrics.get((wname, key))
        mine = results.median(wname, row, key) if metric else None
        if mine is None:
            continue
        if rule == "absolute_max":
            ref_name, ref, ratio = "-", threshold, None
            met = mine <= threshold
        else:
            rows = [(r, results.median(wname, r, key)) for r in results.samples[wname]
                    if results.kind(r) == "peer"]
            if rule == "haproxy_below":
                rows = [(r, v) for r, v in rows if r.startswith("haproxy")]
            rows = [(r, v) for r, v in rows if v is not None]
            best = _best(rows, metric.better)
            if not best:
                continue
            ref_name, ref = best
            ratio = mine / ref
            met = (ratio >= threshold if rule == "best_peer_min" else
                   ratio <= threshold if rule == "best_peer_max" else ratio < threshold)
        if row != "balance":
            text = f"{row}: {text}"
        checks.append({"target": text, "workload": wname, "metric": key, "balance": mine,
                       "reference": ref_name, "reference_value": ref, "ratio": ratio,
                       "met": met})
    return checks


def targets_table(checks):
    header = ["target", "balance", "reference", "ratio", "met"]
    lines = [[c["target"], f"{c['balance']:,.2f}",
              f"{c['reference']} {c['reference_value']:,.2f}" if c["reference"] != "-"
              else f"{c['reference_value']:,.0f}",
              f"{c['ratio']:.2f}x" if c["ratio"] is not None else "-",
              "yes" if c["met"] else "NO"] for c in checks]
    return header, lines


# --- output ----------------------------------------------------------------


def tables(results):
    """(title, header, lines) for every metric that has figures."""
    out = []
    for w in results.workloads:
        for m in w.metrics:
            t = metric_table(results, w, m)
            if t:
                direction = "higher is better" if m.better == "higher" else "lower is better"
                out.append((f"{w.title}: {m.label}, {direction}", *t))
    return out


def noise_warnings(results):
    """A proxy faster than no proxy at all means other work disturbed the run."""
    out = []
    for w in results.workloads:
        for m in w.metrics:
            if m.better != "higher" or not m.ratios:
                continue
            direct = results.median(w.name, "direct", m.key)
            for row in results.samples[w.name]:
                v = results.median(w.name, row, m.key)
                if direct and v and row != "direct" and v > direct * 1.05:
                    out.append(f"{w.name} {m.key}: {row} beat direct by {v / direct:.2f}x; "
                               "the machine was busy, treat this run's ratios with care")
    return out


def print_report(results, checks):
    for title, header, lines in tables(results):
        print(f"\n## {title}\n")
        print(format_text(header, lines))
    for warning in noise_warnings(results):
        print(f"warning: {warning}")
    if checks:
        print("\n## balance against the targets\n")
        print(format_text(*targets_table(checks)))
    for err in results.errors:
        print(f"error: {err}")


def write_files(results, checks, meta, out_dir, stem):
    os.makedirs(out_dir, exist_ok=True)
    data = dict(meta)
    data["results"] = {
        w.name: {
            "title": w.title,
            "metrics": [vars(m) for m in w.metrics],
            "median": results.medians(w.name),
            "samples": results.samples[w.name],
        } for w in results.workloads}
    data["targets"] = checks
    data["errors"] = results.errors
    json_path = os.path.join(out_dir, stem + ".json")
    with open(json_path, "w") as f:
        json.dump(data, f, indent=1)
    md = [f"# Benchmark {meta['date']}{' (quick)' if meta['settings'].get('quick') else ''}", ""]
    m = meta["machine"]
    md.append(f"Machine: {m.get('nproc')} CPUs ({m.get('cpu', '?')}), "
              f"{m.get('memory_gb', '?')} GB, Linux {m.get('kernel')}, "
              f"load average at the end {' '.join(map(str, m.get('loadavg_at_end', [])))}.")
    md.append("Versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + ".")
    s = meta["settings"]
    md.append(f"Rounds: {s['rounds']}, wrk {s['duration']} s, iperf3 {s['bulk_duration']} s, "
              f"medians of interleaved rounds. Only ratios within this run count.")
    for title, header, lines in tables(results):
        md += ["", f"## {title}", "", format_markdown(header, lines)]
    if checks:
        md += ["", "## balance against the targets", "", format_markdown(*targets_table(checks))]
    if results.errors:
        md += ["", "## Errors", ""] + [f"- {e}" for e in results.errors]
    warnings = noise_warnings(results)
    if warnings:
        md += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    md_path = os.path.join(out_dir, stem + ".md")
    with open(md_path, "w") as f:
        f.write("\n".join(md) + "\n")
    return json_path, md_path
