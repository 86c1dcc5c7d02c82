#!/usr/bin/env bash
# Demo data for continuing training (idempotent): the agency's own provider (online courses
# for each fiscal year and its 実践講習) and a private 特定講習 provider, approved with
# `riss provider add` (their API keys in var/demo/providers/<name>.json, for the /provider
# tour), a course catalogue and completions. With the registration dates of 40_registry.sh
# (000001 and 000003 start their cycle on 2026-04-01, 000002 on 2024-10-01, 000004 on
# 2024-04-01, 000006 on 2025-10-01) the standings from 2026-10-20 to 2027-09-30 are:
# 000002 renewable (all four duties), 000001, 000003 and 000006 on track (this year's online
# course done), 000004 overdue (no online course in its second year, 2025-04-01..2026-03-31).
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
RISS="${RISS:-$ROOT/build/cli/riss}"
CONF="${RISS_CONFIG:-$ROOT/var/riss.conf}"
export RISS_CONFIG="$CONF"
conf() { sed -n "s/^$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" "$CONF" | tail -1; }
DB_URL="$(conf db_url)"
OUT="${RISS_DEMO_OUT:-$(dirname "$CONF")/demo}/providers"
psql_q() { psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
mkdir -p "$OUT"
chmod 700 "$OUT"

# provider FILE NAME_JA NAME_EN [riss provider add options]: approve it once; when the key
# file is missing (a new checkout on an old database), issue a new key into it.
provider() {
	local file="$OUT/$1.json" ja="$2" en="$3"
	shift 3
	local id
	id="$(psql_q -c "SELECT id FROM cpd.providers WHERE name_ja = '$ja'")"
	if [ -z "$id" ]; then
		(umask 077; "$RISS" provider add "$ja" --name-en "$en" --json "$@" >"$file")
		echo "cpd demo: provider '$en' approved; API key in $file" >&2
	elif [ ! -s "$file" ]; then
		(umask 077; "$RISS" provider rotate-key "$id" --json >"$file")
		echo "cpd demo: provider '$en' has a new API key in $file" >&2
	fi
}
provider agency "独立行政法人情報処理推進機構" "Information-technology Promotion Agency, Japan (IPA)" \
	--agency --from 2016-10-01 --contact "継続講習 担当" --email cpd@ipa.example --phone 03-0000-0001
provider academy "セキュリティ演習アカデミー株式会社" "Security Drill Academy Co., Ltd." \
	--from 2024-04-01 --until 2028-03-31 --contact "研修事務局" --email kosyu@academy.example --phone 03-0000-0002

if [ "$(psql_q -c "SELECT count(*) FROM cpd.courses")" = "0" ]; then
psql_q <<'SQL'
BEGIN;
CREATE TEMP TABLE demo_courses (provider text, code text, kind text, ja text, en text, hours numeric, years int[]) ON COMMIT DROP;
INSERT INTO demo_courses VALUES
 ('独立行政法人情報処理推進機構', 'ONL-2024', 'online', '2024年度 オンライン講習', 'Online course FY2024', 6, '{2024}'),
 ('独立行政法人情報処理推進機構', 'ONL-2025', 'online', '2025年度 オンライン講習', 'Online course FY2025', 6, '{2025}'),
 ('独立行政法人情報処理推進機構', 'ONL-2026', 'online', '2026年度 オンライン講習', 'Online course FY2026', 6, '{2026}'),
 ('独立行政法人情報処理推進機構', 'PRA-IPA', 'practical', '実践講習（インシデント対応）', 'Practical course (incident response)', 6, '{2024,2025,2026,2027}'),
 ('セキュリティ演習アカデミー株式会社', 'TK-IR', 'practical', '特定講習 インシデント対応演習', 'Designated course: incident response drill', 7, '{2025,2026}'),
 ('セキュリティ演習アカデミー株式会社', 'TK-CLOUD', 'practical', '特定講習 クラウドセキュリティ実践', 'Designated course: cloud security in practice', 6.5, '{2026,2027}');
INSERT INTO cpd.courses (provider_id, code, kind, title_ja, title_en, hours, cycle_years, created_by)
  SELECT p.id, c.code, c.kind, c.ja, c.en, c.hours, c.years, 'demo:provider' FROM demo_courses c
  JOIN cpd.providers p ON p.name_ja = c.provider;
INSERT INTO cpd.designations (course_id, fiscal_year, designation_no, designated_by)
  SELECT c.id, d.fy, d.no, 'demo:registrar' FROM (VALUES ('TK-IR', 2025, 'TK-2025-014'), ('TK-IR', 2026, 'TK-2026-007'),
    ('TK-CLOUD', 2026, 'TK-2026-021')) AS d(code, fy, no) JOIN cpd.courses c ON c.code = d.code;
-- Completions as the providers log them (accepted on receipt).
CREATE TEMP TABLE demo_done (provider text, rec text, regno char(6), code text, on_ date, hours numeric) ON COMMIT DROP;
INSERT INTO demo_done VALUES
 ('独立行政法人情報処理推進機構', 'IPA-ONL-2024-0417', '000002', 'ONL-2024', '2025-01-20', 6),
 ('独立行政法人情報処理推進機構', 'IPA-ONL-2025-0417', '000002', 'ONL-2025', '2025-11-10', 6),
 ('独立行政法人情報処理推進機構', 'IPA-ONL-2026-0417', '000002', 'ONL-2026', '2026-10-20', 6),
 ('セキュリティ演習アカデミー株式会社', 'SDA-2025-0831-07', '000002', 'TK-IR', '2025-08-30', 7),
 ('独立行政法人情報処理推進機構', 'IPA-ONL-2026-0001', '000001', 'ONL-2026', '2026-06-15', 6),
 ('独立行政法人情報処理推進機構', 'IPA-ONL-2026-0123', '000003', 'ONL-2026', '2026-07-03', 6),
 ('独立行政法人情報処理推進機構', 'IPA-ONL-2024-0550', '000004', 'ONL-2024', '2024-07-01', 6),
 ('独立行政法人情報処理推進機構', 'IPA-ONL-2025-0777', '000006', 'ONL-2025', '2025-12-10', 6);
INSERT INTO cpd.completions (provider_id, provider_record_id, regno, course_id, completed_on, hours, via, state, posted_at)
  SELECT p.id, d.rec, d.regno, c.id, d.on_, d.hours, 'api', 'accepted', now() FROM demo_done d
  JOIN cpd.providers p ON p.name_ja = d.provider JOIN cpd.courses c ON c.provider_id = p.id AND c.code = d.code;
INSERT INTO audit.events (actor, role, action, object, detail)
  SELECT 'demo:provider', 'provider', 'cpd.completions.submit', 'provider:' || p.id, '{"demo": true}'::jsonb
  FROM cpd.providers p;
COMMIT;
SQL
echo "cpd demo: courses, 特定講習 designations and completions (000002 renewable, 000004 overdue)" >&2
fi
