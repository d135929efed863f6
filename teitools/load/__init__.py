"""Reading input safely: the one hardened parser, byte and encoding checks, finding the input
files and project settings, and the files teitools ships."""
