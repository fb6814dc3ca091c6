"""What the tests and the bench check on a rendered PDF, with the tools a reader would use:
poppler's ``pdftotext`` (the text layer), ``pdffonts`` (every font embedded and subset),
``pdftoppm`` (rasterised on a machine with no fonts of its own) and veraPDF (PDF/A).

A missing tool is an error naming its Debian package (prereqs.sh installs them), never a skip.
Not used by the services at run time."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PLATFORM_DIR = Path(__file__).resolve().parents[4]  # libs/platform
REPO_DIR = PLATFORM_DIR.parents[1]
VERAPDF_DIR = PLATFORM_DIR / "verapdf"
EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


def tool(name: str, package: str = "poppler-utils") -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found: apt-get install {package} (prereqs.sh system)")
    return path


def _run(
    args: list[str], pdf: bytes, after: tuple[str, ...] = (), env: dict[str, str] | None = None
) -> tuple[bytes, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "document.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(  # noqa: S603 (our own tools on our own file)
            [*args, str(path), *after], capture_output=True, env=env, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout, done.stderr.decode(errors="replace")


def text_of(pdf: bytes) -> str:
    """The text layer in drawing order (``pdftotext -raw``). Poppler reports every space
    character as U+0020, so an ideographic space U+3000 comes back as a plain space."""
    return _run([tool("pdftotext"), "-raw", "-enc", "UTF-8"], pdf, ("-",))[0].decode()


@dataclass(frozen=True)
class FontRow:
    name: str
    type: str
    encoding: str
    embedded: bool
    subset: bool
    unicode: bool


def fonts_of(pdf: bytes) -> list[FontRow]:
    """``pdffonts``' table, one row per font."""
    out = _run([tool("pdffonts")], pdf)[0].decode().splitlines()
    rows = []
    for line in out[2:]:
        # the name is the first word, then type and encoding (which may hold spaces), then
        # emb sub uni and the object id
        parts = line.split()
        emb, sub, uni = parts[-5:-2]
        rows.append(
            FontRow(
                parts[0], " ".join(parts[1:-6]), parts[-6], emb == "yes", sub == "yes", uni == "yes"
            )
        )
    return rows


def rasterise_without_system_fonts(pdf: bytes) -> tuple[bytes, str]:
    """The first page as PGM at 50 dpi by ``pdftoppm`` with an empty fontconfig (no system fonts
    at all, as on a print shop's machine), and what it said on stderr."""
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "fonts.conf"
        conf.write_text(EMPTY_FONTCONFIG.format(cache=Path(tmp) / "cache"))
        env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
        env.pop("FONTCONFIG_PATH", None)
        # no output root: pdftoppm writes the image to stdout
        return _run([tool("pdftoppm"), "-r", "50", "-gray", "-singlefile"], pdf, env=env)


def _verapdf_jars() -> Path:
    """veraPDF's jars from Maven Central, fetched once per content of the pom (like Kafka's)."""
    pom = VERAPDF_DIR / "pom.xml"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:16]
    jars = REPO_DIR / ".local" / "verapdf" / digest
    if not (jars / ".done").exists():
        mvn = tool("mvn", "maven")
        done = subprocess.run(  # noqa: S603
            [mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
             "-DincludeScope=runtime", f"-DoutputDirectory={jars}"],
            capture_output=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"mvn could not fetch veraPDF: {done.stdout.decode()[-2000:]}")
        (jars / ".done").write_text("ok\n")
    return jars


def verapdf(paths: list[Path], flavour: str = "2b") -> tuple[bool, str]:
    """veraPDF's verdict on each file (PDF/A-2B by default) and its report."""
    java = tool("java", "openjdk-17-jdk-headless")
    jars = _verapdf_jars()
    done = subprocess.run(  # noqa: S603
        [java, "-cp", f"{jars}/*", str(VERAPDF_DIR / "Validate.java"), flavour, *map(str, paths)],
        capture_output=True, check=False,
    )  # fmt: skip
    report = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
    return done.returncode == 0, report
