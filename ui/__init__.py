"""The app layer's shared pieces: cached resources and session state. Pages import from here."""
