"""Former generation: large thermal and nuclear stations that have closed or are closing.

Former power stations hold what a 500 MW data centre needs most: a large transmission connection
on deindustrialised land. This module builds one point per station from

- the JRC Open Power Plants Database (``grid/jrc_ppdb_open_uk_units.csv``, units of about 100 MW
  and more, statuses as of about 2019, decommissioned units with their closure year), and
- the GeoNuclearData reactor list (``grid/geonucleardata_gb_reactors.csv``, shutdown dates),

reconciled with the DUKES 5.11 list of stations operating now
(``grid/dukes_power_station_coordinates.csv``).

**The reconciliation rule.** A station is *closed* when its source says so (JRC
``DECOMMISSIONED`` for every unit, a reactor ``Shutdown``), with that closure year. A station its
source lists as working is *operating* when a DUKES 5.11 station matches it, and *closed by
DUKES 5.11 absence* when none does. A DUKES station matches when it lies within
:data:`MATCH_KM` km (:data:`NAME_MATCH_KM` km when the names agree, as DUKES coordinates can be far
off), is of a compatible fuel (coal may match a DUKES ``Fossil Fuel`` or
``Bioenergy`` station, as coal units converted to biomass, e.g. Drax and Lynemouth; gas and oil a
``Fossil Fuel`` station; biomass a ``Bioenergy`` one; nuclear a ``Nuclear`` one) and has between
half and twice the station's working capacity. Each DUKES station matches at most one station:
pairs are taken in order of name agreement (first word of the normalised names), then
capacity ratio, then distance. An operating station with an announced end of generation
(committed table ``growthzones/data_files/gb_announced_closures.csv``, with sources) is *closing*.

**Limits of the rule.** JRC names plants by balancing-mechanism codes (``COTPS``), so station
names come from the committed table ``growthzones/data_files/jrc_bmu_station_names.csv``; a
code missing from it keeps the code as its name. DUKES 5.11 gives ``Fossil Fuel`` without
coal/gas, so a closed coal station beside a working gas plant of similar size would be taken
as working; the capacity rule and the one-to-one matching prevent this for Cottam (coal, 2,008
MW, closed) beside the Cottam Development Centre (CCGT, 445 MW) and West Burton A (coal) beside
West Burton B (CCGT). A station partly converted (Drax: coal units closed, biomass units
working) counts as operating. JRC holds no station closed before about 2012 with its units
(Didcot A, for example, is absent); SOURCES.md says no open list of them was found.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from growthzones.errors import InputFileError
from growthzones.gbdata._common import (
    BNG,
    LayerReport,
    clean_strings,
    drop_rows,
    normalise_site_name,
    points_from_lonlat,
    points_from_xy_bng,
    require_columns,
)
from growthzones.gbdata.sources import layer_report

__all__ = [
    "FUEL_MATCHES",
    "MATCH_KM",
    "MIN_STATION_MW",
    "NAME_MATCH_KM",
    "build_former_stations",
    "reactor_station",
    "read_announced_closures",
    "read_station_names",
]

MATCH_KM = 5.0
"""Largest distance (km) between a station and a DUKES 5.11 station of another name that it matches."""

NAME_MATCH_KM = 200.0
"""Largest distance (km) between a station and a DUKES 5.11 station of the same name that it matches.

Large because DUKES coordinates can be far off: DUKES 5.11 places Torness at Hunterston, 160 km away,
and Didcot B 9.5 km from the plant."""

MIN_STATION_MW = 100.0
"""Stations of less former capacity are not large connections and are dropped (counted)."""

#: JRC / reactor fuel -> the DUKES 5.11 technologies it may match.
FUEL_MATCHES: dict[str, tuple[str, ...]] = {
    "coal": ("Fossil Fuel", "Bioenergy"),
    "gas": ("Fossil Fuel",),
    "oil": ("Fossil Fuel",),
    "biomass": ("Bioenergy",),
    "nuclear": ("Nuclear",),
}

_JRC_FUELS = {
    "Fossil Hard coal": "coal",
    "Fossil Gas": "gas",
    "Fossil Oil": "oil",
    "Biomass": "biomass",
    "Nuclear": "nuclear",
}

_DATA_FILES = Path(__file__).resolve().parent.parent / "data_files"

# Words that say what a DUKES or JRC name is, not which station: dropped before comparing names.
_NAME_NOISE = re.compile(
    r"\b(power|station|stations|ltd|limited|company|co|energy|ccgt|ocgt|gt|plc|units?|biomass|chp|development|centre)\b"
)


def read_station_names(path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """The JRC plant code -> station name table.

    Parameters
    ----------
    path
        CSV with columns ``code, station`` (default: the committed
        ``growthzones/data_files/jrc_bmu_station_names.csv``).

    Returns
    -------
    dict
        e.g. ``{"COTPS": "Cottam", ...}``.

    Examples
    --------
    >>> read_station_names()["COTPS"]
    'Cottam'
    """
    p = Path(path) if path is not None else _DATA_FILES / "jrc_bmu_station_names.csv"
    df = pd.read_csv(p, dtype=str)
    require_columns(df, ["code", "station"], where=p.name)
    return dict(zip(df["code"].str.strip(), df["station"].str.strip(), strict=True))


def read_announced_closures(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Announced ends of generation of working stations (``station, closure_year, source``).

    Examples
    --------
    >>> int(read_announced_closures().set_index("station").loc["Torness", "closure_year"])
    2030
    """
    p = Path(path) if path is not None else _DATA_FILES / "gb_announced_closures.csv"
    df = pd.read_csv(p)
    require_columns(df, ["station", "closure_year", "source"], where=p.name)
    return df


def reactor_station(name: str) -> str:
    """The station a GeoNuclearData reactor belongs to.

    Examples
    --------
    >>> reactor_station("Hinkley Point-B1"), reactor_station("Wylfa-2"), reactor_station("Sizewell-B")
    ('Hinkley Point B', 'Wylfa', 'Sizewell B')
    >>> reactor_station("Dounreay PFR")
    'Dounreay PFR'
    """
    return re.sub(r"-([A-Z]?)\d*$", r" \1", str(name)).strip()


def _name_key(name: str) -> str:
    """The station part of a name: 'West Burton CCGT' and 'West Burton A' both give 'west burton'.

    Examples
    --------
    >>> _name_key("West Burton A"), _name_key("Seabank Power Ltd"), _name_key("Heysham 1")
    ('west burton', 'seabank', 'heysham')
    """
    words = _NAME_NOISE.sub(" ", normalise_site_name(name)).split()
    while len(words) > 1 and (len(words[-1]) == 1 or words[-1].isdigit() or words[-1] in ("gt", "oil")):
        words = words[:-1]
    return " ".join(words)


def _read(path: str | os.PathLike[str]) -> pd.DataFrame:
    try:
        return clean_strings(pd.read_csv(path, encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = f"{Path(path).name}: cannot read as CSV ({exc}); check the file is complete and in the expected format"
        raise InputFileError(msg) from exc


def _jrc_stations(path: str | os.PathLike[str], report: LayerReport, names: dict[str, str]) -> gpd.GeoDataFrame:
    """JRC units (GB, thermal) -> one row per station, with former and working capacity."""
    df = _read(path)
    where = Path(path).name
    require_columns(
        df,
        ["name_p", "capacity_g", "type_g", "lat", "lon", "NUTS2", "status_g", "year_decommissioned"],
        where=where,
    )
    report.input_rows += len(df)
    df = drop_rows(df, df["NUTS2"].eq("UKN0"), "JRC unit in Northern Ireland (NUTS2 UKN0)", report)
    fuel = df["type_g"].map(_JRC_FUELS)
    df = drop_rows(df.assign(fuel=fuel), fuel.isna(), "JRC unit neither thermal nor nuclear (hydro, wind)", report)
    df["capacity_g"] = pd.to_numeric(df["capacity_g"], errors="coerce")
    df["year_decommissioned"] = pd.to_numeric(df["year_decommissioned"], errors="coerce")
    unnamed = sorted(set(df["name_p"]) - set(names))
    if unnamed:
        report.note(f"JRC plant code(s) without a station name, kept under the code: {', '.join(unnamed)}")
    df["station"] = df["name_p"].map(lambda c: names.get(c, c))
    df["decommissioned"] = df["status_g"].eq("DECOMMISSIONED")
    df["working_mw"] = df["capacity_g"].where(~df["decommissioned"], 0.0)
    pts = points_from_lonlat(df, "lon", "lat", report, where=where)
    pts["x"], pts["y"] = pts.geometry.x, pts.geometry.y
    # A station burning several fuels (Drax: coal and biomass; Grain: oil and gas turbines) is named by the fuel
    # of most of its capacity, the one that set the size of its connection.
    by_fuel = pts.groupby(["station", "fuel"])["capacity_g"].sum().reset_index()
    main_fuel = by_fuel.sort_values(["station", "capacity_g", "fuel"], ascending=[True, False, True]).groupby("station")
    main_fuel = main_fuel["fuel"].first()
    out = (
        pts.groupby("station", sort=True)
        .agg(
            former_capacity_mw=("capacity_g", "sum"),
            working_mw=("working_mw", "sum"),
            all_decommissioned=("decommissioned", "all"),
            closure_year=("year_decommissioned", "max"),
            codes=("name_p", lambda s: ", ".join(sorted(set(s)))),
            units=("name_p", "size"),
            x=("x", "mean"),
            y=("y", "mean"),
        )
        .reset_index()
    )
    out["fuel"] = out["station"].map(main_fuel)
    out["source"] = "JRC-PPDB-OPEN"
    return out


def _reactor_stations(path: str | os.PathLike[str], report: LayerReport) -> gpd.GeoDataFrame:
    """GeoNuclearData reactors (shut down or operating) -> one row per station."""
    df = _read(path)
    where = Path(path).name
    require_columns(df, ["Name", "Latitude", "Longitude", "Status", "OperationalTo", "Capacity"], where=where)
    report.input_rows += len(df)
    unbuilt = ~df["Status"].isin(["Shutdown", "Operational"])
    df = drop_rows(df, unbuilt, "reactor not yet built (under construction or planned)", report)
    df["Capacity"] = pd.to_numeric(df["Capacity"], errors="coerce")
    df["shut_year"] = pd.to_datetime(df["OperationalTo"], errors="coerce").dt.year
    df["station"] = df["Name"].map(reactor_station)
    df["working_mw"] = df["Capacity"].where(df["Status"].eq("Operational"), 0.0)
    pts = points_from_lonlat(df, "Longitude", "Latitude", report, where=where)
    pts["x"], pts["y"] = pts.geometry.x, pts.geometry.y
    out = (
        pts.groupby("station", sort=True)
        .agg(
            former_capacity_mw=("Capacity", "sum"),
            working_mw=("working_mw", "sum"),
            all_decommissioned=("Status", lambda s: bool(s.eq("Shutdown").all())),
            closure_year=("shut_year", "max"),
            codes=("Name", lambda s: ", ".join(sorted(s))),
            units=("Name", "size"),
            x=("x", "mean"),
            y=("y", "mean"),
        )
        .reset_index()
    )
    out["fuel"] = "nuclear"
    out["source"] = "GeoNuclearData"
    return out


def _dukes(path: str | os.PathLike[str], report: LayerReport) -> gpd.GeoDataFrame:
    df = _read(path)
    require_columns(
        df, ["station_name", "x_coordinate", "y_coordinate", "technology", "capacity_mw"], where=Path(path).name
    )
    df["capacity_mw"] = pd.to_numeric(df["capacity_mw"], errors="coerce")
    keep = df["technology"].isin(["Fossil Fuel", "Bioenergy", "Nuclear"]) & df["capacity_mw"].gt(0)
    scratch = LayerReport("dukes_match", report.sources, report.licence, report.attribution)
    return points_from_xy_bng(df[keep].reset_index(drop=True), "x_coordinate", "y_coordinate", scratch)


def _match(stations: pd.DataFrame, dukes: gpd.GeoDataFrame) -> pd.DataFrame:
    """One-to-one matches station -> DUKES row (see the module notes); returns index pairs with km."""
    pairs = []
    dx, dy = dukes.geometry.x.to_numpy(), dukes.geometry.y.to_numpy()
    dkey = dukes["station_name"].map(_name_key).to_numpy()
    for i, st in stations.iterrows():
        if st["working_mw"] <= 0:
            continue
        km = np.hypot(dx - st["x"], dy - st["y"]) / 1000.0
        ratio = dukes["capacity_mw"].to_numpy() / st["working_mw"]
        key = _name_key(st["station"])
        same = (dkey == key) & (key != "")
        ok = (
            ((km <= MATCH_KM) | (same & (km <= NAME_MATCH_KM)))
            & (ratio >= 0.5)
            & (ratio <= 2.0)
            & dukes["technology"].isin(FUEL_MATCHES[st["fuel"]]).to_numpy()
        )
        for j in np.flatnonzero(ok):
            pairs.append((int(same[j]), abs(np.log(ratio[j])), km[j], i, j))
    # Name agreement first, then capacity, then distance; each side used once.
    pairs.sort(key=lambda p: (-p[0], p[1], p[2], stations.at[p[3], "station"], p[4]))
    used_s, used_d, rows = set(), set(), []
    for _, _, km, i, j in pairs:
        if i in used_s or j in used_d:
            continue
        used_s.add(i)
        used_d.add(j)
        rows.append({"i": i, "j": j, "km": km})
    return pd.DataFrame(rows, columns=["i", "j", "km"])


def build_former_stations(
    jrc_path: str | os.PathLike[str],
    reactors_path: str | os.PathLike[str],
    dukes_path: str | os.PathLike[str],
    *,
    station_names: str | os.PathLike[str] | None = None,
    announced_closures: str | os.PathLike[str] | None = None,
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    r"""Large thermal and nuclear stations with their status: closed, closing or operating.

    See the module notes for the reconciliation rule and its limits; they are also written into
    the layer's notes.

    Parameters
    ----------
    jrc_path
        ``grid/jrc_ppdb_open_uk_units.csv``.
    reactors_path
        ``grid/geonucleardata_gb_reactors.csv``.
    dukes_path
        ``grid/dukes_power_station_coordinates.csv``.
    station_names, announced_closures
        Replacements for the committed tables (JRC code -> station; announced closures).

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        One point per station: ``name, fuel, former_capacity_mw, status, closure_year,
        closure_basis, dukes_match, match_km, source, codes, units, geometry``; sorted by name.
    report : LayerReport

    Examples
    --------
    A 2,000 MW coal station beside a 445 MW gas plant that DUKES 5.11 still lists: the coal
    station is closed, the gas plant operating.

    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "jrc.csv").write_text(
    ...     "name_p,capacity_g,type_g,lat,lon,NUTS2,status_g,year_decommissioned\n"
    ...     "COTPS,2008,Fossil Hard coal,53.308,-0.775,UKF1,COMMISSIONED,\n"
    ...     "CDCL,440,Fossil Gas,53.308,-0.775,UKF1,COMMISSIONED,\n")
    >>> _ = (d / "reactors.csv").write_text("Name,Latitude,Longitude,Status,OperationalTo,Capacity\n"
    ...     "Wylfa-1,53.417,-4.483,Shutdown,2015-12-30,550\n")
    >>> _ = (d / "dukes.csv").write_text("station_name,x_coordinate,y_coordinate,technology,capacity_mw\n"
    ...     "Cottam Development Centre,479000,380000,Fossil Fuel,445\n")
    >>> gdf, report = build_former_stations(d / "jrc.csv", d / "reactors.csv", d / "dukes.csv")
    >>> for row in gdf[["name", "status", "closure_year", "closure_basis"]].to_numpy().tolist():
    ...     print(row)
    ['Cottam', 'closed', <NA>, 'closed by DUKES 5.11 absence']
    ['Cottam Development Centre', 'operating', <NA>, "in DUKES 5.11 as 'Cottam Development Centre'"]
    ['Wylfa', 'closed', 2015, 'GeoNuclearData: shut down 2015']
    """
    report = layer_report("former_stations", "jrc_ppdb", "nuclear_reactors", "dukes")
    jrc = _jrc_stations(jrc_path, report, read_station_names(station_names))
    reactors = _reactor_stations(reactors_path, report)
    # JRC's nuclear plants are the reactor list's stations again, with fewer dates and some misplaced (JRC puts
    # Oldbury-on-Severn at Oldbury in the West Midlands): the reactor list, complete for GB, wins.
    nuc = jrc["fuel"].eq("nuclear")
    report.drop("JRC nuclear unit: taken from the GeoNuclearData reactor list", int(jrc.loc[nuc, "units"].sum()))
    jrc = jrc[~nuc]
    st = pd.concat([jrc, reactors], ignore_index=True)
    small = st["former_capacity_mw"].lt(MIN_STATION_MW)
    report.drop(
        f"unit of a station below {MIN_STATION_MW:g} MW (not a large connection)", int(st.loc[small, "units"].sum())
    )
    st = st[~small].reset_index(drop=True)

    dukes = _dukes(dukes_path, report)
    m = _match(st, dukes)
    st["dukes_match"] = pd.Series(dtype=object)
    st["match_km"] = np.nan
    st.loc[m["i"], "dukes_match"] = dukes["station_name"].to_numpy()[m["j"].to_numpy(dtype=int)]
    st.loc[m["i"], "match_km"] = m["km"].to_numpy()

    closing = read_announced_closures(announced_closures).set_index("station")
    status, year, basis = [], [], []
    for r in st.itertuples():
        if r.all_decommissioned:
            src = "JRC-PPDB-OPEN: decommissioned" if r.source == "JRC-PPDB-OPEN" else "GeoNuclearData: shut down"
            status.append("closed")
            year.append(r.closure_year)
            basis.append(f"{src} {int(r.closure_year)}" if pd.notna(r.closure_year) else src)
        elif pd.isna(r.dukes_match):
            status.append("closed")
            year.append(np.nan)
            basis.append("closed by DUKES 5.11 absence")
        elif r.station in closing.index:
            status.append("closing")
            year.append(float(closing.at[r.station, "closure_year"]))
            basis.append(f"announced: {closing.at[r.station, 'source']}")
        else:
            status.append("operating")
            year.append(np.nan)
            basis.append(f"in DUKES 5.11 as {r.dukes_match!r}")
    st["status"], st["closure_year"], st["closure_basis"] = status, year, basis
    st["closure_year"] = st["closure_year"].astype("Int64")
    st["match_km"] = st["match_km"].round(2)

    gdf = gpd.GeoDataFrame(
        st.rename(columns={"station": "name"}),
        geometry=gpd.points_from_xy(st["x"], st["y"]),
        crs=BNG,
    )
    cols = [
        "name",
        "fuel",
        "former_capacity_mw",
        "status",
        "closure_year",
        "closure_basis",
        "dukes_match",
        "match_km",
        "source",
        "codes",
        "units",
        "geometry",
    ]
    gdf = gdf[cols].sort_values("name", kind="stable").reset_index(drop=True)
    counts = gdf["status"].value_counts()
    absent = int(gdf["closure_basis"].eq("closed by DUKES 5.11 absence").sum())
    report.note(
        f"{len(gdf)} stations of {MIN_STATION_MW:g} MW or more: {int(counts.get('closed', 0))} closed "
        f"({absent} of them closed by DUKES 5.11 absence), {int(counts.get('closing', 0))} closing, "
        f"{int(counts.get('operating', 0))} operating"
    )
    report.note(
        f"rule: a station listed as working by JRC (c. 2019) or the reactor list is operating if a DUKES 5.11 "
        f"station lies within {MATCH_KM:g} km (or {NAME_MATCH_KM:g} km under the same name), "
        "of a compatible fuel and with 0.5-2x its working capacity "
        "(one DUKES station per station; names, then capacity, then distance decide), else closed by DUKES "
        "5.11 absence; closing = operating with an announced end of generation "
        "(growthzones/data_files/gb_announced_closures.csv)"
    )
    report.note(
        "limits: JRC names plants by BM codes (names from growthzones/data_files/jrc_bmu_station_names.csv); "
        "DUKES says 'Fossil Fuel' without coal/gas, so a closed coal station beside a working gas plant of similar "
        "size would be taken as working; partly converted stations (Drax) count as operating; stations closed "
        "before about 2012 (e.g. Didcot A) are absent from JRC"
    )
    report.feature_count = len(gdf)
    report.source_crs = "EPSG:4326 (lat/lon columns)"
    return gdf, report
