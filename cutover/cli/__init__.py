"""The `cutover` console script: one module per command group; it composes the library, no logic."""
