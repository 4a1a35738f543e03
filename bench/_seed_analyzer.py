"""A reconstruction of the seed's whole analyzer (analyze_traces.py), for timing only.

The seed's script is not in this repository; its specification says what it does: load a trace
file, count requests, responses and errors, compute response-time statistics and the models used,
write a summary text file, and draw a response-time histogram and a model-usage bar chart with
matplotlib. This does that, as a Python script of the kind would: every event loaded into a list
first (json.loads per line), then the counting loop of _seed_loop.py over the list, then the two
figures saved as PNG and the summary written. It prints what _seed_loop.py prints.

Usage: python3 _seed_analyzer.py TRACE OUTPUT_DIR
"""
import os, statistics, sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from _seed_loop import analyze_model_calls, parsed_lines


def load_trace_file(path):
    with open(path) as f:
        return list(parsed_lines(f))


def main():
    path, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    events = load_trace_file(path)
    requests, responses, errors, times, models = analyze_model_calls(events)
    mean, stdev = statistics.mean(times), statistics.stdev(times)
    with open(os.path.join(out, "trace_analysis_summary.txt"), "w") as f:
        f.write(f"Total Requests: {requests}\nSuccessful Responses: {responses}\nErrors: {errors}\n")
        f.write(f"Average Response Time: {mean:.2f}s\nMin Response Time: {min(times):.2f}s\n")
        f.write(f"Max Response Time: {max(times):.2f}s\nStandard Deviation: {stdev:.2f}s\n")
        f.write("Models Used:\n" + "".join(f"  - {m}: {n} requests\n" for m, n in models.items()))
    plt.figure(figsize=(10, 6))
    plt.hist(times, bins=20)
    plt.title("Distribution of Model Response Times")
    plt.xlabel("Response Time (seconds)")
    plt.ylabel("Frequency")
    plt.savefig(os.path.join(out, "trace_analysis_response_times.png"))
    plt.close()
    plt.figure(figsize=(10, 6))
    plt.bar(list(models.keys()), list(models.values()))
    plt.title("Models Used")
    plt.xticks(rotation=45)
    plt.tight_layout()
    plt.savefig(os.path.join(out, "trace_analysis_models_used.png"))
    plt.close()
    print(requests, responses, errors, mean, stdev, models)


main()
