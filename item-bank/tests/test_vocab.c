/* Unit tests of the one vocabulary (exam-engine/cat_vocab.c): every model and every SG domain
 * and part name round-trips through every format that carries it — the item interchange
 * file, calibration documents, the engine bank, the exam definitions and the catalogue — and
 * a bank built from structs has the version the same items get from a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "ib_items.h"
#include "ib_params.h"
#include "rs_msg.h"
#include "rs_util.h"

/* A canonical item line with this domain code, part and model. */
static char *item_line(const char *domain, const char *part, const char *model, double a)
{
	static char b[2048];
	snprintf(b, sizeof b,
	         "{\"record\":\"item\",\"id\":\"V-1\",\"version\":1,\"exam\":\"SG\",\"status\":\"operational\","
	         "\"type\":\"single_choice\",\"domain\":\"%s\",\"part\":\"%s\"%s,\"enemy\":[],"
	         "\"stem\":{\"ja\":\"問\",\"en\":\"Question\"},"
	         "\"options\":[{\"ja\":\"ア\",\"en\":\"a\"},{\"ja\":\"イ\",\"en\":\"b\"},{\"ja\":\"ウ\",\"en\":\"c\"},{\"ja\":\"エ\",\"en\":\"d\"}],"
	         "\"key\":2,\"rationale\":{\"ja\":\"理由\",\"en\":\"why\"},\"author\":\"x\",\"reviewer\":\"y\","
	         "\"params\":{\"model\":\"%s\",\"a\":%.1f,\"b\":-0.3,\"c\":%s}}\n",
	         domain, part, part[0] == 'B' ? ",\"scenario\":\"S-1\"" : "", model, a,
	         strcmp(model, "3pl") == 0 ? "0.2" : "0.0");
	return b;
}

#define SCEN "{\"record\":\"scenario\",\"id\":\"S-1\",\"version\":1,\"exam\":\"SG\",\"title\":{\"ja\":\"事例\",\"en\":\"Case\"}," \
             "\"passage\":{\"ja\":\"本文\",\"en\":\"Text\"},\"author\":\"x\",\"reviewer\":\"y\"}\n"

/* Parse one item (with the scenario) and return the set; asserts it is valid. */
static struct ib_itemset *parse_item(const char *line)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s%s", strstr(line, "\"part\":\"B\"") ? SCEN : "", line);
	struct ib_diags d = { 0 };
	struct ib_itemset *set = NULL;
	int rc = ib_items_parse(&set, &d, buf, strlen(buf), 0);
	if (rc)
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "%d: %s\n", d.v[i].line, d.v[i].msg);
	ib_diags_free(&d);
	assert_int_equal(rc, 0);
	assert_int_equal(set->n_items, 1);
	return set;
}

static void models_round_trip(void **state)
{
	(void)state;
	assert_true(cat_models_n >= 5);
	for (size_t i = 0; i < cat_models_n; i++) {
		const struct cat_model_word *w = &cat_models[i];
		/* the list itself */
		assert_ptr_equal(cat_model_lookup(w->name), w);
		assert_string_equal(cat_model_name(w->model, w->rasch), w->name);
		/* the engine bank: rasch is the 1PL with a = 1, the engine says 1pl */
		struct cat_bank_item bi;
		memset(&bi, 0, sizeof bi);
		snprintf(bi.id, sizeof bi.id, "M-%zu", i);
		snprintf(bi.domain, sizeof bi.domain, "basics");
		bi.irt.model = w->model;
		bi.irt.a = w->rasch ? 1.0 : 1.3;
		bi.irt.b = 0.4;
		bi.irt.c = w->model == CAT_3PL ? 0.2 : 0;
		bi.irt.D = 1;
		bi.irt.nsteps = 1;
		if (w->model == CAT_GPCM) {
			bi.irt.nsteps = 2;
			bi.irt.steps[0] = -0.5;
			bi.irt.steps[1] = 0.7;
			bi.irt.b = 0.1;
		}
		bi.sh_k = 1;
		char line[CAT_BANK_MAX_LINE];
		int l = cat_bank_item_format(line, sizeof line, &bi);
		assert_true(l > 0);
		assert_non_null(strstr(line, cat_model_name(w->model, false)));
		struct cat_bank_item back;
		assert_int_equal(cat_bank_item_parse(&back, line, (size_t)l), 0);
		assert_int_equal(back.irt.model, w->model);
		if (w->model == CAT_GPCM)
			continue; /* the item format and calibration are dichotomous */
		/* calibration documents (riss calibrate --json, --fixed) and the bank's model column */
		enum ib_model m;
		assert_int_equal(ib_model_parse(&m, w->name), 0);
		assert_string_equal(ib_model_name(m), w->name);
		char xid[] = "X";
		char *ids[] = { xid };
		struct ib_item_par par = { .a = bi.irt.a, .b = 0.4, .c = bi.irt.c, .d = -bi.irt.a * 0.4,
		                           .se_a = NAN, .se_b = NAN, .se_c = NAN };
		json_t *doc = ib_params_json(m, NAN, 1, 1, ids, &par, 1);
		char *text = json_dumps(doc, 0);
		struct ib_params *p = NULL;
		assert_int_equal(ib_params_parse(&p, text, strlen(text)), 0);
		assert_int_equal(p->model, m);
		/* the same kernel: calibration's probability is the engine's */
		struct cat_item ci = { .model = w->model, .a = par.a, .b = par.b, .c = par.c, .D = 1, .nsteps = 1 };
		for (double th = -3; th <= 3; th += 0.5)
			assert_true(ib_prob(&p->par[0], th) == cat_prob_ad(par.a, par.d, par.c, th) &&
			            fabs(ib_prob(&p->par[0], th) - cat_prob(&ci, th)) < 1e-12);
		ib_params_free(p);
		free(text);
		json_decref(doc);
		/* the item interchange format */
		struct ib_itemset *set = parse_item(item_line("basics", "A", w->name, bi.irt.a));
		assert_string_equal(set->items[0].params.model, w->name);
		char *out = ib_item_line(&set->items[0], NULL, 0);
		char want[40];
		snprintf(want, sizeof want, "\"model\":\"%s\"", w->name);
		assert_non_null(strstr(out, want));
		free(out);
		ib_itemset_free(set);
	}
	/* rasch with a != 1 is refused by the item format: said once in the list */
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", item_line("basics", "A", "rasch", 1.5));
	struct ib_diags d = { 0 };
	struct ib_itemset *set = NULL;
	assert_int_not_equal(ib_items_parse(&set, &d, buf, strlen(buf), 0), 0);
	ib_diags_free(&d);
	assert_null(cat_model_lookup("4pl"));
}

/* Read an exam definition of the source tree. */
static struct cat_exam *load_exam(const char *rel)
{
	char path[4096], *text = NULL;
	size_t len = 0;
	snprintf(path, sizeof path, "%s/%s", RS_SOURCE_ROOT, rel);
	assert_int_equal(rs_read_file(&text, &len, path, CAT_EXAM_MAX_BYTES), 0);
	struct cat_exam *ex = NULL;
	assert_int_equal(cat_exam_parse(&ex, text, len), 0);
	free(text);
	return ex;
}

static void domains_round_trip(void **state)
{
	(void)state;
	static const char *const exams[] = { "exam-engine/exams/sg.json", "exam-engine/exams/sg-variable.json" };
	for (size_t e = 0; e < 2; e++) {
		struct cat_exam *ex = load_exam(exams[e]);
		/* the exam definition names exactly the vocabulary's domains, in their parts */
		assert_int_equal((size_t)ex->ndomains, cat_sg_domains_n);
		for (int d = 0; d < ex->ndomains; d++) {
			const struct cat_sg_domain *sd = cat_sg_domain_named(ex->domains[d].name);
			assert_non_null(sd);
			assert_string_equal(ex->parts[ex->domains[d].part].name, sd->part);
		}
		assert_int_equal((size_t)ex->nparts, cat_sg_parts_n);
		for (int p = 0; p < ex->nparts; p++)
			assert_true(cat_sg_part_ok(ex->parts[p].name));
		cat_exam_free(ex);
	}
	for (size_t i = 0; i < cat_sg_domains_n; i++) {
		const struct cat_sg_domain *sd = &cat_sg_domains[i];
		/* the catalogue has the name a person reads, in both languages */
		char id[64];
		snprintf(id, sizeof id, "domain.%s", sd->name);
		const struct rs_msg *m = rs_msg_find(id);
		assert_non_null(m);
		assert_true(m->ja[0] && m->en[0]);
		/* the engine bank carries the exam name */
		struct cat_bank_item bi;
		memset(&bi, 0, sizeof bi);
		snprintf(bi.id, sizeof bi.id, "D-%zu", i);
		snprintf(bi.domain, sizeof bi.domain, "%s", sd->name);
		snprintf(bi.part, sizeof bi.part, "%s", sd->part);
		snprintf(bi.type, sizeof bi.type, "%s", sd->type);
		bi.irt = (struct cat_item){ .model = CAT_2PL, .a = 1, .b = 0, .D = 1, .nsteps = 1 };
		bi.sh_k = 1;
		char line[CAT_BANK_MAX_LINE];
		int l = cat_bank_item_format(line, sizeof line, &bi);
		struct cat_bank_item back;
		assert_int_equal(cat_bank_item_parse(&back, line, (size_t)l), 0);
		assert_string_equal(back.domain, sd->name);
		assert_string_equal(back.part, sd->part);
		if (!sd->item_code)
			continue;
		/* the item format and the bank carry the item code; it counts under the exam name */
		assert_true(cat_sg_item_code_ok(sd->item_code));
		struct ib_itemset *set = parse_item(item_line(sd->item_code, sd->part, "2pl", 1.0));
		assert_string_equal(set->items[0].domain, sd->item_code);
		assert_ptr_equal(cat_sg_exam_domain(set->items[0].domain, set->items[0].part), sd);
		char *out = ib_item_line(&set->items[0], NULL, 0);
		char want[64];
		snprintf(want, sizeof want, "\"domain\":\"%s\"", sd->item_code);
		assert_non_null(strstr(out, want));
		free(out);
		ib_itemset_free(set);
		/* every code in part B counts under part B's one domain */
		set = parse_item(item_line(sd->item_code, "B", "2pl", 1.0));
		const struct cat_sg_domain *b = cat_sg_exam_domain(sd->item_code, "B");
		assert_non_null(b);
		assert_string_equal(b->name, "scenario");
		ib_itemset_free(set);
	}
	assert_false(cat_sg_item_code_ok("countermeasures")); /* the exam name is not an item code */
	assert_false(cat_sg_item_code_ok("scenario"));
	assert_false(cat_sg_part_ok("C"));
	assert_null(cat_sg_exam_domain("basics", "C"));
}

static void bank_build_same_version(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	struct cat_bank *file = NULL, *built = NULL;
	{
		/* a file of 40 items of every domain, 2PL and 3PL, some with sh_k and an enemy set */
		struct cat_bank_item v[40];
		memset(v, 0, sizeof v);
		FILE *f = open_memstream(&text, &len);
		for (int i = 0; i < 40; i++) {
			snprintf(v[i].id, sizeof v[i].id, "B-%02d", i);
			snprintf(v[i].domain, sizeof v[i].domain, "%s", cat_sg_domains[i % cat_sg_domains_n].name);
			snprintf(v[i].part, sizeof v[i].part, "%s", cat_sg_domains[i % cat_sg_domains_n].part);
			v[i].irt = (struct cat_item){ .model = i % 3 ? CAT_2PL : CAT_3PL, .a = 0.7 + i / 37.0,
			                              .b = -2 + i / 10.0, .c = i % 3 ? 0 : 0.15, .D = 1, .nsteps = 1 };
			v[i].sh_k = i % 4 ? 1 : 0.625;
			if (i % 9 == 0)
				snprintf(v[i].enemy, sizeof v[i].enemy, "E1");
			char line[CAT_BANK_MAX_LINE];
			int l = cat_bank_item_format(line, sizeof line, &v[i]);
			fwrite(line, 1, (size_t)l, f);
		}
		fclose(f);
	}
	assert_int_equal(cat_bank_parse(&file, text, len), 0);
	assert_int_equal(cat_bank_build(&built, file->items, file->n), 0);
	assert_int_equal(built->n, file->n);
	assert_true(built->version == file->version);
	/* a changed parameter changes the version; a duplicate id is refused as from a file */
	struct cat_bank_item *copy = malloc(file->n * sizeof *copy);
	memcpy(copy, file->items, file->n * sizeof *copy);
	copy[1].irt.b += 0.001;
	struct cat_bank *other = NULL;
	assert_int_equal(cat_bank_build(&other, copy, file->n), 0);
	assert_true(other->version != file->version);
	cat_bank_free(other);
	memcpy(copy[1].id, copy[0].id, sizeof copy[1].id);
	other = NULL;
	assert_int_equal(cat_bank_build(&other, copy, file->n), CAT_EINVAL);
	assert_null(other);
	copy[1].sh_k = 0;
	assert_int_equal(cat_bank_build(&other, copy + 1, 1), CAT_EINVAL);
	free(copy);
	cat_bank_free(built);
	cat_bank_free(file);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(models_round_trip),
		cmocka_unit_test(domains_round_trip),
		cmocka_unit_test(bank_build_same_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
