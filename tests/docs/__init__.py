"""Tests of the project's own documentation (docs/, README.md): no database needed."""
