"""Export formats by name (:mod:`.registry`), what they take and return (:mod:`.base`), the
metadata formats (CMIF, JSON) and writing any output safely (:mod:`.output`)."""
