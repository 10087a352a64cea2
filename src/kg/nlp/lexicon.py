"""Word lists that describe the genre's structure (never names of particular entities).

Titles, organisation suffixes, programme suffixes and cue words are how county
news writes about people, bodies and campaigns; the rules in ``rules.py`` and
``relations.py`` read them from here so there is one list of each.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"

TITLES = tuple(
    sorted(
        """
        第一书记 党委书记 党总支书记 党支部书记 党工委书记 副书记 书记 常务副县长 常务副市长 常务副区长
        副镇长 镇长 副乡长 乡长 副县长 县长 副区长 区长 副市长 市长 副省长 省长
        副主任 主任 副局长 局长 副厅长 厅长 副主席 主席 副理事长 理事长 副董事长 董事长
        副总经理 总经理 经理 副社长 社长 副部长 部长 副处长 处长 副科长 科长 副所长 所长
        副站长 站长 副校长 校长 副院长 院长 村长 副村长 负责人 队长 组长 副会长 会长 秘书长
        党委委员 党委副书记 常委 委员 主任委员 调研员 总工程师 总监 馆长 行长 副行长
        村委会主任 居委会主任 村委会副主任 总指挥 副总指挥 总经理助理 副队长 副组长 一级调研员 二级调研员 三级调研员 四级调研员
        驻村第一书记 村支书 支书 村主任 联络员 网格员 技术员 农技员 专干 监事长 理事 董事 厂长 场长 园长 店长 主管 党组书记 党组成员
        专职副书记 组织委员 宣传委员 纪检委员 妇联主席 团委书记 人大主席 人大副主席 政协主席 街道办主任
        总理 副总理 总书记 总统 副总统 委员长 副委员长 大使 司令员 政委 州长 议长 首相 检察长 庭长 审判长
        代理县长 代县长 代理市长 代市长 代理区长 代区长 代理镇长 代镇长 代理乡长 代乡长
        """.split(),
        key=len,
        reverse=True,
    )
)
"""Posts, longest first so that 副镇长 wins over 镇长."""

PERSON_ROLES = tuple(sorted("村民 居民 农户 群众 乡贤 游客 党员 老板 返乡青年 种植户 养殖户 大学生 创业者 老师 医生".split(), key=len, reverse=True))
"""Words that introduce an ordinary person by what they are, not by a post."""

GROUP_LABELS = tuple(sorted("省领导 市领导 县领导 区领导 镇领导 乡领导 班子成员 领导班子成员".split(), key=len, reverse=True))
"""Labels of a group in an attendee list (县领导X、Y、Z): the names are people, the label is no post."""

BYLINE_AUTHOR_CUES = ("本报记者", "特约记者", "记者", "实习生", "通讯员", "作者", "撰稿", "文/图", "图/文", "文", "摄影", "摄")
BYLINE_EDITOR_CUES = ("责任编辑", "值班编辑", "编辑", "编审", "校对", "审核", "责编")

CREDIT_IN_PARENS = re.compile(
    r"(?:(?<=日电)|(?<=讯)|(?<=[。！？!?])[ 　]?(?=[(（][^)）\n]{2,20}[)）][ 　]*(?:\n|$)))[(（]"
    r"(?P<names>[\u4e00-\u9fff]{2,4}(?:[ 　、，,;；]+[\u4e00-\u9fff]{2,4}){0,3})[)）]"
)
"""Reporters credited in parentheses: after a dateline (抚州10月12日电(某某), 宜宾讯(某 某)) or
closing a paragraph (…。(某某 某某)); the group must hold names only, which the readers check."""

SPEECH_CUES = tuple(
    sorted(
        "说 说道 表示 告诉 介绍 指出 认为 强调 坦言 感慨 笑着 算了 提到 称 透露 补充 要求 主持 出席 列席 陪同 参加 带队 率队 调研 一行 等人 等 同志 总书记 报道 代表".split(),
        key=len,
        reverse=True,
    )
)
"""Words that often follow a person's name."""

ORG_SUFFIXES_ANCHORED = tuple(
    sorted(
        """
        人大常委会 常委会 人民政府 政府 党委 党总支 党支部 党工委 纪委 监委 政协 人大 工商联 妇联 团委 科协 委办 府办 政府办
        农业农村局 局 厅 委员会 委 村委会 居委会 办公室 指挥部 融媒体中心 中心 宣传部 组织部 统战部 武装部 工作部 人民法院 人民检察院 法院 检察院
        派出所 小组 工作组 督导组 巡察组 指导组 专班 工作队 服务队 联合党委 农办 编办 农业农村办 党政办 经发办 综治办 街道办事处 办事处 融媒 供销合作联社 合作联社 日报 晚报 报社 电视台 广播电视台 人民医院 中医院 支行 分行 供销社 供销合作社 党校 党建办 党组 总工会
        """.split(),
        key=len,
        reverse=True,
    )
)
"""Suffixes that make an organisation only after a place or a level word (市委, 怀集县农业农村局)."""

ORG_SUFFIXES_FREE = tuple(
    sorted(
        """
        股份有限公司 有限责任公司 有限公司 集团 公司 股份经济合作社 经济合作社 专业合作社 合作社 联合社
        银行 信用社 大学 学院 中学 小学 医院 卫生院 协会 商会 研究院 研究所 基金会 农场 林场 家庭农场
        """.split(),
        key=len,
        reverse=True,
    )
)
"""Suffixes that make an organisation on their own (绿峰茶业有限公司)."""

BRANCH_SUFFIXES = ("支行", "分行", "分公司", "营业部", "分社")
"""Suffixes of a branch, whose full name begins with its parent's (某银行某支行)."""

STANDALONE_DEPARTMENTS = ("宣传部", "组织部", "统战部", "政法委", "农办", "编办")
"""Party departments a chain of posts names without their committee (市委常委、宣传部部长)."""

LEVEL_WORDS = ("省", "市", "县", "区", "镇", "乡", "村", "街道")

LEVEL_TITLES = {"省长": "省", "市长": "市", "县长": "县", "区长": "区", "镇长": "镇", "乡长": "乡", "村长": "村", "村委会主任": "村", "村主任": "村", "村支书": "村", "居委会主任": "社区"}
"""Titles that name the level of the place they are held in (副镇长 → a 镇)."""
"""Level words that stand for the article's own place in short names: 市委, 县农业农村局."""

PROGRAMME_SUFFIXES = tuple(
    sorted(
        """
        工程 行动 工作法 模式 计划 试点 示范带 示范区 方案 意见 规划 战略 产业园 项目 决定 通知 办法 纲要 培育 生态建设
        """.split(),
        key=len,
        reverse=True,
    )
)
"""Endings of quoted programme names (“百千万工程”)."""

PROGRAMME_SUFFIXES_BARE = ("乡村振兴示范带", "示范带", "示范片区", "示范片", "产业集聚区", "体验带", "风貌带", "景观带", "产业带", "试点", "示范点", "产业园", "示范区", "项目")
"""Endings that make an unquoted programme name (茶香稻浪乡村振兴示范带)."""

PROGRAMME_SUFFIXES_PLACED = ("专项行动", "提升行动", "创建行动", "工程", "特色小镇", "小镇", "示范园", "基地")
"""Endings that make an unquoted programme name only after a place (马水镇千亩油茶基地): alone they are common words."""

OBJECT_VERBS = ("大力实施", "深入实施", "实施", "打造", "推进", "启动", "创建", "举行", "紧扣", "建设", "新建", "谋划", "开展")
"""Verbs whose object, when it ends like a programme (``OBJECT_KINDS``), is a programme's name."""
OBJECT_KINDS = ("回引计划", "培养计划", "行动计划", "计划", "示范带", "示范区", "示范园", "郊野公园", "农业公园", "湿地公园",
                "功能区", "专项行动", "提升行动", "建设项目")
"""Endings of a verb's object that make it a programme (大力实施乡土人才回引计划, 举行美丽圩镇建设项目开工仪式);
the more generic ones (项目, 基地, 工程) name kinds as often as programmes there (实施镇村项目, 建设种植基地)."""
HEARING_VERBS = ("讨论通过", "审议通过", "听取", "审议", "宣读", "审定", "学习")
"""Verbs of a meeting whose objects, when they end like a document (``DOCUMENT_KINDS``), are its titles,
written without 《》 (会议听取了某县某行动方案、某实施意见)."""
DOCUMENT_KINDS = ("行动方案", "工作方案", "实施方案", "方案", "实施意见", "意见", "名单", "规划", "办法", "工作报告")
"""Endings of a document heard at a meeting."""
COUNTED_KINDS = ("示范带", "工程", "行动", "项目", "产业园", "品牌", "活动", "战略")
"""Kinds after a count that make the quoted names before them programmes (“红之韵”“绿之源”两条示范带)."""

CAMPAIGN_FOLLOWERS = ("专项行动", "攻坚行动", "结对帮扶行动", "行动", "工程", "项目", "系列活动", "实践活动", "主题活动", "活动", "战略", "生态建设", "建设", "创建", "工作部署", "工作", "品牌", "培养计划", "培训")
"""Words after a quoted name that make the quoted name a campaign (“绿美怀集”行动)."""

SLOGAN_MODIFIERS = ("头号", "一号", "一把手", "头等", "书记", "民生", "民心", "德政", "系统", "重点", "最后", "关键")
"""Quoted phrases starting with these are slogans, not programmes (“头号工程”)."""

PUBLICATION_SUFFIXES = ("报", "刊", "杂志", "志", "网", "台")
OUTLET_AFTER_TITLE = ("新闻周刊", "周刊", "杂志", "月刊", "半月刊", "日报", "晚报", "报", "电视台", "栏目", "节目", "客户端")
"""What may follow a title in 《》 to make it an outlet's name: 《瞭望》新闻周刊 is a magazine, not a document."""
METHOD_ENDINGS = ("模式", "经验", "做法", "路径", "机制", "理念", "思路", "打法")
"""Endings of a working method or a slogan (罗山模式, 村企合作机制): not a programme."""
"""《》 titles ending so are publications, not documents."""

NUMERALS = "二三四五六七八九十百千万两双"
"""Numerals of parallel campaign names (百企联百村, 三清三拆三整治, 双联双建); 一 makes set phrases (一镇一策)."""

IMPLEMENT_VERBS = (
    "推进", "推动", "实施", "开展", "打造", "创建", "落实", "结合", "纳入", "申报", "完成", "启动", "参与",
    "抓好", "建设", "把", "围绕", "对标", "深化", "践行", "制定实施", "牵头", "部署", "助力", "借助", "依托",
    "入选", "获评", "承接", "对接", "用好", "聚焦", "加入", "列入", "争创", "建成", "列为", "评为", "主办", "承办", "通过", "结成", "共建", "认定为", "确定为", "命名为", "响应", "建起",
    "按照", "根据", "获批", "承担", "关于", "具体实施", "负责", "紧扣",
)
"""Verbs by which a place or body takes part in a programme (关于 implements)."""

ISSUE_VERBS = ("印发", "出台", "制定", "发布", "下发", "审议通过", "编制", "颁布", "公布", "起草")
"""Verbs by which a body issues a document."""

DESIGNATION_ENDINGS = ("特色镇", "特色村", "精品村", "示范村镇", "重点村", "重点镇", "龙头企业", "精品线路", "产业强镇", "美丽乡村", "宜居示范村", "示范点", "示范村", "示范镇", "示范县", "森林乡村", "旅游景区", "专业镇", "名镇", "名村", "特色小镇", "示范区", "示范基地", "先进县", "典型县", "典型镇", "典型村")
"""Endings of designations a place earns (广东省乡村治理示范村, 国家森林乡村): programmes it takes part in."""

DESIGNATION_VERBS = ("入选", "获评", "评为", "创建", "列为", "获批", "认定为", "确定为", "命名为", "获得", "申报", "争创", "纳入", "列入")
"""Verbs after which a designation is named (佗城镇入选第二批广东省文化和旅游特色镇)."""

STRONG_VERBS = frozenset(
    set(IMPLEMENT_VERBS + ISSUE_VERBS + ("引进", "引入", "成立", "联手", "联合", "签约", "开办", "组建", "召开", "举行", "主持", "被", "已", "正", "将", "谋划", "筹划", "作为"))
    - {"建设", "结合", "部署", "对接", "承接", "聚焦", "牵头"}
)
"""Verbs that never sit inside a name: a name's left edge never crosses one."""

DEPARTMENT_CORES = (
    "人力资源和社会保障", "住房和城乡建设", "工业和信息化", "自然资源和规划", "科学技术和工业信息化", "文化和旅游",
    "发展和改革", "海洋与渔业", "卫生和计划生育", "农业和农村", "商务和", "交通运输和",
    "住房建设和交通", "城市管理和综合执法", "农业农村和水利", "政务服务和数据管理",
)
"""Department names that contain 和, which otherwise ends a name (县住房和城乡建设局)."""

DOCUMENT_ENDINGS = ("决定", "方案", "意见", "通知", "办法", "规划", "计划", "纲要", "条例", "规定", "措施", "要点", "细则", "清单", "指引", "指南", "导则", "公告", "通告", "纪要", "汇总表", "明细表", "一览表", "请示", "报告", "批复", "名单")
"""Endings of document titles: what a document's issuer issues and a short reference (《方案》) names."""


def bare_title(name: str) -> str:
    """A title without its closing bracket: 行动方案(2024—2026年) → 行动方案."""
    return re.sub(r"[(（][^()（）]*[)）]$", "", name)


def is_document(name: str) -> bool:
    """Whether a programme name is a document title (方案, 意见 …, before any (2024—2026年))."""
    return bare_title(name).endswith(DOCUMENT_ENDINGS)


FUNCTION_CHARS = frozenset("和与及从向对在将把被给让于为以而就都也还又才不没很最更太要会能可应该这那其之所等个们的了着过有是到去来")
"""Characters that are surnames on paper but far more often function words: no name starts with one after a speech cue."""

BOUNDARY_WORDS = frozenset(
    """
    有 到 去 来 的 了 在 与 和 及 以及 同 跟 将 把 被 由 是 为 对 从 向 等 让 使 并 也 都 还 就 又 再 已 正 要 会 能 以 经 会同 要求 召开 举行 主持
    成立 引入 依托 联合 携手 组建 注册 创办 建立 牵头 邀请 推动 推进 打造 创建 实施 开展 落实 印发 出台 制定
    申报 完成 纳入 建设 参与 加入 带领 组织 发动 支持 帮助 协调 指导 整合 培育 引进 入驻 合作 签约 签下 与其 担任 兼任 出任 当选
    今年 去年 明年 目前 近年来 如今 全县 全市 全区 全镇 全省 全村 当地 该 这 那 其 各 每 些 个
    按照 根据 依据 对照 围绕 关于 通过 来自 挂任 挂职 听取 陪同 调研 走访 前往 得到 受到 获得
    任命 拟任 提名 免去 决定 学习 贯彻 传达 落实 其中 走进 来到 深入 考察 参观 察看 观摩 获评 评为
    """.split()
)
"""Words an organisation or programme name does not start with: where a name's left edge stops."""


@lru_cache(maxsize=1)
def surnames() -> dict[str, float]:
    """Chinese surnames (single and compound) with their frequency in parts per million."""
    rows = (line.split("\t") for line in (DATA / "surnames.tsv").read_text(encoding="utf-8").splitlines())
    return {name: float(ppm) for name, ppm in rows}


@lru_cache(maxsize=1)
def _word_lists() -> dict[str, frozenset[str]]:
    """The word lists compiled from jieba's dictionary by scripts/build_words.py."""
    lists: dict[str, set[str]] = {"stop": set(), "common": set(), "place": set()}
    for line in (DATA / "words.tsv").read_text(encoding="utf-8").splitlines():
        word, kind = line.split("\t")
        lists[kind].add(word)
    return {kind: frozenset(words) for kind, words in lists.items()}


def stop_verbs() -> frozenset[str]:
    """Common two- and three-character verbs and function words: where a name's left edge stops."""
    return _word_lists()["stop"]


def common_words() -> frozenset[str]:
    """Frequent two-character words that are not names (干部, 任务): a name does not start with one."""
    return _word_lists()["common"]


def place_words() -> frozenset[str]:
    """Words of the general vocabulary that name places (美国, 珠江): a check on the statistical NER."""
    return _word_lists()["place"]
