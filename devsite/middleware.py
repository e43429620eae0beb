"""Demo only: `?lang=pt-br` switches the workbench's language and remembers it in Django's language cookie,
so the handlers called from that page answer in the same language (the LMS has its own language setting)."""
from django.conf import settings
from django.utils import translation


class LanguageFromQuery:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lang = request.GET.get("lang")
        supported = {code for code, _name in settings.LANGUAGES}
        if lang not in supported:
            lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            lang = lang if lang in supported else None
        if lang:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        if "lang" in request.GET and lang:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, samesite="Lax")
        return response
