#!/usr/bin/env bash
# Demo staff accounts for the private dev stack (idempotent). Passwords and TOTP secrets
# are public (docs/demo.md): never load this into a production database.
set -euo pipefail
add() { # username role display-name centre totp-secret
	printf '%s\n' "riss-demo-password" | "$RISS" staff add --if-missing --username "$1" --role "$2" \
		--display-name "$3" ${4:+--centre "$4"} --totp-secret "$5" >/dev/null
}
add proctor1 proctor "試験監督 一郎" TC-TOKYO-01 JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
add registrar1 registrar "登録担当 花子" "" KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU
add psychometrician1 psychometrician "測定担当 次郎" "" GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
add statistician1 statistician "統計担当 三郎" "" MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK
add auditor1 auditor "監査担当 四郎" "" ONSWG4TFOQYTEMZUONSWG4TFOQYTEMZU
echo "demo staff accounts ready (see docs/demo.md)"
