"""The views read the content model (types by role, enum order, titles, colours)
instead of spelling it: a model declaring otherwise changes what they show."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import sphinx_needs.data

from council.model.content_model import Roles, project_model
from council.model.need_index import INDEX_ATTR, NeedIndex, checkitems, need_index, works
from council.views import traceability as tr
from council.views.catalog import records_from_needs, site_figures
from council.views.graph import case_dot
from helpers import REPO
from test_traceability_unit import project

MODEL = project_model()


def model(**changes):
    """The project's model with some declarations replaced."""
    return dataclasses.replace(MODEL, **changes)


def test_plain_mappings_are_read_with_the_project_model():
    assert tr.index(project()).model == MODEL
    assert MODEL.roles.works == ("entrustment", "development")


def test_work_types_come_from_the_roles():
    needs = project()
    needs["DEV_2020_A_1"] = {"id": "DEV_2020_A_1", "type": "development", "part_of": ["CASE_2020_A"]}
    assert [w["id"] for w in works(needs, "CASE_2020_A")] == ["DEV_2020_A_1", "ENT_2020_A_1"]
    only_entrustments = model(roles=dataclasses.replace(MODEL.roles, works=("entrustment",)))
    index = NeedIndex(needs, only_entrustments)
    assert [w["id"] for w in works(index, "CASE_2020_A")] == ["ENT_2020_A_1"]
    # The coverage follows: the measures of a work that is no work are not counted.
    assert tr.coverage(index, "CASE_2019_B").figures().covered == 0
    assert tr.coverage(project(), "CASE_2019_B").figures().covered == 1


def test_measure_types_come_from_the_roles():
    no_measures = NeedIndex(project(), model(roles=dataclasses.replace(MODEL.roles, measures=())))
    assert tr.case_matrix(no_measures, "CASE_2020_A").rows == ()
    assert tr.relying_cases(no_measures, "CHK_WO_01", "satisfies") == []
    assert tr.case_matrix(project(), "CASE_2020_A").rows != ()


def test_checklist_order_follows_the_declared_enumerations():
    assert [i["id"] for i in checkitems(project())] == ["CHK_WO_01", "CHK_WS_01", "CHK_CO_01"]
    schemas = {**MODEL.field_schemas, "actor": {"type": "string", "enum": ["受託者", "区"]},
               "aspect": {"type": "string", "enum": ["システム", "運用"]}}
    reordered = NeedIndex(project(), model(field_schemas=schemas))
    assert [i["id"] for i in checkitems(reordered)] == ["CHK_CO_01", "CHK_WS_01", "CHK_WO_01"]


def test_category_rows_follow_the_declared_categories():
    schemas = {**MODEL.field_schemas, "category": {"type": "string", "enum": ["技術的", "組織的"]}}
    table = tr.coverage_summary_table(NeedIndex(project(), model(field_schemas=schemas)), "CASE_2020_A")
    assert [row[0] for row in table.rows[:2]] == ["技術的安全管理措置", "組織的安全管理措置"]


def test_type_titles_name_the_works():
    titles = {**MODEL.type_titles, "entrustment": "委託"}
    index = NeedIndex(project(), model(type_titles=titles))
    rows = {str(r[0]): r for r in tr.data_work_table(index).rows}
    assert rows["ENT_2020_A_1"][2] == "委託"
    assert rows["DEV_2019_B_1"][2] == "開発・変更"
    assert "ENT_2020_A_1\\n委託" in case_dot(index, "CASE_2020_A")


def test_graph_colours_are_the_declared_type_colours():
    dot = case_dot(project(), "CASE_2020_A")
    assert f'"CASE_2020_A" [label="CASE_2020_A\\n案件", fillcolor="{MODEL.type_color("case")}"];' in dot
    recoloured = NeedIndex(project(), model(type_colors={**MODEL.type_colors, "safeguard": "#123456"}))
    assert '"SG_2020_A_E1_CO_01" [label="SG_2020_A_E1_CO_01\\n対策", fillcolor="#123456"];' in case_dot(
        recoloured, "CASE_2020_A")


def test_catalogue_counts_and_names_the_roles():
    needs = project()
    needs["ENT_2020_A_1"] = {**needs["ENT_2020_A_1"], "start": "2020-04"}
    needs = list(needs.values())
    assert site_figures(needs) == [("案件", 2), ("業務委託・開発", 2), ("情報保護対策", 3),
                                   ("チェックリスト項目", 3), ("特記事項の条項", 6)]
    renamed = model(type_titles={**MODEL.type_titles, "case": "議案"},
                    roles=Roles(**{**dataclasses.asdict(MODEL.roles), "works": ("development",)}))
    assert site_figures(needs, renamed)[:2] == [("議案", 2), ("業務委託・開発", 1)]
    assert {r.id: r.start for r in records_from_needs(needs)}["CASE_2020_A"] == "2020-04"
    assert {r.id: r.start for r in records_from_needs(needs, renamed)}["CASE_2020_A"] == ""


def test_need_index_is_built_once_per_build_with_the_apps_model(monkeypatch):
    built = []

    class Data:
        def __init__(self, env):
            self.env = env

        def get_needs_view(self):
            built.append(self.env)
            return project()

    monkeypatch.setattr(sphinx_needs.data, "SphinxNeedsData", Data)
    app = SimpleNamespace(env="env", confdir=str(REPO), config=SimpleNamespace(needs_from_toml="ubproject.toml"))
    first = need_index(app)
    assert need_index(app) is first and built == ["env"]
    assert first.model == MODEL and set(first) == set(project())
    setattr(app, INDEX_ATTR, None)  # what the environment update does
    assert need_index(app) is not first and built == ["env", "env"]
