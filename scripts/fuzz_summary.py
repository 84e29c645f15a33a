"""Summary of a scripts/fuzz-api.sh run: reads the NDJSON event reports schemathesis wrote under
OUT/<run>/ and the text output OUT/<run>.txt, prints cases, failures, 5xx answers and wall time,
and exits 1 on any failure or 5xx.

    python3 scripts/fuzz_summary.py OUT ELAPSED_SECONDS SCHEMATHESIS_VERSION BUDGET PER_OP
"""

import glob
import json
import os
import re
import sys


def main() -> int:
    out, elapsed, version, budget, per_op = sys.argv[1:6]
    runs = sorted(d for d in os.listdir(out) if os.path.isdir(os.path.join(out, d)) and not d.startswith("."))
    total_cases = total_sent = total_5xx = total_errors = 0
    failures: dict[tuple[str, str, str], int] = {}
    statuses: dict[int, int] = {}
    rows = []
    for run in runs:
        generated = 0
        text_path = os.path.join(out, f"{run}.txt")
        text = open(text_path, encoding="utf-8", errors="replace").read() if os.path.exists(text_path) else ""
        m = re.search(r"(\d+) generated", text)
        if m:
            generated = int(m.group(1))
        # schemathesis's own errors (a crash inside the tool, a schema it cannot read)
        m = re.search(r"=+ .*?(\d+) errors?\b.* in [\d.]+s =+", text)
        errors = int(m.group(1)) if m else 0
        sent = five = 0
        run_failures = set()
        for path in glob.glob(os.path.join(out, run, "*.ndjson")):
            for line in open(path, encoding="utf-8"):
                event = json.loads(line)
                scenario = event.get("ScenarioFinished")
                if not scenario:
                    continue
                recorder = scenario.get("recorder", {})
                for interaction in recorder.get("interactions", {}).values():
                    response = interaction.get("response")
                    if not response:
                        continue
                    sent += 1
                    code = response["status_code"]
                    statuses[code] = statuses.get(code, 0) + 1
                    if code >= 500:
                        five += 1
                for checks in recorder.get("checks", {}).values():
                    for check in checks:
                        if check.get("status") != "failure":
                            continue
                        f = (check.get("failure_info") or {}).get("failure") or {}
                        key = (
                            f.get("operation", recorder.get("label", "?")),
                            f.get("code", "?") + " " + f.get("title", check["name"]),
                            (f.get("message") or "").split("\n")[0][:160],
                        )
                        failures[key] = failures.get(key, 0) + 1
                        run_failures.add(key)
        rows.append((run, generated, sent, len(run_failures), five, errors))
        total_errors += errors
        total_cases += generated
        total_sent += sent
        total_5xx += five
    print()
    print(f"schemathesis {version}, all checks; budget {budget} cases ({per_op} per operation)")
    print(f"{'run':<10} {'generated':>10} {'answers':>9} {'failures':>9} {'5xx':>5} {'errors':>7}")
    for run, generated, sent, nfail, five, errors in rows:
        print(f"{run:<10} {generated:>10} {sent:>9} {nfail:>9} {five:>5} {errors:>7}")
    print(f"{'total':<10} {total_cases:>10} {total_sent:>9} {len(failures):>9} {total_5xx:>5} {total_errors:>7}")
    print("answers by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    print(f"wall time {int(elapsed) // 60} min {int(elapsed) % 60} s")
    if failures:
        print("\nfailures (operation, check, first line):")
        for (op, check, msg), n in sorted(failures.items()):
            print(f"  {op} | {check} | {msg} (x{n})")
    ok = not failures and total_5xx == 0 and total_errors == 0 and total_cases > 0
    print("\nRESULT: " + ("PASS" if ok else "FAIL") + f" — {total_cases} cases, {len(failures)} failures, {total_5xx} 5xx"
          + (f", {total_errors} schemathesis errors (see target/fuzz/*.txt)" if total_errors else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
