"""Numbers, dates, unit names and fixed phrases as a reader of the report sees them.

Vietnamese by default (``1.234,5``, ``78,5%``, ``16/05/2023``); English with
``lang="en"`` (``1,234.5``, ``78.5%``, ``16 May 2023``). A value that is missing or
withheld (fewer than ``min_n`` respondents) is shown as :data:`SUPPRESSED`, an em dash
"—", never as 0. All text returned is Unicode NFC.
"""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
from collections.abc import Mapping, Sequence

import pandas as pd

from hailong.core.text import nfc
from hailong.core.errors import ParameterError
from hailong.reference.geography import CITY
from hailong.numbers.scoring import INDEX
# rounded(x, decimals): x as the reports print it, half away from zero (71.25 -> 71.3).
# It lives in hailong.numbers.stats, whose tiers compare values as printed.
from hailong.numbers.stats import rounded

#: What the report shows instead of a missing or withheld figure (U+2014 EM DASH).
SUPPRESSED = "—"
#: Report languages.
LANGS = ("vi", "en")

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")

# Vietnamese unit types (first words of ``full_name``) and their English names.
_TYPES_EN = {
    "thành phố": "City", "tỉnh": "Province", "quận": "District", "huyện": "District",
    "thị xã": "Town", "phường": "Ward", "xã": "Commune", "thị trấn": "Township",
    "đặc khu": "Special Zone",
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a report language, else raise :class:`ParameterError`."""
    if lang not in LANGS:
        raise ParameterError("Unknown report language.", found=lang,
                             expected=" or ".join(repr(x) for x in LANGS),
                             hint='Use lang = "vi" (Vietnamese) or lang = "en" (English).')
    return lang


def is_missing(x: object) -> bool:
    """True for ``None``, NaN and ``pd.NA`` — values the report shows as "—"."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def number(x: float | None, decimals: int = 1, lang: str = "vi") -> str:
    """``1234.5`` -> ``"1.234,5"`` (vi) / ``"1,234.5"`` (en); missing -> ``"—"``.

    Rounded with :func:`rounded`; never prints "-0,0".
    """
    check_lang(lang)
    if is_missing(x):
        return SUPPRESSED
    value = rounded(x, decimals)
    text = f"{abs(value) if value == 0 else value:,.{decimals}f}"
    if lang == "vi":
        text = text.translate(str.maketrans(",.", ".,"))
    return text


def count(n: int | None, lang: str = "vi") -> str:
    """A whole number with thousands separators: ``1234`` -> ``"1.234"`` / ``"1,234"``."""
    return number(n, 0, lang)


def percent(share: float | None, decimals: int = 1, lang: str = "vi") -> str:
    """A share 0–1 as a percentage: ``0.785`` -> ``"78,5%"`` (vi) / ``"78.5%"`` (en)."""
    if is_missing(share):
        check_lang(lang)
        return SUPPRESSED
    return number(float(share) * 100, decimals, lang) + "%"


def date(d: dt.date | str | None, lang: str = "vi") -> str:
    """``2023-05-16`` -> ``"16/05/2023"`` (vi) / ``"16 May 2023"`` (en).

    Accepts a date, a datetime / ``pd.Timestamp`` or an ISO string.
    """
    check_lang(lang)
    if is_missing(d):
        return SUPPRESSED
    if isinstance(d, str):
        d = pd.Timestamp(d)
    if lang == "vi":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def ascii_name(text: str) -> str:
    """Vietnamese without diacritics, as English texts write it: "Thuỷ Nguyên" -> "Thuy Nguyen"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _unit_row(source: object, code: str | None) -> Mapping:
    """The row (``name``, ``full_name``, ...) of unit ``code`` in ``source``."""
    if isinstance(source, (pd.Series, Mapping)):
        return source
    table = getattr(source, "units", source)  # Results -> its units table
    table = getattr(table, "table", table)    # geography.Units -> its table
    if not isinstance(table, pd.DataFrame):
        raise TypeError("unit_name needs a Results, a units table or a units row.")
    key = "unit" if "unit" in table.columns else "code"
    rows = table[table[key].astype(str) == str(code)]
    if rows.empty and code == CITY and "level" in table.columns:
        rows = table[table["level"] == "province"]
    if rows.empty:
        valid = ", ".join(table[key].astype(str))
        raise ParameterError("Unknown unit code.", found=code, expected=f"one of {valid}",
                             hint="Use the GSO code of the unit, or 'city'.")
    return rows.iloc[0]


def unit_name(source: object, code: str | None = None, lang: str = "vi",
              form: str = "full") -> str:
    """The one way a report names a unit.

    Parameters
    ----------
    source
        A ``Results`` (its ``units`` table), a units DataFrame (columns ``unit`` or
        ``code``, ``name``, ``full_name``), a ``geography.Units``, or one row of such a table.
    code
        Unit code (``"city"`` = the province); ignored when ``source`` is a row.
    lang
        ``"vi"`` or ``"en"``.
    form
        ``"full"`` — "Huyện Thuỷ Nguyên" / "Thuy Nguyen District" (titles, tables);
        ``"inline"`` — the same inside a sentence: "huyện Thuỷ Nguyên" (vi);
        ``"short"`` — "Thuỷ Nguyên" / "Thuy Nguyen" (chart labels).
    """
    check_lang(lang)
    row = _unit_row(source, code)
    short, full = nfc(str(row["name"])), nfc(str(row["full_name"]))
    if form == "short":
        return short if lang == "vi" else ascii_name(short)
    if form not in ("full", "inline"):
        raise ValueError(f"form must be 'full', 'inline' or 'short', not {form!r}")
    if lang == "vi":
        return full[:1].lower() + full[1:] if form == "inline" else full
    for col in ("full_name_en", "name_en"):
        if col in row and not is_missing(row[col]) and str(row[col]):
            return str(row[col])
    kind = full[: len(full) - len(short)].strip().lower() if full.endswith(short) else ""
    english = ascii_name(short)
    return f"{english} {_TYPES_EN[kind]}" if kind in _TYPES_EN else english


# ---------------------------------------------------------------------------------------
#: What the reports call the units of each reporting level: ``{level: {lang: (plural,
#: singular)}}``. Vietnamese uses the list of unit types ("quận, huyện"; "xã, phường, đặc
#: khu" since the 01/07/2025 reform) and, for one unit of a commune round, "đơn vị cấp xã".
UNIT_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "district": {"vi": ("quận, huyện", "quận, huyện"), "en": ("districts", "district")},
    "commune": {"vi": ("xã, phường, đặc khu", "đơn vị cấp xã"), "en": ("communes", "commune")},
}
_OTHER_UNITS = {"vi": ("đơn vị", "đơn vị"), "en": ("units", "unit")}


def unit_words(level: str | None = "district", lang: str = "vi") -> dict[str, str]:
    """How a report calls the units of ``level`` (the one place; :func:`t` fills them in).

    Returns ``{"units": plural, "unit_sg": singular, "Units": ..., "Unit_sg": ...}`` (the
    last two capitalised, for the start of a sentence). ``None`` means ``"district"``; an
    unknown level gets the neutral "đơn vị" / "units".

    >>> unit_words("commune", "vi")["units"]
    'xã, phường, đặc khu'
    """
    check_lang(lang)
    plural, singular = UNIT_WORDS.get(level or "district", _OTHER_UNITS)[lang]
    return {"units": plural, "unit_sg": singular,
            "Units": plural[:1].upper() + plural[1:],
            "Unit_sg": singular[:1].upper() + singular[1:]}


#: Fixed phrases of the reports: ``{key: {lang: text}}``; ``{field}`` parts are filled by
#: :func:`t`. Add a phrase here (in every language) rather than writing it in a notebook.
MESSAGES: dict[str, dict[str, str]] = {
    # titles and sections
    "report_title": {
        "vi": "Báo cáo chỉ số hài lòng của HTX – {unit} – {period}",
        "en": "Cooperatives' satisfaction report – {unit} – {period}"},
    "report_subtitle": {
        "vi": "Khảo sát mức độ hài lòng của hợp tác xã với cấp ủy, chính quyền địa phương",
        "en": "Survey of cooperatives' satisfaction with local Party committees and government"},
    "sec_summary": {"vi": "Tóm tắt", "en": "Summary"},
    "sec_key_figures": {"vi": "Các số liệu chính", "en": "Key figures"},
    "sec_dimensions": {"vi": "Chỉ số theo lĩnh vực", "en": "Index by area"},
    "sec_vs_city": {"vi": "So sánh với toàn thành phố", "en": "Compared with the whole city"},
    "sec_distribution": {"vi": "Phân bố câu trả lời", "en": "How cooperatives answered"},
    "sec_coverage": {"vi": "Tiến độ khảo sát", "en": "Survey coverage"},
    # {units} / {unit_sg} / {Units} / {Unit_sg}: what the round's units are called
    # (:data:`UNIT_WORDS`), filled by :func:`t` from its ``unit_level``.
    "sec_districts": {"vi": "So sánh các {units}",
                      "en": "Comparison of the {units}"},
    "sec_heatmap": {"vi": "Chỉ số theo lĩnh vực và {unit_sg}",
                    "en": "Index by area and {unit_sg}"},
    "sec_district_table": {"vi": "Bảng số liệu các {units}",
                           "en": "Figures for all {units}"},
    "sec_method": {"vi": "Phương pháp tính", "en": "Method"},
    # table headers
    "col_figure": {"vi": "Chỉ tiêu", "en": "Figure"},
    "col_dimension": {"vi": "Lĩnh vực", "en": "Area"},
    "col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "col_n": {"vi": "Số HTX trả lời", "en": "Cooperatives answering"},
    "col_roster": {"vi": "Số HTX trong danh sách", "en": "Cooperatives listed"},
    "col_coverage": {"vi": "Tỷ lệ tham gia", "en": "Coverage"},
    "col_index": {"vi": "Chỉ số (0–100)", "en": "Index (0–100)"},
    "col_satisfied": {"vi": "Tỷ lệ hài lòng", "en": "% satisfied"},
    "col_city": {"vi": "Toàn thành phố", "en": "Whole city"},
    # key figures
    "kf_answered": {"vi": "HTX đã trả lời / trong danh sách",
                    "en": "Cooperatives answered / listed"},
    "kf_coverage": {"vi": "Tỷ lệ tham gia khảo sát", "en": "Coverage"},
    "kf_index": {"vi": "Chỉ số hài lòng chung (0–100)", "en": "Satisfaction index (0–100)"},
    "kf_satisfied": {"vi": "Tỷ lệ câu trả lời hài lòng trở lên",
                     "en": "Answers \"satisfied\" or better"},
    "kf_overall": {"vi": "Đánh giá chung – câu {number} (0–100)",
                   "en": "Overall rating – question {number} (0–100)"},
    "kf_overall_satisfied": {"vi": "Hài lòng chung – câu {number}",
                             "en": "Satisfied overall – question {number}"},
    # charts
    "source": {"vi": "Nguồn: Khảo sát mức độ hài lòng của HTX năm {year}, {org}",
               "en": "Source: {org}, cooperatives' satisfaction survey {year}"},
    "profile_title": {"vi": "Chỉ số hài lòng theo lĩnh vực", "en": "Satisfaction index by area"},
    "axis_index": {"vi": "Chỉ số hài lòng (0–100)", "en": "Satisfaction index (0–100)"},
    "axis_share": {"vi": "Tỷ lệ câu trả lời (%)", "en": "Share of answers (%)"},
    "axis_coverage": {"vi": "Tỷ lệ HTX đã trả lời (%)", "en": "Cooperatives that answered (%)"},
    "distribution_title": {"vi": "Phân bố câu trả lời theo lĩnh vực",
                           "en": "Answers by area"},
    "coverage_title": {"vi": "Tỷ lệ HTX tham gia khảo sát",
                       "en": "Cooperatives that took part"},
    "coverage_by_district_title": {"vi": "Tỷ lệ HTX tham gia khảo sát theo {unit_sg}",
                                   "en": "Coverage by {unit_sg}"},
    "answered": {"vi": "Đã trả lời", "en": "Answered"},
    "not_yet": {"vi": "Chưa trả lời", "en": "Not yet answered"},
    "comparison_title": {"vi": "Chỉ số hài lòng chung theo {unit_sg}",
                         "en": "Satisfaction index by {unit_sg}"},
    "heatmap_title": {"vi": "Chỉ số hài lòng theo lĩnh vực và {unit_sg}",
                      "en": "Satisfaction index by area and {unit_sg}"},
    "city_value": {"vi": "Toàn thành phố: {value}", "en": "Whole city: {value}"},
    "suppressed_note": {
        "vi": "— : không công bố (dưới {min_n} HTX trả lời)",
        "en": "— : not published (fewer than {min_n} cooperatives answered)"},
    # --- intervals, tiers, comparisons, disclosure control, themes (hailong.numbers.stats) ---
    "suppressed_note_secondary": {
        "vi": "— : không công bố (dưới {min_n} HTX trả lời, hoặc ẩn thêm để không suy ra "
              "được số liệu đã ẩn từ số liệu toàn thành phố)",
        "en": "— : not published (fewer than {min_n} cooperatives answered, or withheld so "
              "that a withheld figure cannot be worked out from the city's)"},
    "unreliable_note": {
        "vi": "* : sai số tương đối trên {rse}, cần đọc thận trọng",
        "en": "* : relative standard error above {rse}, read with care"},
    "col_interval": {"vi": "Khoảng tin cậy {level}", "en": "{level} interval"},
    "col_vs_city": {"vi": "So với toàn thành phố", "en": "Compared with the city"},
    "col_tier": {"vi": "Xếp loại", "en": "Tier"},
    "col_rank": {"vi": "Thứ hạng (khoảng)", "en": "Rank (range)"},
    "col_theme": {"vi": "Chủ đề", "en": "Theme"},
    "col_mentions": {"vi": "Số HTX nêu", "en": "Cooperatives mentioning"},
    "col_mentions_share": {"vi": "Tỷ lệ trong số HTX trả lời câu hỏi",
                           "en": "Share of those who answered"},
    "vs_above": {"vi": "▲ cao hơn", "en": "▲ above"},
    "vs_similar": {"vi": "≈ tương đương", "en": "≈ similar"},
    "vs_below": {"vi": "▼ thấp hơn", "en": "▼ below"},
    "kf_index_interval": {"vi": "– khoảng tin cậy {level} của chỉ số",
                          "en": "– {level} interval of the index"},
    "kf_satisfied_interval": {"vi": "– khoảng tin cậy {level} của tỷ lệ hài lòng",
                              "en": "– {level} interval of % satisfied"},
    "kf_tier": {"vi": "Xếp loại", "en": "Tier"},
    "kf_rank": {"vi": "Thứ hạng trong {k} {units} được công bố (khoảng có thể)",
                "en": "Rank among {k} published {units} (plausible range)"},
    "sec_themes": {"vi": "Khó khăn và kiến nghị của HTX",
                   "en": "Cooperatives' difficulties and recommendations"},
    "sec_quotes": {"vi": "Một số kiến nghị tiêu biểu", "en": "Some typical recommendations"},
    "sec_reliability": {"vi": "Độ tin cậy của thang đo", "en": "Reliability of the scales"},
    "ranking_title": {"vi": "Chỉ số hài lòng chung theo {unit_sg} (khoảng tin cậy {level})",
                      "en": "Satisfaction index by {unit_sg} ({level} intervals)"},
    "themes_title": {"vi": "Chủ đề trong kiến nghị của HTX – toàn thành phố",
                     "en": "Themes of the cooperatives' recommendations – whole city"},
    "axis_mentions": {"vi": "Tỷ lệ HTX nêu chủ đề (% số HTX có kiến nghị)",
                      "en": "Cooperatives mentioning the theme (% of those who answered)"},
    "legend_interval": {"vi": "Khoảng tin cậy {level}", "en": "{level} interval"},
    "legend_vs": {"vi": "▲ / ▼ cao / thấp hơn toàn thành phố",
                  "en": "▲ / ▼ above / below the city"},
    "rank_short": {"vi": "hạng {rank}", "en": "rank {rank}"},
    "col_alpha": {"vi": "Hệ số alpha", "en": "Alpha"},
    "col_items": {"vi": "Số câu hỏi", "en": "Questions"},
    "col_reading": {"vi": "Đánh giá", "en": "Reading"},
    "col_question": {"vi": "Câu hỏi", "en": "Question"},
    # --- survey progress and follow-up lists (hailong.numbers.coverage, hailong.publish.followup) ---
    "progress_name": {"vi": "Tiến độ khảo sát", "en": "Survey progress"},
    "progress_page_title": {"vi": "Tiến độ khảo sát – {period}",
                            "en": "Survey progress – {period}"},
    "progress_title": {"vi": "Tiến độ khảo sát – {period} – đến ngày {day}",
                       "en": "Survey progress – {period} – as of {day}"},
    "sec_progress_districts": {"vi": "Tiến độ theo {unit_sg}", "en": "Progress by {unit_sg}"},
    "sec_progress_curve": {"vi": "Số HTX trả lời theo thời gian",
                           "en": "Answers over time"},
    "sec_progress_groups": {"vi": "Theo nhóm HTX", "en": "By group of cooperatives"},
    "group_member": {"vi": "Thành viên Liên minh", "en": "Members of the Alliance"},
    "group_non_member": {"vi": "Chưa là thành viên", "en": "Not members"},
    "col_group": {"vi": "Nhóm", "en": "Group"},
    "col_answered_of": {"vi": "Đã trả lời / danh sách", "en": "Answered / listed"},
    "col_change": {"vi": "Thêm từ {day}", "en": "New since {day}"},
    "col_needed": {"vi": "Cần mỗi ngày", "en": "Needed a day"},
    "col_projected": {"vi": "Dự kiến đạt mục tiêu", "en": "Target met (projected)"},
    "col_behind": {"vi": "Chậm tiến độ", "en": "Behind pace"},
    "behind_mark": {"vi": "chậm", "en": "behind"},
    "progress_status": {
        "vi": "Đến hết ngày {day}, {answered} trên {roster} HTX ({share}) đã trả lời khảo "
              "sát, thêm {change} HTX so với ngày {previous}.",
        "en": "By the end of {day}, {answered} of the {roster} cooperatives ({share}) had "
              "answered the survey, {change} more than on {previous}."},
    "progress_needed": {
        "vi": "Để đạt mục tiêu {target} vào ngày {deadline} còn cần {remaining} HTX, tức "
              "{per_day} HTX mỗi ngày.",
        "en": "To reach the target of {target} by {deadline}, {remaining} more cooperatives "
              "must answer: {per_day} a day."},
    "progress_overdue": {
        "vi": "Đã hết hạn ({deadline}); còn thiếu {remaining} HTX để đạt mục tiêu {target}.",
        "en": "The deadline ({deadline}) is over; {remaining} cooperatives are still "
              "missing for the target of {target}."},
    "progress_projected": {
        "vi": "Với tốc độ của {days} ngày gần nhất ({per_day} HTX mỗi ngày), mục tiêu sẽ "
              "đạt vào khoảng ngày {day}.",
        "en": "At the pace of the last {days} days ({per_day} a day), the target would be "
              "met around {day}."},
    "progress_stalled": {
        "vi": "Trong {days} ngày gần nhất không có HTX nào trả lời thêm, nên chưa dự kiến "
              "được ngày đạt mục tiêu.",
        "en": "No further cooperative answered in the last {days} days, so no date can be "
              "projected."},
    "progress_reached": {"vi": "Mục tiêu {target} đã đạt vào ngày {day}.",
                         "en": "The target of {target} was met on {day}."},
    "progress_behind": {
        "vi": "{count} {units} chậm tiến độ (giữ tốc độ hiện nay sẽ không đạt mục tiêu "
              "đúng hạn): {names}.",
        "en": "{count} {units} are behind pace (at their recent pace they would miss the "
              "deadline): {names}."},
    "progress_method": {
        "vi": "Một HTX được tính là đã trả lời từ phiếu hợp lệ đầu tiên của HTX đó (phiếu "
              "gửi trùng chỉ tính một lần; phiếu không ghi mã HTX được đối chiếu theo tên "
              "HTX trong danh sách). Số \"thêm\" so sánh với ngày {previous} ({days} ngày "
              "trước). Tốc độ gần đây là số HTX trả lời lần đầu trong {window} ngày gần "
              "nhất chia cho số ngày; ngày dự kiến đạt mục tiêu giả định tốc độ đó không "
              "đổi. Các {units} \"chậm tiến độ\" là nơi chưa đạt mục tiêu và theo tốc độ đó "
              "sẽ không đạt trước hạn.",
        "en": "A cooperative counts as answered from its first valid submission (repeated "
              "submissions count once; submissions without a cooperative code are matched "
              "to the roster by name). \"New\" compares with {previous} ({days} days "
              "earlier). The recent pace is the number of cooperatives that answered for the "
              "first time in the last {window} days divided by the days; the projected date "
              "assumes that pace holds. The {units} \"behind pace\" are those that have not "
              "met the target and would not meet it by the deadline at that pace."},
    "progress_by_district_title": {"vi": "Tỷ lệ HTX đã trả lời theo {unit_sg}",
                                   "en": "Cooperatives that answered, by {unit_sg}"},
    "cumulative_title": {"vi": "Số HTX đã trả lời (cộng dồn) – toàn thành phố",
                         "en": "Cooperatives that answered (cumulative) – whole city"},
    "groups_title": {"vi": "Tỷ lệ HTX đã trả lời theo nhóm",
                     "en": "Cooperatives that answered, by group"},
    "axis_answered_n": {"vi": "Số HTX đã trả lời", "en": "Cooperatives that answered"},
    "legend_answered": {"vi": "Đã trả lời (cộng dồn)", "en": "Answered (cumulative)"},
    "target_value": {"vi": "Mục tiêu: {value}", "en": "Target: {value}"},
    "deadline_value": {"vi": "Hạn: {day}", "en": "Deadline: {day}"},
    "today_value": {"vi": "Đến ngày {day}", "en": "As of {day}"},
    "internal_mark": {"vi": "NỘI BỘ — không phát hành",
                      "en": "NỘI BỘ — không phát hành (internal, not for release)"},
    "followup_title": {"vi": "Danh sách HTX chưa trả lời khảo sát – {unit} – đến ngày {day}",
                       "en": "Cooperatives that have not answered – {unit} – as of {day}"},
    "followup_count": {"vi": "{count} HTX chưa trả lời / {roster} HTX trong danh sách",
                       "en": "{count} not answered of {roster} listed"},
    "followup_none": {"vi": "Tất cả HTX đã trả lời.", "en": "Every cooperative has answered."},
    "followup_summary": {"vi": "Tổng hợp", "en": "Summary"},
    "followup_unresolved": {"vi": "Phiếu chưa xác định HTX",
                            "en": "Submissions to resolve"},
    "followup_unresolved_note": {
        "vi": "Các phiếu dưới đây không ghi mã HTX (hoặc ghi mã không có trong danh sách) và "
              "tên HTX không khớp với đúng một HTX trong danh sách. Cần xác định HTX, ghi mã "
              "vào tệp dữ liệu rồi chạy lại.",
        "en": "These submissions have no cooperative code of the roster, and their name fits "
              "no cooperative of the roster, or several. Find the cooperative, write its "
              "code in the export and run again."},
    "col_coop_id": {"vi": "Mã HTX", "en": "Code"},
    "col_coop_name": {"vi": "Tên HTX", "en": "Cooperative"},
    "col_commune": {"vi": "Xã, phường, thị trấn", "en": "Commune"},
    "col_sector": {"vi": "Ngành nghề", "en": "Sector"},
    "col_director": {"vi": "Giám đốc", "en": "Director"},
    "col_phone": {"vi": "Điện thoại", "en": "Phone"},
    "col_zalo": {"vi": "Zalo", "en": "Zalo"},
    "col_email": {"vi": "Email", "en": "Email"},
    "col_days_open": {"vi": "Số ngày từ khi mở khảo sát", "en": "Days since the round opened"},
    "col_visit_date": {"vi": "Ngày đến làm việc", "en": "Visited on"},
    "col_outcome": {"vi": "Kết quả", "en": "Outcome"},
    "col_note": {"vi": "Ghi chú", "en": "Note"},
    "col_not_yet": {"vi": "Chưa trả lời", "en": "Not yet answered"},
    "col_file_row": {"vi": "Tệp, dòng", "en": "File, row"},
    "col_submitted_at": {"vi": "Thời gian gửi", "en": "Sent at"},
    "col_written_id": {"vi": "Mã HTX đã ghi", "en": "Code written"},
    "col_written_name": {"vi": "Tên HTX đã ghi", "en": "Name written"},
    "col_respondent": {"vi": "Người trả lời", "en": "Respondent"},
    "col_reason": {"vi": "Lý do", "en": "Reason"},
    "reason_no_match": {"vi": "Tên không khớp HTX nào trong danh sách",
                        "en": "The name matches no cooperative of the roster"},
    "reason_several": {"vi": "Tên khớp nhiều HTX: {codes}",
                       "en": "The name fits several cooperatives: {codes}"},
    # --- key findings, answers per question, map, rounds (issues 6 and 8) ---
    "sec_findings": {"vi": "Những điểm chính", "en": "Key findings"},
    "sec_items": {"vi": "Câu trả lời theo từng câu hỏi", "en": "Answers to each question"},
    "sec_map": {"vi": "Bản đồ chỉ số hài lòng", "en": "Map of the satisfaction index"},
    "sec_trend": {"vi": "So sánh với các năm trước", "en": "Change since earlier rounds"},
    "items_title": {"vi": "Câu trả lời theo từng câu hỏi – câu {first} đến {last}",
                    "en": "Answers to each question – questions {first} to {last}"},
    "axis_diverging": {
        "vi": "Tỷ lệ câu trả lời (%) – bên trái: chưa hài lòng, bên phải: hài lòng",
        "en": "Share of answers (%) – left: not satisfied, right: satisfied"},
    "items_note": {
        "vi": "Mức “{neutral}” được chia đôi hai bên vạch 0. Số ở hai đầu thanh: tỷ lệ "
              "câu trả lời chưa hài lòng (trái) và hài lòng (phải)",
        "en": "“{neutral}” is split in half on both sides of 0. Figures at the ends: share "
              "of answers not satisfied (left) and satisfied (right)"},
    "items_note_even": {
        "vi": "Số ở hai đầu thanh: tỷ lệ câu trả lời chưa hài lòng (trái) và hài lòng "
              "(phải)",
        "en": "Figures at the ends: share of answers not satisfied (left) and satisfied "
              "(right)"},
    "map_title": {"vi": "Chỉ số hài lòng chung theo {unit_sg} – bản đồ",
                  "en": "Satisfaction index by {unit_sg} – map"},
    "map_legend_title": {"vi": "Xếp loại (chỉ số 0–100)", "en": "Tier (index 0–100)"},
    "map_legend_quartile": {"vi": "Nhóm tứ phân vị (chỉ số)",
                            "en": "Quartile group (index)"},
    "map_withheld": {"vi": "— : không công bố", "en": "— : not published"},
    "map_none": {
        "vi": "Chưa có dữ liệu ranh giới của các {units} năm {year}, nên báo cáo không có "
              "bản đồ.",
        "en": "There are no boundary data for the {units} of {year}, so the report has no "
              "map."},
    "trend_title": {"vi": "Chỉ số hài lòng chung qua các năm – {unit}",
                    "en": "Satisfaction index over the rounds – {unit}"},
    "axis_round": {"vi": "Năm khảo sát", "en": "Survey round"},
    "legend_approximate": {"vi": "Gần đúng (quy đổi từ địa bàn cũ)",
                           "en": "Approximate (earlier units re-aggregated)"},
    "col_measure": {"vi": "Chỉ tiêu", "en": "Measure"},
    "col_round": {"vi": "{year}", "en": "{year}"},
    "col_trend_change": {"vi": "Thay đổi so với năm {year} (điểm)",
                         "en": "Change since {year} (points)"},
    "col_trend_interval": {"vi": "Khoảng tin cậy {level} của thay đổi",
                           "en": "{level} interval of the change"},
    "col_trend_reading": {"vi": "Đánh giá", "en": "Reading"},
    "trend_reading_note": {
        "vi": "▲ / ▼ : tăng / giảm có ý nghĩa thống kê (khoảng tin cậy {level} của thay "
              "đổi không chứa 0); ≈ : thay đổi nằm trong phạm vi sai số",
        "en": "▲ / ▼ : statistically significant rise / fall (the {level} interval of the "
              "change excludes 0); ≈ : the change is within the margin of error"},
    "trend_up": {"vi": "▲ tăng", "en": "▲ rise"},
    "trend_down": {"vi": "▼ giảm", "en": "▼ fall"},
    "trend_same": {"vi": "≈ không đổi đáng kể", "en": "≈ no significant change"},
    "measure_index": {"vi": "Chỉ số hài lòng chung", "en": "Overall satisfaction index"},
    "measure_overall": {"vi": "Đánh giá chung – câu {number}",
                        "en": "Overall rating – question {number}"},
    "approximate_note": {"vi": "† : gần đúng, {why}", "en": "† : approximate, {why}"},
    "quotes_original": {"vi": "Trích nguyên văn (đã bỏ thông tin cá nhân).",
                        "en": "Quoted as written, in Vietnamese (personal details removed)."},
}


def t(key: str, lang: str = "vi", unit_level: str | None = None, **kw: object) -> str:
    """A fixed phrase of the reports in ``lang``, with ``{fields}`` filled from ``kw``.

    ``{units}``, ``{unit_sg}``, ``{Units}``, ``{Unit_sg}`` name the units of
    ``unit_level`` (:func:`unit_words`; default ``"district"``) unless ``kw`` gives them.

    >>> t("sec_method", "vi")
    'Phương pháp tính'
    >>> t("sec_districts", "en", unit_level="commune")
    'Comparison of the communes'
    """
    check_lang(lang)
    return nfc(MESSAGES[key][lang].format(**{**unit_words(unit_level, lang), **kw}))


def source_line(year: int | Sequence[int], organisation: Mapping[str, str] | str,
                lang: str = "vi") -> str:
    """The source line under every chart, e.g. "Nguồn: Khảo sát ... năm 2022, Liên minh ...".

    ``year`` may be the rounds a chart spans (``(2021, 2022, 2023)`` -> "2021–2023").
    """
    org = organisation if isinstance(organisation, str) else organisation.get(lang, "")
    if not isinstance(year, (int, str)):
        years = sorted(int(y) for y in year)
        year = f"{years[0]}–{years[-1]}" if years[0] != years[-1] else str(years[0])
    return t("source", lang, year=year, org=org)


# ---------------------------------------------------------------------------------------
# HTML tables (inline styles: they survive every export route).
_TABLE = ('style="border-collapse:collapse;font-family:\'DejaVu Sans\',\'Noto Sans\','
          'sans-serif;font-size:0.95em;margin:0.5em 0"')
_CELL = "padding:4px 10px;border-bottom:1px solid #ddd;"


def html_table(frame: pd.DataFrame, numeric: Sequence[str] = (), note: str | None = None,
               caption: str | None = None, nowrap: Sequence[str] = ()) -> str:
    """An HTML table of already formatted text, for ``IPython.display.HTML``.

    Parameters
    ----------
    frame
        Cells as strings (use :func:`number`, :func:`percent` ...); the column labels are
        the header. The index is not shown.
    numeric
        Columns aligned right. A cell equal to :data:`SUPPRESSED` is shown grey.
    note, caption
        Text under / above the table (escaped).
    nowrap
        Columns whose cells never wrap (e.g. unit names in a wide table).
    """
    head = "".join(
        f'<th style="{_CELL}border-bottom:2px solid #555;'
        f'text-align:{"right" if c in numeric else "left"}">{html.escape(str(c))}</th>'
        for c in frame.columns)
    rows = []
    for _, r in frame.iterrows():
        cells = []
        for c in frame.columns:
            text = str(r[c])
            cls, align = (' class="num"', "right") if c in numeric else ("", "left")
            grey = "color:#888;" if text == SUPPRESSED else ""
            grey += "white-space:nowrap;" if c in nowrap else ""
            cells.append(f'<td{cls} style="{_CELL}text-align:{align};{grey}">'
                         f"{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = (f'<caption style="text-align:left;font-weight:bold;padding:4px 0">'
           f"{html.escape(caption)}</caption>") if caption else ""
    foot = (f'<p style="font-size:0.85em;color:#555;margin-top:0">{html.escape(note)}</p>'
            if note else "")
    return nfc(f"<table {_TABLE}>{cap}<thead><tr>{head}</tr></thead>"
               f"<tbody>{''.join(rows)}</tbody></table>{foot}")



def unit_names(source: object, level: str, lang: str = "vi", form: str = "short") -> dict[str, str]:
    """``{code: name}`` of every unit of ``level`` in ``source``'s order (see :func:`unit_name`).

    ``source`` is a ``Results`` or its ``units`` table (columns ``unit, level, name,
    full_name``).
    """
    table = getattr(source, "units", source)
    rows = table[table["level"] == level]
    return {str(r["unit"]): unit_name(r, lang=lang, form=form) for _, r in rows.iterrows()}


def scale_labels(meta: Mapping, lang: str = "vi") -> dict[int, str]:
    """``{value: label}`` of the answer scale stored in ``Results.meta["scale_labels"]``."""
    check_lang(lang)
    return {int(x["value"]): nfc(str(x[lang])) for x in meta["scale_labels"]}


def _cell(row: Mapping, column: str, kind: str, lang: str) -> str:
    """A formatted figure of a scores row; withheld rows give "—"; an estimate flagged
    unreliable gets "*" (:data:`UNRELIABLE`)."""
    if bool(row.get("suppressed", False)):
        return SUPPRESSED
    value = row[column]
    text = percent(value, 1, lang) if kind == "percent" else number(value, 1, lang)
    flag = row.get("unreliable", False)
    return text + UNRELIABLE if not is_missing(flag) and bool(flag) and text != SUPPRESSED \
        else text


#: Mark after an estimate whose relative standard error exceeds the threshold.
UNRELIABLE = "*"


def level(confidence: float | None, lang: str = "vi") -> str:
    """A confidence level as the reports write it: ``0.95`` -> ``"95%"``."""
    c = 0.95 if confidence is None else float(confidence)
    return number(c * 100, 0 if float(c * 100).is_integer() else 1, lang) + "%"


def interval(low: float | None, high: float | None, decimals: int = 1,
             lang: str = "vi", percent_: bool = False) -> str:
    """``(74.91, 77.32)`` -> ``"74,9–77,3"`` (a share with ``percent_=True``:
    ``"80,1–82,4%"``); "—" when either bound is missing."""
    if is_missing(low) or is_missing(high):
        check_lang(lang)
        return SUPPRESSED
    if percent_:
        return f"{number(float(low) * 100, decimals, lang)}–{percent(high, decimals, lang)}"
    return f"{number(low, decimals, lang)}–{number(high, decimals, lang)}"


def tier_label(tier_id: object, meta: Mapping, lang: str = "vi") -> str:
    """The name of a tier id from ``Results.meta["tiers"]`` ("kha" -> "Khá"); "—" if none."""
    check_lang(lang)
    if is_missing(tier_id) or not tier_id:
        return SUPPRESSED
    for tier in meta.get("tiers", []):
        if tier["id"] == tier_id:
            return nfc(str(tier[lang]))
    return str(tier_id)


def versus_label(flag: object, lang: str = "vi") -> str:
    """``"above"`` -> ``"▲ cao hơn"``, ``"similar"`` -> ``"≈ tương đương"``, ``"below"`` ->
    ``"▼ thấp hơn"``; "—" when not compared."""
    check_lang(lang)
    if is_missing(flag) or flag not in ("above", "similar", "below"):
        return SUPPRESSED
    return t(f"vs_{flag}", lang)


def theme_labels(meta: Mapping, lang: str = "vi") -> dict[str, str]:
    """``{theme id: name}`` of the open answers' themes in ``Results.meta["themes"]``."""
    check_lang(lang)
    labels = (meta.get("themes") or {}).get("labels") or {}
    return {k: nfc(str(v[lang])) for k, v in labels.items()}


def rank_range(rank: object, low: object, high: object, lang: str = "vi") -> str:
    """``(2, 1, 3)`` -> ``"2 (1–3)"``; ``(1, 1, 1)`` -> ``"1"``; "—" when not ranked."""
    check_lang(lang)
    if is_missing(rank):
        return SUPPRESSED
    if is_missing(low) or is_missing(high) or int(low) == int(high):
        return count(rank, lang)
    return f"{count(rank, lang)} ({count(low, lang)}–{count(high, lang)})"


def dimension_frame(unit_dims: pd.DataFrame, city_dims: pd.DataFrame | None = None,
                    lang: str = "vi", confidence: float | None = None) -> pd.DataFrame:
    """The dimension table of a report as text: area, n, index, % satisfied (, city index).

    Parameters
    ----------
    unit_dims, city_dims
        ``Results.dimension_table(code, lang)`` (``measure, label, n, index, satisfied,
        suppressed``); ``city_dims`` adds the city's index as the last column. With
        ``Results.estimates(code, lang=lang)`` (``low``, ``high``, ``vs_city``) the
        interval of the index follows it, and the comparison with the city ends the row.
    confidence
        Level named in the interval's header.
    """
    rows = []
    city = city_dims.set_index("measure") if city_dims is not None else None
    has_ci = {"low", "high"} <= set(unit_dims.columns)
    has_vs = "vs_city" in unit_dims.columns and city is not None
    ci_col = t("col_interval", lang, level=level(confidence, lang))
    for _, r in unit_dims.iterrows():
        line = {t("col_dimension", lang): nfc(str(r["label"])),
                t("col_n", lang): count(r["n"], lang),
                t("col_index", lang): _cell(r, "index", "number", lang)}
        if has_ci:
            line[ci_col] = (SUPPRESSED if bool(r.get("suppressed", False))
                            else interval(r["low"], r["high"], 1, lang))
        line[t("col_satisfied", lang)] = _cell(r, "satisfied", "percent", lang)
        if city is not None:
            c = city.loc[r["measure"]] if r["measure"] in city.index else {"index": None}
            line[t("col_city", lang) + " – " + t("col_index", lang)] = _cell(
                c, "index", "number", lang)
        if has_vs:
            line[t("col_vs_city", lang)] = versus_label(r["vs_city"], lang)
        rows.append(line)
    return pd.DataFrame(rows)


def district_frame(scores: pd.DataFrame, coverage: pd.DataFrame, names: Mapping[str, str],
                   lang: str = "vi", measure: str = INDEX, weighted: pd.DataFrame | None = None,
                   meta: Mapping | None = None) -> pd.DataFrame:
    """All units as text: name, listed, answered, coverage, index, % satisfied.

    Parameters
    ----------
    scores, coverage
        ``Results.scores`` and ``Results.coverage``.
    names
        ``{code: label}`` of the rows to show, in order (put ``"city"`` last for a total row).
    measure
        The measure whose index and % satisfied are shown.
    weighted
        ``Results.weighted``: the city row then shows the post-stratified figures.
    meta
        ``Results.meta``: when given and ``scores`` has intervals, the interval of the
        index, the tier and the rank (with its range) are shown too.
    """
    s = scores[scores["measure"] == measure].set_index("unit")
    if weighted is not None and len(weighted) and CITY in s.index:
        w = weighted[weighted["measure"] == measure].set_index("unit")
        s = s.copy()
        for col in w.columns.intersection(s.columns).drop(["kind", "measure", "dimension"],
                                                          errors="ignore"):
            s.loc[CITY, col] = w.loc[CITY, col]
    c = coverage.set_index("unit")
    detail = meta is not None and {"low", "high", "tier"} <= set(s.columns)
    rows = []
    for code, name in names.items():
        cov = c.loc[code]
        sc = s.loc[code] if code in s.index else {"suppressed": True}
        row = {
            t("col_unit", lang): name,
            t("col_roster", lang): count(cov["roster_n"], lang),
            t("col_n", lang): count(cov["answered"], lang),
            t("col_coverage", lang): percent(cov["share"], 1, lang),
            t("col_index", lang): _cell(sc, "index", "number", lang),
        }
        if detail:
            hidden = bool(sc.get("suppressed", False))
            conf = meta.get("confidence")
            row[t("col_interval", lang, level=level(conf, lang))] = (
                SUPPRESSED if hidden else interval(sc.get("low"), sc.get("high"), 1, lang))
        row[t("col_satisfied", lang)] = _cell(sc, "satisfied", "percent", lang)
        if detail:
            row[t("col_tier", lang)] = (SUPPRESSED if hidden
                                        else tier_label(sc.get("tier"), meta, lang))
            row[t("col_rank", lang)] = (SUPPRESSED if hidden or code == CITY else rank_range(
                sc.get("rank"), sc.get("rank_low"), sc.get("rank_high"), lang))
            if code == CITY:
                row[t("col_rank", lang)] = ""
        rows.append(row)
    return pd.DataFrame(rows)


def table_notes(frame: pd.DataFrame, lang: str = "vi", min_n: int | None = None,
                secondary: bool = False, rse_threshold: float | None = None) -> str | None:
    """The footnotes a table of formatted figures needs: the "—" note when a cell is
    withheld (naming secondary suppression when it is applied), the "*" note when an
    estimate is flagged unreliable."""
    cells = frame.iloc[:, 1:].astype(str)
    notes = []
    if min_n is not None and bool((cells == SUPPRESSED).to_numpy().any()):
        key = "suppressed_note_secondary" if secondary else "suppressed_note"
        notes.append(t(key, lang, min_n=min_n))
    if rse_threshold is not None and bool(cells.apply(
            lambda col: col.str.endswith(UNRELIABLE)).to_numpy().any()):
        notes.append(t("unreliable_note", lang, rse=percent(rse_threshold, 0, lang)))
    return ". ".join(notes) + "." if notes else None


def _table_html(frame: pd.DataFrame, lang: str, min_n: int | None,
                meta: Mapping | None = None, nowrap: Sequence[str] = ()) -> str:
    """All columns but the first right-aligned; the "—" (and "*") notes when needed."""
    if meta is None:
        withheld = bool((frame.iloc[:, 1:] == SUPPRESSED).to_numpy().any())
        note = t("suppressed_note", lang, min_n=min_n) if withheld and min_n is not None else None
    else:
        note = table_notes(frame, lang, min_n, bool(meta.get("secondary_suppression")),
                           meta.get("rse_threshold"))
    return html_table(frame, numeric=list(frame.columns[1:]), note=note, nowrap=nowrap)


def dimension_table_html(unit_dims: pd.DataFrame, city_dims: pd.DataFrame | None = None,
                         lang: str = "vi", min_n: int | None = None,
                         meta: Mapping | None = None) -> str:
    """:func:`dimension_frame` as an HTML table, with a note on "—" cells (and, given
    ``Results.meta``, the interval's level and the notes on secondary suppression and
    "*")."""
    conf = meta.get("confidence") if meta is not None else None
    return _table_html(dimension_frame(unit_dims, city_dims, lang, conf), lang, min_n, meta)


def district_table_html(scores: pd.DataFrame, coverage: pd.DataFrame,
                        names: Mapping[str, str], lang: str = "vi",
                        min_n: int | None = None, weighted: pd.DataFrame | None = None,
                        meta: Mapping | None = None) -> str:
    """:func:`district_frame` as an HTML table, with a note on "—" cells."""
    frame = district_frame(scores, coverage, names, lang, weighted=weighted, meta=meta)
    keep = [frame.columns[0]] + [c for c in frame.columns if c == t("col_tier", lang)]
    return _table_html(frame, lang, min_n, meta, nowrap=keep)


# ---------------------------------------------------------------------------------------
# Several rounds (hailong.numbers.rounds.Trend): change since the previous round.

#: Mark after a figure of an earlier round re-aggregated to the round's units (a
#: crosswalk) or of a city with another territory: comparable only approximately.
APPROXIMATE = "†"


def signed(x: float | None, decimals: int = 1, lang: str = "vi") -> str:
    """A change with its sign, as printed: ``3.52`` -> ``"+3,5"``, ``-2.1`` -> ``"-2,1"``,
    ``0.04`` -> ``"0,0"``; "—" when missing."""
    text = number(x, decimals, lang)
    if text != SUPPRESSED and float(rounded(x, decimals)) > 0:
        return "+" + text
    return text


def change_interval(low: float | None, high: float | None, lang: str = "vi") -> str:
    """The interval of a change, signed: ``(1.08, 5.97)`` -> ``"+1,1 – +6,0"``.

    A bound that would print as 0,0 gets a second decimal (``"+0,01 – +7,41"``), so a
    significant change never shows an interval that seems to touch 0; "—" when missing.
    """
    if is_missing(low) or is_missing(high):
        check_lang(lang)
        return SUPPRESSED
    decimals = 2 if 0 in (float(rounded(low, 1)), float(rounded(high, 1))) else 1

    def bound(x: float) -> str:
        text = number(x, decimals, lang)
        return "+" + text if float(x) > 0 else text

    return f"{bound(low)} – {bound(high)}"


def trend_reading(change: float | None, significant: object, lang: str = "vi") -> str:
    """``"▲ tăng"`` (a significant rise), ``"▼ giảm"`` (a significant fall), ``"≈ không
    đổi đáng kể"`` (the interval of the change contains 0); "—" when there is no change
    to read (either round withheld). The column's header says ▲ ▼ mean significant."""
    check_lang(lang)
    if is_missing(change):
        return SUPPRESSED
    if is_missing(significant) or not bool(significant):
        return t("trend_same", lang)
    return t("trend_up" if float(change) > 0 else "trend_down", lang)


def measure_label(measures: pd.DataFrame, measure: str, lang: str = "vi") -> str:
    """The name of a measure as a row of a table: a dimension's name, "Chỉ số hài lòng
    chung" for ``INDEX``, "Đánh giá chung – câu 12" for the overall question.

    Parameters
    ----------
    measures
        ``Results.measures`` (``measure, kind, number, vi, en``).
    """
    check_lang(lang)
    if measure == INDEX:
        return t("measure_index", lang)
    row = measures.set_index("measure").loc[measure]
    if row["kind"] == "overall":
        return t("measure_overall", lang, number=row["number"])
    return nfc(str(row[lang]))


def _trend_cells(rows: pd.DataFrame, rounds: Sequence[int], before: int | None,
                 lang: str, lvl: str) -> dict[str, str]:
    """The cells of one unit × measure: each round's index, then the last change."""
    by_round = rows.set_index("round")
    cells = {}
    for r in rounds:
        row = by_round.loc[r] if r in by_round.index else None
        if row is None or bool(row["suppressed"]):
            cell = SUPPRESSED
        else:
            cell = number(row["index"], 1, lang)
            if bool(row["approximate"]):
                cell += APPROXIMATE
        cells[t("col_round", lang, year=r)] = cell
    if before is not None:
        now = by_round.loc[rounds[-1]] if rounds[-1] in by_round.index else None
        change = None if now is None else now["change"]
        cells[t("col_trend_change", lang, year=before)] = signed(change, 1, lang)
        cells[t("col_trend_interval", lang, level=lvl)] = (
            SUPPRESSED if now is None or is_missing(change) else
            change_interval(now["change_low"], now["change_high"], lang))
        cells[t("col_trend_reading", lang)] = trend_reading(
            change, None if now is None else now["significant"], lang)
    return cells


def _trend_span(table: pd.DataFrame) -> tuple[list[int], int | None]:
    """The rounds of a trend table and the round the newest one is compared with."""
    rounds = sorted(int(r) for r in table["round"].unique())
    prev = table.loc[table["round"] == rounds[-1], "previous_round"].dropna()
    return rounds, (int(prev.iloc[0]) if len(prev) else None)


def trend_frame(trend, unit: str, measures: pd.DataFrame, lang: str = "vi",
                confidence: float | None = None) -> pd.DataFrame:
    """One unit's figures of every round lined up, and the last change, as text.

    Rows: the overall index, each dimension, the overall question. Columns: the measure,
    the index of each round ("—" when withheld, "†" after an approximate figure), the
    change since the round before the last (signed), its interval
    (:func:`change_interval`) and its reading (:func:`trend_reading`).

    Parameters
    ----------
    trend
        A :class:`hailong.numbers.rounds.Trend`.
    unit
        Unit code (``"city"`` for the whole city).
    measures
        ``Results.measures`` of the round (names and question numbers).
    confidence
        Level named in the interval's header.
    """
    check_lang(lang)
    rows = trend.unit(unit)
    rows = rows[rows["kind"] != "item"]
    order = [INDEX] + [m for m in dict.fromkeys(rows["measure"]) if m != INDEX]
    rounds, before = _trend_span(trend.table)
    lvl = level(confidence, lang)
    return pd.DataFrame([{t("col_measure", lang): measure_label(measures, m, lang),
                          **_trend_cells(rows[rows["measure"] == m], rounds, before, lang,
                                         lvl)} for m in order])


def trend_units_frame(trend, names: Mapping[str, str], lang: str = "vi",
                      confidence: float | None = None, measure: str = INDEX) -> pd.DataFrame:
    """Every unit's overall index in each round and its last change, as text.

    Parameters
    ----------
    trend
        A :class:`hailong.numbers.rounds.Trend`.
    names
        ``{code: label}`` of the rows, in order (put ``"city"`` last for a total row).
    """
    check_lang(lang)
    rows = trend.table[trend.table["measure"] == measure]
    rounds, before = _trend_span(trend.table)
    lvl = level(confidence, lang)
    return pd.DataFrame([{t("col_unit", lang): name,
                          **_trend_cells(rows[rows["unit"] == str(code)], rounds, before,
                                         lang, lvl)} for code, name in names.items()])
