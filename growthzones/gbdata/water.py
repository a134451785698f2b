"""Water stress by ONS region, from the Environment Agency 2021 classification of water companies.

The EA classifies *water company areas* as seriously water stressed (or not); there are no open
polygons of those areas here. The layer therefore works at ONS region level through a committed,
documented table of which water companies supply each region
(``growthzones/data_files/water_company_regions.csv``, written for this project from the
companies' published supply areas; it is a mapping, not a copy of any dataset). Each region is
classified from its companies:

- ``serious``: every listed company (area) is seriously stressed;
- ``partly serious``: some are;
- ``not serious``: none are;
- ``not assessed``: outside England (the EA determination covers England only).

``water_stress_score`` codes these as 1, 0.5, 0 and null; ``water_stressed`` is True for
``serious`` and ``partly serious`` (a cautious flag for a water-hungry use). Both the
company table and the resulting classification can be overridden: pass
``company_regions=`` (a CSV with the same columns) and/or ``overrides=`` (a mapping or a CSV
of ``region_code, classification``). The layer metadata records which table and overrides
were used.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from growthzones.errors import ConfigError, InputFileError
from growthzones.gbdata._common import LayerReport, clean_strings, require_columns
from growthzones.gbdata.sources import SOURCES

logger = logging.getLogger(__name__)

__all__ = [
    "CLASSIFICATIONS",
    "build_water_stress",
    "classify_regions",
    "default_company_regions_path",
    "read_company_regions",
    "read_ea_classification",
]

CLASSIFICATIONS = {"serious": 1.0, "partly serious": 0.5, "not serious": 0.0, "not assessed": np.nan}
"""Region classifications and their ordinal score."""

_OTHERS = "(all other england water company areas)"


def default_company_regions_path() -> Path:
    """Path of the committed region -> water company table.

    Examples
    --------
    >>> path = default_company_regions_path()
    >>> path.name, path.is_file()
    ('water_company_regions.csv', True)
    """
    # Resolved beside the package rather than via importlib.resources, which does not give a plain
    # path for namespace packages.
    return Path(__file__).resolve().parent.parent / "data_files" / "water_company_regions.csv"


def read_company_regions(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read a region -> water company table.

    Parameters
    ----------
    path
        CSV with ``region_code, region_name, water_company`` (and optional ``note``); default
        :func:`default_company_regions_path`.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> table = read_company_regions()
    >>> table.columns[:3].tolist(), table["region_code"].iloc[0]
    (['region_code', 'region_name', 'water_company'], 'E12000001')
    """
    p = Path(path) if path is not None else default_company_regions_path()
    if not p.is_file():
        msg = f"water company/region table {str(p)!r} not found: pass an existing CSV as `company_regions`"
        raise InputFileError(msg)
    df = clean_strings(pd.read_csv(p, dtype=str, encoding="utf-8-sig"))
    require_columns(df, ["region_code", "region_name", "water_company"], where=p.name)
    return df.dropna(subset=["region_code", "water_company"])


def read_ea_classification(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the EA 2021 serious water stress table.

    Parameters
    ----------
    path
        ``water/ea_serious_water_stress_2021.csv``
        (``water_company_area, classification_2021, first_classified, notes``).

    Returns
    -------
    pandas.DataFrame
        With a lower-cased ``key`` column for matching.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> import pandas as pd
    >>> pd.DataFrame({"water_company_area": ["Affinity Water", "United Utilities"],
    ...               "classification_2021": ["Serious", "Not serious"]}).to_csv(folder / "ea.csv", index=False)
    >>> ea = read_ea_classification(folder / "ea.csv")
    >>> ea[["key", "classification_2021"]].values.tolist()
    [['affinity water', 'serious'], ['united utilities', 'not serious']]
    """
    try:
        df = clean_strings(pd.read_csv(path, dtype=str, encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        msg = f"{Path(path).name}: cannot read as CSV ({exc})"
        raise InputFileError(msg) from exc
    require_columns(df, ["water_company_area", "classification_2021"], where=Path(path).name)
    df["key"] = df["water_company_area"].str.lower()
    df["classification_2021"] = df["classification_2021"].str.lower()
    return df


def _read_overrides(overrides: Mapping[str, str] | str | os.PathLike[str] | None) -> dict[str, str]:
    if overrides is None:
        return {}
    if isinstance(overrides, Mapping):
        out = {str(k): str(v) for k, v in overrides.items()}
    else:
        p = Path(overrides)
        if not p.is_file():
            msg = f"water stress overrides file {str(p)!r} not found"
            raise InputFileError(msg)
        df = clean_strings(pd.read_csv(p, dtype=str, encoding="utf-8-sig"))
        require_columns(df, ["region_code", "classification"], where=p.name)
        out = dict(zip(df["region_code"], df["classification"], strict=True))
    bad = {k: v for k, v in out.items() if v not in CLASSIFICATIONS}
    if bad:
        msg = f"water stress overrides: unknown classification(s) {bad}; use one of {list(CLASSIFICATIONS)}"
        raise ConfigError(msg)
    return out


def classify_regions(
    company_regions: pd.DataFrame, ea: pd.DataFrame, *, overrides: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Classify each region from the EA classification of the companies that supply it.

    Parameters
    ----------
    company_regions
        Output of :func:`read_company_regions`.
    ea
        Output of :func:`read_ea_classification`.
    overrides
        Region code -> classification, applied last.

    Returns
    -------
    table : pandas.DataFrame
        One row per region: ``region_code, water_classification, water_stress_score,
        water_stressed, companies, serious_companies, classification_basis``.
    notes : list of str
        Cross-check findings (EA companies not in the table, overrides applied).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> import pandas as pd
    >>> pd.DataFrame({"water_company_area": ["Affinity Water", "United Utilities"],
    ...               "classification_2021": ["Serious", "Not serious"]}).to_csv(folder / "ea.csv", index=False)
    >>> regions = pd.DataFrame({"region_code": ["E12000006", "E12000002", "W92000004"],
    ...                         "region_name": ["East of England", "North West", "Wales"],
    ...                         "water_company": ["Affinity Water", "United Utilities", "Welsh Water"]})
    >>> table, notes = classify_regions(regions, read_ea_classification(folder / "ea.csv"))
    >>> table[["region_code", "water_classification", "water_stressed"]].values.tolist()
    [['E12000002', 'not serious', False], ['E12000006', 'serious', True], ['W92000004', 'not assessed', False]]
    """
    notes = []
    ea_class = dict(zip(ea["key"], ea["classification_2021"], strict=True))
    default = ea_class.get(_OTHERS, "not serious")
    rows = []
    for code, grp in company_regions.groupby("region_code", sort=True):
        companies = list(dict.fromkeys(grp["water_company"]))
        if not code.startswith("E"):
            cls = "not assessed"
            serious = []
            basis = "outside England: not covered by the EA determination"
        else:
            status = {c: ea_class.get(c.lower(), default) for c in companies}
            serious = [c for c, s in status.items() if s == "serious"]
            if serious and len(serious) == len(companies):
                cls = "serious"
            elif serious:
                cls = "partly serious"
            else:
                cls = "not serious"
            basis = f"{len(serious)} of {len(companies)} supplying companies seriously stressed (EA 2021)"
        rows.append(
            {
                "region_code": code,
                "water_classification": cls,
                "companies": "; ".join(companies),
                "serious_companies": "; ".join(serious),
                "classification_basis": basis,
            }
        )
    table = pd.DataFrame(rows)
    listed = {c.lower() for c in company_regions["water_company"]}
    unmapped = [n for k, n in zip(ea["key"], ea["water_company_area"], strict=True) if k != _OTHERS and k not in listed]
    if unmapped:
        notes.append(
            f"EA companies not in the region table (covered by another listed company or too small "
            f"to map): {', '.join(unmapped)}"
        )
    for code, cls in (overrides or {}).items():
        hit = table["region_code"] == code
        if not hit.any():
            msg = f"water stress override for unknown region code {code!r}; known: {sorted(table['region_code'])}"
            raise ConfigError(msg)
        table.loc[hit, "water_classification"] = cls
        table.loc[hit, "classification_basis"] = "override"
        notes.append(f"override: {code} -> {cls}")
    table["water_stress_score"] = table["water_classification"].map(CLASSIFICATIONS).astype("float64")
    table["water_stressed"] = table["water_classification"].isin(["serious", "partly serious"])
    return table, notes


def build_water_stress(
    ea_path: str | os.PathLike[str],
    regions: gpd.GeoDataFrame,
    *,
    company_regions: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, str] | str | os.PathLike[str] | None = None,
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """Water stress polygons: ONS regions with the EA 2021 classification mapped onto them.

    Parameters
    ----------
    ea_path
        ``water/ea_serious_water_stress_2021.csv``.
    regions
        ONS regions (``areacd, areanm, geometry``), e.g. from
        :func:`growthzones.gbdata.boundaries.build_regions`.
    company_regions
        Region -> water company CSV; default: the committed table.
    overrides
        Region code -> classification (mapping or CSV path with ``region_code, classification``).

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``region_code, region_name, water_classification, water_stress_score, water_stressed,
        companies, serious_companies, classification_basis, geometry``.
    report : LayerReport
    """
    src = SOURCES["water_stress"]
    topo = SOURCES["ons_topo"]
    report = LayerReport(
        name="water_stress",
        sources=(src.relpath, topo.relpath),
        licence=src.licence,
        attribution=f"{src.attribution}; {topo.attribution}",
        nations=src.nations,
    )
    ea = read_ea_classification(ea_path)
    report.input_rows = len(ea)
    report.source_crs = f"{regions.crs.to_string()} (ONS regions)" if regions.crs is not None else None
    table_path = Path(company_regions) if company_regions is not None else default_company_regions_path()
    mapping = read_company_regions(table_path)
    ov = _read_overrides(overrides)
    table, notes = classify_regions(mapping, ea, overrides=ov)
    report.note(
        "EA 2021 water-company classification mapped to ONS regions through the region -> company table "
        f"{'growthzones/data_files/water_company_regions.csv' if company_regions is None else str(table_path)} "
        "(serious = all companies stressed, partly serious = some, not assessed outside England); "
        "override with `company_regions=` / `overrides=`"
    )
    for n in notes:
        report.note(n)
    out = regions.rename(columns={"areacd": "region_code", "areanm": "region_name"})[
        ["region_code", "region_name", "geometry"]
    ].merge(table, on="region_code", how="left")
    missing = out["water_classification"].isna()
    if missing.any():
        report.note(
            f"{int(missing.sum())} region(s) not in the company table: classified 'not assessed': "
            + ", ".join(out.loc[missing, "region_name"])
        )
        out.loc[missing, "water_classification"] = "not assessed"
        out.loc[missing, "classification_basis"] = "region not in the company table"
        out.loc[missing, "water_stressed"] = False
    out["water_stressed"] = out["water_stressed"].astype(bool)
    counts = out["water_classification"].value_counts()
    report.note("regions by class: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    cols = [
        "region_code",
        "region_name",
        "water_classification",
        "water_stress_score",
        "water_stressed",
        "companies",
        "serious_companies",
        "classification_basis",
        "geometry",
    ]
    out = gpd.GeoDataFrame(out[cols], geometry="geometry", crs=regions.crs).reset_index(drop=True)
    report.feature_count = len(out)
    return out, report
