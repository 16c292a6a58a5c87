"""Apprenticeship (alternance) and UK KTP: sourced comparison, cost split, transferability matrix."""
