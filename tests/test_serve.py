"""The dev server, started for real on a free port: live reload, incremental rebuilds, errors."""

from __future__ import annotations

import http.client
import shutil
import socket
import time

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, TmpSite
from devserver import Events, dev_server, free_port


def soup(data: bytes) -> BeautifulSoup:
    return BeautifulSoup(data.decode("utf-8"), "html.parser")


def write_article(site: TmpSite, name: str, title: str, body: str = "وصل لافروف إلى القاهرة."):
    return site.article(name, title=title, date="2019-03-19", body=body)


@pytest.fixture
def theme_site(tmp_path):
    """A site with its own copy of the templates and static files, which tests edit."""
    site = TmpSite(tmp_path, capsys=None)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    shutil.copytree(REPO / "static", tmp_path / "static")
    site.write_config(paths={"templates": str(tmp_path / "templates"),
                             "static": str(tmp_path / "static")})
    site.write("entities/person/sergey-lavrov.toml",
               'name = "سيرجي لافروف"\naliases = ["لافروف"]\n')
    site.write("entities/place/cairo.toml", 'name = "القاهرة"\n')
    write_article(site, "a", "العنوان الأول")
    write_article(site, "b", "خبر آخر", body="خبر عن موسكو وحدها.")
    site.write("pages/about.md", '+++\ntitle = "عن الموقع"\n+++\n\nصفحة ثابتة.')
    return site


ARTICLE = "/articles/2019/03/a/"


def test_pages_get_the_reload_script_built_files_stay_clean(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        status, data = server.get(ARTICLE)
        assert status == 200
        assert soup(data).find("script", src="/__dev/client.js") is not None
        server.wait_for_output("wrote public/")
        on_disk = soup((theme_site.public / "articles/2019/03/a/index.html").read_bytes())
        assert on_disk.h1.get_text() == "العنوان الأول"
        assert on_disk.find("script", src="/__dev/client.js") is None
        status, data = server.get("/__dev/client.js")
        assert status == 200 and b"EventSource" in data


def test_article_edit_reloads_the_pages_it_changes(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        for page in (ARTICLE, "/articles/2019/03/b/", "/about/"):
            server.get(page)
        viewer, neighbour, other = (Events(server, ARTICLE), Events(server, "/articles/2019/03/b/"),
                                    Events(server, "/about/"))
        write_article(theme_site, "a", "العنوان الجديد", body="وصل لافروف أمس.")
        viewer.next("reload")
        neighbour.next("reload")  # «b» links to «a» by its title
        page = soup(server.get(ARTICLE)[1])
        assert page.h1.get_text() == "العنوان الجديد"
        assert [a.get_text() for a in page.select(".article-body a.entity")] == ["لافروف"]
        output = server.wait_for_output("rebuilt (content)")
        assert "1 re-read, 1 re-linked" in output
        assert "reload" not in other.until_done()  # the about page does not show «a»


def test_entity_edit_relinks_the_articles_that_can_mention_it(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        server.get(ARTICLE)
        events = Events(server, ARTICLE)
        theme_site.write("entities/place/moscow.toml", 'name = "موسكو"\n')
        output = server.wait_for_output("rebuilt (entities)")
        assert "0 re-read, 1 re-linked" in output  # only «b» has a word starting like موسكو
        links = soup(server.get("/articles/2019/03/b/")[1]).select(".article-body a.entity")
        assert [a.get_text() for a in links] == ["موسكو"]
        assert soup(server.get("/entities/moscow/")[1]).h1.get_text() == "موسكو"
        assert "reload" not in events.until_done()  # «a» does not change
        theme_site.write("entities/place/cairo.toml", 'name = "القاهرة"\nlink = false\n')
        events.next("reload")
        server.wait_for_output("0 re-read, 1 re-linked", count=2)
        assert soup(server.get(ARTICLE)[1]).select(".article-body a.entity-place") == []


def test_template_edit_rerenders(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        server.get(ARTICLE)
        events = Events(server, ARTICLE)
        template = theme_site.root / "templates/article.html"
        template.write_text(template.read_text().replace("أعلام في هذا المقال", "الأعلام هنا"))
        events.next("reload")
        assert soup(server.get(ARTICLE)[1]).find(id="entity-box-title").get_text() == "الأعلام هنا"
        assert "rebuilt (templates)" in server.wait_for_output("rebuilt (templates)")


def test_css_edit_swaps_the_stylesheet_without_reloading(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        before = soup(server.get(ARTICLE)[1]).find("link", rel="stylesheet")["href"]
        events = Events(server, ARTICLE)
        css = theme_site.root / "static/css/site.css"
        css.write_text(css.read_text() + "\nbody { letter-spacing: 0; }\n")
        (swap,) = events.next("css")
        assert "reload" not in events.until_done()
        after = soup(server.get(ARTICLE)[1]).find("link", rel="stylesheet")["href"]
        assert swap == {"from": before, "to": after} and before != after
        assert server.get(after)[1].endswith(b"body{letter-spacing:0}")  # minified


def test_broken_front_matter_shows_the_error_until_fixed(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        server.get(ARTICLE)
        events = Events(server, ARTICLE)
        path = theme_site.write("articles/a.md", '+++\ntitle = "مكسور\ndate = 2019-03-19\n+++\n')
        error = events.next("build-error")
        assert error["file"].endswith("content/articles/a.md") and error["line"] == 2
        assert "invalid TOML" in error["message"]
        assert soup(server.get(ARTICLE)[1]).h1.get_text() == "العنوان الأول"  # last good site
        assert f"{path.name}:2: invalid TOML" in server.wait_for_output("invalid TOML")
        # Another file's edit does not hide the error while «a» is still broken.
        write_article(theme_site, "b", "خبر آخر معدل")
        assert events.next("build-error")["line"] == 2
        write_article(theme_site, "a", "العنوان المصلح")
        events.next("build-ok")
        events.next("reload")
        assert soup(server.get(ARTICLE)[1]).h1.get_text() == "العنوان المصلح"
        assert "Traceback" not in server.output()


def test_deleted_article_is_gone_and_the_server_keeps_running(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        server.get(ARTICLE)
        events = Events(server, ARTICLE)
        (theme_site.content / "articles/a.md").unlink()
        events.next("reload")
        status, data = server.get(ARTICLE)
        assert status == 404 and soup(data).h1.get_text() == "الصفحة غير موجودة"
        (theme_site.content / "articles/b.md").rename(theme_site.content / "articles/c.md")
        deadline = time.monotonic() + 10
        while server.get("/articles/2019/03/c/")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.get("/articles/2019/03/c/")[0] == 200
        assert server.get("/articles/2019/03/b/")[0] == 404
        assert server.process.poll() is None


@pytest.mark.parametrize("path", ["/../site.toml", "/%2e%2e/site.toml", "/%2e%2e%2fsite.toml",
                                  "/..%2f..%2fetc%2fpasswd", "/static/..%2f..%2fsite.toml",
                                  "/pagefind/%2e%2e/%2e%2e/site.toml", "/%00", "/..\\site.toml"])
def test_traversal_never_leaves_the_output_folder(theme_site, path):
    with dev_server(theme_site.root / "site.toml") as server:
        connection = http.client.HTTPConnection("127.0.0.1", int(server.base.rsplit(":", 1)[1]))
        connection.request("GET", path)  # sent as is, without normalising ".."
        response = connection.getresponse()
        body = response.read()
        assert response.status == 404
        assert b"base_url" not in body and b"root:" not in body


def test_port_in_use_is_a_clear_error(theme_site):
    port = free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        with dev_server(theme_site.root / "site.toml", port=port, ready=False) as server:
            assert server.process.wait(timeout=60) == 1
            output = server.output()
    assert f"error: port {port} is already in use" in output and "Traceback" not in output


def test_missing_content_folder_then_created(tmp_path):
    site = TmpSite(tmp_path, capsys=None)
    site.write_config()
    with dev_server(tmp_path / "site.toml") as server:
        assert "content folder not found" in server.output()
        status, data = server.get("/")
        assert status == 404 and soup(data).find("script", src="/__dev/client.js")
        write_article(site, "a", "أول مقال")
        deadline = time.monotonic() + 15
        while server.get(ARTICLE)[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert soup(server.get(ARTICLE)[1]).h1.get_text() == "أول مقال"


def test_a_save_touching_several_files_is_one_rebuild(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        before = server.output().count("rebuilt")
        for n in range(4):
            write_article(theme_site, f"new{n}", f"جديد {n}")
        server.wait_for_output("4 re-read")
        time.sleep(0.5)
        assert server.output().count("rebuilt") == before + 1


def test_site_toml_change_is_a_full_rebuild(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        server.get(ARTICLE)
        events = Events(server, ARTICLE)
        config = theme_site.root / "site.toml"
        config.write_text(config.read_text().replace("أرشيف الاختبار", "أرشيف جديد"))
        events.next("reload")
        # Nothing to read again: only the pages change, every one of them.
        assert "rebuilt (config)" in server.wait_for_output("0 re-read, 0 re-linked")
        assert soup(server.get(ARTICLE)[1]).select_one(".site-title").get_text() == "أرشيف جديد"


def test_listens_on_loopback_only(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        port = int(server.base.rsplit(":", 1)[1])
        assert f"serving on http://127.0.0.1:{port}/" in server.output()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a local address
            address = probe.getsockname()[0]
        if address.startswith("127."):
            pytest.skip("this machine has no address besides loopback")
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=2).close()


def test_review_decisions_show_on_the_open_page(theme_site):
    """`entities accept`/`reject` write files under content/entities/; the server applies them
    and reloads the page that shows the name."""
    from conftest import run_generator

    config = theme_site.root / "site.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + '\n[entities]\ndiscover_min = 2\n', encoding="utf-8")
    body = "التقى وزير الخارجية الأمريكي مايك بومبيو في جنيف نظيره."
    write_article(theme_site, "a", "العنوان الأول", body=body)
    write_article(theme_site, "b", "خبر آخر", body=body)
    with dev_server(config) as server:
        def linked() -> list[str]:
            page = soup(server.get(ARTICLE)[1])
            return [a["data-entity"] for a in page.select(".article-body a.entity")]

        assert "mayk-bwmbyw" in linked()
        events = Events(server, ARTICLE)
        run = run_generator("entities", "accept", "مايك بومبيو", "--id", "mike-pompeo",
                            "--config", str(config))
        assert run.returncode == 0, run.stderr
        events.next("reload")
        assert "mike-pompeo" in linked() and "mayk-bwmbyw" not in linked()
        assert "jnyf" in linked()
        run = run_generator("entities", "reject", "جنيف", "--config", str(config))
        assert run.returncode == 0, run.stderr
        events.next("reload")
        assert "jnyf" not in linked()


@pytest.mark.parametrize("host, status", [("evil.example", 421), ("127.0.0.1.evil.example", 421),
                                          ("[::1", 421), ("localhost", 200), ("127.0.0.1", 200),
                                          ("[::1]", 200)])
def test_only_loopback_host_names_are_answered(theme_site, host, status):
    """A page elsewhere that rebinds its name to 127.0.0.1 sends its own Host: refused."""
    with dev_server(theme_site.root / "site.toml") as server:
        port = int(server.base.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port)
        connection.putrequest("GET", ARTICLE, skip_host=True)
        connection.putheader("Host", f"{host}:{port}")
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        assert response.status == status
        assert ("العنوان الأول".encode() in body) == (status == 200)


def test_bursts_and_dropped_requests_are_served_quietly(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        port = int(server.base.rsplit(":", 1)[1])
        sockets = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(100)]
        for sock in sockets:  # a hundred connections at once, all waiting in the backlog
            sock.sendall(f"GET {ARTICLE} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                         .encode())
        for sock in sockets[:50]:
            sock.close()  # gone before the answer: the server writes into a closed socket
        for sock in sockets[50:]:
            with sock:
                assert sock.makefile("rb").readline().startswith(b"HTTP/1.0 200")
        assert server.get(ARTICLE)[0] == 200
        assert "Traceback" not in server.output()


def test_markdown_too_deep_to_render_shows_in_the_overlay_and_the_server_goes_on(theme_site):
    with dev_server(theme_site.root / "site.toml") as server:
        server.get(ARTICLE)
        events = Events(server, ARTICLE)
        body = "\n".join("> " * n + "نص" for n in range(1, 61))
        theme_site.write("articles/a.md", '+++\ntitle = "عميق"\ndate = 2019-03-19\n+++\n\n' + body)
        error = events.next("build-error")
        assert error["file"].endswith("content/articles/a.md") and error["line"] == 38
        assert "block quotes nested more than 32 levels" in error["message"]
        write_article(theme_site, "a", "العنوان المصلح")
        events.next("build-ok")
        events.next("reload")
        assert soup(server.get(ARTICLE)[1]).h1.get_text() == "العنوان المصلح"
        assert "Traceback" not in server.output()


def test_a_build_while_the_dev_server_runs_is_refused(theme_site):
    from conftest import run_generator

    with dev_server(theme_site.root / "site.toml") as server:
        assert server.get(ARTICLE)[0] == 200
        write_article(theme_site, "c", "خبر ثالث")
        result = run_generator("build", "--config", str(theme_site.root / "site.toml"),
                               "--no-search")
        assert result.returncode == 1
        assert "another build or dev server" in result.stderr
