"""The pages and docs over HTTP: served from package data, nothing pointing outside the server."""

from __future__ import annotations

import re

import httpx

from tests.server.helpers import assert_error

EXTERNAL = re.compile(r"""(src|href)=["']?(https?:)?//""")


async def test_pages_and_their_assets_are_local(client: httpx.AsyncClient) -> None:
    for path in ("/", "/console"):
        page = await client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert not EXTERNAL.search(page.text), path
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
            got = await client.get(asset)
            assert got.status_code == 200 and got.content, asset
    script = (await client.get("/static/common.js")).text
    assert "http://" not in script and "https://" not in script


async def test_static_files_are_only_the_packaged_ones(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/static/nope.js"), 404, "NOT_FOUND")
    assert (await client.get("/static/..%2Fapp.py")).status_code in (404, 422)
    assert_error(await client.get("/static/app.py"), 422, "INVALID_INPUT")


async def test_docs_load_their_assets_from_this_server(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        page = await client.get(path)
        assert page.status_code == 200
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert not EXTERNAL.search(page.text), page.text
        assets = re.findall(r"""(?:src|href)=["'](/static-docs/[^"']+)""", page.text)
        assert assets, page.text
        for asset in assets:
            assert (await client.get(asset)).status_code == 200, asset
