"""Report formats for validation results: one module per format (:mod:`.formats` names them)."""
