"""Pages of the growthzones Streamlit app (one module per page; run by ``app.py``)."""
