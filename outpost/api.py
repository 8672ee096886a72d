"""The JSON API at /api/v1/ (django-ninja); OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

from outpost.core.api import router as core_router
from outpost.core.api_support import API_AUTH, install_error_handlers
from outpost.keypersons.api import router as keypersons_router
from outpost.notify.api import router as notify_router
from outpost.registry.api import router as registry_router

api = NinjaAPI(
    title="Outpost API",
    version="1",
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/registry/", registry_router)
api.add_router("/keypersons/", keypersons_router)
api.add_router("/notify/", notify_router)
api.add_router("/screening/", "outpost.screening.api.router")
api.add_router("/dispatch/", "outpost.dispatch.api.router")
api.add_router("/duty/", "outpost.duty.api.router")
api.add_router("/observation/", "outpost.observation.api.router")
api.add_router("/briefing/", "outpost.briefing.api.router")
api.add_router("/publicorder/", "outpost.publicorder.api.router")
api.add_router("/fieldwork/", "outpost.fieldwork.api.router")
api.add_router("/enterprises/", "outpost.enterprises.api.router")
api.add_router("/enterprises/dormitories/", "outpost.enterprises.api_dormitories.router")
api.add_router("/enterprises/tests/", "outpost.enterprises.api_employees.router")
api.add_router("/enterprises/", "outpost.enterprises.supplies.api.router")
api.add_router("/enterprises/", "outpost.enterprises.notices.api.router")
api.add_router("/inquiries/", "outpost.inquiries.api.router")
api.add_router("/cases/", "outpost.cases.api.router")
