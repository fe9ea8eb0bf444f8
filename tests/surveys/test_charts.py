import xml.etree.ElementTree as ET

from surveys.charts import bar_chart, fit, pie_chart, text_width

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg):
    return ET.fromstring(str(svg))  # noqa: S314 -- our own output


def test_bar_chart_is_valid_svg_with_an_accessible_title_and_description():
    root = _parse(bar_chart([("满意", 120), ("基本满意", 30), ("不满意", 10)], title="服务态度", desc="满意率 93.8%"))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "服务态度" and desc.text == "满意率 93.8%"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "Noto Sans CJK SC" in root.get("font-family")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "满意" in texts and "120" in texts


def test_chart_text_is_escaped():
    svg = str(bar_chart([("<script>alert(1)</script>", 1)], title="a & b <c>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    _parse(svg)


def test_long_chinese_labels_are_cut_to_fit():
    assert text_width("党组织和党员作用", 10) == 80
    cut = fit("党组织和党员作用发挥情况很好很好很好", 14, 100)
    assert cut.endswith("…") and text_width(cut, 14) <= 100


def test_pie_chart_draws_a_slice_per_non_zero_value_and_a_legend_with_shares():
    root = _parse(pie_chart([("满意", 3), ("基本满意", 1), ("不满意", 0)], title="总体"))
    assert len(root.findall(f".//{SVG}path")) == 2
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert any("75.0%" in text for text in legend) and any("不满意" in text for text in legend)
    assert "满意：3（75.0%）" in root.find(f"{SVG}desc").text


def test_pie_chart_of_one_value_or_no_values_is_a_circle():
    assert len(_parse(pie_chart([("满意", 5)], title="t")).findall(f"{SVG}circle")) == 1
    assert len(_parse(pie_chart([], title="t")).findall(f"{SVG}circle")) == 1


def test_bar_chart_can_use_a_fixed_scale():
    root = _parse(bar_chart([("A", 50)], title="t", max_value=100, value_suffix="%"))
    rects = root.findall(f".//{SVG}rect")
    assert float(rects[1].get("width")) == float(rects[0].get("width")) / 2
    assert "50%" in [t.text for t in root.iter(f"{SVG}text")]
