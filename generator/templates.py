"""The Jinja2 environment: autoescaping, strict undefined values, Arabic filters.

Templates are compiled once and kept compiled under the cache folder, for the next build.
Errors in a template are reported as :class:`BuildError` at the template's file and line.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from . import urls
from .assets import Assets
from .config import Config
from .dates import Formatter, rfc3339, utc_iso
from .errors import BuildError, read_file
from .jobs import PageJob, Resources, context_of
from .state import generator_version
from .urls import Urls


def make_environment(config: Config, assets: Assets) -> jinja2.Environment:
    templates = config.paths.templates
    if not templates.is_dir():
        raise BuildError("templates folder not found", templates)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a changed template gets a new environment (Engine._snapshot)
        bytecode_cache=_compiled_templates(config),
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    fmt = Formatter(config)
    links = Urls(config)
    env.filters.update(
        href=links.href,
        absolute=links.absolute,
        digits=fmt.digits,
        date_ar=fmt.date,
        hijri=fmt.hijri,
        count=fmt.count,
        reading_time=fmt.reading_time,
        rfc3339=rfc3339,
        utc_iso=utc_iso,
        category_label=config.category_label,
        category_url=urls.category_url,
        year_url=urls.year_url,
        entity_index_url=urls.entity_index_url,
        source_label=config.source_label,
    )
    env.globals.update(asset=lambda name: links.href(assets.url(name)), month_label=fmt.month,
                       month_name=fmt.month_name)
    return env


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled by an earlier build (Jinja checks each against its source): a
    build that renders a few pages does not compile every template again. Only a cache: one
    that cannot be written or read is not used, and the build goes on."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compiled_templates(config: Config) -> _CompiledTemplates:
    """The compiled templates of this generator version (those of others are removed: how
    templates compile depends on the environment made above)."""
    root = config.paths.cache / "templates"
    folder = root / generator_version()
    if not folder.is_dir():
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            for other in root.iterdir():
                if other != folder:
                    shutil.rmtree(other, ignore_errors=True)
    return _CompiledTemplates(str(folder))


def template_digests(folder: Path) -> dict[str, str]:
    """Template name -> a digest of the template and of every template it extends, includes
    or imports, directly or not (any template, when a name is computed at render time)."""
    files = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
             if p.is_file()} if folder.is_dir() else {}
    sources = {name: read_file(path) for name, path in files.items()}
    parser = jinja2.Environment()
    uses: dict[str, set[str]] = {}
    for name, data in sources.items():
        try:
            found = set(meta.find_referenced_templates(parser.parse(data.decode("utf-8"))))
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
            found = set()  # the template fails when rendered, with its line
        uses[name] = set(sources) if None in found else {n for n in found if n in sources}
    digests = {}
    for name in sources:
        closure, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in closure:
                closure.add(current)
                todo.extend(uses[current])
        digest = hashlib.sha256()
        for member in sorted(closure):
            digest.update(member.encode() + b"\0" + sources[member])
        digests[name] = digest.hexdigest()[:24]
    return digests


def render_page(env: jinja2.Environment, job: PageJob, res: Resources) -> bytes:
    """The bytes of one output file."""
    value = context_of(job, res)
    if job.template is None:
        return value
    return render(env, job.template, value).encode("utf-8")


def render(env: jinja2.Environment, template: str, context: Mapping[str, Any]) -> str:
    try:
        return env.get_template(template).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(f"template syntax error: {exc.message}",
                         exc.filename or template, exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        path, line = _template_frame(exc, env)
        folder = env.loader.searchpath[0]
        raise BuildError(f"template {exc.name!r} not found in {folder}", path, line) from None
    except (jinja2.UndefinedError, TypeError, ValueError, BuildError) as exc:
        path, line = _template_frame(exc, env)
        if isinstance(exc, BuildError):
            raise BuildError(exc.message, path or exc.path, line) from None
        raise BuildError(f"error while rendering: {exc}", path or template, line) from None


def _template_frame(exc: BaseException, env: jinja2.Environment) -> tuple[str | None, int | None]:
    """The innermost template file and line in the traceback of ``exc``."""
    roots = tuple(str(Path(p).resolve()) for p in env.loader.searchpath)
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__ or sys.exc_info()[2]):
        if frame.filename.startswith(roots):
            found = (frame.filename, frame.lineno)
    return found
