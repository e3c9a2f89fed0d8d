"""Shared test fixtures."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
# Tests on the bundled sample write no audit log into data/raw/ (hailong.core.audit);
# tests of the log itself turn it back on (tests/test_serve.py).
os.environ.setdefault("HAILONG_AUDIT", "off")
# The tool speaks Vietnamese by default; the tests read its messages in English (they match
# English text). Tests of the Vietnamese messages ask for them (using_lang("vi"), --lang vi).
os.environ["HAILONG_LANG"] = "en"

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from hailong.numbers.scoring import compute_results  # noqa: E402
from hailong.reference.codebook import load_codebook  # noqa: E402
from hailong.reference.config import PROJECT_ROOT  # noqa: E402
from hailong.reference.geography import load_units  # noqa: E402

_CODEBOOK = PROJECT_ROOT / "data" / "reference" / "codebook" / "codebook-v1.yaml"
_UNITS = PROJECT_ROOT / "data" / "reference" / "units-2022.csv"


def small_results_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A tiny round: (responses, roster) in the canonical shape of docs/design.md.

    - Thuỷ Nguyên (311): 10 cooperatives listed, 8 answered; every item 4 ("Hài lòng")
      except the three D07 items, 2 ("Không hài lòng"); overall question 4.
    - Hồng Bàng (303): 6 listed, 5 answered; every item 5, but two of them have no
      opinion on D03 (so D03 rests on 3 respondents and is withheld); overall 5.
    - Bạch Long Vĩ (318): 2 listed, 1 answered, every item 3 (withheld: below min_n 5).
    Every cooperative is agricultural (variant NN: asked every item).
    """
    codebook = load_codebook(_CODEBOOK)
    items = [it.id for it in codebook.items]
    plan = [("311", 10, 8), ("303", 6, 5), ("318", 2, 1)]
    roster_rows, resp_rows = [], []
    k = 0
    for district, listed, answered in plan:
        for j in range(listed):
            k += 1
            coop = f"HP-{k:04d}"
            roster_rows.append({"coop_id": coop, "district_code": district,
                                "commune_code": "", "sector": "nong_nghiep",
                                "variant": "NN", "member": True})
            if j >= answered:
                continue
            if district == "311":
                answers = {i: (2.0 if i.startswith("D07") else 4.0) for i in items}
                overall = 4.0
            elif district == "303":
                answers = {i: (np.nan if j < 2 and i.startswith("D03") else 5.0)
                           for i in items}
                overall = 5.0
            else:
                answers = dict.fromkeys(items, 3.0)
                overall = 3.0
            resp_rows.append({"coop_id": coop, "district_code": district,
                              "commune_code": "", "sector": "nong_nghiep", "variant": "NN",
                              "member": True, **answers, "OVERALL": overall,
                              "DIFFICULTIES": "", "RECOMMENDATIONS": ""})
    return pd.DataFrame(resp_rows), pd.DataFrame(roster_rows)


def build_small_results():
    """:class:`hailong.numbers.scoring.Results` of :func:`small_results_inputs` (min_n 5)."""
    responses, roster = small_results_inputs()
    return compute_results(
        responses, roster, load_codebook(_CODEBOOK), load_units(_UNITS), min_n=5,
        meta={"round": 2022, "round_label": {"vi": "Năm 2022", "en": "2022"},
              "organisation": {"vi": "Liên minh Hợp tác xã thành phố Hải Phòng",
                               "en": "Hai Phong City Cooperative Alliance"},
              "data_date": "2023-05-16"})


# --- Markers: `make test-fast` runs -m "not slow and not browser" -------------------------
#: Modules that drive Chromium.
BROWSER_MODULES = {"test_browser", "test_pdf", "test_serve_browser", "test_phone",
                   "test_serve_entry_browser"}
#: Modules whose tests build reports, run notebooks or kernels, or run at scale.
SLOW_MODULES = {"test_backtest", "test_build", "test_corpus", "test_executors", "test_explore",
                "test_incremental", "test_national", "test_processes", "test_reports",
                "test_stats_scale", "test_serve_entry_browser"}
#: Tests of about a second or more; tests sharing a costly fixture are listed together.
SLOW_TESTS = {
    "test_charts": {"test_every_chart_has_a_title_units_and_the_source_line",
                    "test_english_charts_have_no_vietnamese_words",
                    "test_heatmap_of_114_communes_is_four_figures_on_one_colour_scale",
                    "test_ranking_of_114_communes_is_four_figures_in_the_single_charts_order",
                    "test_text_sizes_shared_across_figures_change_no_byte"},
    "test_cli": {"test_failed_report_exits_1_and_names_unit_and_cell",
                 "test_losses_above_the_limit_exit_3_unless_published_anyway",
                 "test_the_limit_is_a_setting",
                 "test_validate_of_the_sample_export_speaks_vietnamese",
                 "test_progress_prints_only_vietnamese"},
    "test_disclosure": {"test_a_withheld_unit_has_no_figure_in_any_published_table",
                        "test_the_command_stops_with_exit_2_and_no_traceback"},
    "test_followup": {"test_build_writes_the_lists_once_and_the_index_never_links_them"},
    "test_intruder": {
        "test_the_figures_a_sample_round_publishes_let_no_withheld_cell_be_worked_out"},
    "test_progress": {"test_progress_notebook_reports_the_day_asked_for",
                      "test_progress_notebook_names_no_cooperative_and_no_person",
                      "test_progress_command_prints_the_table_and_writes_the_workbook",
                      "test_progress_charts_rank_the_districts_and_draw_target_and_deadline"},
    "test_rounds": {"test_the_commune_round_builds_real_reports_for_two_communes_and_the_city",
                    "test_build_of_a_round_without_data_stops_before_any_notebook",
                    "test_trend_2022_lines_up_2021_through_the_mapping",
                    "test_districts_lined_up_on_communes_through_a_pooling_crosswalk",
                    "test_items_are_compared_through_the_mapping_not_by_id"},
    "test_sample": {"test_committed_samples_of_other_rounds_are_their_default_generation",
                    "test_2021_uses_the_older_questionnaire",
                    "test_same_seed_gives_byte_identical_files_and_another_seed_differs"},
    "test_scoring": {"test_only_the_configured_kinds_are_ranked_and_each_keeps_its_own_draws"},
    "test_stats": {"test_weights_sum_to_the_population"},
    "test_store": {"test_round_trip"},
    "test_themes_redaction": {"test_redactor_gives_what_the_plain_rules_give"},
    "test_workbook": {"test_text_cells_are_never_formulas",
                      "test_intervals_tiers_and_flags_come_from_the_results",
                      "test_english_workbook",
                      "test_results_without_the_statistics_columns",
                      "test_secondary_suppression_is_withheld_and_explained"},
    "test_writers": {"test_every_round_writer_follows_the_permission_policy",
                     "test_a_new_format_is_one_module_and_one_line"},
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module, name = item.path.stem, getattr(item, "originalname", item.name)
        if module in BROWSER_MODULES:
            item.add_marker(pytest.mark.browser)
        if module in SLOW_MODULES or name in SLOW_TESTS.get(module, ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def small_results():
    """A small real ``Results`` (see :func:`small_results_inputs`); do not modify it."""
    return build_small_results()
