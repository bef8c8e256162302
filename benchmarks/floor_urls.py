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
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = None

    def paginate_queryset(self, queryset, request, view=None):
        # The floor pages by LIMIT / OFFSET and does not count (the portal's lists don't either).
        size = self.get_page_size(request)
        number = int(request.query_params.get("page", 1))
        self.request = request
        return list(queryset[(number - 1) * size : number * size])

    def get_paginated_response(self, data):
        from rest_framework.response import Response

        return Response({"results": data, "next": None})


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
