"""Peer learning between distant partners (issue 15): a practices library (:mod:`.library`, :mod:`.search`,
seeded by :mod:`.seed`), structured peer exchanges (:mod:`.exchanges`, printable by :mod:`.report`) and secure
exchange spaces with encrypted documents (:mod:`.space`, :mod:`.files`). Plain Python: never imports streamlit."""
