"""The demo district's enterprises (企业平安之家): ~120 enterprises in its communities, the
6 essential-goods producers of the reference station among them, each with one or two
contact people, and the liaison login ``liaison01`` bound to the first essential one.

Deterministic for a seed; written with ``bulk_create`` (a few statements)."""

from __future__ import annotations

import random

from django.contrib.auth.models import User
from simple_history.utils import bulk_create_with_history

from outpost.core.choices import UnitKind
from outpost.core.models import Organisation, Unit
from outpost.demo import names
from outpost.enterprises.choices import EnterpriseStatus, Sector
from outpost.enterprises.models import Enterprise, EnterpriseContact, EnterpriseLiaison
from outpost.enterprises.validators import credit_code_check_character

ENTERPRISE_COUNT = 120
DALIAN_REGION = "210204"  # 大连市沙河口区

_PREFIXES = "星海 连胜 华信 海达 北方 金港 恒远 鑫源 新生 兴工 中山 黄河 春柳 锦华 汇丰 宏达 长兴 永安".split()
_TRADES = [
    ("机械制造", Sector.MANUFACTURING),
    ("电子科技", Sector.MANUFACTURING),
    ("服装", Sector.MANUFACTURING),
    ("食品", Sector.FOOD),
    ("商贸", Sector.RETAIL),
    ("超市", Sector.RETAIL),
    ("物流", Sector.LOGISTICS),
    ("运输", Sector.LOGISTICS),
    ("建筑工程", Sector.CONSTRUCTION),
    ("餐饮管理", Sector.CATERING),
    ("酒店管理", Sector.CATERING),
    ("物业服务", Sector.SERVICES),
    ("软件", Sector.SERVICES),
]
_ESSENTIAL_SECTORS = [
    Sector.MEDICAL,
    Sector.FOOD,
    Sector.FOOD,
    Sector.FOOD,
    Sector.MEDICAL,
    Sector.FOOD,
]
_STREETS = "黄河路 中山路 西安路 五一路 兴工街 锦华街 春柳街 星海广场 太原街 连山街".split()
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗".replace("", " ").split()
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华".replace("", " ").split()
_TITLES = ["总经理", "办公室主任", "行政主管", "安全员", "人事经理", "厂长"]


def credit_code(n: int) -> str:
    first17 = f"91{DALIAN_REGION}{n:09d}"
    return first17 + credit_code_check_character(first17)


def build_demo_enterprises(*, seed: int, creator: User | None = None) -> int:
    """Write the enterprises, their contacts and the liaison binding; returns how many
    enterprises were written."""
    rng = random.Random(seed + 17)
    communities = list(Unit.objects.filter(kind=UnitKind.COMMUNITY).order_by("code"))
    grids: dict[int, list[Unit]] = {}
    for grid in Unit.objects.filter(kind=UnitKind.GRID).order_by("code"):
        grids.setdefault(grid.parent_id, []).append(grid)

    def place(community: Unit) -> Unit:
        return rng.choice(grids.get(community.pk) or [community])

    def address() -> str:
        return f"{rng.choice(_STREETS)}{rng.randint(1, 300)}号"

    enterprises = []
    for i, (name, community_index) in enumerate(names.ENTERPRISES):
        community = communities[community_index % len(communities)]
        enterprises.append(
            Enterprise(
                unit=place(community),
                name=name,
                credit_code=credit_code(100 + i),
                sector=_ESSENTIAL_SECTORS[i % len(_ESSENTIAL_SECTORS)],
                address=address(),
                employees=rng.randint(260, 340),
                is_essential=True,
                status=EnterpriseStatus.RESUMED,
                created_by=creator,
            )
        )
    taken = {e.name for e in enterprises}
    n = 0
    while len(enterprises) < ENTERPRISE_COUNT:
        n += 1
        trade, sector = rng.choice(_TRADES)
        name = f"大连{rng.choice(_PREFIXES)}{trade}有限公司"
        if name in taken:
            name = f"大连{rng.choice(_PREFIXES)}{rng.choice(_PREFIXES)}{trade}有限公司"
        if name in taken:
            continue
        taken.add(name)
        enterprises.append(
            Enterprise(
                unit=place(rng.choice(communities)),
                name=name,
                credit_code=credit_code(1000 + n),
                sector=sector,
                address=address(),
                employees=rng.choice([8, 15, 30, 45, 60, 120, 200]),
                is_essential=False,
                status=rng.choices(
                    [EnterpriseStatus.OPEN, EnterpriseStatus.RESUMED, EnterpriseStatus.SUSPENDED],
                    weights=[3, 5, 2],
                )[0],
                created_by=creator,
            )
        )
    enterprises = bulk_create_with_history(
        enterprises, Enterprise, batch_size=500, default_user=creator
    )
    # bulk_create_with_history returns the objects with their keys on every backend we use.
    if enterprises[0].pk is None:
        enterprises = list(Enterprise.objects.order_by("pk"))

    contacts = []
    for enterprise in enterprises:
        for _ in range(2 if enterprise.is_essential else rng.choice([1, 1, 2])):
            contacts.append(
                EnterpriseContact(
                    enterprise=enterprise,
                    name=rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(["", *_GIVEN]),
                    title=rng.choice(_TITLES),
                    phone=f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
                    created_by=creator,
                )
            )
    bulk_create_with_history(contacts, EnterpriseContact, batch_size=500, default_user=creator)

    liaison = User.objects.filter(username="liaison01").select_related("staff_profile").first()
    if liaison is not None:
        first = enterprises[0]
        # The partner organisation the login was made for is the same enterprise.
        organisation = getattr(liaison.staff_profile, "organisation", None)
        if isinstance(organisation, Organisation):
            first = next((e for e in enterprises if e.name == organisation.name), first)
        bulk_create_with_history(
            [EnterpriseLiaison(user=liaison, enterprise=first, bound_by=creator)],
            EnterpriseLiaison,
            default_user=creator,
        )
    return len(enterprises)
