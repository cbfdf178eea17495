"""Loads a prefer export with Hugging Face `datasets` and checks what TRL's reward and DPO
trainers read, as TRL's own `is_conversational`, `extract_prompt` and tokenisation steps do.

Usage: check_trl.py FORMAT PATH EXPECTED_ROWS [FORMAT PATH EXPECTED_ROWS ...]
Exit 0 and print "ok ..." for each file that passes; raise on the first problem. A PATH
ending in .parquet is loaded as Parquet and must give the same rows as the JSON Lines file of
the same name beside it.
"""
import os
import sys

import datasets


def is_conversational(example):
    # TRL's data_utils.is_conversational: a known key holding a list of {role, content} dicts.
    for key in ("prompt", "chosen", "rejected", "completion", "messages"):
        v = example.get(key)
        if isinstance(v, list) and v and isinstance(v[0], dict) and "role" in v[0] and "content" in v[0]:
            return True
    return False


def without_nulls(v):
    if isinstance(v, dict):
        return {k: without_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [without_nulls(x) for x in v]
    return v


def check_card(path, ds, expected):
    """The dataset card beside `path`, when it describes `path`: its YAML front matter parses,
    the folder loads as the Hub loads it, and its features are the columns `datasets` found."""
    import yaml

    readme = os.path.join(os.path.dirname(path), "README.md")
    if not os.path.exists(readme):
        return ""
    text = open(readme, encoding="utf-8").read()
    assert text.startswith("---\n"), text[:40]
    meta = yaml.safe_load(text.split("---\n")[1])
    files = meta["configs"][0]["data_files"]
    if files[0]["path"] != os.path.basename(path):
        return ""
    info = meta["dataset_info"]
    assert info["splits"][0]["num_examples"] == expected, info["splits"]
    assert meta["task_categories"] and meta["size_categories"] == ["n<1K"], meta
    features = datasets.Features._from_yaml_list(info["features"])
    assert features == ds.features, f"card: {features} != {ds.features}"
    hub = datasets.load_dataset(os.path.dirname(path), split="train")
    assert hub.num_rows == expected and hub.features == ds.features, hub
    assert "## How it was made" in text
    return ", card"


def check(fmt, path, expected):
    kind = "parquet" if path.endswith(".parquet") else "json"
    ds = datasets.load_dataset(kind, data_files=path, split="train")
    if expected is not None:
        assert ds.num_rows == expected, f"{ds.num_rows} rows, expected {expected}"
    cols = set(ds.column_names)
    json_beside = path[: -len(".parquet")] + ".jsonl"
    if kind == "parquet" and os.path.exists(json_beside):
        as_json = datasets.load_dataset("json", data_files=json_beside, split="train")
        assert ds.column_names == as_json.column_names, (ds.column_names, as_json.column_names)
        # Where the JSON loader gives each row's objects as they are (its Json feature, for
        # objects of many shapes such as the log events of `rankings`), Parquet has one struct
        # with every key, null where a row has none: a missing key and a null are the same row.
        a, b = [without_nulls(r) for r in ds.to_list()], [without_nulls(r) for r in as_json.to_list()]
        assert a == b, "the Parquet rows differ from the JSON Lines rows"
        plain = lambda f: "Json" not in repr(f)
        if plain(as_json.features):
            assert ds.features == as_json.features, f"{ds.features} != {as_json.features}"

    def check_margin():
        if "margin" in cols:
            dtype = ds.features["margin"].dtype
            assert dtype in ("float64", "float32"), f"margin is {dtype}, TRL needs a float"
            assert all(isinstance(m, float) for m in ds["margin"])

    if fmt in ("trl", "hh"):
        need = {"chosen", "rejected"} | ({"prompt"} if fmt == "trl" else set())
        assert need <= cols, f"columns {sorted(cols)} lack {sorted(need - cols)}"
        for ex in ds:
            assert not is_conversational(ex), "plain-text format looks conversational"
            for k in need:
                assert isinstance(ex[k], str), f"{k} is {type(ex[k]).__name__}, not a string"
            if fmt == "hh":
                # TRL's extract_prompt (implicit prompt): the longest common prefix is the prompt.
                c, r = ex["chosen"], ex["rejected"]
                assert c.startswith("\n\nHuman: ") and r.startswith("\n\nHuman: "), c[:40]
                assert "\n\nAssistant: " in c and "\n\nAssistant: " in r
                i = 0
                while i < min(len(c), len(r)) and c[i] == r[i]:
                    i += 1
                assert i > 0, "chosen and rejected share no prompt"
        check_margin()
    elif fmt == "trl-chat":
        assert {"prompt", "chosen", "rejected"} <= cols, sorted(cols)
        for ex in ds:
            assert is_conversational(ex), "conversational format not recognised as such"
            for k in ("prompt", "chosen", "rejected"):
                assert isinstance(ex[k], list) and ex[k], f"{k} is not a non-empty list"
                for m in ex[k]:
                    assert set(m) >= {"role", "content"}, m
                    assert isinstance(m["role"], str) and isinstance(m["content"], str), m
            assert ex["prompt"][-1]["role"] == "user", "the prompt must end with a user turn"
            for k in ("chosen", "rejected"):
                assert ex[k][0]["role"] == "assistant" and ex[k][-1]["role"] == "assistant", ex[k]
        check_margin()
    elif fmt == "rankings":
        assert {"item", "prompt", "candidates", "ranking", "decisions"} <= cols, sorted(cols)
        for ex in ds:
            ids = {c["id"] for c in ex["candidates"]}
            for tier in ex["ranking"]:
                assert set(tier) <= ids, (tier, ids)
            assert ex["decisions"], "an item line without decisions"
    elif fmt == "ratings":
        assert {"item", "prompt", "candidates"} <= cols, sorted(cols)
        for ex in ds:
            for c in ex["candidates"]:
                assert c["mean"] is None or isinstance(c["mean"], float), c
                for r in c["ratings"]:
                    assert isinstance(r["annotator"], str) and isinstance(r["rating"], int), r
    elif fmt == "kto":
        # TRL's KTOTrainer: unpaired preference rows, `label` a bool; conversational when the
        # prompt and completion are lists of messages (the prompt ending with a user turn).
        assert {"prompt", "completion", "label"} <= cols, sorted(cols)
        assert ds.features["label"].dtype == "bool", ds.features["label"]
        conv = [is_conversational(ex) for ex in ds]
        assert all(conv) or not any(conv), "some rows conversational, some not"
        for ex in ds:
            if conv[0]:
                assert ex["prompt"] and ex["prompt"][-1]["role"] == "user", ex["prompt"]
                assert ex["completion"] and ex["completion"][0]["role"] == "assistant", ex
            else:
                assert isinstance(ex["prompt"], str) and isinstance(ex["completion"], str), ex
        labels = ds["label"]
        assert True in labels and False in labels, "KTO needs desirable and undesirable rows"
        seen = set()
        for ex in ds:
            key = repr((ex["prompt"], ex["completion"]))
            assert key not in seen, f"a prompt and completion twice: {key[:80]}"
            seen.add(key)
    elif fmt in ("llamafactory", "llamafactory-kto"):
        # LLaMA-Factory's SharegptDatasetConverter (src/llamafactory/data/converter.py), with the
        # entry that registers the file in dataset_info.json beside it.
        import json

        info_path = os.path.join(os.path.dirname(path), "dataset_info.json")
        with open(info_path) as f:
            info = json.load(f)
        name = os.path.splitext(os.path.basename(path))[0]
        entry = info[name]
        # The JSON Lines and the Parquet file of one name share the entry: the last written.
        assert os.path.splitext(entry["file_name"])[0] == name, entry
        assert entry["formatting"] == "sharegpt", entry
        kto = fmt == "llamafactory-kto"
        assert entry.get("ranking", False) == (not kto), entry
        columns = entry["columns"]
        tags = entry.get("tags", {})
        role, content = tags.get("role_tag", "from"), tags.get("content_tag", "value")
        user, assistant = tags.get("user_tag", "human"), tags.get("assistant_tag", "gpt")
        system = tags.get("system_tag", "system")
        odd = (user, tags.get("observation_tag", "observation"))
        even = (assistant, tags.get("function_tag", "function_call"))
        assert set(columns.values()) <= cols, (columns, sorted(cols))
        for ex in ds:
            messages = ex[columns["messages"]]
            if messages and messages[0][role] == system:
                messages = messages[1:]
            for i, m in enumerate(messages):
                assert m[role] in (odd, even)[i % 2], f"invalid role tag in {messages}"
                assert isinstance(m[content], str), m
            if kto:
                assert len(messages) % 2 == 0, f"invalid message count in {messages}"
                assert isinstance(ex[columns["kto_tag"]], bool), ex
            else:
                assert len(messages) % 2 == 1, f"invalid message count in {messages}"
                for k in ("chosen", "rejected"):
                    m = ex[columns[k]]
                    assert isinstance(m, dict) and m[role] in even, m
                    assert isinstance(m[content], str), m
    elif fmt == "h4":
        # HuggingFaceH4/ultrafeedback_binarized's columns, as the alignment-handbook reads them.
        import hashlib

        want = {"prompt", "prompt_id", "chosen", "rejected", "messages", "score_chosen", "score_rejected"}
        assert cols == want, sorted(cols)
        for k in ("score_chosen", "score_rejected"):
            assert ds.features[k].dtype == "float64", ds.features[k]
        for ex in ds:
            assert ex["prompt_id"] == hashlib.sha256(ex["prompt"].encode("utf-8")).hexdigest()
            assert is_conversational(ex)
            for k in ("chosen", "rejected"):
                assert ex[k][-1]["role"] == "assistant", ex[k]
                users = [m["content"] for m in ex[k] if m["role"] == "user"]
                assert users[-1] == ex["prompt"], (users, ex["prompt"])
            assert ex["chosen"][:-1] == ex["rejected"][:-1], "chosen and rejected differ before the answer"
            assert ex["messages"] == ex["chosen"]
            assert ex["score_chosen"] >= ex["score_rejected"], ex
    else:
        raise SystemExit(f"unknown format {fmt}")
    card = check_card(path, ds, expected)
    print(f"ok {fmt} ({kind}{card}): {ds.num_rows} rows, columns {sorted(cols)}")


args = sys.argv[1:]
assert args and len(args) % 3 == 0, __doc__
for i in range(0, len(args), 3):
    check(args[i], args[i + 1], int(args[i + 2]))
