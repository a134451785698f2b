"""Package list for setuptools (everything else is in pyproject.toml).

The bundled demo lives at ``data/demo`` in the repository, beside the script that builds it,
and is mapped into the wheel as ``growthzones/demo`` so an installed package carries it.
"""

from setuptools import find_packages, setup

setup(
    # data_files holds only CSVs (no __init__.py): listed so setuptools ships it as package data.
    packages=[*find_packages(include=["growthzones", "growthzones.*"]), "growthzones.data_files", "growthzones.demo"],
    package_dir={"growthzones.demo": "data/demo"},
)
