"""The floor under the single-intake figure: a no-op endpoint with intake's own request
model, served by the same uvicorn (HTTP parser, event loop, access log) and driven by the
same clients. It does nothing but validate the body and answer 201, so its rate is what
any Python endpoint can reach on this machine: intake's ratio is read against it.
"""

from __future__ import annotations

from fastapi import FastAPI

from careloop.api.schemas import ComplaintIn

app = FastAPI(title="CareLoop benchmark floor")


@app.post("/echo", status_code=201)
def echo(body: ComplaintIn) -> dict[str, str]:
    return {"category": body.category}
