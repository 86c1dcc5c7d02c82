#!/usr/bin/env bash
# Demo data for renewal (re-running replaces the codes): reminder addresses and languages
# for the demo registrants 000001-000003, and a one-time /me activation code for each,
# written to var/demo/me-codes.txt (the registrar desk would print or mail them).
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
RISS="${RISS:-$ROOT/build/cli/riss}"
CONF="${RISS_CONFIG:-$ROOT/var/riss.conf}"
export RISS_CONFIG="$CONF"
OUT="$(dirname "$CONF")/demo"
mkdir -p "$OUT"
: >"$OUT/me-codes.txt"
for r in 000001:ja 000002:en 000003:ja; do
	regno=${r%%:*} lang=${r##*:}
	code=$("$RISS" registrant activation-code "$regno" --email "registrant-$regno@example.invalid" --lang "$lang") || continue
	printf '%s %s\n' "$regno" "$code" >>"$OUT/me-codes.txt"
done
echo "demo /me activation codes in $OUT/me-codes.txt (activate at /me)"
