"""Former generation layer: the reconciliation rule on small tables, then the real files with known stations."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from growthzones.gbdata.former import build_former_stations, read_station_names

# GROWTHZONES_GB_DATA points at the folder from a git worktree elsewhere.
SHARED = Path(
    os.environ.get("GROWTHZONES_GB_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "gb-open-data")
)
TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)

JRC_HEAD = (
    "eic_p,eic_g,name_p,name_g,capacity_p,capacity_g,type_g,lat,lon,country,NUTS2,status_g,year_commissioned,"
    "year_decommissioned,water_type,cooling_type\n"
)
REACTORS_HEAD = (
    "Id,Name,Latitude,Longitude,Country,CountryCode,Status,ReactorType,ReactorModel,ConstructionStartAt,"
    "OperationalFrom,OperationalTo,Capacity,LastUpdatedAt,Source,IAEAId\n"
)
DUKES_HEAD = (
    "station_name,x_coordinate,y_coordinate,technology,capacity_mw,company_name,country,region,source,scraped_date\n"
)


def _jrc(code, cap, fuel, lat, lon, status="COMMISSIONED", year="", nuts="UKF1"):
    return f"x,{code}1,{code},{code}1,{cap},{cap},{fuel},{lat},{lon},United Kingdom,{nuts},{status},1970,{year},,\n"


def _bng(lon, lat):
    x, y = TO_BNG.transform(lon, lat)
    return round(x), round(y)


@pytest.fixture
def small(tmp_path):
    """Coal 2000 MW beside a gas 450 MW plant; a converted coal plant; a closed unit; NI; a reactor station."""
    jrc = JRC_HEAD
    jrc += _jrc("COAL", 1000, "Fossil Hard coal", 53.30, -0.78) + _jrc("COAL", 1000, "Fossil Hard coal", 53.30, -0.78)
    jrc += _jrc("GASP", 450, "Fossil Gas", 53.30, -0.78)
    jrc += _jrc("CONV", 400, "Fossil Hard coal", 55.20, -1.54)
    jrc += _jrc("SHUT", 600, "Fossil Oil", 51.47, 0.24, "DECOMMISSIONED", "2015")
    jrc += _jrc("NIRE", 500, "Fossil Gas", 54.80, -5.70, nuts="UKN0")
    jrc += _jrc("HYDR", 300, "Hydro Pumped Storage", 53.12, -4.11)
    jrc += _jrc("TINY", 50, "Fossil Gas", 52.0, -1.0)
    jrc += _jrc("NUKE", 1000, "Nuclear", 53.42, -4.48)
    names = "code,station\nCOAL,Coal Town\nGASP,Coal Town B\nCONV,Lynemouth\nSHUT,Shutbrook\nNIRE,Irish\nTINY,Tiny\n"
    reactors = REACTORS_HEAD
    reactors += "1,Wylfa-1,53.417,-4.483,United Kingdom,GB,Shutdown,GCR,MAGNOX,1963,1971,2015-12-30,550,x,x,1\n"
    reactors += "2,Wylfa-2,53.417,-4.483,United Kingdom,GB,Shutdown,GCR,MAGNOX,1963,1971,2012-04-25,550,x,x,2\n"
    reactors += "3,Farpoint-1,55.0,-2.0,United Kingdom,GB,Operational,AGR,AGR,1980,1988,,600,x,x,3\n"
    reactors += "4,Newbuild-C1,51.2,-3.1,United Kingdom,GB,Under Construction,PWR,EPR,2018,,,1630,x,x,4\n"
    gx, gy = _bng(-0.78, 53.30)
    cx, cy = _bng(-1.54, 55.20)
    dukes = DUKES_HEAD
    dukes += f"Coal Town CCGT,{gx + 1500},{gy},Fossil Fuel,445,a,England,x,d,2025\n"  # the gas plant, renamed
    dukes += f"Lynemouth Power Limited,{cx},{cy + 500},Bioenergy,420,b,England,x,d,2025\n"  # coal -> biomass
    fx, fy = _bng(-2.0, 55.0)
    dukes += f"Farpoint,{fx + 150_000},{fy},Nuclear,1200,c,Scotland,x,d,2025\n"  # right name, coordinates far off
    paths = {}
    for key, text in {"jrc": jrc, "reactors": reactors, "dukes": dukes, "names": names}.items():
        paths[key] = tmp_path / f"{key}.csv"
        paths[key].write_text(text)
    closures = tmp_path / "closures.csv"
    closures.write_text("station,closure_year,source\nFarpoint,2030,operator statement\n")
    return build_former_stations(
        paths["jrc"], paths["reactors"], paths["dukes"], station_names=paths["names"], announced_closures=closures
    )


def test_rule_on_a_small_table(small):
    gdf, rep = small
    got = gdf.set_index("name")
    assert got.index.tolist() == ["Coal Town", "Coal Town B", "Farpoint", "Lynemouth", "Shutbrook", "Wylfa"]
    # The 2000 MW coal plant is not "in DUKES" through the 445 MW gas plant beside it: capacity 0.22x.
    assert got.loc["Coal Town", "status"] == "closed"
    assert got.loc["Coal Town", "closure_basis"] == "closed by DUKES 5.11 absence"
    assert got.loc["Coal Town", "former_capacity_mw"] == 2000.0
    assert got.loc["Coal Town B", "status"] == "operating"
    assert got.loc["Coal Town B", "dukes_match"] == "Coal Town CCGT"
    assert got.loc["Coal Town B", "match_km"] == pytest.approx(1.5, abs=0.01)
    assert got.loc["Lynemouth", ["status", "fuel", "dukes_match"]].tolist() == [
        "operating",
        "coal",
        "Lynemouth Power Limited",
    ]
    assert got.loc["Shutbrook", ["status", "closure_year", "closure_basis"]].tolist() == [
        "closed",
        2015,
        "JRC-PPDB-OPEN: decommissioned 2015",
    ]
    assert got.loc["Wylfa", ["status", "closure_year", "former_capacity_mw", "fuel"]].tolist() == [
        "closed",
        2015,
        1100.0,
        "nuclear",
    ]
    # Same name 150 km off still matches; with an announced end it is closing.
    assert got.loc["Farpoint", ["status", "closure_year", "dukes_match"]].tolist() == ["closing", 2030, "Farpoint"]
    assert rep.dropped == {
        "JRC unit in Northern Ireland (NUTS2 UKN0)": 1,
        "JRC unit neither thermal nor nuclear (hydro, wind)": 1,
        "reactor not yet built (under construction or planned)": 1,
        "JRC nuclear unit: taken from the GeoNuclearData reactor list": 1,
        "unit of a station below 100 MW (not a large connection)": 1,
    }
    assert rep.input_rows == 9 + 4
    assert any("closed by DUKES 5.11 absence" in n for n in rep.notes)
    assert "CC BY 4.0" in rep.licence and "share-alike" in rep.licence and "Open Government" in rep.licence


@pytest.mark.gbdata
@pytest.mark.skipif(not SHARED.is_dir(), reason=f"GB open data not found at {SHARED} (../shared/gb-open-data)")
def test_real_files_counts_and_known_stations():
    grid = SHARED / "grid"
    gdf, rep = build_former_stations(
        grid / "jrc_ppdb_open_uk_units.csv",
        grid / "geonucleardata_gb_reactors.csv",
        grid / "dukes_power_station_coordinates.csv",
    )
    # Expected station count worked out here with plain pandas from the two source files.
    jrc = pd.read_csv(grid / "jrc_ppdb_open_uk_units.csv")
    thermal = ["Fossil Hard coal", "Fossil Gas", "Fossil Oil", "Biomass"]
    jrc = jrc[(jrc["NUTS2"] != "UKN0") & jrc["type_g"].isin(thermal)]
    names = read_station_names()
    jrc_mw = jrc.groupby(jrc["name_p"].map(names))["capacity_g"].sum()
    rx = pd.read_csv(grid / "geonucleardata_gb_reactors.csv")
    rx = rx[rx["Status"].isin(["Shutdown", "Operational"])]
    rx_mw = rx.groupby(rx["Name"].map(lambda n: re.sub(r"-([A-Z]?)\d*$", r" \1", n).strip()))["Capacity"].sum()
    assert len(gdf) == int((jrc_mw >= 100).sum() + (rx_mw >= 100).sum())
    assert gdf["name"].is_unique

    # Closed by their own source: JRC stations with every unit decommissioned, reactor stations all shut down.
    all_dec = jrc.groupby(jrc["name_p"].map(names)).agg(
        dec=("status_g", lambda s: bool((s == "DECOMMISSIONED").all())), mw=("capacity_g", "sum")
    )
    rx_shut = rx.groupby(rx["Name"].map(lambda n: re.sub(r"-([A-Z]?)\d*$", r" \1", n).strip())).agg(
        shut=("Status", lambda s: bool((s == "Shutdown").all())), mw=("Capacity", "sum")
    )
    n_own = int((all_dec["dec"] & (all_dec["mw"] >= 100)).sum() + (rx_shut["shut"] & (rx_shut["mw"] >= 100)).sum())
    assert int((~gdf["closure_basis"].eq("closed by DUKES 5.11 absence") & gdf["status"].eq("closed")).sum()) == n_own
    assert int((gdf["source"] == "GeoNuclearData").sum()) == int((rx_mw >= 100).sum())

    got = gdf.set_index("name")
    for name, mw in [
        ("Cottam", 2008.0),
        ("Ratcliffe-on-Soar", 2054.0),
        ("Fiddlers Ferry", 1995.0),
        ("Aberthaw B", 1641.0),
    ]:
        assert got.loc[name, "status"] == "closed", name
        assert got.loc[name, "closure_basis"] == "closed by DUKES 5.11 absence", name
        assert got.loc[name, "former_capacity_mw"] == mw, name
    assert got.loc["Trawsfynydd", ["status", "closure_year", "former_capacity_mw"]].tolist() == ["closed", 1991, 500.0]
    assert got.loc["Wylfa", ["status", "closure_year", "former_capacity_mw"]].tolist() == ["closed", 2015, 1100.0]
    assert got.loc["Longannet", ["status", "closure_year"]].tolist() == ["closed", 2016]
    assert got.loc["West Burton A", "status"] == "closed" and got.loc["West Burton B", "status"] == "operating"
    assert got.loc["Drax", "status"] == "operating" and got.loc["Didcot B", "dukes_match"] == "Didcot B"
    assert got.loc["Heysham A", ["status", "closure_year"]].tolist() == ["closing", 2028]
    # Trawsfynydd lies in Snowdonia, about 52.92 N 3.95 W.
    x, y = TO_BNG.transform(-3.948, 52.924)
    assert np.hypot(got.loc["Trawsfynydd"].geometry.x - x, got.loc["Trawsfynydd"].geometry.y - y) < 1500
    assert rep.dropped["JRC unit in Northern Ireland (NUTS2 UKN0)"] == int(
        (pd.read_csv(grid / "jrc_ppdb_open_uk_units.csv")["NUTS2"] == "UKN0").sum()
    )
