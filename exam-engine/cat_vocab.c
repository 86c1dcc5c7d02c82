/* exam-engine: the one vocabulary of what an item is — IRT model names (every format: the
 * item interchange file, the bank's tables, calibration documents, the engine bank) and the
 * SG syllabus domains and parts (sg.json, the item format, the bank, delivery, reports). */
#include "cat_internal.h"

#include <string.h>

/* Rasch is the 1PL with the slope fixed at 1: said here, once. */
const struct cat_model_word cat_models[] = {
	{ "rasch", CAT_1PL, true },
	{ "1pl", CAT_1PL, false },
	{ "2pl", CAT_2PL, false },
	{ "3pl", CAT_3PL, false },
	{ "gpcm", CAT_GPCM, false },
};
const size_t cat_models_n = sizeof cat_models / sizeof cat_models[0];

const struct cat_model_word *cat_model_lookup(const char *name)
{
	for (size_t i = 0; name && i < cat_models_n; i++)
		if (strcmp(cat_models[i].name, name) == 0)
			return &cat_models[i];
	return NULL;
}

const char *cat_model_name(enum cat_model m, bool rasch)
{
	if (rasch && m == CAT_1PL)
		return "rasch";
	for (size_t i = 0; i < cat_models_n; i++)
		if (cat_models[i].model == m && !cat_models[i].rasch)
			return cat_models[i].name;
	return "?";
}

/* The SG exam (exam-engine/exams/sg.json): part A's seven syllabus domains, part B's one
 * domain of scenario items. item_code is the code an item carries in the item format and
 * the bank (docs/item-format.md section 5); a part-B item keeps its syllabus code but
 * counts under "scenario". */
const struct cat_sg_domain cat_sg_domains[] = {
	{ "basics", "A", "basics", "mc4" },
	{ "management", "A", "management", "mc4" },
	{ "countermeasures", "A", "measures", "mc4" },
	{ "law", "A", "law", "mc4" },
	{ "technology", "A", "technology", "mc4" },
	{ "it_management", "A", "it_management", "mc4" },
	{ "strategy", "A", "strategy", "mc4" },
	{ "scenario", "B", NULL, "scenario" },
};
const size_t cat_sg_domains_n = sizeof cat_sg_domains / sizeof cat_sg_domains[0];
const char *const cat_sg_parts[] = { "A", "B" };
const size_t cat_sg_parts_n = 2;

bool cat_sg_item_code_ok(const char *code)
{
	for (size_t i = 0; code && i < cat_sg_domains_n; i++)
		if (cat_sg_domains[i].item_code && strcmp(cat_sg_domains[i].item_code, code) == 0)
			return true;
	return false;
}

bool cat_sg_part_ok(const char *part)
{
	for (size_t i = 0; part && i < cat_sg_parts_n; i++)
		if (strcmp(cat_sg_parts[i], part) == 0)
			return true;
	return false;
}

const struct cat_sg_domain *cat_sg_exam_domain(const char *item_code, const char *part)
{
	if (!item_code || !cat_sg_part_ok(part) || !cat_sg_item_code_ok(item_code))
		return NULL;
	const struct cat_sg_domain *only = NULL;
	int n_in_part = 0;
	for (size_t i = 0; i < cat_sg_domains_n; i++) {
		if (strcmp(cat_sg_domains[i].part, part) != 0)
			continue;
		if (cat_sg_domains[i].item_code && strcmp(cat_sg_domains[i].item_code, item_code) == 0)
			return &cat_sg_domains[i];
		only = &cat_sg_domains[i];
		n_in_part++;
	}
	return n_in_part == 1 ? only : NULL;
}

const struct cat_sg_domain *cat_sg_domain_named(const char *name)
{
	for (size_t i = 0; name && i < cat_sg_domains_n; i++)
		if (strcmp(cat_sg_domains[i].name, name) == 0)
			return &cat_sg_domains[i];
	return NULL;
}
