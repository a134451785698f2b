"""``growthzones data gb``: build the GB layer stack from the public open-data folder.

The stack is :func:`growthzones.gbdata.build_gb_layers`' GeoPackage plus one small layer
committed with the package, ``exchange_cities`` (the UK's internet-exchange and major cities,
``growthzones/data_files/uk_exchange_cities.csv``), used as a latency proxy by
``configs/gb_aigz*.toml``. The whole file is written to a temporary path and renamed into place
only when complete.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click
import geopandas as gpd
import pandas as pd
import pyogrio

from growthzones.atomic import atomic_path, check_output_path
from growthzones.errors import ConfigError, InputFileError

__all__ = [
    "COMMANDS",
    "EXCHANGE_CITIES_LAYER",
    "add_exchange_cities",
    "data",
    "exchange_cities",
    "gb",
]

EXCHANGE_CITIES_LAYER = "exchange_cities"
"""Name of the internet-exchange / major-city point layer added to the GB stack."""

_EXCHANGE_CSV = "uk_exchange_cities.csv"


def exchange_cities(*, crs: str = "EPSG:27700") -> gpd.GeoDataFrame:
    """The UK's internet-exchange cities and other major cities, as points.

    Read from the committed table ``growthzones/data_files/uk_exchange_cities.csv`` (public
    knowledge: where the UK's internet exchanges operate; coordinates are city centres, or
    London Docklands for London).

    Parameters
    ----------
    crs
        CRS of the result (British National Grid by default).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``city, role, exchanges, note``; ``role`` is ``"internet exchange"`` or
        ``"major city"``.

    Examples
    --------
    >>> pts = exchange_cities()
    >>> pts.loc[pts["city"] == "London", "role"].item()
    'internet exchange'
    >>> pts.crs.to_epsg()
    27700
    """
    ref = resources.files("growthzones") / "data_files" / _EXCHANGE_CSV
    with resources.as_file(ref) as p:
        df = pd.read_csv(p, dtype={"exchanges": "str", "note": "str"}, keep_default_na=False)
    pts = gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(df["lon"], df["lat"]),
        crs="EPSG:4326",
    )
    return pts.to_crs(crs)


def add_exchange_cities(gpkg: str | Path, report=None) -> int:
    """Add the ``exchange_cities`` layer to a GB layer stack (and a ``layer_metadata`` row).

    Parameters
    ----------
    gpkg
        A GeoPackage written by :func:`growthzones.gbdata.build_gb_layers` (not renamed into
        place yet, typically: this writes into it).
    report
        The :class:`~growthzones.gbdata.BuildReport` of that build; if given, a layer report
        is appended so that its summary lists the layer.

    Returns
    -------
    int
        Number of points written.

    Examples
    --------
    >>> import pathlib, pyogrio, tempfile
    >>> gpkg = pathlib.Path(tempfile.mkdtemp()) / "gb_layers.gpkg"
    >>> add_exchange_cities(gpkg)
    9
    >>> "exchange_cities" in pyogrio.list_layers(gpkg)[:, 0]
    True
    """
    from growthzones.gbdata import LayerReport
    from growthzones.gbdata._common import transformation_note

    pts = exchange_cities()
    pyogrio.write_dataframe(pts, gpkg, layer=EXCHANGE_CITIES_LAYER, driver="GPKG")
    rep = LayerReport(
        name=EXCHANGE_CITIES_LAYER,
        sources=(f"growthzones/data_files/{_EXCHANGE_CSV}",),
        licence="public facts compiled for growthzones (CC0)",
        attribution="growthzones: UK internet exchange locations (LINX, LONAP, IXManchester, IXLeeds) and major cities",
        input_rows=len(pts),
        feature_count=len(pts),
        repairs=[f"reprojected EPSG:4326 -> EPSG:27700 ({transformation_note()})"],
        notes=[
            "city-centre coordinates (London: Docklands); role 'internet exchange' marks cities with a public "
            "internet exchange; a latency proxy, not fibre routes"
        ],
        source_crs="EPSG:4326",
    )
    if report is not None:
        report.layers.append(rep)
        row = report.to_frame().iloc[[-1]]
    else:
        row = pd.DataFrame([{"layer": rep.name, "kind": "spatial", "source": rep.sources[0], "licence": rep.licence,
                             "attribution": rep.attribution, "source_crs": rep.source_crs, "crs": "EPSG:27700",
                             "input_rows": rep.input_rows, "feature_count": rep.feature_count,
                             "dropped_count": 0, "dropped": "", "repairs": " | ".join(rep.repairs),
                             "notes": " | ".join(rep.notes)}])  # fmt: skip
    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    if "layer_metadata" in layers:
        pyogrio.write_dataframe(row, gpkg, layer="layer_metadata", driver="GPKG", append=True)
    return len(pts)


@click.group()
def data() -> None:
    """Build input data: the GB layer stack from public open data."""


@data.command()
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=None,
    help="The GB open-data folder (boundaries/, grid/, connectivity/, land/, water/), e.g. ../shared/gb-open-data.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("build/gb_layers.gpkg"),
    show_default=True,
    help="Output GeoPackage (its folder is created if missing).",
)
@click.option("--overwrite/--no-overwrite", default=True, show_default=True,
              help="Replace an existing output (atomically) or refuse.")  # fmt: skip
@click.option("--water-company-regions", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV replacing the committed region -> water company table.")  # fmt: skip
@click.option("--water-overrides", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV of region code -> water classification overrides.")  # fmt: skip
@click.pass_context
def gb(
    ctx: click.Context,
    source: Path | None,
    out: Path,
    overwrite: bool,
    water_company_regions: Path | None,
    water_overrides: Path | None,
) -> None:
    """Build the GB layer stack (EPSG:27700 GeoPackage) from the open-data folder --source.

    Writes every layer of growthzones.gbdata plus `exchange_cities`, and prints a summary:
    features per layer, rows dropped with reasons, and the coordinate transformation used.
    """
    from tqdm import tqdm

    from growthzones.gbdata import STEPS, build_gb_layers
    from growthzones.gbdata.sources import check_source_dir

    if source is None:
        msg = "--source: give the GB open-data folder, e.g. --source ../shared/gb-open-data"
        raise ConfigError(msg)
    check_source_dir(source)
    if out.suffix.lower() != ".gpkg":
        msg = f"--out: {str(out)!r} is not a GeoPackage name; end it in .gpkg, e.g. build/gb_layers.gpkg"
        raise ConfigError(msg)
    if not out.parent.exists() and str(out.parent):
        try:
            out.parent.mkdir(parents=True)
        except OSError as exc:
            msg = f"--out: cannot create folder {str(out.parent)!r} ({exc.strerror}); choose another path"
            raise InputFileError(msg) from exc
    check_output_path(out, overwrite=overwrite)
    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    # A progress bar only on a terminal: piped or captured stderr keeps just the messages.
    bar = tqdm(total=len(STEPS), desc="building", unit="step", file=sys.stderr, leave=False,
               disable=quiet or not _is_tty(sys.stderr))  # fmt: skip
    try:
        with atomic_path(out, overwrite=overwrite) as tmp:
            report = build_gb_layers(
                source,
                tmp,
                progress=bar,
                overwrite=True,
                water_company_regions=water_company_regions,
                water_overrides=water_overrides,
            )
            add_exchange_cities(tmp, report)
    finally:
        bar.close()
    report.out_path = out
    if not quiet:
        click.echo(report.summary())
        click.echo(f"wrote GB layer stack: {out}")


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


COMMANDS = (data,)
