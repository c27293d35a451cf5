#!/usr/bin/python3
"""The timing side of bench/run-gis-import-bench.sh: imports, /healthz
probes, medians.

    gis_import_bench.py URL TOKEN ROUNDS DIR
"""

import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse

URL, TOKEN, ROUNDS, DIR = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
HOST = urllib.parse.urlsplit(URL)


def call(method, path, body=None, ctype="application/json", timeout=600):
    c = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=timeout)
    headers = {"Authorization": "Bearer " + TOKEN}
    if body is not None:
        headers["Content-Type"] = ctype
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def project(tag):
    st, b = call("POST", "/api/v1/projects", json.dumps({"code": tag, "name": "Bench " + tag,
                                                         "municipality": "Speedtown"}))
    assert st == 201, b
    pid = json.loads(b)["id"]
    st, b = call("POST", "/api/v1/lots", json.dumps({"project_id": pid, "code": "BENCH-LOT", "name": "Los"}))
    assert st == 201, b
    return pid


def timed_import(pid, data, ctype):
    lat, stop = [], threading.Event()

    def probe():
        while not stop.is_set():
            t = time.monotonic()
            try:
                c = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=5)
                c.request("GET", "/healthz")
                ok = c.getresponse().status == 200
                c.close()
            except OSError:
                ok = False
            lat.append((time.monotonic() - t, ok))
            stop.wait(0.02)

    th = threading.Thread(target=probe)
    th.start()
    t0 = time.monotonic()
    st, b = call("POST", "/api/v1/projects/%d/import" % pid, data, ctype)
    dt = time.monotonic() - t0
    stop.set()
    th.join()
    assert st == 200, b[:400]
    times = sorted(x for x, _ in lat)
    return json.loads(b), dt, times, sum(1 for _, ok in lat if not ok)


def line(what, res, key, dt, times):
    n = res["features"]
    assert res[key] == n, res
    p95 = times[int(0.95 * (len(times) - 1))] * 1000 if times else 0
    print("RESULT %-16s %d features in %.2f s = %6.0f features/s; /healthz %d probes, p95 %.1f ms, max %.1f ms"
          % (what, n, dt, n / dt, len(times), p95, (times[-1] * 1000 if times else 0)), flush=True)
    return n / dt


def main():
    create = open(DIR + "/create.geojson", "rb").read()
    update = open(DIR + "/update.geojson", "rb").read()
    # A server from before GDAL reads no GeoPackage: GIS_BENCH_GPKG=0 skips it.
    gpkg = open(DIR + "/create.gpkg", "rb").read() if os.environ.get("GIS_BENCH_GPKG", "1") != "0" else None
    rates = {"create": [], "update": [], "gpkg create": []}
    fails = 0
    for i in range(ROUNDS):
        pid = project("BENCH-%d-%d" % (i, int(time.time())))
        res, dt, times, bad = timed_import(pid, create, "application/geo+json")
        rates["create"].append(line("geojson create", res, "created", dt, times))
        fails += bad
        res, dt, times, bad = timed_import(pid, update, "application/geo+json")
        rates["update"].append(line("geojson update", res, "updated", dt, times))
        fails += bad
    if gpkg:
        pid = project("BENCH-GPKG-%d" % int(time.time()))
        res, dt, times, bad = timed_import(pid, gpkg, "application/geopackage+sqlite3")
        rates["gpkg create"].append(line("gpkg create", res, "created", dt, times))
        fails += bad
    else:
        del rates["gpkg create"]
    for k, v in rates.items():
        print("MEDIAN %-12s %6.0f features/s (%s)" % (k, statistics.median(v), ", ".join("%.0f" % x for x in v)))
    print("healthz failures: %d" % fails)


main()
