"""Benchmark: N concurrent simulated candidates (default 2000) against rissd and a private
PostgreSQL (synchronous_commit on): answers per second and p50/p99 of answer -> next item,
beside pgbench's TPS for a one-row insert on the same database (the ceiling) and the ratio.
Prints figures; asserts nothing. The load generator is Python threads with one keep-alive
connection per candidate, so on a 2-core machine it competes with rissd for the CPU."""
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from test_exam_lib import Rissd, admit, private_stack, riss, seed  # noqa: E402

N = int(os.environ.get("EXAM_LOAD_CANDIDATES", "2000"))
SECONDS = float(os.environ.get("EXAM_LOAD_SECONDS", "20"))


def pgbench_ceiling(pg):
    script = os.path.join(pg.dir, "insert.sql")
    with open(script, "w") as f:
        f.write("INSERT INTO bench_ceiling (session_id, position, v) VALUES (:client_id, :scale, 1);\n")
    conn = ["-h", pg.sock, "-p", str(pg.port), "-U", "riss", "riss"]
    subprocess.run(["psql", *conn, "-qc", "CREATE TABLE IF NOT EXISTS bench_ceiling (id bigserial PRIMARY KEY,"
                    " session_id int, position int, v int)"], check=True, capture_output=True)
    out = subprocess.run([os.path.join(pg.bin, "pgbench"), "-n", "-c", "64", "-j", "2", "-T", "10", "-f", script, *conn],
                         capture_output=True, text=True).stdout
    m = re.search(r"tps = ([0-9.]+)", out)
    return float(m.group(1)) if m else float("nan")


def main():
    tmp = tempfile.mkdtemp(prefix="riss-exam-load-")
    pg, conf = private_stack(tmp)
    rissd = None
    try:
        bookings = seed(conf, N, prefix="load")
        codes = [admit(conf, b, f"L-{i}")["code"] for i, b in enumerate(bookings)]
        rissd = Rissd(config=conf, settings={"http_threads": "4", "db_pool_size": "32", "http_connection_limit": str(N + 100)})
        port = rissd.port
        lat, lock = [], threading.Lock()
        stop = threading.Event()
        errors = [0]

        def candidate(code):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            h = {"Content-Type": "application/json"}

            def call(method, path, body=None):
                c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
                r = c.getresponse()
                data = r.read()
                for k, v in r.getheaders():
                    if k.lower() == "set-cookie":
                        n, _, rest = v.partition("=")
                        cookies[n] = rest.split(";")[0]
                h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
                return r.status, json.loads(data)
            cookies = {}
            st, b = call("POST", "/api/v1/exam/start", {"code": code})
            h["X-CSRF-Token"] = b["csrf"]
            st, v = call("POST", "/api/v1/exam/begin")
            start_evt.wait()
            mine = []
            while not stop.is_set() and "item" in v:
                it = v["item"]
                t0 = time.perf_counter()
                st, nv = call("POST", "/api/v1/exam/answer", {"position": it["position"], "item_id": it["item_id"], "choice": 0})
                if st != 200:
                    errors[0] += 1
                    time.sleep(0.2)
                    continue
                mine.append(time.perf_counter() - t0)
                v = nv
            with lock:
                lat.extend(mine)
            c.close()

        start_evt = threading.Event()
        threading.stack_size(256 * 1024)
        ths = [threading.Thread(target=candidate, args=(code,), daemon=True) for code in codes]
        for t in ths:
            t.start()
        time.sleep(2)
        t0 = time.time()
        start_evt.set()
        time.sleep(SECONDS)
        stop.set()
        for t in ths:
            t.join(60)
        elapsed = time.time() - t0
        lat.sort()
        n = len(lat)
        rate = n / elapsed
        p50 = lat[n // 2] * 1000 if n else float("nan")
        p99 = lat[int(n * 0.99)] * 1000 if n else float("nan")
        rissd.stop()
        rissd = None
        tps = pgbench_ceiling(pg)
        print(f"exam_load: {N} candidates, {elapsed:.1f} s, {n} answers, {errors[0]} refused")
        print(f"exam_load: answers/s {rate:.0f}  answer->next p50 {p50:.1f} ms  p99 {p99:.1f} ms")
        print(f"pgbench one-row insert (64 clients, synchronous_commit on): {tps:.0f} TPS")
        print(f"ratio answers/s : pgbench TPS = {rate / tps:.2f}  (target >= 3000 answers/s at p99 <= 50 ms)")
    finally:
        if rissd:
            rissd.cleanup()
        pg.destroy()


if __name__ == "__main__":
    main()
