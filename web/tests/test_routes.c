/* Unit tests of the route table: matching, 405 with Allow, surfaces, roles on every route. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "web.h"

static void test_exact_and_prefix_match(void **state)
{
	(void)state;
	web_srv.surfaces = ~0u;
	int known = 0;
	char allow[64];
	const struct web_route *r = web_route_find("GET", "/healthz", &known, allow, sizeof allow);
	assert_non_null(r);
	assert_string_equal(r->name, "healthz");
	r = web_route_find("GET", "/static/css/site.css", &known, allow, sizeof allow);
	assert_non_null(r);
	assert_string_equal(r->name, "static");
	assert_null(web_route_find("GET", "/healthz/extra", &known, allow, sizeof allow));
	assert_false(known);
}

static void test_wrong_method_reports_allow(void **state)
{
	(void)state;
	web_srv.surfaces = ~0u;
	int known = 0;
	char allow[64];
	assert_null(web_route_find("PUT", "/api/v1/staff/login", &known, allow, sizeof allow));
	assert_true(known);
	assert_string_equal(allow, "POST");
	/* HEAD is served by GET routes. */
	assert_non_null(web_route_find("HEAD", "/", &known, allow, sizeof allow));
}

static void test_surfaces(void **state)
{
	(void)state;
	unsigned bits = 0;
	assert_int_equal(web_surfaces_parse(&bits, "verify,register"), 0);
	assert_int_equal(bits, WEB_SURF_VERIFY | WEB_SURF_REGISTER);
	assert_int_equal(web_surfaces_parse(&bits, "verify,nonsense"), -1);
	/* A public verify node does not expose the admin or proctor pages. */
	web_srv.surfaces = WEB_SURF_VERIFY | WEB_SURF_REGISTER;
	int known = 0;
	char allow[64];
	assert_null(web_route_find("GET", "/admin", &known, allow, sizeof allow));
	assert_null(web_route_find("GET", "/proctor", &known, allow, sizeof allow));
	assert_non_null(web_route_find("GET", "/verify", &known, allow, sizeof allow));
	assert_non_null(web_route_find("GET", "/healthz", &known, allow, sizeof allow));
}

static void test_every_route_is_complete(void **state)
{
	(void)state;
	for (size_t i = 0; i < web_nroutes; i++) {
		const struct web_route *r = &web_routes[i];
		assert_non_null(r->path);
		assert_true(r->path[0] == '/');
		assert_non_null(r->handler);
		assert_non_null(r->name);
		assert_true(r->roles != 0); /* every route names who may call it */
		assert_true(strcmp(r->method, "GET") == 0 || strcmp(r->method, "POST") == 0 ||
		            strcmp(r->method, "PUT") == 0 || strcmp(r->method, "DELETE") == 0 ||
		            strcmp(r->method, "PATCH") == 0 ||
		            /* the xAPI frame answers CORS preflights (xapi-lrs) */
		            (strcmp(r->method, "OPTIONS") == 0 && strcmp(r->path, "/xapi/*") == 0));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_and_prefix_match),
		cmocka_unit_test(test_wrong_method_reports_allow),
		cmocka_unit_test(test_surfaces),
		cmocka_unit_test(test_every_route_is_complete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
