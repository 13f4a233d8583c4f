"""The classroom demo: a browser page (Mesa's model controller in a layout for classroom
projectors) that runs a scenario live with policy levers, built from small parts that work
without a browser.

- :mod:`sim.viz.demo_model`: the model the page drives (a scenario plus the levers);
- :mod:`sim.viz.data`: the view data from the model's arrays, and the live phase;
- :mod:`sim.viz.captions`: a caption in plain language from those numbers;
- :mod:`sim.viz.charts`: the charts as ECharts options (drawn by the browser);
- :mod:`sim.viz.views`: what each view of the page shows for a model;
- :mod:`sim.viz.svgchart`: Solara's ECharts widget drawing SVG (so the tests can measure its text);
- :mod:`sim.viz.app`: the page (needs Solara); ``tradesim demo`` serves it (:mod:`sim.viz.cli`).

How a teacher uses it and how the phase and caption are computed: docs/demo.md.
"""
