"""A .docx rendered to PDF with LibreOffice, the office fonts mapped to Noto CJK where they are missing.

Offices set 仿宋_GB2312, 楷体_GB2312, 黑体 and 方正小标宋 in their documents; a Linux server rarely
has them. The conversion runs with a fontconfig file that includes the system's and prefers
Noto Serif CJK SC for the serif faces and Noto Sans CJK SC for 黑体, and with a private
LibreOffice profile so concurrent conversions do not block each other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from duban.review.documents.errors import DocumentError
from duban.review.documents.word import FALLBACKS

_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
{aliases}
</fontconfig>
"""
_ALIAS = '  <alias binding="same"><family>{name}</family><prefer><family>{alt}</family></prefer></alias>'


def fontconfig_text() -> str:
    """The fontconfig file: the system's configuration plus one alias per office font."""
    aliases = "\n".join(_ALIAS.format(name=name, alt=alt) for name, alt in FALLBACKS.items())
    return _CONF.format(aliases=aliases)


def render_pdf(*, docx: Path, outdir: Path, soffice: str = "soffice", timeout: float = 120) -> Path:
    """Convert ``docx`` to ``outdir/<stem>.pdf`` with LibreOffice; DocumentError if it cannot."""
    exe = shutil.which(soffice)
    if exe is None:
        raise DocumentError(f"{docx}: 找不到 LibreOffice（{soffice}），无法转换为 PDF")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="duban-soffice-") as tmp:
        conf = Path(tmp) / "fonts.conf"
        conf.write_text(fontconfig_text(), encoding="utf-8")
        env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
        profile = (Path(tmp) / "profile").as_uri()
        cmd = [
            exe,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(docx),
        ]
        try:
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(f"{docx}: LibreOffice 转换超时（{timeout:g} 秒）") from exc
    pdf = outdir / f"{docx.stem}.pdf"
    if done.returncode != 0 or not pdf.exists():
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["无输出"]
        raise DocumentError(f"{docx}: LibreOffice 未能转换为 PDF（{detail[0]}）")
    return pdf
