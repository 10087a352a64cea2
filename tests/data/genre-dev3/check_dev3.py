#!/usr/bin/env python3
"""Validate the third development set r01.json ... r08.json (adapted from
genre-dev2/check_heldout.py).

Usage: python3 check_dev3.py [--table] [--divisions DIR] [--dev DIR]

Checks: JSON structure, exact substrings for every surface form and evidence,
relation endpoints and types, division codes (existence, name, parent chain),
punctuation convention, Traditional script for r08, overlap with the dev sets.
Exits non-zero if any error is found.
"""
import csv
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DIV = "/work/shared/data/divisions"
DEV = "/work/shared/data/genre-dev"
DEV2 = "/work/main/tests/data/genre-dev2"
SAMPLES = "/work/shared/samples"
args = sys.argv[1:]
if "--divisions" in args:
    DIV = args[args.index("--divisions") + 1]
if "--dev" in args:
    DEV = args[args.index("--dev") + 1]

TYPES = {"Person", "Place", "Organization", "Programme"}
PREDS = {
    # predicate: (allowed subject types, allowed object types)
    "containedInPlace": ({"Place"}, {"Place"}),
    "holdsPost": ({"Person"}, {"Organization", "Place"}),
    "locatedIn": ({"Organization"}, {"Place"}),
    "implements": ({"Organization", "Place"}, {"Programme"}),
    "partOfProgramme": ({"Programme"}, {"Programme"}),
    "issuedBy": ({"Programme"}, {"Organization"}),
    "author": ({"Person"}, {"ARTICLE"}),
    "editor": ({"Person"}, {"ARTICLE"}),
}
# Traditional -> Simplified, only for characters used in r08 place names.
T2S = str.maketrans({"瑤": "瑶", "縣": "县", "關": "关", "廣": "广", "東": "东",
                     "鎮": "镇", "團": "团", "結": "结", "粵": "粤",
                     "開": "开", "慶": "庆", "聯": "联", "崗": "岗", "長": "长"})
# Simplified forms that must not appear in the Traditional article.
SIMPLIFIED_ONLY = set("县镇关广东团结乡兴项带书记长产业发农万区会协门说这个们为来时对动员务进经济环现实专华听"
                      "统训计销营达带妇孙见几钱两岁绣锦办绍总级设组织资会护铺师钟岭边马鸟鱼龙车贝")


def load_divisions():
    names = {}
    def rd(fn, width):
        with open(os.path.join(DIV, fn), encoding="utf-8") as f:
            for row in csv.DictReader(f):
                c = row["code"]
                names[c + "0" * (12 - len(c))] = row["name"]
    rd("provinces.csv", 2)
    rd("cities.csv", 4)
    rd("areas.csv", 6)
    rd("streets.csv", 9)
    with open(os.path.join(DIV, "villages.csv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("44") or line.startswith("11") or line.startswith("31") or line.startswith("46"):
                code, name = line.split(",", 2)[:2]
                names[code] = name.strip('"')
    return names


def level(code):
    if code[2:] == "0" * 10:
        return 1
    if code[4:] == "0" * 8:
        return 2
    if code[6:] == "0" * 6:
        return 3
    if code[9:] == "000":
        return 4
    return 5


def ancestor(code, lvl):
    keep = {1: 2, 2: 4, 3: 6, 4: 9}[lvl]
    return code[:keep] + "0" * (12 - keep)


def name_ok(surface, official, lvl):
    s = surface.translate(T2S)
    if s == official:
        return True
    if lvl <= 3:
        # short forms: 韶关 for 韶关市, 北京 for 北京市, 海南 for 海南省
        for suf in ("省", "市", "县", "区"):
            if official == s + suf:
                return True
        return False
    if lvl == 4:
        return False
    stem = re.sub(r"(村民委员会|居民委员会|村委会|居委会)$", "", official)
    return s in (stem, stem + "村", stem + "社区") and s != stem + "村村"


def main():
    names = load_divisions()
    dev_texts = []
    for d in (DEV, DEV2, SAMPLES):
        if os.path.isdir(d):
            for fn in sorted(os.listdir(d)):
                p = os.path.join(d, fn)
                if fn.endswith(".json"):
                    dev_texts.append((fn, json.load(open(p, encoding="utf-8"))["text"]))
                elif fn.endswith(".txt"):
                    dev_texts.append((fn, open(p, encoding="utf-8").read()))
    errors = []
    warnings = []
    rows = []
    files = sorted(f for f in os.listdir(HERE) if re.fullmatch(r"r\d\d\.json", f))
    for fn in files:
        def err(msg):
            errors.append(f"{fn}: {msg}")
        def warn(msg):
            warnings.append(f"{fn}: {msg}")
        try:
            doc = json.load(open(os.path.join(HERE, fn), encoding="utf-8"))
        except Exception as e:  # noqa
            err(f"JSON does not load: {e}")
            continue
        if set(doc) != {"id", "county", "text", "entities", "relations"}:
            err(f"keys {sorted(doc)}")
        if doc.get("id") != fn[:-5]:
            err("id does not match file name")
        text = doc["text"]
        if not 500 <= len(text) <= 1000:
            err(f"text length {len(text)} outside 500-1000")
        for ch in "，：；（）":
            if ch in text:
                err(f"full-width {ch} in text (convention is ASCII)")
        for ch in ",:;()":
            pass
        if fn == "r08.json":
            bad = sorted({c for c in text if c in SIMPLIFIED_ONLY})
            if bad:
                err(f"simplified characters in Traditional article: {''.join(bad)}")
        # copying check: any 14+ char run shared with dev set / samples
        for dname, dt in dev_texts:
            for i in range(len(text) - 14):
                chunk = text[i:i + 14]
                if "\n" not in chunk and chunk in dt:
                    warn(f"14-char overlap with {dname}: {chunk}")
                    break
        ents = doc["entities"]
        by_text = {}
        for e in ents:
            if set(e) != {"text", "type", "aliases", "code", "parent"}:
                err(f"entity keys {sorted(e)}")
            t = e["text"]
            if t in by_text:
                err(f"duplicate entity {t}")
            by_text[t] = e
            if e["type"] not in TYPES:
                err(f"bad type {e['type']} for {t}")
            if t not in text:
                err(f"entity text not in article: {t}")
            for a in e["aliases"]:
                if a not in text:
                    err(f"alias not in article: {a} ({t})")
                if a == t:
                    err(f"alias equals canonical: {a}")
            if e["type"] != "Place" and (e["code"] is not None or e["parent"] is not None):
                err(f"non-Place with code/parent: {t}")
        alias_owner = {}
        for e in ents:
            for a in e["aliases"]:
                if a in by_text:
                    err(f"alias {a} is also an entity text")
                if a in alias_owner:
                    err(f"alias {a} used by two entities")
                alias_owner[a] = e["text"]
        # places
        coded = 0
        for e in ents:
            if e["type"] != "Place":
                continue
            t, code, par = e["text"], e["code"], e["parent"]
            if code is not None:
                coded += 1
                if not re.fullmatch(r"\d{12}", code):
                    err(f"code not 12 digits: {t} {code}")
                    continue
                if code not in names:
                    err(f"code not in division data: {t} {code}")
                    continue
                lv = level(code)
                if not name_ok(t, names[code], lv):
                    err(f"name mismatch: {t} vs official {names[code]} ({code})")
                for a in e["aliases"]:
                    s = a.translate(T2S)
                    if not (names[code].startswith(s) or s.startswith(names[code][:2])):
                        warn(f"alias {a} of {t} does not look like a short form of {names[code]}")
                # every annotated ancestor should be the parent (nearest one)
                anc = [ancestor(code, l) for l in range(lv - 1, 0, -1)]
                coded_places = {p["code"]: p["text"] for p in ents if p["type"] == "Place" and p["code"]}
                nearest = next((coded_places[c] for c in anc if c in coded_places), None)
                if par is None and nearest is not None:
                    err(f"{t}: parent null but enclosing {nearest} is annotated")
            if par is not None:
                if par not in by_text or by_text[par]["type"] != "Place":
                    err(f"parent {par} of {t} is not an annotated Place")
                    continue
                pc = by_text[par]["code"]
                if code is not None and pc is not None:
                    lv = level(code)
                    plv = level(pc)
                    if plv >= lv or ancestor(code, plv) != pc:
                        err(f"parent chain wrong: {t} {code} -> {par} {pc}")
                    else:
                        # parent must be the nearest annotated ancestor
                        for l in range(lv - 1, plv, -1):
                            if any(p["code"] == ancestor(code, l) for p in ents if p["type"] == "Place"):
                                err(f"{t}: parent {par} skips an annotated level")
        # relations
        counts = {p: 0 for p in PREDS}
        for r in doc["relations"]:
            if set(r) != {"s", "p", "o", "post", "evidence"}:
                err(f"relation keys {sorted(r)}")
                continue
            p = r["p"]
            if p not in PREDS:
                err(f"bad predicate {p}")
                continue
            counts[p] += 1
            st, ot = PREDS[p]
            if r["s"] not in by_text:
                err(f"relation subject not an entity: {r['s']}")
            elif by_text[r["s"]]["type"] not in st:
                err(f"{p}: subject type {by_text[r['s']]['type']} ({r['s']})")
            if "ARTICLE" in ot:
                if r["o"] != "ARTICLE":
                    err(f"{p}: object must be ARTICLE")
            elif r["o"] not in by_text:
                err(f"relation object not an entity: {r['o']}")
            elif by_text[r["o"]]["type"] not in ot:
                err(f"{p}: object type {by_text[r['o']]['type']} ({r['o']})")
            if (p == "holdsPost") != (r["post"] is not None):
                err(f"post field wrong in {r}")
            ev = r["evidence"]
            if ev not in text:
                err(f"evidence not in text: {ev}")
            if r["s"] in by_text:
                forms = [r["s"]] + by_text[r["s"]]["aliases"]
                if not any(f in ev for f in forms):
                    err(f"subject {r['s']} not named in evidence: {ev}")
            if p == "holdsPost" and r["post"] and r["post"] not in ev:
                err(f"post {r['post']} not in evidence: {ev}")
            if p == "containedInPlace" and r["s"] in by_text and r["o"] in by_text:
                sc, oc = by_text[r["s"]]["code"], by_text[r["o"]]["code"]
                if sc and oc and (level(oc) >= level(sc) or ancestor(sc, level(oc)) != oc):
                    err(f"containedInPlace contradicts codes: {r['s']} -> {r['o']}")
        key = set()
        for r in doc["relations"]:
            k = (r["s"], r["p"], r["o"], r["post"])
            if k in key:
                err(f"duplicate relation {k}")
            key.add(k)
        tc = {t: sum(1 for e in ents if e["type"] == t) for t in TYPES}
        rows.append([fn[:-5], doc["county"], len(text), tc["Person"], tc["Place"], tc["Organization"],
                     tc["Programme"], len(ents), sum(len(e["aliases"]) for e in ents), coded,
                     len(doc["relations"])] + [counts[p] for p in PREDS])
    for w in warnings:
        print("WARNING", w)
    for e in errors:
        print("ERROR", e)
    if "--table" in args or not errors:
        head = ["id", "county", "chars", "Person", "Place", "Organization", "Programme", "entities",
                "aliases", "coded places", "relations"] + list(PREDS)
        print("| " + " | ".join(head) + " |")
        print("|---|---|" + "---:|" * (len(head) - 2))
        for r in rows:
            print("| " + " | ".join(str(x) for x in r) + " |")
        tot = ["**total**", ""] + [sum(r[i] for r in rows) for i in range(2, len(head))]
        print("| " + " | ".join(str(x) for x in tot) + " |")
    print(f"{len(files)} files, {len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
