"""growthzones planners' app: rank candidate AI data-centre sites interactively.

Run ``streamlit run app.py -- CONFIG`` or ``growthzones app [CONFIG]``; with no config the
bundled demo opens (illustrative demo data). The app lives in ``growthzones/app/`` (it ships
in the wheel); this script only runs it, so ``static/`` here serves the offline Leaflet assets.
"""

from growthzones.app import run

run(__file__)
