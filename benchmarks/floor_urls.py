"""The portal's URLs plus the floor of the benchmarks: for each measured list, the
minimal Django REST framework list over the same table (a ModelSerializer of the
model's own columns, ordered by primary key, no scoping, no authentication), and a
trivial endpoint. Loaded only by ``benchmarks/settings.py``."""

from django.apps import apps
from django.http import HttpResponse
from django.urls import include, path
from rest_framework import generics, pagination, permissions, serializers

TABLES = {
    "agencies": "agreements.Agency",
    "officers": "training.Officer",
    "installations": "itdeploy.Installation",
    "findings": "portal.Finding",
    "agreements": "agreements.Agreement",
}


class FloorPagination(pagination.PageNumberPagination):
    """Django REST framework's own page-number pagination: LIMIT / OFFSET and an exact
    COUNT, as the portal's lists answer (their ``count`` is part of the API). The floor
    counted nothing until the load benchmark showed it did less than the portal must."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def floor_view(label: str):
    model = apps.get_model(label)

    class Serializer(serializers.ModelSerializer):
        class Meta:
            fields = [f.name for f in model._meta.concrete_fields]

    Serializer.Meta.model = model

    class View(generics.ListAPIView):
        queryset = model._default_manager.order_by("pk")
        serializer_class = Serializer
        pagination_class = FloorPagination
        permission_classes = [permissions.AllowAny]
        authentication_classes = []

    return View.as_view()


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    *[path(f"floor/{name}/", floor_view(label), name=f"floor-{name}") for name, label in TABLES.items()],
    path("floor/trivial/", trivial, name="floor-trivial"),
    path("", include("portal.urls")),
]
