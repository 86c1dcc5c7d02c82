"""Benchmark: loading the active exam package of 2,000 items into a rissd node (target
<= 200 ms). A throw-away PostgreSQL gets a generated 2,000-item SG bank (riss bank generate
--items 2000 --seed 7) turned into the item interchange format with Japanese and English
text of demo length, imported, published (riss bank publish --exam SG) and activated; then
tests/bench/pkg_load.c times the load. Prints figures; asserts nothing."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from test_exam_lib import private_stack  # noqa: E402
from rissd_harness import BUILD, riss  # noqa: E402

ITEM_CODE = {"countermeasures": "measures"}  # exam domain -> item code (exam-engine/cat_vocab.c)


def text(kind, i, n_ja, n_en):
    return {"ja": (f"{kind}{i}：" + "情報セキュリティの管理策に関する記述" * 40)[:n_ja].strip(),
            "en": (f"{kind} {i}: " + "a statement about information security controls " * 20)[:n_en].strip()}


def item_file(bank_lines):
    out = [json.dumps({"record": "meta", "format": "riss-items", "format_version": 1, "exam": "SG",
                       "title": "generated 2,000-item bank"}, ensure_ascii=False)]
    scen = 0
    items = []
    for k, line in enumerate(bank_lines):
        b = json.loads(line)
        part = b["part"]
        sid = None
        if part == "B":
            if k % 4 == 0 or scen == 0:
                scen += 1
                out.append(json.dumps({"record": "scenario", "id": f"GS-{scen:04d}", "version": 1, "exam": "SG",
                                       "title": text("事例", scen, 20, 40), "passage": text("本文", scen, 600, 900),
                                       "author": "gen", "reviewer": "rev"}, ensure_ascii=False))
            sid = f"GS-{scen:04d}"
        code = "management" if part == "B" else ITEM_CODE.get(b["domain"], b["domain"])
        model = b["model"]
        items.append({"record": "item", "id": b["id"], "version": 1, "exam": "SG", "status": b["status"],
                      "type": "single_choice", "domain": code, "part": part, **({"scenario": sid} if sid else {}),
                      "enemy": [], "stem": text("問", k, 90, 160),
                      "options": [text("選択肢", j, 40, 70) for j in range(4)], "key": k % 4,
                      "rationale": text("解説", k, 120, 200), "author": "gen", "reviewer": "rev",
                      "params": {"model": model, "a": min(round(b["a"], 4), 4.0), "b": max(-6, min(6, round(b["b"], 4))),
                                 "c": round(b.get("c", 0), 4) if model == "3pl" else 0.0}})
    # scenarios first, each followed by its items (the canonical order is not required)
    return "\n".join(out + [json.dumps(i, ensure_ascii=False) for i in items]) + "\n"


def main():
    tmp = tempfile.mkdtemp(prefix="riss-pkg-load-")
    pg, conf = private_stack(tmp, package=False)
    try:
        bank = riss("bank", "generate", "--items", "2000", "--seed", "7", config=conf).stdout.splitlines()
        path = os.path.join(tmp, "items.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.write(item_file(bank))
        r = riss("bank", "import", path, "--actor", "bench", config=conf, check=False)
        if r.returncode != 0:
            print(r.stderr[-2000:])
            return 1
        t0 = time.monotonic()
        r = riss("bank", "publish", "--exam", "SG", "--activate", "--json", config=conf, check=False)
        if r.returncode != 0:
            print(r.stderr[-2000:])
            return 1
        pub = json.loads(r.stdout)
        size = subprocess.run(["psql", pg.conninfo, "-qAtc", f"SELECT octet_length(document) FROM bank.packages "
                               f"WHERE id = {pub['id']}"], capture_output=True, text=True).stdout.strip()
        print(f"pkg_load: published package {pub['id']}: {pub['items']} items, document {int(size) / 1e6:.1f} MB, "
              f"publish (with Sympson-Hetter, {pub['sympson_hetter']['rounds']} rounds) {time.monotonic() - t0:.1f} s")
        out = subprocess.run([os.path.join(BUILD, "tests", "bench", "bench-pkg-load"), "7"],
                             env=dict(os.environ, RISS_CONFIG=conf), capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr.strip())
        return out.returncode
    finally:
        pg.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
