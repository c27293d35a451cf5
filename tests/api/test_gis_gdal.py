"""GIS with GDAL (SPEC 11): import of what QGIS and ogr2ogr write (GeoJSON,
GeoPackage, zipped Shapefiles, CSV with WKT) in any coordinate system, flat
attribute tables, one-part MultiLineStrings; errors by index, layer and code;
export.gpkg with three typed layers; the GIS-NBest 5.1 delivery read back
with ogrinfo; the segment fields GIS-NBest asks for.

Round trips go through ogr2ogr as a GIS user would; positions must come back
within 1 cm."""

import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import zipfile

from ftapi import (Fixture, Suite, check, check_unchanged, db_snapshot, problem, require, unique)

suite = Suite("gis_gdal")
FX = None
TMP = None
OGR2OGR = shutil.which("ogr2ogr")
OGRINFO = shutil.which("ogrinfo")

GPKG = "application/geopackage+sqlite3"
ZIP = "application/zip"
CSV = "text/csv"
GEOJSON = "application/geo+json"


def path(name):
    return os.path.join(TMP, name)


def ogr(*args):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=300)
    require(p.returncode == 0, "%s failed: %s" % (" ".join(args[:4]), (p.stdout + p.stderr)[-600:]))
    return p.stdout


def ogrinfo(*args):
    return ogr(OGRINFO, "-ro", *args)


def zip_dir(directory, target):
    with zipfile.ZipFile(target, "w") as z:
        for name in sorted(os.listdir(directory)):
            z.write(os.path.join(directory, name), name)
    return target


def read(name):
    with open(path(name), "rb") as f:
        return f.read()


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)
    return path(name)


def new_project(tag):
    p = FX.admin.create("projects", {"code": unique("G" + tag), "name": "GIS " + tag, "municipality": "Erfurt"})
    lot = FX.admin.create("lots", {"project_id": p["id"], "code": unique("LOS"), "name": "Los 1",
                                   "contractor_id": FX.con_a["id"]})
    return p["id"], lot["code"]


def import_file(pid, data, ctype, dry_run=False, who=None, **params):
    q = dict(params)
    if dry_run:
        q["dry_run"] = "true"
    return (who or FX.manager).post("/projects/%d/import" % pid, raw=data, ctype=ctype, params=q or None,
                                    timeout=300)


def network(lot):
    """A small network around Erfurt with positions to 7 decimals, every
    field the import takes, and each kind of object."""
    feats = []
    base_lon, base_lat = 11.0328, 50.9777

    def pt(i, j):
        return [round(base_lon + i * 0.0012345 + j * 1e-7, 7), round(base_lat + j * 0.0009876 + i * 3e-7, 7)]

    kinds = ["pop", "cabinet", "splice_closure", "handhole", "building_entry", "handhole"]
    for i, k in enumerate(kinds):
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": pt(i, 0)},
                      "properties": {"layer": "node", "code": "RT-N%d" % i, "kind": k, "name": "Knoten %d" % i}})
    for i in range(5):
        props = {"layer": "segment", "code": "RT-S%d" % i, "kind": ["trench", "duct", "cable", "drop", "trench"][i],
                 "method": ["open_trench", "hdd", "existing_duct", "micro_trench", "plough"][i],
                 "surface": ["sealed", "unsealed", "none", "sealed", "unsealed"][i],
                 "lot": lot, "from_node": "RT-N%d" % i, "to_node": "RT-N%d" % (i + 1),
                 "planned_length_m": 100.5 + i, "fiber_count": [96, None, 144, 12, 48][i],
                 "duct_type": "Speedpipe 12x10/6", "duct_type_code": [12, 1, 22, 5, 99][i],
                 "laying_depth_m": [0.6, 1.2, None, 0.4, 0.8][i],
                 "co_laying": ["none", "third_party", "own", None, "none"][i],
                 "street": "Anger %d" % i, "planned_start": "2026-05-0%d" % (i + 1), "planned_end": "2026-06-1%d" % i}
        props = {k: v for k, v in props.items() if v is not None}
        feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [
            pt(i, 0), pt(i, 1), pt(i + 1, 1), pt(i + 1, 0)]}, "properties": props})
    for i in range(8):
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": pt(i % 5, 2)},
                      "properties": {"layer": "premise", "code": "RT-P%d" % i, "street": "Fischmarkt",
                                     "house_number": "%d%s" % (i + 1, "a" if i % 3 == 0 else ""),
                                     "postcode": "09%03d" % (100 + i), "city": "Erfurt",
                                     "kind": ["residential", "business", "school", "public"][i % 4],
                                     "units_residential": i % 4, "units_business": i % 2,
                                     "white_spot": i % 2 == 0, "bandwidth_before_mbps": 16.5,
                                     "serving_segment": "RT-S%d" % (i % 5)}})
    return {"type": "FeatureCollection", "name": "netz", "features": feats}


def metres(a, b):
    """Distance of two lon/lat positions in metres (haversine)."""
    lo1, la1, lo2, la2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def stored_positions(pid):
    """{code: [(lon, lat), ...]} of a project's nodes, segments and premises."""
    out = {}
    for coll in ("nodes", "premises"):
        for o in FX.admin.list_all(coll, {"project_id": pid}):
            if o.get("lon") is not None:
                out[o["code"]] = [(o["lon"], o["lat"])]
    for s in FX.admin.list_all("segments", {"project_id": pid}):
        if s.get("geometry"):
            out[s["code"]] = [tuple(p) for p in s["geometry"]["coordinates"]]
    return out


def stored_fields(pid):
    keep = {"nodes": ("kind", "name"),
            "segments": ("kind", "method", "surface", "planned_length_m", "fiber_count", "duct_type",
                         "duct_type_code", "laying_depth_m", "co_laying", "street", "planned_start", "planned_end"),
            "premises": ("street", "house_number", "postcode", "city", "kind", "units_residential",
                         "units_business", "white_spot", "bandwidth_before_mbps")}
    out = {}
    for coll, fields in keep.items():
        for o in FX.admin.list_all(coll, {"project_id": pid}):
            out[o["code"]] = {f: o.get(f) for f in fields}
    return out


def same_network(pid_a, pid_b, what):
    """Checks that two projects hold the same network: fields equal,
    positions within 1 cm."""
    pa, pb = stored_positions(pid_a), stored_positions(pid_b)
    check(set(pa) == set(pb), "%s: objects with positions differ: %s" % (what, sorted(set(pa) ^ set(pb))))
    worst = 0.0
    for code in set(pa) & set(pb):
        if len(pa[code]) != len(pb[code]):
            check(False, "%s: %s has %d positions, not %d" % (what, code, len(pb[code]), len(pa[code])))
            continue
        for a, b in zip(pa[code], pb[code]):
            worst = max(worst, metres(a, b))
    check(worst < 0.01, "%s: a position moved %.4f m (limit 1 cm)" % (what, worst))
    fa, fb = stored_fields(pid_a), stored_fields(pid_b)
    diff = {c: (fa[c], fb.get(c)) for c in fa if fa[c] != fb.get(c)}
    check(not diff, "%s: fields differ: %s" % (what, json.dumps(diff, default=str)[:800]))
    return worst


ORIGIN = None  # (project id, lot code) holding the network imported from GeoJSON


@suite.test("GeoJSON in, export.gpkg out: three typed layers in EPSG:4326, read by ogrinfo")
def t_export_gpkg():
    global ORIGIN
    require(OGR2OGR and OGRINFO, "ogr2ogr/ogrinfo missing: install Debian's gdal-bin")
    pid, lot = new_project("RT")
    r = import_file(pid, json.dumps(network(lot)).encode(), GEOJSON)
    require(r.status == 200 and r.json["created"] == 19, "import of the network: %r" % r)
    ORIGIN = (pid, lot)
    r = FX.manager.get("/projects/%d/export.gpkg" % pid)
    require(r.status == 200, "export.gpkg: %r" % r)
    check(r.header("Content-Type") == GPKG, "export.gpkg Content-Type %r" % r.header("Content-Type"))
    check("attachment" in (r.header("Content-Disposition") or ""), "export.gpkg without Content-Disposition")
    write("origin.gpkg", r.body)
    info = ogrinfo(path("origin.gpkg"))
    for layer, geom in (("nodes", "Point"), ("segments", "Line String"), ("premises", "Point")):
        check(re.search(r"%s \(%s\)" % (layer, geom), info), "layer %s (%s) missing: %s" % (layer, geom, info))
    seg = ogrinfo("-so", path("origin.gpkg"), "segments")
    for field, typ in (("planned_length_m", "Real"), ("fiber_count", "Integer"), ("planned_start", "Date"),
                       ("duct_type_code", "Integer"), ("laying_depth_m", "Real"), ("co_laying", "String"),
                       ("code", "String")):
        check(re.search(r"^%s: %s" % (field, typ), seg, re.M), "segments.%s is not %s: %s" % (field, typ, seg))
    check("Feature Count: 5" in seg and 'ID["EPSG",4326]' in seg, "segments count or SRS: %s" % seg)
    prem = ogrinfo("-so", path("origin.gpkg"), "premises")
    check(re.search(r"^white_spot: Integer\(Boolean\)", prem, re.M), "white_spot is not a boolean: %s" % prem)
    check("Feature Count: 8" in prem, "premises count: %s" % prem)
    # The GeoPackage imports into its own project unchanged.
    r = import_file(pid, read("origin.gpkg"), GPKG, dry_run=True)
    check(r.status == 200 and r.json.get("unchanged") == 19, "re-import of export.gpkg: %r" % r)


def round_trip(name, data, ctype, expect_crs, **params):
    require(ORIGIN, "the network was not imported")
    pid, lot = new_project(name[:6])
    # Lot codes differ per project: the files name the origin's lot.
    FX.admin.create("lots", {"project_id": pid, "code": ORIGIN[1], "name": "Los RT"})
    r = import_file(pid, data, ctype, **params)
    if not check(r.status == 200 and r.json.get("created") == 19, "%s: import: %r" % (name, r)):
        return
    check(r.json.get("crs") == expect_crs, "%s: crs %r, expected %s" % (name, r.json.get("crs"), expect_crs))
    same_network(ORIGIN[0], pid, name)
    # ...and back into the origin: nothing changes.
    r = import_file(ORIGIN[0], data, ctype, dry_run=True, **params)
    check(r.status == 200 and r.json.get("unchanged") == 19 and r.json.get("updated") == 0,
          "%s: into the origin again: %r" % (name, r))


@suite.test("round trip: export.gpkg -> ogr2ogr GeoPackage in EPSG:25832 -> import, within 1 cm")
def t_rt_gpkg_utm():
    out = path("utm.gpkg")
    ogr(OGR2OGR, "-f", "GPKG", out, path("origin.gpkg"), "-t_srs", "EPSG:25832")
    round_trip("GPKG EPSG:25832", read("utm.gpkg"), GPKG, "EPSG:25832")


@suite.test("round trip: export.gpkg -> Shapefiles (EPSG:4326 and 25832, names cut to 10) zipped -> import")
def t_rt_shapefile():
    for srs in ("EPSG:4326", "EPSG:25832"):
        d = path("shp-" + srs.replace(":", ""))
        ogr(OGR2OGR, "-f", "ESRI Shapefile", d, path("origin.gpkg"), "-t_srs", srs)
        dbf = ogrinfo("-so", os.path.join(d, "segments.shp"), "segments")
        check("planned_le:" in dbf, "ogr2ogr did not cut planned_length_m to planned_le: %s" % dbf)
        z = zip_dir(d, d + ".zip")
        with open(z, "rb") as f:
            round_trip("Shapefile " + srs, f.read(), ZIP, srs)


@suite.test("round trip: export.gpkg -> CSV with WKT (one flat table) -> import, and GeoJSON in EPSG:25832")
def t_rt_csv_geojson():
    # One flat table, as a GIS user keeps the three layers in one: a layer
    # column and every layer's columns, null where a layer has none.
    features, columns = [], []
    for layer, name in (("nodes", "node"), ("segments", "segment"), ("premises", "premise")):
        out = path("layer-%s.geojson" % layer)
        ogr(OGR2OGR, "-f", "GeoJSON", out, path("origin.gpkg"), layer)
        for f in json.load(open(out))["features"]:
            f["properties"]["layer"] = name
            columns += [k for k in f["properties"] if k not in columns]
            features.append(f)
    for f in features:
        f["properties"] = {k: f["properties"].get(k) for k in columns}
    geo = path("flat.geojson")
    json.dump({"type": "FeatureCollection", "name": "flat", "features": features}, open(geo, "w"))
    csv = path("flat.csv")
    ogr(OGR2OGR, "-f", "CSV", csv, geo, "-lco", "GEOMETRY=AS_WKT")
    round_trip("CSV (WKT)", read("flat.csv"), CSV, "EPSG:4326")
    utm = path("utm.geojson")
    ogr(OGR2OGR, "-f", "GeoJSON", utm, geo, "-t_srs", "EPSG:25832")
    check("EPSG::25832" in open(utm).read(), "ogr2ogr wrote no crs member")
    round_trip("GeoJSON EPSG:25832", read("utm.geojson"), GEOJSON, "EPSG:25832")


@suite.test("the issue's flat table: CSV -> ogr2ogr -oo AUTODETECT_TYPE=YES -> GeoJSON -> import, postcodes as text")
def t_flat_table_issue():
    pid, lot = new_project("FLAT")
    header = "WKT,layer,code,kind,name,lot,from_node,to_node,method,surface,fiber_count,street,house_number,postcode,city,serving_segment,white_spot,units_residential"
    rows = ['"POINT (11.03 50.97)",node,F-N1,pop,PoP,,,,,,,,,,,,,',
            '"POINT (11.04 50.97)",node,F-N2,cabinet,KVz,,,,,,,,,,,,,',
            '"LINESTRING (11.03 50.97,11.035 50.971,11.04 50.97)",segment,F-S1,trench,,%s,F-N1,F-N2,open_trench,sealed,96,,,,,,,' % lot]
    for i in range(6):
        rows.append('"POINT (11.0%d 50.9705)",premise,F-P%d,residential,,,,,,,,Johannesstraße,%d,99084,Erfurt,F-S1,%d,%d'
                    % (3 + i % 2, i, 10 + i, i % 2, 1 + i))
    write("plan.csv", ("\n".join([header] + rows) + "\n").encode())
    out = path("plan.geojson")
    ogr(OGR2OGR, "-f", "GeoJSON", out, path("plan.csv"), "-oo", "GEOM_POSSIBLE_NAMES=WKT", "-oo",
        "KEEP_GEOM_COLUMNS=NO", "-oo", "AUTODETECT_TYPE=YES", "-a_srs", "EPSG:4326")
    doc = json.load(open(out))
    p0 = [f for f in doc["features"] if f["properties"]["code"] == "F-P0"][0]["properties"]
    require(isinstance(p0["postcode"], int) and p0["lot"] == "",
            "ogr2ogr no longer writes the flat table as the issue describes: %r" % p0)
    r = import_file(pid, read("plan.geojson"), GEOJSON)
    check(r.status == 200 and r.json.get("created") == 9, "flat table import: %r" % r)
    prem = FX.admin.list_all("premises", {"project_id": pid, "code": "F-P1"})
    check(prem and prem[0]["postcode"] == "99084" and prem[0]["house_number"] == "11" and prem[0]["white_spot"],
          "flat table premise: %r" % prem)
    # The CSV itself goes in directly too, its text kept as text.
    pid2, _ = new_project("FLAT2")
    FX.admin.create("lots", {"project_id": pid2, "code": lot, "name": "Los"})
    r = import_file(pid2, read("plan.csv"), CSV)
    check(r.status == 200 and r.json.get("created") == 9, "flat CSV import: %r" % r)


@suite.test("MultiLineString: one part is a line (QGIS GeoPackage); several parts refused naming the fix")
def t_multilinestring():
    pid, lot = new_project("MLS")
    one = path("one.gpkg")
    ogr(OGR2OGR, "-f", "GPKG", one, path("origin.gpkg"), "segments", "-nlt", "MULTILINESTRING", "-nln", "segments")
    check("Multi Line String" in ogrinfo(one), "ogr2ogr did not write MultiLineStrings")
    r = import_file(ORIGIN[0], read("one.gpkg"), GPKG, dry_run=True)
    check(r.status == 200 and r.json.get("by_layer", {}).get("segment", {}).get("unchanged") == 5,
          "one-part MultiLineStrings of the origin's segments: %r" % r)
    two = {"type": "FeatureCollection", "name": "segments", "features": [
        {"type": "Feature", "properties": {"code": "M-S0", "kind": "trench", "planned_length_m": 10},
         "geometry": {"type": "LineString", "coordinates": [[11.0, 50.9], [11.001, 50.9]]}},
        {"type": "Feature", "properties": {"code": "M-S1", "kind": "trench", "planned_length_m": 10},
         "geometry": {"type": "MultiLineString", "coordinates": [[[11.0, 50.9], [11.001, 50.9]],
                                                                 [[11.002, 50.9], [11.003, 50.9]]]}}]}
    write("two.geojson", json.dumps(two).encode())
    multi = path("two.gpkg")
    ogr(OGR2OGR, "-f", "GPKG", multi, path("two.geojson"), "-nlt", "MULTILINESTRING", "-nln", "segments")
    snap = db_snapshot()
    r = import_file(pid, read("two.gpkg"), GPKG)
    problem(r, 422, "a two-part MultiLineString")
    check_unchanged(snap, "a refused GeoPackage import")
    errs = (r.json or {}).get("errors") or []
    check(len(errs) == 1 and errs[0].get("index") == 1 and errs[0].get("layer") == "segments"
          and errs[0].get("code") == "M-S1" and errs[0].get("pointer") == "/layers/segments/features/1/geometry",
          "the error names index, layer and code: %r" % errs)
    check(errs and "2 parts" in errs[0]["detail"] and "Multipart to Singleparts" in errs[0]["detail"],
          "the error names the fix: %r" % errs)
    # The GeoJSON itself: the same, with GeoJSON's pointer.
    r = import_file(pid, read("two.geojson"), GEOJSON)
    errs = (problem(r, 422, "a two-part MultiLineString in GeoJSON") or {}).get("errors") or []
    check(errs and errs[0].get("pointer") == "/features/1/geometry" and errs[0].get("code") == "M-S1",
          "GeoJSON error: %r" % errs)


@suite.test("errors by index, layer and code in zipped Shapefiles; all or nothing; dry run changes nothing")
def t_errors_shapefile():
    pid, lot = new_project("ERR")
    d = path("bad-shp")
    nodes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "E-N%d" % i, "kind": k},
         "geometry": {"type": "Point", "coordinates": [11.0 + i * 0.001, 50.9]}}
        for i, k in enumerate(["pop", "bunker", "handhole"])]}
    write("bad-nodes.geojson", json.dumps(nodes).encode())
    ogr(OGR2OGR, "-f", "ESRI Shapefile", d, path("bad-nodes.geojson"), "-nln", "nodes")
    z = zip_dir(d, path("bad.zip"))
    snap = db_snapshot()
    for dry in (False, True):
        r = import_file(pid, open(z, "rb").read(), ZIP, dry_run=dry)
        errs = (problem(r, 422, "a bad kind in a Shapefile") or {}).get("errors") or []
        check([(e.get("index"), e.get("layer"), e.get("code"), e.get("field")) for e in errs] ==
              [(1, "nodes", "E-N1", "kind")], "errors: %r" % errs)
    check_unchanged(snap, "refused Shapefile imports")
    nodes["features"][1]["properties"]["kind"] = "cabinet"
    write("bad-nodes.geojson", json.dumps(nodes).encode())
    shutil.rmtree(d)
    ogr(OGR2OGR, "-f", "ESRI Shapefile", d, path("bad-nodes.geojson"), "-nln", "nodes")
    z = zip_dir(d, path("good.zip"))
    snap = db_snapshot()
    r = import_file(pid, open(z, "rb").read(), ZIP, dry_run=True)
    check(r.status == 200 and r.json.get("created") == 3 and r.json.get("dry_run") is True, "dry run: %r" % r)
    check_unchanged(snap, "a dry run")
    r = import_file(pid, open(z, "rb").read(), ZIP)
    check(r.status == 200 and r.json.get("created") == 3, "import: %r" % r)


@suite.test("CSV in ETRS89 / UTM 32N: ?crs=EPSG:25832 transforms it; without, the error names ?crs")
def t_csv_crs():
    pid, lot = new_project("UTM")
    ux, uy = 642702.948, 5649312.131  # 50.9777 N 11.0328 E, by gdaltransform
    text = "WKT;layer;code;kind\n\"POINT (%.3f %.3f)\";node;U-N1;pop\n" % (ux, uy)
    r = import_file(pid, text.encode(), CSV, dry_run=True)
    errs = (problem(r, 422, "a projected CSV without ?crs") or {}).get("errors") or []
    check(errs and "?crs=EPSG:25832" in errs[0].get("detail", ""), "the error does not name ?crs: %r" % errs)
    r = import_file(pid, text.encode(), CSV, crs="EPSG:25832")
    check(r.status == 200 and r.json.get("crs") == "EPSG:25832", "CSV with ?crs: %r" % r)
    n = FX.admin.list_all("nodes", {"project_id": pid})
    check(n and abs(n[0]["lat"] - 50.9777) < 1e-6 and abs(n[0]["lon"] - 11.0328) < 1e-6,
          "UTM CSV stored at %r" % n)
    problem(import_file(pid, text.encode(), CSV, crs="EPSG:banana"), 400, "?crs=EPSG:banana")
    problem(import_file(pid, text.encode(), CSV, crs="EPSG:999999"), 422, "?crs of an unknown system")


@suite.test("bad files: 415 for other types, 400 for what is not the named format, nothing changed")
def t_bad_files():
    pid, _ = new_project("BAD")
    snap = db_snapshot()
    r = import_file(pid, b"<kml/>", "application/vnd.google-earth.kml+xml")
    problem(r, 415, "a KML upload")
    check("geopackage" in (r.json or {}).get("detail", ""), "415 does not list the formats: %r" % r)
    problem(import_file(pid, b"not a geopackage at all", GPKG), 400, "garbage as GeoPackage")
    problem(import_file(pid, b"SQLite format 3\x00" + b"\x00" * 200, GPKG), 400, "a broken SQLite file")
    problem(import_file(pid, b"PK\x03\x04garbage", ZIP), 400, "a broken zip")
    z = path("empty.zip")
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("readme.txt", "no shapefiles here")
    problem(import_file(pid, open(z, "rb").read(), ZIP), 422, "a zip without Shapefiles")
    problem(import_file(pid, b"", GPKG), 400, "an empty body")
    problem(import_file(pid, b"{}", GEOJSON, wrong="1"), 400, "an unknown query parameter")
    check_unchanged(snap, "refused uploads")
    problem(import_file(pid, b"{}", GEOJSON, who=FX.finance), 403, "finance imports")
    problem(import_file(pid, b"{}", GEOJSON, who=FX.ca), 403, "a contractor imports")


@suite.test("an update from a GeoPackage applies the cross-field rules against the stored values")
def t_gpkg_cross_field():
    pid, lot = new_project("XF")
    seg = FX.admin.create("segments", {"project_id": pid, "code": "X-S1", "kind": "trench", "planned_length_m": 10,
                                       "planned_start": "2026-05-01", "planned_end": "2026-06-30"})
    doc = {"type": "FeatureCollection", "name": "segments", "features": [
        {"type": "Feature", "properties": {"code": "X-S1", "planned_end": "2026-04-01"}, "geometry": None}]}
    write("xf.geojson", json.dumps(doc).encode())
    ogr(OGR2OGR, "-f", "GPKG", path("xf.gpkg"), path("xf.geojson"), "-nln", "segments")
    snap = db_snapshot()
    r = import_file(pid, read("xf.gpkg"), GPKG)
    errs = (problem(r, 422, "planned_end before the stored planned_start") or {}).get("errors") or []
    check(errs and errs[0].get("field") == "planned_end" and errs[0].get("code") == "X-S1", "errors: %r" % errs)
    check_unchanged(snap, "a refused update")
    check(FX.admin.fetch("segments", seg["id"])["planned_end"] == "2026-06-30", "the refused update changed it")


@suite.test("segment fields for GIS-NBest: duct_type_code of the list, laying_depth_m, co_laying")
def t_segment_fields():
    pid, _ = new_project("NBF")
    base = {"project_id": pid, "kind": "duct", "planned_length_m": 12}
    s = FX.manager.create("segments", dict(base, code=unique("NB"), duct_type_code=11, laying_depth_m=0.8,
                                           co_laying="third_party"))
    check((s["duct_type_code"], s["laying_depth_m"], s["co_laying"]) == (11, 0.8, "third_party"),
          "created: %r" % s)
    for field, value in (("duct_type_code", 7), ("duct_type_code", 100), ("laying_depth_m", 12),
                         ("laying_depth_m", -0.1), ("co_laying", "neighbour")):
        r = FX.manager.post("/segments", dict(base, code=unique("NB"), **{field: value}))
        problem(r, 422, "%s = %r" % (field, value), pointer="/" + field)
    r = FX.manager.patch("/segments/%d" % s["id"], {"duct_type_code": 8}, if_match=FX.manager.get(
        "/segments/%d" % s["id"]).header("ETag"))
    problem(r, 422, "PATCH duct_type_code 8", pointer="/duct_type_code")
    r = FX.manager.patch("/segments/%d" % s["id"], {"duct_type_code": 99, "duct_type": "Mikrorohr 7x4",
                                                    "laying_depth_m": None},
                         if_match=FX.manager.get("/segments/%d" % s["id"]).header("ETag"))
    check(r.status == 200 and r.json["duct_type_code"] == 99 and r.json["laying_depth_m"] is None, "PATCH: %r" % r)
    # The import takes them, also as Shapefile-cut names.
    doc = {"type": "FeatureCollection", "name": "segments", "features": [
        {"type": "Feature", "properties": {"code": s["code"], "duct_type_code": 3, "laying_depth_m": 1.1,
                                           "co_laying": "own"}, "geometry": None}]}
    write("nbf.geojson", json.dumps(doc).encode())
    d = path("nbf-shp")
    ogr(OGR2OGR, "-f", "ESRI Shapefile", d, path("nbf.geojson"), "-nln", "segments")
    r = import_file(pid, open(zip_dir(d, path("nbf.zip")), "rb").read(), ZIP)
    check(r.status == 200 and r.json.get("updated") == 1, "import of the fields from a Shapefile: %r" % r)
    got = FX.admin.fetch("segments", s["id"])
    check((got["duct_type_code"], got["laying_depth_m"], got["co_laying"]) == (3, 1.1, "own"), "imported: %r" % got)


def nbest(pid, phase, **extra):
    q = {"version": "5.1", "phase": phase}
    q.update(extra)
    return FX.manager.get("/projects/%d/exports/gis-nbest.zip" % pid, params=q, timeout=120)


@suite.test("GIS-NBest 5.1 zip read back with ogrinfo: layers, field names and types, EPSG:25832, counts")
def t_nbest():
    pid = ORIGIN[0]
    r = nbest(pid, "plan")
    require(r.status == 200, "gis-nbest.zip: %r" % r)
    check(r.header("Content-Type") == ZIP and "gis-nbest-5.1-plan" in (r.header("Content-Disposition") or ""),
          "headers: %r %r" % (r.header("Content-Type"), r.header("Content-Disposition")))
    d = path("nbest-plan")
    os.makedirs(d, exist_ok=True)
    write("nbest-plan.zip", r.body)
    with zipfile.ZipFile(path("nbest-plan.zip")) as z:
        names = set(z.namelist())
        z.extractall(d)
    layers = ("Trassenbau", "Leerrohre", "Verbindungen", "Mitverlegung", "Netztechnik", "Endkunden")
    for layer in layers:
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            check(layer + ext in names, "%s%s missing from the zip: %s" % (layer, ext, sorted(names)))
    check("gis-nbest-5.1-plan.gpkg" in names, "the GeoPackage is missing: %s" % sorted(names))
    fields = {
        "Trassenbau": [("trassenb", "Integer"), ("bauweise", "String"), ("verl_tiefe", "Real"),
                       ("laenge", "Real"), ("ft_code", "String")],
        "Leerrohre": [("ID", "Integer"), ("LR_Art", "Integer"), ("LR_sonst", "String"), ("laenge", "Real")],
        "Verbindungen": [("ID", "Integer"), ("fasern", "Integer"), ("laenge", "Real")],
        "Mitverlegung": [("ID", "Integer"), ("art", "String"), ("laenge", "Real")],
        "Netztechnik": [("ID", "Integer"), ("art", "String"), ("bezeichn", "String")],
        "Endkunden": [("ID", "Integer"), ("ID_Netze", "Integer"), ("strasse", "String"), ("hausnr", "String"),
                      ("plz", "String"), ("ort", "String"), ("anschluss", "String")],
    }
    # The origin network: 5 segments (trench, duct, a cable in an existing
    # duct: no civil works, drop, trench), 6 nodes (pop, cabinet, splice closure and three
    # others), 8 premises; all planned.
    counts = {"Trassenbau": 4, "Leerrohre": 5, "Verbindungen": 4, "Mitverlegung": 2, "Netztechnik": 3,
              "Endkunden": 8}
    for layer, want in fields.items():
        info = ogrinfo("-so", os.path.join(d, layer + ".shp"), layer)
        check('ID["EPSG",25832]' in info, "%s is not in EPSG:25832: %s" % (layer, info[:300]))
        check("Feature Count: %d" % counts[layer] in info, "%s: count, expected %d: %s" % (layer, counts[layer], info))
        for name, typ in want:
            check(re.search(r"^%s: %s \(" % (name, typ), info, re.M), "%s.%s is not %s: %s" % (layer, name, typ, info))
    tb = ogrinfo("-al", "-q", os.path.join(d, "Trassenbau.shp"))
    check(re.search(r"trassenb \(Integer\) = 11", tb) and re.search(r"trassenb \(Integer\) = 12", tb),
          "Trassenbau without the surface codes 11 and 12: %s" % tb[:1500])
    lr = ogrinfo("-al", "-q", os.path.join(d, "Leerrohre.shp"))
    check(re.search(r"LR_Art \(Integer\) = 12", lr) and re.search(r"LR_sonst \(String\) = Speedpipe", lr),
          "Leerrohre codes: %s" % lr[:1500])
    ek = ogrinfo("-al", "-q", os.path.join(d, "Endkunden.shp"))
    check(re.search(r"ID_Netze \(Integer\) = [1-3]\b", ek), "Endkunden do not refer to Netztechnik: %s" % ek[:1500])
    # The positions are those of the network, within 1 cm.
    pos = stored_positions(pid)
    nt = ogr(OGR2OGR, "-f", "GeoJSON", "/vsistdout/", os.path.join(d, "Netztechnik.shp"), "-t_srs", "EPSG:4326")
    worst = 0.0
    for f in json.loads(nt)["features"]:
        worst = max(worst, metres(f["geometry"]["coordinates"], pos[f["properties"]["ft_code"]][0]))
    check(worst < 0.01, "Netztechnik positions moved %.4f m through EPSG:25832" % worst)
    gp = ogrinfo(os.path.join(d, "gis-nbest-5.1-plan.gpkg"))
    for layer in layers:
        check(layer in gp, "the GeoPackage lacks %s: %s" % (layer, gp))
    # As built: only what is built, with built lengths.
    seg = FX.admin.list_all("segments", {"project_id": pid, "code": "RT-S0"})[0]
    r = FX.manager.patch("/segments/%d" % seg["id"], {"status": "civil_done", "built_length_m": 98.25},
                         if_match='"%d"' % seg["version"])
    require(r.status == 200, "segment to civil_done: %r" % r)
    r = nbest(pid, "asbuilt")
    require(r.status == 200, "asbuilt: %r" % r)
    write("nbest-asbuilt.zip", r.body)
    d2 = path("nbest-asbuilt")
    with zipfile.ZipFile(path("nbest-asbuilt.zip")) as z:
        z.extractall(d2)
    tb = ogrinfo("-al", "-q", os.path.join(d2, "Trassenbau.shp"))
    check("Feature Count: 1" in ogrinfo("-so", os.path.join(d2, "Trassenbau.shp"), "Trassenbau")
          and re.search(r"laenge \(Real\) = 98.25", tb), "asbuilt Trassenbau: %s" % tb[:800])
    check("Feature Count: 0" in ogrinfo("-so", os.path.join(d2, "Endkunden.shp"), "Endkunden"),
          "asbuilt Endkunden of a network that passed no premise")


@suite.test("GIS-NBest: a version other than 5.1 and an unknown phase are 422; none given is 5.1, plan; contractors 403")
def t_nbest_params():
    pid = ORIGIN[0]
    problem(nbest(pid, "plan", version="4.0"), 422, "version 4.0", pointer="/version")
    r = FX.manager.get("/projects/%d/exports/gis-nbest.zip" % pid)
    check(r.status == 200 and "gis-nbest-5.1-plan" in (r.header("Content-Disposition") or ""),
          "without version and phase: 5.1, the plan: %r" % r)
    problem(nbest(pid, "final"), 422, "phase final", pointer="/phase")
    problem(nbest(pid, "plan", format="shp"), 400, "an unknown parameter")
    problem(FX.ca.get("/projects/%d/exports/gis-nbest.zip" % pid, params={"phase": "plan"}), 403, "a contractor")
    problem(FX.manager.get("/projects/999999999/exports/gis-nbest.zip", params={"phase": "plan"}), 404,
            "a missing project")
    check(FX.finance.get("/projects/%d/export.gpkg" % pid).status == 200, "finance cannot export a GeoPackage")


def setup():
    global FX, TMP
    FX = Fixture(unique("gis"))
    TMP = tempfile.mkdtemp(prefix="ft-gis-", dir=os.environ.get("FT_TMP"))


if __name__ == "__main__":
    try:
        suite.run(setup)
    finally:
        if TMP:
            shutil.rmtree(TMP, ignore_errors=True)
