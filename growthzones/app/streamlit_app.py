"""Entry script of the installed app (``growthzones app`` runs it with Streamlit)."""

from growthzones.app import run

run(__file__)
