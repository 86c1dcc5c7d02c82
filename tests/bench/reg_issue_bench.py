"""Benchmark: issue 100,000 credentials (sign via riss-signd + QR + log append + commit) on a
throw-away PostgreSQL with fsync on. Prints the time; target <= 30 s."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reg_bench_stack import Stack, BUILD, BASE  # noqa: E402

N = int(os.environ.get("RISS_BENCH_N", "100000"))
s = Stack()
try:
    exe = os.path.join(BUILD, "tests", "bench", "bench-reg-issue")
    subprocess.run([exe, s.pg.conninfo, s.keys, s.sock, BASE, str(N)], check=True)
    out = subprocess.run([os.path.join(BUILD, "cli", "riss"), "log", "verify"], env=s.env, capture_output=True,
                         text=True)
    print("riss log verify after the run:", out.stdout.strip() or out.stderr.strip()[:300])
finally:
    s.close()
