"""nbval: compare the text of notebook outputs, not their pictures or HTML renderings."""


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("image/png", "text/html", "application/vnd.jupyter.widget-view+json")
