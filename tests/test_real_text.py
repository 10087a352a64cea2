"""What real pages bring that tidy articles do not: places without a code, page debris,
invisible characters (every sentence here is written for these tests)."""

from __future__ import annotations

from kg.ingest import clean_text, parse_article
from kg.nlp.subplaces import find_subplaces
from test_nlp import facts, names, run


def test_groups_and_hamlets_after_their_village_are_places_inside_it():
    doc = run("平远县仁居镇邹坊村上屋组、下屋组的村民在田里忙碌,邹坊村坪山片也建起了晒场。")
    assert {"上屋组", "下屋组", "坪山片"} <= names(doc, "Place")
    found = facts(doc)
    assert {("上屋组", "containedInPlace", "邹坊村", None), ("下屋组", "containedInPlace", "邹坊村", None),
            ("坪山片", "containedInPlace", "邹坊村", None)} <= found
    assert all(e.code is None for e in doc._.entities.values() if e.name.endswith(("组", "片")))


def test_groups_of_people_and_words_are_no_places():
    text = "邹坊村工作组进村入户,邹坊村党小组开会,邹坊村推广围屋。"
    villages = [(text.index("邹坊村", i), text.index("邹坊村", i) + 3) for i in (0, 8, 16)]
    assert find_subplaces(text, villages) == []


def test_a_list_vouches_for_its_items():
    text = "邹坊村石桥组、新兴组都通了水"
    assert [text[s:e] for s, e in find_subplaces(text, [(0, 3)])] == ["石桥组", "新兴组"]


def test_invisible_characters_do_not_split_a_name():
    text = "平远县推进百千万\u200b工程。\n记者 李\u200c文华"
    assert clean_text(text) == "平远县推进百千万工程。\n记者 李文华"
    article = parse_article(text, id="a", source="a.txt")
    assert "\u200b" not in article.text and "百千万工程" in article.text


def test_share_buttons_and_font_switches_are_page_furniture():
    page = "平远县推进乡村振兴\n0\n分享至\n  • 【字体:  大 中 小\n浏览次数:12\n全县各镇抓好落实。"
    text = parse_article(page, id="a", source="a.txt").text
    assert "分享至" not in text and "字体" not in text and "浏览次数" not in text and "全县各镇抓好落实。" in text


def test_a_bare_title_after_a_post_of_its_kind_keeps_that_body():
    found = facts(run("县人大常委会主任王大明主持会议,副主任李小红、张建国参加会议。"))
    assert {("李小红", "holdsPost", "县人大常委会", "副主任"), ("张建国", "holdsPost", "县人大常委会", "副主任")} <= found
    assert not any(p == "holdsPost" and s in ("李小红", "张建国") and o != "县人大常委会" for s, p, o, _ in found)


def test_titles_in_a_named_government_belong_to_it():
    found = facts(run("平远县政府副县长蔡明远、刘晓东出席会议。"))
    assert ("蔡明远", "holdsPost", "平远县政府", "副县长") in found and ("刘晓东", "holdsPost", "平远县政府", "副县长") in found


def test_a_department_head_title_names_the_department():
    found = facts(run("县委常委、组织部长黄建新通报情况,县法院院长王宏伟列席。"))
    assert ("黄建新", "holdsPost", "组织部", "部长") in found and ("黄建新", "holdsPost", "县委", "常委") in found
    assert ("王宏伟", "holdsPost", "县法院", "院长") in found


def test_an_appointment_gives_every_title_named():
    found = facts(run("会议决定任命县委副书记张明同志为县人民政府副县长、代理县长。"))
    assert {("张明", "holdsPost", "县人民政府", "副县长"), ("张明", "holdsPost", "县人民政府", "代理县长"),
            ("张明", "holdsPost", "县委", "副书记")} <= found


def test_byline_names_glued_to_their_cue_padded_or_on_a_line_of_their_own():
    doc = run("平远县推进乡村振兴\n文、图/平远日报全媒体记者卜瑜 通讯员 李 空\n全县各镇抓好落实。")
    assert {("卜瑜", "author", "ARTICLE", None), ("李空", "author", "ARTICLE", None)} <= facts(doc)
    assert "李 空" in next(e for e in doc._.entities.values() if e.name == "李空").aliases
    doc = run("平远县推进乡村振兴\n陆群安 潘伟\n全县各镇抓好落实。")
    assert {("陆群安", "author", "ARTICLE", None), ("潘伟", "author", "ARTICLE", None)} <= facts(doc)


def test_a_photo_credit_names_a_person_who_is_no_author():
    doc = run("平远县推进乡村振兴\n县城新貌。(黄春生 摄)\n记者 杨斐君 摄\n全县各镇抓好落实。")
    assert {"黄春生", "杨斐君"} <= names(doc, "Person")
    assert not any(p == "author" for _, p, _, _ in facts(doc))


def test_attendee_lists_after_a_group_label_are_people_without_posts():
    doc = run("县领导王冰、江华、唐芳浩参加调研。镇领导班子每月开会。")
    assert names(doc, "Person") == {"王冰", "江华", "唐芳浩"}
    assert not any(p == "holdsPost" for _, p, _, _ in facts(doc))


def test_a_leader_before_his_title_is_a_person_but_a_doctrine_is_not():
    doc = run("会议传达学习习近平总书记重要讲话精神,坚持马克思列宁主义、毛泽东思想、邓小平理论。")
    assert names(doc, "Person") == {"习近平"}


def test_titles_in_an_attendee_list_go_to_the_name_they_precede():
    found = facts(run("平远县委书记罗达新,县委副书记、县长赵超明,县人大常委会主任魏国强到仁居镇调研。"))
    assert ("罗达新", "holdsPost", "平远县委", "书记") in found
    assert not {(s, t) for s, p, _, t in found if p == "holdsPost" and s == "罗达新"} - {("罗达新", "书记")}
    assert ("赵超明", "holdsPost", "平远县", "县长") in found and ("魏国强", "holdsPost", "县人大常委会", "主任") in found


def test_a_team_is_named_with_its_sender_and_a_committee_with_its_city():
    doc = run("省财政厅驻平远县仁居镇工作队队长游元雄和平远县仁居镇党委副书记莫瑞金陪同。")
    assert "省财政厅驻平远县仁居镇工作队" in names(doc, "Organization")
    committee = next(e for e in doc._.entities.values() if e.name == "仁居镇党委")
    assert "平远县仁居镇党委" in committee.aliases


def test_outlets_in_bylines_are_organisations():
    doc = run("平远县推进乡村振兴\n来源:平远发布 作者:梅州日报·客家网见习记者 王晓明\n全县各镇抓好落实。县城新貌。南都记者黄海林 摄")
    assert {"平远发布", "梅州日报", "客家网", "南都"} <= names(doc, "Organization")
    assert "王晓明" in names(doc, "Person") and "梅州日" not in names(doc, "Person")
    doc = run("洽水镇党委书记欧阳志远告诉记者,今年茶叶丰收。连山讯 记者 黎明")
    assert names(doc, "Organization") == {"洽水镇党委"}


def test_short_and_full_forms_of_one_entity_are_one_node():
    doc = run("中共平远县委召开会议,县委书记李明讲话。县人民政府、县政府办公室参加。县政府要抓好落实。")
    assert "县委" not in names(doc, "Organization") and "县政府" not in names(doc, "Organization")
    doc = run("会议讨论了《政府工作报告(草案)》。会议强调,要完善《政府工作报告》。")
    assert names(doc, "Programme") == {"政府工作报告(草案)"}
    doc = run("平远县仁居镇邹坊村是古村。邹坊的村民在锦江边种茶,锦江村也种茶。")
    places = names(doc, "Place")
    assert "邹坊" not in places and "邹坊村" in places


def test_organisation_names_hold_quoted_programmes_and_sub_offices():
    doc = run("茂南区“百会帮百镇”工作督导组到镇里督导,镇联合党委参加。")
    assert {"茂南区“百会帮百镇”工作督导组", "镇联合党委"} <= names(doc, "Organization")
    assert "百会帮百镇" in names(doc, "Programme")


def test_a_verb_after_a_name_is_not_part_of_it():
    assert names(run("县长石进代表县政府作报告。"), "Person") == {"石进"}


def test_campaigns_acting_on_levels_are_split_but_a_slogan_is_not():
    assert names(run("开展“千企帮千镇、万企兴万村”行动。"), "Programme") == {"千企帮千镇", "万企兴万村"}
    assert names(run("推进“一村一品、一镇一业”建设。"), "Programme") == {"一村一品、一镇一业"}


def test_a_title_inside_a_title_and_a_magazine_in_title_marks():
    doc = run("省政府印发《关于印发〈平远县促进就业行动方案〉的通知》。据《瞭望》新闻周刊报道,“罗山模式”值得推广。")
    assert "平远县促进就业行动方案" in names(doc, "Programme")
    assert "《瞭望》新闻周刊" in names(doc, "Organization")
    assert not {"瞭望", "罗山模式"} & names(doc, "Programme")


def test_a_campaign_quoted_in_a_documents_title_is_what_the_document_serves():
    doc = run("县委印发《关于开展“高质量发展、支部在行动”实践活动的工作方案》,以“高质量发展,支部在行动”为抓手。")
    assert ("关于开展“高质量发展、支部在行动”实践活动的工作方案", "partOfProgramme", "高质量发展、支部在行动", None) in facts(doc)
    assert len([e for e in doc._.entities.values() if "支部在行动" in e.name and e.label == "Programme"]) == 2


def test_a_year_inside_a_project_name_does_not_cut_it():
    doc = run("各镇抓好平远县2023年中央农业资源补助资金项目的落实。")
    assert "平远县2023年中央农业资源补助资金项目" in names(doc, "Programme")
    assert "年中央农业资源补助资金项目" not in names(doc, "Programme")


def test_short_public_bodies_count_but_fragments_and_bare_kinds_do_not():
    from kg.nlp.merge import plausible_ner
    assert plausible_ner("财政部", "Organization", "、") and plausible_ner("县委常委会", "Organization", "")
    assert not plausible_ner("水利局", "Organization", "和") and not plausible_ner("联合社", "Organization", "")
    assert not plausible_ner("村党支部", "Organization", "")


def test_a_body_named_with_its_session_is_the_body():
    doc = run("县十五届人大常委会第三十四次会议召开。县人大常委会主任姚莲花主持会议。")
    assert names(doc, "Organization") == {"县十五届人大常委会"}


def test_the_object_of_a_verb_of_carrying_out_can_be_a_programme():
    assert ("平远县", "implements", "乡土人才回引计划", None) in facts(run("近年来,平远县大力实施乡土人才回引计划。"))
    assert ("仁居镇", "implements", "美丽圩镇建设项目", None) in facts(run("仁居镇举行美丽圩镇建设项目开工仪式。"))
    assert "仁居岛郊野公园" in names(run("仁居村紧扣绿美示范带建设,全力打造仁居岛郊野公园。"), "Programme")
    assert not names(run("各镇谋划建设镇村建设项目,打造一批示范区。"), "Programme")


def test_quoted_names_before_a_count_of_a_kind_are_programmes():
    found = facts(run("平远县坚持规划先行,高质量打造“红之韵”“绿之源”两条示范带。"))
    assert {("平远县", "implements", "红之韵", None), ("平远县", "implements", "绿之源", None)} <= found


def test_a_village_the_division_list_lacks_is_no_person():
    assert not names(run("邹坊村正在打造的“欢乐农场”项目进展顺利。"), "Person")


def test_villages_known_only_by_the_list_they_stand_in_are_places():
    doc = run("会上,董溪村、九里湾村、前锋岭村现场进行了汇报。")
    assert {"董溪村", "九里湾村", "前锋岭村"} <= names(doc, "Place")
    doc = run("加工厂解决龙利、三浪、枝林等村的竹笋销售问题。")
    written = {text for e in doc._.entities.values() if e.label == "Place" for text in (e.name, *e.aliases)}
    assert {"龙利", "三浪", "枝林"} <= written and "决龙利" not in written


def test_reporters_credited_in_parentheses_are_authors():
    dateline = facts(run("梅州9月3日电(钟晓岚)平远县仁居镇的稻田迎来丰收。"))
    closing = facts(run("全镇稻田迎来丰收,村民喜笑颜开。(黄一鸣 廖思琪)\n(责任编辑:邓雪梅)"))
    bureau = facts(run("平远讯(曾凡宇 古丽)仁居镇的稻田迎来丰收。"))
    assert ("钟晓岚", "author", "ARTICLE", None) in dateline
    assert {("黄一鸣", "author", "ARTICLE", None), ("廖思琪", "author", "ARTICLE", None),
            ("邓雪梅", "editor", "ARTICLE", None)} <= closing
    assert {("曾凡宇", "author", "ARTICLE", None), ("古丽", "author", "ARTICLE", None)} <= bureau


def test_an_outlet_or_a_remark_in_closing_parentheses_credits_no_one():
    doc = run("全镇稻田迎来丰收。(新华社)\n村民喜笑颜开。(左一为黄一鸣)\n")
    assert "新华社" not in names(doc, "Person") and not any(p == "author" for _, p, _, _ in facts(doc))


def test_authors_after_a_cue_may_be_parted_by_semicolons():
    doc = run("仁居镇稻田丰收\n作者 钟晓岚;廖思琪 2025-06-13 10:07\n\n全镇稻田迎来丰收。")
    assert {("钟晓岚", "author", "ARTICLE", None), ("廖思琪", "author", "ARTICLE", None)} <= facts(doc)


def test_a_two_character_county_is_known_by_its_own_body():
    doc = run("兴县县委召开常委会议,兴县县委书记高志远主持,县委副书记刘明出席。")
    assert "兴县" in names(doc, "Place")
    county = next(e for e in doc._.entities.values() if e.name == "兴县县委")
    assert "县委" in county.aliases and ("兴县县委", "locatedIn", "兴县", None) in facts(doc)


def test_a_city_short_form_before_its_news_site_is_the_city():
    doc = run("来源:吕梁新闻网\n兴县各乡镇抓好春耕。")
    assert ("吕梁新闻网", "locatedIn", "吕梁市", None) in facts(doc)


def test_a_city_jieba_knows_as_a_given_name_is_still_the_city_before_its_outlets():
    doc = run("玉林新闻网-玉林日报讯 容西镇西山村建立油茶种植基地。")
    assert {"玉林新闻网", "玉林日报"} <= names(doc, "Organization")
    assert ("玉林日报", "locatedIn", "玉林市", None) in facts(doc)


def test_a_rare_surname_in_an_attendee_list_keeps_its_own_titles():
    found = facts(run("会上,县委副书记、县委党校校长翦明远,县委常委、副县长李红出席。"))
    assert {("翦明远", "holdsPost", "县委", "副书记"), ("翦明远", "holdsPost", "县委党校", "校长")} <= found
    assert not any(s == "李红" and post in ("副书记", "校长") for s, p, _, post in found)


def test_a_title_before_an_ordinary_word_names_no_one():
    doc = run("司马副市长还叮嘱,要抓好落实。公司总经理一职,由他兼任。")
    assert not {"还叮嘱", "一职"} & names(doc, "Person")


def test_documents_heard_at_a_meeting_are_named_without_title_marks():
    doc = run("会议听取了2024年平远县油茶产业提升行动方案、“三农”领域重点工作实施意见等事项,宣读了2024年县级领导挂点项目名单。")
    assert {"2024年平远县油茶产业提升行动方案", "“三农”领域重点工作实施意见", "2024年县级领导挂点项目名单"} <= names(doc, "Programme")


def test_a_name_starts_after_the_place_that_acts_and_after_a_visit_verb():
    doc = run("仁居镇以全域土地综合整治试点为引领,其中邹坊布匹市场改造项目已完工。考察组一行走进石正油茶产业园。")
    assert {"全域土地综合整治试点", "邹坊布匹市场改造项目", "石正油茶产业园"} <= names(doc, "Programme")
    assert not any(n.startswith(("仁居镇以", "中邹坊", "一行")) for n in names(doc, "Programme"))


def test_a_reservoir_after_its_town_is_a_place_inside_it():
    doc = run("调研组先后到仁居镇邹坊村、仁居镇石子岭水库察看灌溉情况。")
    assert "石子岭水库" in names(doc, "Place")
    assert ("石子岭水库", "containedInPlace", "仁居镇", None) in facts(doc)


def test_a_verb_after_a_name_is_not_its_last_character():
    doc = run("县委书记嵇明深入仁居镇邹坊村调研。")
    assert "嵇明" in names(doc, "Person") and "嵇明深" not in names(doc, "Person")


def test_a_central_village_is_no_centre_body():
    doc = run("调研组来到仁居镇邹坊村黄屋中心村察看村容村貌。")
    assert not any(n.endswith("中心") for n in names(doc, "Organization"))


def test_an_empty_source_field_names_no_outlet():
    doc = run("平远县推进乡村振兴\n信息来源: 关键词:\n浏览次数: 590\n全县各镇抓好落实。")
    assert not names(doc, "Organization")


def test_requests_in_a_list_are_issued_each_by_the_body_before_it():
    found = facts(run("会议审议了县政府党组《关于推行农村集体资产管理的请示》、县总工会党组《关于评选劳动模范的请示》。"))
    assert {("关于推行农村集体资产管理的请示", "issuedBy", "县政府党组", None),
            ("关于评选劳动模范的请示", "issuedBy", "县总工会党组", None)} <= found
    assert not any(p == "implements" for _, p, _, _ in found)


def test_reports_adopted_at_a_meeting_are_documents():
    doc = run("会议讨论通过了县人大常委会工作报告、平远县人民政府工作报告。")
    assert {"县人大常委会工作报告", "平远县人民政府工作报告"} <= names(doc, "Programme")


def test_a_bare_committee_right_after_a_full_one_is_that_committee():
    found = facts(run("梅州市委书记陈明,市委副书记、市长李华到兴宁市调研。兴宁市委书记张军,兴宁市委副书记、市长刘强陪同。"
                      "兴宁市各镇抓落实。兴宁市的村。"))
    assert ("李华", "holdsPost", "梅州市委", "副书记") in found
    assert ("刘强", "holdsPost", "兴宁市委", "副书记") in found


def test_villages_listed_without_their_county_are_placed_in_the_one_county_holding_them_all():
    doc = run("河岭村、杉坑村、坪湖村、洋背村的村民代表来到会场,交流乡村振兴经验。")
    codes = {e.name: e.code for e in doc._.entities.values() if e.label == "Place"}
    assert codes == {"河岭村": "441426100204", "杉坑村": "441426100217", "坪湖村": "441426101205", "洋背村": "441426102200"}, \
        "each name is borne by villages in several counties; only 平远县 holds all four"


def test_a_town_followed_by_an_unlisted_village_names_a_village_of_that_town():
    doc = run("平远县大柘镇新光村的村民正在收割稻谷,大柘镇帮镇扶村工作队也来帮忙。")
    assert "新光村" in names(doc, "Place")
    assert ("新光村", "containedInPlace", "大柘镇", None) in facts(doc)
    assert not any("帮镇扶村" in name for name in names(doc, "Place")), "a stem holding a level word is no village"


def test_a_village_written_with_its_old_ending_links_to_the_renamed_committee():
    doc = run("平远县大柘镇城东村的村民正在收割稻谷。")
    village = next(e for e in doc._.entities.values() if e.label == "Place" and "城东村" in (e.name, *e.aliases))
    assert village.code == "441426100003", "the records know only 城东社区 under 大柘镇"
    assert not [e for e in doc._.entities.values() if e.label == "Place" and e.name.startswith("城东") and e is not village]


def test_a_development_zone_is_a_place_named_after_its_place_and_its_bodies_sit_in_it():
    doc = run("宜宾市高新区管委会召开会议,宜宾市高新区的企业增加到50家。")
    assert {"宜宾市", "宜宾市高新区"} <= names(doc, "Place")
    assert "宜宾市高新区管委会" in names(doc, "Organization")
    assert ("宜宾市高新区管委会", "locatedIn", "宜宾市高新区", None) in facts(doc)
    zone = next(e for e in doc._.entities.values() if e.name == "宜宾市高新区")
    assert zone.code is None, "no division list holds a development zone"


def test_a_village_group_stays_a_place_wherever_the_article_names_it():
    doc = run("刘永俊在南华县罗武庄乡三家村德苴小组种梯田。2022年他在德苴小组成立合作社。县委工作小组来到三家村。")
    assert "德苴小组" in names(doc, "Place")
    bodies = names(doc, "Organization")
    assert not any(name.endswith("德苴小组") for name in bodies), "小组 ends a place's name here"
    assert "县委工作小组" in bodies


def test_a_final_reviewer_is_an_editor_as_a_reviewer_is():
    found = facts(run("县里推进乡村振兴。\n编辑:林某某\n审核:郑某某\n终审:韦某某"))
    assert {("郑某某", "editor", "ARTICLE", None), ("韦某某", "editor", "ARTICLE", None)} <= found


def test_a_body_named_from_a_level_word_keeps_the_words_between_it_and_its_suffix():
    doc = run("3月2日,省老区建设促进会会长钟某某带队到县里调研。")
    assert "省老区建设促进会" in names(doc, "Organization")
    assert ("钟某某", "holdsPost", "省老区建设促进会", "会长") in facts(doc)


def test_a_civil_service_grade_is_a_post():
    assert ("王某某", "holdsPost", "县农业农村局", "一级主任科员") in facts(run("县农业农村局一级主任科员王某某出席会议。"))


def test_a_listed_name_glued_to_a_body_ending_is_the_start_of_a_body():
    doc = run("教师进修学院副院长宋某林、党建办三级主任科员赖某奎参加调研。")
    assert "党建" not in names(doc, "Person") and {"宋某林", "赖某奎"} <= names(doc, "Person")
    assert "李某明" in names(run("副镇长李某明部署工作。"), "Person")  # 部署 is a word, not a body's 部


def test_a_body_s_name_never_holds_a_verb_of_making_use():
    doc = run("梅县区发挥专业合作社、家庭农场等经营主体的优势,发展特色产业。")
    assert not [name for name in names(doc, "Organization") if "发挥" in name]


def test_people_introduced_by_their_profession_are_people():
    doc = run("书记还来到某某艺社,与青年艺术家洪某、周某某座谈。")
    assert {"洪某", "周某某"} <= names(doc, "Person")
    assert "周青" in names(run("与青年艺术家洪伟、周青座谈。"), "Person")  # 座谈 ends the name


def test_a_park_named_right_before_project_names_only_the_project():
    doc = run("土地用于建设罗南智造产业园项目,镇里还推进稻香乡村振兴示范带二期工程。")
    assert {"罗南智造产业园项目", "稻香乡村振兴示范带二期工程", "稻香乡村振兴示范带"} <= names(doc, "Programme")
    assert "罗南智造产业园" not in names(doc, "Programme")


def test_a_project_named_after_its_company_is_carried_out_by_it():
    doc = run("县长察看了绿峰茶业有限公司茶饮料和茶叶精深加工基地项目,又到万和种养专业合作社生产基地。")
    assert "绿峰茶业有限公司茶饮料和茶叶精深加工基地项目" in names(doc, "Programme")
    assert ("绿峰茶业有限公司", "implements", "绿峰茶业有限公司茶饮料和茶叶精深加工基地项目", None) in facts(doc)
    assert not any(name.startswith("万和种养专业合作社") for name in names(doc, "Programme"))  # a company's site, no project


def test_a_class_of_parks_is_no_park_but_a_placed_fund_is_a_programme():
    doc = run("翁源县是全国唯一一个国家级的兰花类现代农业产业园。投资中有桐庐县美丽乡村发展基金300万元。")
    assert "兰花类现代农业产业园" not in names(doc, "Programme")
    assert "桐庐县美丽乡村发展基金" in names(doc, "Programme")


def test_the_kind_after_a_quoted_campaign_is_no_name_of_its_own():
    doc = run("县里打造“诗画绥江·绿美竹乡”文旅融合示范带,推进“鉴江印象”乡村振兴示范带项目。")
    assert {"诗画绥江·绿美竹乡", "鉴江印象"} <= names(doc, "Programme")
    assert not {"文旅融合示范带", "乡村振兴示范带项目"} & names(doc, "Programme")


def test_reviewers_at_each_stage_are_editors_and_a_reporter_stops_at_the_next_label():
    doc = run("平远融媒体讯(记者周敏通讯员湛涛)全镇召开现场会。\n一审:刘嘉怡\n二审:胥 扬\n三审:刘胜男")
    assert {("周敏", "author", "ARTICLE", None), ("湛涛", "author", "ARTICLE", None)} <= facts(doc)
    assert {("刘嘉怡", "editor", "ARTICLE", None), ("胥扬", "editor", "ARTICLE", None), ("刘胜男", "editor", "ARTICLE", None)} <= facts(doc)
    assert "周敏通" not in names(doc, "Person")


def test_a_head_count_before_a_speech_cue_is_nobody():
    doc = run("镇干部、群众代表等300余人参加开工仪式。“今年要抓紧。”李涛说。")
    assert names(doc, "Person") == {"李涛"}


def test_an_inspection_verb_ends_a_programme_name_as_a_strong_verb_does():
    doc = run("刘县长在罗家营村查看示范区建设情况。")
    assert not any("查看" in name for name in names(doc, "Programme"))


def test_a_head_after_a_doubled_office_ending_and_an_executive_deputy_are_posts():
    doc = run("省农业农村厅发展规划处处长丁艳红到我市调研。开平市委农办常务副主任司徒重文陪同。")
    assert "丁艳红" in names(doc, "Person")
    assert ("司徒重文", "holdsPost", "开平市委农办", "常务副主任") in facts(doc)


def test_a_reporter_in_corner_brackets_is_a_byline_and_a_layout_is_no_bureau():
    doc = run("【全媒体记者 李素】6月30日,县委召开会议,审议了《平远县城区校点布局调整方案》。")
    assert ("李素", "author", "ARTICLE", None) in facts(doc)
    assert not any(name.startswith("全媒体") or name.endswith("布局") for name in names(doc, "Organization"))


def test_what_is_built_is_named_after_the_verb_and_a_quoted_post_is_no_campaign():
    doc = run("这为全省高质量发展建设共同富裕示范区打下基础。在“驻村第一书记”工作成果展上,各村展示特色产品。")
    assert "共同富裕示范区" in names(doc, "Programme")
    assert not {"全省高质量发展建设共同富裕示范区", "驻村第一书记"} & names(doc, "Programme")


def test_a_company_described_by_a_count_is_not_named_and_a_correction_button_is_debris():
    doc = run("项目已与鱼台县一家生物科技公司达成合作。\n【纠错】 【责任编辑:周楚清 】")
    assert not any(name.endswith("公司") for name in names(doc, "Organization"))
    assert "纠错" not in names(doc, "Organization")
    assert ("周楚清", "editor", "ARTICLE", None) in facts(doc)


def test_areas_and_crafts_inside_a_placed_project_name_do_not_cut_it():
    doc = run("评审组参观了江苏省万顷良田建设示范基地,又察看官圩镇贡柑良种繁育基地项目。")
    assert {"江苏省万顷良田建设示范基地", "官圩镇贡柑良种繁育基地项目"} <= names(doc, "Programme")


def test_a_zone_committee_keeps_its_zone_and_a_site_is_an_outlet_before_its_news():
    doc = run("平远新闻网消息 记者王平报道:县经济开发区管委会主任王浩陪同调研。")
    assert {"平远新闻网", "县经济开发区管委会"} <= names(doc, "Organization")
    assert ("王浩", "holdsPost", "县经济开发区管委会", "主任") in facts(doc)


def test_a_party_group_secretary_holds_the_post_in_the_bureau_and_a_function_word_surname_fills_a_slot():
    doc = run("市农业农村局党组书记、局长胡平安出席。督查组组长王刚,县委书记都建平,县长吴鹏参加。")
    found = facts(doc)
    assert {("胡平安", "holdsPost", "市农业农村局", "党组书记"), ("胡平安", "holdsPost", "市农业农村局", "局长")} <= found
    assert ("都建平", "holdsPost", "县委", "书记") in found
    assert ("王刚", "holdsPost", "县委", "书记") not in found


def test_an_office_head_takes_no_other_persons_body():
    found = facts(run("县人大常委会主任刘旭,县委常委、办公室主任刘宁出席。"))
    assert ("刘宁", "holdsPost", "县人大常委会", "主任") not in found
    assert ("刘宁", "holdsPost", "县委", "常委") in found


def test_a_list_of_projects_vouches_for_a_short_item_but_not_for_a_kind_or_an_actor():
    doc = run("县长先后到新材料产业园基础设施建设项目、碧海机械项目等9个项目现场,又到黄塘村、下陂村建设蔬菜种植基地项目。")
    assert "碧海机械项目" in names(doc, "Programme")
    assert not any(name.startswith(("下陂村", "对面")) or "等" in name for name in names(doc, "Programme"))


def test_posts_before_a_comma_wait_for_the_person_of_the_next_body_and_a_deputy_secretary_general_is_a_post():
    found = facts(run("来宾市人大常委会副主任,兴宾区委书记周灵出席。景德镇市政府副秘书长朱奔陪同。"))
    assert {("周灵", "holdsPost", "来宾市人大常委会", "副主任"), ("周灵", "holdsPost", "兴宾区委", "书记")} <= found
    assert ("朱奔", "holdsPost", "景德镇市政府", "副秘书长") in found


def test_a_district_named_城区_needs_more_than_the_word_区域_after_it_and_long_project_names_keep_their_place():
    doc = run("邛崃市中心城区区域性养老服务中心项目开工。春华镇打造宜居宜业和美乡村示范片。兴县县委书记李明主持会议。")
    assert "城区" not in names(doc, "Place") and "兴县" in names(doc, "Place")
    assert {"邛崃市中心城区区域性养老服务中心项目", "宜居宜业和美乡村示范片"} <= names(doc, "Programme")


def test_a_two_character_county_is_named_by_its_own_outlet():
    doc = run("景县新闻网讯 县里召开会议,部署秋收工作。")
    assert "景县" in names(doc, "Place")
    assert ("景县新闻网", "locatedIn", "景县", None) in facts(doc)


def test_a_nomination_in_a_chain_is_no_post_but_keeps_the_chain_going():
    found = facts(run("县委常委、提名副县长人选张宏文出席。工作组组长、县政府副县长提名人选杜宸一参加。"))
    assert ("张宏文", "holdsPost", "县委", "常委") in found
    assert not any(s == "杜宸一" and post == "副县长" for s, _, _, post in found)


def test_an_election_gives_the_post_and_print_buttons_are_no_outlets():
    doc = run("【关闭本页】【打印本页】\n会议选举王德文同志为紫阳县人民政府副县长。县检察院副检察长兰俊清列席。")
    found = facts(doc)
    assert {("王德文", "holdsPost", "紫阳县人民政府", "副县长"), ("兰俊清", "holdsPost", "县检察院", "副检察长")} <= found
    assert not {"关闭本页", "打印本页"} & names(doc, "Organization")


def test_a_list_of_people_opening_its_clause_names_its_first_item_too():
    doc = run("县里召开会议。陈兴、汪长春、王益贤、李玉平等县领导出席。")
    assert {"陈兴", "汪长春", "王益贤", "李玉平"} <= names(doc, "Person")


def test_a_prefecture_head_is_held_in_the_prefecture_not_in_its_party_committee():
    found = facts(run("州委副书记、州长陈真文出席会议。"))
    assert ("陈真文", "holdsPost", "州委", "副书记") in found
    assert not any(post == "州长" and body == "州委" for _, _, body, post in found)


def test_a_quoted_saying_with_a_comma_is_no_campaign_and_an_aim_verb_ends_a_project_name():
    doc = run("县里以“生态立县,绿色崛起”战略为指引,推进“千企帮千镇、万企兴万村”行动,要求确保招商引资项目建设质量。")
    assert {"千企帮千镇", "万企兴万村"} <= names(doc, "Programme")
    assert not any("绿色崛起" in name or name.startswith("确保") for name in names(doc, "Programme"))


def test_a_post_in_an_unnamed_committee_takes_no_committee_named_later_and_a_clause_is_no_body():
    found = facts(run("区工商联党组书记、区非公经济组织党委书记陈鸿文,鳌头镇党委书记易明清出席座谈会。"
                      "覃巴镇驻镇帮镇扶村工作队到位,主要成员包括工作队队长陈永东。"))
    assert ("陈鸿文", "holdsPost", "鳌头镇党委", "书记") not in found
    assert ("易明清", "holdsPost", "鳌头镇党委", "书记") in found
    assert ("陈永东", "holdsPost", "覃巴镇驻镇帮镇扶村工作队", "队长") in found


def test_a_pen_name_that_fills_a_byline_field_is_an_editor_but_an_office_is_not():
    doc = run("县里召开会议。\n记者:谢瑜\n编辑:凰仪\n审核:办公室")
    assert {("谢瑜", "author", "ARTICLE", None), ("凰仪", "editor", "ARTICLE", None)} <= facts(doc)
    assert "办公室" not in names(doc, "Person")


def test_posts_before_a_comma_wait_for_the_person_after_a_generic_body_too():
    found = facts(run("省社科联党组成员、专职副主席,工作队队长曾文,塘口镇党委书记林艺清出席。"))
    assert {("曾文", "holdsPost", "省社科联", "党组成员"), ("曾文", "holdsPost", "省社科联", "专职副主席")} <= found
    assert ("林艺清", "holdsPost", "塘口镇党委", "书记") in found


def test_a_park_names_the_bodies_that_run_it_and_a_chain_names_its_second_body_alone():
    doc = run("县长王大明到梅溪茶叶产业园区调研,梅溪茶叶产业园区党工委书记、管委会主任陈立新陪同。梅溪茶叶产业园区管委会要抓好招商。")
    assert {"梅溪茶叶产业园区党工委", "梅溪茶叶产业园区管委会"} <= names(doc, "Organization")
    assert "梅溪茶叶产业园区" in names(doc, "Programme")
    found = facts(doc)
    assert {("陈立新", "holdsPost", "梅溪茶叶产业园区党工委", "书记"), ("陈立新", "holdsPost", "梅溪茶叶产业园区管委会", "主任"),
            ("梅溪茶叶产业园区管委会", "implements", "梅溪茶叶产业园区", None)} <= found


def test_a_fund_named_after_a_project_is_one_name():
    doc = run("项目总投资约900万元,其中梅溪镇村集体增收产业项目发展基金300万元、村集体自筹600万元。")
    assert names(doc, "Programme") == {"梅溪镇村集体增收产业项目发展基金"}


def test_a_project_named_in_full_once_is_its_site_later_but_not_an_activity():
    doc = run("梅溪镇金禾物流园项目正式投用。据介绍,金禾物流园是梅溪镇重点项目之一。"
              "桃源村茶旅融合项目启动后,梅溪镇茶旅融合渐成气候。")
    programmes = {e.name: e for e in doc._.entities.values() if e.label == "Programme"}
    assert "金禾物流园" in programmes["梅溪镇金禾物流园项目"].aliases and "金禾物流园" not in programmes
    assert ("梅溪镇", "implements", "梅溪镇金禾物流园项目", None) in facts(doc)
    assert len(programmes["桃源村茶旅融合项目"].mentions) == 1, "茶旅融合 alone is an activity, not the project"


def test_a_word_for_the_articles_own_place_begins_no_programme_name():
    doc = run("县长到各镇调研我县乡村振兴示范区重点项目建设进度,梅溪村乡村振兴示范园区项目进展顺利。")
    assert not any(name.startswith(("我县", "县乡村")) for name in names(doc, "Programme"))
    assert "梅溪村乡村振兴示范园区项目" in names(doc, "Programme")


def test_a_middle_dot_joins_two_parts_of_one_programme_name():
    doc = run("副县长首先来到梅溪水乡·石桥村乡村振兴示范区项目,看望一线工作人员。")
    assert "梅溪水乡·石桥村乡村振兴示范区项目" in names(doc, "Programme")


def test_a_companys_line_of_business_holds_a_word_no_name_starts_with():
    doc = run("签约仪式上,梅溪桥梁建设有限公司董事长王建国致辞。")
    assert "梅溪桥梁建设有限公司" in names(doc, "Organization")
    assert ("王建国", "holdsPost", "梅溪桥梁建设有限公司", "董事长") in facts(doc)


def test_kinds_activities_and_visits_are_no_programmes():
    doc = run("全镇掀起比学赶超抓项目的热潮。考察组步入梅溪产业园察看生产。该镇正打造集观光于一体的现代农业示范区。"
              "平远县现有县级现代农业产业园3个,分别有企业12家。")
    assert names(doc, "Programme") == {"梅溪产业园"}  # the park visited, without the visit


def test_a_class_of_towns_is_no_place_and_a_park_of_a_town_ends_like_one():
    doc = run("副市长到石正镇调研典型镇和中心镇建设工作。白沙镇农产品孵化园、梅溪镇田园综合体同日开工。")
    assert "中心镇" not in names(doc, "Place") and "石正镇" in names(doc, "Place")
    assert {"白沙镇农产品孵化园", "梅溪镇田园综合体"} <= names(doc, "Programme")


def test_a_bulletin_is_a_document_not_a_newspaper():
    doc = run("县政府印发《关于2023年度乡村振兴考核结果的通报》,《梅州日报》作了报道。")
    assert names(doc, "Programme") == {"关于2023年度乡村振兴考核结果的通报"}
    assert ("关于2023年度乡村振兴考核结果的通报", "issuedBy", "县政府", None) in facts(doc)


def test_a_law_cited_as_a_basis_is_carried_out_by_nobody_but_a_policy_is():
    doc = run("县政府根据《中华人民共和国宪法》和《某省河道管理条例》,制定本规则。按照《怀集县茶产业奖补办法》,冷坑镇扩种茶园。")
    assert {"中华人民共和国宪法", "某省河道管理条例", "怀集县茶产业奖补办法"} <= names(doc, "Programme")
    implemented = {(s, o) for s, p, o, _ in facts(doc) if p == "implements"}
    assert implemented == {("冷坑镇", "怀集县茶产业奖补办法")}


def test_a_report_in_a_newspaper_and_a_newspapers_column_name_the_outlet_only():
    doc = run("《梅州日报》报道了平远县的做法。即日起,《潮州日报·乡村观察》推出系列报道。")
    assert names(doc, "Organization") == {"梅州日报", "潮州日报"}
    assert names(doc, "Programme") == set()


def test_a_speech_cue_that_begins_a_word_and_the_verb_after_a_title_start_no_name():
    doc = run("邹坊村获得“全国文明村”等荣誉称号。县委书记、县长任双组长。“今年收成好。”李文华说。")
    assert names(doc, "Person") == {"李文华"}


def test_layout_marks_and_picture_labels_are_no_outlets():
    doc = run("【资料图】\n■本报记者李文华 通讯员王小明\n平远县推进镇村建设。")
    assert names(doc, "Organization") == set()
    assert {"李文华", "王小明"} <= names(doc, "Person")


def test_a_body_ends_where_its_suffix_ends_not_inside_a_longer_one():
    doc = run("广东省人民政府办公厅印发通知。中共平远县委员会召开会议。")
    assert names(doc, "Organization") == {"广东省人民政府办公厅", "中共平远县委员会"}


def test_a_visit_after_a_name_and_a_section_heading_in_brackets_are_no_part_of_a_name():
    doc = run("省委书记李希来梅调研。副县长王来福调研茶园。\n【廻龙镇简介】\n廻龙镇位于龙川县中部。")
    assert {"李希", "王来福"} == names(doc, "Person")
    assert not any(name.endswith("简介") for name in names(doc, "Organization"))


def test_a_ranking_of_counties_is_no_place():
    doc = run("平远县获评省全域旅游示范区,进入“两山”发展百强县、乡村振兴百强县等榜单。")
    assert names(doc, "Place") == {"平远县"}


def test_a_name_ends_before_the_verb_of_a_report_and_a_full_name_after_a_title_may_end_in_zhong():
    doc = run("总经理李伟作了发言,队长陈勇汇报了工作。镇党委书记黄辅中出席活动。")
    assert {"李伟", "陈勇", "黄辅中"} == names(doc, "Person")


def test_the_one_appointed_is_a_person_with_the_post():
    doc = run("平远县人大常委会会议决定任命王锐为平远县人民政府副县长。")
    assert "王锐" in names(doc, "Person")
    assert ("王锐", "holdsPost", "平远县人民政府", "副县长") in facts(doc)


def test_a_centre_that_is_a_city_a_name_that_goes_on_and_a_verb_inside_are_no_bodies():
    doc = run("要抓住韶关建设省域副中心城市的机遇。县政府与省人民医院共建县中心医院。县委政法委书记张建国出席。")
    assert names(doc, "Organization") == {"县政府", "省人民医院", "县中心医院", "县委政法委"}
    assert ("张建国", "holdsPost", "县委政法委", "书记") in facts(doc)


def test_first_and_second_reviewers_are_editors():
    doc = run("平远县推进镇村建设。\n初审:黄敏华 复审:周莉娟 终审:王小平")
    assert {("黄敏华", "editor", "ARTICLE", None), ("周莉娟", "editor", "ARTICLE", None)} <= facts(doc)


def test_the_close_of_a_list_types_its_items():
    doc = run("本次集中开工石门绕城公路、仁居通用机场等6个重点项目。考察团前往华兴科技、金达家居等企业参观。"
              "目前已有平远县金禾粮油有限公司等14家企业入驻。")
    assert {"石门绕城公路", "仁居通用机场"} <= names(doc, "Programme")
    assert names(doc, "Organization") == {"华兴科技", "金达家居", "平远县金禾粮油有限公司"}


def test_a_village_a_visit_goes_to_and_the_articles_own_zone_are_places():
    doc = run("调研组走进高陂塘村,察看人居环境,又来到示范村座谈。高新区党工委委员张伟出席。")
    assert names(doc, "Place") == {"高陂塘村", "高新区"}
    assert ("张伟", "holdsPost", "高新区党工委", "委员") in facts(doc)


def test_goals_and_brands_in_quotes_are_no_programmes_but_a_programmes_goals_keep_it():
    doc = run("聚焦实施“两区三带”奋斗目标,打响“平远香柚”品牌,锚定“百千万工程”目标任务。")
    assert names(doc, "Programme") == {"百千万工程"}


def test_every_one_of_a_kind_is_no_body_and_a_word_is_no_place():
    doc = run("县人大各专门委员会负责人列席会议。村民安装太阳能热水器。")
    assert names(doc, "Organization") == {"县人大"}
    assert names(doc, "Place") == set()


def test_a_title_over_its_articles_is_a_document_and_a_stop_inside_a_word_does_not_cut_a_name():
    doc = run("平远县人民政府工作规则\n第一章 总则\n一、为规范政府工作,制定本规则。平远县开展农业社会化服务提升试点。")
    assert {"平远县人民政府工作规则", "农业社会化服务提升试点"} <= names(doc, "Programme")
    assert ("平远县人民政府工作规则", "issuedBy", "平远县人民政府", None) in facts(doc)


def test_a_park_the_statistical_model_calls_a_body_is_a_programme():
    doc = run("梅州市举行广梅产业园推介会。")
    assert "广梅产业园" in names(doc, "Programme") and "广梅产业园" not in names(doc, "Organization")


def test_a_designation_a_county_is_a_candidate_for_and_an_education_campaign_are_programmes():
    doc = run("平远县获评国家乡村振兴示范县创建单位。仁居镇结合党史学习教育,为群众办实事。")
    assert {"国家乡村振兴示范县", "党史学习教育"} <= names(doc, "Programme")
    assert ("仁居镇", "implements", "党史学习教育", None) in facts(doc)


def test_a_places_master_plan_is_a_programme_but_planning_in_general_is_not():
    doc = run("代表团了解平远县城市总体规划。各镇要做好总体规划。")
    assert names(doc, "Programme") == {"平远县城市总体规划"}


def test_a_sentence_that_opens_with_its_verb_takes_the_subject_of_the_one_before_unless_it_frames():
    doc = run("2022年,平远县抢抓机遇,扎实推进高质量发展。获评国家乡村振兴示范县创建单位。"
              "仁居镇召开会议。根据《平远县典型村培育方案》,邹坊村建起了展厅。")
    implemented = {(s, o) for s, p, o, _ in facts(doc) if p == "implements"}
    assert ("平远县", "国家乡村振兴示范县") in implemented
    assert ("仁居镇", "平远县典型村培育方案") not in implemented


def test_a_list_of_projects_names_its_first_item_and_items_joined_inside_by_ji():
    doc = run("副县长实地察看果蔬大棚种植基地建设项目、冷链物流及农资农机服务中心项目选址情况。"
              "各镇推进美丽庭院创建、壮大集体经济项目、人居环境整治建设。")
    assert names(doc, "Programme") == {"果蔬大棚种植基地建设项目", "冷链物流及农资农机服务中心项目"}


def test_two_bodies_written_together_are_two_and_bodies_named_alone_in_a_chain_hold_posts():
    doc = run("龙川县委县政府高度重视。总工会主席陈明,派出所所长韦东,监委代主任蒙立出席。")
    assert {"龙川县委", "县政府", "总工会", "派出所", "监委"} <= names(doc, "Organization")
    assert "龙川县委县政府" not in names(doc, "Organization")
    assert {("陈明", "holdsPost", "总工会", "主席"), ("韦东", "holdsPost", "派出所", "所长")} <= facts(doc)


def test_companies_counted_after_a_list_and_credits_padded_or_without_a_han_surname():
    doc = run("记者 格桑曲珍\n村里还有金穗米厂、青山养猪场两家企业。全县共有规上工业企业120家企业。各镇抓好落实。(王小燕 李 军)")
    assert names(doc, "Organization") == {"金穗米厂", "青山养猪场"}
    assert {("格桑曲珍", "author", "ARTICLE", None), ("李军", "author", "ARTICLE", None)} <= facts(doc)


def test_a_batch_of_a_quarter_and_a_project_listed_with_the_province_are_no_names():
    doc = run("今年全县推进二季度重点招商项目。该镇的片区建设项目成功入库省级项目。")
    assert not any("季度" in name or "入库" in name for name in names(doc, "Programme"))


def test_a_place_lies_in_the_last_place_after_its_locator_and_the_locating_places_run_nothing():
    doc = run("古竹镇位于广东省河源市紫金县,首批入选“百千万工程”典型镇。陈洞村地处龙门县地派镇北部。")
    found = facts(doc)
    assert {("古竹镇", "containedInPlace", "紫金县", None), ("陈洞村", "containedInPlace", "地派镇", None)} <= found
    assert ("古竹镇", "implements", "百千万工程", None) in found
    assert not any(p == "implements" and s in ("紫金县", "河源市") for s, p, _, _ in found)


def test_an_anonymous_byline_names_nobody_and_a_name_ends_before_a_speech_or_a_chair():
    doc = run("作者:佚名\n县委书记李明讲话。县委副书记、县长扎西主持召开县政府常务会议。")
    assert names(doc, "Person") == {"李明", "扎西"}


def test_a_notice_headline_without_title_marks_is_issued_by_its_head_and_an_approver_issues_nothing():
    doc = run("怀集县人民政府办公室关于印发怀集县防汛应急预案的通知\n各镇人民政府:\n"
              "经县人民政府同意,现将《怀集县防汛应急预案》印发给你们,请认真贯彻执行。\n怀集县人民政府办公室")
    assert "怀集县人民政府办公室关于印发怀集县防汛应急预案的通知" in names(doc, "Programme")
    found = facts(doc)
    assert ("怀集县人民政府办公室关于印发怀集县防汛应急预案的通知", "issuedBy", "怀集县人民政府办公室", None) in found
    assert not any(p == "issuedBy" and o == "县人民政府" for _, p, o, _ in found)


def test_a_region_of_three_is_not_cut_to_two():
    doc = run("产品主要销往粤港澳市场,也销往港澳地区。")
    assert names(doc, "Place") == {"粤港澳", "港澳"}


def test_a_further_title_of_a_pending_chain_is_held_where_its_level_says_and_a_verb_with_its_aspect_ends_a_name():
    doc = run("平远县召开会议,县委常委、副县长、组织部长罗文强作部署。关键时刻,工作队长陈晓站了出来。")
    found = facts(doc)
    assert ("罗文强", "holdsPost", "平远县", "副县长") in found
    assert ("罗文强", "holdsPost", "县委", "副县长") not in found
    assert "陈晓" in names(doc, "Person")


def test_a_quoted_base_is_a_programme_but_a_quoted_goal_holding_a_modifier_is_not():
    doc = run("该园区被认定为“国家外贸转型升级基地”。全镇围绕“全力打造全国一流的岭南国防教育基地”的目标推进工作。")
    assert "国家外贸转型升级基地" in names(doc, "Programme")
    assert not any("一流" in name for name in names(doc, "Programme"))


def test_a_list_after_a_motion_word_clauses_and_sessions_make_no_names():
    doc = run("在猕猴桃园区,张小平先后到秦宝牧业提升项目、国家骨干冷链物流产业园项目建设现场。"
              "希望费县牢固树立项目为王理念。石湾镇要主动融入发展大局。"
              "清远市十五届人大常委会第九次会议召开。清远市人大常委会主任李强主持会议。")
    assert {"秦宝牧业提升项目", "国家骨干冷链物流产业园项目"} <= names(doc, "Programme")
    assert not any(name.startswith(("到", "希望")) for name in names(doc, "Programme"))
    assert not any("融入" in name for name in names(doc, "Organization"))
    assert len([n for n in names(doc, "Organization") if "人大常委会" in n]) == 1


def test_a_listing_verb_ends_a_project_name_and_an_agricultural_park_is_a_programme():
    doc = run("此次开工的项目包括华茂电子项目、鸿运纸业项目。调研组来到青山农业园区。各镇推进现代农业园区建设。")
    assert names(doc, "Programme") == {"华茂电子项目", "鸿运纸业项目", "青山农业园区"}


def test_a_short_name_declared_for_a_body_is_that_body_wherever_it_stands():
    doc = run("平远县人民政府防汛抗旱指挥部(以下简称县防指)负责全县防汛工作,县防指统一调度各镇力量。")
    body = next(e for e in doc._.entities.values() if e.name == "平远县人民政府防汛抗旱指挥部")
    assert "县防指" in body.aliases and len(body.mentions) == 3
    assert "县防指" not in names(doc, "Organization")


def test_villages_an_inspection_lists_in_a_towns_scene_are_places_in_that_town():
    doc = run("检查组在白石镇先后察看了上坪村、石桥头村和新围村的防汛卡口。")
    assert {"上坪村", "新围村"} <= names(doc, "Place")
    assert {("上坪村", "containedInPlace", "白石镇", None), ("新围村", "containedInPlace", "白石镇", None)} <= facts(doc)


def test_a_two_character_county_stands_on_its_own_unless_a_word_runs_through_it():
    doc = run("蠡县召开春耕动员会。县委副书记、县长周立新讲话。会议要求建好新县城,代县长郑海出席。")
    assert "蠡县" in names(doc, "Place")
    assert ("周立新", "holdsPost", "蠡县", "县长") in facts(doc)
    assert not {"新县", "代县"} & names(doc, "Place"), "县城 and 县长 run through the level character"


def test_a_supervising_editor_is_an_editor():
    found = facts(run("县里推进乡村振兴。\n审核:郑立群\n监制:黄立平"))
    assert {("郑立群", "editor", "ARTICLE", None), ("黄立平", "editor", "ARTICLE", None)} <= found


def test_looking_into_a_project_is_no_part_of_its_name():
    doc = run("随后,调研组察看了河道,并了解东溪引水工程项目建设情况。")
    assert names(doc, "Programme") == {"东溪引水工程项目"}


def test_a_name_before_a_group_label_closing_a_list_is_a_person():
    doc = run("黄志强、吕斌等县领导参加会议。")
    assert {"黄志强", "吕斌"} <= names(doc, "Person")


def test_a_place_name_that_ends_inside_a_word_is_no_place():
    doc = run("端午节,主人和乡亲们一起包粽子。")
    assert "人和乡" not in names(doc, "Place")


def test_places_named_as_holders_of_a_designation_earn_it_and_the_awarder_runs_nothing():
    found = facts(run("省文化和旅游厅命名龙川县佗城镇、黄布镇为“广东省文化和旅游特色镇”。"))
    assert {("佗城镇", "implements", "广东省文化和旅游特色镇", None), ("黄布镇", "implements", "广东省文化和旅游特色镇", None)} <= found
    assert ("省文化和旅游厅", "implements", "广东省文化和旅游特色镇", None) not in found


def test_places_a_visit_goes_to_do_not_carry_out_what_the_visitors_do_there():
    found = facts(run("6月3日,县委书记王建国赴铅厂镇、过埠镇开展“清廉村居”专项行动。"
                      "调研组到汤西镇双湖村、和安村检查“百日攻坚”进展。"))
    assert not {f for f in found if f[1] == "implements" and f[0] in {"铅厂镇", "过埠镇", "双湖村", "和安村"}}
    assert ("和安村", "containedInPlace", "汤西镇", None) in found


def test_the_one_place_a_visit_goes_to_may_carry_the_programme_out():
    found = facts(run("县委书记邓立新率队到仁居镇现场办公,确保“百千万工程”各项任务落地落实。"))
    assert ("仁居镇", "implements", "百千万工程", None) in found


def test_a_village_committee_where_a_visit_goes_is_the_village():
    doc = run("调研组先后来到丰顺县北斗镇庆瑶村委会、十荷村委会,了解村集体经济发展情况。")
    assert not any(name.endswith("村委会") for name in names(doc, "Organization"))
    assert {("庆瑶村", "containedInPlace", "北斗镇", None), ("十荷村", "containedInPlace", "北斗镇", None)} <= facts(doc)


def test_titles_of_honour_a_village_holds_are_no_designations():
    doc = run("平远县泗水镇金田村先后获得“全国民主法治示范村”“广东省卫生村”等荣誉称号。")
    assert not names(doc, "Programme")


def test_the_person_a_doctrine_of_the_new_era_is_named_after_is_a_person():
    doc = run("全镇以习近平新时代中国特色社会主义思想为指导,推进乡村振兴。")
    assert names(doc, "Person") == {"习近平"}


def test_a_decision_naming_someone_to_a_post_gives_the_post():
    doc = run("会议决定王志远为县人民政府代理县长。会议决定以党建为引领。")
    assert ("王志远", "holdsPost", "县人民政府", "代理县长") in facts(doc)
    assert names(doc, "Person") == {"王志远"}


def test_a_quoted_name_before_a_volunteer_activity_or_a_battle_is_a_campaign():
    doc = run("县妇联组织开展“巾帼护河行”主题志愿活动。全县打好“清河”和“净土”攻坚战。")
    assert {"巾帼护河行", "清河", "净土"} <= names(doc, "Programme")
    assert ("县妇联", "implements", "巾帼护河行", None) in facts(doc)


def test_every_project_of_a_list_that_starts_in_a_place_is_the_places():
    found = facts(run("投资2亿元的阳岭茶叶加工厂扩建项目和县城污水管网改造项目今天在崇义县开工。"
                      "仪式上,崇义县宣布三个项目开工:章源钨业二期项目、华茂纸业扩建项目、横水镇污水处理项目。"))
    projects = {"阳岭茶叶加工厂扩建项目", "县城污水管网改造项目", "章源钨业二期项目", "华茂纸业扩建项目", "横水镇污水处理项目"}
    assert {("崇义县", "implements", p, None) for p in projects} <= found


def test_the_office_that_runs_a_reservoir_is_a_body_in_it():
    doc = run("县林业局、双湖水库管理处和县气象局的负责人出席了座谈会。")
    assert "双湖水库管理处" in names(doc, "Organization")
    assert ("双湖水库管理处", "locatedIn", "双湖水库", None) in facts(doc)


def test_a_division_written_by_its_short_form_lies_only_where_it_is_written_with_its_place():
    found = facts(run("仁居镇位于平远县北部,与差干、八尺接壤。"))
    assert ("仁居镇", "containedInPlace", "平远县", None) in found
    assert not {f for f in found if f[0] in {"差干镇", "八尺镇"}}, "neighbours named by their short forms"
    found = facts(run("平远县的差干、八尺、仁居三个镇种茶。广东梅州蕉岭县也种茶。"))
    assert {("差干镇", "containedInPlace", "平远县", None), ("八尺镇", "containedInPlace", "平远县", None),
            ("梅州市", "containedInPlace", "广东省", None)} <= found


def test_the_writer_credited_for_the_words_is_an_author():
    doc = run("县里推进乡村振兴。\n编辑:林小红 文字:周文斌 监制:郑大海")
    assert ("周文斌", "author", "ARTICLE", None) in facts(doc)
    assert names(doc, "Person") == {"林小红", "周文斌", "郑大海"}


def test_two_programmes_joined_by_和_are_two_names():
    doc = run("下一步,汤西镇将推进青山民宿产业项目和农房风貌提升示范带建设。")
    assert not any("和" in name for name in names(doc, "Programme"))
    assert "农房风貌提升示范带" in names(doc, "Programme")


def test_a_hamlet_ending_in_屯_right_after_its_village_is_a_place_in_it():
    doc = run("调研组来到崇义县上堡乡水南村石背屯,察看了道路建设情况。")
    assert ("石背屯", "containedInPlace", "水南村", None) in facts(doc)


def test_a_report_a_towns_government_issued_is_not_carried_out_by_the_town():
    found = facts(run("会议审议了《铅厂镇政府工作报告》。"))
    assert ("铅厂镇政府工作报告", "issuedBy", "铅厂镇政府", None) in found
    assert ("铅厂镇", "implements", "铅厂镇政府工作报告", None) not in found


def test_the_town_that_brings_in_a_project_carries_it_out_not_the_bodies_of_the_framing():
    found = facts(run("为落实县委、县政府部署的“招商引资年”活动,汤西镇今年引进了金田电子产业园项目。"))
    assert ("汤西镇", "implements", "金田电子产业园项目", None) in found
    assert not {f for f in found if f[0] in {"县委", "县政府"} and f[2] == "金田电子产业园项目"}


def test_a_department_of_a_ministry_before_its_title_is_the_body_of_the_post():
    doc = run("水利部规划司副司长周文斌一行到崇义县调研。")
    assert ("周文斌", "holdsPost", "水利部规划司", "副司长") in facts(doc)


def test_a_list_addressed_to_each_body_of_a_kind_names_no_body():
    assert not names(run("各州、市人民政府要高度重视。"), "Organization")
    assert "市人民政府" in names(run("县林业局、市人民政府派员参加。"), "Organization")


def test_a_team_lies_where_it_is_stationed_not_where_it_comes_from():
    found = facts(run("深圳驻汤西镇帮镇扶村工作队队长何平介绍了情况。"))
    assert ("深圳驻汤西镇帮镇扶村工作队", "locatedIn", "汤西镇", None) in found
    assert not {f for f in found if f[1] == "locatedIn" and f[2] == "深圳市"}


def test_a_post_marked_as_former_is_held_no_more():
    found = facts(run("镇党委书记王海出席仪式,嘉应学院原党委书记李明远参加。"))
    assert ("王海", "holdsPost", "镇党委", "书记") in found
    assert not {f for f in found if f[0] == "李明远"}


def test_a_name_that_ends_an_attendee_list_fills_its_titles_slot_whatever_its_surname():
    found = facts(run("陪同调研的有梅州市委副秘书长、市委研究室主任满志强。会议由副县长亲自主持。"))
    assert {("满志强", "holdsPost", "市委研究室", "主任"), ("满志强", "holdsPost", "梅州市委", "副秘书长")} <= found
    assert not {f for f in found if f[0] == "亲自"}


def test_another_partys_committee_keeps_the_party_in_its_name_and_its_chair_the_post():
    found = facts(run("民进平远县委主委李晓明、九三学社梅州市委副主委张华出席。"))
    assert {("李晓明", "holdsPost", "民进平远县委", "主委"), ("张华", "holdsPost", "九三学社梅州市委", "副主委"),
            ("民进平远县委", "locatedIn", "平远县", None)} <= found
    assert not {f for f in found if f[0] == "平远县委" or f[2] == "平远县委"}


def test_a_command_post_is_named_with_the_city_that_pairs_with_the_county():
    found = facts(run("深圳市对口帮扶平远县指挥部副指挥长陈立新讲话。"))
    assert ("陈立新", "holdsPost", "深圳市对口帮扶平远县指挥部", "副指挥长") in found
    assert ("深圳市对口帮扶平远县指挥部", "locatedIn", "平远县", None) in found
    assert not {f for f in found if f[1] == "locatedIn" and f[2] == "深圳市"}


def test_a_bank_branch_is_named_after_its_bank():
    doc = run("农业银行平远支行、县气象局的负责人参加座谈。中国银行蕉岭县支行行长李明出席。")
    assert {"农业银行平远支行", "中国银行蕉岭县支行"} <= names(doc, "Organization")
    assert "蕉岭县支行" not in names(doc, "Organization")
    assert ("李明", "holdsPost", "中国银行蕉岭县支行", "行长") in facts(doc)


def test_every_place_a_naming_lists_earns_the_designation_and_the_namers_none():
    found = facts(run("县委、县政府命名上堡乡水南村、思顺乡齐云村为“崇义县生态示范村”。"))
    assert {("水南村", "implements", "崇义县生态示范村", None), ("齐云村", "implements", "崇义县生态示范村", None)} <= found
    assert not {f for f in found if f[0] in {"县委", "县政府"} and f[1] == "implements"}


def test_every_place_of_a_published_list_earns_the_designation_it_is_the_list_of():
    found = facts(run("县农业农村局公布首批“崇义县生态示范村”名单:上堡乡水南村、思顺乡齐云村。"))
    assert {("水南村", "implements", "崇义县生态示范村", None), ("齐云村", "implements", "崇义县生态示范村", None)} <= found
    assert not {f for f in found if f[0] == "县农业农村局" and f[1] == "implements"}


def test_a_provincial_bureau_lies_in_no_county():
    found = facts(run("省林业局命名崇义县上堡乡竹溪村为“江西省森林乡村”。"))
    assert not {f for f in found if f[0] == "省林业局" and f[1] == "locatedIn"}


def test_the_head_of_a_set_phrase_after_a_title_is_no_name():
    assert not names(run("各级书记齐抓共管,确保任务落地。"), "Person")
    assert names(run("县委书记齐建国主持会议。"), "Person") == {"齐建国"}


def test_an_eco_park_after_its_town_is_a_programme_of_the_town():
    found = facts(run("调研组看了汤西镇金田生态园。"))
    assert ("汤西镇", "implements", "汤西镇金田生态园", None) in found


def test_the_bodies_that_sign_a_notice_issued_what_it_sends_out_and_their_town_carries_out_none():
    found = facts(run("关于印发《汤西镇防汛应急预案》的通知\n各村(社区):\n现将《汤西镇防汛应急预案》印发给你们,请认真贯彻执行。\n\n"
                      "中共汤西镇委员会\n丰顺县汤西镇人民政府\n2024年5月1日"))
    assert {("汤西镇防汛应急预案", "issuedBy", "中共汤西镇委员会", None), ("汤西镇防汛应急预案", "issuedBy", "丰顺县汤西镇人民政府", None),
            ("关于印发《汤西镇防汛应急预案》的通知", "issuedBy", "丰顺县汤西镇人民政府", None)} <= found
    assert ("汤西镇", "implements", "汤西镇防汛应急预案", None) not in found


def test_a_towns_government_named_with_its_county_lies_in_the_town_only():
    found = facts(run("丰顺县汤西镇人民政府召开会议。"))
    assert ("丰顺县汤西镇人民政府", "locatedIn", "汤西镇", None) in found
    assert ("丰顺县汤西镇人民政府", "locatedIn", "丰顺县", None) not in found


def test_a_second_title_with_its_own_body_goes_to_that_body():
    found = facts(run("镇党委书记、人大主席王海出席仪式。"))
    assert {("王海", "holdsPost", "镇党委", "书记"), ("王海", "holdsPost", "人大", "主席")} <= found
    assert ("王海", "holdsPost", "镇党委", "人大主席") not in found


def test_a_name_a_reserve_is_named_after_is_a_place_not_a_person():
    doc = run("县长一行参观了叶挺纪念园和罗浮山省级自然保护区。")
    assert "罗浮山" not in names(doc, "Person")
    assert "罗浮山" in names(doc, "Place")


def test_a_visits_verb_before_村_names_no_village():
    doc = run("县委书记王建国到过埠镇调研村集体经济发展情况。")
    assert names(doc, "Place") == {"过埠镇"}


def test_a_village_committee_in_an_attendee_list_is_a_body_not_a_person():
    found = facts(run("县政协副主席杨明、石桥村委会干部参加开工仪式。"))
    assert ("杨明", "holdsPost", "县政协", "副主席") in found
    assert not {f for f in found if f[0].startswith("石桥村")}


def test_byline_labels_padded_with_spaces_still_credit_every_name():
    found = facts(run("县里推进乡村振兴。\n(记 者:林晓东 陈雨桐 见习记者 赵一鸣)\n编 辑:林小红"))
    assert {("林晓东", "author", "ARTICLE", None), ("陈雨桐", "author", "ARTICLE", None), ("赵一鸣", "author", "ARTICLE", None),
            ("林小红", "editor", "ARTICLE", None)} <= found
