#!/usr/bin/env python3
"""Labeled files of other shapes, made from ../shared/datasets, for bench:quality --variants.

Each variant is a real dataset changed in one way that users' files differ from the shared ones
(issue 14: many classes, multi-line texts, short texts, long texts, heavy imbalance, numeric
features). Seeded (random.Random(SEED)): the same files every time. Only the standard library.

Usage: variants.py OUT_DIR   (writes the files and prints their names, one a line)

  trec_fine.csv       TREC train with its fine labels: 50 classes, some with 4-10 rows
  mixed_multiline.csv AG News and TREC test questions in one file: 10 classes (4 + 6); AG's texts
                      keep their line breaks (the source writes them as a backslash), so most
                      rows span several lines of the CSV
  ag_short.jsonl      AG News with every text cut to its first 9 characters
  ag_long.jsonl       1,500 AG News texts of 2,000+ characters: each row joins random texts of
                      its class (with line breaks) until it passes 2,000 characters
  sms_1to50.tsv       SMS spam with spam cut to 1:50 of ham (4,827 ham, 97 spam)
  sms_numeric.csv     SMS spam as 12 numeric columns (length, words, digits, capitals, ...)
                      and no text
"""
import csv, json, os, random, re, sys

SEED = 14
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', '..', 'shared', 'datasets')


def jsonl(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(l) for l in f if l.strip()]


def write_jsonl(path, rows):
    with open(path, 'w', encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')


def write_csv(path, fields, rows):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator='\r\n')
        w.writeheader()
        w.writerows(rows)


def trec(name):
    with open(os.path.join(DATA, name), encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f))


def sms():
    with open(os.path.join(DATA, 'sms_spam.tsv'), encoding='utf-8') as f:
        lines = f.read().rstrip('\n').split('\n')
    head = lines[0].split('\t')
    return [dict(zip(head, l.split('\t'))) for l in lines[1:]]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(SEED)
    ag = jsonl(os.path.join(DATA, 'ag_news_test.jsonl'))
    made = []

    rows = [{'text': r['text'], 'label': r['fine_label']} for r in trec('trec_train.csv')]
    write_csv(os.path.join(out, 'trec_fine.csv'), ['text', 'label'], rows); made.append('trec_fine.csv')

    mixed = [{'text': r['text'].replace('\\', '\n'), 'label': r['label']} for r in ag[:4000]]
    mixed += [{'text': r['text'], 'label': 'Q-' + r['label']} for r in trec('trec_test.csv')]
    mixed += [{'text': r['text'], 'label': 'Q-' + r['label']} for r in trec('trec_train.csv')[:1500]]
    rng.shuffle(mixed)
    write_csv(os.path.join(out, 'mixed_multiline.csv'), ['text', 'label'], mixed); made.append('mixed_multiline.csv')

    write_jsonl(os.path.join(out, 'ag_short.jsonl'), [{'text': r['text'][:9], 'label': r['label']} for r in ag]); made.append('ag_short.jsonl')

    by = {}
    for r in ag:
        by.setdefault(r['label'], []).append(r['text'])
    long = []
    for i in range(1500):
        label = sorted(by)[i % len(by)]
        parts = []
        while sum(len(p) + 1 for p in parts) <= 2000:
            parts.append(rng.choice(by[label]))
        long.append({'text': '\n'.join(parts), 'label': label})
    rng.shuffle(long)
    write_jsonl(os.path.join(out, 'ag_long.jsonl'), long); made.append('ag_long.jsonl')

    s = sms()
    ham = [r for r in s if r['label'] == 'ham']
    spam = [r for r in s if r['label'] == 'spam']
    keep = rng.sample(spam, round(len(ham) / 50))
    rows = [r for r in s if r['label'] == 'ham' or r in keep]
    with open(os.path.join(out, 'sms_1to50.tsv'), 'w', encoding='utf-8') as f:
        f.write('label\ttext\n')
        for r in rows:
            f.write(f"{r['label']}\t{r['text']}\n")
    made.append('sms_1to50.tsv')

    def feats(t):
        words = t.split()
        return {
            'length': len(t), 'words': len(words), 'digits': sum(c.isdigit() for c in t),
            'capitals': sum(c.isupper() for c in t), 'exclaims': t.count('!'), 'questions': t.count('?'),
            'currency': len(re.findall('[£$€]', t)), 'urls': len(re.findall(r'www|http|\.com', t, re.I)),
            'longest_word': max((len(w) for w in words), default=0), 'all_caps_words': sum(w.isupper() and len(w) > 1 for w in words),
            'phone_like': len(re.findall(r'\d{5,}', t)), 'free_win': len(re.findall(r'free|win|prize|claim|call', t, re.I)),
        }
    rows = [{**feats(r['text']), 'label': r['label']} for r in s]
    write_csv(os.path.join(out, 'sms_numeric.csv'), list(rows[0].keys()), rows); made.append('sms_numeric.csv')
    print('\n'.join(made))


if __name__ == '__main__':
    main()
