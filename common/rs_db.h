/* PostgreSQL access: connections with prepared statements, a pool (one connection per
 * worker), transactions retried on serialization failure and lost connections, and the
 * migration runner. Only store files (and common/db*) include <libpq-fe.h>; this header
 * names libpq types by their struct tags so other files need not. */
#ifndef RS_DB_H
#define RS_DB_H

#include <stddef.h>
#include <stdint.h>

struct pg_conn;   /* PGconn */
struct pg_result; /* PGresult */

typedef struct rs_db rs_db;
typedef struct rs_db_pool rs_db_pool;

/* Open one connection. RS_EUNAVAIL when the server cannot be reached. *out owned by the
 * caller: free with rs_db_close. */
int rs_db_open(rs_db **out, const char *conninfo);
/* Close a connection (NULL is fine). */
void rs_db_close(rs_db *db);
/* The libpq connection, for store files. */
struct pg_conn *rs_db_pg(rs_db *db);
/* True when the connection is usable; tries one reset when it is not. */
int rs_db_ok(rs_db *db);

/* Run a prepared statement, preparing it on this connection the first time `name` is
 * seen (name must be a string literal: it is kept). params are text (NULL = SQL NULL). On success *out (may be NULL to discard)
 * holds the result: free with PQclear (or rs_db_clear). Errors: RS_EEXIST (unique
 * violation), RS_ECONFLICT (serialization failure or deadlock: retry the transaction),
 * RS_EUNAVAIL (connection lost), RS_EINVAL (check/foreign-key violation), RS_EDB. */
int rs_db_exec(struct pg_result **out, rs_db *db, const char *name, const char *sql,
               int nparams, const char *const *params);
/* Check that the server answers a query (readiness). 0 or the error of rs_db_exec. */
int rs_db_ping(rs_db *db);
/* Run SQL text without parameters (DDL, BEGIN/COMMIT). */
int rs_db_exec_plain(rs_db *db, const char *sql);
/* PQclear that accepts NULL, for files that do not include libpq. */
void rs_db_clear(struct pg_result *res);

enum rs_db_isolation { RS_DB_READ_COMMITTED, RS_DB_REPEATABLE_READ, RS_DB_SERIALIZABLE };

/* Run fn(db, arg) inside BEGIN ... COMMIT. When fn or COMMIT fails with RS_ECONFLICT, or
 * the connection is lost, the whole transaction is rolled back and run again (up to
 * `retries` times, with a short growing pause; after a lost connection the connection is
 * reset first). fn must therefore have no effects outside the database, or effects it
 * can repeat. Any other error from fn rolls back and is returned unchanged. */
int rs_db_tx(rs_db *db, enum rs_db_isolation iso, int retries,
             int (*fn)(rs_db *db, void *arg), void *arg);

/* A fixed set of connections shared by worker threads. */
int rs_db_pool_new(rs_db_pool **out, const char *conninfo, int size);
void rs_db_pool_free(rs_db_pool *pool);
/* Take a connection, waiting up to timeout_ms. RS_EUNAVAIL on timeout or when the
 * database cannot be reached (connections are opened lazily and re-opened after loss). */
int rs_db_pool_get(rs_db **out, rs_db_pool *pool, int timeout_ms);
void rs_db_pool_put(rs_db_pool *pool, rs_db *db);
struct rs_db_pool_stats {
	int size, in_use, waiting;
	uint64_t acquired, timeouts;
};
void rs_db_pool_stats(const rs_db_pool *pool, struct rs_db_pool_stats *out);

/* Migrations: files NNNN_name.sql in dir, applied in order, each in its own transaction
 * and recorded in public.schema_migrations with its SHA-256. *applied counts the files
 * applied now. A file whose checksum differs from the recorded one is an error. */
int rs_migrate(rs_db *db, const char *dir, int *applied);
/* RS_ESCHEMA (message names the first missing migration) when a file in dir is not
 * applied; 0 when the schema is current. */
int rs_migrate_check(rs_db *db, const char *dir);

/* COPY FROM STDIN (cpd-tracker's renewal job): run sql, a COPY ... FROM STDIN statement
 * without parameters, and send data[0..len) (COPY text format: tab-separated columns,
 * newline-terminated rows, backslash escapes). 0 or the errors of rs_db_exec. */
int rs_db_copy_in(rs_db *db, const char *sql, const char *data, size_t len);

/* Run sql (as rs_db_exec) whose answer is one row whose first column is JSON text, parsed into
 * *out (caller owns). RS_EINTERNAL when it is not (common/db_json.c; xapi). */
struct json_t;
int rs_db_json(struct json_t **out, rs_db *db, const char *name, const char *sql, int nparams, const char *const *params);

#endif
