"""Choices of the employees' daily tests (员工每日检测)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmployeeOrigin(models.TextChoices):
    """Where an employee lives and came from (人员类别): local staff, or staff who returned
    from elsewhere (返岗外地人员), who may be under observation."""

    LOCAL = "local", _("Local")  # 本地
    RETURNED = "returned", _("Returned from elsewhere")  # 外地返岗


class TestResult(models.TextChoices):
    """The result of an employee's test of the day (检测结果)."""

    NEGATIVE = "negative", _("Negative")  # 阴性
    POSITIVE = "positive", _("Positive")  # 阳性


class ReportSource(models.TextChoices):
    """How an enterprise's day of tests reached the station (上报方式)."""

    FORM = "form", _("Form")  # 表单填报
    IMPORT = "import", _("Spreadsheet")  # 表格导入
    API = "api", _("API")  # 接口
