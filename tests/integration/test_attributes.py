"""What is collected for the statistics (issue 15): the scheduling API, the booking CSV
import and the registrar's application API take prefecture, occupation, industry and
employer type as coded answers, each optional; a code outside its list is refused with a
clear message in Japanese and English that quotes it; registration copies the answers to the
registrant; the database refuses what the API would (its CHECK constraints) and the age at
the exam date is computed from the date of birth (exam.age_on)."""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rissd_harness import Rissd, require_stack  # noqa: E402
from test_auth import RUN, Session, add_staff  # noqa: E402
from test_registry import psql  # noqa: E402

ATTRS = {"prefecture": "27", "occupation": "it_security", "industry": "G", "employer_type": "private"}


class Attributes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Rissd()
        cls.secret = add_staff(f"t{RUN}attr", "registrar")
        cls.s = Session(cls.d, f"t{RUN}attr", cls.secret)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.d.cleanup()

    def call(self, method, path, obj=None, lang="ja"):
        h = {"Cookie": self.s.cookie, "X-CSRF-Token": self.s.csrf, "Accept-Language": lang}
        return self.d.json(method, path, obj, headers=h)

    def candidate(self, tag, **extra):
        body = {"name_kanji": "統計 花子", "name_kana": "トウケイ ハナコ", "name_romaji": "Tokei Hanako",
                "birth_date": "1991-07-20", "email": f"attr-{RUN}-{tag}-{time.time_ns()}@example.jp"}
        body.update(extra)
        return body

    def test_candidate_with_attributes_and_without(self):
        st, _, c = self.call("POST", "/api/v1/schedule/candidates", self.candidate("all", **ATTRS))
        self.assertEqual(st, 201, c)
        for k, v in ATTRS.items():
            self.assertEqual(c[k], v)
        self.assertEqual(psql(f"SELECT prefecture || occupation || industry || employer_type FROM exam.candidates "
                              f"WHERE id = {c['id']}"), "27it_securityGprivate")
        # Every attribute is optional: absent, null and "" all mean "not answered".
        st, _, c2 = self.call("POST", "/api/v1/schedule/candidates",
                              self.candidate("none", prefecture=None, industry=""))
        self.assertEqual(st, 201, c2)
        self.assertEqual([c2[k] for k in ATTRS], [None] * 4)
        # Answering again without an attribute keeps the earlier answer.
        again = self.candidate("all", **ATTRS)
        again["email"] = c2["email"]
        again["birth_date"] = "1991-07-20"
        self.call("POST", "/api/v1/schedule/candidates", dict(again, prefecture="01"))
        st, _, c3 = self.call("POST", "/api/v1/schedule/candidates", {k: again[k] for k in again if k != "prefecture"})
        self.assertEqual(st, 201, c3)
        self.assertEqual(c3["prefecture"], "01")

    def test_invalid_codes_are_refused_in_both_languages(self):
        cases = [("prefecture", "48", "都道府県コード「48」", 'Prefecture code "48"'),
                 ("occupation", "wizard", "職種コード「wizard」", 'Occupation code "wizard"'),
                 ("industry", "Z", "業種コード「Z」", 'Industry code "Z"'),
                 ("employer_type", "PRIVATE", "勤務先の種別コード「PRIVATE」", 'Employer type code "PRIVATE"')]
        for field, value, ja, en in cases:
            with self.subTest(field=field):
                body = self.candidate("bad", **{field: value})
                st, _, p = self.call("POST", "/api/v1/schedule/candidates", body, lang="ja")
                self.assertEqual((st, p["type"]), (422, "/problems/invalid-field"), p)
                self.assertIn(ja, p["detail"])
                self.assertEqual(p["message_id"], "attr.invalid_" + field)
                st, _, p = self.call("POST", "/api/v1/schedule/candidates", body, lang="en")
                self.assertEqual(st, 422, p)
                self.assertIn(en, p["detail"])
                self.assertEqual(psql(f"SELECT count(*) FROM exam.candidates WHERE email = '{body['email']}'"), "0")
        # A number where a code is wanted names the field.
        st, _, p = self.call("POST", "/api/v1/schedule/candidates", self.candidate("num", prefecture=13), lang="en")
        self.assertEqual(st, 422, p)
        self.assertIn("prefecture", p["detail"])

    def test_centre_prefecture_code(self):
        code = f"TC-ATTR-{RUN}"[:32]
        st, _, c = self.call("POST", "/api/v1/schedule/centres",
                             {"code": code, "name": "大阪テスト", "prefecture": "大阪府", "seats": 10, "prefecture_code": "27"})
        self.assertEqual(st, 201, c)
        self.assertEqual(c["prefecture_code"], "27")
        st, _, p = self.call("POST", "/api/v1/schedule/centres",
                             {"code": code, "name": "大阪テスト", "prefecture": "大阪府", "seats": 10, "prefecture_code": "99"})
        self.assertEqual(st, 422, p)
        self.assertEqual(p["message_id"], "attr.invalid_prefecture")

    def test_csv_import_takes_the_attribute_columns(self):
        st, _, w = self.call("POST", "/api/v1/schedule/windows",
                             {"exam": "SG", "name": f"attr-{RUN}", "opens_on": "2026-01-01", "closes_on": "2099-12-31"})
        self.assertEqual(st, 201, w)
        code = f"TC-ATTRC-{RUN}"[:32]
        self.call("POST", "/api/v1/schedule/centres", {"code": code, "name": "c", "prefecture": "東京都", "seats": 10})
        head = ("name_kanji,name_kana,name_romaji,birth_date,email,phone,centre,window,sit_on,starts_at,"
                "extra_minutes,large_text,high_contrast,prefecture,occupation,industry,employer_type\n")
        e1, e2 = f"csv1-{RUN}-{time.time_ns()}@example.jp", f"csv2-{RUN}-{time.time_ns()}@example.jp"
        good = (f"統計 一,トウケイ イチ,Tokei Ichi,1985-01-02,{e1},,{code},attr-{RUN},2030-05-01,09:30,0,0,0,13,office,J,\n"
                f"統計 二,トウケイ ニ,Tokei Ni,1999-03-04,{e2},,{code},attr-{RUN},2030-05-02,09:30,0,0,0,,student,,none\n")
        bad = good.replace(",13,office,J,", ",13,office,j,")
        st, _, p = self.d.request("POST", "/api/v1/schedule/bookings/import", (head + bad).encode(),
                                  headers={"Cookie": self.s.cookie, "X-CSRF-Token": self.s.csrf,
                                           "Content-Type": "text/csv", "Accept-Language": "en"})[:3]
        self.assertEqual(st, 422)
        errs = json.loads(p)["errors"]
        self.assertEqual([(e["line"], e["field"], e["message_id"]) for e in errs], [(2, "industry", "attr.invalid_industry")])
        self.assertIn('"j"', errs[0]["message"])
        self.assertEqual(psql(f"SELECT count(*) FROM exam.candidates WHERE email IN ('{e1}', '{e2}')"), "0")
        st, _, body = self.d.request("POST", "/api/v1/schedule/bookings/import", (head + good).encode(),
                                     headers={"Cookie": self.s.cookie, "X-CSRF-Token": self.s.csrf,
                                              "Content-Type": "text/csv"})[:3]
        self.assertEqual(st, 200, body)
        rows = psql(f"SELECT coalesce(prefecture, '-'), occupation, coalesce(industry, '-'), coalesce(employer_type, '-')"
                    f" FROM exam.candidates WHERE email IN ('{e1}', '{e2}') ORDER BY email")
        self.assertEqual(rows.splitlines(), ["13|office|J|-", "-|student|-|none"])

    def test_application_attributes_reach_the_registrant(self):
        app = {"exam_result_ref": f"attr-{RUN}-{time.time_ns()}", "exam_pass_date": "2026-01-15",
               "name": "統計 太郎", "name_kana": "トウケイ タロウ", "name_latn": "Tokei Taro",
               "date_of_birth": "1980-02-29", **ATTRS}
        st, _, p = self.call("POST", "/api/v1/registry/applications", dict(app, industry="U"), lang="ja")
        self.assertEqual(st, 400, p)
        self.assertIn("業種コード「U」", p["detail"])
        st, _, p = self.call("POST", "/api/v1/registry/applications", dict(app, occupation="spy"), lang="en")
        self.assertEqual(st, 400, p)
        self.assertIn('Occupation code "spy"', p["detail"])
        st, _, b = self.call("POST", "/api/v1/registry/applications", app)
        self.assertEqual(st, 201, b)
        st, _, r = self.call("POST", "/api/v1/registry/review", {"id": b["id"], "approve": True, "note": "ok"})
        self.assertEqual(st, 200, r)
        st, _, r = self.call("POST", "/api/v1/registry/register", {"id": b["id"], "reg_date": "2026-04-01"})
        self.assertEqual(st, 201, r)
        self.assertEqual(psql(f"SELECT prefecture || occupation || industry || employer_type FROM registry.registrants "
                              f"WHERE regno = '{r['regno']}'"), "27it_securityGprivate")
        # Not published: the public register search never shows them.
        st, _, pub = self.d.json("GET", f"/api/v1/register/search?q={r['regno']}")
        self.assertNotIn("it_security", str(pub))
        # Age is computed, a 29 February birthday counting on 1 March in common years.
        self.assertEqual(psql(f"SELECT registry.age_on(date_of_birth, '2026-02-28') || ',' || "
                              f"registry.age_on(date_of_birth, '2026-03-01') FROM registry.registrants WHERE regno = '{r['regno']}'"),
                         "45,46")
        # Optional: an application without them is taken.
        app2 = {k: v for k, v in app.items() if k not in ATTRS}
        app2["exam_result_ref"] += "-2"
        st, _, b = self.call("POST", "/api/v1/registry/applications", app2)
        self.assertEqual(st, 201, b)

    def test_the_database_takes_every_listed_code_and_refuses_others(self):
        # The CHECK constraints of 0037/0042 and rs_attr's lists agree (a rolled-back probe).
        probe = """
        BEGIN;
        INSERT INTO exam.candidates (name_kanji, name_kana, name_romaji, birth_date, email, prefecture, occupation, industry, employer_type)
          SELECT 'x', 'x', 'X', '1990-01-01', 'probe-' || p || '-' || o || '-' || i || '-' || e || '@x.jp', p, o, i, e
          FROM unnest(ARRAY(SELECT lpad(g::text, 2, '0') FROM generate_series(1, 47) g)) p,
               unnest(ARRAY['it_planning','it_development','it_operations','it_infrastructure','it_security','it_pm',
                            'it_audit','it_sales','it_other','sales','office','research','other','student','not_employed']) o,
               unnest(ARRAY['A','T']) i, unnest(ARRAY['private','government','public_corp','education','self_employed','none']) e
          WHERE i = 'A' OR e = 'none';
        ROLLBACK;"""
        psql(probe)
        for col, bad in [("prefecture", "'00'"), ("prefecture", "'48'"), ("occupation", "'student '"),
                         ("industry", "'U'"), ("employer_type", "'ngo'")]:
            r = subprocess.run(["psql", os.environ["RISS_TEST_DB_URL"], "-X", "-At", "-c",
                                f"BEGIN; INSERT INTO exam.candidates (name_kanji, name_kana, name_romaji, birth_date, email, {col})"
                                f" VALUES ('x', 'x', 'X', '1990-01-01', 'probe@x.jp', {bad}); ROLLBACK;"],
                               capture_output=True, text=True)
            self.assertIn("violates check constraint", r.stderr, (col, bad))


if __name__ == "__main__":
    require_stack()
    unittest.main(verbosity=2)
