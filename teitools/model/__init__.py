"""The letter model: frozen types (:mod:`.types`), read from TEI (:mod:`.tei`) or CMIF (:mod:`.cmif`)."""
