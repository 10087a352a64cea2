"""Each relation procedure and each kind of back-reference, alone (all sentences written for these tests).

A procedure reads the article after entity recognition and resolution (an ``ArticleView``) and
returns relations; here each is called by its registered name, without the patterns and the
other procedures, so what it finds is its own.
"""

from __future__ import annotations

import pytest
from spacy.util import registry

from kg.nlp.doc import ARTICLE
from kg.nlp.mentions import ArticleView, generic_body, local_references, programme_references
from kg.nlp.procedures import actor_list
from kg.nlp.relations import DEFAULT_PROCEDURES
from test_nlp import run_until


def view_of(text: str) -> ArticleView:
    return ArticleView(run_until(text, "kg_relation_extractor"))


def run(procedure: str, text: str) -> set[tuple]:
    """(subject, predicate, object, post) of what one registered procedure finds, by name."""
    view = view_of(text)

    def name(key: str) -> str:
        return key if key == ARTICLE else view.entities[key].name

    return {(name(r.subject), r.predicate, name(r.object), r.post) for r in registry.misc.get(f"kg.{procedure}.v1")(view)}


def test_every_default_procedure_is_registered_and_tested_here():
    tested = {name for name, *_ in CASES}
    assert {name.removeprefix("kg.").removesuffix(".v1") for name in DEFAULT_PROCEDURES} == tested
    assert all(name in registry.misc for name in DEFAULT_PROCEDURES)


CASES = [
    ("byline", "平远县推进乡村振兴\n文/本报记者 吴晓丹 通讯员 欧阳一鸣\n(责任编辑:邓雪梅)",
     {("吴晓丹", "author", ARTICLE, None), ("欧阳一鸣", "author", ARTICLE, None), ("邓雪梅", "editor", ARTICLE, None)},
     "平远县推进乡村振兴。吴晓丹和欧阳一鸣参加。"),
    ("post_chain", "平远县委常委会召开会议。县委副书记、县长刘志远出席。",
     {("刘志远", "holdsPost", "平远县", "县长")}, "平远县委常委会召开会议,刘志远出席。"),
    ("posts_after_names", "李文华说,今年茶青涨价。李文华,平远县农业农村局局长,去年到任。",
     {("李文华", "holdsPost", "平远县农业农村局", "局长")}, "李文华说,今年茶青涨价。李文华去年到平远县农业农村局调研。"),
    ("appointed_to_title", "古劳镇已成立古劳镇水乡片区建设指挥部。镇长梁永健任常务副总指挥。",
     {("梁永健", "holdsPost", "古劳镇水乡片区建设指挥部", "常务副总指挥")}, "古劳镇已成立古劳镇水乡片区建设指挥部。镇长梁永健到场。"),
    ("appointed_in_body", "肇庆市金果农业发展有限公司总经理李文杰去年起担任德庆县贡柑协会会长。",
     {("李文杰", "holdsPost", "德庆县贡柑协会", "会长")}, "肇庆市金果农业发展有限公司总经理李文杰去年起走访德庆县贡柑协会。"),
    ("title_filled_by", "冷坑镇成立冷坑镇驻村工作队。队长由副镇长李文浩担任。",
     {("李文浩", "holdsPost", "冷坑镇驻村工作队", "队长")}, "冷坑镇成立冷坑镇驻村工作队。副镇长李文浩到场。"),
    ("named_to_post", "会议决定任命刘晓峰同志为平远县人民政府副县长、代理县长。",
     {("刘晓峰", "holdsPost", "平远县人民政府", "副县长"), ("刘晓峰", "holdsPost", "平远县人民政府", "代理县长")},
     "会议决定免去刘晓峰同志平远县人民政府副县长职务。"),
    ("containment_from_codes", "梅州市梅县区松口镇推进古镇保护。",
     {("梅县区", "containedInPlace", "梅州市", None), ("松口镇", "containedInPlace", "梅县区", None)}, "清远市和湛江市推进古镇保护。"),
    ("villages_of_the_scene", "检查组在白石镇先后察看了上坪村、新围村的防汛卡口。",
     {("上坪村", "containedInPlace", "白石镇", None), ("新围村", "containedInPlace", "白石镇", None)},
     "检查组在白石镇和红星镇先后察看了上坪村、新围村的防汛卡口。"),
    ("located_by_name", "顺德区驻新兴县六祖镇工作队到村调研。",
     {("顺德区驻新兴县六祖镇工作队", "locatedIn", "六祖镇", None)}, "工作队到村调研。"),
    ("located_by_name", "江西省浙江总商会到张杨村考察。火连坡镇湖南民丰油茶专业合作社种了油茶。",
     {("江西省浙江总商会", "locatedIn", "江西省", None), ("湖南民丰油茶专业合作社", "locatedIn", "火连坡镇", None)},
     "浙江总商会到张杨村考察。湖南民丰油茶专业合作社种了油茶。"),
    ("verb_subjects", "平远县把“百千万工程”作为头等大事来抓。仁居镇结合“绿美平远”行动推进绿化。",
     {("平远县", "implements", "百千万工程", None), ("仁居镇", "implements", "绿美平远", None)}, "“百千万工程”是头等大事。"),
    ("named_after_doer", "怀集县推进冷坑镇茶园提升项目。",
     {("冷坑镇", "implements", "冷坑镇茶园提升项目", None)}, "怀集县推进茶香古道乡村振兴示范带。"),
    ("named_after_doer", "县长察看了绿峰茶业有限公司茶饮料加工基地项目。",
     {("绿峰茶业有限公司", "implements", "绿峰茶业有限公司茶饮料加工基地项目", None)},
     "县长察看了《绿峰茶业有限公司茶饮料加工基地管理办法》。"),
    ("named_in_title", "连州市推进“强镇兴村”。连州市印发《连州市强镇兴村三年行动方案》。",
     {("连州市强镇兴村三年行动方案", "partOfProgramme", "强镇兴村", None)}, "连州市推进“强镇兴村”。连州市印发《连州市镇村提升三年行动方案》。"),
    ("issuer_in_title", "会上传达了《怀集县农业农村局关于做好春耕工作的通知》。",
     {("怀集县农业农村局关于做好春耕工作的通知", "issuedBy", "怀集县农业农村局", None)}, "会上传达了《关于做好春耕工作的通知》。"),
    ("header_issuers", "中共崇义县委\n崇义县人民政府\n关于印发《崇义县森林防火工作方案》的通知\n各乡镇:现将方案印发给你们。",
     {("关于印发《崇义县森林防火工作方案》的通知", "issuedBy", "中共崇义县委", None),
      ("崇义县森林防火工作方案", "issuedBy", "崇义县人民政府", None)},
     "全县森林防火\n\n关于印发《崇义县森林防火工作方案》的通知\n各乡镇:现将方案印发给你们。"),
    ("round_up", "怀集县“百千万工程”重点项目集中开工。同日开工的还有怀集县绿源公司投资2亿元建设的年产3万吨茶饮料项目。",
     {("年产3万吨茶饮料项目", "partOfProgramme", "百千万工程", None)},
     "怀集县推进“百千万工程”。同日开工的还有怀集县绿源公司投资2亿元建设的年产3万吨茶饮料项目。"),
    ("park_members", "惠东县白花预制菜产业园去年投产,园区首家入驻企业惠州市海田食品有限公司年产值过亿。",
     {("惠州市海田食品有限公司", "implements", "惠东县白花预制菜产业园", None)},
     "惠东县白花预制菜产业园去年投产,惠州市海田食品有限公司年产值过亿。"),
    ("body_named_after_programme", "海丰县推进“和美渔村”建设。县“和美渔村”建设专班办公室主任冯立坤讲话。",
     {("县“和美渔村”建设专班办公室", "implements", "和美渔村", None)}, "海丰县推进“和美渔村”建设。县农业农村局局长冯立坤讲话。"),
    ("linked_places", "樟市镇推进樟市镇稻香乡村振兴示范带二期工程。工程将把群星村、五星村的稻田连成一线。",
     {("群星村", "implements", "樟市镇稻香乡村振兴示范带二期工程", None), ("五星村", "implements", "樟市镇稻香乡村振兴示范带二期工程", None)},
     "樟市镇推进樟市镇稻香乡村振兴示范带二期工程。群星村、五星村的稻田一片金黄。"),
    ("carried_out", "广宁县农业农村局印发《广宁县竹产业高质量发展行动方案》。县林业局负责牵头组织实施。",
     {("县林业局", "implements", "广宁县竹产业高质量发展行动方案", None)},
     "广宁县农业农村局印发《广宁县竹产业高质量发展行动方案》。县林业局召开会议。"),
    ("designees", "县林业局命名上堡乡水南村、思顺乡齐云村为“崇义县森林示范村”。",
     {("水南村", "implements", "崇义县森林示范村", None), ("齐云村", "implements", "崇义县森林示范村", None)},
     "县林业局表彰了上堡乡水南村、思顺乡齐云村,“崇义县森林示范村”建设启动。"),
    ("signature_issuers", "各村(社区):\n现将《汤西镇森林防火预案》印发给你们,请遵照执行。\n\n汤西镇人民政府\n2024年3月1日",
     {("汤西镇森林防火预案", "issuedBy", "汤西镇人民政府", None)},
     "各村(社区):\n《汤西镇森林防火预案》已经修订,请遵照执行。\n\n汤西镇人民政府\n2024年3月1日"),
]


@pytest.mark.parametrize("procedure, text, expected, counter", CASES, ids=[f"{case[0]}-{n}" for n, case in enumerate(CASES)])
def test_a_procedure_alone(procedure: str, text: str, expected: set, counter: str):
    assert expected <= run(procedure, text)
    assert not (expected & run(procedure, counter))


def test_a_list_of_actors_counts_a_run_of_places_as_its_last_place():
    view = view_of("鹤市镇莲坑村、富石村和草潭镇的珍珠湾村共建示范带。")
    places = [m for m in view.outermost(view.mentions) if m.entity.label == "Place"]
    assert [m.entity.name for m in actor_list(view, 0, places)] == ["莲坑村", "富石村", "珍珠湾村"]


def test_back_references_stand_for_what_was_named_before():
    view = view_of("冷坑镇建设冷坑镇生态茶园提升项目。该项目带动镇里的怀集县绿源茶业有限公司。公司员工增加。")
    assert [(r.entity.name, view.text[r.start : r.end]) for r in programme_references(view)] == [("冷坑镇生态茶园提升项目", "项目")]
    assert ("冷坑镇", "镇里") in {(r.entity.name, view.text[r.start : r.end]) for r in local_references(view, 0, len(view.text))}
    company = view.text.rindex("公司员工")
    assert generic_body(view, company + 2).entity.name == "怀集县绿源茶业有限公司"
