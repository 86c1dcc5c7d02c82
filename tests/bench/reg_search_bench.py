"""Benchmark: the register's searches (public and the registrar's paged search) on 100,000
registrants in a throw-away PostgreSQL; prints p50/p95 per input beside a primary-key read."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reg_bench_stack import Stack, BUILD  # noqa: E402

N = os.environ.get("RISS_BENCH_N", "100000")
s = Stack()
try:
    subprocess.run([os.path.join(BUILD, "tests", "bench", "bench-reg-search"), s.pg.conninfo, N], check=True)
finally:
    s.close()
