"""An ECharts figure drawn as SVG: Solara's ``FigureEcharts`` widget with its own template
(``svgchart.vue``) that asks ECharts for the SVG renderer instead of a canvas, so the axis labels
and the matrix numbers are DOM text the browser test can measure, and that turns the axis-label
formatter named ``"year"`` (:data:`sim.viz.charts.YEAR_FORMAT`) into a function printing whole
years. Loads ECharts from Solara's offline assets, as ``FigureEcharts`` does.
"""

from __future__ import annotations

from typing import Any

import solara
from solara.components.echarts import EchartsWidget


class SvgEchartsWidget(EchartsWidget):
    """``EchartsWidget`` with the SVG template (same traits)."""

    template_file = (__file__, "svgchart.vue")


@solara.component
def FigureSvgEcharts(option: dict[str, Any], attributes: dict[str, str] | None = None) -> Any:  # noqa: N802
    """An ECharts chart (SVG) that follows its container's size.

    Args:
        option: the ECharts option (JSON-safe).
        attributes: HTML attributes of the container (style, class).
    """
    return SvgEchartsWidget.element(
        option=option,
        on_click=None,
        on_mouseover=None,
        on_mouseover_enabled=False,
        maps={},
        on_mouseout=None,
        on_mouseout_enabled=False,
        attributes=attributes or {},
        responsive=True,
    )
