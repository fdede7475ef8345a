#!/usr/bin/env python3
"""Corrupted copies of a triplet file with the errors of mined negatives, and the truth.

Two kinds of error, each in a copy of its own (make_noisy.py in ../shared/bench makes the other
two, swapped positive/negative and a foreign positive):

random-negative  A seeded RATE of the rows get as negative a text drawn uniformly from the other
                 rows' positives and negatives whose anchor differs from the row's (after trimming
                 and lower-casing), never the row's own positive: DSSM-style random negatives,
                 which a model rarely gets wrong.
false-negative   The negative is replaced by a true positive of the same anchor: another row's
                 positive whose anchor is the same text as the row's and which differs from the
                 row's own positive (on the NLI files: another hypothesis that the premise
                 entails). Only rows whose anchor has such a positive can be corrupted; RATE is a
                 share of all rows, capped at the eligible ones (the truth file says how many were
                 eligible). The source keeps no paraphrases, so none are made up.

Usage:
  make_triplet_errors.py random-negative IN.jsonl OUT.jsonl TRUTH.json [--rate 0.1] [--seed 1]
  make_triplet_errors.py false-negative  IN.jsonl OUT.jsonl TRUTH.json [--rate 0.1] [--seed 1] [--unlisted]

JSONL or CSV with anchor/positive/negative columns. TRUTH.json lists the corrupted rows by
0-based data-row index, with the negative they had and the one they got. Only the standard
library, so it runs wherever python3 does.
"""
import argparse, csv, io, json, random, sys
from collections import defaultdict


def read(path):
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as f:
            return "jsonl", None, [json.loads(l) for l in f if l.strip()]
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(io.StringIO(f.read()))
        return "csv", reader.fieldnames, list(reader)


def write(path, kind, fields, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        if kind == "jsonl":
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
            return
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)


def key(text):
    return " ".join(text.split()).lower()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["random-negative", "false-negative"])
    ap.add_argument("inp"); ap.add_argument("out"); ap.add_argument("truth")
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--unlisted", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    kind, fields, rows = read(a.inp)
    n = len(rows)
    truth = {"source": a.inp.split("/")[-1], "mode": a.mode, "rate": a.rate, "seed": a.seed, "rows": n, "corrupted": []}
    if a.mode == "random-negative":
        picked = sorted(rng.sample(range(n), round(a.rate * n)))
        for i in picked:
            r = rows[i]
            while True:
                j = rng.randrange(n)
                if key(rows[j]["anchor"]) == key(r["anchor"]):
                    continue
                text = rows[j]["positive" if rng.random() < 0.5 else "negative"]
                if key(text) != key(r["positive"]) and key(text) != key(r["negative"]):
                    break
            truth["corrupted"].append({"row": i, "how": "random-negative", "was": r["negative"], "now": text, "from": j})
            r["negative"] = text
    else:
        positives = defaultdict(list)  # anchor -> [(row, positive)] in file order
        for i, r in enumerate(rows):
            positives[key(r["anchor"])].append((i, r["positive"]))
        def others(i):
            r = rows[i]
            seen, out = set(), []
            for j, p in positives[key(r["anchor"])]:
                if j != i and key(p) != key(r["positive"]) and key(p) not in seen:
                    seen.add(key(p)); out.append((j, p))
            return out
        eligible = [i for i in range(n) if others(i)]
        truth["eligible"] = len(eligible)
        # choices come from the source's texts, so a row corrupted earlier does not feed a later one
        choice = {i: others(i) for i in eligible}
        picked = sorted(rng.sample(eligible, min(len(eligible), round(a.rate * n))))
        chosen = set(picked)
        for i in picked:
            # --unlisted removes the source row, so prefer one that is not corrupted itself
            options = [c for c in choice[i] if c[0] not in chosen] if a.unlisted else []
            j, p = rng.choice(options or choice[i])
            truth["corrupted"].append({"row": i, "how": "false-negative", "was": rows[i]["negative"], "now": p, "from": j})
            rows[i]["negative"] = p
        if a.unlisted:
            drop = {c["from"] for c in truth["corrupted"]} - chosen
            keep = [i for i in range(n) if i not in drop]
            new_index = {old: k for k, old in enumerate(keep)}
            rows = [rows[i] for i in keep]
            for c in truth["corrupted"]:
                c["row"] = new_index[c["row"]]
                c["from"] = new_index.get(c["from"])
            truth["rows"] = len(rows)
            truth["dropped"] = len(drop)
    write(a.out, kind, fields, rows)
    with open(a.truth, "w", encoding="utf-8") as f:
        json.dump(truth, f, indent=1, ensure_ascii=False)
    print(f"{a.out}: {len(rows)} rows, {len(truth['corrupted'])} corrupted ({a.mode})", file=sys.stderr)


if __name__ == "__main__":
    main()
