"""The seed's analyze_model_calls loop (counts and response-time statistics), for timing only.

Run as a script, it streams the file (each line parsed and counted, nothing kept); the
reconstructed analyzer (_seed_analyzer.py) runs the same loop over the events it loaded.
"""
import json, statistics, sys
from collections import defaultdict


def analyze_model_calls(events):
    requests = responses = errors = 0
    times, models = [], defaultdict(int)
    for e in events:
        t = e.get("type", "")
        if t == "llm_request":
            requests += 1
            models[e.get("data", {}).get("model", "unknown")] += 1
        elif t == "llm_response":
            responses += 1
            d = e.get("data", {}).get("duration_seconds", 0)
            if d > 0:
                times.append(d)
        elif t == "llm_error":
            errors += 1
    return requests, responses, errors, times, dict(models)


def parsed_lines(f):
    for line in f:
        line = line.strip()
        if not line:
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            continue


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        requests, responses, errors, times, models = analyze_model_calls(parsed_lines(f))
    print(requests, responses, errors, statistics.mean(times), statistics.stdev(times), models)
