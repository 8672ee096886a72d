"""Build the demo district (演示辖区): one station shaped like Harbin Road, Dalian, early 2020.

`plan_demo_district` generates everything as plain data from one `random.Random(seed)`
(same seed, same district); `build_demo_district` writes the plan with `bulk_create` in
one transaction. The jurisdiction tree (1 branch, 1 station, 10 community police
offices, 17 communities, 235 grids) is the same at every scale; households, residents
and landlords scale.

Rows are bulk-created, so no django-simple-history rows are written for them: the demo
district is seed data, not a user's edit.
"""

from __future__ import annotations

import datetime
import itertools
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext as _

from outpost.core.choices import OrganisationKind, Role, UnitKind
from outpost.core.chunks import chunked
from outpost.core.identity import id_check_character
from outpost.core.models import DemoPassword, Organisation, StaffProfile, Unit
from outpost.core.roles import roles_sync
from outpost.demo import names
from outpost.demo.enterprises import build_demo_enterprises
from outpost.demo.geography import district_boundaries
from outpost.registry.choices import DocumentType, RelationToHead, ResidenceType, Sex
from outpost.registry.models import Household, Landlord, RentalProperty, Resident

# The reference station's figures (DESIGN.md).
FULL_HOUSEHOLDS = 67_010
FULL_RESIDENTS = 116_782
FULL_LARGE_LANDLORDS = 390
FULL_SMALL_LANDLORDS = 900
FULL_FOREIGNERS = 40
GRID_COUNT = 235
OFFICE_COUNT = 10

# Everyone in the district was born before this day (除夕 2020, the start of the work).
REFERENCE_DATE = datetime.date(2020, 1, 24)
_REF = REFERENCE_DATE.toordinal()
_YEAR = 365.2425

BATCH_SIZE = 1000
CHUNK_SIZE = 5000

BRANCH_CODE = "210204"
STATION_CODE = "210204001"

# Household size weights (mean about 1.75; the total is then adjusted to the exact figure).
_SIZE_WEIGHTS = ((1, 550), (2, 250), (3, 130), (4, 45), (5, 17), (6, 8))

# Family templates by size: H head, S spouse, C child, P parent of the head, O the child's
# spouse, G grandchild. Weights are per mille within a size.
_TEMPLATES: dict[int, tuple[tuple[str, int], ...]] = {
    1: (("H", 1000),),
    2: (("HS", 600), ("HC", 250), ("HP", 150)),
    3: (("HSC", 720), ("HCC", 100), ("HSP", 180)),
    4: (("HSCC", 350), ("HSCP", 450), ("HSCG", 200)),
    5: (("HSCPP", 550), ("HSCCP", 200), ("HSCOG", 250)),
    6: (("HSCCPP", 450), ("HSCOGG", 550)),
}
_UNRELATED = (RelationToHead.HEAD, RelationToHead.TENANT)
_RELATIONS = {
    "H": RelationToHead.HEAD,
    "S": RelationToHead.SPOUSE,
    "C": RelationToHead.CHILD,
    "P": RelationToHead.PARENT,
    "O": RelationToHead.OTHER,
    "G": RelationToHead.GRANDCHILD,
    "T": RelationToHead.TENANT,
}

# Age (in years) of heads of household: few young ones, most between 35 and 75.
# (from age, to age exclusive, weight per year of age)
_HEAD_AGE_BANDS = (
    (18, 25, 1), (25, 35, 4), (35, 45, 5), (45, 55, 6),
    (55, 65, 6.5), (65, 75, 4.5), (75, 85, 2.5), (85, 96, 0.7),
)  # fmt: skip
_HEAD_AGE_WEIGHTS = tuple(
    (age, weight) for start, stop, weight in _HEAD_AGE_BANDS for age in range(start, stop)
)
_TENANT_AGE_WEIGHTS = tuple(
    (age, 3 if age < 30 else 2 if age < 40 else 1 if age < 50 else 0.3) for age in range(19, 61)
)

# Region groups weighted by residence: permanent residents are mostly from Dalian,
# tenants come from everywhere, Hubei included.
_PERMANENT_GROUPS = {"dalian": 1.0, "liaoning": 1.0, "hubei": 0.4, "other": 0.8}
_TENANT_GROUPS = {"dalian": 0.25, "liaoning": 2.5, "hubei": 2.0, "other": 3.0}
_LOCAL_GROUPS = {"dalian": 1.0, "liaoning": 0.0, "hubei": 0.0, "other": 0.0}


# ---------------------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class OrganisationSpec:
    name: str
    kind: str
    unit_code: str
    contact_phone: str


@dataclass(frozen=True, slots=True)
class StaffSpec:
    username: str
    role: str
    display_name: str
    unit_code: str
    organisation: int | None  # index into DistrictPlan.organisations
    phone: str
    is_staff: bool = False


@dataclass(slots=True)
class HouseholdSpec:
    grid_code: str
    number: str
    street: str
    building: str
    entrance: str
    room: str
    phone: str = ""
    is_rental: bool = False


@dataclass(slots=True)
class ResidentSpec:
    household: int  # index into DistrictPlan.households
    relation: str
    name: str
    sex: str
    birth_date: datetime.date
    id_number: str
    residence_type: str
    phone: str = ""
    workplace: str = ""
    document_type: str = DocumentType.RESIDENT_ID
    document_number: str = ""


@dataclass(slots=True)
class LandlordSpec:
    unit_code: str
    name: str
    id_number: str
    phone: str
    is_large: bool
    households: list[int] = field(default_factory=list)


@dataclass
class DistrictPlan:
    units: list[UnitSpec]
    organisations: list[OrganisationSpec]
    staff: list[StaffSpec]
    households: list[HouseholdSpec]
    residents: list[ResidentSpec]
    landlords: list[LandlordSpec]
    # Unit code → boundary (GeoJSON geometry), for the dashboard's map.
    boundaries: dict[str, dict] = field(default_factory=dict)


# ---------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    role_label: str
    unit_name: str
    unit_kind: str
    organisation_name: str = ""
    organisation_kind: str = ""


@dataclass
class DemoSummary:
    units: int
    offices: int
    communities: int
    grids: int
    organisations: int
    users: int
    households: int
    residents: int
    landlords: int
    large_landlords: int
    rental_properties: int
    foreigners: int
    rows_written: int
    logins: list[DemoLogin]
    enterprises: int = 0

    def count_lines(self) -> list[str]:
        rows = [
            (_("units"), self.units),
            (_("community police offices"), self.offices),
            (_("communities"), self.communities),
            (_("grids"), self.grids),
            (_("partner organisations"), self.organisations),
            (_("staff logins"), self.users),
            (_("households"), self.households),
            (_("residents"), self.residents),
            (_("foreign residents"), self.foreigners),
            (_("landlords"), self.landlords),
            (_("large landlords"), self.large_landlords),
            (_("rental properties"), self.rental_properties),
            (_("enterprises"), self.enterprises),
        ]
        return [f"  {label}: {count:,}" for label, count in rows]

    def login_lines(self) -> list[str]:
        """One line per kind of login: ``grid001 … grid235  网格员  235 × 网格``."""
        lines = []
        for _key, group in itertools.groupby(
            self.logins, key=lambda login: (login.role, re.sub(r"\d+$", "", login.username))
        ):
            members = list(group)
            first, last = members[0], members[-1]
            usernames = (
                first.username if len(members) == 1 else f"{first.username} … {last.username}"
            )
            if first.organisation_name:
                if len({m.organisation_name for m in members}) == 1:
                    where = f"{first.organisation_name}, {first.unit_name}"
                else:
                    kind = OrganisationKind(first.organisation_kind).label
                    where = f"{len({m.organisation_name for m in members})} × {kind}"
            elif len({m.unit_name for m in members}) == 1:
                where = first.unit_name
            else:
                where = f"{len({m.unit_name for m in members})} × {UnitKind(first.unit_kind).label}"
            lines.append(f"  {usernames:<22}{first.role_label}  ({where})")
        return lines


class DemoDistrictError(Exception):
    """The demo district cannot be built into this database."""


# ---------------------------------------------------------------------------- generators


def _cumulative(pairs: Iterable[tuple[object, float]]) -> tuple[list, list[float]]:
    values, cum, total = [], [], 0.0
    for value, weight in pairs:
        if weight <= 0:
            continue
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum


class _Generator:
    """Names, ID numbers and phones, unique across the district, drawn from one rng."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = _cumulative(names.SURNAMES)
        self.prefixes = _cumulative(names.MOBILE_PREFIXES)
        self.regions = {
            "permanent": self._region_table(_PERMANENT_GROUPS),
            "tenant": self._region_table(_TENANT_GROUPS),
            "local": self._region_table(_LOCAL_GROUPS),
        }
        self.head_ages = _cumulative(_HEAD_AGE_WEIGHTS)
        self.tenant_ages = _cumulative(_TENANT_AGE_WEIGHTS)
        self.sizes = _cumulative(_SIZE_WEIGHTS)
        self.templates = {size: _cumulative(t) for size, t in _TEMPLATES.items()}
        self.male_first = names.GIVEN_MALE + names.GIVEN_NEUTRAL
        self.female_first = names.GIVEN_FEMALE + names.GIVEN_NEUTRAL
        self.id_prefixes: set[str] = set()
        self.phones: set[str] = set()
        self.passports: set[str] = set()

    @staticmethod
    def _region_table(groups: dict[str, float]) -> tuple[list, list[float]]:
        return _cumulative(
            (code, weight * groups[group]) for code, _n, group, weight in names.REGIONS
        )

    def pick(self, table: tuple[list, list[float]]):
        values, cum = table
        return self.rng.choices(values, cum_weights=cum)[0]

    def surname(self) -> str:
        return self.pick(self.surnames)

    def given_name(self, sex: str) -> str:
        rng = self.rng
        if sex == Sex.MALE:
            first, second = self.male_first, names.GIVEN_MALE
        else:
            first, second = self.female_first, names.GIVEN_FEMALE
        if rng.random() < 0.22:
            return rng.choice(second)
        name = rng.choice(first) + rng.choice(second)
        if name[0] == name[1] and rng.random() < 0.5:
            return name[0]
        return name

    def name(self, sex: str, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given_name(sex)

    def sex(self, male_share: float = 0.5) -> str:
        return Sex.MALE if self.rng.random() < male_share else Sex.FEMALE

    def region(self, kind: str) -> str:
        return self.pick(self.regions[kind])

    def id_number(self, region: str, birth: datetime.date, sex: str) -> str:
        rng = self.rng
        stem = region + birth.strftime("%Y%m%d")
        parity = 1 if sex == Sex.MALE else 0
        while True:
            first17 = f"{stem}{rng.randrange(500) * 2 + parity:03d}"
            if first17 not in self.id_prefixes:
                self.id_prefixes.add(first17)
                return first17 + id_check_character(first17)

    def phone(self) -> str:
        rng = self.rng
        while True:
            number = self.pick(self.prefixes) + f"{rng.randrange(100_000_000):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def landline(self) -> str:
        return f"0411-84{self.rng.randrange(100_000, 1_000_000):06d}"

    def birth(self, age_years: int) -> datetime.date:
        """A birth date for someone aged ``age_years`` on the reference date."""
        ordinal = _REF - int(age_years * _YEAR) - self.rng.randrange(365)
        return datetime.date.fromordinal(ordinal)

    def between(self, low: int, high: int) -> int:
        """An ordinal between low and high (both days), never after the reference date."""
        high = min(high, _REF)
        low = min(low, high)
        return self.rng.randint(low, high)


def _years(n: float) -> int:
    return int(n * _YEAR)


# ---------------------------------------------------------------------------- the tree


def _tree() -> tuple[list[UnitSpec], list[list[str]], list[str]]:
    """Units parent-first; also the grid codes per community and the community codes."""
    units = [
        UnitSpec(BRANCH_CODE, names.BRANCH_NAME, UnitKind.BRANCH, None),
        UnitSpec(STATION_CODE, names.STATION_NAME, UnitKind.STATION, BRANCH_CODE),
    ]
    communities: list[UnitSpec] = []
    for office_no, community_names in enumerate(names.OFFICE_COMMUNITIES, start=1):
        office_code = f"{STATION_CODE}J{office_no:02d}"
        office_name = community_names[0] + "警务室"
        units.append(UnitSpec(office_code, office_name, UnitKind.POLICE_OFFICE, STATION_CODE))
        for community_name in community_names:
            code = f"{STATION_CODE}S{len(communities) + 1:02d}"
            communities.append(UnitSpec(code, community_name, UnitKind.COMMUNITY, office_code))
    units += communities
    grids_by_community: list[list[str]] = []
    for community, grid_count in zip(communities, names.COMMUNITY_GRID_COUNTS, strict=True):
        grids = [f"{community.code}W{n:02d}" for n in range(1, grid_count + 1)]
        units += [
            UnitSpec(code, f"{community.name}第{n}网格", UnitKind.GRID, community.code)
            for n, code in enumerate(grids, start=1)
        ]
        grids_by_community.append(grids)
    return units, grids_by_community, [c.code for c in communities]


# ---------------------------------------------------------------------------- households


def _scaled(full: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(full * scale))


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, deterministic)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    remainders = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in remainders[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _household_sizes(gen: _Generator, households: int, residents: int) -> list[int]:
    residents = min(max(residents, households), households * 6)
    sizes = [gen.pick(gen.sizes) for _ in range(households)]
    diff = residents - sum(sizes)
    rng = gen.rng
    while diff:
        i = rng.randrange(households)
        if diff > 0 and sizes[i] < 6:
            sizes[i] += 1
            diff -= 1
        elif diff < 0 and sizes[i] > 1:
            sizes[i] -= 1
            diff += 1
    return sizes


def _addresses(
    gen: _Generator, grid_code: str, count: int, streets: Sequence[str], next_building: dict
) -> Iterator[HouseholdSpec]:
    """``count`` households at distinct addresses in buildings of the grid's own."""
    rng = gen.rng
    street = rng.choice(streets)
    sequence = 0
    while sequence < count:
        building = next_building.get(street) or rng.randint(1, 15)
        next_building[street] = building + rng.randint(1, 3)
        entrances = rng.randint(2, 6)
        floors = rng.choice((5, 6, 6, 7, 7, 7, 9, 11, 18))
        per_floor = rng.choice((2, 2, 3))
        slots = [
            (entrance, floor, room)
            for entrance in range(1, entrances + 1)
            for floor in range(1, floors + 1)
            for room in range(1, per_floor + 1)
        ]
        occupied = max(1, round(len(slots) * rng.uniform(0.7, 0.95)))
        take = min(count - sequence, occupied)
        for entrance, floor, room in sorted(rng.sample(slots, take)):
            sequence += 1
            yield HouseholdSpec(
                grid_code=grid_code,
                number=f"{grid_code}-{sequence:04d}",
                street=street,
                building=str(building),
                entrance=str(entrance),
                room=f"{floor}{room:02d}",
            )
        if rng.random() < 0.3:
            street = rng.choice(streets)


# ---------------------------------------------------------------------------- residents


def _head_age(gen: _Generator, template: str, *, rental: bool) -> int:
    """The head's age from the district's age table, within what the family allows (old
    enough for grandchildren, young enough to live with parents)."""
    if "G" in template:
        low, high = 50, 80
    elif "P" in template:
        low, high = 25, 62
    elif "C" in template:
        low, high = 24, 85
    else:
        low, high = 18, 95
    table = (
        gen.tenant_ages if rental and "G" not in template and "P" not in template else gen.head_ages
    )
    age = gen.pick(table)
    for _attempt in range(10):
        if low <= age <= high:
            return age
        age = gen.pick(table)
    return gen.rng.randint(low, high)


def _family(gen: _Generator, template: str, household: int, *, rental: bool) -> list[ResidentSpec]:
    """The members of one household, with birth dates consistent with their relations."""
    rng = gen.rng
    kind = "tenant" if rental else "permanent"
    age = _head_age(gen, template, rental=rental)
    has_spouse = "S" in template
    head_sex = gen.sex(0.62 if has_spouse else 0.48)
    head_birth = gen.birth(age).toordinal()
    head_surname = gen.surname()
    head_region = gen.region(kind)
    members: list[tuple[str, str, str, int, str]] = [
        ("H", head_sex, head_surname, head_birth, head_region)
    ]

    youngest_parent = head_birth
    spouse_surname = ""
    if has_spouse:
        spouse_sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
        offset = (-2, 6) if head_sex == Sex.MALE else (-6, 2)
        spouse_birth = head_birth + rng.randint(_years(offset[0]), _years(offset[1]))
        spouse_birth = min(spouse_birth, _REF - _years(20))
        spouse_surname = gen.surname()
        region = gen.region(kind)
        members.append(("S", spouse_sex, spouse_surname, spouse_birth, region))
        youngest_parent = max(head_birth, spouse_birth)
    family_surname = head_surname
    if head_sex == Sex.FEMALE and has_spouse and rng.random() < 0.85:
        family_surname = spouse_surname

    parents = template.count("P")
    for n in range(parents):
        sex = (Sex.MALE if n == 0 else Sex.FEMALE) if parents == 2 else gen.sex(0.35)
        birth = head_birth - rng.randint(_years(22), _years(35))
        if n == 1:
            birth = min(birth + rng.randint(-_years(3), _years(3)), head_birth - _years(20))
        surname = head_surname if sex == Sex.MALE else gen.surname()
        region = head_region if rng.random() < 0.6 else gen.region(kind)
        members.append(("P", sex, surname, birth, region))

    child_region_kind = "local" if not rental else kind
    child_latest = _REF - _years(22) if "G" in template else _REF
    first_child: tuple[str, int] | None = None
    for _child in range(template.count("C")):
        sex = gen.sex()
        birth = gen.between(
            youngest_parent + _years(20), min(youngest_parent + _years(38), child_latest)
        )
        region = head_region if rental and rng.random() < 0.7 else gen.region(child_region_kind)
        members.append(("C", sex, family_surname, birth, region))
        if first_child is None:
            first_child = (sex, birth)

    grandparent_latest = first_child[1] if first_child else youngest_parent
    grandchild_surname = family_surname
    if "O" in template and first_child:
        sex = Sex.FEMALE if first_child[0] == Sex.MALE else Sex.MALE
        birth = min(first_child[1] + rng.randint(-_years(3), _years(3)), _REF - _years(20))
        surname = gen.surname()
        members.append(("O", sex, surname, birth, gen.region(kind)))
        grandparent_latest = max(grandparent_latest, birth)
        if sex == Sex.MALE:
            grandchild_surname = surname
    for _grandchild in range(template.count("G")):
        birth = gen.between(grandparent_latest + _years(20), grandparent_latest + _years(35))
        members.append(("G", gen.sex(), grandchild_surname, birth, gen.region("local")))

    head_residence = (
        (ResidenceType.TEMPORARY if rng.random() < 0.65 else ResidenceType.FLOATING)
        if rental
        else ResidenceType.PERMANENT
    )
    return [
        _resident(gen, household, code, sex, surname, birth, region, head_residence, rental)
        for code, sex, surname, birth, region in members
    ]


def _cotenants(gen: _Generator, size: int, household: int) -> list[ResidentSpec]:
    """Unrelated tenants sharing a flat (合租): a head and co-tenants."""
    rng = gen.rng
    residence = ResidenceType.TEMPORARY if rng.random() < 0.55 else ResidenceType.FLOATING
    people = []
    for n in range(size):
        sex = gen.sex(0.55)
        birth = gen.birth(gen.pick(gen.tenant_ages)).toordinal()
        code = "H" if n == 0 else "T"
        people.append(
            _resident(gen, household, code, sex, "", birth, gen.region("tenant"), residence, True)
        )
    return people


def _resident(
    gen: _Generator,
    household: int,
    code: str,
    sex: str,
    surname: str,
    birth_ordinal: int,
    region: str,
    head_residence: str,
    rental: bool,
) -> ResidentSpec:
    rng = gen.rng
    birth = datetime.date.fromordinal(min(birth_ordinal, _REF))
    age = (_REF - birth.toordinal()) / _YEAR
    residence = head_residence
    if not rental and code in "PO" and rng.random() < 0.15:
        residence = ResidenceType.TEMPORARY  # parents or in-laws staying from elsewhere
    phone = gen.phone() if age >= 18 and rng.random() < 0.9 else ""
    workplace = ""
    if 22 <= age < 60 and rng.random() < (0.6 if rental else 0.45):
        if rental and rng.random() < 0.4:
            workplace = rng.choice(names.ENTERPRISES)[0]
        else:
            workplace = rng.choice(names.EMPLOYERS)
    return ResidentSpec(
        household=household,
        relation=_RELATIONS[code],
        name=gen.name(sex, surname or None),
        sex=sex,
        birth_date=birth,
        id_number=gen.id_number(region, birth, sex),
        residence_type=residence,
        phone=phone,
        workplace=workplace,
    )


def _make_foreigner(gen: _Generator, resident: ResidentSpec) -> None:
    """Turn a tenant into a foreign resident: passport instead of a resident ID."""
    rng = gen.rng
    nationality, prefix, digits, surnames, men, women = rng.choice(names.FOREIGNERS)
    while True:
        number = prefix + "".join(str(rng.randrange(10)) for _ in range(digits))
        if number not in gen.passports:
            gen.passports.add(number)
            break
    surname = rng.choice(surnames)
    if resident.sex == Sex.MALE:
        given = rng.choice(men)
    else:
        given = rng.choice(women)
        if nationality == "RUS":
            surname += "A"
    resident.name = f"{surname} {given}"
    resident.document_type = DocumentType.PASSPORT
    resident.document_number = number
    resident.id_number = ""
    resident.residence_type = ResidenceType.TEMPORARY


# ---------------------------------------------------------------------------- landlords


def _landlords(
    gen: _Generator,
    *,
    scale: float,
    households: list[HouseholdSpec],
    community_of_grid: dict[str, str],
    community_codes: list[str],
) -> list[LandlordSpec]:
    rng = gen.rng
    pools: dict[str, list[int]] = {code: [] for code in community_codes}
    for index, household in enumerate(households):
        pools[community_of_grid[household.grid_code]].append(index)
    for code in community_codes:
        rng.shuffle(pools[code])

    landlords = []
    plan = [(True, 3, 8)] * _scaled(FULL_LARGE_LANDLORDS, scale) + [(False, 1, 2)] * _scaled(
        FULL_SMALL_LANDLORDS, scale, minimum=0
    )
    for is_large, least, most in plan:
        wanted = rng.randint(least, most)
        available = [code for code in community_codes if pools[code]]
        if not available:
            break
        weights = [len(pools[code]) for code in available]
        community = rng.choices(available, weights=weights)[0]
        taken = []
        while len(taken) < wanted and any(pools.values()):
            pool = pools[community] or next(pools[c] for c in community_codes if pools[c])
            taken.append(pool.pop())
        age = rng.randint(35, 75)
        sex = gen.sex(0.55)
        birth = gen.birth(age)
        for index in taken:
            households[index].is_rental = True
        landlords.append(
            LandlordSpec(
                unit_code=community,
                name=gen.name(sex),
                id_number=gen.id_number(gen.region("permanent"), birth, sex),
                phone=gen.phone(),
                is_large=is_large,
                households=taken,
            )
        )
    return landlords


# ---------------------------------------------------------------------------- staff


def _organisations(gen: _Generator, community_codes: list[str]) -> list[OrganisationSpec]:
    office_code = [f"{STATION_CODE}J{n:02d}" for n in range(1, OFFICE_COUNT + 1)]
    organisations = [
        OrganisationSpec(
            names.HEALTH_COMMISSION_NAME,
            OrganisationKind.HEALTH_COMMISSION,
            BRANCH_CODE,
            gen.landline(),
        ),
        OrganisationSpec(
            names.SUBDISTRICT_NAME, OrganisationKind.SUBDISTRICT, STATION_CODE, gen.landline()
        ),
    ]
    for name, office in names.HEALTH_CENTRES:
        organisations.append(
            OrganisationSpec(
                name, OrganisationKind.HEALTH_CENTRE, office_code[office], gen.landline()
            )
        )
    for name, community in names.ENTERPRISES:
        organisations.append(
            OrganisationSpec(
                name, OrganisationKind.ENTERPRISE, community_codes[community], gen.landline()
            )
        )
    return organisations


def _staff(
    gen: _Generator,
    organisations: list[OrganisationSpec],
    community_codes: list[str],
    grid_codes: list[str],
) -> list[StaffSpec]:
    def person(username, role, unit_code, organisation=None, **extra) -> StaffSpec:
        sex = gen.sex(0.7 if role in (Role.POLICE_OFFICER, Role.AUXILIARY_POLICE) else 0.4)
        return StaffSpec(
            username=username,
            role=role,
            display_name=gen.name(sex),
            unit_code=unit_code,
            organisation=organisation,
            phone=gen.phone(),
            **extra,
        )

    staff = [
        person("leader", Role.STATION_LEADER, STATION_CODE),
        person("admin", Role.ADMINISTRATOR, STATION_CODE, is_staff=True),
        person("analyst", Role.ANALYST, STATION_CODE),
    ]
    offices = [f"{STATION_CODE}J{n:02d}" for n in range(1, OFFICE_COUNT + 1)]
    staff += [person(f"officer{n:02d}", Role.POLICE_OFFICER, c) for n, c in enumerate(offices, 1)]
    staff += [person(f"aux{n:02d}", Role.AUXILIARY_POLICE, c) for n, c in enumerate(offices, 1)]
    staff += [
        person(f"cadre{n:02d}", Role.COMMUNITY_CADRE, c) for n, c in enumerate(community_codes, 1)
    ]
    centres = [i for i, o in enumerate(organisations) if o.kind == OrganisationKind.HEALTH_CENTRE]
    staff += [
        person(f"medic{n:02d}", Role.MEDICAL_STAFF, organisations[i].unit_code, organisation=i)
        for n, i in enumerate(centres, 1)
    ]
    # The isolation hotel's staff, at the station (the hotel serves the whole station): the
    # health commission's doctors, also the medical place of four-on-one teams where no
    # health centre is near, and the officer on duty there.
    commission = next(
        i for i, o in enumerate(organisations) if o.kind == OrganisationKind.HEALTH_COMMISSION
    )
    staff += [
        person(f"doctor{n:02d}", Role.MEDICAL_STAFF, STATION_CODE, organisation=commission)
        for n in (1, 2)
    ]
    staff.append(person("siteofficer01", Role.POLICE_OFFICER, STATION_CODE))
    enterprise = next(
        i for i, o in enumerate(organisations) if o.kind == OrganisationKind.ENTERPRISE
    )
    staff.append(
        person(
            "liaison01",
            Role.ENTERPRISE_LIAISON,
            organisations[enterprise].unit_code,
            organisation=enterprise,
        )
    )
    staff += [person(f"grid{n:03d}", Role.GRID_WORKER, c) for n, c in enumerate(grid_codes, 1)]
    return staff


# ---------------------------------------------------------------------------- plan


def plan_demo_district(*, scale: float = 1.0, seed: int = 2020) -> DistrictPlan:
    """Generate the whole district as plain data; no database access."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    rng = random.Random(seed)
    gen = _Generator(rng)
    units, grids_by_community, community_codes = _tree()
    grid_codes = [code for grids in grids_by_community for code in grids]
    community_of_grid = {
        grid: community_codes[i] for i, grids in enumerate(grids_by_community) for grid in grids
    }

    household_total = _scaled(FULL_HOUSEHOLDS, scale)
    resident_total = _scaled(FULL_RESIDENTS, scale)

    # Households per grid, then addresses in each grid's buildings.
    per_grid = _apportion(household_total, [rng.uniform(0.75, 1.25) for _ in grid_codes])
    streets_of_community = [
        names.STREETS[i :: len(community_codes)] for i in range(len(community_codes))
    ]
    next_building: dict[str, int] = {}
    households: list[HouseholdSpec] = []
    for grid_code, count in zip(grid_codes, per_grid, strict=True):
        streets = streets_of_community[community_codes.index(community_of_grid[grid_code])]
        households.extend(_addresses(gen, grid_code, count, streets, next_building))

    organisations = _organisations(gen, community_codes)
    landlords = _landlords(
        gen,
        scale=scale,
        households=households,
        community_of_grid=community_of_grid,
        community_codes=community_codes,
    )

    sizes = _household_sizes(gen, household_total, resident_total)
    residents: list[ResidentSpec] = []
    for index, (household, size) in enumerate(zip(households, sizes, strict=True)):
        if household.is_rental and size > 1 and rng.random() < 0.5:
            members = _cotenants(gen, size, index)
        else:
            template = gen.pick(gen.templates[size])
            members = _family(gen, template, index, rental=household.is_rental)
        household.phone = members[0].phone
        residents.extend(members)

    # A few dozen foreign residents among the tenants who share a flat or live alone.
    families = {r.household for r in residents if r.relation not in _UNRELATED}
    candidates = [
        i
        for i, r in enumerate(residents)
        if households[r.household].is_rental and r.household not in families
    ]
    foreigners = min(_scaled(FULL_FOREIGNERS, scale), len(candidates))
    for i in sorted(rng.sample(candidates, foreigners)):
        _make_foreigner(gen, residents[i])

    staff = _staff(gen, organisations, community_codes, grid_codes)
    return DistrictPlan(
        units=units,
        organisations=organisations,
        staff=staff,
        households=households,
        residents=residents,
        landlords=landlords,
        boundaries=_boundaries(units, grids_by_community, community_codes, seed),
    )


def _boundaries(units, grids_by_community, community_codes, seed: int) -> dict[str, dict]:
    """The map of the district (its own random stream: the people stay the same)."""
    offices: dict[str, list[str]] = {}
    for spec in units:
        if spec.kind == UnitKind.COMMUNITY:
            offices.setdefault(spec.parent_code, []).append(spec.code)
    return district_boundaries(
        station=STATION_CODE,
        offices=offices,
        grids_by_community=dict(zip(community_codes, grids_by_community, strict=True)),
        seed=seed,
    )


# ---------------------------------------------------------------------------- writing


def _login(spec: StaffSpec, units: dict[str, Unit], organisations: list[Organisation]) -> DemoLogin:
    unit = units[spec.unit_code]
    organisation = organisations[spec.organisation] if spec.organisation is not None else None
    return DemoLogin(
        username=spec.username,
        role=spec.role,
        role_label=str(Role(spec.role).label),
        unit_name=unit.name,
        unit_kind=unit.kind,
        organisation_name=organisation.name if organisation else "",
        organisation_kind=organisation.kind if organisation else "",
    )


def build_demo_district(*, scale: float = 1.0, seed: int = 2020, password: str) -> DemoSummary:
    """Write the demo district into an empty database; every login gets ``password``."""
    plan = plan_demo_district(scale=scale, seed=seed)
    password_hash = make_password(password)  # once: argon2 is deliberately slow

    with transaction.atomic():
        _check_database_empty([s.username for s in plan.staff])
        roles_sync()
        units = _write_units(plan)
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=o.name, kind=o.kind, unit=units[o.unit_code], contact_phone=o.contact_phone
                )
                for o in plan.organisations
            ]
        )
        users = _write_staff(plan, units, organisations, password_hash)
        household_ids = _write_households(plan, units)
        grid_of_household = [units[h.grid_code].pk for h in plan.households]
        _write_residents(plan, household_ids, grid_of_household)
        landlords, rentals = _write_landlords(plan, units, household_ids, grid_of_household)
        enterprises = build_demo_enterprises(seed=seed)

    kinds = [u.kind for u in plan.units]
    rows = (
        len(units)
        + len(organisations)
        + 3 * len(users)  # users, profiles, group memberships
        + len(plan.households)
        + len(plan.residents)
        + len(landlords)
        + len(rentals)
    )
    return DemoSummary(
        units=len(units),
        offices=kinds.count(UnitKind.POLICE_OFFICE),
        communities=kinds.count(UnitKind.COMMUNITY),
        grids=kinds.count(UnitKind.GRID),
        organisations=len(organisations),
        users=len(users),
        households=len(plan.households),
        residents=len(plan.residents),
        landlords=len(landlords),
        large_landlords=sum(1 for landlord in plan.landlords if landlord.is_large),
        rental_properties=len(rentals),
        foreigners=sum(1 for r in plan.residents if r.document_type == DocumentType.PASSPORT),
        rows_written=rows + enterprises,
        enterprises=enterprises,
        logins=[_login(s, units, organisations) for s in plan.staff],
    )


def _check_database_empty(usernames: list[str]) -> None:
    """The demo goes into an empty database only: no units, none of its usernames."""
    if Unit.objects.exists():
        raise DemoDistrictError(_("The database already holds units."))
    taken = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise DemoDistrictError(
            _("These usernames are already taken: %(names)s") % {"names": ", ".join(taken)}
        )


def _write_units(plan: DistrictPlan) -> dict[str, Unit]:
    """The unit tree, one level at a time (a unit's path needs its parent's)."""
    units: dict[str, Unit] = {}
    kinds = (
        UnitKind.BRANCH,
        UnitKind.STATION,
        UnitKind.POLICE_OFFICE,
        UnitKind.COMMUNITY,
        UnitKind.GRID,
    )
    for depth, kind in enumerate(kinds):
        level = []
        for spec in plan.units:
            if spec.kind != kind:
                continue
            parent = units[spec.parent_code] if spec.parent_code else None
            level.append(
                Unit(
                    code=spec.code,
                    name=spec.name,
                    kind=spec.kind,
                    parent=parent,
                    path=Unit.build_path(parent, spec.code),
                    depth=depth,
                    boundary=plan.boundaries.get(spec.code),
                )
            )
        for unit in Unit.objects.bulk_create(level, batch_size=BATCH_SIZE):
            units[unit.code] = unit
    return units


def _write_staff(
    plan: DistrictPlan,
    units: dict[str, Unit],
    organisations: list[Organisation],
    password_hash: str,
) -> list[User]:
    """The logins with their profiles and roles."""
    # Remembered so that production refuses to run while a login still has it.
    DemoPassword.objects.create(password_hash=password_hash)
    users = User.objects.bulk_create(
        [
            User(username=s.username, password=password_hash, is_staff=s.is_staff)
            for s in plan.staff
        ],
        batch_size=BATCH_SIZE,
    )
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user=user,
                display_name=s.display_name,
                unit=units[s.unit_code],
                organisation=organisations[s.organisation] if s.organisation is not None else None,
                phone=s.phone,
            )
            for user, s in zip(users, plan.staff, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    groups = {g.name: g.pk for g in Group.objects.filter(name__in=Role.values)}
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [
            Membership(user_id=user.pk, group_id=groups[s.role])
            for user, s in zip(users, plan.staff, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    return users


def _write_households(plan: DistrictPlan, units: dict[str, Unit]) -> list[int]:
    """The households, in chunks; their ids in the plan's order."""
    household_ids: list[int] = []
    for chunk in chunked(plan.households, CHUNK_SIZE):
        created = Household.objects.bulk_create(
            [
                Household(
                    unit_id=units[h.grid_code].pk,
                    household_number=h.number,
                    street=h.street,
                    building=h.building,
                    entrance=h.entrance,
                    room=h.room,
                    phone=h.phone,
                    is_rental=h.is_rental,
                )
                for h in chunk
            ],
            batch_size=BATCH_SIZE,
        )
        household_ids.extend(h.pk for h in created)
    return household_ids


def _write_residents(
    plan: DistrictPlan, household_ids: list[int], grid_of_household: list[int]
) -> None:
    """The residents, in chunks, each in the grid of their household."""
    for chunk in chunked(plan.residents, CHUNK_SIZE):
        Resident.objects.bulk_create(
            [
                Resident(
                    unit_id=grid_of_household[r.household],
                    household_id=household_ids[r.household],
                    relation_to_head=r.relation,
                    name=r.name,
                    document_type=r.document_type,
                    id_number=r.id_number,
                    document_number=r.document_number,
                    sex=r.sex,
                    birth_date=r.birth_date,
                    phone=r.phone,
                    residence_type=r.residence_type,
                    workplace=r.workplace,
                )
                for r in chunk
            ],
            batch_size=BATCH_SIZE,
        )


def _write_landlords(
    plan: DistrictPlan,
    units: dict[str, Unit],
    household_ids: list[int],
    grid_of_household: list[int],
) -> tuple[list[Landlord], list[RentalProperty]]:
    """The landlords and the rental properties of their households."""
    landlords = Landlord.objects.bulk_create(
        [
            Landlord(
                unit=units[landlord.unit_code],
                name=landlord.name,
                id_number=landlord.id_number,
                phone=landlord.phone,
                is_large=landlord.is_large,
            )
            for landlord in plan.landlords
        ],
        batch_size=BATCH_SIZE,
    )
    rentals = RentalProperty.objects.bulk_create(
        [
            RentalProperty(
                unit_id=grid_of_household[index],
                landlord=landlord,
                household_id=household_ids[index],
            )
            for landlord, spec in zip(landlords, plan.landlords, strict=True)
            for index in spec.households
        ],
        batch_size=BATCH_SIZE,
    )
    return landlords, rentals
