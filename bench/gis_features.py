#!/usr/bin/python3
"""Writes a synthetic network as a GeoJSON FeatureCollection for the GIS
import benchmark: nodes on a grid, segments between neighbours (three
positions each), premises along them, all referring to each other by code.

    gis_features.py NODES SEGMENTS PREMISES LOT [VARIANT] > file.geojson

VARIANT changes names and fibre counts, so that a second import of the same
codes updates every feature."""

import json
import sys


def point(layer, code, lon, lat, **props):
    p = {"layer": layer, "code": code}
    p.update(props)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": p}


def line(code, coords, **props):
    p = {"layer": "segment", "code": code}
    p.update(props)
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}, "properties": p}


def generate(n_nodes, n_seg, n_prem, lot, variant=""):
    feats = []
    for i in range(n_nodes):
        feats.append(point("node", "N%06d" % i, round(13.0 + (i % 400) * 1e-4, 7),
                           round(52.0 + (i // 400) * 1e-4, 7), kind="handhole",
                           name="Schacht %d%s" % (i, variant)))
    for i in range(n_seg):
        a, b = i % n_nodes, (i + 1) % n_nodes
        ax, ay = 13.0 + (a % 400) * 1e-4, 52.0 + (a // 400) * 1e-4
        bx, by = 13.0 + (b % 400) * 1e-4, 52.0 + (b // 400) * 1e-4
        feats.append(line("S%06d" % i, [[round(ax, 7), round(ay, 7)],
                                        [round((ax + bx) / 2, 7), round((ay + by) / 2 + 2e-5, 7)],
                                        [round(bx, 7), round(by, 7)]],
                          kind="trench", method="open_trench", surface="sealed", lot=lot,
                          from_node="N%06d" % a, to_node="N%06d" % b,
                          fiber_count=96 if not variant else 144))
    for i in range(n_prem):
        feats.append(point("premise", "P%06d" % i, round(13.0 + (i % 400) * 1e-4, 7),
                           round(52.00005 + (i // 400) * 1e-5, 7), street="Ringstraße" + variant,
                           house_number=str(i), postcode="99000", city="Speedtown", kind="residential",
                           units_residential=1 + i % 4, white_spot=(i % 3 == 0),
                           serving_segment="S%06d" % (i % n_seg)))
    return {"type": "FeatureCollection", "features": feats}


if __name__ == "__main__":
    n, s, p, lot = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    variant = sys.argv[5] if len(sys.argv) > 5 else ""
    json.dump(generate(n, s, p, lot, variant), sys.stdout, separators=(",", ":"), ensure_ascii=False)
