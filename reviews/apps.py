from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from portfolios import hooks as portfolio_hooks  # noqa: PLC0415 -- apps are loaded now

        from . import cache  # noqa: PLC0415 -- models are loaded now

        cache.register()
        portfolio_hooks.on_pdf_renderer("reviews", _render_pdf)


def _render_pdf(*, template: str, context: dict) -> bytes:
    """portfolios' PDFs through the one WeasyPrint module, loaded on first use (in a task)."""
    from .pdf import render_pdf  # noqa: PLC0415 -- WeasyPrint loads only in workers

    return render_pdf(template=template, context=context)
