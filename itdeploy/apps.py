from django.apps import AppConfig


class ItdeployConfig(AppConfig):
    name = "itdeploy"
    verbose_name = "IT installation"
