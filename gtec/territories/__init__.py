"""Territories and their indicator values: queries, aggregation, custom territories, portrait charts."""
