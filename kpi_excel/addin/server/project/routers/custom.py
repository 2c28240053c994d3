"""The Committee paper button's endpoints, added through xlwings Server's custom-router hook.

``POST <app>/kpi/paper`` takes the workbook's file (authenticated as scripts
are: xlwings Server's own ``authenticate`` dependency and role checks) and
answers with a one-time link; ``GET <app>/kpi/paper/<token>`` downloads the
.docx once. See :mod:`kpi_excel.addin.server.papers`.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from xlwings_server import dependencies as dep
from xlwings_server.config import settings

from kpi_excel.addin.server.papers import DOCX_TYPE, make_web_paper, paper_store, safe_file_name
from kpi_excel.errors import KpiExcelError

__all__ = ["router"]

router = APIRouter(prefix=f"{settings.app_path}/kpi")


@router.post("/paper")
async def make_paper(request: Request, current_user: dep.User, name: str = "workbook.xlsx") -> JSONResponse:
    # The user is resolved (and the token checked) before the body is read.
    if not await current_user.has_required_roles(settings.auth_required_roles) or not await current_user.is_authorized():
        raise HTTPException(status_code=403, detail="You may not make papers on this server")
    body = await request.body()  # bounded by the app's request size limit
    try:
        data, result = await run_in_threadpool(make_web_paper, body, name)
    except KpiExcelError as error:
        return JSONResponse({"detail": str(error)}, status_code=422)
    file_name = safe_file_name(name)
    token = await run_in_threadpool(paper_store().put, data, file_name, str(current_user.id or ""))
    return JSONResponse({
        "download": f"{settings.app_path}/kpi/paper/{token}",
        "file_name": file_name,
        "message": f"Committee paper ready: {result.indicators} indicators, {result.exceptions} exceptions, "
                   f"{result.charts} charts. The link works once, for 10 minutes.",
    }, headers={"Cache-Control": "no-store"})


@router.get("/paper/{token}")
async def download_paper(token: str) -> Response:
    paper = await run_in_threadpool(paper_store().take, token)
    if paper is None:
        return Response("This paper link has been used or has expired: press Committee paper again.\n",
                        status_code=404, media_type="text/plain", headers={"Cache-Control": "no-store"})
    return Response(paper.data, media_type=DOCX_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{paper.file_name}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    })
