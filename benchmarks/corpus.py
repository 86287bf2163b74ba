#!/usr/bin/env python3
"""A realistic, deterministic corpus of seed files, for the tests and the benchmark.

    python benchmarks/corpus.py OUT_DIR --count N --seed S [--jobs J]

or, from Python, `corpus.generate(out_dir, count, seed)`.

Each file looks like the seeds of this repository's seeds/ folder (news items of an AI news
site): YAML front matter between `---` lines and no body, with the same field order and YAML
style (double-quoted strings, plain topic and provider names, block lists, a blank line between
blocks, a closing `---` and an empty line). Files are named `NNN_<16 hex>.txt`: the index,
zero-padded to 3 digits (wider from 1000 on), and a hash of the content.

Every file is a valid seed: title, webUrl and publishedDateTime present; quality and heat
integers; published a boolean; topics a list of strings; every URL absolute http(s) once HTML
character references are decoded. The quirks of real seeds are there on purpose:

- `&#038;` (and, rarely, `&amp;`) inside URLs, a raw `&` in others; image URLs with query
  strings, without an extension, or ending .png/.webp/.gif/.JPG; percent-encoded slugs;
- heat -1 and published false are common; quality, heat and published are sometimes absent;
- optional parts left out: ampWebUrl/cdnAmpWebUrl, images, related items, provider images,
  image titles, isCached, secured, excerpt (rarely category, provider or topics);
- publishedDateTime mostly in UTC (`...Z`), some with offsets (-07:00, +05:30...), a few with
  seven-digit fractions (`.0000000Z`); dates from 2019 to 2023; equal instants happen;
- titles in many scripts (accents, CJK, Hangul, Arabic, emoji with ZWJ, curly quotes, no-break
  spaces) and with characters that need escaping (& < > " ' \\);
- long excerpts (up to about 2,000 characters), sometimes in paragraphs (`\\n`);
- about 1% of files repeat an earlier story's webUrl (the same story from two sources,
  sometimes spelled with `&#038;` where the other has `&`), some with equal quality and date,
  so that the path tie-break decides; some related items point at other stories of the corpus.

The output depends only on the seed and the file's index: `--count 2000` writes the first 2000
files of `--count 100000`, byte for byte, whatever --jobs is. Other files in OUT_DIR are left
alone. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import random
import re
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

# --------------------------------------------------------------------------- vocabulary

TOPIC_WEIGHTS = {  # "AI" is handled apart: it ends ~85% of topic lists, as in the real seeds
    "Machine Learning": 14,
    "Computer Vision": 10,
    "Deep Learning": 9,
    "NLP": 8,
    "Robotics": 8,
    "Autonomous Vehicles": 7,
    "Healthcare AI": 7,
    "AI Ethics": 6,
    "Facial Recognition": 5,
    "Image Recognition": 4,
    "Generative AI": 5,
    "Speech Recognition": 4,
    "Reinforcement Learning": 3,
    "AI Chips": 4,
    "Edge AI": 3,
    "Data Science": 4,
    "AWS AI": 3,
    "Microsoft AI": 3,
    "Google AI": 3,
    "AI in Autos": 2,
    "Chatbots": 3,
    "AI Policy": 3,
    "Drones": 2,
}
# Rare spellings a different aggregator would produce: valid input, matched case-insensitively.
TOPIC_VARIANTS = {
    "Computer Vision": "computer vision",
    "Machine Learning": "Machine learning",
    "NLP": "nlp",
    "Robotics": "robotics",
}

# (name, domain, url style, amp style, image style)
PROVIDERS = [
    ("BBC", "bbc.com", "bbc", "bbc", "bbc"),
    ("BBC", "bbc.co.uk", "bbc", "bbc", "bbc"),
    ("VentureBeat", "venturebeat.com", "wp", "amp/", "wp"),
    ("Forbes", "forbes.com", "forbes", "amp/", "forbes"),
    ("TechCrunch", "techcrunch.com", "wp", "amp/", "wp"),
    ("The Verge", "theverge.com", "verge", None, "verge"),
    ("Wired", "wired.com", "wired", "/amp", "generic"),
    ("Reuters", "reuters.com", "reuters", "reuters", "generic"),
    ("Washington Post", "washingtonpost.com", "wapo", "?outputType=amp", "wapo"),
    ("The Guardian", "theguardian.com", "guardian", "amp.", "guardian"),
    ("The New York Times", "nytimes.com", "html", ".amp.html", "generic"),
    ("New York Magazine", "nymag.com", "nymag", "nymag", "generic"),
    ("MIT Technology Review", "technologyreview.com", "wp", None, "wp"),
    ("ZDNet", "zdnet.com", "article-id", "google-amp", "generic"),
    ("Ars Technica", "arstechnica.com", "wp", "amp/", "wp"),
    ("Engadget", "engadget.com", "html", None, "google"),
    ("CNBC", "cnbc.com", "html", ".amp.html", "generic"),
    ("Business Insider", "businessinsider.com", "bi", "bi", "generic"),
    ("Fortune", "fortune.com", "wp", None, "wp"),
    ("The Daily Telegraph", "telegraph.co.uk", "wp", "amp/", "generic"),
    ("Government Technology", "govtech.com", "html", "?AMP", "generic"),
    ("SC Media", "scmagazine.com", "wp", None, "wp"),
    ("Rolling Stone", "rollingstone.com", "wp", "amp/", "wp"),
    ("cmo.com.au", "cmo.com.au", "article-id", None, "generic"),
    ("Variety", "variety.com", "wp", "amp/", "wp"),
    ("Stockhouse", "stockhouse.com", "press", None, "generic"),
    ("Business Wire", "businesswire.com", "bw", None, "generic"),
    ("PR Newswire", "prnewswire.com", "prn", None, "generic"),
    ("Your Story", "yourstory.com", "slug", "/amp", "generic"),
    ("The Economic Times", "indiatimes.com", "cms", "cms", "generic"),
    ("Analytics India Magazine", "analyticsindiamag.com", "wp", "amp/", "wp"),
    ("Towards Data Science", "towardsdatascience.com", "medium", None, "medium"),
    ("KDnuggets", "kdnuggets.com", "html", ".amp.html", "generic"),
    ("The Robot Report", "therobotreport.com", "wp", "amp/", "wp"),
    ("Electrek", "electrek.co", "wp", "amp/", "wp"),
    ("IEEE Spectrum", "spectrum.ieee.org", "slug", None, "generic"),
    ("Yahoo! Finance", "finance.yahoo.com", "yahoo", "yahoo", "generic"),
    ("Tom's Hardware", "tomshardware.com", "slug", None, "generic"),
    ("Science | AAAS", "science.org", "slug", None, "generic"),
    ("El País", "elpais.com", "html", None, "generic"),
    ("Heise Online", "heise.de", "html", None, "generic"),
    ("South China Morning Post", "scmp.com", "article-id", "amp/", "generic"),
    ("Nikkei Asia", "asia.nikkei.com", "slug", None, "generic"),
    ("Nature", "nature.com", "nature", None, "nature"),
    ("arXiv", "arxiv.org", "arxiv", None, None),
    ("Google AI Blog", "ai.googleblog.com", "blogspot", None, "google"),
    ("OpenAI", "openai.com", "slug", None, "unsplash"),
    ("YouTube", "youtube.com", "youtube", None, "youtube"),
    ("Vimeo", "vimeo.com", "vimeo", None, "generic"),
]
NEWS_PROVIDERS = [
    p
    for p in PROVIDERS
    if p[2] not in ("youtube", "vimeo", "arxiv", "nature", "blogspot", "medium")
]
VIDEO_PROVIDERS = [p for p in PROVIDERS if p[2] in ("youtube", "vimeo")]
RESEARCH_PROVIDERS = [p for p in PROVIDERS if p[2] in ("arxiv", "nature")] + [
    p for p in PROVIDERS if p[1] in ("technologyreview.com", "spectrum.ieee.org", "science.org")
]
BLOG_PROVIDERS = [p for p in PROVIDERS if p[2] in ("blogspot", "medium")] + [
    p for p in PROVIDERS if p[1] in ("openai.com", "kdnuggets.com", "analyticsindiamag.com")
]

COMPANIES = [
    "Microsoft",
    "Google",
    "Amazon",
    "IBM",
    "Nvidia",
    "OpenAI",
    "Meta",
    "Apple",
    "Baidu",
    "Tencent",
    "Alibaba",
    "Samsung",
    "Intel",
    "AMD",
    "Tesla",
    "Waymo",
    "DeepMind",
    "Hugging Face",
    "Clearview AI",
    "Boston Dynamics",
    "Cruise",
    "Zoox",
    "Siemens",
    "Nestlé",
    "Société Générale",
    "Toyota",
    "SoftBank",
    "AT&T",
    "Johnson & Johnson",
    "Procter & Gamble",
    "Mercedes-Benz",
    "Huawei",
    "SenseTime",
    "Graphcore",
    "Cerebras",
    "Salesforce",
    "Palantir",
    "Qualcomm",
    "Sony",
    "Hyundai",
    "Zürich Insurance",
]
TECHS = [
    "facial recognition",
    "computer vision",
    "natural language processing",
    "deep learning",
    "machine learning",
    "self-driving cars",
    "robotaxis",
    "medical imaging AI",
    "speech recognition",
    "reinforcement learning",
    "large language models",
    "AI chips",
    "edge AI",
    "chatbots",
    "warehouse robots",
    "drone delivery",
    "deepfake detection",
    "image recognition",
    "AI-powered diagnostics",
    "generative AI",
    "voice assistants",
]
PLACES = [
    "London",
    "San Francisco",
    "Beijing",
    "Tokyo",
    "Zürich",
    "São Paulo",
    "Montréal",
    "Bengaluru",
    "Tel Aviv",
    "Berlin",
    "Seoul",
    "Paris",
    "Toronto",
    "Singapore",
    "Austin",
]
SECTORS = [
    "healthcare",
    "banking",
    "retail",
    "policing",
    "manufacturing",
    "agriculture",
    "insurance",
    "logistics",
    "education",
    "defense",
    "energy",
    "media",
]
TITLE_TEMPLATES = [
    "{co} bars {tech} sales to police",
    "{co} won’t sell {tech} until there’s ‘a national law in place’",
    "{co} unveils new {tech} platform for {sector}",
    "{co} raises ${n} million to scale {tech}",
    "{co} pauses {tech} program amid privacy concerns",
    "How {co} is using {tech} to transform {sector}",
    "{co} and {co2} team up on {tech}",
    "Why {tech} still struggles in {sector}",
    "{tech_cap} market worth ${n} billion by 2027",
    "{co} opens {tech} research lab in {place}",
    "Regulators in {place} question {co}’s use of {tech}",
    "The end of {tech} — for now",
    "{co} says its {tech} beats humans on key benchmark",
    "Inside {co}’s bet on {tech}",
    "{tech_cap}: what it means for {sector}",
    "{co} acquires {tech} startup for ${n}M",
    "Study finds bias in {tech} used by {sector} firms",
    "{co} CEO: “{tech_cap} will change {sector} forever”",
    "{tech_cap} in {sector}: 5 trends to watch",
    "{co} open-sources its {tech} toolkit",
    "{place} to test {tech} on public roads",
    "Can {tech} fix {sector}? Experts weigh in",
]
# Realistic titles that stress escaping and unicode; each one is a plain, valid string.
SPECIAL_TITLES = [
    "AT&T and Nvidia team up on 5G edge AI",
    "Q&A: Fei-Fei Li on human-centered AI",
    "R&D budgets for AI hit record as chips get scarce",
    "Inference latency drops to <10 ms with new TensorRT release",
    "Is GPT-3 > BERT? Researchers weigh in",
    "50% of firms say AI results < expectations",
    "The <canvas> element meets WebGPU: machine learning in the browser",
    "<script> tags in AI-generated code: a security warning",
    "Using <img> alt text written by AI — accessibility win or risk?",
    '"Deepfakes" bill passes California Senate',
    'Why "AI-first" isn\'t a strategy',
    "Ethics & AI: “Move fast and break things” is over",
    "Tesla Autopilot crash: NTSB says ‘over-reliance’ was a factor",
    "Café chain uses computer vision to cut food waste",
    "Zürich’s ETH unveils legged robot ANYmal — again",
    "São Paulo tests facial recognition in its metro",
    "Société Générale déploie l’IA dans ses agences",
    "Künstliche Intelligenz: Bundesregierung legt Strategie vor",
    "百度发布文心一言大模型",
    "ソニー、AIロボット「aibo」の新型を発表",
    "삼성전자, 차세대 AI 반도체 공개",
    "الذكاء الاصطناعي يغير قطاع الرعاية الصحية",
    "🤖 Robots are coming to your warehouse",
    "Meet the AI that paints like Van Gogh 🎨",
    "🚗 Waymo expands robotaxi service to Phoenix",
    "👩‍💻 Women in AI: 10 researchers to follow",
    "C++ vs. Python for production ML",
    "x86 vs. ARM: who wins AI inference?",
    "Accuracy ≥ 99%? Read the fine print on AI benchmarks",
    "From pixels → predictions: a tour of vision transformers",
    "AI 101: what’s a neural network, anyway?",
    "#MeToo, bias and hiring algorithms",
    "Regex \\d+ and other tricks for cleaning ML training data",
    "100% accuracy claims & other AI red flags",
    "Self-driving startup’s $1B round values it at $10B",
    "Microsoft’s ‘Tay’ five years later: lessons for chatbots",
    "It's 'game over' for humans at Go, says DeepMind",
    "Apple’s M1 Neural Engine, benchmarked",
    "Price of AI compute falls ½ every 16 months",
    "Naïve Bayes isn’t dead: the comeback of simple models",
]
SENTENCES = [
    "{co} said on {day} it would {verb} its {tech} work in {sector}.",
    "The move follows months of pressure from civil-liberties groups and lawmakers in {place}.",
    "Researchers at {co} reported a {n}% gain over the previous state of the art.",
    "Critics say {tech} remains error-prone, especially for women and people of color.",
    "The company plans to roll out the feature to customers in {place} later this year.",
    "“We’re not there yet,” said a spokesperson for {co}, declining to give a timeline.",
    "Analysts expect spending on {tech} in {sector} to top ${n} billion by 2025.",
    "The startup, founded in {place} in 2017, has raised ${n} million to date.",
    "{co} declined to comment on the report.",
    "Regulators have asked {co} to explain how its models are trained & tested.",
    "The pilot covers {n} sites and will run until the end of the year.",
    "It’s the latest sign that {tech} is moving from the lab into {sector}.",
    "Results were published in a peer-reviewed paper this week.",
    "The benchmark measures latency (<50 ms) and accuracy (>95%) on commodity hardware.",
    "Employees at {co} signed an open letter opposing the contract.",
    "The system flags anomalies in real time, according to {co}.",
    "{co}’s shares rose {n}% after the announcement.",
    "The team open-sourced the code on GitHub under an Apache 2.0 license.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
VERBS = ["pause", "expand", "restructure", "open-source", "double down on", "wind down"]
OFFSETS = [
    "-07:00",
    "-04:00",
    "-05:00",
    "-08:00",
    "+01:00",
    "+02:00",
    "+05:30",
    "+08:00",
    "+09:00",
    "+00:00",
    "-03:00",
    "+10:00",
]
IMAGE_SIZES = [
    (1024, 576),
    (1200, 675),
    (1200, 630),
    (1200, 600),
    (1000, 600),
    (1440, 960),
    (1800, 1200),
    (800, 532),
    (960, 1200),
    (600, 450),
    (300, 300),
    (2501, 1563),
    (1280, 720),
    (1920, 1080),
    (640, 360),
    (1200, 800),
    (2048, 1152),
    (750, 500),
]
COMMON_QUALITY = [27, 39, 41, 42, 51, 59, 67, 81, 89, 101, 118]
SMARTABLE_ORG = "https://smartableai.github.io/artificial-intelligence/assets/images/organizations/"
START = datetime(2019, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 5 * 365 * 24 * 60  # 2019-01-01 .. 2023-12-31
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# --------------------------------------------------------------------------- YAML writing

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\t\r]')
_PLAIN_SAFE = re.compile(r"[A-Za-z][A-Za-z0-9 .'’!|+&()À-ɏ-]*[A-Za-z0-9.)+]\Z")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~"}


def dq(s: str) -> str:
    """A YAML double-quoted scalar (the style of every string in the real seeds)."""
    if _NEEDS_ESCAPE.search(s):
        s = _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], s)
    return '"' + s + '"'


def plain(s: str) -> str:
    """Plain scalar where YAML reads it back as the same string (topics, provider names)."""
    if _PLAIN_SAFE.match(s) and s.lower() not in _YAML_WORDS and ": " not in s and " #" not in s:
        return s
    return dq(s)


# --------------------------------------------------------------------------- pieces


def rng_for(seed: int, *key: object) -> random.Random:
    h = hashlib.blake2b(repr((seed, *key)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(h, "big"))


def slugify(title: str, r: random.Random) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = "-".join(words)[:90].strip("-") or "".join(r.choices(ALNUM, k=10))
    if r.random() < 0.01:  # a percent-encoded UTF-8 slug, e.g. an em dash or a curly quote
        slug += r.choice(["-%E2%80%94-analysis", "-%E2%80%99s-take", "-caf%C3%A9"])
    return slug


def _capitalized(s: str) -> str:
    return s[:1].upper() + s[1:]  # not str.capitalize(): that would turn "AI chips" into "Ai chips"


_SLOTS = {
    "co": lambda r: r.choice(COMPANIES),
    "co2": lambda r: r.choice(COMPANIES),
    "tech": lambda r: r.choice(TECHS),
    "tech_cap": lambda r: _capitalized(r.choice(TECHS)),
    "sector": lambda r: r.choice(SECTORS),
    "place": lambda r: r.choice(PLACES),
    "n": lambda r: r.choice([2, 5, 12, 15, 20, 35, 40, 75, 100, 150, 250, 400]),
    "day": lambda r: r.choice(DAYS),
    "verb": lambda r: r.choice(VERBS),
}
_FIELDS: dict[str, tuple[str, ...]] = {}


def fill(template: str, r: random.Random) -> str:
    """Fill a template's {slots}, drawing only the ones it uses."""
    fields = _FIELDS.get(template)
    if fields is None:
        fields = _FIELDS[template] = tuple(dict.fromkeys(re.findall(r"{(\w+)}", template)))
    values = {f: _SLOTS[f](r) for f in fields}
    if values.get("co2") is not None and values["co2"] == values.get("co"):
        values["co2"] = COMPANIES[(COMPANIES.index(values["co"]) + 1) % len(COMPANIES)]
    return template.format(**values)


def make_title(r: random.Random) -> str:
    x = r.random()
    if x < 0.08:
        return r.choice(SPECIAL_TITLES)
    title = fill(r.choice(TITLE_TEMPLATES), r)
    if x > 0.995:
        title = title.replace(" ", "\u00a0", 1)  # a no-break space copied from a web page
    elif x > 0.985:
        title = title + " (Video)" if r.random() < 0.5 else title + " | Analysis"
    return title


def make_excerpt(r: random.Random, long: bool) -> str:
    if long:  # a whole lede pasted in: 1,200-2,000 chars, sometimes in paragraphs
        target, sep = r.randint(1200, 2000), r.choice([" ", " ", "\n\n"])
        parts: list[str] = []
        size = 0
        while size < target:
            s = fill(r.choice(SENTENCES), r)
            parts.append(s)
            size += len(s) + 1
        return sep.join(parts)[:2000].rstrip()
    text = " ".join(fill(s, r) for s in r.sample(SENTENCES, r.choice([1, 2, 2, 3])))
    if r.random() < 0.3 and len(text) > 120:  # cut like the API does
        text = text[: r.randint(100, len(text) - 1)].rsplit(" ", 1)[0].rstrip(",;:") + " ..."
    return text


def amp_cache(url: str) -> str:
    """The Google AMP cache form of a URL (www.bbc.co.uk -> www-bbc-co-uk.cdn.ampproject.org)."""
    scheme, rest = url.split("://", 1)
    host = rest.split("/", 1)[0]
    sub = host.replace("-", "--").replace(".", "-")
    return (
        f"https://{sub}.cdn.ampproject.org/c/s/{rest}"
        if scheme == "https"
        else f"https://{sub}.cdn.ampproject.org/c/{rest}"
    )


def story_url(r: random.Random, prov: tuple, slug: str, when: datetime) -> str:
    _name, dom, style = prov[0], prov[1], prov[2]
    y, m, d = when.year, f"{when.month:02d}", f"{when.day:02d}"
    www = "www." if dom.count(".") == 1 and r.random() < 0.8 else ""
    n = r.randint(10_000_000, 99_999_999)
    if style == "bbc":
        section = r.choice(["technology", "business", "uk", "world-us-canada"])
        return f"https://www.{dom}/news/{section}-{n}"
    if style == "wp":
        return f"https://{www}{dom}/{y}/{m}/{d}/{slug}/"
    if style == "forbes":
        author = r.choice(["tomtaulli", "bernardmarr", "robtoews"])
        return f"https://www.forbes.com/sites/{author}/{y}/{m}/{d}/{slug}/"
    if style == "verge":
        return f"https://www.theverge.com/{y}/{when.month}/{when.day}/{n}/{slug}"
    if style == "wired":
        return f"https://www.wired.com/story/{slug}-{r.randint(100, 999999)}/"
    if style == "reuters":
        code = "".join(r.choices(B62[:26] + "0123456789", k=7))
        return f"https://www.reuters.com/article/us-{slug[:60]}-idUSKBN{code}"
    if style == "wapo":
        return f"https://www.washingtonpost.com/technology/{y}/{m}/{d}/{slug[:70]}/"
    if style == "guardian":
        url = f"https://www.theguardian.com/technology/{y}/{when.strftime('%b').lower()}/{d}/{slug}"
        return url + r.choice(
            [
                "",
                "",
                "?CMP=Share_iOSApp_Other",
                "?CMP=twt_gu&utm_medium=social&#038;utm_source=Twitter",
            ]
        )
    if style == "html":
        section = r.choice(["tech", "news", "business", "articles"])
        return f"https://{www}{dom}/{section}/{y}/{m}/{d}/{slug}.html"
    if style == "nymag":
        return f"https://nymag.com/intelligencer/{y}/{m}/{slug}.html"
    if style == "article-id":
        return f"https://{www}{dom}/article/{r.randint(100000, 999999)}/{slug}/"
    if style == "bi":
        number = r.randint(1000000000, 1099999999)
        return f"https://markets.businessinsider.com/news/stocks/{slug}-{number}"
    if style == "press":
        return f"https://stockhouse.com/news/press-releases/{y}/{m}/{d}/{slug}"
    if style == "bw":
        title_case = "-".join(w.capitalize() for w in slug.split("-")[:8])
        number = r.randint(5000, 5999)
        return f"https://www.businesswire.com/news/home/{y}{m}{d}{number:06d}/en/{title_case}"
    if style == "prn":
        number = r.randint(300000000, 399999999)
        return f"https://www.prnewswire.com/news-releases/{slug}-{number}.html"
    if style == "cms":
        number = r.randint(70000000, 89999999)
        return f"https://economictimes.indiatimes.com/tech/{slug}/articleshow/{number}.cms"
    if style == "medium":
        return f"https://towardsdatascience.com/{slug}-{r.getrandbits(48):012x}"
    if style == "yahoo":
        return f"https://finance.yahoo.com/news/{slug[:60]}-{r.randint(100000000, 999999999)}.html"
    if style == "nature":
        number, check = r.randint(1000, 9999), r.randint(0, 9)
        return f"https://www.nature.com/articles/s41586-{y % 100:03d}-{number}-{check}"
    if style == "arxiv":
        return f"https://arxiv.org/abs/{y % 100:02d}{m}.{r.randint(1, 29999):05d}v{r.randint(1, 3)}"
    if style == "blogspot":
        return f"https://ai.googleblog.com/{y}/{m}/{slug[:50]}-{r.randint(1000, 99999)}.html"
    if style == "youtube":
        vid = "".join(r.choices(B62 + "-_", k=11))
        extra = r.choice(["", "", "", "&list=PL" + "".join(r.choices(B62, k=16)), "&#038;t=42s"])
        return f"https://www.youtube.com/watch?v={vid}{extra}"
    if style == "vimeo":
        return f"https://vimeo.com/{r.randint(300000000, 899999999)}"
    return f"https://{www}{dom}/{slug}-{r.randint(1000, 9999999)}" + (
        "" if r.random() < 0.7 else "/"
    )


def amp_url(url: str, style: str | None) -> str | None:
    if style is None:
        return None
    if style == "amp/":
        return url + "amp/" if url.endswith("/") else url + "/amp/"
    if style == "/amp":
        return url.rstrip("/") + "/amp"
    if style == ".amp.html":
        return url[:-5] + ".amp.html" if url.endswith(".html") else None
    if style == "reuters":
        return url.replace("/article/", "/article/amp/", 1)
    if style == "google-amp":
        return url.replace("/article/", "/google-amp/article/", 1)
    if style == "bbc":
        return url.replace("/news/", "/news/amp/", 1)
    if style == "amp.":
        return url.replace("://www.", "://amp.", 1)
    if style == "nymag":
        return url.replace("/intelligencer/", "/intelligencer/amp/", 1)
    if style == "bi":
        return url.replace("/news/stocks/", "/amp/news/", 1)
    if style == "cms":
        return url.replace("/articleshow/", "/amp_articleshow/", 1)
    if style == "yahoo":
        return url.replace("/news/", "/amphtml/news/", 1)
    return url + style  # "?outputType=amp", "?AMP"


def image_url(r: random.Random, style: str | None, dom: str, slug: str, when: datetime) -> str:
    y, m = when.year, f"{when.month:02d}"
    word = slug.split("-")[0] or "ai"
    if style == "wp":
        base = f"https://{dom}/wp-content/uploads/{y}/{m}/{slug[:30]}"
        return base + r.choice(
            [
                ".jpg?w=1200&#038;strip=all",
                ".jpg",
                ".png",
                ".jpg?resize=1200,675&#038;ssl=1",
                ".jpeg",
                ".jpg",
                ".jpg?w=1024",
                ".JPG",
                ".png",
                ".webp",
                ".jpg?w=1200",
                ".jpg?fit=1200%2C675&amp;ssl=1",
                ".jpg",
                ".jpeg",
                ".gif" if r.random() < 0.3 else ".jpg",
            ]
        )
    if style == "bbc":
        return (
            f"https://ichef.bbci.co.uk/news/1024/cpsprodpb/{r.getrandbits(20):X}/production/"
            f"_{r.randint(100000000, 119999999)}_{word}.{r.choice(['jpg', 'jpg', 'png'])}"
        )
    if style == "forbes":
        img = f"{r.getrandbits(96):024x}"
        return (
            "https://thumbor.forbes.com/thumbor/fit-in/1200x0/filters%3Aformat%28jpg%29/"
            f"https%3A%2F%2Fspecials-images.forbesimg.com%2Fimageserve%2F{img}%2F0x0.jpg%3FcropX1%3D0%26cropX2%3D6000"
        )
    if style == "wapo":
        return (
            "https://www.washingtonpost.com/wp-apps/imrs.php?src=https://arc-anglerfish-washpost-prod-washpost"
            f".s3.amazonaws.com/public/{''.join(r.choices(B62[:26] + '234567', k=26))}.jpg&w=1440"
        )
    if style == "guardian":
        return (
            f"https://i.guim.co.uk/img/media/{r.getrandbits(160):040x}/0_0_3500_2100/master/3500.jpg"
            f"?width=1200&height=630&quality=85&auto=format&fit=crop&overlay-align=bottom%2Cleft"
            f"&enable=upscale&s={r.getrandbits(128):032x}"
        )
    if style == "verge":
        return (
            f"https://cdn.vox-cdn.com/thumbor/{''.join(r.choices(B62, k=27))}"
            "=/0x0:2040x1360/1200x800/"
            f"filters:focal(1020x680:1021x681)/cdn.vox-cdn.com/uploads/chorus_asset/file/"
            f"{r.randint(10000000, 24999999)}/acastro_{r.randint(100000, 999999)}_ai_0001.jpg"
        )
    if style == "google":  # no extension at all
        key = "".join(r.choices(B62 + "-_", k=60))
        return f"https://lh3.googleusercontent.com/{key}=w1200-h630-p-k-no-nu"
    if style == "unsplash":  # no extension, query string with &#038;
        return (
            f"https://images.unsplash.com/photo-{r.randint(1500000000000, 1699999999999)}"
            f"-{r.getrandbits(40):010x}"
            "?ixlib=rb-1.2.1&#038;auto=format&#038;fit=crop&#038;w=1200&#038;q=80"
        )
    if style == "medium":
        return f"https://miro.medium.com/max/1200/1*{''.join(r.choices(B62 + '-_', k=22))}.png"
    if style == "nature":
        return (
            "https://media.springernature.com/m685/springer-static/image/"
            f"art%3A10.1038%2Fs41586-0{y % 100}"
            f"-{r.randint(1000, 9999)}-{r.randint(0, 9)}/MediaObjects/41586_{y}_Fig1_HTML.png"
        )
    if style == "youtube":
        video = "".join(r.choices(B62 + "-_", k=11))
        return f"https://i.ytimg.com/vi/{video}/{r.choice(['hqdefault', 'maxresdefault'])}.jpg"
    host = r.choice(["static", "images", "cdn", "media", "assets"])
    return f"https://{host}.{dom}/{y}/{m}/{word}-{r.getrandbits(32):08x}" + r.choice(
        [
            ".jpg",
            ".jpg",
            ".jpg",
            ".jpeg",
            ".png",
            ".jpg",
            ".webp",
            "",
            "?auto=webp&#038;width=1200",
            ".jpg?v=2",
            ".gif" if r.random() < 0.3 else ".jpg",
        ]
    )


def image_lines(
    r: random.Random,
    indent: str,
    n: int,
    prov: tuple,
    slug: str,
    when: datetime,
    title: str | None,
    cached: float,
) -> list[str]:
    out: list[str] = []
    style = prov[4] or "generic"
    for k in range(n):
        url = image_url(r, style if k == 0 or r.random() < 0.5 else "generic", prov[1], slug, when)
        w, h = r.choice(IMAGE_SIZES)
        if style == "youtube":
            w, h = (480, 360) if "hqdefault" in url else (1280, 720)
        out.append(f"{indent}- url: {dq(url)}")
        if r.random() < 0.99:
            out.append(f"{indent}  width: {w}")
            out.append(f"{indent}  height: {h}")
        if r.random() < cached:
            out.append(f"{indent}  isCached: true")
        if title is not None and ((k == 0 and r.random() < 0.65) or r.random() < 0.1):
            caption = (
                title
                if r.random() < 0.85
                else r.choice(
                    [
                        "Photo: Reuters",
                        "Image: Getty Images",
                        "Credit: Shutterstock & AP",
                        f"{title} (file photo)",
                    ]
                )
            )
            out.append(f"{indent}  title: {dq(caption)}")
    return out


def pick_topics(r: random.Random) -> list[str]:
    n = r.choices([0, 1, 2, 3], weights=[12, 55, 25, 8])[0]
    names = list(TOPIC_WEIGHTS)
    topics: list[str] = []
    while len(topics) < n:
        t = r.choices(names, weights=list(TOPIC_WEIGHTS.values()))[0]
        if t not in topics:
            topics.append(t)
    if not topics or r.random() < 0.85:
        topics.append("AI")
    if r.random() < 0.006:
        topics = [TOPIC_VARIANTS.get(t, t) for t in topics]
    return topics


def story(seed: int, sid: int) -> dict:
    """What identifies a story (the same for every copy of it): title, provider, URL, date."""
    r = rng_for(seed, "story", sid)
    x = r.random()
    if x < 0.05:
        category, prov = "video", r.choice(VIDEO_PROVIDERS)
    elif x < 0.09:
        category, prov = "blog", r.choice(BLOG_PROVIDERS)
    elif x < 0.12:
        category, prov = "research", r.choice(RESEARCH_PROVIDERS)
    else:
        category, prov = "news", r.choice(NEWS_PROVIDERS)
    title = make_title(r)
    when = START + timedelta(minutes=r.randrange(SPAN_MINUTES))
    slug = slugify(title, r)
    url = story_url(r, prov, slug, when)
    if r.random() < 0.02:
        url = "http://" + url[8:]  # some sites still link plain http
    return {
        "category": category,
        "prov": prov,
        "title": title,
        "when": when,
        "slug": slug,
        "url": url,
        "amp": amp_url(url, prov[3]) if r.random() < 0.9 else None,
        "quality": quality(r),
    }


def fmt_when(r: random.Random, when: datetime) -> str:
    x = r.random()
    if x < 0.09:  # local time with its offset, as the Bing-derived API gives for US sources
        off = r.choice(OFFSETS)
        sign = -1 if off[0] == "-" else 1
        delta = timedelta(hours=int(off[1:3]), minutes=int(off[4:6])) * sign
        return (when + delta).strftime("%Y-%m-%dT%H:%M:%S") + off
    if x < 0.10:
        return when.strftime("%Y-%m-%dT%H:%M:%S") + ".0000000Z"
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def url_variant(url: str) -> str:
    """The same URL as another copy would spell it: `&` <-> `&#038;`."""
    if "&#038;" in url:
        return url.replace("&#038;", "&")
    if "&" in url:
        return url.replace("&", "&#038;")
    return url


def quality(r: random.Random) -> int:
    if r.random() < 0.4:
        return r.choice(COMMON_QUALITY)
    return min(150, int(r.gammavariate(2.2, 24)))


def related_lines(r: random.Random, seed: int, index: int, base: datetime, n: int) -> list[str]:
    out = ["", "related:"]
    for _ in range(n):
        if r.random() < 0.2 and index > 0:  # another story of this corpus
            s = story(seed, r.randrange(max(0, index - 300), index))
        else:
            s = story(seed, -1 - r.randrange(1 << 40))  # a story outside the corpus
        when = base + timedelta(minutes=r.randint(-7 * 1440, 7 * 1440))
        out.append(f"  - title: {dq(s['title'])}")
        if r.random() < 0.97:
            out.append(f"    excerpt: {dq(make_excerpt(r, False))}")
        out.append(f"    publishedDateTime: {fmt_when(r, when)}")
        out.append(f"    webUrl: {dq(s['url'])}")
        if s["amp"] and r.random() < 0.7:
            out.append(f"    ampWebUrl: {dq(s['amp'])}")
            out.append(f"    cdnAmpWebUrl: {dq(amp_cache(s['amp']))}")
        out.append(f"    type: {'video' if s['category'] == 'video' else 'article'}")
        out += [
            "    provider:",
            f"      name: {plain(s['prov'][0])}",
            f"      domain: {s['prov'][1]}",
        ]
        out.append(f"    quality: {quality(r)}")
        if r.random() < 0.8:
            out.append("    images:")
            out += image_lines(r, "      ", 1, s["prov"], s["slug"], when, None, 0.9)
    return out


def seed_document(seed: int, index: int) -> str:
    r = rng_for(seed, "file", index)
    if index > 0 and r.random() < 0.01:  # the same story syndicated twice
        s = dict(story(seed, index - 1 - r.randrange(min(index, 200))))
        if r.random() < 0.7:  # else a twin: equal quality and instant, the path tie-break decides
            s["when"] += timedelta(minutes=r.choice([0, 7, 45, 180, 1440]))
            s["quality"] = quality(r)
            if r.random() < 0.3:
                s["title"] = s["title"] + r.choice([" (updated)", " | Update", ""])
        if r.random() < 0.5:
            s["url"] = url_variant(s["url"])
    else:
        s = story(seed, index)
    prov = s["prov"]
    bare = r.random() < 0.08  # like some real seeds: no quality / heat / published at all

    lines = ["---"]
    if r.random() < 0.995:
        lines.append(f"category: {s['category']}")
    lines.append(f"title: {dq(s['title'])}")
    if r.random() < 0.98:
        lines.append(
            f"excerpt: {dq(make_excerpt(r, r.random() < 0.03) if r.random() < 0.995 else '')}"
        )
    lines.append(f"publishedDateTime: {fmt_when(r, s['when'])}")
    lines.append(f"webUrl: {dq(s['url'])}")
    if s["amp"]:
        lines.append(f"ampWebUrl: {dq(s['amp'])}")
        if r.random() < 0.97:
            lines.append(f"cdnAmpWebUrl: {dq(amp_cache(s['amp']))}")
    lines.append(f"type: {'video' if s['category'] == 'video' else 'article'}")
    if not bare:
        lines.append(f"quality: {s['quality']}")
        lines.append(f"heat: {-1 if r.random() < 0.55 else min(500, int(r.expovariate(1 / 90)))}")
        lines.append(f"published: {'true' if r.random() < 0.65 else 'false'}")

    if r.random() < 0.99:
        lines += ["", "provider:", f"  name: {plain(prov[0])}", f"  domain: {prov[1]}"]
        if r.random() < 0.7:
            lines += [
                "  images:",
                f"    - url: {dq(SMARTABLE_ORG + prov[1] + '-50x50.jpg')}",
                "      width: 50",
                "      height: 50",
            ]
    if r.random() < 0.99:
        lines += ["", "topics:"] + [f"  - {plain(t)}" for t in pick_topics(r)]
    n_img = r.choices([0, 1, 2, 3], weights=[25, 60, 10, 5])[0]
    if n_img:
        images = image_lines(r, "  ", n_img, prov, s["slug"], s["when"], s["title"], 0.85)
        lines += ["", "images:", *images]
    n_rel = r.choices(range(11), weights=[35, 10, 12, 10, 7, 6, 5, 5, 4, 3, 3])[0]
    if n_rel:
        lines += related_lines(r, seed, index, s["when"], n_rel)
    if r.random() < 0.95:
        cipher = base64.b64encode(r.randbytes(16 * r.randint(13, 19))).decode()
        lines += ["", f"secured: {dq(cipher + ';' + base64.b64encode(r.randbytes(16)).decode())}"]
    lines += ["---", "", ""]
    return "\n".join(lines)


def file_name(index: int, doc: str) -> str:
    return f"{index:03d}_{hashlib.blake2b(doc.encode(), digest_size=8).hexdigest()}.txt"


def write_range(args: tuple[str, int, int, int]) -> int:
    out_dir, seed, start, stop = args
    folder = Path(out_dir)
    for i in range(start, stop):
        doc = seed_document(seed, i)
        with (folder / file_name(i, doc)).open("w", encoding="utf-8", newline="\n") as f:
            f.write(doc)
    return stop - start


def generate(out_dir: Path | str, count: int, seed: int = 0, jobs: int = 1) -> int:
    """Write seed files 0..count-1 of corpus `seed` into `out_dir` (created if missing) with
    `jobs` processes; returns how many were written."""
    if count < 0 or jobs < 1:
        raise ValueError("count must be >= 0 and jobs >= 1")
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    chunk = 2000
    ranges = [(str(out_dir), seed, s, min(s + chunk, count)) for s in range(0, count, chunk)]
    if jobs == 1 or len(ranges) < 2:
        return sum(map(write_range, ranges))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return sum(pool.map(write_range, ranges))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Write a realistic, deterministic corpus of seed files (YAML front matter, "
        "like the seeds/ folder of this repository) into OUT_DIR.",
        epilog="The same --seed and index give the same bytes: a smaller --count writes a "
        "prefix of a larger one.",
    )
    ap.add_argument("out_dir", metavar="OUT_DIR", help="folder to write into (created if missing)")
    ap.add_argument("--count", type=int, default=1000, help="number of seed files (default 1000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument(
        "--jobs",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="worker processes (default: CPUs, at most 4); output does not depend on it",
    )
    a = ap.parse_args(argv)
    if a.count < 0 or a.jobs < 1:
        ap.error("--count must be >= 0 and --jobs >= 1")
    t0 = time.perf_counter()
    done = generate(a.out_dir, a.count, a.seed, a.jobs)
    seconds = time.perf_counter() - t0
    print(f"wrote {done} seed files to {a.out_dir} in {seconds:.1f}s (seed {a.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
