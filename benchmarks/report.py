"""Print the benchmark results in var/bench/*.json as markdown tables (for docs/benchmarks.md and notes)."""
import json
from pathlib import Path

BENCH = Path("var/bench")


def handlers():
    data = json.loads((BENCH / "handlers.json").read_text())
    sizes = list(data)
    print("| handler | " + " | ".join(f"ours @{s} | median ms @{s}" for s in sizes) + " |")
    print("|---|" + "---|---|" * len(sizes))
    for handler in data[sizes[0]]["handlers"]:
        cells = []
        for s in sizes:
            h = data[s]["handlers"][handler]
            cells += ["/".join(map(str, h["our_statements"])), str(h["median_ms"])]
        print(f"| {handler} | " + " | ".join(cells) + " |")
    cells = []
    for s in sizes:
        w = data[s]["whole_exchange"]
        cells += ["/".join(map(str, w["our_statements"])), str(w["median_ms"])]
    print("| whole exchange (2 learners) | " + " | ".join(cells) + " |")


def staff():
    data = json.loads((BENCH / "staff.json").read_text())
    print("\n| participants | staff_overview statements | median ms | p95 ms | reviews export KiB peak |")
    print("|---|---|---|---|---|")
    for size, row in data.items():
        o = row["staff_overview"]
        print(f"| {size} | {o['statements']} | {o['median_ms']} | {o['p95_ms']} | "
              f"{row['exports']['reviews']['peak_kib']} |")


if __name__ == "__main__":
    for part in (handlers, staff):
        try:
            part()
        except FileNotFoundError:
            pass
