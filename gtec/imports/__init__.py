"""Bring your own data: validated, versioned imports of indicator files (CSV, xlsx, legacy xls).

Plain Python (never imports streamlit). The one path shared by the import page and ``python -m gtec import``:

1. :func:`gtec.imports.prepare.prepare` reads the file within :mod:`~gtec.imports.limits`, detects its encoding,
   delimiter, header and shape (:mod:`~gtec.imports.reading`, :mod:`~gtec.imports.shape`), recognises an official
   profile (:mod:`~gtec.imports.profiles`, the readers of :mod:`gtec.build.readers`) or applies a
   :class:`~gtec.imports.mapping.Mapping`, and validates the values against the reference store's territories
   (:mod:`~gtec.imports.validate`). Nothing is written.
2. :func:`gtec.imports.store.commit` writes one immutable version in one workspace transaction.

Boundary layers (GeoJSON, GeoPackage, zipped Shapefile) take the same two steps: :mod:`~gtec.imports.boundaries`
reads, reprojects, repairs, checks and simplifies (nothing written), :mod:`~gtec.imports.layers` commits versions
and serves them to the map (``list_layers``, ``layer_features``, ``layer_geojson``). :mod:`~gtec.imports.export`
hands a dataset back as a formula-safe CSV with its provenance. ``python -m gtec import`` (:mod:`gtec.cli.imports`)
is the command line over all of it.

Every problem a user causes is a :class:`gtec.core.errors.UserError` with an ``imports.error.*`` key.
"""
