"""Deterministic synthetic sample data: a roster and a survey export for one round.

The files have exactly the layout of the real inputs (docs/design.md, "Input files") and
behave like the 2022 round did: slow start, most answers in March–April, coverage just
past 85% three days before the deadline, a few late answers after the working group's
visits, lagging districts, duplicates, satisfaction with real contrasts. Every name and
contact is invented: phones ``0900 xxx xxx``, e-mails ``htxNNNN@example.com``.

The questionnaire (items, numbers, variants, sectors, labels) comes from the codebook and
the geography from the unit table; this module holds only name vocabulary and the effect
sizes of the simulation. The same seed always gives byte-identical files.

Several rounds share one history: every round starts from the roster of
:data:`BASE_YEAR` (the same cooperatives under the same codes), minus those founded later
(earlier rounds) or with a few dissolved and founded each year (later rounds). A round
after the 2025 reform (a unit table without districts) moves every cooperative to its
new commune through the crosswalks of data/reference/ and adds the cooperatives of former
Hải Dương. Rounds differ by the shifts in :data:`ROUND_SHIFT` and
:data:`ROUND_DIMENSION_SHIFT`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hailong.reference.codebook import Codebook, load_codebook

from hailong.core.text import nfc
from hailong.reference.config import Config, Round, load_config
from hailong.core.errors import ConfigError, ParameterError
from hailong.reference.geography import Crosswalk, Units, load_crosswalk, load_units
from hailong.ingest.readers import load_roster_spec

__all__ = ["generate_sample", "default_sample_dir"]

#: File names written by :func:`generate_sample`.
ROSTER_FILE = "roster.csv"
RESPONSES_FILE = "responses.csv"
#: Roster column headers and yes/no words, relative to the configuration's data folder.
ROSTER_COLUMNS_FILE = Path("reference") / "roster-columns.yaml"

# --- Roster: sizes and mix ------------------------------------------------------------
ROSTER_SIZE, ROSTER_JITTER = 400, 8
#: Cooperatives per commune by district type; districts without communes get ISLAND_COOPS.
COOPS_PER_COMMUNE = {"huyện": 2.1, "quận": 1.2}
COOPS_PER_COMMUNE_OTHER = 1.5
ISLAND_COOPS, ISLAND_SECTOR = 2, "thuy_san"
CREDIT_SECTOR, CREDIT_FUNDS = "tin_dung", 12
UNION_COUNT = 4
MEMBER_SHARE, MEMBER_SHARE_CREDIT = 0.70, 0.85
FOUNDED_MIN = 1960
#: Coastal rural districts (more fisheries and salt); urban = district type "quận".
COASTAL_DISTRICTS = {"314", "315", "317"}
SECTOR_MIX = {
    "rural": {"nong_nghiep": 83, "thuy_san": 4, "lam_nghiep": 0.5, "cong_nghiep": 4,
              "xay_dung": 1.5, "thuong_mai": 3, "van_tai": 2, "moi_truong": 3, "khac": 1},
    "coastal": {"nong_nghiep": 66, "thuy_san": 17, "diem_nghiep": 2.5, "lam_nghiep": 0.5,
                "cong_nghiep": 3, "xay_dung": 1.5, "thuong_mai": 3, "van_tai": 2.5,
                "moi_truong": 3, "khac": 1},
    "urban": {"nong_nghiep": 22, "thuy_san": 6, "cong_nghiep": 12, "xay_dung": 8,
              "thuong_mai": 17, "van_tai": 18, "moi_truong": 10, "nha_o": 5, "khac": 2},
}
SIZE_CLASSES = ("Siêu nhỏ", "Nhỏ", "Vừa", "Lớn")
SIZE_MIX = {"HTX": (0.38, 0.42, 0.15, 0.05), "QTDND": (0, 0.35, 0.5, 0.15),
            "LHHTX": (0, 0.25, 0.5, 0.25)}
LEGACY_SECTORS = {"nong_nghiep": 0.6, "lam_nghiep": 0.5, "diem_nghiep": 0.7, "thuy_san": 0.3}

# --- Survey: coverage and timeline ----------------------------------------------------
#: Share of the roster answered (with a coop id) by the end of COUNT_DAY_LAG days before
#: the deadline; then LATE answers in the last days.
COVERAGE_AT_COUNT, COUNT_DAY_LAG, LATE_RANGE = 0.855, 3, (5, 8)
#: Final response rate of lagging districts (the others share the rest); islands answer half.
LAGGING_RATE = {"315": 0.70, "305": 0.76, "317": 0.78}
ISLAND_RATE = 0.5
#: Answer propensity within a district.
NON_MEMBER_PROPENSITY, CREDIT_PROPENSITY = 0.55, 1.3
#: Beta shapes of the answer day over the main period (lagging districts answer later).
DAY_SHAPE, LAGGING_DAY_SHAPE, WEEKEND_FACTOR = (2.0, 2.4), (2.6, 1.6), 0.45
HOUR_WEIGHTS = (0, 0, 0, 0, 0, 0.2, 1, 3, 6, 8, 8, 6, 3, 4, 7, 8, 7, 4, 2, 3, 4, 3, 1, 0.3)
NAME_ONLY, FIRST_ATTEMPTS, DUPLICATES = 5, 4, 8
RESPONDENT_IS_DIRECTOR = 0.6

# --- Survey: satisfaction model (latent scale, mapped to the 5-point scale) ----------
BASE, RESPONDENT_SD, ITEM_SD, OVERALL_SD, OVERALL_SHIFT = 0.8, 0.4, 0.75, 0.35, 0.1
CUTS = (-1.6, -0.7, 0.35, 1.7)
MEMBER_EFFECT = 0.1
DISTRICT_EFFECT = {"303": 0.1, "304": 0.0, "305": -0.3, "306": 0.1, "307": -0.1,
                   "308": -0.2, "309": 0.05, "311": 0.35, "312": 0.15, "313": -0.4,
                   "314": 0.0, "315": -0.35, "316": 0.4, "317": -0.15}
VARIANT_EFFECT = {"NN": 0.0, "PNN": -0.15, "QTD": 0.2}
DIMENSION_EFFECT = {"D01": 0.45, "D02": 0.4, "D03": 0.1, "D04": 0.0, "D05": -0.1,
                    "D06": -0.15, "D07": -0.75, "D08": -0.7, "D09": -0.2, "D10": 0.05,
                    "D11": 0.0}
NO_OPINION_SHARE, OVERALL_NO_OPINION, STRAIGHT_LINERS = 0.045, 0.01, 0.07
DIFFICULTIES_SHARE, RECOMMENDATIONS_SHARE, PERSONAL_TEXTS = 0.6, 0.5, 4

# --- Several rounds ---------------------------------------------------------------------
#: The round whose roster every other round's roster is derived from.
BASE_YEAR = 2022
#: Each year after BASE_YEAR: share of the roster dissolved, share newly founded.
DISSOLVED_PER_YEAR, FOUNDED_PER_YEAR = 0.02, 0.03
#: Codes of cooperatives of earlier rounds that were dissolved before BASE_YEAR start here
#: (codes are never reused, so they stay apart from the codes of later foundings).
EARLIER_CODES_FROM = 901
#: Latent shift of every answer in a round, relative to BASE_YEAR.
ROUND_SHIFT = {2021: -0.12, 2023: 0.06, 2025: 0.1}
#: Extra latent shift of one dimension's answers: round -> {(district or "*", dimension): shift}
#: (district = the cooperative's district before the reform).
ROUND_DIMENSION_SHIFT = {
    2021: {("*", "D08"): -0.1, ("311", "D08"): -0.25},
    2023: {("*", "D07"): 0.2, ("311", "D08"): 0.4},
    2025: {("*", "D07"): 0.3, ("311", "D08"): 0.5},
}
#: Cooperatives of former Hải Dương joining after the merger, and their latent shift.
HAI_DUONG_COOPS, HAI_DUONG_EFFECT = 450, -0.15
HAI_DUONG = ("30", "Hải Dương", "Tỉnh Hải Dương")
#: Crosswalks used to move cooperatives to the 2025 communes (relative to the data folder).
COMMUNE_CROSSWALK = Path("reference") / "crosswalk-communes-2025.csv"
DISTRICT_CROSSWALK = Path("reference") / "crosswalk-districts-2022-2025.csv"
#: Name prefixes of unit types (longest first), as the crosswalk's names write them.
UNIT_TYPES = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận", "Tỉnh",
              "Xã")

# --- Name vocabulary ------------------------------------------------------------------
FAMILY = {"Nguyễn": 36, "Trần": 11, "Lê": 9, "Phạm": 8, "Vũ": 6, "Hoàng": 4, "Đỗ": 4,
          "Bùi": 4, "Đặng": 3, "Ngô": 3, "Đào": 3, "Phan": 2, "Đinh": 2, "Mạc": 1.5,
          "Lương": 1.5, "Đoàn": 1.5, "Hà": 1, "Trịnh": 1, "Cao": 1, "Lưu": 1}
MIDDLE = {False: {"Văn": 60, "Đức": 9, "Hữu": 7, "Minh": 7, "Quang": 6, "Xuân": 4,
                  "Công": 4, "Thanh": 3},
          True: {"Thị": 75, "Thu": 7, "Ngọc": 6, "Thanh": 6, "Minh": 3, "Hồng": 3}}
GIVEN = {False: ("Hùng", "Dũng", "Tuấn", "Hải", "Thắng", "Long", "Nam", "Sơn", "Bình",
                 "Cường", "Quân", "Phong", "Thành", "Trung", "Toàn", "Khánh", "Hòa",
                 "Tiến", "Hưng", "Việt", "Mạnh", "Đông", "Thịnh", "Vinh", "Hiếu", "Chiến",
                 "Tâm", "Lộc", "Huy", "Quý"),
         True: ("Lan", "Hương", "Hoa", "Mai", "Hằng", "Thảo", "Hạnh", "Nga", "Thủy", "Yến",
                "Loan", "Huyền", "Phương", "Hà", "Liên", "Dung", "Nhung", "Oanh", "Vân",
                "Hiền")}
FEMALE_DIRECTOR, FEMALE_OTHER = 0.2, 0.55
SECTOR_NAMES = {
    "nong_nghiep": {"HTX Dịch vụ nông nghiệp {c}": 10, "HTX Nông nghiệp {c}": 4,
                    "HTX Sản xuất kinh doanh dịch vụ nông nghiệp {c}": 2,
                    "HTX Nông nghiệp công nghệ cao {c}": 0.8, "HTX Rau an toàn {c}": 1,
                    "HTX Chăn nuôi {c}": 1, "HTX Hoa cây cảnh {c}": 0.7,
                    "HTX Sản xuất nấm {c}": 0.5, "HTX Cây ăn quả {c}": 0.5,
                    "HTX Dịch vụ nông nghiệp và điện năng {c}": 0.6,
                    "HTX Nông nghiệp hữu cơ {c}": 0.5, "HTX Sản xuất lúa giống {c}": 0.4},
    "lam_nghiep": {"HTX Lâm nghiệp {c}": 1, "HTX Trồng rừng {c}": 1},
    "thuy_san": {"HTX Thủy sản {c}": 4, "HTX Nuôi trồng thủy sản {c}": 3,
                 "HTX Khai thác hải sản {c}": 2, "HTX Dịch vụ nghề cá {c}": 1,
                 "HTX Nuôi trồng thủy sản nước lợ {c}": 1},
    "diem_nghiep": {"HTX Muối {c}": 2, "HTX Sản xuất muối {c}": 1, "HTX Diêm nghiệp {c}": 1},
    "cong_nghiep": {"HTX Tiểu thủ công nghiệp {c}": 2, "HTX Cơ khí {c}": 1.5,
                    "HTX Mây tre đan {c}": 1, "HTX Chế biến nông sản {c}": 1.5,
                    "HTX May mặc {c}": 1, "HTX Đúc đồng {c}": 0.5, "HTX Mộc mỹ nghệ {c}": 0.8,
                    "HTX Chế biến thủy sản {c}": 0.8},
    "xay_dung": {"HTX Xây dựng {c}": 2, "HTX Xây dựng và dịch vụ {c}": 1,
                 "HTX Xây dựng {d}": 0.5},
    "thuong_mai": {"HTX Thương mại dịch vụ {c}": 3, "HTX Dịch vụ tổng hợp {c}": 2,
                   "HTX Thương mại và du lịch {c}": 1, "HTX Dịch vụ chợ {c}": 1,
                   "HTX Thương mại {d}": 0.5},
    "van_tai": {"HTX Vận tải {c}": 3, "HTX Vận tải {d}": 1.5, "HTX Dịch vụ vận tải {c}": 1.5,
                "HTX Vận tải thủy {c}": 1, "HTX Vận tải hành khách {d}": 0.8,
                "HTX Vận tải hàng hóa {c}": 1},
    "moi_truong": {"HTX Môi trường {c}": 3, "HTX Dịch vụ môi trường {c}": 2,
                   "HTX Vệ sinh môi trường {c}": 1, "HTX Môi trường {d}": 0.5},
    "nha_o": {"HTX Nhà ở {c}": 1, "HTX Dịch vụ nhà ở {c}": 1},
    "tin_dung": {"Quỹ tín dụng nhân dân {c}": 1},
    "khac": {"HTX Dịch vụ điện năng {c}": 1, "HTX Nước sạch {c}": 1,
             "HTX Dịch vụ tổng hợp và nước sạch {c}": 0.5},
}
UNION_NAMES = {"nong_nghiep": "Liên hiệp HTX Dịch vụ nông nghiệp {d}",
               "thuy_san": "Liên hiệp HTX Thủy sản {d}",
               "van_tai": "Liên hiệp HTX Vận tải {d}",
               "thuong_mai": "Liên hiệp HTX Thương mại {d}"}
#: How respondents sometimes write the name when they leave the coop id blank.
NAME_PREFIXES = {"HTX ": ("Hợp tác xã ", "Htx "), "Quỹ tín dụng nhân dân ": ("Quỹ TDND ", "QTDND "),
                 "Liên hiệp HTX ": ("Liên hiệp hợp tác xã ",)}

# --- Open answers: topic -> [(sentence, variants it fits or None for all)] ------------
TOPIC_WEIGHTS = {"vốn": 0.25, "đất đai": 0.15, "thị trường": 0.15, "giá vật tư": 0.1,
                 "thủ tục": 0.1, "chuyển đổi số": 0.09, "đào tạo": 0.08, "hạ tầng": 0.08}
NN, PNN, QTD = ("NN",), ("PNN",), ("QTD",)
DIFFICULTY_TEXTS = {
    "vốn": [("HTX thiếu vốn để mở rộng sản xuất, vay ngân hàng khó vì không có tài sản bảo đảm.", None),
            ("Khó tiếp cận nguồn vốn vay ưu đãi, thủ tục vay vốn còn phức tạp.", NN + PNN),
            ("Vốn điều lệ thấp, thành viên góp vốn ít nên không đủ vốn đầu tư máy móc, thiết bị.", NN + PNN),
            ("Quỹ hỗ trợ phát triển HTX còn ít vốn, hồ sơ vay kéo dài nhiều tháng.", NN + PNN),
            ("Cạnh tranh huy động vốn với các ngân hàng thương mại ngày càng gay gắt.", QTD),
            ("Nợ quá hạn có xu hướng tăng do thành viên gặp khó khăn sau dịch Covid-19.", QTD)],
    "đất đai": [("Chưa có mặt bằng để xây dựng nhà xưởng, kho bãi.", NN + PNN),
                ("Thủ tục thuê đất kéo dài, HTX chưa được giao đất làm trụ sở.", None),
                ("Đất sản xuất manh mún, khó tích tụ ruộng đất để làm cánh đồng lớn.", NN),
                ("HTX chưa có trụ sở làm việc, phải mượn nhà văn hóa thôn.", NN),
                ("Trụ sở giao dịch chật hẹp, chưa được bố trí đất để xây dựng.", QTD)],
    "thủ tục": [("Thủ tục hành chính còn rườm rà, phải đi lại nhiều lần.", None),
                ("Hồ sơ đề nghị hưởng chính sách hỗ trợ phức tạp, HTX khó tự làm được.", NN + PNN),
                ("Việc tổ chức lại theo Luật Hợp tác xã năm 2023 còn lúng túng, chưa có hướng dẫn cụ thể.", None)],
    "đào tạo": [("Cán bộ quản lý HTX tuổi cao, trình độ hạn chế, ít được đào tạo.", None),
                ("Thiếu cán bộ trẻ có chuyên môn, kế toán HTX chưa có chứng chỉ.", NN + PNN),
                ("Lao động trẻ không muốn làm việc tại HTX vì thu nhập thấp.", NN + PNN)],
    "thị trường": [("Sản phẩm làm ra khó tiêu thụ, giá bán bấp bênh, phụ thuộc vào thương lái.", NN),
                   ("Thiếu liên kết với doanh nghiệp để bao tiêu sản phẩm.", NN),
                   ("Cạnh tranh gay gắt với doanh nghiệp tư nhân, doanh thu giảm.", PNN),
                   ("Sau dịch Covid-19 hoạt động sản xuất kinh doanh chưa phục hồi.", None)],
    "chuyển đổi số": [("Ban quản trị HTX lớn tuổi, không sử dụng thành thạo điện thoại thông minh, máy vi tính.", None),
                      ("Chưa có phần mềm quản lý, kế toán; bán hàng trên sàn thương mại điện tử còn khó khăn.", NN + PNN),
                      ("Thiếu kinh phí và nhân lực để ứng dụng công nghệ, chuyển đổi số.", None)],
    "hạ tầng": [("Hạ tầng giao thông, điện, nước phục vụ sản xuất còn thiếu và xuống cấp.", None),
                ("Hệ thống kênh mương nội đồng xuống cấp, trạm bơm cũ.", NN),
                ("Đường giao thông nội đồng hẹp, máy móc khó vào.", NN),
                ("Thiếu kho lạnh, nhà sơ chế để bảo quản sản phẩm.", NN),
                ("Bến bãi chật hẹp, chưa được quy hoạch.", PNN)],
    "giá vật tư": [("Giá phân bón, thuốc bảo vệ thực vật, thức ăn chăn nuôi tăng cao, sản xuất không có lãi.", NN),
                   ("Giá xăng dầu, nguyên vật liệu tăng mạnh làm chi phí tăng.", PNN),
                   ("Giá vật tư đầu vào tăng trong khi giá bán sản phẩm không tăng.", NN + PNN)],
}
RECOMMENDATION_TEXTS = {
    "vốn": [("Đề nghị thành phố bổ sung vốn cho Quỹ hỗ trợ phát triển HTX, đơn giản hóa thủ tục vay.", NN + PNN),
            ("Kiến nghị có chính sách cho HTX vay tín chấp.", NN + PNN),
            ("Đề nghị hỗ trợ lãi suất vay vốn để HTX đầu tư máy móc, thiết bị.", NN + PNN),
            ("Đề nghị chính quyền địa phương tuyên truyền để người dân tin tưởng gửi tiền tại quỹ.", QTD)],
    "đất đai": [("Đề nghị địa phương bố trí quỹ đất để HTX xây dựng trụ sở, nhà kho, nhà sơ chế.", None),
                ("Kiến nghị giải quyết nhanh thủ tục thuê đất cho HTX.", None)],
    "thủ tục": [("Đề nghị đơn giản hóa thủ tục hành chính, hướng dẫn cụ thể hồ sơ hưởng chính sách hỗ trợ.", None),
                ("Mong cán bộ xã, huyện xuống tận nơi hướng dẫn HTX làm thủ tục.", None)],
    "đào tạo": [("Đề nghị mở thêm lớp tập huấn về Luật Hợp tác xã năm 2023 và nghiệp vụ kế toán.", None),
                ("Có chính sách hỗ trợ đưa cán bộ trẻ có trình độ về làm việc tại HTX.", NN + PNN)],
    "thị trường": [("Đề nghị hỗ trợ HTX tham gia hội chợ, kết nối tiêu thụ sản phẩm.", NN + PNN),
                   ("Hỗ trợ xây dựng nhãn hiệu, mã số vùng trồng, truy xuất nguồn gốc.", NN),
                   ("Đề nghị ưu tiên HTX tham gia cung ứng dịch vụ công ích tại địa phương.", PNN)],
    "chuyển đổi số": [("Đề nghị hỗ trợ phần mềm quản lý và hướng dẫn bán hàng trên sàn thương mại điện tử.", NN + PNN),
                      ("Tổ chức tập huấn sử dụng điện thoại thông minh, chữ ký số cho cán bộ HTX.", None)],
    "hạ tầng": [("Đề nghị đầu tư hạ tầng giao thông, thủy lợi, kho bãi phục vụ sản xuất.", NN + PNN),
                ("Đề nghị đầu tư cứng hóa kênh mương, nâng cấp trạm bơm.", NN),
                ("Hỗ trợ kinh phí xây dựng kho lạnh, nhà sơ chế.", NN),
                ("Đề nghị quy hoạch bến bãi cho phương tiện của HTX.", PNN)],
    "giá vật tư": [("Đề nghị có chính sách bình ổn giá vật tư nông nghiệp, hỗ trợ giá giống.", NN),
                   ("Kiến nghị hỗ trợ chi phí nhiên liệu cho phương tiện, tàu thuyền.", NN + PNN)],
}
GENERAL_RECOMMENDATIONS = (
    "Đề nghị cấp ủy, chính quyền tổ chức đối thoại với HTX định kỳ hằng năm.",
    "Mong lãnh đạo địa phương quan tâm hơn nữa đến kinh tế tập thể.",
)
#: Sentences carrying personal data that a published report must never show.
PERSONAL_TEMPLATES = (
    "Cần hỗ trợ gấp, đề nghị liên hệ {title} {given} {phone}.",
    "Mọi thông tin xin gửi về email {email}.",
    "Giám đốc {director} (ĐT {phone}) đã nhiều lần đề nghị nhưng chưa được giải quyết.",
    "{coop} kiến nghị được hỗ trợ kinh phí xây dựng nhà sơ chế.",
)
#: Ids of the open questions the texts above answer (others are left empty).
DIFFICULTIES, RECOMMENDATIONS = "DIFFICULTIES", "RECOMMENDATIONS"


def default_sample_dir(config: Config | None = None, round_year: int = 2022) -> Path:
    """Where ``hailong sample`` writes by default: ``<data_dir>/sample/<round_year>``."""
    config = config or load_config()
    return config.data_dir / "sample" / str(round_year)


def generate_sample(out_dir: str | Path, seed: int = 2022, config: Config | None = None,
                    round_year: int = 2022) -> dict[str, Path]:
    """Write a synthetic roster and survey export of one round.

    Parameters
    ----------
    out_dir
        Folder to write ``roster.csv`` and ``responses.csv`` into (created if missing).
    seed
        Seed of the random generator: the same seed gives byte-identical files.
    config
        Project configuration (default: :func:`hailong.reference.config.load_config`).
    round_year
        The round whose codebook, unit table and dates are used.

    Returns
    -------
    dict
        ``{"roster": path, "responses": path}``.

    Raises
    ------
    ParameterError
        If ``seed`` is not a non-negative integer or the round does not exist.
    ConfigError
        If the round lacks its dates or the unit table has no districts.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError("The sample seed must be a non-negative whole number.",
                             found=seed, expected="an integer >= 0, e.g. 2022")
    config = config or load_config()
    rnd = config.round(round_year)
    _round_dates(rnd, config.path)
    codebook = load_codebook(rnd.codebook)
    units = load_units(rnd.units, on=rnd.geography_date)
    headers, yes_no = _roster_headers(config)
    if rnd.year == BASE_YEAR or BASE_YEAR not in config.rounds:
        rng = np.random.default_rng(int(seed))
        roster = _make_roster(rng, codebook, units, last_year=rnd.year)
        responses = _make_responses(rng, roster, codebook, rnd)
    else:
        roster, rng = _roster_of_round(int(seed), config, rnd, codebook, units)
        responses = _make_responses(rng, roster, codebook, rnd, year=rnd.year)
        if not units.codes("district"):  # after the reform: no district column
            roster = roster.assign(district_code="")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"roster": out / ROSTER_FILE, "responses": out / RESPONSES_FILE}
    _write_csv(_roster_export(roster, codebook, headers, yes_no), paths["roster"])
    _write_csv(_responses_export(responses, codebook), paths["responses"])
    return paths


# --- Small helpers ----------------------------------------------------------------------

def _pick(rng: np.random.Generator, weights: dict):
    """One key of ``weights`` drawn with probability proportional to its weight."""
    keys = list(weights)
    w = np.asarray([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=w / w.sum()))]


def _largest_remainder(weights: dict[str, float], total: int) -> dict[str, int]:
    """Split ``total`` into integers proportional to ``weights`` (Hamilton's method)."""
    s = sum(weights.values())
    exact = {k: total * w / s for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in exact.items()}
    rest = total - sum(out.values())
    for k in sorted(exact, key=lambda k: (out[k] - exact[k], k))[:rest]:
        out[k] += 1
    return out


def _phone(number: int) -> str:
    """A clearly fake phone number ``0900 xxx xxx``."""
    return f"0900 {number // 1000:03d} {number % 1000:03d}"


def _person(rng: np.random.Generator, female: bool) -> str:
    """A realistic Vietnamese full name (family, middle, given)."""
    given = GIVEN[female][int(rng.integers(len(GIVEN[female])))]
    return f"{_pick(rng, FAMILY)} {_pick(rng, MIDDLE[female])} {given}"


def _roster_headers(config: Config) -> tuple[dict[str, str], tuple[str, str]]:
    """Roster headers (first alias of each canonical column) and the yes/no words."""
    spec = load_roster_spec(config.data_dir / ROSTER_COLUMNS_FILE)
    return {k: v[0] for k, v in spec.fields.items()}, (spec.yes[0], spec.no[0])


# --- Roster -----------------------------------------------------------------------------

def _districts(units: Units) -> list[tuple[str, str, list[str]]]:
    """(code, type, commune codes) of every district, in code order."""
    codes = units.codes("district")
    if not codes:
        raise ConfigError("The unit table has no district, so no roster can be made.",
                          file=units.path)
    communes = set(units.codes("commune"))
    return [(d, units.table.loc[d, "type"], [c for c in units.children(d) if c in communes])
            for d in codes]


def _profile(code: str, kind: str) -> str:
    if kind in ("quận", "thành phố"):
        return "urban"
    return "coastal" if code in COASTAL_DISTRICTS else "rural"


def _place_coops(rng: np.random.Generator, units: Units, size: int | None = None) -> pd.DataFrame:
    """One row per cooperative (about ``size``, default ROSTER_SIZE): district, commune,
    profile (no sector yet)."""
    districts = _districts(units)
    total = (size or ROSTER_SIZE) + int(rng.integers(-ROSTER_JITTER, ROSTER_JITTER + 1))
    islands = [d for d, _, comm in districts if not comm]
    weights = {d: len(comm) * COOPS_PER_COMMUNE.get(kind, COOPS_PER_COMMUNE_OTHER)
               for d, kind, comm in districts if comm}
    sizes = _largest_remainder(weights, total - ISLAND_COOPS * len(islands))
    rows = []
    for d, kind, comm in districts:
        if not comm:
            rows += [(d, "", "island")] * ISLAND_COOPS
            continue
        n = sizes[d]
        base = list(comm) if kind != "quận" and n >= len(comm) else []
        extra = rng.choice(len(comm), size=n - len(base), replace=True)
        chosen = sorted(base + [comm[i] for i in extra])
        rows += [(d, c, _profile(d, kind)) for c in chosen]
    return pd.DataFrame(rows, columns=["district_code", "commune_code", "profile"])


def _assign_sectors(rng: np.random.Generator, coops: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """Sector id of every cooperative: credit funds first (one per commune), then the mix."""
    sectors = codebook.sectors
    island = ISLAND_SECTOR if ISLAND_SECTOR in sectors else next(iter(sectors))
    out = pd.Series("", index=coops.index, dtype=object)
    out[coops["profile"] == "island"] = island
    if CREDIT_SECTOR in sectors:
        places = coops[coops["profile"] != "island"].drop_duplicates("commune_code")
        w = np.where(places["profile"] == "urban", 0.4, 1.0)
        pick = rng.choice(places.index.to_numpy(), size=min(CREDIT_FUNDS, len(places)),
                          replace=False, p=w / w.sum())
        out[np.sort(pick)] = CREDIT_SECTOR
    for i in coops.index[out == ""]:
        mix = {s: w for s, w in SECTOR_MIX[coops.at[i, "profile"]].items() if s in sectors}
        out[i] = _pick(rng, mix) if mix else next(iter(sectors))
    return out


def _founded(rng: np.random.Generator, sector: str, legal_form: str, last: int) -> int:
    """Founding year: old agricultural HTX from collectivisation, the rest recent."""
    if legal_form == "QTDND":
        lo, hi = 1994, 2008
    elif legal_form == "LHHTX":
        lo, hi = 2005, last
    elif rng.random() < LEGACY_SECTORS.get(sector, 0.0):
        lo, hi = FOUNDED_MIN, 1996
    else:
        lo, hi = 1997, last
    return int(lo + round((hi - lo) * rng.beta(1.3, 1.6)))


def _name_coop(rng: np.random.Generator, sector: str, sector_vi: str, commune: str,
               district: str, taken: set[str]) -> str:
    """A realistic name, unique in ``taken`` (the district's names so far)."""
    templates = dict(SECTOR_NAMES.get(sector) or {f"HTX {sector_vi} {{c}}": 1})
    while templates:
        t = _pick(rng, templates)
        name = nfc(t.format(c=commune, d=district))
        if name not in taken:
            return name
        del templates[t]
    k = 2
    while f"{name} {k}" in taken:
        k += 1
    return f"{name} {k}"


def _make_roster(rng: np.random.Generator, codebook: Codebook, units: Units,
                 last_year: int = 2022, size: int | None = None) -> pd.DataFrame:
    """Synthetic roster in canonical columns (``member`` as bool), sorted by ``coop_id``.

    Parameters
    ----------
    rng
        The random generator (consumed deterministically).
    codebook, units
        Sectors come from the codebook, districts and communes from the unit table.
    last_year
        Latest founding year (the round's year).
    size
        About how many cooperatives (default :data:`ROSTER_SIZE`).
    """
    coops = _place_coops(rng, units, size)
    coops["sector"] = _assign_sectors(rng, coops, codebook)
    coops["legal_form"] = np.where(coops["sector"] == CREDIT_SECTOR, "QTDND", "HTX")
    unions = coops[coops["sector"].isin(list(UNION_NAMES)) & (coops["profile"] != "island")]
    unions = unions.drop_duplicates("district_code")
    pick = rng.choice(unions.index.to_numpy(), size=min(UNION_COUNT, len(unions)), replace=False)
    coops.loc[np.sort(pick), "legal_form"] = "LHHTX"
    coops["coop_name"] = _names(rng, coops, codebook, units)
    coops = coops.sort_values(["district_code", "commune_code", "coop_name"], kind="stable")
    coops = coops.reset_index(drop=True)
    coops.insert(0, "coop_id", [f"HP-{i + 1:04d}" for i in range(len(coops))])
    coops["variant"] = [codebook.variant_of_sector(s) for s in coops["sector"]]
    return _add_details(rng, coops, last_year)


def _names(rng: np.random.Generator, coops: pd.DataFrame, codebook: Codebook,
           units: Units) -> list[str]:
    """Realistic names from sector and commune (unions: district), unique per district."""
    names, taken = [], {}
    for row in coops.itertuples():
        seen = taken.setdefault(row.district_code, set())
        dname = units.name(row.district_code)
        if row.legal_form == "LHHTX":
            name = nfc(UNION_NAMES[row.sector].format(d=dname))
        else:
            place = units.name(row.commune_code) if row.commune_code else dname
            sector_vi = codebook.sectors[row.sector]["vi"]
            name = _name_coop(rng, row.sector, sector_vi, place, dname, seen)
        seen.add(name)
        names.append(name)
    return names


def _add_details(rng: np.random.Generator, coops: pd.DataFrame, last_year: int) -> pd.DataFrame:
    """Membership, size, founding year, director and fake contact data."""
    n = len(coops)
    credit = (coops["legal_form"] == "QTDND").to_numpy()
    coops["member"] = rng.random(n) < np.where(credit, MEMBER_SHARE_CREDIT, MEMBER_SHARE)
    coops.loc[coops["legal_form"] == "LHHTX", "member"] = True
    coops["size_class"] = [SIZE_CLASSES[rng.choice(4, p=SIZE_MIX[f])] for f in coops["legal_form"]]
    coops["founded_year"] = [_founded(rng, s, f, last_year)
                             for s, f in zip(coops["sector"], coops["legal_form"])]
    female = rng.random(n) < np.where(credit, 0.5, FEMALE_DIRECTOR)
    coops["director_female"] = female
    coops["director_name"] = [_person(rng, bool(f)) for f in female]
    coops["phone"] = [_phone(int(x)) for x in rng.choice(1_000_000, size=n, replace=False)]
    coops["zalo"] = coops["phone"]
    coops["email"] = [f"htx{i + 1:04d}@example.com" for i in range(n)]
    return coops


def _roster_export(roster: pd.DataFrame, codebook: Codebook, headers: dict[str, str],
                   yes_no: tuple[str, str]) -> pd.DataFrame:
    """The roster as staff keep it: Vietnamese headers and labels."""
    out = roster.copy()
    out["sector"] = [codebook.sectors[s]["vi"] for s in out["sector"]]
    out["member"] = np.where(out["member"], yes_no[0], yes_no[1])
    out = out[[c for c in headers if c in out.columns]]
    return out.rename(columns=headers)


# --- Survey -----------------------------------------------------------------------------

def _answer_counts(roster: pd.DataFrame, total: int) -> dict[str, int]:
    """How many cooperatives of each district answer in the end (sums to ``total``)."""
    n = roster.groupby("district_code").size().to_dict()
    fixed = {}
    for d, k in n.items():
        if d in LAGGING_RATE:
            fixed[d] = round(LAGGING_RATE[d] * k)
        elif (roster.loc[roster["district_code"] == d, "commune_code"] == "").all():
            fixed[d] = round(ISLAND_RATE * k)
    rest = {d: k for d, k in n.items() if d not in fixed}
    return {**fixed, **_largest_remainder(rest, total - sum(fixed.values()))}


def _choose_responders(rng: np.random.Generator, roster: pd.DataFrame, total: int) -> np.ndarray:
    """Row positions of the cooperatives that answer, members and credit funds more often."""
    counts = _answer_counts(roster, total)
    w = np.where(roster["member"], 1.0, NON_MEMBER_PROPENSITY)
    w = w * np.where(roster["legal_form"] == "QTDND", CREDIT_PROPENSITY, 1.0)
    chosen = []
    for d, k in sorted(counts.items()):
        idx = np.flatnonzero(roster["district_code"].to_numpy() == d)
        p = w[idx] / w[idx].sum()
        chosen += list(rng.choice(idx, size=k, replace=False, p=p))
    return np.sort(np.asarray(chosen, dtype=int))


def _round_dates(rnd: Round, config_path: Path | None = None) -> tuple[dt.date, dt.date]:
    """The round's first and last day of answering."""
    if rnd.opened is None or rnd.deadline is None:
        raise ConfigError(f"Round {rnd.year} needs 'opened' and 'deadline' dates for sample data.",
                          file=config_path,
                          hint="Add them under the round (YYYY-MM-DD).")
    return rnd.opened, rnd.deadline


def _day_weights(days: list[dt.date], shape: tuple[float, float]) -> np.ndarray:
    x = (np.arange(len(days)) + 0.5) / len(days)
    w = x ** (shape[0] - 1) * (1 - x) ** (shape[1] - 1)
    w = w * np.asarray([WEEKEND_FACTOR if d.weekday() >= 5 else 1.0 for d in days])
    return w / w.sum()


def _moment(rng: np.random.Generator, day: dt.date) -> dt.datetime:
    """A time of day on ``day``, mostly in office hours and evenings."""
    h = np.asarray(HOUR_WEIGHTS, dtype=float)
    hour = int(rng.choice(24, p=h / h.sum()))
    return dt.datetime(day.year, day.month, day.day, hour, int(rng.integers(60)),
                       int(rng.integers(60)))


def _timeline(rng: np.random.Generator, roster: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """Who answers, when, and how (with a coop id, by name only, or late)."""
    opened, deadline = _round_dates(rnd)
    n = len(roster)
    count_day = deadline - dt.timedelta(days=COUNT_DAY_LAG)
    on_time = math.ceil(COVERAGE_AT_COUNT * n)
    late = int(rng.integers(*LATE_RANGE))
    pos = _choose_responders(rng, roster, on_time + late + NAME_ONLY)
    r = roster.iloc[pos][["coop_id", "district_code", "commune_code"]].copy()
    r["pos"] = pos
    island = (r["commune_code"] == "").to_numpy()
    lagging = r["district_code"].isin(list(LAGGING_RATE)).to_numpy()
    r["how"] = "id"
    name_only = rng.choice(np.flatnonzero(~island & ~lagging), size=NAME_ONLY, replace=False)
    r.iloc[name_only, r.columns.get_loc("how")] = "name"
    free = np.flatnonzero((r["how"] == "id").to_numpy() & ~island)
    w = np.where(lagging[free], 5.0, 1.0)
    late_rows = rng.choice(free, size=late, replace=False, p=w / w.sum())
    r.iloc[late_rows, r.columns.get_loc("how")] = "late"
    main_days = [opened + dt.timedelta(days=k) for k in range((count_day - opened).days + 1)]
    late_days = [count_day + dt.timedelta(days=k + 1) for k in range(COUNT_DAY_LAG)]
    p_main, p_lag = _day_weights(main_days, DAY_SHAPE), _day_weights(main_days, LAGGING_DAY_SHAPE)
    times = []
    for how, lag in zip(r["how"], lagging):
        if how == "late":
            day = late_days[int(rng.choice(len(late_days)))]
        else:
            day = main_days[int(rng.choice(len(main_days), p=p_lag if lag else p_main))]
        times.append(_moment(rng, day))
    r["submitted_at"] = times
    return r.reset_index(drop=True)


def _scale_values(codebook: Codebook) -> list[int]:
    return list(codebook.scale.labels)


def _to_scale(latent: np.ndarray, values: list[int]) -> np.ndarray:
    """Map latent scores to scale values: 5 ordered categories, then onto the scale's labels."""
    pos = np.searchsorted(np.asarray(CUTS), latent) / len(CUTS)
    idx = np.floor(pos * (len(values) - 1) + 0.5).astype(int)
    return np.asarray(values)[idx]


def _answers(rng: np.random.Generator, coop: pd.DataFrame, codebook: Codebook,
             year: int | None = None) -> pd.DataFrame:
    """Scored answers (scale values; NaN = not asked, -1 = no opinion) of each responder.

    ``year`` (a round other than BASE_YEAR) adds that round's shifts to the latent scale.
    """
    items = codebook.items
    values = _scale_values(codebook)
    m = len(coop)
    asked = np.asarray([[v in it.variants for it in items] for v in coop["variant"]])
    mu = (BASE + coop["district_code"].map(DISTRICT_EFFECT).fillna(0.0).to_numpy()
          + coop["variant"].map(VARIANT_EFFECT).fillna(0.0).to_numpy()
          + MEMBER_EFFECT * coop["member"].to_numpy()
          + rng.normal(0, RESPONDENT_SD, m))
    dim = np.asarray([DIMENSION_EFFECT.get(it.dimension, 0.0) for it in items])
    latent = mu[:, None] + dim[None, :] + rng.normal(0, ITEM_SD, (m, len(items)))
    if year is not None:
        latent = latent + _round_shift(coop, items, year)
    scores = _to_scale(latent, values).astype(float)
    mean_latent = np.nanmean(np.where(asked, latent, np.nan), axis=1)
    overall = _to_scale(mean_latent + OVERALL_SHIFT + rng.normal(0, OVERALL_SD, m), values)
    flat = rng.random(m) < STRAIGHT_LINERS
    agree = values[int(np.floor(0.75 * (len(values) - 1) + 0.5))]
    scores[flat] = agree
    overall = np.where(flat, agree, overall).astype(float)
    scores[(rng.random(scores.shape) < NO_OPINION_SHARE) & ~flat[:, None]] = -1
    overall[rng.random(m) < OVERALL_NO_OPINION] = -1
    scores[~asked] = np.nan
    out = pd.DataFrame(scores, columns=[it.id for it in items])
    out[codebook.overall.id] = overall
    return out


def _sentences(rng: np.random.Generator, texts: dict, variant: str, k: int) -> list[str]:
    topics = {t: w for t, w in TOPIC_WEIGHTS.items() if any(
        tags is None or variant in tags for _, tags in texts.get(t, []))}
    out = []
    for _ in range(k):
        if not topics:
            break
        t = _pick(rng, topics)
        del topics[t]
        fits = [s for s, tags in texts[t] if tags is None or variant in tags]
        out.append(fits[int(rng.integers(len(fits)))])
    return out


def _compose(rng: np.random.Generator, sentences: list[str]) -> str:
    """Join sentences the ways people type them into a form."""
    style = int(rng.integers(4))
    if len(sentences) == 1:
        s = sentences[0]
        return s[0].lower() + s[1:-1] if style == 0 else s
    if style == 1:
        return " ".join(f"{i + 1}. {s}" for i, s in enumerate(sentences))
    if style == 2:
        return "; ".join(s.rstrip(".") for s in sentences) + "."
    return " ".join(sentences)


def _open_answers(rng: np.random.Generator, variants: Sequence[str]) -> tuple[list[str], list[str]]:
    """Free-text difficulties and recommendations (empty when not answered)."""
    diff, rec = [], []
    for v in variants:
        d = ""
        if rng.random() < DIFFICULTIES_SHARE:
            d = _compose(rng, _sentences(rng, DIFFICULTY_TEXTS, v, 1 + int(rng.integers(3))))
        r = ""
        if rng.random() < RECOMMENDATIONS_SHARE:
            sents = _sentences(rng, RECOMMENDATION_TEXTS, v, 1 + int(rng.integers(2)))
            if rng.random() < 0.25:
                general = GENERAL_RECOMMENDATIONS
                sents.append(general[int(rng.integers(len(general)))])
            r = _compose(rng, sents)
        diff.append(d)
        rec.append(r)
    return diff, rec


def _respondents(rng: np.random.Generator, coop: pd.DataFrame, used: set[str]) -> pd.DataFrame:
    """Who filled the form: the director (own phone) or another officer (new fake phone)."""
    names, phones, female = [], [], []
    for row in coop.itertuples():
        if rng.random() < RESPONDENT_IS_DIRECTOR:
            names.append(row.director_name)
            phones.append(row.phone)
            female.append(bool(row.director_female))
            continue
        f = bool(rng.random() < FEMALE_OTHER)
        phone = _phone(int(rng.integers(1_000_000)))
        while phone in used:
            phone = _phone(int(rng.integers(1_000_000)))
        used.add(phone)
        names.append(_person(rng, f))
        phones.append(phone)
        female.append(f)
    return pd.DataFrame({"respondent_name": names, "respondent_phone": phones,
                         "respondent_female": female}, index=coop.index)


def _personal_text(k: int, sub: pd.Series) -> str:
    """Sentence ``k`` of PERSONAL_TEMPLATES filled with this submission's own details."""
    t = PERSONAL_TEMPLATES[k % len(PERSONAL_TEMPLATES)]
    return t.format(title="chị" if sub["respondent_female"] else "anh",
                    given=sub["respondent_name"].split()[-1], phone=sub["respondent_phone"],
                    email=sub["email"], coop=sub["coop_name"], director=sub["director_name"])


def _add_personal_data(rng: np.random.Generator, subs: pd.DataFrame, eligible: np.ndarray) -> None:
    """Put personal data into the open answers of a few submissions (in place)."""
    rows = rng.choice(eligible, size=min(PERSONAL_TEXTS, len(eligible)), replace=False)
    for k, i in enumerate(np.sort(rows)):
        col = DIFFICULTIES if k % 2 == 0 else RECOMMENDATIONS
        text = _personal_text(k, subs.loc[i])
        subs.at[i, col] = f"{subs.at[i, col]} {text}".strip()


def _variant_name(rng: np.random.Generator, name: str) -> str:
    """The cooperative's name as a respondent types it (other prefix or case)."""
    for prefix, alts in NAME_PREFIXES.items():
        if name.startswith(prefix) and rng.random() < 0.6:
            return alts[int(rng.integers(len(alts)))] + name[len(prefix):]
    return name.upper() if rng.random() < 0.5 else name.lower()


def _change_some(rng: np.random.Generator, row: pd.Series, item_ids: list[str],
                 values: list[int]) -> pd.Series:
    """A resubmission: two to four answered items moved one label up or down."""
    row = row.copy()
    answered = [c for c in item_ids if pd.notna(row[c]) and row[c] >= 0]
    for c in rng.choice(answered, size=min(len(answered), 2 + int(rng.integers(3))), replace=False):
        k = values.index(int(row[c]))
        k = k + 1 if k == 0 or (k < len(values) - 1 and rng.random() < 0.5) else k - 1
        row[c] = values[k]
    return row


def _make_responses(rng: np.random.Generator, roster: pd.DataFrame, codebook: Codebook,
                   rnd: Round, year: int | None = None) -> pd.DataFrame:
    """Synthetic submissions in canonical columns, sorted by submission time.

    Scored columns hold scale values, ``-1`` for "no opinion" and NaN when the item is
    not asked; ``coop_id`` is empty for submissions that give only the name.
    """
    sub = _timeline(rng, roster, rnd)
    coop = roster.iloc[sub["pos"].to_numpy()].reset_index(drop=True)
    sub = pd.concat([sub.drop(columns=["district_code", "commune_code"]),
                     coop[["coop_name", "variant", "email", "director_name"]]], axis=1)
    sub = pd.concat([sub, _respondents(rng, coop, set(roster["phone"])),
                     _answers(rng, coop, codebook, year)], axis=1)
    sub[DIFFICULTIES], sub[RECOMMENDATIONS] = _open_answers(rng, sub["variant"])
    with_id = (sub["how"] == "id").to_numpy()
    wrote = ((sub[DIFFICULTIES] != "") | (sub[RECOMMENDATIONS] != "")).to_numpy()
    special = rng.choice(np.flatnonzero(with_id), size=DUPLICATES + FIRST_ATTEMPTS, replace=False)
    _add_personal_data(rng, sub, np.setdiff1d(np.flatnonzero(with_id & wrote), special))
    extra = _resubmissions(rng, sub, special, codebook, rnd)
    sub = pd.concat([sub, extra], ignore_index=True)
    named = sub["how"] == "name"
    sub.loc[named, "coop_name"] = [_variant_name(rng, n) for n in sub.loc[named, "coop_name"]]
    sub.loc[named, "coop_id"] = ""
    sub = sub.sort_values(["submitted_at", "coop_id", "coop_name"], kind="stable")
    return sub.drop(columns=["pos", "how", "email", "director_name", "respondent_female"]
                    ).reset_index(drop=True)


# --- Several rounds ----------------------------------------------------------------------

def _round_shift(coop: pd.DataFrame, items, year: int) -> np.ndarray:
    """Latent shift (respondents x items) of a round relative to BASE_YEAR."""
    shift = np.full((len(coop), len(items)), ROUND_SHIFT.get(year, 0.0))
    if "origin" in coop:
        shift += HAI_DUONG_EFFECT * (coop["origin"].to_numpy() == "HD")[:, None]
    district = coop["district_code"].to_numpy()
    for (where, dim), value in ROUND_DIMENSION_SHIFT.get(year, {}).items():
        rows = np.ones(len(coop), bool) if where == "*" else district == where
        cols = np.asarray([it.dimension == dim for it in items])
        shift[np.ix_(rows, cols)] += value
    return shift


def _roster_of_round(seed: int, config: Config, rnd: Round, codebook: Codebook,
                     units: Units) -> tuple[pd.DataFrame, np.random.Generator]:
    """The roster of a round other than BASE_YEAR, and the generator for its survey.

    The BASE_YEAR roster (same seed, same draws) loses the cooperatives founded after an
    earlier round; for a later round, each year dissolves and founds a few; after the
    reform the cooperatives move to the new communes and former Hải Dương joins.
    """
    base = config.rounds[BASE_YEAR]
    base_codebook = load_codebook(base.codebook)
    base_units = load_units(base.units, on=base.geography_date)
    roster = _make_roster(np.random.default_rng(seed), base_codebook, base_units,
                          last_year=BASE_YEAR)
    unknown = sorted(set(roster["sector"]) - set(codebook.sectors))
    if unknown:
        raise ConfigError(f"The codebook of round {rnd.year} lacks sectors of the sample.",
                          file=rnd.codebook, found=unknown)
    roster["origin"] = "HP"
    # One generator per year of history, so that every round tells the same history.
    if rnd.year < BASE_YEAR:
        roster = roster[roster["founded_year"] <= rnd.year].reset_index(drop=True)
        roster = _add_coops(np.random.default_rng([seed, rnd.year, 0]), roster,
                            base_codebook, base_units, rnd.year,
                            round(DISSOLVED_PER_YEAR * len(roster)), EARLIER_CODES_FROM)
    for year in range(BASE_YEAR + 1, rnd.year + 1):
        roster = _next_year(np.random.default_rng([seed, year, 0]), roster, base_codebook,
                            base_units, year)
    if not units.codes("district"):
        roster = _after_reform(np.random.default_rng([seed, rnd.year, 1]), roster, config,
                               codebook, units, rnd.year)
    return roster, np.random.default_rng([seed, rnd.year])


def _id_number(coop_id: pd.Series) -> pd.Series:
    return coop_id.str.split("-").str[-1].astype(int)


def _fresh_phones(rng: np.random.Generator, n: int, used: set[str]) -> list[str]:
    out = []
    while len(out) < n:
        phone = _phone(int(rng.integers(1_000_000)))
        if phone not in used:
            used.add(phone)
            out.append(phone)
    return out


def _next_year(rng: np.random.Generator, roster: pd.DataFrame, codebook: Codebook,
               units: Units, year: int) -> pd.DataFrame:
    """The roster a year later: a few HTX dissolved, a few founded (new codes)."""
    n = len(roster)
    plain = np.flatnonzero((roster["legal_form"] == "HTX").to_numpy()
                           & (roster["commune_code"] != "").to_numpy())
    gone = rng.choice(plain, size=round(DISSOLVED_PER_YEAR * n), replace=False)
    roster = roster.drop(roster.index[gone]).reset_index(drop=True)
    new = _add_coops(rng, roster, codebook, units, year, round(FOUNDED_PER_YEAR * n))
    new.loc[len(roster):, "founded_year"] = year
    return new


def _add_coops(rng: np.random.Generator, roster: pd.DataFrame, codebook: Codebook,
               units: Units, year: int, k: int, first_code: int | None = None) -> pd.DataFrame:
    """``roster`` plus ``k`` plain HTX (founded by ``year``), with new codes and phones.

    Codes continue after the roster's highest, or start at ``first_code``.
    """
    fresh = _make_roster(rng, codebook, units, last_year=year)
    fresh = fresh[(fresh["legal_form"] == "HTX") & (fresh["commune_code"] != "")]
    taken = set(zip(roster["district_code"], roster["coop_name"]))
    rows = []
    for i in rng.permutation(fresh.index.to_numpy()):
        key = (fresh.at[i, "district_code"], fresh.at[i, "coop_name"])
        if key not in taken:
            taken.add(key)
            rows.append(i)
        if len(rows) == k:
            break
    new = fresh.loc[rows].copy()
    start = first_code or int(_id_number(roster["coop_id"]).max()) + 1
    numbers = range(start, start + len(new))
    new["coop_id"] = [f"HP-{k:04d}" for k in numbers]
    new["email"] = [f"htx{k:04d}@example.com" for k in numbers]
    new["phone"] = _fresh_phones(rng, len(new), set(roster["phone"]))
    new["zalo"] = new["phone"]
    new["origin"] = "HP"
    return pd.concat([roster, new], ignore_index=True)


def _split_type(full_name: str) -> tuple[str, str]:
    """``"Huyện Nam Sách"`` -> ``("huyện", "Nam Sách")``."""
    for kind in UNIT_TYPES:
        if full_name.startswith(kind + " "):
            return kind.lower(), full_name[len(kind) + 1:]
    return "", full_name


def _old_hai_duong(crosswalk: Crosswalk) -> Units:
    """Hải Dương's districts and communes before the reform, from the commune crosswalk."""
    t = crosswalk.table
    hd = t[t["from_province"] == HAI_DUONG[0]].drop_duplicates("from_code")
    rows = [(HAI_DUONG[0], HAI_DUONG[1], HAI_DUONG[2], "province", "tỉnh", "")]
    for code, full in hd.drop_duplicates("from_district")[["from_district",
                                                           "from_district_name"]].to_numpy():
        kind, name = _split_type(full)
        rows.append((code, name, full, "district", kind, HAI_DUONG[0]))
    for code, full, parent in hd[["from_code", "from_name", "from_district"]].to_numpy():
        kind, name = _split_type(full)
        rows.append((code, name, full, "commune", kind, parent))
    table = pd.DataFrame(rows, columns=["code", "name", "full_name", "level", "type",
                                        "parent_code"]).assign(valid_from="", valid_to="")
    table.index = pd.Index(table["code"].to_numpy())
    return Units(path=crosswalk.path, table=table)


def _after_reform(rng: np.random.Generator, roster: pd.DataFrame, config: Config,
                  codebook: Codebook, units: Units, year: int) -> pd.DataFrame:
    """Every cooperative in its new commune, plus the cooperatives of former Hải Dương.

    A commune code of the old roster that the commune crosswalk lists goes to one of its
    new communes (drawn when it was split); one it does not list (merged away before
    2025) goes to one of the new communes of its district. ``district_code`` keeps the
    district before the reform (for the simulation only; the roster file leaves it empty).
    """
    communes = load_crosswalk(config.data_dir / COMMUNE_CROSSWALK)
    districts = load_crosswalk(config.data_dir / DISTRICT_CROSSWALK)
    listed = set(communes.table.loc[communes.table["from_province"] != HAI_DUONG[0],
                                    "from_code"])

    def move(commune: str, district: str) -> str:
        targets = (communes.targets(commune) if commune in listed
                   else districts.targets(district))
        return targets[int(rng.integers(len(targets)))]

    roster = roster.copy()
    roster["commune_code"] = [move(c, d) for c, d in zip(roster["commune_code"],
                                                         roster["district_code"])]
    hd = _make_roster(rng, codebook, _old_hai_duong(communes), last_year=year,
                      size=HAI_DUONG_COOPS)
    numbers = _id_number(hd["coop_id"])
    hd["coop_id"] = [f"HD-{k:04d}" for k in numbers]
    hd["email"] = [f"hd{k:04d}@example.com" for k in numbers]
    hd["phone"] = _fresh_phones(rng, len(hd), set(roster["phone"]))
    hd["zalo"] = hd["phone"]
    hd["origin"] = "HD"
    hd["commune_code"] = [communes.targets(c)[int(rng.integers(len(communes.targets(c))))]
                          for c in hd["commune_code"]]
    out = pd.concat([roster, hd], ignore_index=True)
    unknown = set(out["commune_code"]) - set(units.codes("commune"))
    if unknown:
        raise ConfigError("The crosswalk leads to communes the round's unit table lacks.",
                          file=units.path, found=sorted(unknown))
    return out


def _resubmissions(rng: np.random.Generator, sub: pd.DataFrame, special: np.ndarray,
                   codebook: Codebook, rnd: Round) -> pd.DataFrame:
    """Duplicates (later, half identical, half changed) and earlier name-only attempts."""
    opened, deadline = _round_dates(rnd)
    item_ids = [it.id for it in codebook.scored_items]
    values = _scale_values(codebook)
    rows = []
    for k, i in enumerate(special):
        row = sub.loc[i].copy()
        t = row["submitted_at"]
        step = dt.timedelta(minutes=int(rng.integers(15, 180)))
        if k < DUPLICATES:
            day = min(t.date() + dt.timedelta(days=int(rng.integers(0, 13))), deadline)
            moment = _moment(rng, day)
            row["submitted_at"] = moment if moment > t else t + step
            if k % 2 == 1:
                row = _change_some(rng, row, item_ids, values)
        else:
            day = max(t.date() - dt.timedelta(days=int(rng.integers(0, 4))), opened)
            moment = _moment(rng, day)
            row["submitted_at"] = moment if moment < t else t - step
            row["how"] = "name"
        rows.append(row)
    return pd.DataFrame(rows)


def _label(value: float, codebook: Codebook) -> str:
    if pd.isna(value):
        return ""
    if value < 0:
        return codebook.no_opinion[0] if codebook.no_opinion else ""
    return codebook.scale.label(int(value))


def _responses_export(subs: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Submissions as the online form exports them: Vietnamese headers and labels."""
    f = codebook.export_fields
    head = lambda key, default: (f.get(key) or (default,))[0]  # noqa: E731
    out = pd.DataFrame({
        head("submitted_at", "Dấu thời gian"): [t.strftime("%d/%m/%Y %H:%M:%S")
                                                for t in subs["submitted_at"]],
        head("coop_id", "Mã HTX"): subs["coop_id"],
        head("coop_name", "Tên HTX"): subs["coop_name"],
        head("variant", "Loại hình"): [codebook.variants[v]["vi"] for v in subs["variant"]],
        head("respondent_name", "Họ và tên người trả lời"): subs["respondent_name"],
        head("respondent_phone", "Số điện thoại"): subs["respondent_phone"],
    })
    for it in codebook.scored_items:
        out[f"{it.number}. {it.vi}"] = [_label(v, codebook) for v in subs[it.id]]
    for it in codebook.open_questions:
        out[f"{it.number}. {it.vi}"] = subs[it.id].fillna("") if it.id in subs else ""
    return out


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8, ``\\n`` line ends, NFC text: the same bytes for the same frame."""
    frame = frame.map(lambda v: nfc(v) if isinstance(v, str) else v)
    frame.columns = [nfc(c) for c in frame.columns]
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
