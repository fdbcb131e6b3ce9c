"""Tasks: commitment clauses of the plan part with action, object, projects, places and deadline.

Clauses are written here in the style of real reports; the last tests run over every report in
``../shared/corpus/reports`` after a minimal cleaning (CRLF → LF only) and print a summary.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from duban.reading.model import Task
from duban.reading.origin import detect_year
from duban.reading.structure import kind_at, segment
from duban.reading.tasks import _load, extract_tasks, find_action, find_counts, find_places, find_projects
from tests.conftest import SHARED, shared_path
from tests.reading.test_structure import SAMPLE


def line_of_for(text: str) -> Callable[[int], int]:
    return lambda off: text.count("\n", 0, off) + 1


def tasks_of(text: str, year: int | None = 2023) -> list[Task]:
    lo = line_of_for(text)
    return extract_tasks(text, segment(text, line_of=lo), year=year, line_of=lo)


def in_plan(body: str) -> str:
    """A report whose plan part holds one lead paragraph: "做强能源产业。" then ``body``."""
    return (
        "示例市2023年政府工作报告\n一、2022年工作回顾\n全年建成高标准农田15万亩。\n"
        f"二、2023年工作安排\n做强能源产业。{body}\n"
    )


# (id, sentence in the plan part, action, object, projects, places, counts, deadline words, due)
CLAUSES: list[tuple[str, str, str, str, list[str], list[str], list[str], str | None, date | None]] = [
    (
        "farmland",
        "全年建成高标准农田20.8万亩。",
        "建成",
        "高标准农田20.8万亩",
        [],
        [],
        ["20.8万亩"],
        "全年",
        date(2023, 12, 31),
    ),
    (
        "strive-half-year",
        "力争光伏项目上半年建成并网。",
        "力争",
        "光伏项目上半年建成并网",
        ["光伏项目"],
        [],
        [],
        "上半年",
        date(2023, 6, 30),
    ),
    (
        "start-building",
        "开工建设华严安麓高端酒店项目。",
        "开工建设",
        "华严安麓高端酒店项目",
        ["华严安麓高端酒店项目"],
        [],
        [],
        None,
        None,
    ),
    (
        "quoted-project",
        "实施“引黄入桑”生态补水工程，9月1日前完成。",
        "实施",
        "“引黄入桑”生态补水工程，9月1日前完成",
        ["引黄入桑", "生态补水工程"],
        [],
        [],
        "9月1日前",
        date(2023, 9, 1),
    ),
    (
        "regulation",
        "6月底前出台《示例市数字经济促进条例》。",
        "出台",
        "《示例市数字经济促进条例》",
        ["示例市数字经济促进条例"],
        ["示例市"],
        [],
        "6月底前",
        date(2023, 6, 30),
    ),
    (
        "places",
        "支持云州区、新荣区建设特色产业园区。",
        "支持",
        "云州区、新荣区建设特色产业园区",
        ["特色产业园区"],
        ["云州区", "新荣区"],
        [],
        None,
        None,
    ),
    ("county", "在浑源县新建污水处理厂3座。", "新建", "污水处理厂3座", [], ["浑源县"], ["3座"], None, None),
    ("range-count", "每县打造1—2个示范村。", "打造", "1—2个示范村", [], [], ["1—2个"], None, None),
    ("adverb-before-verb", "持续巩固脱贫攻坚成果。", "巩固", "脱贫攻坚成果", [], [], [], None, None),
    ("strive-get", "努力争取国家专项资金支持。", "争取", "国家专项资金支持", [], [], [], None, None),
    (
        "line-project",
        "加快推进地铁2号线建设。",
        "加快推进",
        "地铁2号线建设",
        ["地铁2号线"],
        [],
        [],
        None,
        None,
    ),
    (
        "explicit-year",
        "2024年6月底前完成老旧小区改造120个。",
        "完成",
        "老旧小区改造120个",
        [],
        [],
        ["120个"],
        "2024年6月底前",
        date(2024, 6, 30),
    ),
    (
        "spring-festival",
        "春节前足额发放农民工工资。",
        "发放",
        "农民工工资",
        [],
        [],
        [],
        "春节前",
        date(2023, 1, 22),
    ),
]


def _only(text: str) -> Task:
    tasks = tasks_of(in_plan(text))
    assert len(tasks) == 1, [t.text for t in tasks]
    return tasks[0]


@pytest.mark.parametrize(
    ("sentence", "action", "obj", "projects", "places", "counts", "words", "due"),
    [c[1:] for c in CLAUSES],
    ids=[c[0] for c in CLAUSES],
)
def test_clause(
    sentence: str,
    action: str,
    obj: str,
    projects: list[str],
    places: list[str],
    counts: list[str],
    words: str | None,
    due: date | None,
) -> None:
    tasks = tasks_of(in_plan(sentence))
    assert tasks, sentence
    t = tasks[0]
    assert (t.action, t.object) == (action, obj)
    assert t.projects == projects
    assert t.places == places
    assert t.counts == counts
    if words is None:
        assert all(x.deadline is None for x in tasks)
    else:
        assert t.deadline is not None and (t.deadline.text, t.deadline.due) == (words, due)


def test_commas_never_cut() -> None:
    t = _only("风电项目三季度建成并网，新增装机100万千瓦。")
    assert t.text == "风电项目三季度建成并网，新增装机100万千瓦"
    assert t.action == "建成并网"
    assert t.deadline is not None and t.deadline.due == date(2023, 9, 30)


def test_semicolons_cut_and_prefixes_are_stripped() -> None:
    tasks = tasks_of(
        in_plan("煤炭方面，推动3座煤矿投产达产；煤电方面，加快煤电项目建设。二是新建幼儿园5所。")
    )
    assert [t.text for t in tasks] == ["推动3座煤矿投产达产", "加快煤电项目建设", "新建幼儿园5所"]
    assert all(t.group == "做强能源产业" for t in tasks)


def test_a_clause_keeps_its_own_deadline_not_its_neighbours() -> None:
    tasks = tasks_of(in_plan("全年建成高标准农田20.8万亩；恢复改善灌溉面积8.03万亩。"))
    assert [(t.text, t.deadline.due if t.deadline else None) for t in tasks] == [
        ("全年建成高标准农田20.8万亩", date(2023, 12, 31)),
        ("恢复改善灌溉面积8.03万亩", None),
    ]


def test_a_sentence_opening_deadline_governs_its_clauses() -> None:
    tasks = tasks_of(in_plan("到年底，全市电力总装机达到1754万千瓦；充电桩总数500个。新建学校5所。"))
    assert [(t.deadline.text if t.deadline else None) for t in tasks] == ["年底", "年底", None]
    assert tasks[1].deadline is not None and tasks[1].deadline.due == date(2023, 12, 31)


def test_a_commitment_with_a_verb_the_lexicon_lacks_is_kept() -> None:
    t = _only("瞄准重点地区招商，依托龙粤合作，吸引长三角投资。")
    assert t.action == "" and t.text == "瞄准重点地区招商，依托龙粤合作，吸引长三角投资"


def test_a_numbered_short_sentence_names_the_group() -> None:
    tasks = tasks_of(in_plan("一是做精做优煤化工产业。推动3处煤矿投产。二是新建幼儿园5所。"))
    assert [(t.group, t.text) for t in tasks] == [
        ("做精做优煤化工产业", "推动3处煤矿投产"),
        ("做精做优煤化工产业", "新建幼儿园5所"),  # a figure: a task, not a line of work
    ]


def test_sentence_deadline_inside_one_task() -> None:
    t = _only("年底前，新建学校5所，改造医院2家。")
    assert t.text == "年底前，新建学校5所，改造医院2家"
    assert t.deadline is not None and (t.deadline.text, t.deadline.due) == ("年底前", date(2023, 12, 31))


JUNK = [
    ("too-short", "抓好。"),
    ("attitude", "持续解放思想。"),
    ("framing-we-will", "我们将坚持把创新作为第一动力，加快走出去。"),
    ("slogan-quoted", "“提速建设”。"),
    ("slogan-stance", "坚持稳中求进工作总基调。"),
    ("greeting", "各位代表，加快发展是硬道理。"),
    ("noun-development", "贯彻新发展理念。"),
]


@pytest.mark.parametrize("sentence", [c[1] for c in JUNK], ids=[c[0] for c in JUNK])
def test_junk_is_not_a_task(sentence: str) -> None:
    assert tasks_of(in_plan(sentence)) == []


def test_no_tasks_from_review_or_headings_or_framing() -> None:
    tasks = tasks_of(SAMPLE)
    texts = [t.text for t in tasks]
    assert not any("5G基站" in x for x in texts)  # review
    assert not any("加快建设现代产业体系" in x for x in texts)  # a section heading
    assert not any("重点抓好以下工作" in x for x in texts)  # a list's lead-in
    assert "做强能源产业" not in texts  # a lead sentence
    assert [t.id for t in tasks] == [f"T{i}" for i in range(1, len(tasks) + 1)]
    by_text = {t.text: t for t in tasks}
    farm = by_text["力争光伏项目上半年建成并网，年底前建成示例县抽水蓄能电站"]
    assert farm.places == ["示例县"] and farm.projects == ["光伏项目", "示例县抽水蓄能电站"]
    assert farm.section == "2.1.1" and farm.group == "做强能源产业"  # the lead's node, as for quantities
    assert farm.deadline is not None and farm.deadline.due == date(2023, 6, 30)  # the most specific
    assert farm.line == SAMPLE.count("\n", 0, SAMPLE.index("力争光伏")) + 1
    assert SAMPLE[farm.start : farm.end] == farm.text
    assert by_text["新建幼儿园5所"].group == "加快推进老旧小区改造"
    gov = by_text["坚持依法行政，健全政务公开制度"]
    assert gov.section == "3"


def test_the_headline_paragraph_is_one_task_with_its_figures() -> None:
    from duban.reading.headline import find_headline_block
    from duban.reading.quantities import extract_quantities

    lo = line_of_for(SAMPLE)
    secs = segment(SAMPLE, line_of=lo)
    headline = find_headline_block(SAMPLE, secs)
    quantities = extract_quantities(
        SAMPLE,
        kind_at=lambda off: kind_at(secs, off),
        section_at=lambda off: None,
        line_of=lo,
        headline_span=headline,
    )
    tasks = extract_tasks(SAMPLE, secs, year=2023, line_of=lo, quantities=quantities, headline=headline)
    head = [t for t in tasks if t.headline]
    assert len(head) == 1 and head[0].text.startswith("今年经济社会发展的主要预期目标是")
    assert [(q.value, q.unit) for q in head[0].targets] == [(6, "%"), (30000, "人")]
    assert head[0].deadline is not None and head[0].deadline.due == date(2023, 12, 31)
    old_houses = next(t for t in tasks if "老旧小区120个" in t.text)
    assert [(q.value, q.unit) for q in old_houses.targets] == [(120, "个")]
    assert all(q.kind == "target" for t in tasks for q in t.targets)


def test_no_year_means_no_dates() -> None:
    tasks = tasks_of(in_plan("年底前建成示范村3个。"), year=None)
    assert tasks[0].deadline is not None and tasks[0].deadline.due is None


HELPERS = [
    ("action-first-verb", find_action("全年建成高标准农田"), ("建成", 2, 4)),
    ("action-compound", find_action("开工建设陆港型物流枢纽"), ("开工建设", 0, 4)),
    ("action-none", find_action("经济运行总体平稳"), None),
    ("projects-generic", find_projects("推动一批重点项目开工"), []),
    (
        "projects-after-etc",
        find_projects("推动水磨湾等3座在建煤矿和小窑头煤矿改扩建工程"),
        ["小窑头煤矿改扩建工程"],
    ),
    ("places-not-words", find_places("繁荣城市市场，统筹县域发展，建设示范区"), []),
    ("places-development-zone", find_places("推动大同经济技术开发区扩区"), ["大同经济技术开发区"]),
    ("counts-percent", find_counts("占比提高到53.7%，新增就业3万人"), ["53.7%", "3万人"]),
    ("counts-none-for-years", find_counts("2023年是开局之年"), []),
]


@pytest.mark.parametrize(("got", "expected"), [c[1:] for c in HELPERS], ids=[c[0] for c in HELPERS])
def test_helpers(got: object, expected: object) -> None:
    assert got == expected


@pytest.mark.xfail(strict=True, reason="places written without a suffix (浑源、灵丘) are not recognised")
def test_places_without_suffix() -> None:
    assert find_places("积极开展浑源、灵丘、新荣等5个抽水蓄能电站前期工作") == ["浑源", "灵丘", "新荣"]


def test_lexicon_shape() -> None:
    d = _load()
    for key in ("action_verbs", "compound_actions", "adverbs", "project_suffixes", "place_suffixes"):
        words = d[key]
        assert words and all(isinstance(w, str) and w for w in words), key
        assert len(words) == len(set(words)), f"{key} has duplicates"
    verbs = set(d["action_verbs"])
    leads = verbs | set(d["adverbs"])
    assert all(c[:2] in leads for c in d["compound_actions"]), (
        "a compound starts with a listed verb or adverb"
    )
    assert set(d["noun_prone_verbs"]) <= verbs
    for p in (*d["slogan_patterns"], d["generic_project_names"], d["count_units"]):
        re.compile(p)
    assert set(d["place_bad_endings"]) <= set(d["place_suffixes"])


# ---------------------------------------------------------------- the real corpus


def _reports() -> list[Path | None]:
    folder = SHARED / "corpus" / "reports"
    files = sorted(folder.glob("*.txt")) if folder.exists() else []
    return [*files] or [None]


@pytest.mark.slow
@pytest.mark.parametrize("path", _reports(), ids=lambda p: p.stem if p else "missing")
def test_real_report_tasks(path: Path | None) -> None:
    if path is None:
        shared_path("corpus", "reports")
        return
    name = path.stem
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    lo = line_of_for(text)
    secs = segment(text, line_of=lo)
    year = detect_year(text, name)
    tasks = extract_tasks(text, secs, year=year, line_of=lo)
    if int(name[-4:]) >= 1978:
        assert len(tasks) >= 30, len(tasks)  # one a commitment clause: dozens in any plan part
    by_id = {s.id: s for s in secs}
    for i, t in enumerate(tasks, 1):
        assert t.id == f"T{i}"
        assert t.action in t.text and t.object in t.text, t  # action "" for a verb the lexicon lacks
        assert text[t.start : t.end] == t.text
        assert t.section is not None and by_id[t.section].part_kind == "plan"
        assert kind_at(secs, t.start) == "plan"
        assert len(t.text) >= 6
        assert t.deadline is None or t.deadline.text in text


def test_datong_tasks() -> None:
    text = (
        shared_path("corpus", "reports", "datong-2023.txt").read_text(encoding="utf-8").replace("\r\n", "\n")
    )
    lo = line_of_for(text)
    secs = segment(text, line_of=lo)
    tasks = extract_tasks(text, secs, year=detect_year(text, "datong-2023"), line_of=lo)
    farm = [t for t in tasks if t.text.endswith("全年建成高标准农田20.8万亩")]
    assert len(farm) == 1 and farm[0].group == "大力发展特优农业"
    assert farm[0].counts == ["3个", "20.8万亩"]
    assert farm[0].deadline is not None and farm[0].deadline.due == date(2023, 12, 31)
    irrigation = next(t for t in tasks if t.text.startswith("加快云中、恒山、塞上三大灌溉基地建设"))
    assert irrigation.deadline is None  # its neighbour's 全年 does not govern it
    strive = [t for t in tasks if t.deadline and "上半年" in t.text]
    assert strive and all(t.deadline and t.deadline.due == date(2023, 9, 30) for t in strive)  # 三季度
    assert all(t.start > text.index("二、2023年工作任务") for t in tasks)


def test_corpus_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Counts and speed over the corpus (printed; asserts only that something was read)."""
    folder = shared_path("corpus", "reports")
    files = sorted(folder.glob("*.txt"))
    n_tasks = n_deadlines = n_projects = n_places = size = 0
    elapsed = 0.0
    for path in files:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        starts = [0, *(m.end() for m in re.finditer("\n", text))]
        from bisect import bisect_right

        def lo(off: int, starts: list[int] = starts) -> int:
            return bisect_right(starts, off)

        t0 = time.process_time()
        secs = segment(text, line_of=lo)
        tasks = extract_tasks(text, secs, year=detect_year(text, path.stem), line_of=lo)
        elapsed += time.process_time() - t0
        size += len(text.encode("utf-8"))
        n_tasks += len(tasks)
        n_deadlines += sum(t.deadline is not None for t in tasks)
        n_projects += sum(bool(t.projects) for t in tasks)
        n_places += sum(bool(t.places) for t in tasks)
    with capsys.disabled():
        print(
            f"\n{len(files)} reports, {size / 1e6:.1f} MB: {n_tasks} tasks, {n_deadlines} with a deadline, "
            f"{n_projects} with projects, {n_places} with places; segment+tasks {size / 1e6 / elapsed:.1f} MB/s of CPU time"
        )
    assert n_tasks > 0
