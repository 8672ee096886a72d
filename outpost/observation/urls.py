app_name = "observation"

urlpatterns: list = []
