"""The SOLVEREIGN sandbox HTTP API (FastAPI under uvicorn); see `app.create_app`.

Run it with `python -m sandbox.api --port 0 --port-file FILE` (what `sandbox.api_server`
does for `cutover sandbox up --with-api`). Settings come from the environment
(`settings.ApiSettings.from_env`).
"""
