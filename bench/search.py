"""P6: Chinese site search over 10,000 published pages: latency (p50 / p95) and recall on labelled words.

`build(stdout)` adds 10,000 published news items, policy documents and study pages (a fixed,
seeded corpus) under three index pages that it adds to the home page through the normal API. The
pages are inserted 1,000 at a time: treebeard paths computed from the parent's, the Page rows then
the specific rows, one Revision each set as latest and live revision, live and published dates set,
and each batch indexed with the search backend's bulk API (`add_bulk`, the same index rows a publish
writes through `insert_or_update_object`). On PostgreSQL the search table's GIN indexes are dropped
during the load, rebuilt after it, and the database is vacuumed and analysed. Page.add_child and a
publish per page measured 165 ms each (53 ms of CPU) on a busy 2-core machine, half an hour for
10,000 pages; this build took 153 s there (load average about 10).

`measure(base_url)` only speaks HTTP: it regenerates the same corpus in memory (no Django, no
database) to know which bench pages contain each labelled word, then runs the queries against the
real search page.

Recall is measured over HTTP: for each labelled word every result page is walked (following the
"next" link) and the bench pages found are compared with the bench pages whose indexed text contains
the word as a substring. Pages seeded by `seed_demo` may appear in the results too; they are neither
expected nor counted. Latency is the first result page of each query (labelled words and a few broad
words that match thousands of pages), timed sequentially over several rounds after a warm-up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import random
import re
import statistics
import time
import urllib.parse
import urllib.request

PAGES = 10_000
SEED = 6
BATCH = 1000
ROUNDS = 3
WARM_UP = 10
TARGET_P50_MS = 50.0
KINDS = (("news", "p6-news", "社区新闻动态", 5_000), ("policy", "p6-policies", "政策文件汇编", 3_000),
         ("study", "p6-study", "党员学习资料", 2_000))  # fmt: skip

# Labelled words, each with the realistic longer compounds and sentences they are planted in.
LABELLED: dict[str, list[str]] = {
    "党建": ["以党建引领小区治理，推动资源下沉", "开展区域化党建联建共建活动", "打造楼宇党建服务站"],
    "网格": ["网格员每周入户走访一次", "推进网格化服务管理全覆盖", "划分全科网格十二个"],
    "物业": ["物业费收缴率有所提高", "督促物业公司及时维修", "业主对物业服务提出意见"],
    "停车": ["新增停车位一百二十个", "着力缓解小区停车难问题", "推行错时共享停车"],
    "养老": ["社区养老服务驿站正式运营", "为老人提供居家养老上门服务", "做好养老金领取资格认证"],
    "垃圾分类": ["推进生活垃圾分类工作", "新建垃圾分类投放点八处", "志愿者在垃圾分类桶旁值守"],
    "加装电梯": ["老旧楼房加装电梯工作稳步推进", "既有住宅加装电梯补贴申请", "召开加装电梯意见征询会"],
    "民主评议": ["开展年度民主评议党员工作", "民主评议结果在支部内通报", "组织民主评议测评表填写"],
    "三会一课": ["认真落实“三会一课”制度", "对各支部三会一课开展情况进行检查", "规范三会一课会议记录"],
    "志愿服务": ["社区志愿服务积分可兑换生活用品", "开展学雷锋志愿服务活动", "组建青年志愿服务队"],
    "议事": ["召开居民议事会讨论环境整治", "规范小区议事厅运行", "议事代表现场投票表决"],
    "满意度": ["开展群众满意度测评", "发放满意度调查问卷三百份", "居民满意度明显提升"],
    "老旧小区": ["推进老旧小区综合整治", "老旧小区改造涉及九栋楼", "收集老旧小区居民意见"],
    "低保": ["对低保户开展走访慰问", "做好城乡低保审核工作", "实行低保对象动态管理"],
    "党费": ["党员按月足额交纳党费", "党支部每季度公示党费收缴情况"],
    "主题党日": ["开展“七一”主题党日活动", "主题党日组织党员清扫楼道"],
    "消防": ["清理楼道杂物，保持消防通道畅通", "高层住宅消防设施检查", "组织消防应急疏散演练"],
    "燃气": ["开展燃气安全隐患排查整治", "完成燃气管道老化更新"],
    "独居": ["对高龄独居老人定期探访", "为独居老人安装紧急呼叫设备"],
    "助餐": ["老年助餐点每天供应午餐", "社区助餐服务覆盖三个小区"],
    "矛盾纠纷": ["及时化解邻里矛盾纠纷", "开展矛盾纠纷排查调处"],
    "楼栋长": ["召开楼栋长工作会议", "发挥楼栋长联系居民作用"],
    "双报到": ["推动在职党员“双报到”", "双报到党员认领服务岗位"],
    "流动党员": ["加强流动党员教育管理", "为流动党员推送线上学习资料"],
    "业委会": ["指导小区业委会换届选举", "新成立业委会两个"],
    "充电桩": ["新建电动车充电桩四十个", "充电桩建设纳入民生实事"],
    "电动车": ["严禁电动车进楼入户充电", "电动车集中停放点已建成"],
    "防汛": ["做好夏季防汛准备", "储备防汛沙袋五百个"],
    "廉洁": ["加强党员干部廉洁自律教育", "推动廉洁文化进小区"],
    "接诉即办": ["落实接诉即办工作机制", "12345接诉即办诉求按时办结"],
    "医保": ["提醒居民按时缴纳城乡居民医保", "讲解医保报销政策"],
    "适老化": ["为困难老人实施家庭适老化改造", "公共设施适老化改造完成"],
    "托育": ["新建普惠托育服务点", "社区托育点招收三岁以下婴幼儿"],
    "残疾人": ["发放困难残疾人生活补贴", "为残疾人提供康复服务"],
    "退役军人": ["退役军人服务站挂牌运行", "走访慰问退役军人家庭"],
    "宠物": ["倡导文明饲养宠物", "开展宠物犬登记和免疫"],
    "噪音": ["广场舞噪音扰民问题得到解决", "夜间施工噪音投诉减少"],
    "漏水": ["楼顶漏水问题已维修", "协调处理管道漏水"],
    "维修基金": ["规范住宅专项维修基金使用", "维修基金使用须经业主表决"],
    "换届": ["社区两委换届工作顺利完成", "严肃换届纪律"],
    "入党积极分子": ["培养入党积极分子三名", "对入党积极分子进行集中培训"],
    "网格员": ["专职网格员每日巡查", "加强网格员队伍建设"],
    "红色物业": ["打造红色物业服务品牌", "成立红色物业联盟"],
    "议事协商": ["通过议事协商解决停放难题", "议事协商结果向居民公开"],
    "四议两公开": ["严格执行“四议两公开”工作法", "按四议两公开程序决策"],
    "枫桥经验": ["坚持和发展新时代“枫桥经验”", "学习枫桥经验化解矛盾"],
    "一老一小": ["统筹做好一老一小服务", "一老一小服务综合体开放"],
    "微心愿": ["认领困难群众微心愿", "微心愿认领活动圆满结束"],
}
# Broad words that occur in thousands of pages: timed for latency only.
BROAD = ["社区", "居民", "党员", "工作", "服务", "街道", "活动", "群众"]

ORGS = [
    "幸福街道党工委",
    "和平社区党委",
    "光明社区居委会",
    "和平社区第一党支部",
    "光明社区第二党支部",
    "幸福街道办事处",
]
FILLER = [
    "{org}高度重视，专门召开会议进行研究部署",
    "会议传达学习了上级有关文件精神",
    "与会人员结合工作实际进行了交流发言",
    "大家纷纷表示要把会议精神落到实处",
    "活动现场气氛热烈，居民群众积极参与",
    "{org}明确了责任分工和时间节点",
    "工作人员耐心解答居民提出的问题",
    "下一步将继续加强督促检查，确保各项工作取得实效",
    "各党支部要提高思想认识，切实加强组织领导",
    "党员同志带头参与，发挥了先锋模范作用",
    "本次活动共有八十余名居民参加",
    "街道相关科室负责同志出席会议",
    "社区工作者逐户上门宣传政策",
    "各项工作要坚持以人民为中心",
    "要及时总结经验做法，形成长效机制",
    "对发现的问题建立台账，限期整改到位",
    "群众反映的问题件件有回音",
    "{org}将持续跟踪落实情况",
    "党员干部要深入一线，倾听群众呼声",
    "有关情况将在社区公告栏公布",
    "活动结束后，工作人员对场地进行了清理",
    "居民代表对此次工作给予充分肯定",
    "本文件自印发之日起施行",
    "各单位在执行中遇到的问题，请及时向发文机关反映",
    "要把学习成果转化为推动工作的实际成效",
    "全体党员要认真学习，深刻领会精神实质",
    "坚持问题导向，把实事办好、好事办实",
    "社区党委书记作了动员讲话",
    "与会党员围绕主题畅谈体会",
    "将定期通报工作进展情况",
]
NEWS_TITLES = ["{org}{topic}", "{topic}取得新进展", "{org}召开{topic}推进会", "聚焦{topic}，办好民生实事"]
POLICY_TITLES = ["关于进一步做好{topic}的通知", "关于加强{topic}的实施意见", "{topic}管理办法（试行）"]
STUDY_TITLES = ["专题学习：{topic}", "{topic}学习材料", "学习辅导：如何做好{topic}"]
TOPICS = ["环境卫生整治", "文明楼道创建", "平安社区建设", "邻里节活动", "居民公约修订", "为民办实事",
          "公共空间改造", "社区文化活动", "安全生产检查", "困难群众走访", "健康义诊", "法律咨询进社区"]  # fmt: skip


def corpus() -> list[dict]:
    """The bench pages, the same on every call: kind, slug, fields, paragraphs and their indexed text."""
    rng = random.Random(SEED)
    pages: list[dict] = []
    for kind, _slug, _title, count in KINDS:
        for n in range(count):
            org, topic = rng.choice(ORGS), rng.choice(TOPICS)
            titles = {"news": NEWS_TITLES, "policy": POLICY_TITLES, "study": STUDY_TITLES}[kind]
            page = {
                "kind": kind,
                "slug": f"{kind}-{n + 1:05d}",
                "title": rng.choice(titles).format(org=org, topic=topic),
            }
            paragraphs = []
            for _p in range(rng.randint(3, 7)):
                sentences = [text.format(org=rng.choice(ORGS)) for text in rng.sample(FILLER, rng.randint(2, 5))]
                paragraphs.append(sentences)
            page["paragraphs"] = paragraphs
            page["intro"] = f"{org}开展{topic}相关工作。"
            page["org"] = org
            page["topic"] = topic
            page["n"] = n
            pages.append(page)
    # Plant each labelled word in 3–8 pages: in a body sentence, sometimes in the title too.
    for word, sentences in LABELLED.items():
        for page in rng.sample(pages, rng.randint(3, 8)):
            sentence = rng.choice(sentences)
            paragraph = rng.choice(page["paragraphs"])
            paragraph.insert(rng.randint(0, len(paragraph)), sentence)
            if rng.random() < 0.2:
                page["title"] = f"{page['title']}：{sentence}"[:60]
    for page in pages:
        page["paragraph_texts"] = ["，".join(sentences) + "。" for sentences in page["paragraphs"]]
        page["text"] = "\n".join([page["title"], page["intro"], page["org"], page["topic"], *page["paragraph_texts"]])
    return pages


def expected_pages(pages: list[dict]) -> dict[str, set[str]]:
    """For each labelled word, the slugs of the bench pages whose indexed text contains it."""
    return {word: {page["slug"] for page in pages if word in page["text"]} for word in LABELLED}


# --- build -------------------------------------------------------------------------------


def build(stdout) -> None:
    from wagtail.models import Page

    from home.models import HomePage

    started = time.perf_counter()
    home = HomePage.objects.first()
    if home is None:
        raise RuntimeError("No home page: run seed_demo first.")
    if Page.objects.filter(slug=KINDS[0][1]).exists():
        stdout.write("search bench: the bench pages are already there\n")
        return
    pages = corpus()
    stdout.write(f"search bench: corpus of {len(pages)} pages generated in {time.perf_counter() - started:.1f} s\n")
    with _without_search_indexes(stdout):
        _insert(stdout, home, pages, started)
    _check_tree(stdout)
    stdout.write(f"search bench: {len(pages)} pages built and indexed in {time.perf_counter() - started:.1f} s\n")


@contextlib.contextmanager
def _without_search_indexes(stdout):
    """On PostgreSQL, the search table's GIN indexes are dropped while loading and built again after.

    Building a GIN index once is much faster than updating it row by row; the rows are the same.
    The table is then vacuumed and analysed, as autovacuum would do after a bulk load.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'wagtailsearch_indexentry'"
            " AND indexdef LIKE '%USING gin%'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
            # VACUUM cannot run inside a transaction; ANALYZE can.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        stdout.write(
            f"search bench: {len(indexes)} search indexes rebuilt, vacuum analyze ({time.perf_counter() - started:.0f} s)\n"
        )


def _insert(stdout, home, pages, started) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import CharField, OuterRef, Subquery
    from django.db.models.functions import Cast
    from django.utils import timezone

    from wagtail.models import Page, Revision
    from wagtail.search.backends import get_search_backend

    from home.models import NewsIndexPage, NewsPage, PolicyIndexPage, PolicyPage, StudyIndexPage, StudyPage

    index_models = {"news": NewsIndexPage, "policy": PolicyIndexPage, "study": StudyIndexPage}
    models = {"news": NewsPage, "policy": PolicyPage, "study": StudyPage}
    page_type = ContentType.objects.get_for_model(Page)
    backend = get_search_backend()
    now = timezone.now()
    today = timezone.localdate()
    base_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    done = 0
    for kind, slug, title, _count in KINDS:
        model = models[kind]
        content_type = ContentType.objects.get_for_model(model)
        with transaction.atomic():
            # The index page goes through the normal API, published as an editor would.
            parent = home.add_child(instance=index_models[kind](title=title, slug=slug, intro=f"{title}（基准数据）"))
            parent.save_revision().publish()
            parent = Page.objects.get(pk=parent.pk)
        of_kind = [page for page in pages if page["kind"] == kind]
        for start in range(0, len(of_kind), BATCH):
            batch = of_kind[start : start + BATCH]
            phase = time.perf_counter()
            with transaction.atomic():
                objs = []
                for offset, data in enumerate(batch, start=start + 1):
                    obj = model(
                        title=data["title"],
                        draft_title=data["title"],
                        slug=data["slug"],
                        path=Page._get_path(parent.path, parent.depth + 1, offset),
                        depth=parent.depth + 1,
                        numchild=0,
                        url_path=f"{parent.url_path}{data['slug']}/",
                        content_type=content_type,
                        locale_id=parent.locale_id,
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=now - dt.timedelta(minutes=data["n"]),
                        last_published_at=now - dt.timedelta(minutes=data["n"]),
                        latest_revision_created_at=now - dt.timedelta(minutes=data["n"]),
                        **_specific_fields(kind, data, today),
                    )
                    objs.append(obj)
                phase = _Phases.mark(phase, "objects")
                # Multi-table inheritance: the Page rows first, then the specific rows with the same keys.
                rows = Page.objects.bulk_create(
                    [Page(**{f.attname: getattr(o, f.attname) for f in base_fields}) for o in objs]
                )
                for obj, row in zip(objs, rows, strict=True):
                    obj.pk = obj.page_ptr_id = row.pk
                    obj._state.adding = False
                model._base_manager.all()._batched_insert(objs, model._meta.local_concrete_fields, batch_size=BATCH)
                phase = _Phases.mark(phase, "page rows")
                revisions = Revision.objects.bulk_create(
                    [
                        Revision(
                            content_type=content_type,
                            base_content_type=page_type,
                            object_id=str(obj.pk),
                            created_at=obj.latest_revision_created_at,
                            object_str=obj.title,
                            content=obj.serializable_data(),
                        )
                        for obj in objs
                    ]
                )
                for obj, revision in zip(objs, revisions, strict=True):
                    obj.latest_revision_id = obj.live_revision_id = revision.pk
                revision = Subquery(
                    Revision.objects.filter(
                        base_content_type=page_type, object_id=Cast(OuterRef("pk"), CharField())
                    ).values("pk")[:1]
                )
                Page.objects.filter(pk__in=[obj.pk for obj in objs]).update(
                    latest_revision_id=revision, live_revision_id=revision
                )
                Page.objects.filter(pk=parent.pk).update(numchild=start + len(batch))
                phase = _Phases.mark(phase, "revisions")
                # The same index rows a publish writes (index.insert_or_update_object → backend.add).
                backend.add_bulk(model, objs)
                phase = _Phases.mark(phase, "index")
            _Phases.mark(phase, "commit")
            done += len(batch)
            stdout.write(
                f"search bench: {done}/{len(pages)} pages ({time.perf_counter() - started:.0f} s; {_Phases.report()})\n"
            )
            stdout.flush()


class _Phases:
    totals: dict[str, float] = {}

    @classmethod
    def mark(cls, since: float, name: str) -> float:
        now = time.perf_counter()
        cls.totals[name] = cls.totals.get(name, 0.0) + now - since
        return now

    @classmethod
    def report(cls) -> str:
        return ", ".join(f"{name} {seconds:.0f} s" for name, seconds in cls.totals.items())


def _check_tree(stdout) -> None:
    """The bench's part of the tree is consistent: numchild, depth and url_path agree with the paths."""
    from wagtail.models import Page

    for _kind, slug, _title, count in KINDS:
        parent = Page.objects.get(slug=slug)
        children = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        if parent.numchild != count or children.count() != count or parent.get_children().count() != count:
            raise RuntimeError(f"{slug}: numchild {parent.numchild}, {children.count()} children, expected {count}")
        last = parent.get_last_child()
        if not last.url_path == f"{parent.url_path}{last.slug}/" or last.get_parent().pk != parent.pk:
            raise RuntimeError(f"{slug}: the last child's url_path or parent is wrong")
    stdout.write("search bench: page tree checked\n")


def _specific_fields(kind: str, data: dict, today: dt.date) -> dict:
    body = []
    for number, text in enumerate(data["paragraph_texts"]):
        if number == 2:
            body.append(("heading", {"text": "主要内容"}))
        body.append(("paragraph", f"<p>{html.escape(text)}</p>"))
    day = today - dt.timedelta(days=data["n"] % 1000)
    if kind == "news":
        return {"date": day, "intro": data["intro"], "body": body}
    if kind == "policy":
        return {
            "issuer": data["org"],
            "document_number": f"幸福发〔{day.year}〕{data['n'] + 100}号",
            "issued_on": day,
            "category": "governance",
            "summary": data["intro"],
            "body": body,
        }
    return {"topic": data["topic"], "intro": data["intro"], "body": body, "required": False, "estimated_minutes": 20}


# --- measure -----------------------------------------------------------------------------

_RESULT = re.compile(r'<li class="card">\s*<h3[^>]*>\s*<a href="([^"]+)"')
_NEXT = re.compile(r'rel="next"')


def _get(base_url: str, word: str, page: int = 1) -> tuple[float, str]:
    query = urllib.parse.urlencode({"q": word, **({"page": page} if page > 1 else {})})
    started = time.perf_counter()
    with urllib.request.urlopen(f"{base_url.rstrip('/')}/search/?{query}", timeout=30) as response:  # noqa: S310
        body = response.read().decode()
        if response.status != 200:
            raise RuntimeError(f"search for {word!r} answered {response.status}")
    return (time.perf_counter() - started) * 1000, body


def _slugs(body: str) -> list[str]:
    return [href.rstrip("/").rsplit("/", 1)[-1] for href in _RESULT.findall(body)]


def measure(base_url: str) -> dict:
    pages = corpus()
    expected = expected_pages(pages)
    queries = list(LABELLED) + BROAD
    for word in queries[:WARM_UP]:
        _get(base_url, word)
    timings: list[float] = []
    by_kind: dict[str, list[float]] = {"labelled": [], "broad": []}
    first_pages: dict[str, str] = {}
    for _round in range(ROUNDS):
        for word in queries:
            elapsed, body = _get(base_url, word)
            timings.append(elapsed)
            by_kind["broad" if word in BROAD else "labelled"].append(elapsed)
            first_pages[word] = body
    missed = []
    found_total = expected_total = 0
    for word in LABELLED:
        body, number, found = first_pages[word], 1, set()
        while True:
            found.update(_slugs(body))
            if not _NEXT.search(body) or number >= 100:
                break
            number += 1
            body = _get(base_url, word, number)[1]
        hits = len(expected[word] & found)
        found_total += hits
        expected_total += len(expected[word])
        if hits < len(expected[word]):
            missed.append({"word": word, "expected": len(expected[word]), "found": hits})
    p50, p95 = _percentiles(timings)
    recall = found_total / expected_total if expected_total else 0.0
    return {
        "pages": len(pages),
        "queries": len(timings),
        "labelled_words": len(LABELLED),
        "labelled_pages": expected_total,
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "recall": round(recall, 4),
        "missed": missed,
        "targets": {"p50 < 50 ms": p50 < TARGET_P50_MS, "recall = 100%": not missed},
        # Rare labelled words (3–13 pages each) and broad words (thousands of pages, all ranked).
        "by_kind": {
            kind: dict(zip(("p50_ms", "p95_ms"), (round(v, 1) for v in _percentiles(values)), strict=True))
            for kind, values in by_kind.items()
        },
    }


def _percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
