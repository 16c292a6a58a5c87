"""Choropleth maps: classification, palettes, legends, layers, map views and territory profiles."""
