#!/usr/bin/env bash
# Demo item bank (idempotent): import item-bank/demo/items.jsonl into the bank (re-running
# changes nothing: unchanged items are left alone) and publish the engine's bank file for
# the SG exam to var/bank/sg.jsonl. The demo bank is public by design; a real bank is secret.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
RISS="${RISS:-$ROOT/build/cli/riss}"
cd "$ROOT"
"$RISS" bank import item-bank/demo/items.jsonl --actor demo-loader
mkdir -p var/bank
"$RISS" bank publish --exam exam-engine/exams/sg.json --out var/bank/sg.jsonl
