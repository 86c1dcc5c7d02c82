#!/usr/bin/env bash
# Demo data for the statistics (idempotent: does nothing once loaded): a year of simulated SG
# sittings (at least 20,000 results at 12 centres in 11 prefectures, through the adaptive
# engine on the exam package 20_bank.sh published and activated), bookings of people who cancelled or did not come
# and bookings to come, 3,000 registrants since 2017 with renewals, lapses and cancellations,
# and their training completions (the courses of 50_cpd.sh). `riss demo --help` says more.
# RISS_DEMO_RESULTS and RISS_DEMO_SEED change the size and the seed.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
RISS="${RISS:-$ROOT/build/cli/riss}"
CONF="${RISS_CONFIG:-$ROOT/var/riss.conf}"
export RISS_CONFIG="$CONF"
cd "$ROOT"
"$RISS" demo --seed "${RISS_DEMO_SEED:-1}" --results "${RISS_DEMO_RESULTS:-20000}"

# riss demo writes its registrants straight into the register; give each active one a live
# credential through riss-signd, as the registrar's desk would (riss credential issue
# --missing: status entry, transparency-log leaf and audit row), so export-ob3 and the verify
# page work for them too. Nothing to do once they hold one.
. "$ROOT/deploy/demo/signd.bash"   # conf, SOCK, KEYS, demo_signd_start/stop
demo_signd_start
trap demo_signd_stop EXIT
"$RISS" credential issue --missing
