#!/usr/bin/env bash
# Demo data for continuing training (idempotent): the agency's own provider (online courses
# for each fiscal year and its 実践講習) and a private 特定講習 provider, approved with
# `riss provider add` (their API keys in var/demo/providers/<name>.json, for the /provider
# tour), a course catalogue and completions. Dates are counted from R0, the last
# registration date (1 April or 1 October) on or before today, as in 40_registry.sh, so the
# standings on the day the demo is loaded (and for the next months, until R0 + 6 months) are:
# 000001 renewable (all four duties of its cycle from R0 - 2 years done), 000002 on track
# (cycle from R0, this year's online course done), 000003 overdue (cycle from R0 - 1 year,
# no online course in its first year), 000006 on track (its first year's course done);
# 000004 (suspended) has missed its second year's course.
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
# R0 and the fiscal year (年度, April-March) it falls in.
today="$(TZ=Asia/Tokyo date +%F)"
y=${today%%-*} m=${today#*-}; m=${m%%-*}
if [ "${m#0}" -ge 10 ]; then R0="$y-10-01"; elif [ "${m#0}" -ge 4 ]; then R0="$y-04-01"; else R0="$((y - 1))-10-01"; fi

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
	--from "$(date -d "$R0 - 3 years" +%F)" --until "$(date -d "$R0 + 2 years" +%F)" --contact "研修事務局" --email kosyu@academy.example --phone 03-0000-0002

if [ "$(psql_q -c "SELECT count(*) FROM cpd.courses")" = "0" ]; then
psql_q -v r0="$R0" <<'SQL'
BEGIN;
CREATE TEMP TABLE demo_r0 ON COMMIT DROP AS
  SELECT :'r0'::date AS r0, extract(year FROM :'r0'::date - interval '3 months')::int AS fy;
CREATE TEMP TABLE demo_courses (provider text, code text, kind text, ja text, en text, hours numeric, years int[]) ON COMMIT DROP;
-- The agency's online course of each fiscal year from three years back to next year.
INSERT INTO demo_courses
  SELECT '独立行政法人情報処理推進機構', 'ONL-' || y, 'online', y || '年度 オンライン講習', 'Online course FY' || y, 6, ARRAY[y]
  FROM demo_r0, generate_series(fy - 3, fy + 1) AS y;
INSERT INTO demo_courses
  SELECT '独立行政法人情報処理推進機構', 'PRA-IPA', 'practical', '実践講習（インシデント対応）', 'Practical course (incident response)', 6,
         ARRAY[fy - 3, fy - 2, fy - 1, fy, fy + 1] FROM demo_r0
  UNION ALL SELECT 'セキュリティ演習アカデミー株式会社', 'TK-IR', 'practical', '特定講習 インシデント対応演習',
         'Designated course: incident response drill', 7, ARRAY[fy - 2, fy - 1, fy] FROM demo_r0
  UNION ALL SELECT 'セキュリティ演習アカデミー株式会社', 'TK-CLOUD', 'practical', '特定講習 クラウドセキュリティ実践',
         'Designated course: cloud security in practice', 6.5, ARRAY[fy, fy + 1] FROM demo_r0;
INSERT INTO cpd.courses (provider_id, code, kind, title_ja, title_en, hours, cycle_years, created_by)
  SELECT p.id, c.code, c.kind, c.ja, c.en, c.hours, c.years, 'demo:provider' FROM demo_courses c
  JOIN cpd.providers p ON p.name_ja = c.provider;
INSERT INTO cpd.designations (course_id, fiscal_year, designation_no, designated_by)
  SELECT c.id, d.y, format('TK-%s-%s', d.y, d.no), 'demo:registrar'
  FROM demo_r0, LATERAL (VALUES ('TK-IR', fy - 2, '014'), ('TK-IR', fy - 1, '009'), ('TK-IR', fy, '007'),
                                ('TK-CLOUD', fy, '021')) AS d(code, y, no)
  JOIN cpd.courses c ON c.code = d.code;
-- Completions as the providers log them (accepted on receipt); the online course is the
-- one of the fiscal year of completion.
CREATE TEMP TABLE demo_done (provider text, rec text, regno char(6), code text, on_ date, hours numeric) ON COMMIT DROP;
INSERT INTO demo_done
  SELECT v.provider, v.rec, v.regno,
         CASE WHEN v.code = 'ONL' THEN 'ONL-' || extract(year FROM v.on_ - interval '3 months') ELSE v.code END,
         v.on_, v.hours
  FROM demo_r0, LATERAL (VALUES
   ('独立行政法人情報処理推進機構', 'IPA-ONL-0001-1', '000001', 'ONL', (r0 - interval '21 months' + interval '14 days')::date, 6),
   ('独立行政法人情報処理推進機構', 'IPA-ONL-0001-2', '000001', 'ONL', (r0 - interval '10 months')::date, 6),
   ('セキュリティ演習アカデミー株式会社', 'SDA-IR-0001', '000001', 'TK-IR', (r0 - interval '7 months' + interval '2 days')::date, 7),
   ('独立行政法人情報処理推進機構', 'IPA-ONL-0001-3', '000001', 'ONL', r0, 6),
   ('独立行政法人情報処理推進機構', 'IPA-ONL-0417-1', '000002', 'ONL', r0, 6),
   ('独立行政法人情報処理推進機構', 'IPA-ONL-0550-1', '000004', 'ONL', (r0 - interval '20 months')::date, 6),
   ('独立行政法人情報処理推進機構', 'IPA-ONL-0777-1', '000006', 'ONL', (r0 - interval '10 months' + interval '9 days')::date, 6)
  ) AS v (provider, rec, regno, code, on_, hours);
INSERT INTO cpd.completions (provider_id, provider_record_id, regno, course_id, completed_on, hours, via, state, posted_at)
  SELECT p.id, d.rec, d.regno, c.id, d.on_, d.hours, 'api', 'accepted', now() FROM demo_done d
  JOIN cpd.providers p ON p.name_ja = d.provider JOIN cpd.courses c ON c.provider_id = p.id AND c.code = d.code;
INSERT INTO audit.events (actor, role, action, object, detail)
  SELECT 'demo:provider', 'provider', 'cpd.completions.submit', 'provider:' || p.id, '{"demo": true}'::jsonb
  FROM cpd.providers p;
COMMIT;
SQL
echo "cpd demo: courses, 特定講習 designations and completions (000001 renewable, 000002 on track, 000003 overdue)" >&2
fi
