/* Demo and test data for exam delivery: a test centre, an all-year window and N candidates
 * booked for today (idempotent: the same prefix gives the same people and bookings). */
#define DLV_DEMO_WINDOW "SG all-year (demo)"
#include "dlv_int.h"

#include "rs_error.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dlv_demo_seed(json_t **out, rs_db *db, const char *centre, const char *window, const char *prefix, int count,
                  int checked)
{
	if (!window)
		window = DLV_DEMO_WINDOW;
	static const char *const kanji[] = { "山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健", "伊藤 さくら" };
	static const char *const kana[] = { "ヤマダ タロウ", "サトウ ハナコ", "スズキ イチロウ", "タカハシ ミサキ", "タナカ ケン", "イトウ サクラ" };
	static const char *const romaji[] = { "Yamada Taro", "Sato Hanako", "Suzuki Ichiro", "Takahashi Misaki", "Tanaka Ken", "Ito Sakura" };
	int rc = rs_db_exec_plain(db, "BEGIN");
	if (rc != 0)
		return rc;
	const char *pc[] = { centre };
	if ((rc = rs_db_exec(NULL, db, "dlv_demo_centre",
		"INSERT INTO exam.centres (code, name, prefecture, seats, prefecture_code)"
		" VALUES ($1, '東京第一テストセンター', '東京都', 40, '13')"
		" ON CONFLICT (code) DO NOTHING", 1, pc)) != 0)
		goto fail;
	const char *pw[] = { window };
	PGresult *wr = NULL;
	if ((rc = rs_db_exec(NULL, db, "dlv_demo_window",
		"INSERT INTO exam.windows (exam_code, name, opens_on, closes_on) VALUES ('SG', $1,"
		" date '2020-01-01', date '2099-12-31') ON CONFLICT (exam_code, name) DO NOTHING", 1, pw)) != 0)
		goto fail;
	/* The window serves the exam's active package when there is one (./deploy/dev up and the
	 * test harness publish the demo bank as the first package) and it names none yet. */
	char ps[24];
	if (dlv_window_default_package(ps, db, "SG", 0) == 0) {
		const char *pp[] = { ps, window };
		if ((rc = rs_db_exec(NULL, db, "dlv_demo_window_package",
			"UPDATE exam.windows SET package_id = $1::bigint WHERE exam_code = 'SG' AND name = $2"
			" AND package_id IS NULL", 2, pp)) != 0)
			goto fail;
	}
	if ((rc = rs_db_exec(&wr, db, "dlv_demo_window_id",
		"SELECT id FROM exam.windows WHERE exam_code = 'SG' AND name = $1", 1, pw)) != 0)
		goto fail;
	long long window_id = strtoll(PQgetvalue(wr, 0, 0), NULL, 10);
	PQclear(wr);
	json_t *ids = json_array();
	for (int i = 0; i < count; i++) {
		char email[128], dob[16], start[8];
		snprintf(email, sizeof email, "%s-%d@example.jp", prefix, i + 1);
		snprintf(dob, sizeof dob, "19%02d-%02d-%02d", 70 + i % 30, 1 + i % 12, 1 + i % 28);
		snprintf(start, sizeof start, "%02d:%02d", 9 + (i / 40) % 8, (i % 2) * 30);
		const char *p[] = { kanji[i % 6], kana[i % 6], romaji[i % 6], dob, email, centre, checked ? "t" : "f", window };
		PGresult *r = NULL;
		(void)start;
		if ((rc = rs_db_exec(&r, db, "dlv_demo_booking",
			"WITH c AS (INSERT INTO exam.candidates (name_kanji, name_kana, name_romaji, birth_date, email)"
			"  VALUES ($1, $2, $3, $4::date, $5) ON CONFLICT (email, birth_date) DO UPDATE SET email = excluded.email RETURNING id),"
			" b AS (INSERT INTO exam.bookings (candidate_id, window_id, centre_code, sit_on, starts_at,"
			"  identity_checked_by, identity_checked_at)"
			"  SELECT c.id, w.id, $6, (now() AT TIME ZONE 'Asia/Tokyo')::date, time '09:30',"
			"   CASE WHEN $7::bool THEN 'system:demo' END, CASE WHEN $7::bool THEN now() END"
			"  FROM c, exam.windows w WHERE w.exam_code = 'SG' AND w.name = $8"
			"  ON CONFLICT (candidate_id, sit_on) DO NOTHING RETURNING id)"
			" SELECT id FROM b UNION ALL SELECT x.id FROM exam.bookings x, c WHERE x.candidate_id = c.id"
			"  AND x.sit_on = (now() AT TIME ZONE 'Asia/Tokyo')::date", 8, p)) != 0) {
			json_decref(ids);
			goto fail;
		}
		if (PQntuples(r) > 0)
			json_array_append_new(ids, json_integer(strtoll(PQgetvalue(r, 0, 0), NULL, 10)));
		PQclear(r);
	}
	if ((rc = rs_db_exec_plain(db, "COMMIT")) != 0) {
		json_decref(ids);
		return rc;
	}
	*out = json_pack("{s:s, s:I, s:o}", "centre", centre, "window", (json_int_t)window_id, "bookings", ids);
	return 0;
fail:
	rs_db_exec_plain(db, "ROLLBACK");
	return rc;
}
