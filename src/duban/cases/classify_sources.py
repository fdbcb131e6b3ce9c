"""What a model is trained from, kept in its file so it can be retrained: the labelled CSV, the
taxonomy, unlabelled message CSVs, the archive folder or a vectors file, and the auto-dispatch
target precision. :func:`train_from` reads them and trains (building the word vectors from the
unlabelled messages and the archive when no vectors file is given).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from duban.cases.classify import CaseModel, train
from duban.cases.classify_auto import DEFAULT_PRECISION
from duban.cases.classify_vectors import (
    Lookup,
    archive_files,
    build_vectors,
    load_vectors,
    lookup_of,
    read_message_texts,
)
from duban.cases.training_data import LabelledText, Taxonomy, read_labelled_csv, read_taxonomy


@dataclass(frozen=True)
class Sources:
    """The files a model was trained from (absolute paths) and its auto-dispatch target."""

    labelled: str
    taxonomy: str | None = None
    unlabelled: tuple[str, ...] = ()
    archive: str | None = None
    vectors: str | None = None
    auto_precision: float = DEFAULT_PRECISION

    def as_meta(self) -> dict[str, Any]:
        """The sources as the model file's metadata keeps them."""
        out = asdict(self)
        out["unlabelled"] = list(self.unlabelled)
        return out

    @classmethod
    def of(cls, model: CaseModel) -> Sources | None:
        """The sources a model file names, None for a model trained without them (e.g. in code)."""
        meta = model.meta.get("sources")
        if not isinstance(meta, dict) or not isinstance(meta.get("labelled"), str):
            return None
        return cls(
            labelled=meta["labelled"],
            taxonomy=meta.get("taxonomy"),
            unlabelled=tuple(meta.get("unlabelled") or ()),
            archive=meta.get("archive"),
            vectors=meta.get("vectors"),
            auto_precision=float(meta.get("auto_precision", DEFAULT_PRECISION)),
        )


@dataclass
class Inputs:
    """The read training inputs besides the labelled rows."""

    taxonomy: Taxonomy | None
    unlabelled: list[tuple[str, str]]
    vectors: Lookup | None


@dataclass
class Trained:
    """A model and what went into it (for a cross-validation with the same inputs)."""

    model: CaseModel
    rows: list[LabelledText]
    inputs: Inputs


def read_inputs(sources: Sources, *, echo: Callable[[str], None] = lambda _: None) -> Inputs:
    """Read the taxonomy, the unlabelled messages and the vectors (built here from the
    unlabelled messages and the archive when no vectors file is named)."""
    taxonomy = read_taxonomy(sources.taxonomy) if sources.taxonomy else None
    if taxonomy is not None:
        echo(
            f"分类体系 {sources.taxonomy}：{len(taxonomy.groups)} 个一级分类，{len(taxonomy.terms)} 个下级类目名作为特征"
        )
    unlabelled = read_message_texts(sources.unlabelled) if sources.unlabelled else []
    if unlabelled:
        echo(f"未标注留言 {len(unlabelled)} 条（{len(sources.unlabelled)} 个文件）参与词表与 IDF")
    vectors: Lookup | None = None
    if sources.vectors:
        vectors = lookup_of(load_vectors(sources.vectors))
        echo(f"词向量 {sources.vectors}")
    elif sources.archive:
        files = archive_files(sources.archive)
        kv, corpus = build_vectors(messages=unlabelled, archive=files)
        vectors = lookup_of(kv)
        echo(
            f"词向量：由 {corpus.messages} 条未标注留言与 {corpus.archive_files} 份档案"
            f"（{corpus.archive_chars:,} 字）训练"
        )
    return Inputs(taxonomy, unlabelled, vectors)


def train_from(
    sources: Sources,
    *,
    trained_at: datetime | None,
    extra_rows: Sequence[LabelledText] = (),
    labelled: Sequence[LabelledText] | None = None,
    inputs: Inputs | None = None,
    echo: Callable[[str], None] = lambda _: None,
    auto_margin: float | None = None,
) -> Trained:
    """Train on the labelled file (or ``labelled``) plus ``extra_rows`` with the sources' other
    inputs (``auto_margin`` as :func:`duban.cases.classify.train`'s); the model keeps the
    sources in its metadata."""
    rows = list(labelled) if labelled is not None else read_labelled_csv(sources.labelled)
    rows += list(extra_rows)
    got = inputs or read_inputs(sources, echo=echo)
    model = train(
        rows,
        trained_at=trained_at,
        taxonomy=got.taxonomy,
        unlabelled=got.unlabelled,
        vectors=got.vectors,
        auto_precision=sources.auto_precision,
        auto_margin=auto_margin,
    )
    model.meta["sources"] = sources.as_meta()
    model.meta["confirmed_cases"] = len(extra_rows)
    return Trained(model, rows, got)
