"""Training offer against needs (issue 18): is the territory training people for the jobs it will have to fill?

Plain Python (never imports streamlit):

- :mod:`~gtec.training.offer`: the training-offer import profile (one row per training), read through the import
  machinery's reading and limits layers (:mod:`gtec.imports.reading`, :mod:`gtec.imports.limits`), checked row by
  row into a validation report: nothing is dropped silently, nothing counted twice;
- :mod:`~gtec.training.template`: the downloadable template (CSV and xlsx);
- :mod:`~gtec.training.crosswalk`: the curated crosswalk of ROME and NSF codes to the project's occupation
  families (``data/training_crosswalk.csv``, source and status in ``data/training_crosswalk.toml``);
- :mod:`~gtec.training.places`: communes resolved (merged communes through ``commune_successors``) and the
  communes of every territory level;
- :mod:`~gtec.training.store`: versions in the workspace (migration 0015), rollback, hand mappings (audited);
- :mod:`~gtec.training.needs`: per family, training output against openings, BMO projects and declared needs,
  the gap ranked, the export with provenance.
"""
