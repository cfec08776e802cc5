"""Rehearsals and run summaries: what simulates each live part of a mandate
(``substitutes``), recorded market data (``data``), and what a run did (``summary``,
rendered as text and JSON by ``_render`` and as an HTML report by ``report``)."""
