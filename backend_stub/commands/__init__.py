"""The command lines: `server` (`python -m backend_stub ...`, also `ens-server`) for the operator and
the insurer, its `apps` group for the catalogue, and `pro` (`python -m backend_stub.commands.pro`),
a professional's client of the API."""
