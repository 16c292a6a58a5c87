"""Shared layer: configuration, FR/EN catalogue, number formatting, errors, provenance, exports."""
