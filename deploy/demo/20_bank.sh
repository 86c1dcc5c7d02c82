#!/usr/bin/env bash
# Demo item bank (idempotent): import item-bank/demo/items.jsonl into the bank (re-running
# changes nothing: unchanged items are left alone) and, when the SG exam has no active exam
# package yet, publish the demo bank as the first package and activate it (the demo window of
# 30_exam.sh then serves it); its engine bank goes to var/bank/sg.jsonl (the bank/ folder
# beside the settings file) for riss simulate and riss exposure. The demo bank is public by
# design; a real bank is secret.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
RISS="${RISS:-$ROOT/build/cli/riss}"
CONF="${RISS_CONFIG:-$ROOT/var/riss.conf}"
OUT="$(dirname "$CONF")/bank"
cd "$ROOT"
"$RISS" bank import item-bank/demo/items.jsonl --actor demo-loader
mkdir -p "$OUT"
if ! "$RISS" exam packages --exam SG | awk '$6 == "active" { found = 1 } END { exit !found }'; then
	"$RISS" bank publish --exam SG --activate --actor demo-loader --sh-examinees 500 --sh-rounds 4 --out "$OUT/sg.jsonl"
fi
