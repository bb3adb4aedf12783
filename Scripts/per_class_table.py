#!/usr/bin/env python3
"""Per-class accuracy of a model as a Markdown table, with each class's drawings in the data.

  doodle dataset --data ... > counts.txt            (the table `doodle dataset` prints)
  doodle eval --model M --json > test.json
  Scripts/per_class_table.py counts.txt test.json [--below 200] > table.md

Prints a summary by drawing count (classes, test images, mean class accuracy, pooled top-1), then one
row per class with fewer than --below drawings (all classes with --below 0): drawings, test images,
and how many of them were right at top-1 and at top-5. Standard library only.
"""
import argparse
import json
import re


def read_counts(path):
    """Category -> total drawings, from the table `doodle dataset` prints."""
    counts = {}
    with open(path) as f:
        lines = f.read().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("category "))
    for line in lines[header + 1:]:
        match = re.match(r"^(.*?)\s+((?:\d+\s+)+\d+)$", line)
        if not match or match.group(1) == "all":
            if match and match.group(1) == "all":
                break
            continue
        numbers = [int(n) for n in match.group(2).split()]
        counts[match.group(1).strip()] = numbers[-4]  # total, then train, val, test
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("counts")
    parser.add_argument("evaluation")
    parser.add_argument("--below", type=int, default=200)
    args = parser.parse_args()
    counts = read_counts(args.counts)
    evaluation = json.load(open(args.evaluation))
    rows = [(c["name"], counts.get(c["name"], 0), c["count"], c["accuracy"], c["top5"])
            for c in evaluation["perClass"]]

    buckets = [(0, 50), (50, 100), (100, 200), (200, 1000), (1000, 10**9)]
    print("| drawings per class | classes | test images | mean class top-1 | pooled top-1 | pooled top-5 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for low, high in buckets:
        part = [r for r in rows if low <= r[1] < high and r[2] > 0]
        if not part:
            continue
        images = sum(r[2] for r in part)
        correct = sum(round(r[2] * r[3]) for r in part)
        top5 = sum(round(r[2] * r[4]) for r in part)
        label = f"{low}-{high - 1}" if high < 10**9 else f"{low} or more"
        mean = sum(r[3] for r in part) / len(part)
        print(f"| {label} | {len(part)} | {images} | {mean * 100:.1f}% | {correct / images * 100:.1f}% "
              f"| {top5 / images * 100:.1f}% |")
    print()
    shown = [r for r in rows if args.below == 0 or r[1] < args.below]
    print("| class | drawings | test images | test top-1 | test top-5 |")
    print("| --- | --- | --- | --- | --- |")
    for name, drawings, test, accuracy, top5 in sorted(shown, key=lambda r: (r[1], r[0])):
        print(f"| {name} | {drawings} | {test} | {round(test * accuracy)}/{test} | {round(test * top5)}/{test} |")


if __name__ == "__main__":
    main()
