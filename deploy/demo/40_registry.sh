#!/usr/bin/env bash
# Demo data for the register (idempotent): six registrants 000001-000006 in several states,
# with credentials issued through riss-signd (token.jws + QR in var/demo/credentials/<regno>/).
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
RISS="${RISS:-$ROOT/build/cli/riss}"
CONF="${RISS_CONFIG:-$ROOT/var/riss.conf}"
export RISS_CONFIG="$CONF"
. "$ROOT/deploy/demo/signd.bash"   # conf, SOCK, KEYS, demo_signd_start/stop
DB_URL="$(conf db_url)"
OUT="${RISS_DEMO_OUT:-$(dirname "$CONF")/demo/credentials}"
psql_q() { psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

# The dates are counted back from R0, the last registration date (1 April or 1 October) on
# or before today in Japan, so that whenever the demo is loaded (today is in R0 .. R0 + 6
# months) the standings of 50_cpd.sh hold: 000001 is in the third year of its cycle with the
# renewal window open (valid from R0 - 2 years), 000002 has just begun its cycle (from R0),
# 000003 and 000006 are in their second year (from R0 - 1 year), 000004 in its third.
if [ "$(psql_q -c "SELECT count(*) FROM registry.registrants WHERE regno = '000001'")" = "0" ]; then
psql_q <<'SQL'
BEGIN;
CREATE TEMP TABLE demo_r0 ON COMMIT DROP AS
  SELECT CASE WHEN extract(month FROM t) >= 10 THEN make_date(extract(year FROM t)::int, 10, 1)
              WHEN extract(month FROM t) >= 4 THEN make_date(extract(year FROM t)::int, 4, 1)
              ELSE make_date(extract(year FROM t)::int - 1, 10, 1) END AS r0
  FROM (SELECT (now() AT TIME ZONE 'Asia/Tokyo')::date AS t) AS today;
CREATE TEMP TABLE demo_people (n int, exam_ref text, pass date, name text, kana text, latn text, dob date,
                               reg date, vfrom date, renewals int, pub text[]) ON COMMIT DROP;
INSERT INTO demo_people
SELECT n, exam_ref, (reg - pass_before)::date, name, kana, latn, dob::date, reg::date, vfrom::date, renewals, pub
FROM demo_r0, LATERAL (VALUES
 (1, 'demo-exam-0001', interval '3 months 16 days', '山田 太郎', 'ヤマダ タロウ', 'Yamada Taro', '1985-05-12', r0 - interval '2 years', r0 - interval '2 years', 0,
  ARRAY['name','name_latn','reg_date','valid_until','renewal_count']),
 (2, 'demo-exam-0417', interval '3 months 11 days', '佐藤 花子', 'サトウ ハナコ', 'Sato Hanako', '1990-11-03', r0, r0, 0,
  ARRAY['name','name_kana','name_latn','reg_date','valid_until']),
 (3, 'demo-exam-0123', interval '4 months', '鈴木 一郎', 'スズキ イチロウ', 'Suzuki Ichiro', '1978-02-28', r0 - interval '10 years', r0 - interval '1 year', 3,
  ARRAY['name','name_latn','reg_date','valid_until','renewal_count','exam_pass_date']),
 (4, 'demo-exam-0550', interval '8 months 22 days', '高橋 美咲', 'タカハシ ミサキ', 'Takahashi Misaki', '1995-08-19', r0 - interval '2 years', r0 - interval '2 years', 0,
  ARRAY['name','name_latn','reg_date','valid_until']),
 (5, 'demo-exam-0302', interval '3 months 27 days', '田中 健', 'タナカ ケン', 'Tanaka Ken', '1982-01-30', r0 - interval '18 months', r0 - interval '18 months', 0,
  ARRAY['name','name_latn']),
 (6, 'demo-exam-0777', interval '1 month 23 days', '伊藤 さくら', 'イトウ サクラ', 'Ito Sakura', '1999-04-04', r0 - interval '1 year', r0 - interval '1 year', 0,
  ARRAY['name_latn','valid_until'])
) AS v (n, exam_ref, pass_before, name, kana, latn, dob, reg, vfrom, renewals, pub);
-- Registration numbers come from the counter row, as the workflow allocates them.
DO $$
DECLARE p record; app bigint; num text;
BEGIN
  FOR p IN SELECT * FROM demo_people ORDER BY n LOOP
    INSERT INTO registry.applications (exam_result_ref, exam_pass_date, name, name_kana, name_latn, date_of_birth,
                                       published_fields, state, reviewed_by)
      VALUES (p.exam_ref, p.pass, p.name, p.kana, p.latn, p.dob, p.pub, 'approved', 'demo:registrar') RETURNING id INTO app;
    UPDATE registry.regno_counter SET last_number = last_number + 1 RETURNING lpad(last_number::text, 6, '0') INTO num;
    INSERT INTO registry.registrants (regno, name, name_kana, name_latn, date_of_birth, exam_result_ref, exam_pass_date,
        application_id, reg_date, valid_from, valid_until, renewal_count, published_fields)
      VALUES (num, p.name, p.kana, p.latn, p.dob, p.exam_ref, p.pass, app, p.reg, p.vfrom,
              (p.vfrom + interval '3 years' - interval '1 day')::date, p.renewals, p.pub);
    UPDATE registry.applications SET state = 'registered', regno = num WHERE id = app;
    INSERT INTO registry.status_history (regno, old_status, new_status, reason, actor)
      VALUES (num, NULL, 'active', 'registered', 'demo:registrar');
    INSERT INTO audit.events (actor, role, action, object, detail)
      VALUES ('demo:registrar', 'registrar', 'registry.registrant.register', 'registrant:' || num,
              jsonb_build_object('application', app, 'demo', true));
  END LOOP;
END $$;
COMMIT;
SQL
echo "registry demo: registered 000001-000006"
fi

# Credentials through riss-signd (started here for the moment if it is not running).
if [ "$(psql_q -c "SELECT count(*) FROM registry.registrants r WHERE r.regno IN ('000001','000002','000003','000004','000005','000006') AND r.status = 'active' AND NOT EXISTS (SELECT 1 FROM registry.credentials c WHERE c.regno = r.regno)")" != "0" ]; then
	demo_signd_start
	mkdir -p "$OUT"
	for r in 000001 000002 000003 000004 000005 000006; do
		[ "$(psql_q -c "SELECT count(*) FROM registry.registrants r WHERE r.regno = '$r' AND r.status = 'active' AND NOT EXISTS (SELECT 1 FROM registry.credentials c WHERE c.regno = r.regno)")" = "1" ] || continue
		"$RISS" credential issue "$r" --out-dir "$OUT/$r" >/dev/null
	done
	demo_signd_stop
	echo "registry demo: credentials in $OUT/<regno>/ (token.jws, qr.png, qr.svg)"
fi

# 000004 suspended, 000005 cancelled (both hold a credential, so the tour can show a suspended
# and a revoked one): the same rows the registrar workflow writes, including the status change
# leaf of the transparency log for every credential of theirs.
if [ "$(psql_q -c "SELECT status FROM registry.registrants WHERE regno = '000004'")" = "active" ]; then
psql_q <<'SQL'
BEGIN;
UPDATE registry.registrants SET status = 'suspended', status_reason = '継続講習の受講状況を確認中 (CPD under review)',
  status_changed_at = now() WHERE regno = '000004';
INSERT INTO registry.status_history (regno, old_status, new_status, reason, actor)
  VALUES ('000004', 'active', 'suspended', '継続講習の受講状況を確認中 (CPD under review)', 'demo:registrar');
UPDATE registry.registrants SET status = 'cancelled', status_reason = '本人の申請による登録取消 (cancelled at the holder''s request)',
  status_changed_at = now() WHERE regno = '000005';
INSERT INTO registry.status_history (regno, old_status, new_status, reason, actor)
  VALUES ('000005', 'active', 'cancelled', '本人の申請による登録取消 (cancelled at the holder''s request)', 'demo:registrar');
DO $$
DECLARE c record; i bigint; d text;
BEGIN
  FOR c IN SELECT cr.regno, cr.list_id, cr.status_idx,
                  CASE cr.regno WHEN '000004' THEN 2 ELSE 1 END AS st,
                  CASE cr.regno WHEN '000004' THEN 'CPD under review' ELSE 'cancelled at the holder''s request' END AS why
             FROM registry.credentials cr WHERE cr.regno IN ('000004', '000005') ORDER BY cr.id LOOP
    UPDATE registry.status_entries SET status = c.st, updated_at = now() WHERE list_id = c.list_id AND idx = c.status_idx;
    UPDATE registry.tlog_state SET size = size + 1 RETURNING size - 1 INTO i;
    d := format('{"at":%s,"idx":%s,"list":%s,"reason":%s,"status":%s,"sub":%s,"type":"status"}',
                extract(epoch FROM now())::bigint, c.status_idx, c.list_id, to_json(c.why), c.st, to_json(c.regno));
    INSERT INTO registry.tlog_leaves (idx, kind, data, hash)
      VALUES (i, 'status', convert_to(d, 'UTF8'), sha256('\x00'::bytea || convert_to(d, 'UTF8')));
  END LOOP;
END $$;
INSERT INTO audit.events (actor, role, action, object, detail) VALUES
  ('demo:registrar', 'registrar', 'registry.registrant.suspend', 'registrant:000004', '{"demo": true}'),
  ('demo:registrar', 'registrar', 'registry.registrant.cancel', 'registrant:000005', '{"demo": true}');
COMMIT;
SQL
echo "registry demo: 000004 suspended, 000005 cancelled"
fi
