"""The seed's analyze_model_calls loop (counts and response-time statistics), for timing only."""
import json, statistics, sys
from collections import defaultdict

requests = responses = errors = 0
times, models = [], defaultdict(int)
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        try:
            e = json.loads(line)
        except json.JSONDecodeError:
            continue
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
print(requests, responses, errors, statistics.mean(times), statistics.stdev(times), dict(models))
