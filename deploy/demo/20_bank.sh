#!/usr/bin/env bash
# Demo item bank (idempotent): import item-bank/demo/items.jsonl into the bank (re-running
# changes nothing: unchanged items are left alone) and publish the engine's bank file for
# the SG exam to var/bank/sg.jsonl (the bank/ folder beside the settings file, so a test with
# its own settings keeps its own). The demo bank is public by design; a real bank is secret.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
RISS="${RISS:-$ROOT/build/cli/riss}"
CONF="${RISS_CONFIG:-$ROOT/var/riss.conf}"
OUT="$(dirname "$CONF")/bank"
cd "$ROOT"
"$RISS" bank import item-bank/demo/items.jsonl --actor demo-loader
mkdir -p "$OUT"
"$RISS" bank publish --exam exam-engine/exams/sg.json --out "$OUT/sg.jsonl"
