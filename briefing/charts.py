"""The briefing's charts, drawn with matplotlib in a serif font that has every Vietnamese glyph."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from duluan.briefing.model import Briefing  # noqa: E402
from duluan.classifiers.taxonomy import TONES, TOPICS  # noqa: E402

# Liberation Serif is metric-compatible with Times New Roman (Debian's fonts-liberation2);
# DejaVu Serif ships with matplotlib. Both cover Vietnamese.
FONT_DIRS = [Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation")]
TONE_COLOURS = {"negative": "#b3261e", "neutral": "#8a8f98", "positive": "#1e7b34"}


@cache
def font_family() -> str:
    for folder in FONT_DIRS:
        files = sorted(folder.glob("LiberationSerif-*.ttf"))
        if files:
            for f in files:
                font_manager.fontManager.addfont(str(f))
            return "Liberation Serif"
    return "DejaVu Serif"


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _style() -> None:
    plt.rcParams.update({"font.family": font_family(), "font.size": 11, "axes.spines.top": False,
                         "axes.spines.right": False})


def topics_chart(b: Briefing) -> bytes:
    _style()
    topics = [t for t in TOPICS if b.current.topics.get(t) or b.previous.topics.get(t)]
    topics.sort(key=lambda t: b.current.topics.get(t, 0))
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(topics) + 1.2))
    y = range(len(topics))
    ax.barh([i + 0.2 for i in y], [b.current.topics.get(t, 0) for t in topics], height=0.4,
            color="#8b1a1a", label=f"Tháng {b.start:%m/%Y}")
    ax.barh([i - 0.2 for i in y], [b.previous.topics.get(t, 0) for t in topics], height=0.4,
            color="#d9b3b3", label="Tháng trước")
    ax.set_yticks(list(y), [TOPICS[t] for t in topics])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Số bài viết")
    ax.set_title("Số bài viết theo chủ đề")
    ax.legend(loc="lower right", frameon=False)
    return _png(fig)


def tone_weeks_chart(b: Briefing) -> bytes:
    _style()
    labels = [w.span for w in b.weeks]
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    bottom = [0] * len(b.weeks)
    for tone, name in TONES.items():
        counts = [w.tones.get(tone, 0) for w in b.weeks]
        ax.bar(labels, counts, bottom=bottom, color=TONE_COLOURS[tone], label=name)
        bottom = [x + c for x, c in zip(bottom, counts, strict=True)]
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("Số bài viết")
    ax.set_title("Sắc thái theo tuần")
    ax.legend(frameon=False, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return _png(fig)
