"""ISO Schematron: the schema read into data (:mod:`.source`), an XPath 1 engine on lxml's
XSLT Schematron (:mod:`.xslt1`), an XPath 2/3 engine on elementpath (:mod:`.xpath2`), and the
choice between them (:mod:`.engines`)."""
