"""The pipeline ``sdkforge generate`` runs: load → IR → render → emit.

``load`` reads and validates the documents, ``build`` turns them into the frozen IR of
``ir``, ``render`` gives every output file as text (formatted by pinned ruff), ``emit`` is the
only code that writes to disk; ``stamp`` and ``manifest`` describe what was written. Nothing
here imports a product wing (vendor, review, lint, serve): they depend on core, not back.
"""
