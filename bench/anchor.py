#!/usr/bin/env python3
"""The anchor of ../shared/bench/ANCHORS.md, run on one corrupted copy: cleanlab's recipe for
labeled rows (out-of-sample probabilities from 5-fold cross-validation of a TF-IDF logistic
regression on word 1-2-grams and character 2-4-grams, rows ranked by 1 - p(given label)), and
lexical TF-IDF for triplets (suspicion = sim(anchor, negative) - sim(anchor, positive)).

Usage: anchor.py labels|triplets NOISY TRUTH.json
Prints one JSON object: {"ap", "pk", "seconds"} (AP and precision at K over all rows, ties
broken by row order, as bench/quality.ts computes them). Needs scikit-learn (Debian's
python3-sklearn, 1.2 as in ANCHORS.md); bench/quality.ts --anchor installs it if absent.
"""
import importlib.util, json, os, sys, time

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('make_noisy', os.path.join(HERE, '..', '..', 'shared', 'bench', 'make_noisy.py'))
make_noisy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_noisy)


def rank_quality(scores, truth):
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    k = len(truth)
    hits, total, pk = 0, 0.0, 0.0
    for r, i in enumerate(order):
        if i in truth:
            hits += 1
            total += hits / (r + 1)
        if r == k - 1:
            pk = hits / k
    return (total / k if k else 0.0), pk


def labeled(rows):
    labels = np.array([r['label'] for r in rows])
    if 'text' not in rows[0]:
        # numeric columns (bench/variants.py's sms_numeric.csv): the recipe's model on standardised features
        cols = [c for c in rows[0] if c != 'label']
        x = np.array([[float(r[c]) for c in cols] for r in rows])
        x = (x - x.mean(0)) / (x.std(0) + 1e-12)
        classes, y = np.unique(labels, return_inverse=True)
        p = cross_val_predict(LogisticRegression(max_iter=1000), x, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), method='predict_proba')
        return list(1 - p[np.arange(len(y)), y])
    texts = [r['text'] for r in rows]
    x = hstack([
        TfidfVectorizer(analyzer='word', ngram_range=(1, 2)).fit_transform(texts),
        TfidfVectorizer(analyzer='char', ngram_range=(2, 4)).fit_transform(texts),
    ]).tocsr()
    classes, y = np.unique(labels, return_inverse=True)
    p = cross_val_predict(LogisticRegression(max_iter=1000), x, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), method='predict_proba')
    return list(1 - p[np.arange(len(y)), y])


def triplets(rows):
    vec = TfidfVectorizer().fit([t for r in rows for t in (r['anchor'], r['positive'], r['negative'])])
    a, p, n = (vec.transform([r[c] for r in rows]) for c in ('anchor', 'positive', 'negative'))
    sim = lambda u, v: np.asarray(u.multiply(v).sum(axis=1)).ravel()
    return list(sim(a, n) - sim(a, p))


def main():
    mode, noisy, truth_file = sys.argv[1:4]
    t0 = time.perf_counter()
    _, _, rows = make_noisy.read(noisy)
    scores = labeled(rows) if mode == 'labels' else triplets(rows)
    seconds = time.perf_counter() - t0
    truth = {c['row'] for c in json.load(open(truth_file))['corrupted']}
    ap, pk = rank_quality(scores, truth)
    print(json.dumps({'ap': ap, 'pk': pk, 'seconds': seconds}))


if __name__ == '__main__':
    main()
