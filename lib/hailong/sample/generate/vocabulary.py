# Tables of Vietnamese names and sentences, one per line:
# ruff: noqa: E501
"""The words of the sample: people's names, cooperatives' names and the sentences of the
open answers (difficulties, recommendations, and a few carrying personal data).

Every name and contact is invented.
"""

from __future__ import annotations

import numpy as np

from hailong.sample.generate.draws import _pick

# --- Names -----------------------------------------------------------------------------
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
                ("Việc tổ chức lại theo Luật Hợp tác xã còn lúng túng, chưa có hướng dẫn cụ thể.", None)],
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
    "đào tạo": [("Đề nghị mở thêm lớp tập huấn về Luật Hợp tác xã và nghiệp vụ kế toán.", None),
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


def _person(rng: np.random.Generator, female: bool) -> str:
    """A realistic Vietnamese full name (family, middle, given)."""
    given = GIVEN[female][int(rng.integers(len(GIVEN[female])))]
    return f"{_pick(rng, FAMILY)} {_pick(rng, MIDDLE[female])} {given}"
