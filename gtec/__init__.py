"""GTEC Observatory domain package: data store, geography, indicators, models. Never imports streamlit."""

__version__ = "0.1.0"
