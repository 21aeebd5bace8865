"""A class's own drawings: what may be stored, the shared database, and how the models read them."""
