"""Writes of the observation module, one submodule per area: import from the submodules."""
