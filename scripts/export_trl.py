#!/usr/bin/env python3
"""A straightforward Python version of `prefer export --format trl` (json module only), for the
side-by-side speed comparison in scripts/bench-compare (target: prefer's export >= 10x faster).

It does the same conversion for pair-mode logs: read the candidate file and the labels logs,
replay latest-wins per annotator and task (retract takes a decision back, skips do not count),
turn each decision into a vote on its pair (ties and both-bad dropped, strength -> margin
0,1,2,3), keep the strict majority per pair, and write {"prompt", "chosen", "rejected",
"margin"} lines; with --flatten conversations become "\n\nHuman: ...\n\nAssistant:" text.
It does not check item hashes (stale decisions) and ignores rank and rate tasks.

Usage: scripts/export_trl.py CANDIDATES LOG... [--flatten] -o OUT
"""
import json
import sys


def label(role):
    return {"user": "Human", "system": "Human", "assistant": "Assistant"}.get(role, role)


def hh(turns):
    out = []
    i = 0
    while i < len(turns):
        role, content = turns[i]
        if role == "system":
            out.append("\n\nHuman: " + content)
            if i + 1 < len(turns) and turns[i + 1][0] == "user":
                out.append("\n\n" + turns[i + 1][1])
                i += 1
        else:
            out.append("\n\n%s: %s" % (label(role), content))
        i += 1
    return "".join(out)


def hh_answer(turns):
    if turns and turns[0][0] == "assistant":
        return " " + turns[0][1] + hh(turns[1:])
    return hh(turns)


def turns_of(item, cand):
    msgs = cand.get("messages")
    if msgs:
        t = [(m["role"], m["content"]) for m in msgs]
    elif item.get("messages"):
        t = [(m["role"], m["content"]) for m in item["messages"]]
    elif item.get("prompt") is not None:
        t = [("user", item["prompt"])]
    else:
        t = []
    if not t or t[-1][0] != "assistant" or msgs is None:
        t.append(("assistant", cand["text"]))
    return t


def prompt_len(a, b):
    p = 0
    while p < len(a) and p < len(b) and a[p] == b[p]:
        p += 1
    p = min(p, len(a) - 1, len(b) - 1)
    while p > 0 and a[p - 1][0] != "user":
        p -= 1
    return p


def main(argv):
    flatten = "--flatten" in argv
    argv = [a for a in argv if a != "--flatten"]
    out_path = argv[argv.index("-o") + 1]
    del argv[argv.index("-o") : argv.index("-o") + 2]
    cand_path, logs = argv[0], argv[1:]

    items, order = {}, {}
    with open(cand_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                it = json.loads(line)
                order[it["id"]] = len(order)
                items[it["id"]] = it

    # Latest wins per annotator and task.
    standing = {}
    for path in logs:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                e = json.loads(line)
                if e["task"] != "pair":
                    continue
                key = (e["annotator"], e["item"], tuple(sorted(e["pair"])))
                if e.get("retract"):
                    standing.pop(key, None)
                else:
                    standing.pop(key, None)
                    standing[key] = e

    # Votes per pair: (item, lo, hi) -> [(pref, margin)].
    margins = [0.0, 1.0, 2.0, 3.0]
    votes = {}
    for (annotator, item_id, _), e in standing.items():
        if e.get("skip") or item_id not in items:
            continue
        ids = [c["id"] for c in items[item_id]["candidates"]]
        l, r = e["pair"]
        c = e.get("choice")
        if l not in ids or r not in ids or c in ("tie", "both_bad") or c not in (l, r):
            continue
        w, lo_ = ids.index(c), ids.index(r if c == l else l)
        lo, hi = min(w, lo_), max(w, lo_)
        s = e.get("strength")
        m = margins[s - 1] if s in (1, 2, 3, 4) else None
        votes.setdefault((order[item_id], lo, hi), []).append(("lo" if w == lo else "hi", m))

    rows = []
    any_margin = False
    for (i, lo, hi), vs in sorted(votes.items()):
        for pref in ("lo", "hi"):
            agree = [v for v in vs if v[0] == pref]
            if 2 * len(agree) > len(vs):
                ms = [m for _, m in agree if m is not None]
                margin = sum(ms) / len(ms) if ms else None
                any_margin = any_margin or margin is not None
                ch, rj = (lo, hi) if pref == "lo" else (hi, lo)
                rows.append((i, ch, rj, margin))

    by_pos = list(items.values())
    with open(out_path, "w", encoding="utf-8") as out:
        for i, ch, rj, margin in rows:
            item = by_pos[i]
            a = turns_of(item, item["candidates"][ch])
            b = turns_of(item, item["candidates"][rj])
            n = prompt_len(a, b)
            single = n == 1 and a[0][0] == "user" and len(a) == 2 and len(b) == 2
            if single and not flatten:
                row = {"prompt": a[0][1], "chosen": a[1][1], "rejected": b[1][1]}
            else:
                row = {
                    "prompt": hh(a[:n]) + "\n\nAssistant:",
                    "chosen": hh_answer(a[n:]),
                    "rejected": hh_answer(b[n:]),
                }
            if any_margin:
                row["margin"] = margin if margin is not None else 0.0
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    print("export_trl.py: wrote %d pairs to %s" % (len(rows), out_path), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
