"""The SOLVEREIGN cutover library: the runbook's stages as subpackages (docs/README.md, "Layout").

Foundations live at this level (errors and exit codes, settings, argument types, atomic
files, where the gate's files are, the release identity); each subpackage names its
runbook section. The library never imports the gate (`checks/`) or the sandbox; only its
command layer `cli/` composes them."""
