from rest_framework.routers import DefaultRouter

from .views import AgencyViewSet, AgreementDocumentViewSet, AgreementViewSet, FieldOfficeViewSet, IceEditionViewSet

router = DefaultRouter()
router.register("field-offices", FieldOfficeViewSet, basename="fieldoffice")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("agreement-documents", AgreementDocumentViewSet, basename="agreementdocument")
router.register("ice-editions", IceEditionViewSet, basename="ice-edition")
