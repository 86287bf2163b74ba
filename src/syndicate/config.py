"""`config/feeds.yaml`: the site, rule defaults and the feeds; every error names file, line, key."""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from syndicate import plain
from syndicate.errors import ConfigError, Problem
from syndicate.render.writers import WRITERS
from syndicate.seeds import frontmatter, yamlsrc
from syndicate.seeds.urls import to_uri
from syndicate.selection.rules import FeedRules
from syndicate.words import XML_FORBIDDEN, invisible

DEFAULT_LIMIT = 50
DEFAULT_FLOOD_THRESHOLD = 10
_FLOOD_HELP = (
    "The flood guard: warn (in diff, build and check) when a change adds more than this many "
    "items older than the newest item the feed already has; readers show them as new."
)
# The size guard: a feed file bigger than this, or with more items, is warned about (0 = off).
DEFAULT_MAX_FEED_BYTES = 10_000_000
DEFAULT_MAX_FEED_ITEMS = 1000
FEED_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _clean_text(value: str) -> str:
    if XML_FORBIDDEN.search(value):
        raise ValueError("contains control characters that XML does not allow")
    if invisible(value):  # white space, or characters such as U+200B that show as nothing
        raise ValueError("is blank: write some text")
    return value.strip()


def _http_url(value: str) -> str:
    return to_uri(value)


def _base_url(value: str) -> str:
    url = to_uri(value)
    if "?" in url or "#" in url:
        raise ValueError(f"must not have a query or fragment: {url!r}")
    if not url.endswith("/"):
        raise ValueError(f"must end with '/': {url!r}")
    return url


def _hub_url(value: str) -> str:
    url = to_uri(value)
    if "#" in url:
        raise ValueError(f"must not have a fragment: {url!r}")
    return url


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("a hub is listed twice")
    return values


def _formats(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in WRITERS]
    if unknown:
        raise ValueError(f"unknown format {unknown[0]!r}; choose from {', '.join(WRITERS)}")
    if len(set(values)) != len(values):
        raise ValueError("formats are listed twice")
    return values


Text = Annotated[
    str, Field(strict=True, min_length=1, max_length=1000), AfterValidator(_clean_text)
]
HttpUrl = Annotated[str, Field(strict=True), AfterValidator(_http_url)]
Formats = Annotated[
    list[Annotated[str, Field(strict=True)]], Field(min_length=1), AfterValidator(_formats)
]
HubList = Annotated[
    list[Annotated[str, Field(strict=True), AfterValidator(_hub_url)]],
    Field(min_length=1),
    AfterValidator(_unique),
]
PageSize = Annotated[int, Field(strict=True, ge=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Author(_Strict):
    name: Text = Field(description="Shown as the feed's author.")
    email: Annotated[str, Field(strict=True, pattern=r"^[^@\s<>]+@[^@\s<>]+$")] | None = None
    url: HttpUrl | None = None


class Site(_Strict):
    title: Text = Field(description="The site's name.")
    base_url: Annotated[str, Field(strict=True), AfterValidator(_base_url)] = Field(
        description="Where out/ is served; absolute http(s), ends with '/'."
    )
    description: Text | None = None
    language: (
        Annotated[str, Field(strict=True, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")] | None
    ) = None
    author: Author | None = None
    icon: HttpUrl | None = Field(
        None,
        description="A small square image (favicon-like): Atom icon, JSON Feed favicon, "
        "RSS image when there is no logo. Absolute http(s) URL.",
    )
    logo: HttpUrl | None = Field(
        None,
        description="A larger, wider image (about 2:1): Atom logo, JSON Feed icon, RSS image. "
        "Absolute http(s) URL.",
    )
    websub_hubs: HubList | None = Field(
        None,
        description='WebSub hubs (absolute http(s) URLs): every feed links them (rel="hub", '
        "JSON Feed hubs) and `syndicate ping` tells them which feeds the last build changed.",
    )
    stylesheet: StrictBool = Field(
        False,
        description="Add <?xml-stylesheet?> to the RSS and Atom files, pointing at out/feed.xsl "
        "(written too), so browsers that apply XSLT show a feed as a page.",
    )


_MAX_BYTES = "Warn when a feed file is bigger than this many bytes (default 10,000,000); 0 = never."
_MAX_ITEMS = "Warn when a feed file has more items than this (default 1,000); 0 = never."


class FeedDefaults(FeedRules):
    """Any feed rule, applied to every feed that does not set it."""

    limit: int | None = Field(None, strict=True, ge=0)
    formats: Formats | None = None
    archive: StrictBool | None = Field(
        None, description="Keep the items beyond `limit` in archive pages (RFC 5005)."
    )
    archive_page_size: PageSize | None = Field(
        None, description="Items per archive page; default: the feed's limit."
    )
    flood_threshold: int | None = Field(None, strict=True, ge=0, description=_FLOOD_HELP)
    max_feed_bytes: int | None = Field(None, strict=True, ge=0, description=_MAX_BYTES)
    max_feed_items: int | None = Field(None, strict=True, ge=0, description=_MAX_ITEMS)


class FeedConfig(FeedRules):
    id: Annotated[str, Field(strict=True, pattern=FEED_ID_PATTERN, max_length=100)] = Field(
        description="Names the folder out/<id>/: lowercase letters, digits and dashes."
    )
    title: Text
    description: Text | None = None
    limit: int = Field(DEFAULT_LIMIT, strict=True, ge=0, description="Newest N; 0 = no limit.")
    formats: Formats = Field(default_factory=lambda: list(WRITERS))
    icon: HttpUrl | None = Field(None, description="This feed's icon; else site.icon.")
    logo: HttpUrl | None = Field(None, description="This feed's logo; else site.logo.")
    archive: StrictBool = Field(
        False,
        description="Keep the items beyond `limit` in stable archive pages, "
        "out/<id>/archive/<n>.xml (Atom) and .json (JSON Feed), linked as RFC 5005 says. "
        "Needs a limit above 0.",
    )
    archive_page_size: PageSize | None = Field(
        None, description="Items per archive page; default: the feed's limit."
    )
    flood_threshold: int = Field(
        DEFAULT_FLOOD_THRESHOLD, strict=True, ge=0, description=_FLOOD_HELP
    )
    max_feed_bytes: int = Field(DEFAULT_MAX_FEED_BYTES, strict=True, ge=0, description=_MAX_BYTES)
    max_feed_items: int = Field(DEFAULT_MAX_FEED_ITEMS, strict=True, ge=0, description=_MAX_ITEMS)
    _line: int = PrivateAttr(1)
    # The line of each value of a list rule (topics, exclude_providers...), by rule name.
    _value_lines: dict[str, tuple[int, ...]] = PrivateAttr(default_factory=dict)

    @field_validator("archive")
    @classmethod
    def _archive_needs(cls, archive: bool, info: ValidationInfo) -> bool:
        """Archiving needs a current feed to spill from and a format that has archive pages."""
        if not archive:
            return archive
        if info.data.get("limit") == 0:
            raise ValueError(
                "archive: true needs a limit above 0 (limit 0 keeps every item in the feed, "
                "so nothing would be archived)"
            )
        formats = info.data.get("formats")
        if formats is not None and not any(WRITERS[f].archive_suffix for f in formats):
            names = ", ".join(n for n, w in WRITERS.items() if w.archive_suffix)
            raise ValueError(f"archive: true needs one of these formats: {names}")
        return archive

    @property
    def line(self) -> int:
        """The config line of this feed's entry, for messages about the feed."""
        return self._line

    def value_line(self, rule: str, index: int) -> int:
        """The config line of value `index` of the list rule `rule` (a default's line when the
        feed takes it from `defaults:`); the feed's line if unknown."""
        lines = self._value_lines.get(rule, ())
        return lines[index] if index < len(lines) else self._line

    @property
    def page_size(self) -> int:
        """Items per archive page: archive_page_size, else the limit."""
        return self.archive_page_size or self.limit


class Config(_Strict):
    site: Site
    defaults: FeedDefaults | None = None
    feeds: list[FeedConfig] = Field(min_length=1)
    _base_url_line: int = PrivateAttr(default=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Config:
        seen: set[str] = set()
        for feed in self.feeds:
            if feed.id in seen:
                raise ValueError(f"feed id {feed.id!r} is used twice")
            seen.add(feed.id)
        return self


def load(path: Path) -> Config:
    """Read and validate the config; ConfigError lists every problem found."""
    shown = path.as_posix()
    try:
        text = frontmatter.decode(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError([Problem(shown, 1, "config", not_found(path))]) from None
    except IsADirectoryError:
        raise ConfigError([Problem(shown, 1, "config", "config path is a folder")]) from None
    except OSError as exc:
        raise ConfigError([Problem(shown, 1, "config", f"cannot read: {exc.strerror}")]) from None
    except frontmatter.FrontMatterError as exc:
        raise ConfigError([Problem(shown, exc.line, "config", exc.message)]) from None
    try:
        raw = yamlsrc.load(text)
    except yamlsrc.YamlError as exc:
        problem = Problem(shown, exc.line, _field(exc.loc), exc.message, detail=exc.detail)
        raise ConfigError([problem]) from None
    if not isinstance(raw, yamlsrc.LineDict):
        raise ConfigError([Problem(shown, 1, "config", "must be a mapping with site: and feeds:")])
    return parse(raw, shown)


def not_found(path: Path) -> str:
    """Where the config was looked for, for someone who ran syndicate from another folder."""
    folder = path.parent.absolute().as_posix().rstrip("/") + "/"
    return (
        f"config file not found: no {path.name} in {folder}; run syndicate in the folder that"
        " holds it, or give its path with --config FILE"
    )


def parse(raw: yamlsrc.LineDict, shown: str) -> Config:
    empty = _keys_without_value(raw)  # before the defaults are copied into the feeds
    problems = _defaults_problems(raw, shown)
    if not problems:
        _apply_defaults(raw)
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        problems += [
            _problem(raw, shown, e)
            for e in exc.errors(include_url=False)
            if not (e["type"] == "value_error" and "is used twice" in e["msg"])
        ]
        config = None
    problems += _without_value(raw, shown, empty, {p.field for p in problems})
    problems += _duplicate_id_lines(raw, shown)
    if problems or config is None:
        unique = sorted(set(problems), key=lambda p: (p.line, p.field, p.message))
        raise ConfigError(unique)
    for index, feed in enumerate(config.feeds):
        feed._line = yamlsrc.line_of(raw, ("feeds", index))
        feed._value_lines = _value_lines(raw, index)
    config._base_url_line = yamlsrc.line_of(raw, ("site", "base_url"))
    return config


# Host names under .invalid can never be served (RFC 2606): `syndicate init` writes one as the
# base_url, for the user to replace.
PLACEHOLDER_DOMAIN = ".invalid"


def placeholder_problems(config: Config, shown: str) -> list[Problem]:
    """A warning while site.base_url is still a placeholder (a host name under .invalid)."""
    host = config.site.base_url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    if not host.lower().rstrip(".").endswith(PLACEHOLDER_DOMAIN):
        return []
    message = (
        f"base_url {config.site.base_url!r} is a placeholder: set it to the address where out/"
        " will be served (for GitHub Pages, https://OWNER.github.io/REPOSITORY/); feed links"
        " and ids are made from it"
    )
    return [Problem(shown, config._base_url_line, "site.base_url", message, "warning")]


def _without_value(
    raw: yamlsrc.LineDict, shown: str, empty: list[tuple[str | int, ...]], reported: set[str]
) -> list[Problem]:
    """The keys written with no value (`topics:`, or `~`: `empty`) where the model takes None:
    for a rule that would mean "not applied", widening the feed. (Where None is refused, the
    model's message about that key is already among the problems: `reported`.)"""
    message = "has no value: write one, or leave the key out"
    return [
        Problem(shown, yamlsrc.line_of(raw, loc), _field(loc), message)
        for loc in empty
        if _field(loc) not in reported
    ]


def _keys_without_value(node: Any, at: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Where a mapping's key has the value None (YAML's empty value), in the file's order."""
    if not isinstance(node, yamlsrc.LineDict | yamlsrc.LineList):
        return []
    children: Any = node.items() if isinstance(node, yamlsrc.LineDict) else enumerate(node)
    found: list[tuple[str | int, ...]] = []
    for key, value in children:
        if value is None and isinstance(node, yamlsrc.LineDict):
            found.append((*at, key))
        else:
            found += _keys_without_value(value, (*at, key))
    return found


def _defaults_problems(raw: yamlsrc.LineDict, shown: str) -> list[Problem]:
    defaults = raw.get("defaults")
    if defaults is None:
        return []
    try:
        FeedDefaults.model_validate(defaults)
    except ValidationError as exc:
        return [_problem(raw, shown, {**e, "loc": ("defaults", *e["loc"])}) for e in exc.errors()]
    return []


def _value_lines(raw: yamlsrc.LineDict, index: int) -> dict[str, tuple[int, ...]]:
    """The line of each value of each list rule of feed `index`."""
    feed = raw["feeds"][index]
    found = {}
    for rule, values in feed.items():
        if isinstance(values, yamlsrc.LineList):
            loc = ("feeds", index, rule)
            found[rule] = tuple(yamlsrc.line_of(raw, (*loc, i)) for i in range(len(values)))
    return found


def _apply_defaults(raw: yamlsrc.LineDict) -> None:
    """Copy each default into every feed that does not set it (keeping the default's line)."""
    defaults, feeds = raw.get("defaults"), raw.get("feeds")
    if not isinstance(defaults, yamlsrc.LineDict) or not isinstance(feeds, list):
        return
    for feed in feeds:
        if isinstance(feed, yamlsrc.LineDict):
            for key, value in defaults.items():
                if key not in feed:
                    feed[key] = value
                    feed.lines[key] = defaults.lines[key]


def _duplicate_id_lines(raw: yamlsrc.LineDict, shown: str) -> list[Problem]:
    feeds = raw.get("feeds")
    if not isinstance(feeds, list):
        return []
    first: dict[str, int] = {}
    problems = []
    for index, feed in enumerate(feeds):
        if isinstance(feed, yamlsrc.LineDict) and isinstance(feed.get("id"), str):
            line = yamlsrc.line_of(raw, ("feeds", index, "id"))
            if feed["id"] in first:
                message = (
                    f"feed id {feed['id']!r} is used twice (first on line {first[feed['id']]})"
                )
                problems.append(Problem(shown, line, f"feeds[{index}].id", message))
            else:
                first[feed["id"]] = line
    return problems


def _problem(raw: yamlsrc.LineDict, shown: str, error: ErrorDetails) -> Problem:
    loc = tuple(error["loc"])
    if error["type"] == "value_error" and "is used twice" in error["msg"]:
        loc = ("feeds",)
    line = yamlsrc.line_of(raw, loc)
    field = _field(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        message = f"unknown key {name!r}"
        allowed = _allowed_keys(loc[:-1])
        match = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        if match:
            message += f" (did you mean {match[0]!r}?)"
        elif allowed:
            message += f"; allowed: {', '.join(allowed)}"
    elif kind == "missing":
        message = "required key is missing"
    else:
        message = plain.validation_message(error)
    return Problem(shown, line, field, message, detail=plain.validation_detail(error))


def _field(loc: tuple[Any, ...]) -> str:
    return plain.field_path(loc, "config")


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] | None = Config
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        model = _model_in(field.annotation) if field else None
    return list(model.model_fields) if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found:
                return found
    return None
