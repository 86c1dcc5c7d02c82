#!/usr/bin/env bash
# Demo data for exam delivery (idempotent): test centre TC-TOKYO-01 (proctor1's centre, see
# deploy/demo/10_staff.sh), an all-year SG window and three candidates booked for today,
# waiting for the proctor's identity check and admission at /proctor.
set -euo pipefail
"$RISS" exam seed --centre TC-TOKYO-01 --count 3 --prefix demo
