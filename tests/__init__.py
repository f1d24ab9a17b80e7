"""dedupe_kit's tests (a package: its conftest.py and notebooks/conftest.py are two modules)."""
