"""Building the reference store: manifest, curated and official sources, geography, generated values."""
