from django.urls import path

app_name = "itdeploy"
urlpatterns: list = []
